#include "safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "json.h"

namespace dsc {

namespace {

// The reference implementation refuses headers over 100 MB too.
constexpr uint64_t kMaxHeaderBytes = 100000000;

struct NamedDType {
  const char* name;
  DType dtype;
};
constexpr NamedDType kSafetensorsDTypes[] = {
    {"F32", DType::f32}, {"F16", DType::f16}, {"BF16", DType::bf16}, {"F64", DType::f64},
    {"I8", DType::i8},   {"U8", DType::u8},   {"I16", DType::i16},   {"U16", DType::u16},
    {"I32", DType::i32}, {"U32", DType::u32}, {"I64", DType::i64},   {"U64", DType::u64},
    {"BOOL", DType::boolean},
};

}  // namespace

SafetensorsFile::SafetensorsFile(std::string label, const uint8_t* bytes, size_t length, void* mapping,
                                 std::unique_ptr<uint8_t[]> owned)
    : label_(std::move(label)), bytes_(bytes), length_(length), mapping_(mapping), owned_(std::move(owned)) {}

SafetensorsFile::~SafetensorsFile() {
  if (mapping_) munmap(mapping_, length_);
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error("DSC1001", path + ": cannot open the weights file: " + std::strerror(errno));
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw Error("DSC1001", path + ": the weights path is not a regular file");
  }
  size_t length = static_cast<size_t>(info.st_size);
  void* mapping = nullptr;
  if (length > 0) {
    mapping = mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
    if (mapping == MAP_FAILED) {
      int err = errno;
      ::close(fd);
      throw Error("DSC1001", path + ": cannot map the weights file: " + std::strerror(err));
    }
  }
  ::close(fd);
  std::unique_ptr<SafetensorsFile> file(
      new SafetensorsFile(path, static_cast<const uint8_t*>(mapping), length, mapping, nullptr));
  file->parse();
  return file;
}

std::unique_ptr<SafetensorsFile> SafetensorsFile::copy(const uint8_t* bytes, size_t length, std::string label) {
  std::unique_ptr<uint8_t[]> owned(new uint8_t[length > 0 ? length : 1]);
  if (length > 0) std::memcpy(owned.get(), bytes, length);
  const uint8_t* data = owned.get();
  std::unique_ptr<SafetensorsFile> file(new SafetensorsFile(std::move(label), data, length, nullptr, std::move(owned)));
  file->parse();
  return file;
}

void SafetensorsFile::parse() {
  auto fail = [&](const std::string& what) { return Error("DSC1003", label_ + ": " + what); };
  if (length_ < 8)
    throw fail("truncated: " + std::to_string(length_) + " bytes, the header length alone takes 8");
  uint64_t header_length = 0;
  for (int k = 7; k >= 0; k--) header_length = (header_length << 8) | bytes_[k];
  if (header_length > kMaxHeaderBytes)
    throw fail("header length " + std::to_string(header_length) + " exceeds the limit of " +
               std::to_string(kMaxHeaderBytes) + " bytes");
  if (header_length > length_ - 8)
    throw fail("header length " + std::to_string(header_length) + " runs past the end of the file (" +
               std::to_string(length_ - 8) + " bytes after the length field); the file may be truncated");

  json::Value header;
  try {
    header = json::parse(reinterpret_cast<const char*>(bytes_ + 8), header_length);
  } catch (const json::ParseError& e) {
    throw fail(std::string("the header is not valid UTF-8 JSON: ") + e.what());
  }
  if (header.kind != json::Value::Kind::Object) throw fail("the header is not a JSON object");

  const uint8_t* data = bytes_ + 8 + header_length;
  uint64_t data_length = length_ - 8 - header_length;
  struct Range {
    uint64_t begin, end;
    size_t tensor;
  };
  std::vector<Range> ranges;
  for (const auto& [name, entry] : header.object) {
    if (name == "__metadata__") {
      bool strings = entry.kind == json::Value::Kind::Object &&
                     std::all_of(entry.object.begin(), entry.object.end(),
                                 [](const auto& m) { return m.second.kind == json::Value::Kind::String; });
      if (!strings) throw fail("__metadata__ is not an object of strings");
      continue;
    }
    auto bad = [&](const std::string& what) { return fail("tensor '" + name + "': " + what); };
    if (entry.kind != json::Value::Kind::Object) throw bad("its entry is not an object");
    const json::Value* dtype = entry.find("dtype");
    if (!dtype || dtype->kind != json::Value::Kind::String) throw bad("dtype is missing");
    const NamedDType* known = nullptr;
    for (const auto& d : kSafetensorsDTypes)
      if (dtype->string == d.name) known = &d;
    if (!known)
      throw Error("DSC1005", label_ + ": tensor '" + name + "' has dtype " + dtype->string + ", which dsc does not support");
    const json::Value* shape = entry.find("shape");
    auto is_count = [](const json::Value& v) { return v.kind == json::Value::Kind::Number && v.is_integer && v.integer >= 0; };
    if (!shape || shape->kind != json::Value::Kind::Array || !std::all_of(shape->array.begin(), shape->array.end(), is_count))
      throw bad("shape is not a list of non-negative integers");
    const json::Value* offsets = entry.find("data_offsets");
    if (!offsets || offsets->kind != json::Value::Kind::Array || offsets->array.size() != 2 ||
        !is_count(offsets->array[0]) || !is_count(offsets->array[1]))
      throw bad("data_offsets is not a pair of non-negative integers");
    uint64_t begin = static_cast<uint64_t>(offsets->array[0].integer);
    uint64_t end = static_cast<uint64_t>(offsets->array[1].integer);
    if (begin > end) throw bad("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] begin after they end");
    if (end > data_length)
      throw bad("data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "] run past the data section (" +
                std::to_string(data_length) + " bytes); the file may be truncated");
    StoredTensor t{name, known->dtype, {}, nullptr, 0};
    uint64_t need = dtype_bytes(known->dtype);
    bool overflow = false;
    for (const auto& d : shape->array) {
      t.shape.push_back(d.integer);
      overflow = overflow || __builtin_mul_overflow(need, static_cast<uint64_t>(d.integer), &need);
    }
    if (overflow || end - begin != need)
      throw bad("data holds " + std::to_string(end - begin) + " bytes, shape " + shape_text(t.shape.data(), t.shape.size()) + " of " + dtype->string + " needs " + (overflow ? std::string("more than 2^64") : std::to_string(need)));
    t.data = data + begin;
    t.bytes = static_cast<size_t>(end - begin);
    ranges.push_back({begin, end, tensors_.size()});
    tensors_.push_back(std::move(t));
  }

  // The format allows neither holes nor overlaps: sorted by offset, each range starts where the last ended.
  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  uint64_t covered = 0;
  const Range* previous = nullptr;
  for (const auto& r : ranges) {
    if (r.begin < covered)
      throw fail("tensors '" + tensors_[previous->tensor].name + "' and '" + tensors_[r.tensor].name + "' overlap");
    if (r.begin > covered)
      throw fail("bytes " + std::to_string(covered) + " to " + std::to_string(r.begin) + " of the data section belong to no tensor");
    covered = r.end;
    previous = &r;
  }
  if (covered != data_length)
    throw fail("the data section has " + std::to_string(data_length - covered) + " bytes after the last tensor");
}

Weights::Weights(const ModelSpec& spec, std::unique_ptr<SafetensorsFile> file) : file_(std::move(file)) {
  const std::string& label = file_->label();
  const auto& stored = file_->tensors();
  std::vector<bool> used(stored.size(), false);
  for (int p = 0; p < spec.num_params; p++) {
    const TensorSpec& param = spec.params[p];
    size_t found = stored.size();
    for (size_t k = 0; k < stored.size(); k++)
      if (stored[k].name == param.name) found = k;
    if (found == stored.size())
      throw Error("DSC4005", label + ": weight '" + param.name + "' is missing (the model needs " + type_text(param) + ")");
    const StoredTensor& t = stored[found];
    used[found] = true;
    bool shape_ok = t.shape.size() == static_cast<size_t>(param.rank);
    for (int a = 0; shape_ok && a < param.rank; a++) shape_ok = t.shape[a] == param.dims[a].value;
    if (t.dtype != param.dtype || !shape_ok)
      throw Error("DSC4006", label + ": weight '" + param.name + "' is " + dtype_name(t.dtype) +
                                 shape_text(t.shape.data(), t.shape.size()) + ", the model needs " + type_text(param));
    const void* pointer = t.data;
    // Kernels may rely on element alignment (as typed arrays guarantee for inputs); the file
    // format does not, so misaligned tensors are copied.
    if (reinterpret_cast<uintptr_t>(t.data) % dtype_bytes(t.dtype) != 0) {
      std::unique_ptr<uint64_t[]> copy(new uint64_t[(t.bytes + 7) / 8 + 1]);
      std::memcpy(copy.get(), t.data, t.bytes);
      pointer = copy.get();
      aligned_copies_.push_back(std::move(copy));
    }
    pointers_.push_back(pointer);
  }
  for (size_t k = 0; k < stored.size(); k++)
    if (!used[k] && !is_ignored_weight(spec, stored[k].name))
      throw Error("DSC4007", label + ": weight '" + stored[k].name + "' is not a parameter of model " + spec.name);
}

}  // namespace dsc

#include "model_spec.h"

#include <chrono>

namespace dsc {

namespace {
thread_local std::vector<KernelTime>* active_times = nullptr;
thread_local int64_t last_mark_ns = 0;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

KernelTimer::KernelTimer(std::vector<KernelTime>* times) {
  times->clear();
  active_times = times;
}

KernelTimer::~KernelTimer() { active_times = nullptr; }

size_t dtype_bytes(DType t) {
  switch (t) {
    case DType::f64: case DType::i64: case DType::u64: return 8;
    case DType::f32: case DType::i32: case DType::u32: return 4;
    case DType::f16: case DType::bf16: case DType::i16: case DType::u16: return 2;
    default: return 1;
  }
}

const char* dtype_name(DType t) {
  static const char* const names[] = {"f32", "f16", "bf16", "f64", "i8", "u8", "i16", "u16", "i32", "u32", "i64", "u64", "bool"};
  return names[static_cast<int>(t)];
}

const char* dtype_array_name(DType t) {
  static const char* const names[] = {"Float32Array", "Uint16Array", "Uint16Array", "Float64Array", "Int8Array",
                                      "Uint8Array",   "Int16Array",  "Uint16Array", "Int32Array",   "Uint32Array",
                                      "BigInt64Array", "BigUint64Array", "Uint8Array"};
  return names[static_cast<int>(t)];
}

std::string shape_text(const int64_t* dims, size_t rank) {
  std::string s = "[";
  for (size_t i = 0; i < rank; i++) s += (i ? ", " : "") + std::to_string(dims[i]);
  return s + "]";
}

std::string type_text(const TensorSpec& t) {
  std::string s = std::string(dtype_name(t.dtype)) + "[";
  for (int a = 0; a < t.rank; a++) s += (a ? ", " : "") + std::string(t.dims[a].text);
  return s + "]";
}

bool is_ignored_weight(const ModelSpec& spec, const std::string& name) {
  // PyTorch's BatchNorm step counter: no inference reads it, and it appears in every such state_dict
  static const std::string counter = "num_batches_tracked";
  if (name == counter || (name.size() > counter.size() && name.compare(name.size() - counter.size(), counter.size(), counter) == 0 &&
                          name[name.size() - counter.size() - 1] == '.'))
    return true;
  for (int k = 0; k < spec.num_ignored_params; k++)
    if (name == spec.ignored_params[k]) return true;
  return false;
}

}  // namespace dsc

extern "C" void dsc_profile_mark(int call, const char* kernel) {
  if (!dsc::active_times) return;
  int64_t now = dsc::now_ns();
  if (call >= 0) dsc::active_times->push_back({kernel, now - dsc::last_mark_ns});
  dsc::last_mark_ns = now;
}

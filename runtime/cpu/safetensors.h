// Weights from a safetensors file, read in C++: the file is memory-mapped (or a caller's buffer
// copied), the JSON header parsed and every field bounds-checked, and each parameter the model
// declares matched by name, dtype and shape before a kernel can see it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model_spec.h"

namespace dsc {

struct StoredTensor {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  const uint8_t* data;
  size_t bytes;
};

/** The bytes of a safetensors file and the tensors its header describes, all checked. */
class SafetensorsFile {
 public:
  /** Maps the file read-only. Throws dsc::Error (DSC1001 unreadable, DSC1003 malformed, DSC1005 dtype). */
  static std::unique_ptr<SafetensorsFile> open(const std::string& path);
  /** Copies the bytes, so the caller may reuse its buffer; `label` names the source in messages. */
  static std::unique_ptr<SafetensorsFile> copy(const uint8_t* bytes, size_t length, std::string label);
  ~SafetensorsFile();
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::string& label() const { return label_; }
  const std::vector<StoredTensor>& tensors() const { return tensors_; }

 private:
  SafetensorsFile(std::string label, const uint8_t* bytes, size_t length, void* mapping, std::unique_ptr<uint8_t[]> owned);
  void parse();

  std::string label_;
  const uint8_t* bytes_;
  size_t length_;
  void* mapping_;
  std::unique_ptr<uint8_t[]> owned_;
  std::vector<StoredTensor> tensors_;
};

/** The model's parameters bound to a file: one pointer per ModelSpec::params entry, in that order. */
class Weights {
 public:
  /**
   * Matches the file against spec.params. Throws dsc::Error naming the tensor and the file:
   * DSC4005 missing, DSC4006 wrong dtype or shape, DSC4007 a tensor that is neither a parameter nor
   * one the model declares but does not read (is_ignored_weight: those are skipped).
   */
  Weights(const ModelSpec& spec, std::unique_ptr<SafetensorsFile> file);
  const void* const* pointers() const { return pointers_.data(); }

 private:
  std::unique_ptr<SafetensorsFile> file_;
  /** element-aligned copies of tensors whose bytes in the file are not aligned to their element size */
  std::vector<std::unique_ptr<uint64_t[]>> aligned_copies_;
  std::vector<const void*> pointers_;
};

}  // namespace dsc

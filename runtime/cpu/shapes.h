// Shapes checked against a ModelSpec, once for every caller (the Node addon and the C API): input
// dims bind the symbols, and output shapes come from the kernels cross-checked with the manifest.
#pragma once
#include <cstdint>
#include <vector>

#include "model_spec.h"

namespace dsc {

/** Binds the symbols from the input shapes, one input at a time in spec.inputs order. */
class ShapeBinder {
 public:
  explicit ShapeBinder(const ModelSpec& spec);
  /**
   * Checks the static and symbolic dims of input `index`, whose rank the caller has checked, and binds
   * the symbols it is the first to carry. Throws Error DSC4004 naming the input and the axis.
   */
  void bind(int index, const std::vector<int64_t>& shape);
  /** Checks the expression dims (2*N, floor(S, 2), ...) of every bound input; returns the symbol values. */
  std::vector<int64_t> finish() const;

 private:
  const ModelSpec& spec_;
  std::vector<std::vector<int64_t>> shapes_;
  std::vector<int64_t> syms_;
  std::vector<int> bound_by_;
};

/**
 * The shape of output `index` for bound symbols: the kernels' dsc_output_shape, cross-checked with the
 * manifest, since allocating by a wrong answer would let a kernel write out of bounds (Error DSC4008).
 */
std::vector<int64_t> output_shape(const ModelSpec& spec, int index, const int64_t* syms);

}  // namespace dsc

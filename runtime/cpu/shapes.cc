#include "shapes.h"

#include <string>

namespace dsc {

ShapeBinder::ShapeBinder(const ModelSpec& spec)
    : spec_(spec), shapes_(spec.num_inputs), syms_(spec.num_symbols, -1), bound_by_(spec.num_symbols, -1) {}

void ShapeBinder::bind(int index, const std::vector<int64_t>& shape) {
  const TensorSpec& in = spec_.inputs[index];
  shapes_[index] = shape;
  for (int a = 0; a < in.rank; a++) {
    const DimSpec& d = in.dims[a];
    auto mismatch = [&](const std::string& why) {
      return Error("DSC4004", "input '" + std::string(in.name) + "' has shape " + shape_text(shape.data(), shape.size()) +
                                  ", the model needs " + type_text(in) + ": " + why);
    };
    if (shape[a] < 0) throw mismatch("axis " + std::to_string(a) + " is negative");
    if (d.kind == DimSpec::Kind::Const && shape[a] != d.value) throw mismatch("axis " + std::to_string(a) + " must be " + std::to_string(d.value));
    if (d.kind == DimSpec::Kind::Symbol) {
      int s = static_cast<int>(d.value);
      if (bound_by_[s] < 0) {
        syms_[s] = shape[a];
        bound_by_[s] = index;
      } else if (syms_[s] != shape[a]) {
        throw mismatch("axis " + std::to_string(a) + " is " + spec_.symbols[s].name + " = " + std::to_string(shape[a]) + ", but input '" +
                       spec_.inputs[bound_by_[s]].name + "' binds " + spec_.symbols[s].name + " = " + std::to_string(syms_[s]));
      }
    }
  }
}

std::vector<int64_t> ShapeBinder::finish() const {
  for (int i = 0; i < spec_.num_inputs; i++) {
    const TensorSpec& in = spec_.inputs[i];
    const std::vector<int64_t>& shape = shapes_[i];
    for (int a = 0; a < in.rank; a++) {
      const DimSpec& d = in.dims[a];
      if (d.kind != DimSpec::Kind::Expr) continue;
      int64_t want = spec_.eval_dim(static_cast<int>(d.value), syms_.data());
      if (want != shape[a])
        throw Error("DSC4004", "input '" + std::string(in.name) + "' has shape " + shape_text(shape.data(), shape.size()) + ", the model needs " +
                                   type_text(in) + ": axis " + std::to_string(a) + " must be " + d.text + " = " +
                                   (want == kDimOverflow ? std::string("a value past 2^63") : std::to_string(want)));
    }
  }
  return syms_;
}

std::vector<int64_t> output_shape(const ModelSpec& spec, int index, const int64_t* syms) {
  const TensorSpec& out = spec.outputs[index];
  std::vector<int64_t> shape(out.rank > 0 ? out.rank : 1, 0);
  dsc_output_shape(index, syms, shape.data());
  shape.resize(out.rank);
  for (int a = 0; a < out.rank; a++) {
    const DimSpec& d = out.dims[a];
    int64_t want = d.kind == DimSpec::Kind::Const    ? d.value
                   : d.kind == DimSpec::Kind::Symbol ? syms[d.value]
                   : d.kind == DimSpec::Kind::Expr   ? spec.eval_dim(static_cast<int>(d.value), syms)
                                                     : shape[a];
    if (want != shape[a])
      throw Error("DSC4008", "internal error: the kernels give output '" + std::string(out.name) + "' shape " +
                                 shape_text(shape.data(), shape.size()) + ", the manifest says " + type_text(out));
  }
  return shape;
}

}  // namespace dsc

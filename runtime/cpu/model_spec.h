// The model description the generated glue (src/addon.cc of a package) hands to the runtime: the
// manifest of src/codegen/abi.ts as constant tables, plus the C ABI the kernel code implements.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

extern "C" {
void dsc_output_shape(int index, const int64_t* syms, int64_t* shape_out);
size_t dsc_workspace_bytes(const int64_t* syms);
int dsc_run(const void* const* params, const void* const* inputs, void* const* outputs, const int64_t* syms,
            void* workspace, int num_threads);
/**
 * The per-kernel timer the generated dsc_run calls (it declares it weak, so kernels linked without the
 * runtime skip it): call -1 before the first kernel, then call i with the kernel's name after kernel i.
 * It records only on a thread where a KernelTimer is alive, so unprofiled runs pay one branch a kernel.
 */
void dsc_profile_mark(int call, const char* kernel);
}

namespace dsc {

enum class DType : uint8_t { f32, f16, bf16, f64, i8, u8, i16, u16, i32, u32, i64, u64, boolean };

size_t dtype_bytes(DType t);
/** the IR's name (f32, bool, ...) */
const char* dtype_name(DType t);
/** the JavaScript typed array that carries the dtype's storage (Float32Array, Uint16Array for f16, ...) */
const char* dtype_array_name(DType t);

struct DimSpec {
  /** Free: an output dim the manifest cannot state ahead of the run (`?`) */
  enum class Kind : uint8_t { Const, Symbol, Expr, Free };
  Kind kind;
  /** the size for Const, the index into ModelSpec::symbols for Symbol, the expression id for Expr; -1 for Free */
  int64_t value;
  /** the dim as the manifest writes it, for messages */
  const char* text;
};

struct TensorSpec {
  const char* name;
  DType dtype;
  int rank;
  const DimSpec* dims;
};

struct SymbolSpec {
  const char* name;
};

/** Marks an Expr dim whose value overflowed int64: it matches no real size. */
constexpr int64_t kDimOverflow = INT64_MIN;

struct ModelSpec {
  const char* name;
  const TensorSpec* inputs;
  int num_inputs;
  const TensorSpec* outputs;
  int num_outputs;
  const TensorSpec* params;
  int num_params;
  const SymbolSpec* symbols;
  int num_symbols;
  /** weight names the model declares but does not read (a PyTorch state_dict carries them) */
  const char* const* ignored_params;
  int num_ignored_params;
  /** value of Expr dim `expr` given the symbols, or kDimOverflow */
  int64_t (*eval_dim)(int expr, const int64_t* syms);
};

/** `[2, 4]` */
std::string shape_text(const int64_t* dims, size_t rank);
/** `f32[N, 4]`, as the manifest writes it */
std::string type_text(const TensorSpec& t);

/** Whether a stored tensor that is no parameter is skipped: one of spec.ignored_params, or any `*.num_batches_tracked`. */
bool is_ignored_weight(const ModelSpec& spec, const std::string& name);

/** One kernel call of a profiled run: the kernel's name (a literal of the kernel code) and its time. */
struct KernelTime {
  const char* kernel;
  int64_t ns;
};

/** While alive, the kernel calls of dsc_run on this thread are timed into `times` (cleared first). */
class KernelTimer {
 public:
  explicit KernelTimer(std::vector<KernelTime>* times);
  ~KernelTimer();
  KernelTimer(const KernelTimer&) = delete;
  KernelTimer& operator=(const KernelTimer&) = delete;
};

/** Defined by the generated glue of each package. */
const ModelSpec& model_spec();

/** A user-facing failure; `code` is a dsc diagnostic code (DSC4003, ...) that JavaScript sees as error.code. */
struct Error : std::runtime_error {
  std::string code;
  Error(std::string diag_code, const std::string& message) : std::runtime_error(message), code(std::move(diag_code)) {}
};

// Checked dim arithmetic for the generated Expr evaluators: overflow poisons the result.
inline int64_t dim_add(int64_t a, int64_t b) {
  int64_t r;
  if (a == kDimOverflow || b == kDimOverflow || __builtin_add_overflow(a, b, &r)) return kDimOverflow;
  return r;
}
inline int64_t dim_mul(int64_t a, int64_t b) {
  int64_t r;
  if (a == kDimOverflow || b == kDimOverflow || __builtin_mul_overflow(a, b, &r)) return kDimOverflow;
  return r;
}
inline int64_t dim_floor_div(int64_t a, int64_t b) {
  if (a == kDimOverflow) return kDimOverflow;
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
inline int64_t dim_mod(int64_t a, int64_t b) {
  if (a == kDimOverflow) return kDimOverflow;
  int64_t r = a % b;
  return r < 0 ? r + b : r;
}

}  // namespace dsc

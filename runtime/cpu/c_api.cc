// The C interface (c_api.h) over the same runtime the Node addon uses: ModelSpec validation, the
// safetensors loader and the kernels' C ABI (dispatched by isa.cc). Errors never cross the C
// boundary as exceptions: each entry point catches them and leaves a message for dsc_last_error.
#include "c_api.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "isa.h"
#include "model_spec.h"
#include "safetensors.h"
#include "shapes.h"

namespace {

constexpr size_t kWorkspaceAlignment = 64;

thread_local std::string last_error;
thread_local std::string last_error_code;

struct Failure {
  dsc_status status;
  dsc::Error error;
};

void clear_error() {
  last_error.clear();
  last_error_code.clear();
}

dsc_status fail(dsc_status status, const std::string& code, const std::string& message) {
  last_error = code + ": " + message;
  last_error_code = code;
  return status;
}

const dsc::ModelSpec& spec() { return dsc::model_spec(); }

/** The symbol values the inputs bind, after checking each input's rank, dims (ShapeBinder) and byte size. */
std::vector<int64_t> bind_inputs(const dsc_tensor* inputs) {
  const dsc::ModelSpec& s = spec();
  auto bad = [](const std::string& code, const std::string& message) { return Failure{DSC_ERROR_INPUT, dsc::Error(code, message)}; };
  if (!inputs && s.num_inputs > 0) throw Failure{DSC_ERROR_ARGUMENT, dsc::Error("DSC4002", std::string(s.name) + ": inputs is NULL")};
  dsc::ShapeBinder binder(s);
  for (int i = 0; i < s.num_inputs; i++) {
    const dsc::TensorSpec& in = s.inputs[i];
    const dsc_tensor& t = inputs[i];
    std::string name = std::string("input '") + in.name + "'";
    if (t.rank != in.rank || (t.rank > 0 && !t.shape))
      throw bad("DSC4004", name + " has rank " + std::to_string(t.rank) + (t.rank > 0 && !t.shape ? " and no shape" : "") + ", the model needs " + dsc::type_text(in));
    std::vector<int64_t> shape(t.shape, t.shape + t.rank);
    try {
      binder.bind(i, shape);
    } catch (const dsc::Error& e) {
      throw Failure{DSC_ERROR_INPUT, e};
    }
    uint64_t bytes = dsc::dtype_bytes(in.dtype);
    bool overflow = false;
    for (int64_t d : shape) overflow = overflow || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes);
    if (overflow || bytes != t.bytes)
      throw bad("DSC4004", name + " holds " + std::to_string(t.bytes) + " bytes, shape " + dsc::shape_text(shape.data(), shape.size()) + " of " +
                               dsc::dtype_name(in.dtype) + " needs " + (overflow ? std::string("more than 2^64") : std::to_string(bytes)));
    if ((!t.data && t.bytes) || reinterpret_cast<uintptr_t>(t.data) % dsc::dtype_bytes(in.dtype) != 0)
      throw bad("DSC4003", name + ": data must be a non-null pointer aligned to " + std::to_string(dsc::dtype_bytes(in.dtype)) + " bytes");
  }
  try {
    return binder.finish();
  } catch (const dsc::Error& e) {
    throw Failure{DSC_ERROR_INPUT, e};
  }
}

/** output_shape with its failure (a compiler bug) as a run error. */
std::vector<int64_t> checked_output_shape(int index, const std::vector<int64_t>& syms) {
  try {
    return dsc::output_shape(spec(), index, syms.data());
  } catch (const dsc::Error& e) {
    throw Failure{DSC_ERROR_RUN, e};
  }
}

struct FreeDeleter {
  void operator()(uint8_t* p) const { std::free(p); }
};

}  // namespace

struct dsc_model {
  dsc::Weights weights;
  int threads;
  std::mutex mutex;
  std::unique_ptr<uint8_t, FreeDeleter> workspace;
  size_t workspace_bytes = 0;

  dsc_model(std::unique_ptr<dsc::SafetensorsFile> file, int num_threads) : weights(spec(), std::move(file)), threads(num_threads) {}
};

extern "C" {

dsc_model* dsc_model_load(const char* safetensors_path, int num_threads) {
  clear_error();
  if (!safetensors_path) {
    fail(DSC_ERROR_ARGUMENT, "DSC1001", std::string(spec().name) + ": the weights path is NULL");
    return nullptr;
  }
  try {
    int threads = num_threads > 0 ? num_threads : static_cast<int>(std::thread::hardware_concurrency());
    return new dsc_model(dsc::SafetensorsFile::open(safetensors_path), threads < 1 ? 1 : threads);
  } catch (const dsc::Error& e) {
    fail(DSC_ERROR_WEIGHTS, e.code, e.what());
  } catch (const std::bad_alloc&) {
    fail(DSC_ERROR_RUN, "DSC4008", std::string(spec().name) + ": out of memory while loading weights");
  }
  return nullptr;
}

void dsc_model_free(dsc_model* model) { delete model; }

int dsc_model_output_shape(const dsc_model* model, const dsc_tensor* inputs, int index, int64_t* shape, int max_rank) {
  clear_error();
  if (!model || index < 0 || index >= spec().num_outputs || (max_rank > 0 && !shape)) {
    fail(DSC_ERROR_ARGUMENT, "DSC4002", std::string(spec().name) + ": dsc_model_output_shape needs a model, an output index below " +
                                            std::to_string(spec().num_outputs) + " and a shape buffer");
    return -1;
  }
  try {
    std::vector<int64_t> dims = checked_output_shape(index, bind_inputs(inputs));
    if (static_cast<int>(dims.size()) > max_rank) {
      fail(DSC_ERROR_ARGUMENT, "DSC4004", "output '" + std::string(spec().outputs[index].name) + "' has rank " + std::to_string(dims.size()) +
                                              ", more than max_rank " + std::to_string(max_rank));
      return -1;
    }
    for (size_t a = 0; a < dims.size(); a++) shape[a] = dims[a];
    return static_cast<int>(dims.size());
  } catch (const Failure& f) {
    fail(f.status, f.error.code, f.error.what());
    return -1;
  }
}

dsc_status dsc_model_run(dsc_model* model, const dsc_tensor* inputs, const dsc_tensor* outputs) {
  clear_error();
  const dsc::ModelSpec& s = spec();
  if (!model) return fail(DSC_ERROR_ARGUMENT, "DSC4002", std::string(s.name) + ": the model is NULL");
  if (!outputs && s.num_outputs > 0) return fail(DSC_ERROR_ARGUMENT, "DSC4002", std::string(s.name) + ": outputs is NULL");
  try {
    std::vector<int64_t> syms = bind_inputs(inputs);
    std::vector<const void*> in(s.num_inputs > 0 ? s.num_inputs : 1, nullptr);
    for (int i = 0; i < s.num_inputs; i++) in[i] = inputs[i].data;
    std::vector<void*> out(s.num_outputs > 0 ? s.num_outputs : 1, nullptr);
    for (int o = 0; o < s.num_outputs; o++) {
      const dsc::TensorSpec& spec_out = s.outputs[o];
      std::vector<int64_t> shape = checked_output_shape(o, syms);
      uint64_t bytes = dsc::dtype_bytes(spec_out.dtype);
      bool overflow = false;
      for (int64_t d : shape) overflow = overflow || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes);
      const dsc_tensor& t = outputs[o];
      std::string name = std::string("output '") + spec_out.name + "'";
      if (overflow || t.bytes != bytes)
        return fail(DSC_ERROR_OUTPUT, "DSC4004", name + " has shape " + dsc::shape_text(shape.data(), shape.size()) + " (" +
                                                     (overflow ? std::string("more than 2^64") : std::to_string(bytes)) + " bytes), the buffer holds " +
                                                     std::to_string(t.bytes));
      if ((!t.data && t.bytes) || reinterpret_cast<uintptr_t>(t.data) % dsc::dtype_bytes(spec_out.dtype) != 0)
        return fail(DSC_ERROR_OUTPUT, "DSC4003", name + ": data must be a non-null pointer aligned to " + std::to_string(dsc::dtype_bytes(spec_out.dtype)) + " bytes");
      out[o] = t.data;
    }
    std::lock_guard<std::mutex> lock(model->mutex);
    size_t need = dsc_workspace_bytes(syms.data());
    if (need > model->workspace_bytes) {
      model->workspace.reset();
      model->workspace_bytes = 0;
      size_t rounded = (need + kWorkspaceAlignment - 1) / kWorkspaceAlignment * kWorkspaceAlignment;
      void* memory = std::aligned_alloc(kWorkspaceAlignment, rounded);
      if (!memory) return fail(DSC_ERROR_RUN, "DSC4008", std::string(s.name) + ": cannot allocate a workspace of " + std::to_string(need) + " bytes");
      model->workspace.reset(static_cast<uint8_t*>(memory));
      model->workspace_bytes = rounded;
    }
    int status = dsc_run(model->weights.pointers(), in.data(), out.data(), syms.data(), model->workspace.get(), model->threads);
    if (status != 0) return fail(DSC_ERROR_RUN, "DSC4008", std::string(s.name) + ": the kernels failed with status " + std::to_string(status));
    return DSC_OK;
  } catch (const Failure& f) {
    return fail(f.status, f.error.code, f.error.what());
  } catch (const std::bad_alloc&) {
    return fail(DSC_ERROR_RUN, "DSC4008", std::string(s.name) + ": out of memory");
  }
}

int dsc_model_input_count(void) { return spec().num_inputs; }
int dsc_model_output_count(void) { return spec().num_outputs; }
const char* dsc_model_input_name(int index) { return index >= 0 && index < spec().num_inputs ? spec().inputs[index].name : nullptr; }
const char* dsc_model_output_name(int index) { return index >= 0 && index < spec().num_outputs ? spec().outputs[index].name : nullptr; }
const char* dsc_model_name(void) { return spec().name; }
const char* dsc_model_isa(void) { return dsc::kernel_isa(); }
const char* dsc_last_error(void) { return last_error.c_str(); }
const char* dsc_last_error_code(void) { return last_error_code.c_str(); }

}  // extern "C"

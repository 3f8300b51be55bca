#include "model_addon.h"

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "isa.h"
#include "model_spec.h"
#include "safetensors.h"
#include "shapes.h"

namespace dsc {

namespace {

// Larger sizes cannot be addressed by a JavaScript typed array (lengths are safe integers).
constexpr uint64_t kMaxBytes = uint64_t{1} << 53;
constexpr size_t kWorkspaceAlignment = 64;

napi_typedarray_type array_type_of(DType t) {
  switch (t) {
    case DType::f32: return napi_float32_array;
    case DType::f64: return napi_float64_array;
    case DType::f16: case DType::bf16: case DType::u16: return napi_uint16_array;
    case DType::i8: return napi_int8_array;
    case DType::u8: case DType::boolean: return napi_uint8_array;
    case DType::i16: return napi_int16_array;
    case DType::i32: return napi_int32_array;
    case DType::u32: return napi_uint32_array;
    case DType::i64: return napi_bigint64_array;
    case DType::u64: return napi_biguint64_array;
  }
  return napi_uint8_array;
}

const char* array_type_name(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_uint8_clamped_array: return "Uint8ClampedArray";
    case napi_int16_array: return "Int16Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int32_array: return "Int32Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_float32_array: return "Float32Array";
    case napi_float64_array: return "Float64Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "a typed array";
  }
}

std::string names_of(const TensorSpec* tensors, int count) {
  std::string s;
  for (int k = 0; k < count; k++) s += (k ? ", " : "") + std::string(tensors[k].name);
  return s;
}

Napi::Error to_js(Napi::Env env, const Error& e) {
  Napi::Error error = Napi::Error::New(env, e.what());
  error.Set("code", Napi::String::New(env, e.code));
  return error;
}

/** Weights plus the reusable workspace; shared by a Model and the async runs it started. */
class LoadedModel {
 public:
  LoadedModel(const ModelSpec& spec, std::unique_ptr<SafetensorsFile> file, int threads, bool profile)
      : spec_(spec), weights_(spec, std::move(file)), threads_(threads), profile_(profile) {}

  const ModelSpec& spec() const { return spec_; }
  bool profiled() const { return profile_; }

  /** The kernel times of the last finished run, when the model was loaded with { profile: true }. */
  std::vector<KernelTime> last_profile() {
    std::lock_guard<std::mutex> lock(profile_mutex_);
    return last_profile_;
  }

  /** Serialized: the workspace is one buffer, and concurrent runs of one model would share it. */
  void run(const void* const* inputs, void* const* outputs, const int64_t* syms) {
    std::lock_guard<std::mutex> lock(mutex_);
    size_t need = dsc_workspace_bytes(syms);
    if (need > workspace_bytes_) {
      workspace_.reset();
      workspace_bytes_ = 0;
      size_t rounded = (need + kWorkspaceAlignment - 1) / kWorkspaceAlignment * kWorkspaceAlignment;
      void* memory = std::aligned_alloc(kWorkspaceAlignment, rounded);
      if (!memory) throw Error("DSC4008", std::string(spec_.name) + ": cannot allocate a workspace of " + std::to_string(need) + " bytes");
      workspace_.reset(static_cast<uint8_t*>(memory));
      workspace_bytes_ = rounded;
    }
    int status;
    if (profile_) {
      std::vector<KernelTime> times;
      {
        KernelTimer timer(&times);
        status = dsc_run(weights_.pointers(), inputs, outputs, syms, workspace_.get(), threads_);
      }
      std::lock_guard<std::mutex> lock(profile_mutex_);
      last_profile_ = std::move(times);
    } else {
      status = dsc_run(weights_.pointers(), inputs, outputs, syms, workspace_.get(), threads_);
    }
    if (status != 0) throw Error("DSC4008", std::string(spec_.name) + ": the kernels failed with status " + std::to_string(status));
  }

 private:
  struct FreeDeleter {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  const ModelSpec& spec_;
  Weights weights_;
  int threads_;
  bool profile_;
  std::mutex mutex_;
  std::mutex profile_mutex_;
  std::vector<KernelTime> last_profile_;
  std::unique_ptr<uint8_t, FreeDeleter> workspace_;
  size_t workspace_bytes_ = 0;
};

/** One call's validated arguments: input pointers, symbol values, and the output arrays made for it. */
struct PreparedRun {
  std::vector<int64_t> syms;
  std::vector<const void*> inputs;
  std::vector<size_t> input_bytes;
  std::vector<void*> outputs;
  Napi::Object result;
};

struct BoundInput {
  std::vector<int64_t> shape;
  const void* data;
  size_t bytes;
};

/** Reads one input argument: a bare typed array (static shapes only) or { data, shape }. */
BoundInput read_input(const TensorSpec& spec, Napi::Value value) {
  std::string name = spec.name;
  bool is_static = true;
  for (int a = 0; a < spec.rank; a++) is_static = is_static && spec.dims[a].kind == DimSpec::Kind::Const;
  Napi::Value data = value;
  BoundInput bound;
  if (value.IsTypedArray()) {
    if (!is_static)
      throw Error("DSC4004", "input '" + name + "' has symbolic dims (" + type_text(spec) + "): pass { data, shape }");
    for (int a = 0; a < spec.rank; a++) bound.shape.push_back(spec.dims[a].value);
  } else if (value.IsObject() && !value.IsArray()) {
    Napi::Object object = value.As<Napi::Object>();
    data = object.Get("data");
    Napi::Value shape = object.Get("shape");
    if (!data.IsTypedArray())
      throw Error("DSC4003", "input '" + name + "': data must be a " + dtype_array_name(spec.dtype) + " (" + dtype_name(spec.dtype) + ")");
    if (!shape.IsArray()) throw Error("DSC4004", "input '" + name + "': shape must be an array of dims (" + type_text(spec) + ")");
    Napi::Array dims = shape.As<Napi::Array>();
    for (uint32_t a = 0; a < dims.Length(); a++) {
      Napi::Value d = dims.Get(a);
      double v = d.IsNumber() ? d.As<Napi::Number>().DoubleValue() : -1;
      if (!(v >= 0 && v <= 9007199254740991.0 && std::floor(v) == v))
        throw Error("DSC4004", "input '" + name + "': shape[" + std::to_string(a) + "] is not a non-negative integer");
      bound.shape.push_back(static_cast<int64_t>(v));
    }
  } else {
    throw Error("DSC4003", "input '" + name + "' must be a " + dtype_array_name(spec.dtype) + " or { data: " +
                               dtype_array_name(spec.dtype) + ", shape } (" + type_text(spec) + ")");
  }
  Napi::TypedArray array = data.As<Napi::TypedArray>();
  if (array.TypedArrayType() != array_type_of(spec.dtype))
    throw Error("DSC4003", "input '" + name + "' must be a " + dtype_array_name(spec.dtype) + " (" + dtype_name(spec.dtype) +
                               "), got " + array_type_name(array.TypedArrayType()));
  if (bound.shape.size() != static_cast<size_t>(spec.rank))
    throw Error("DSC4004", "input '" + name + "' has shape " + shape_text(bound.shape.data(), bound.shape.size()) + " of rank " +
                               std::to_string(bound.shape.size()) + ", the model needs " + type_text(spec));
  uint64_t elements = 1;
  bool overflow = false;
  for (int64_t d : bound.shape) overflow = overflow || __builtin_mul_overflow(elements, static_cast<uint64_t>(d), &elements);
  if (overflow || elements != array.ElementLength())
    throw Error("DSC4004", "input '" + name + "' holds " + std::to_string(array.ElementLength()) + " elements, shape " +
                               shape_text(bound.shape.data(), bound.shape.size()) + " needs " +
                               (overflow ? std::string("more than 2^64") : std::to_string(elements)));
  bound.data = static_cast<const uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
  bound.bytes = array.ByteLength();
  return bound;
}

/** Validates every input against the spec, binds the symbols, and allocates the outputs. */
PreparedRun prepare(Napi::Env env, const ModelSpec& spec, Napi::Value argument) {
  if (!argument.IsObject() || argument.IsArray() || argument.IsTypedArray())
    throw Error("DSC4002", std::string(spec.name) + ": run() takes an object of inputs by name (" + names_of(spec.inputs, spec.num_inputs) + ")");
  Napi::Object given = argument.As<Napi::Object>();
  Napi::Array keys = given.GetPropertyNames();
  for (uint32_t k = 0; k < keys.Length(); k++) {
    std::string key = keys.Get(k).ToString().Utf8Value();
    bool known = false;
    for (int i = 0; i < spec.num_inputs; i++) known = known || key == spec.inputs[i].name;
    if (!known)
      throw Error("DSC4001", "unknown input '" + key + "'; the inputs of " + spec.name + " are " + names_of(spec.inputs, spec.num_inputs));
  }

  std::vector<BoundInput> bound;
  ShapeBinder binder(spec);
  for (int i = 0; i < spec.num_inputs; i++) {
    const TensorSpec& in = spec.inputs[i];
    if (!given.HasOwnProperty(in.name) || given.Get(in.name).IsUndefined())
      throw Error("DSC4002", "missing input '" + std::string(in.name) + "' (" + type_text(in) + ")");
    bound.push_back(read_input(in, given.Get(in.name)));
    binder.bind(i, bound.back().shape);
  }
  std::vector<int64_t> syms = binder.finish();

  PreparedRun run;
  run.syms = syms;
  for (const auto& b : bound) {
    run.inputs.push_back(b.data);
    run.input_bytes.push_back(b.bytes);
  }
  run.result = Napi::Object::New(env);
  for (int o = 0; o < spec.num_outputs; o++) {
    const TensorSpec& out = spec.outputs[o];
    std::vector<int64_t> shape = output_shape(spec, o, syms.data());
    uint64_t bytes = dtype_bytes(out.dtype);
    bool bad = false;
    for (int64_t d : shape) bad = bad || d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes);
    if (bad || bytes > kMaxBytes)
      throw Error("DSC4008", "output '" + std::string(out.name) + "' would have shape " + shape_text(shape.data(), shape.size()) +
                                 ", which cannot be allocated");
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, static_cast<size_t>(bytes));
    napi_value array;
    NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, array_type_of(out.dtype), static_cast<size_t>(bytes) / dtype_bytes(out.dtype),
                                                     buffer, 0, &array), run);
    Napi::Array dims = Napi::Array::New(env, shape.size());
    for (size_t a = 0; a < shape.size(); a++) dims.Set(static_cast<uint32_t>(a), Napi::Number::New(env, static_cast<double>(shape[a])));
    Napi::Object tensor = Napi::Object::New(env);
    tensor.Set("data", Napi::Value(env, array));
    tensor.Set("shape", dims);
    run.result.Set(out.name, tensor);
    run.outputs.push_back(buffer.Data());
  }
  return run;
}

/** Runs on a libuv worker thread; inputs are copied so the caller may reuse or transfer its arrays at once. */
class RunWorker : public Napi::AsyncWorker {
 public:
  RunWorker(Napi::Env env, std::shared_ptr<LoadedModel> model, PreparedRun prepared)
      : Napi::AsyncWorker(env, "dsc.Model.runAsync"),
        deferred_(Napi::Promise::Deferred::New(env)),
        model_(std::move(model)),
        syms_(std::move(prepared.syms)),
        outputs_(std::move(prepared.outputs)),
        result_(Napi::Persistent(prepared.result)) {
    for (size_t i = 0; i < prepared.inputs.size(); i++) {
      std::unique_ptr<uint64_t[]> copy(new uint64_t[prepared.input_bytes[i] / 8 + 1]);
      if (prepared.input_bytes[i]) std::memcpy(copy.get(), prepared.inputs[i], prepared.input_bytes[i]);
      inputs_.push_back(copy.get());
      input_copies_.push_back(std::move(copy));
    }
  }
  Napi::Promise promise() { return deferred_.Promise(); }

 protected:
  void Execute() override {
    try {
      model_->run(inputs_.data(), outputs_.data(), syms_.data());
    } catch (const Error& e) {
      code_ = e.code;
      SetError(e.what());
    } catch (const std::bad_alloc&) {
      SetError("out of memory");
    }
  }
  void OnOK() override { deferred_.Resolve(result_.Value()); }
  void OnError(const Napi::Error& error) override {
    if (!code_.empty()) error.Set("code", Napi::String::New(Env(), code_));
    deferred_.Reject(error.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<LoadedModel> model_;
  std::vector<int64_t> syms_;
  std::vector<void*> outputs_;
  Napi::ObjectReference result_;
  std::vector<std::unique_ptr<uint64_t[]>> input_copies_;
  std::vector<const void*> inputs_;
  std::string code_;
};

class NativeModel : public Napi::ObjectWrap<NativeModel> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Model",
                       {InstanceMethod<&NativeModel::Run>("run"), InstanceMethod<&NativeModel::RunAsync>("runAsync"),
                        InstanceMethod<&NativeModel::LastProfile>("lastProfile"), InstanceMethod<&NativeModel::Dispose>("dispose")});
  }

  /** new Model(source: string | Uint8Array, label: string, threads: number, profile: boolean) */
  explicit NativeModel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeModel>(info) {
    Napi::Env env = info.Env();
    const ModelSpec& spec = model_spec();
    int threads = static_cast<int>(std::thread::hardware_concurrency());
    if (info.Length() > 2 && !info[2].IsUndefined()) {
      double t = info[2].IsNumber() ? info[2].As<Napi::Number>().DoubleValue() : 0;
      if (!(t >= 1 && t <= 4096 && std::floor(t) == t))
        throw Napi::RangeError::New(env, "threads must be an integer from 1 to 4096");
      threads = static_cast<int>(t);
    }
    if (threads < 1) threads = 1;
    try {
      std::unique_ptr<SafetensorsFile> file;
      if (info.Length() > 0 && info[0].IsString()) {
        file = SafetensorsFile::open(info[0].As<Napi::String>().Utf8Value());
      } else if (info.Length() > 0 && info[0].IsTypedArray() && info[0].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array) {
        Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
        std::string label = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "weights buffer";
        file = SafetensorsFile::copy(bytes.Data(), bytes.ByteLength(), label);
      } else {
        throw Napi::TypeError::New(env, std::string(spec.name) + ": weights must be a path or a Uint8Array of a safetensors file");
      }
      bool profile = info.Length() > 3 && info[3].ToBoolean().Value();
      model_ = std::make_shared<LoadedModel>(spec, std::move(file), threads, profile);
      info.This().As<Napi::Object>().DefineProperty(
          Napi::PropertyDescriptor::Value("isa", Napi::String::New(env, kernel_isa()), napi_enumerable));
    } catch (const Error& e) {
      throw to_js(env, e);
    } catch (const std::bad_alloc&) {
      throw Napi::Error::New(env, std::string(spec.name) + ": out of memory while loading weights");
    }
  }

 private:
  std::shared_ptr<LoadedModel> loaded(Napi::Env env) {
    if (!model_) throw Napi::Error::New(env, std::string(model_spec().name) + ": the model has been disposed");
    return model_;
  }

  Napi::Value Run(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::shared_ptr<LoadedModel> model = loaded(env);
    try {
      PreparedRun prepared = prepare(env, model->spec(), info[0]);
      model->run(prepared.inputs.data(), prepared.outputs.data(), prepared.syms.data());
      return prepared.result;
    } catch (const Error& e) {
      throw to_js(env, e);
    }
  }

  Napi::Value RunAsync(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::shared_ptr<LoadedModel> model = loaded(env);
    try {
      RunWorker* worker = new RunWorker(env, model, prepare(env, model->spec(), info[0]));
      Napi::Promise promise = worker->promise();
      worker->Queue();
      return promise;
    } catch (const Error& e) {
      throw to_js(env, e);
    }
  }

  /** { totalMs, kernels: [{ kernel, ms }] } of the last run, in call order; null unless loaded with profile. */
  Napi::Value LastProfile(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::shared_ptr<LoadedModel> model = loaded(env);
    if (!model->profiled()) return env.Null();
    std::vector<KernelTime> times = model->last_profile();
    Napi::Array kernels = Napi::Array::New(env, times.size());
    int64_t total = 0;
    for (size_t k = 0; k < times.size(); k++) {
      Napi::Object entry = Napi::Object::New(env);
      entry.Set("kernel", Napi::String::New(env, times[k].kernel ? times[k].kernel : "?"));
      entry.Set("ms", Napi::Number::New(env, static_cast<double>(times[k].ns) / 1e6));
      kernels.Set(static_cast<uint32_t>(k), entry);
      total += times[k].ns;
    }
    Napi::Object profile = Napi::Object::New(env);
    profile.Set("totalMs", Napi::Number::New(env, static_cast<double>(total) / 1e6));
    profile.Set("kernels", kernels);
    return profile;
  }

  /** Releases the weights now; runs already queued keep them alive until they finish. */
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    model_.reset();
    return info.Env().Undefined();
  }

  std::shared_ptr<LoadedModel> model_;
};

}  // namespace

/**
 * Node unloads an addon when the last worker thread that loaded it ends, but OpenMP's pool threads
 * that the worker's runs started live on in the library's code (a crash at exit): keep it loaded.
 */
static void pin_library() {
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&pin_library), &self) && self.dli_fname) dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

ModelAddon::ModelAddon(Napi::Env env, Napi::Object exports) {
  pin_library();
  DefineAddon(exports, {InstanceValue("Model", NativeModel::Define(env), napi_enumerable)});
}

}  // namespace dsc

// The registration macro pastes the class name into an identifier, so it needs an unqualified one.
using DscModelAddon = dsc::ModelAddon;
NODE_API_NAMED_ADDON(dsc_model, DscModelAddon)

/* The C interface of a model compiled by dsc (built by dsc.cmake's dsc_add_model, no Node needed):
 * load the weights from a safetensors file, run with caller-owned buffers, free. Every failure is a
 * status code plus a message naming the tensor (dsc_last_error); nothing the caller passes can make
 * a kernel read or write outside the buffers it described. One model per program: the library's
 * symbols are the same for every model. */
#ifndef DSC_C_API_H
#define DSC_C_API_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dsc_model dsc_model;

/* A dense row-major tensor in the dtype's storage layout (f16/bf16 as 16-bit patterns, bool as bytes
 * 0/1); `bytes` is the size of `data`, which must be aligned to the element size. */
typedef struct dsc_tensor {
  void* data;
  size_t bytes;
  const int64_t* shape;
  int rank;
} dsc_tensor;

typedef enum dsc_status {
  DSC_OK = 0,
  DSC_ERROR_WEIGHTS = 1,  /* the file cannot be read, or a parameter is missing or has the wrong dtype/shape */
  DSC_ERROR_INPUT = 2,    /* an input's rank, shape or size does not fit the model */
  DSC_ERROR_OUTPUT = 3,   /* an output buffer is not the size the inputs give it */
  DSC_ERROR_ARGUMENT = 4, /* a null model or pointer, an index out of range */
  DSC_ERROR_RUN = 5       /* out of memory, or the kernels failed */
} dsc_status;

/* Maps the safetensors file and checks every parameter by name, dtype and shape. num_threads <= 0
 * means all cores. Returns NULL on failure; dsc_last_error() says why. */
dsc_model* dsc_model_load(const char* safetensors_path, int num_threads);
void dsc_model_free(dsc_model* model);

/* Runs the model. `inputs` and `outputs` follow the model's order (dsc_model_input_name); each output
 * buffer must have exactly the size its shape needs (dsc_model_output_shape). */
dsc_status dsc_model_run(dsc_model* model, const dsc_tensor* inputs, const dsc_tensor* outputs);

/* The shape output `index` has for these inputs: writes up to max_rank dims, returns the rank, or -1
 * on failure (dsc_last_error). */
int dsc_model_output_shape(const dsc_model* model, const dsc_tensor* inputs, int index, int64_t* shape, int max_rank);

int dsc_model_input_count(void);
int dsc_model_output_count(void);
/* NULL when the index is out of range */
const char* dsc_model_input_name(int index);
const char* dsc_model_output_name(int index);
/* the model's name, as in the .ds source */
const char* dsc_model_name(void);
/* the kernels' instruction set on this CPU: "avx512", "avx2" or "baseline" */
const char* dsc_model_isa(void);

/* The last failure on this thread: a message naming the tensor, and its dsc diagnostic code
 * ("DSC4004"); empty strings when nothing failed. */
const char* dsc_last_error(void);
const char* dsc_last_error_code(void);

#ifdef __cplusplus
}
#endif

#endif /* DSC_C_API_H */

/* mlp_demo WEIGHTS.safetensors INPUT.f32: runs the MLP example on a batch of 784-value rows read as
 * raw little-endian float32, and prints each row's 10 logits. Errors (a weight missing or of the
 * wrong shape, an input of the wrong size) are printed as dsc reports them, with exit code 1. */
#include <stdio.h>
#include <stdlib.h>

#include "c_api.h"

#define FEATURES 784

static float* read_file(const char* path, size_t* bytes) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  float* data = malloc(size > 0 ? (size_t)size : 1);
  if (data && size > 0 && fread(data, 1, (size_t)size, f) != (size_t)size) {
    free(data);
    data = NULL;
  }
  fclose(f);
  *bytes = size > 0 ? (size_t)size : 0;
  return data;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s WEIGHTS.safetensors INPUT.f32\n", argv[0]);
    return 2;
  }
  dsc_model* model = dsc_model_load(argv[1], 0);
  if (!model) {
    fprintf(stderr, "%s\n", dsc_last_error());
    return 1;
  }
  size_t bytes = 0;
  float* x = read_file(argv[2], &bytes);
  if (!x) {
    fprintf(stderr, "cannot read %s\n", argv[2]);
    dsc_model_free(model);
    return 1;
  }
  int64_t input_shape[2] = {(int64_t)(bytes / (FEATURES * sizeof(float))), FEATURES};
  dsc_tensor input = {x, bytes, input_shape, 2};
  int64_t output_shape[2];
  int status = 1;
  if (dsc_model_output_shape(model, &input, 0, output_shape, 2) == 2) {
    size_t out_bytes = (size_t)(output_shape[0] * output_shape[1]) * sizeof(float);
    float* y = malloc(out_bytes);
    dsc_tensor output = {y, out_bytes, output_shape, 2};
    if (y && dsc_model_run(model, &input, &output) == DSC_OK) {
      printf("%s on %s: %s[%lld, %lld]\n", dsc_model_name(), dsc_model_isa(), dsc_model_output_name(0), (long long)output_shape[0],
             (long long)output_shape[1]);
      for (int64_t i = 0; i < output_shape[0]; i++) {
        for (int64_t j = 0; j < output_shape[1]; j++) printf(j ? " %.9g" : "%.9g", y[i * output_shape[1] + j]);
        printf("\n");
      }
      status = 0;
    }
    free(y);
  }
  if (status) fprintf(stderr, "%s\n", dsc_last_error());
  free(x);
  dsc_model_free(model);
  return status;
}

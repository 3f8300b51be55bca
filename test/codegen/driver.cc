// Test driver for generated CPU models: runs models compiled into this executable through the C ABI
// of src/codegen/abi.ts, reading params and inputs as raw little-endian files and writing outputs.
//
// Each model's model.cc is compiled with its ABI symbols renamed to <id>_dsc_run etc., and
// models.inc (written by the harness) lists the ids as DSC_MODEL(id). The job file holds lines:
//   model <id>              start a run of model <id>
//   threads <n>             num_threads passed to dsc_run
//   syms <v...>             symbol values in manifest order
//   param <path> / input <path>
//   output <path> <bytes> <rank>
//   repeat <n>              run n times and print the median time
//   run                     execute; prints "shape <index> <dims...>" per output, "rc <code>", "ms <median>"
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#define DSC_MODEL(id)                                                                                     \
  extern "C" void id##_dsc_output_shape(int, const int64_t*, int64_t*);                                  \
  extern "C" size_t id##_dsc_workspace_bytes(const int64_t*);                                            \
  extern "C" int id##_dsc_run(const void* const*, const void* const*, void* const*, const int64_t*, void*, int);
#include "models.inc"
#undef DSC_MODEL

struct Model {
  const char* id;
  void (*output_shape)(int, const int64_t*, int64_t*);
  size_t (*workspace_bytes)(const int64_t*);
  int (*run)(const void* const*, const void* const*, void* const*, const int64_t*, void*, int);
};

#define DSC_MODEL(id) {#id, id##_dsc_output_shape, id##_dsc_workspace_bytes, id##_dsc_run},
static const Model kModels[] = {
#include "models.inc"
};
#undef DSC_MODEL

static std::vector<char> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(2);
  }
  return std::vector<char>((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

struct Output {
  std::string path;
  size_t bytes;
  int rank;
};

struct Job {
  const Model* model = nullptr;
  int threads = 1;
  int repeat = 1;
  std::vector<int64_t> syms;
  std::vector<std::vector<char>> params, inputs;
  std::vector<Output> outputs;
};

/** Heap buffer of at least one byte, 64-byte aligned, filled with 0xFF so reads of unwritten memory show as NaN. */
static char* poisoned(size_t bytes) {
  const size_t n = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
  char* p = static_cast<char*>(std::aligned_alloc(64, n));
  std::memset(p, 0xFF, n);
  return p;
}

static int execute(const Job& job) {
  std::vector<const void*> params, inputs;
  for (const auto& p : job.params) params.push_back(p.data());
  for (const auto& i : job.inputs) inputs.push_back(i.data());
  std::vector<void*> outputs;
  for (const auto& o : job.outputs) outputs.push_back(poisoned(o.bytes));
  const size_t ws_bytes = job.model->workspace_bytes(job.syms.data());
  char* ws = poisoned(ws_bytes);
  std::vector<double> times;
  int rc = 0;
  for (int r = 0; r < job.repeat && rc == 0; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    rc = job.model->run(params.data(), inputs.data(), outputs.data(), job.syms.data(), ws, job.threads);
    times.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  std::printf("rc %d\nworkspace %zu\nms %.4f\n", rc, ws_bytes, times[times.size() / 2]);
  for (size_t i = 0; i < job.outputs.size(); ++i) {
    std::vector<int64_t> shape(job.outputs[i].rank);
    job.model->output_shape(static_cast<int>(i), job.syms.data(), shape.data());
    std::printf("shape %zu", i);
    for (int64_t d : shape) std::printf(" %lld", static_cast<long long>(d));
    std::printf("\n");
    std::ofstream f(job.outputs[i].path, std::ios::binary);
    f.write(static_cast<const char*>(outputs[i]), static_cast<std::streamsize>(job.outputs[i].bytes));
    std::free(outputs[i]);
  }
  std::free(ws);
  return rc;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <job file>\n", argv[0]);
    return 2;
  }
  std::ifstream jobs(argv[1]);
  std::string line;
  Job job;
  while (std::getline(jobs, line)) {
    std::istringstream in(line);
    std::string key;
    in >> key;
    if (key == "model") {
      std::string id;
      in >> id;
      job = Job();
      for (const Model& m : kModels)
        if (id == m.id) job.model = &m;
      if (!job.model) {
        std::fprintf(stderr, "unknown model %s\n", id.c_str());
        return 2;
      }
    } else if (key == "threads") {
      in >> job.threads;
    } else if (key == "repeat") {
      in >> job.repeat;
    } else if (key == "syms") {
      int64_t v;
      while (in >> v) job.syms.push_back(v);
    } else if (key == "param" || key == "input") {
      std::string path;
      in >> path;
      (key == "param" ? job.params : job.inputs).push_back(read_file(path));
    } else if (key == "output") {
      Output o;
      in >> o.path >> o.bytes >> o.rank;
      job.outputs.push_back(o);
    } else if (key == "run") {
      std::printf("run %s\n", job.model->id);
      execute(job);
      std::fflush(stdout);
    }
  }
  return 0;
}

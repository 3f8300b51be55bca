// The Node-API side of a generated package: one `Model` class per environment (main thread or
// worker), driven by the ModelSpec the generated glue defines. Everything a caller passes is
// validated here, by name, before dsc_run sees a pointer.
#pragma once
#include <napi.h>

namespace dsc {

/** Per-environment addon instance: exports `Model`; holds no state shared between environments. */
class ModelAddon : public Napi::Addon<ModelAddon> {
 public:
  ModelAddon(Napi::Env env, Napi::Object exports);
};

}  // namespace dsc

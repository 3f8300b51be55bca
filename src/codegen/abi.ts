// The contract between a target's kernel code and the package around it.
//
// Kernel code generated for a graph (src/codegen/<target>/) implements the C ABI below in one
// translation unit; the package emitter (src/codegen/package/) writes everything else — the addon
// glue that validates weights and inputs by name, binds symbolic dims, allocates outputs and the
// workspace, and the TypeScript bindings — from the ModelManifest alone.
//
//   extern "C" {
//     // shape of output `index` given the values of the symbolic dims (manifest.symbols order)
//     void dsc_output_shape(int index, const int64_t* syms, int64_t* shape_out);
//     // bytes of scratch memory one run needs (the memory plan's arena), given the symbols
//     size_t dsc_workspace_bytes(const int64_t* syms);
//     // run the model; pointers follow manifest order; returns 0, or a nonzero code on failure
//     int dsc_run(const void* const* params, const void* const* inputs, void* const* outputs,
//                 const int64_t* syms, void* workspace, int num_threads);
//   }
//
// Buffers are dense row-major in the dtype's storage layout (f16/bf16 as 16-bit patterns, bool as
// one byte 0/1). Kernels never read outside the buffers the shapes describe: all validation
// happens in the glue before dsc_run is called.
import { DType } from '../ir/dtype.js';
import { Graph, Value } from '../ir/graph.js';
import { dimSymbols, dimToString } from '../ir/dim.js';
import { diag } from '../diag/diagnostic.js';

export interface ManifestTensor {
  name: string;
  dtype: DType;
  /** dims as text: numbers, or symbolic expressions over manifest.symbols (dimToString form) */
  shape: string[];
}

export interface ManifestSymbol {
  name: string;
  /** where the glue reads its value: the first graph input (by index) and axis that is exactly this symbol */
  from: { input: number; axis: number };
}

export interface ModelManifest {
  /** the model's name (graph name), used for the package and class names */
  name: string;
  inputs: ManifestTensor[];
  outputs: ManifestTensor[];
  params: ManifestTensor[];
  symbols: ManifestSymbol[];
  /**
   * Weight names the model declares but the package does not read (parameters the passes folded
   * away, BatchNorm's num_batches_tracked): a PyTorch state_dict carries them, so loading accepts
   * and skips them. Any other name that is not a parameter is still refused.
   */
  ignoredParams?: string[];
}

/**
 * The manifest of a graph; every symbolic dim must appear alone as some input axis so the glue can
 * bind it. `declared` lists the parameter names of the model as written (before the passes), so the
 * ones the optimized graph no longer reads become ignoredParams.
 */
export function manifestOf(graph: Graph, declared: readonly string[] = []): ModelManifest {
  const tensor = (v: Value): ManifestTensor => ({ name: v.name, dtype: v.type.dtype, shape: v.type.shape.map(dimToString) });
  const symbols: ManifestSymbol[] = [];
  const seen = new Set<string>();
  graph.inputs.forEach((v, i) =>
    v.type.shape.forEach((d, axis) => {
      if (typeof d === 'number') return;
      const names = dimSymbols(d);
      const text = dimToString(d);
      if (names.size === 1 && names.has(text) && !seen.has(text)) {
        seen.add(text);
        symbols.push({ name: text, from: { input: i, axis } });
      }
    }),
  );
  const all = new Set<string>();
  for (const v of [...graph.inputs, ...graph.outputs, ...graph.params]) for (const d of v.type.shape) dimSymbols(d, all);
  for (const n of graph.nodes) for (const o of n.outputs) for (const d of o.type.shape) dimSymbols(d, all);
  const unbound = [...all].filter((s) => !seen.has(s)).sort();
  if (unbound.length)
    throw diag('DSC6001', `${graph.name}: symbolic dim${unbound.length > 1 ? 's' : ''} ${unbound.join(', ')} cannot be bound from the inputs; each symbol must be a whole axis of some input`);
  const read = new Set(graph.params.map((p) => p.name));
  const ignoredParams = [...new Set(declared)].filter((n) => !read.has(n)).sort();
  return { name: graph.name, inputs: graph.inputs.map(tensor), outputs: graph.outputs.map(tensor), params: graph.params.map(tensor), symbols, ignoredParams };
}

// What a target is: one record, looked up by name (registry.ts), that says everything the driver,
// the CLI, `dsc report` and the docs need to know about it — which graphs it accepts, the graph
// pipeline and lowering options its kernels want, its limits as data, how it generates code, emits
// and builds a package, what runtime sources its packages use, and how `dsc run` runs it.
import { Graph } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { FusionLimits, OptLevel } from '../../passes/registry.js';
import { ElementBytes } from '../../analysis/plan-memory.js';
import { ModelManifest } from '../abi.js';
import type { WgslProgram } from '../wgsl/generate.js';

/** Hardware limits of a target's kernels, as data (the passes and the lowering read them from here). */
export interface TargetLimits {
  /** most distinct buffers one kernel may bind; 0 is no limit */
  maxBuffersPerKernel: number;
  /** byte alignment of every workspace buffer's offset */
  alignmentBytes: number;
  /** f32 lanes of the widest vector the kernels use */
  vectorWidth: number;
  /** fast memory one program may allocate (workgroup / shared memory); 0 where there is none to manage */
  sharedMemoryBytes: number;
}

/** Options the user gives per compile that a target may take (`--precision`). */
export interface TargetOptions {
  /** storage precision of f32 tensors; one of the target's `precisions` (default: the first) */
  precision?: string;
}

/** How the target's kernels are lowered and planned: the lowering's options, and the workspace plan's. */
export interface TargetLowering {
  /** GEMM/conv kernels apply an elementwise tail before storing (lower/fusion.ts) */
  epilogues: boolean;
  /** bytes per element in the target's buffers at a precision */
  elementBytes(precision: string): ElementBytes;
  /** kernels may write an output over a dying input of the same size (the generators do not: their parameters are restrict) */
  inPlace: boolean;
}

/** What a target's code generator produced: kernel sources by path (digested for the cache), or WGSL shaders and plan. */
export interface TargetCode {
  kernelFiles: Map<string, string>;
  wgsl?: WgslProgram;
}

/** What `dsc run` gives a target: the graph with its weights, and the stage callbacks. */
export interface TargetRunContext extends TargetOptions {
  level: OptLevel;
  /** the model's file, named in diagnostics */
  source: string;
  onStage?: (stage: string, state: 'start' | 'done', ms: number) => void;
  /** one line of progress to print (a reused or built package) */
  log?: (line: string) => void;
}

export interface TargetRunResult {
  outputs: Map<string, Tensor>;
  /** the model's run alone, without load or build */
  ms: number;
}

export interface TargetDef {
  /** the name `--target` takes */
  name: string;
  /** one line for `dsc help` and the docs */
  summary: string;
  limits: TargetLimits;
  /** accepted `--precision` values, the default first */
  precisions: readonly string[];
  lowering: TargetLowering;
  /** the graph passes `-O<level>` runs for this target */
  pipeline(level: OptLevel): string[];
  /** legality: throws a DSC6002 diagnostic listing every node, value and dtype the target cannot compile */
  check(graph: Graph): void;
  /** kernels (or shaders) for an optimized graph */
  generate(graph: Graph, opts: TargetOptions): TargetCode;
  /** write the package's files (not the weights) into outDir */
  emit(args: { manifest: ModelManifest; code: TargetCode; outDir: string; packageName?: string }): void;
  /** the package has native code that `compile` builds and the cache keeps */
  nativeBuild: boolean;
  /** directories under the dsc root whose files the package uses; their digest keys the build cache */
  runtimeDirs: readonly string[];
  /** `dsc run --target NAME`: compile (or reuse) and run the graph, which carries every weight */
  run(graph: Graph, inputs: ReadonlyMap<string, Tensor>, ctx: TargetRunContext): Promise<TargetRunResult>;
  /** `dsc profile`: compile (or reuse) the package and load it with per-kernel timers; absent where the target has none */
  profile?(graph: Graph, opts: TargetProfileOptions): Promise<ProfiledPackage>;
  /** the kernels run on this machine's CPU, so its measured peak bounds them */
  hostKernels: boolean;
}

/** One kernel call's time in a profiled run. */
export interface KernelTiming { kernel: string; ms: number }

/** What `dsc profile` asks of a target: its compiled package with the weights and inputs given. */
export interface TargetProfileOptions {
  inputs: ReadonlyMap<string, Tensor>;
  /** weights given at load, as a user's state_dict; by default the ones the graph carries */
  weights?: ReadonlyMap<string, Tensor>;
  /** host threads a run may use, where the target runs on the host */
  threads?: number;
  level?: OptLevel;
  onStage?: (stage: string, state: 'start' | 'done', ms: number) => void;
}

/** A loaded package that times its kernels. */
export interface ProfiledPackage {
  manifest: ModelManifest;
  /** IR value names per kernel call name, to match calls with the report's kernels */
  sources: Map<string, string[]>;
  /** one run with the timers on: per call, in order */
  profiledRun(): Promise<KernelTiming[]>;
  /** one run with the timers off, in ms around the call */
  plainRun(): Promise<number>;
  /** how the times are taken, in words */
  timing: string;
  dispose(): void;
}

/** The IR value names each kernel's source comments start with: `// %value = op(...)` lines before its function or in its shader. */
export function kernelSourceValues(code: string, kernelLine: RegExp): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let pending: string[] = [];
  for (const line of code.split('\n')) {
    const value = /^\/\/ %("(?:[^"\\]|\\.)*"|[^\s,=]+)/.exec(line);
    if (value) {
      pending.push(value[1].startsWith('"') ? (JSON.parse(value[1]) as string) : value[1]);
      continue;
    }
    const kernel = kernelLine.exec(line);
    if (kernel) {
      out.set(kernel[1], pending);
      pending = [];
    }
  }
  return out;
}

/** The fuse options a target's limits and lowering imply. */
export function fusionLimits(limits: TargetLimits, lowering: TargetLowering): FusionLimits {
  return { maxBuffers: limits.maxBuffersPerKernel, epilogues: lowering.epilogues, windows: lowering.epilogues };
}

/** What `dsc report` and `dsc graph` plan memory with, so they describe what the target's package allocates. */
export interface TargetPlanning {
  inPlace: boolean;
  elementBytes: ElementBytes;
  symbolic: boolean;
}

export function targetPlanning(target: TargetDef, precision?: string): TargetPlanning {
  // the lowering places the workspace for every value of the symbols (src/codegen/lower)
  return { inPlace: target.lowering.inPlace, elementBytes: target.lowering.elementBytes(precision ?? target.precisions[0]), symbolic: true };
}

// The wgsl target: WGSL compute shaders and the executor's plan (src/codegen/wgsl) in an npm package
// with the TypeScript WebGPU runtime (src/codegen/wgsl-package, runtime/webgpu); no native code.
import { DType } from '../../../ir/dtype.js';
import { graphPipeline } from '../../../passes/registry.js';
import { checkSupported } from '../../lower/index.js';
import { Precision, checkDtypes, generateWgsl, storesHalf } from '../../wgsl/generate.js';
import { emitWgslPackage } from '../../wgsl-package/emit.js';
import { generatePackage } from '../../compile.js';
import { profileWgsl } from './profile.js';
import { TargetDef, TargetLimits, TargetLowering, fusionLimits } from '../target.js';
import { runWgsl } from './run.js';

const NAME = 'wgsl';

const limits: TargetLimits = {
  // WebGPU's default maxStorageBuffersPerShaderStage
  maxBuffersPerKernel: 8,
  // tensors are placed in 32-bit words of one data buffer; workspace offsets keep the arena's 64
  alignmentBytes: 4,
  vectorWidth: 4,
  // WebGPU's default maxComputeWorkgroupStorageSize
  sharedMemoryBytes: 16384,
};

const lowering: TargetLowering = {
  epilogues: false,
  // every element is a 32-bit word, except f32 tensors stored as f16 (two to a word)
  elementBytes: (precision) => (d: DType) => (storesHalf(precision as Precision, d) ? 2 : 4),
  inPlace: false,
};

export const wgslTarget: TargetDef = {
  name: NAME,
  summary: 'WGSL compute shaders and a TypeScript WebGPU runtime, for browsers and Node',
  limits,
  precisions: ['f32', 'f16'],
  lowering,
  pipeline: (level) => graphPipeline(level, fusionLimits(limits, lowering)),
  check(graph) {
    checkDtypes(graph);
    checkSupported(graph, NAME);
  },
  generate: (graph, opts) => ({ kernelFiles: new Map(), wgsl: generateWgsl(graph, { precision: opts.precision as Precision | undefined }) }),
  emit: ({ manifest, code, outDir, packageName }) => emitWgslPackage({ manifest, plan: code.wgsl!.plan, outDir, packageName }),
  profile: profileWgsl,
  hostKernels: false,
  nativeBuild: false,
  runtimeDirs: ['runtime/webgpu'],
  async run(graph, inputs, ctx) {
    const generated = generatePackage(graph, { target: NAME, level: ctx.level, precision: ctx.precision, onStage: ctx.onStage });
    return runWgsl(generated.manifest, generated.wgsl!, generated.weights, inputs, ctx.source);
  },
};

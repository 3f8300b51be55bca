// The cpu target: C++ kernels with OpenMP and a blocked SGEMM (src/codegen/cpu) in an npm package
// whose node-addon-api addon is built with cmake (src/codegen/package); runtime/cpu is its runtime.
import { writeSafetensors } from '../../../formats/safetensors.js';
import { STORAGE_BYTES } from '../../../analysis/plan-memory.js';
import { ARENA_ALIGN } from '../../../analysis/memory-arena.js';
import { graphPipeline } from '../../../passes/registry.js';
import { generateCpu } from '../../cpu/generate.js';
import { checkSupported } from '../../lower/index.js';
import { emitPackage } from '../../package/index.js';
import { cachedPackage, runPackage } from '../../compile.js';
import { profileCpu } from './profile.js';
import { TargetDef, TargetLimits, TargetLowering, fusionLimits } from '../target.js';

const NAME = 'cpu';

const limits: TargetLimits = {
  maxBuffersPerKernel: 0,
  alignmentBytes: ARENA_ALIGN,
  // AVX-512 where the machine has it (the package picks its path at load)
  vectorWidth: 16,
  sharedMemoryBytes: 0,
};

const lowering: TargetLowering = { epilogues: true, elementBytes: () => STORAGE_BYTES, inPlace: false };

export const cpuTarget: TargetDef = {
  name: NAME,
  summary: 'C++ kernels (OpenMP, AVX-512/AVX2 GEMM) in a node-addon-api addon built with cmake',
  limits,
  precisions: ['f32'],
  lowering,
  pipeline: (level) => graphPipeline(level, fusionLimits(limits, lowering)),
  check: (graph) => checkSupported(graph, NAME),
  generate: (graph) => ({ kernelFiles: generateCpu(graph, { epilogues: lowering.epilogues }).files }),
  emit: ({ manifest, code, outDir, packageName }) => emitPackage({ manifest, kernelFiles: code.kernelFiles, outDir, packageName }),
  profile: profileCpu,
  hostKernels: true,
  nativeBuild: true,
  runtimeDirs: ['runtime/cpu'],
  async run(graph, inputs, ctx) {
    // every weight the model declares, as a user's state_dict has them: the package skips those it does not read
    const weights = writeSafetensors(graph.weights);
    const pkg = await cachedPackage(graph, { target: NAME, level: ctx.level, onStage: ctx.onStage });
    ctx.log?.(`${pkg.reused ? 'reused' : 'built'} ${NAME} package ${pkg.dir}`);
    return runPackage(pkg.dir, pkg.generated.manifest, weights, inputs);
  },
};

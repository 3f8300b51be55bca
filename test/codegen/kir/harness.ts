// Kernel pass tests as kernel IR text: a kernel is wrapped in the smallest program that calls it,
// passes run with the verifier on, and the printed kernel is checked with FileCheck directives.
import { Kernel, KernelProgram, idx } from '../../../src/codegen/kernel-ir.js';
import { parseKernel } from '../../../src/codegen/kir/parse.js';
import { runKernelPasses } from '../../../src/codegen/kir/passes.js';
import { printKernel } from '../../../src/codegen/kir/print.js';
import { filecheck } from '../../passes/filecheck.js';

/** One call of `kernel`: read parameters bound to inputs, write parameters to outputs, scalars to symbols. */
export function programAround(kernel: Kernel): KernelProgram {
  const reads = kernel.params.filter((p) => p.access === 'read');
  const writes = kernel.params.filter((p) => p.access === 'write');
  const tensor = (p: { name: string; dtype: Kernel['params'][number]['dtype'] }) => ({ name: p.name, dtype: p.dtype, shape: ['1'] });
  return {
    name: kernel.name,
    manifest: {
      name: kernel.name, inputs: reads.map(tensor), outputs: writes.map(tensor), params: [],
      symbols: kernel.scalars.map((s, axis) => ({ name: s, from: { input: 0, axis } })),
    },
    symbols: kernel.scalars,
    buffers: kernel.params.map((p) => ({
      name: `b_${p.name}`, value: p.name, dtype: p.dtype, size: idx(1),
      storage: { k: p.access === 'read' ? 'input' as const : 'output' as const, index: (p.access === 'read' ? reads : writes).indexOf(p) },
    })),
    kernels: [kernel],
    calls: [{ kernel: kernel.name, args: kernel.params.map((p) => `b_${p.name}`), scalars: kernel.scalars }],
    workspaceBytes: idx(0),
    outputShapes: writes.map(() => [idx(1)]),
  };
}

/** Run `passes` over the kernel text (verifying before and after each) and check the printed kernel. */
export function checkKernelPasses(text: string, passes: string, checks: string): Kernel {
  const program = runKernelPasses(programAround(parseKernel(text)), passes, { verify: true });
  const kernel = program.kernels[0];
  filecheck(printKernel(kernel), checks);
  return kernel;
}

// Symbolic sizes on the WGSL target: a transformer block whose sequence length is the symbol S compiles
// once and runs at several lengths on lavapipe, matching the interpreter; a kernel that would still need
// an array sized by a symbol is refused with DSC6002 at the op's line in the .ds source.
import { describe, expect, it } from 'vitest';
import { WebGpuModel } from '../../runtime/webgpu/executor.js';
import { generatePackage } from '../../src/codegen/compile.js';
import { generateWgsl } from '../../src/codegen/wgsl/generate.js';
import { DiagnosticError } from '../../src/diag/diagnostic.js';
import { compileDs, initWeights } from '../../src/frontend/ds/compile.js';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { compareTensors } from '../conformance/compare.js';
import { randomTensor } from '../codegen/harness.js';
import { lavapipeGpu, toTensor, validateShader } from './harness.js';

const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };

const BLOCK = `import { Linear, LayerNorm } from "std/nn"

block SelfAttention(d: int, heads: int) {
  qkv = Linear(d, 3 * d)
  proj = Linear(d, d)
  head_dim = d / heads

  forward(x: f32[N, S, d]) -> f32[N, S, d] {
    let h = transpose(reshape(qkv(x), shape: [N, S, 3, heads, head_dim]), perm: [2, 0, 3, 1, 4])
    let q = squeeze(slice(h, starts: [0], ends: [1], axes: [0]), axes: [0])
    let k = squeeze(slice(h, starts: [1], ends: [2], axes: [0]), axes: [0])
    let v = squeeze(slice(h, starts: [2], ends: [3], axes: [0]), axes: [0])
    let context = scaled_dot_product_attention(q, k, v, is_causal: true)
    return proj(reshape(transpose(context, perm: [0, 2, 1, 3]), shape: [N, S, d]))
  }
}

model Block {
  ln1 = LayerNorm(32)
  attention = SelfAttention(32, 4)
  ln2 = LayerNorm(32)
  fc1 = Linear(32, 64)
  fc2 = Linear(64, 32)

  forward(x: f32[N, S, 32]) -> f32[N, S, 32] {
    let h = x + attention(ln1(x))
    return h + fc2(gelu(fc1(ln2(h))))
  }
}
`;

function compile(source: string): Graph {
  const r = compileDs(source, '/virtual/block.ds');
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.graph!;
}

describe('wgsl target: a transformer block with a symbolic sequence length', () => {
  const graph = compile(BLOCK);
  graph.weights = initWeights(graph, 3);
  // as `dsc compile --target wgsl` optimizes and generates it
  const program = generatePackage(graph, { target: 'wgsl' }).wgsl!;

  it('compiles to shaders that validate, the attention shader reading S at run time', async () => {
    for (const s of program.shaders) expect(await validateShader(s)).toBe('');
    const attention = program.shaders.filter((s) => s.name.includes('attention'));
    expect(attention).toHaveLength(1);
    expect(attention[0].code).toMatch(/let s_S: i32 = syms\[/);
  });

  const gpu = lavapipeGpu();
  it.skipIf(!gpu)('matches the interpreter on lavapipe at S = 3 and S = 37 (batch 2), from one plan', async () => {
    const model = await WebGpuModel.load(gpu!, program.plan, graph.weights);
    try {
      for (const S of [3, 37]) {
        const inputs = new Map([['x', randomTensor('f32', [2, S, 32], 40 + S)]]);
        const want = runGraph(graph, inputs).get(graph.outputs[0].name)!;
        const got = toTensor((await model.run(inputs)).get(graph.outputs[0].name)!);
        expect(got.shape).toEqual([2, S, 32]);
        const cmp = compareTensors(got, want, () => TOLERANCE);
        expect(cmp.ok, `S = ${S}: ${cmp.reason}`).toBe(true);
      }
    } finally {
      model.destroy();
    }
  }, 300_000);
});

describe('wgsl target: arrays sized by a symbol', () => {
  it('refuses attention with a symbolic value width by DSC6002 at the op in the source', () => {
    const graph = compile(`model Attend {
  forward(q: f32[S, 8], k: f32[S, 8], v: f32[S, D]) -> f32[S, D] {
    return scaled_dot_product_attention(q, k, v)
  }
}
`);
    let error: unknown;
    try {
      generateWgsl(graph);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiagnosticError);
    const [d] = (error as DiagnosticError).diagnostics;
    expect(d.code).toBe('DSC6002');
    expect(d.message).toMatch(/static size for the per-invocation array/);
    expect(d.loc).toEqual({ file: '/virtual/block.ds', line: 3, col: expect.any(Number) });
  });
});

// Op traits drive the passes: every op registered as elementwise fuses into chains, can be read and
// stored through views, and writes in place; an op registered here with nothing but the trait is
// treated alike, so the passes read the trait and not a list of names.
import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../src/ir/parser.js';
import { printGraph } from '../../src/ir/printer.js';
import { allOps, defineOp, opTraits } from '../../src/ir/registry.js';
import { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { runPasses } from '../../src/passes/registry.js';
import { planMemory } from '../../src/analysis/plan-memory.js';
import { readsThroughView, storesThroughView } from '../../src/analysis/views.js';
import '../../src/ir/ops/index.js';

// a unary op no pass has ever heard of, declared elementwise
defineOp({
  name: 'test_twice',
  summary: '2x (registered by this test only)',
  traits: { elementwise: true },
  inputs: ['x'],
  outputs: 1,
  attrs: {},
  infer: ({ inputs }) => [inputs[0]!],
  eval: ({ inputs }) => [new Tensor('f32', inputs[0]!.shape, Float32Array.from(inputs[0]!.data as Float32Array, (v) => 2 * v))],
});

/** exp, then `op` over it (and further inputs of the graph), then neg: a chain of three elementwise ops. */
function chainThrough(op: string, arity: number): Graph {
  const extra = Array.from({ length: arity - 1 }, (_, i) => `%y${i}: f32[4, 8]`);
  const args = ['%a', ...extra.map((e) => e.split(':')[0])].join(', ');
  return parseGraph(`graph @g(%x: f32[4, 8]${extra.map((e) => `, ${e}`).join('')}) -> (f32[4, 8]) {
  %a = exp(%x) : f32[4, 8]
  %b = ${op}(${args}) : f32[4, 8]
  %c = neg(%b) : f32[4, 8]
  return %c
}
`);
}

const elementwise = allOps().filter((d) => d.traits?.elementwise);
const arityOf = (name: string) => {
  const d = allOps().find((o) => o.name === name)!;
  return d.inputs.length - (d.optional?.length ?? 0);
};

describe('op traits', () => {
  it('mark the ops the passes treat as elementwise, the new one included', () => {
    expect(elementwise.map((d) => d.name)).toEqual(expect.arrayContaining(['add', 'relu', 'cast', 'where', 'sum', 'equal', 'test_twice']));
    expect(opTraits('identity').elementwise).toBeFalsy();
    expect(opTraits('reshape')).toMatchObject({ alias: true, reshape: true, movement: true });
    expect(opTraits('matmul').contraction).toBe(true);
  });

  for (const def of elementwise)
    it(`${def.name}: joins a fused chain, reads and stores through views, and writes in place`, () => {
      const arity = arityOf(def.name);
      const fused = runPasses(chainThrough(def.name, arity), ['fuse']);
      expect(new Set(fused.nodes.map((n) => n.group)), printGraph(fused)).toEqual(new Set([0]));

      const node = fused.nodes.find((n) => n.outputs[0].name === 'b')!;
      for (let i = 0; i < arity; i++) expect(readsThroughView(node, i)).toBe(true);
      expect(storesThroughView(node)).toBe(true);

      // unfused, each node is a kernel: the op's result takes the buffer of exp's, which dies there
      const unfused = chainThrough(def.name, arity);
      const plan = planMemory(unfused);
      const b = unfused.nodes.find((n) => n.outputs[0].name === 'b')!.outputs[0];
      expect(plan.inPlace.get(b)?.name).toBe('a');
    });

  it('let sink-transposes move a transpose below the new op', () => {
    const g = parseGraph(`graph @g(%x: f32[2, 3, 4]) -> (f32[3, 2, 4]) {
  %t = transpose(%x) {perm = [1, 0, 2]} : f32[3, 2, 4]
  %y = test_twice(%t) : f32[3, 2, 4]
  return %y
}
`);
    runPasses(g, ['sink-transposes']);
    expect(g.nodes.map((n) => n.op)).toEqual(['test_twice', 'transpose']);
  });
});

// Every pass, alone and in the -O1 pipeline, keeps random graphs valid and computing the same
// outputs (names included) within 1e-5 relative on random inputs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { runGraph } from '../../src/ir/interp.js';
import { printGraph } from '../../src/ir/printer.js';
import { verifyGraph } from '../../src/ir/verify.js';
import { readNumbers } from '../../src/ir/tensor.js';
import { listPasses, runPasses } from '../../src/passes/registry.js';
import { pipelineFor } from '../../src/codegen/targets/registry.js';
import { buildGraph, recipeArb, Recipe } from './random-graph.js';

function checkPreserved(recipe: Recipe, passes: string[]): void {
  const { graph: before, inputs } = buildGraph(recipe);
  const { graph: after } = buildGraph(recipe);
  expect(verifyGraph(before)).toEqual([]);
  runPasses(after, passes, { verify: true });
  expect(verifyGraph(after).map((d) => d.message)).toEqual([]);
  expect(after.outputs.map((v) => v.name)).toEqual(before.outputs.map((v) => v.name));
  const want = runGraph(before, inputs);
  const got = runGraph(after, inputs);
  for (const [name, t] of want) {
    const g = got.get(name)!;
    expect(g.dtype).toBe(t.dtype);
    expect(g.shape).toEqual(t.shape);
    const w = readNumbers(t), h = readNumbers(g);
    for (let i = 0; i < w.length; i++)
      if (!(Math.abs(h[i] - w[i]) <= 1e-5 * Math.max(1, Math.abs(w[i]))))
        throw new Error(`output ${name}[${i}] is ${h[i]}, was ${w[i]}, after ${passes.join(',')}:\n${printGraph(after)}`);
  }
}

describe('pass properties on random graphs', () => {
  for (const pass of listPasses())
    it(`${pass.name} keeps the graph valid and its results unchanged`, () => {
      fc.assert(fc.property(recipeArb, (recipe) => checkPreserved(recipe, [pass.name])), { numRuns: 150 });
    });

  it('the -O1 pipeline keeps the graph valid and its results unchanged', () => {
    fc.assert(fc.property(recipeArb, (recipe) => checkPreserved(recipe, pipelineFor('cpu', 1))), { numRuns: 150 });
  });

  it('the generator exercises every pass: each one changes some graphs', () => {
    const changed = new Set<string>();
    fc.assert(fc.property(recipeArb, (recipe) => {
      for (const pass of listPasses()) {
        const { graph } = buildGraph(recipe);
        const text = printGraph(graph);
        runPasses(graph, [pass.name]);
        if (printGraph(graph) !== text) changed.add(pass.name);
      }
    }), { numRuns: 200 });
    expect([...changed].sort()).toEqual(listPasses().map((p) => p.name).sort());
  });
});

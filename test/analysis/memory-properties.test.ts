// The memory planner on random graphs (test/passes/random-graph.ts), with and without random fusion
// groups and in-place writes: every plan is sound, no smaller than the lower bound, no larger than
// the no-reuse sum, and running the graph through the arena gives the interpreter's outputs.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Graph } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { checkMemoryPlan, planMemory } from '../../src/analysis/plan-memory.js';
import { runThroughArena } from './memory-simulator.js';
import { buildGraph, recipeArb } from '../passes/random-graph.js';

/**
 * Contiguous runs of nodes as fusion groups: a run of a topological order is always convex. A run
 * starts at node i when bit i of `cuts` is set (bits beyond 30 repeat).
 */
function groupInRuns(g: Graph, cuts: number): void {
  let group = 0;
  g.nodes.forEach((n, i) => {
    if (i > 0 && (cuts >>> (i % 31)) & 1) group++;
    n.group = group;
  });
}

describe('memory plans of random graphs', () => {
  for (const fused of [false, true])
    for (const inPlace of [true, false])
      it(`are sound and run correctly through the arena (${fused ? 'random fusion groups' : 'one kernel a node'}, in place ${inPlace ? 'on' : 'off'})`, () => {
        fc.assert(fc.property(recipeArb, fc.nat(2 ** 31 - 1), (recipe, cuts) => {
          const { graph, inputs } = buildGraph(recipe);
          if (fused) groupInRuns(graph, cuts);
          const plan = planMemory(graph, { inPlace });
          expect(checkMemoryPlan(plan)).toEqual([]);
          expect(plan.arenaBytes).toBeGreaterThanOrEqual(plan.lowerBoundBytes);
          expect(plan.arenaBytes).toBeLessThanOrEqual(plan.noReuseBytes);
          if (!inPlace) expect(plan.inPlace.size).toBe(0);
          expect(runThroughArena(graph, plan, inputs)).toEqual(runGraph(graph, inputs));
        }), { numRuns: 150 });
      });

  it('the generator gives the planner work: reuse, in-place writes and fused values all occur', () => {
    const seen = { reuse: 0, inPlace: 0, fused: 0 };
    fc.assert(fc.property(recipeArb, fc.nat(2 ** 31 - 1), (recipe, cuts) => {
      const { graph } = buildGraph(recipe);
      groupInRuns(graph, cuts);
      const plan = planMemory(graph);
      if (plan.arenaBytes < plan.noReuseBytes) seen.reuse++;
      if (plan.inPlace.size > 0) seen.inPlace++;
      if ([...plan.storage.values()].some((s) => s.kind === 'fused')) seen.fused++;
    }), { numRuns: 200 });
    expect(seen.reuse).toBeGreaterThan(10);
    expect(seen.inPlace).toBeGreaterThan(10);
    expect(seen.fused).toBeGreaterThan(10);
  });
});

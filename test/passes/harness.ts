// Pass tests as IR text: parse, run passes with the verifier on, print, and check the text with
// the CHECK comments written in the input itself.
import { Graph } from '../../src/ir/graph.js';
import { parseGraph } from '../../src/ir/parser.js';
import { printGraph } from '../../src/ir/printer.js';
import { Tensor } from '../../src/ir/tensor.js';
import { runPasses } from '../../src/passes/registry.js';
import { filecheck } from './filecheck.js';

export function parseWithWeights(text: string, weights: Record<string, Tensor> = {}): Graph {
  const g = parseGraph(text);
  for (const [k, t] of Object.entries(weights)) g.weights.set(k, t);
  return g;
}

/** Run `passes` on the IR text (verifying after each) and check the result against its CHECK lines. */
export function checkPasses(text: string, passes: string[], weights: Record<string, Tensor> = {}): Graph {
  const g = parseWithWeights(text, weights);
  runPasses(g, passes, { verify: true });
  filecheck(printGraph(g), text);
  return g;
}

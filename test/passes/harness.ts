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

/**
 * IR lines splitting %x: f32[N, 4, 24] (sequence first) into q, k and v of two heads each:
 * %qh, %kh, %vh: f32[2*N, 4, 4], by a transpose, slices, reshapes and transposes.
 */
export const QKV_HEADS = `  %t = transpose(%x) {perm = [1, 0, 2]} : f32[4, N, 24]
  %q = slice(%t) {axes = [-1], ends = [8], starts = [0]} : f32[4, N, 8]
  %k = slice(%t) {axes = [-1], ends = [16], starts = [8]} : f32[4, N, 8]
  %v = slice(%t) {axes = [-1], ends = [24], starts = [16]} : f32[4, N, 8]
  %qr = reshape(%q) {shape = [4, 2*N, 4]} : f32[4, 2*N, 4]
  %kr = reshape(%k) {shape = [4, 2*N, 4]} : f32[4, 2*N, 4]
  %vr = reshape(%v) {shape = [4, 2*N, 4]} : f32[4, 2*N, 4]
  %qh = transpose(%qr) {perm = [1, 0, 2]} : f32[2*N, 4, 4]
  %kh = transpose(%kr) {perm = [1, 0, 2]} : f32[2*N, 4, 4]
  %vh = transpose(%vr) {perm = [1, 0, 2]} : f32[2*N, 4, 4]`;

// A compiled model's parameters: their list, deterministic default initial values (PyTorch's
// defaults), and a check of given weights (e.g. a safetensors state_dict) against them, by path.
import { Diagnostic } from '../../diag/diagnostic.js';
import type { DType } from '../../ir/dtype.js';
import { isFloat } from '../../ir/dtype.js';
import type { Graph } from '../../ir/graph.js';
import { Tensor, sizeOf } from '../../ir/tensor.js';

export interface ParamInfo { path: string; dtype: DType; shape: number[] }

export function paramList(graph: Graph): ParamInfo[] {
  return graph.params.map((p) => ({ path: p.name, dtype: p.type.dtype, shape: p.type.shape.map(Number) }));
}

/** mulberry32: a small PRNG, so the same seed gives the same weights everywhere */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const lastName = (path: string) => path.slice(path.lastIndexOf('.') + 1);
const parentOf = (path: string) => (path.includes('.') ? path.slice(0, path.lastIndexOf('.') + 1) : '');

/**
 * PyTorch-like initial values: weights of rank >= 2 (linear, conv, embedding, attention projections)
 * kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)); a bias beside such a weight
 * the same bound; norm weights and running variances ones; everything else (norm biases, running
 * means, counters) zeros.
 */
export function initWeights(graph: Graph, seed: number): Map<string, Tensor> {
  const random = prng(seed);
  const shapes = new Map(graph.params.map((p) => [p.name, p.type.shape.map(Number)]));
  const out = new Map<string, Tensor>();
  for (const p of graph.params) {
    const shape = p.type.shape.map(Number);
    const name = lastName(p.name);
    const n = sizeOf(shape);
    const values = new Float64Array(n);
    const uniform = (bound: number) => { for (let i = 0; i < n; i++) values[i] = (random() * 2 - 1) * bound; };
    const sibling = [...shapes.entries()].find(([k, s]) => k !== p.name && parentOf(k) === parentOf(p.name) && s.length >= 2 && /weight$/.test(lastName(k)));
    if (!isFloat(p.type.dtype)) values.fill(0);
    else if (shape.length >= 2) uniform(1 / Math.sqrt(Math.max(1, sizeOf(shape.slice(1)))));
    else if (/bias$/.test(name) && sibling) uniform(1 / Math.sqrt(Math.max(1, sizeOf(sibling[1].slice(1)))));
    else if (name === 'running_var' || name === 'weight') values.fill(1);
    out.set(p.name, Tensor.fromNumbers(p.type.dtype, shape, values));
  }
  return out;
}

/** Missing, unexpected and mistyped weights, each named by its path. */
export function checkWeights(graph: Graph, weights: ReadonlyMap<string, Tensor>, file: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const declared = new Set<string>();
  for (const p of graph.params) {
    declared.add(p.name);
    const want = `${p.type.dtype}[${p.type.shape.join(', ')}]`;
    const t = weights.get(p.name);
    if (!t) out.push(new Diagnostic('DSC4005', `weight '${p.name}' (${want}) is missing from ${file}`, { file }));
    else if (t.dtype !== p.type.dtype || t.shape.length !== p.type.shape.length || t.shape.some((d, i) => d !== p.type.shape[i]))
      out.push(new Diagnostic('DSC4006', `weight '${p.name}' is ${t.dtype}[${t.shape.join(', ')}] in ${file}, but the model declares ${want}`, { file }));
  }
  for (const key of weights.keys())
    if (!declared.has(key)) out.push(new Diagnostic('DSC4007', `${file} has weight '${key}', which is not a parameter of ${graph.name}`, { file }));
  return out;
}

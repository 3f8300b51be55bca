import { describe, it, expect } from 'vitest';
import { GraphBuilder } from '../../../src/ir/builder.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { Attrs, tensorType, typeToString } from '../../../src/ir/graph.js';

/** Run one op through the builder (shape rule) and the interpreter (semantics). */
function run(op: string, input: Tensor, attrs: Attrs, outputs: number): Tensor[] {
  const b = new GraphBuilder(op);
  const outs = b.op(op, [b.input('x', tensorType(input.dtype, input.shape))], attrs, { outputs });
  b.output(...outs);
  const res = runGraph(b.graph, { x: input });
  return outs.map((o) => res.get(o.name)!);
}

const list = (t: Tensor) => Array.from(t.numbers());

describe('unique', () => {
  const x = Tensor.fromNumbers('i64', [7], [3, 1, 3, -2, 1, 7, 3]);

  it('sorts the distinct elements and reports first indices, inverse indices and counts', () => {
    const [y, first, inverse, counts] = run('unique', x, {}, 4);
    expect(list(y)).toEqual([-2, 1, 3, 7]);
    expect(list(first)).toEqual([3, 1, 0, 5]);
    expect(list(inverse)).toEqual([2, 1, 2, 0, 1, 3, 2]);
    expect(list(counts)).toEqual([1, 2, 3, 1]);
  });

  it('keeps the order of first occurrence when not sorted', () => {
    const [y, first, inverse, counts] = run('unique', x, { sorted: false }, 4);
    expect(list(y)).toEqual([3, 1, -2, 7]);
    expect(list(first)).toEqual([0, 1, 3, 5]);
    expect(list(inverse)).toEqual([0, 1, 0, 2, 1, 3, 0]);
    expect(list(counts)).toEqual([3, 2, 1, 1]);
  });

  it('compares whole slices along an axis, lexicographically', () => {
    // columns (1, 4), (0, 5), (1, 4), (0, 2)
    const m = Tensor.fromNumbers('f32', [2, 4], [1, 0, 1, 0, 4, 5, 4, 2]);
    const [y, first, inverse, counts] = run('unique', m, { axis: -1 }, 4);
    expect(y.shape).toEqual([2, 3]);
    expect(list(y)).toEqual([0, 0, 1, 2, 5, 4]);
    expect(list(first)).toEqual([3, 1, 0]);
    expect(list(inverse)).toEqual([2, 1, 2, 0]);
    expect(list(counts)).toEqual([1, 1, 2]);
  });

  it('types the distinct count as one run-time dim shared by its outputs', () => {
    const b = new GraphBuilder('shape');
    const outs = b.op('unique', [b.input('x', tensorType('f32', [3, 5]))], { axis: 0 }, { outputs: 4 });
    expect(outs.map((o) => typeToString(o.type))).toEqual(['f32[?, 5]', 'i64[?]', 'i64[3]', 'i64[?]']);
    expect(outs[1].type.shape[0]).toBe(outs[3].type.shape[0]);
  });
});

describe('tf_idf_vectorizer', () => {
  // unigrams 2, 3 and bigrams (2, 3), (3, 4) at output positions 0..3
  const pool = { ngram_counts: [0, 2], ngram_indexes: [0, 1, 2, 3], pool_int64s: [2, 3, 2, 3, 3, 4], max_gram_length: 2 };
  const tokens = Tensor.fromNumbers('i32', [2, 5], [2, 3, 4, 2, 3, 2, 9, 3, 3, 4]);

  it('counts unigrams once and bigrams at every allowed skip', () => {
    const [y] = run('tf_idf_vectorizer', tokens, { ...pool, min_gram_length: 1, max_skip_count: 1, mode: 'TF' }, 1);
    // row 0: 2×2, 2×3, (2,3) adjacent twice, (3,4) adjacent once, (2,4) skip-1 is not pooled, (3,2) neither
    // row 1: one 2, two 3s, (2,3) with one skipped, (3,4) adjacent and with one skipped, (3,3) not pooled
    expect(y.shape).toEqual([2, 4]);
    expect(list(y)).toEqual([2, 2, 2, 1, 1, 2, 1, 2]);
  });

  it('weights the counts in TFIDF mode and marks presence in IDF mode', () => {
    const attrs = { ...pool, min_gram_length: 2, max_skip_count: 0, weights: [1, 1, 0.5, 4] };
    expect(list(run('tf_idf_vectorizer', tokens, { ...attrs, mode: 'TFIDF' }, 1)[0])).toEqual([0, 0, 1, 4, 0, 0, 0, 4]);
    expect(list(run('tf_idf_vectorizer', tokens, { ...attrs, mode: 'IDF' }, 1)[0])).toEqual([0, 0, 0.5, 4, 0, 0, 0, 4]);
  });
});

// Ops that count or deduplicate values, with ONNX semantics: unique (distinct elements or slices, a
// data-dependent count) and tf_idf_vectorizer (n-gram counts of integer token sequences).
import { defineOp, OpError } from '../registry.js';
import { tensorType, typeToString } from '../graph.js';
import { unknownDim, dimProduct } from '../dim.js';
import { Tensor, readInts, readNumbers, sizeOf } from '../tensor.js';
import { expectInputs, normAxis } from './util.js';
import { moveCost, requireIntegerDType } from './shape-common.js';

/** Values to compare by: storage itself, except where storage holds bit patterns (f16, bf16). */
function comparable(t: Tensor): ArrayLike<number | bigint> {
  return t.dtype === 'f16' || t.dtype === 'bf16' ? readNumbers(t) : (t.data as ArrayLike<number | bigint>);
}

defineOp({
  name: 'unique',
  summary:
    'distinct elements (or, with axis, distinct slices along axis), sorted ascending or in order of first occurrence; ' +
    'also i64 indices of first occurrences, inverse_indices (each element\'s position in the result) and counts',
  inputs: ['x'],
  outputs: 4,
  attrs: {
    axis: { kind: 'int', optional: true, doc: 'compare slices along this axis; absent: the flattened elements' },
    sorted: { kind: 'bool', default: true, doc: 'ascending (slices lexicographically), else in order of first occurrence' },
  },
  infer({ inputs, attrs }) {
    const [x] = expectInputs('unique', inputs, 1);
    const distinct = unknownDim();
    if (attrs.axis === undefined) {
      const n = dimProduct(x.shape);
      return [tensorType(x.dtype, [distinct]), tensorType('i64', [distinct]), tensorType('i64', [n]), tensorType('i64', [distinct])];
    }
    const axis = normAxis(attrs.axis as number, x.shape.length, 'unique axis');
    const shape = x.shape.map((d, i) => (i === axis ? distinct : d));
    return [tensorType(x.dtype, shape), tensorType('i64', [distinct]), tensorType('i64', [x.shape[axis]]), tensorType('i64', [distinct])];
  },
  eval({ inputs, attrs }) {
    const xT = inputs[0]!;
    const flat = attrs.axis === undefined;
    const x = flat ? xT.reshape([xT.size]) : xT;
    const axis = flat ? 0 : normAxis(attrs.axis as number, x.rank, 'unique axis');
    const outer = sizeOf(x.shape.slice(0, axis)), n = x.shape[axis], inner = sizeOf(x.shape.slice(axis + 1));
    const v = comparable(x);
    /** slice j against slice k, lexicographically over (outer, inner) */
    const compare = (j: number, k: number): number => {
      for (let o = 0; o < outer; o++)
        for (let i = 0; i < inner; i++) {
          const a = v[(o * n + j) * inner + i], b = v[(o * n + k) * inner + i];
          if (a < b) return -1;
          if (a > b) return 1;
        }
      return 0;
    };
    // sorting the slice numbers (ties by position) puts each group's first occurrence first
    const order = Array.from({ length: n }, (_, j) => j).sort((j, k) => compare(j, k) || j - k);
    const groups: number[][] = [];
    for (const j of order) {
      const last = groups[groups.length - 1];
      if (last && compare(last[0], j) === 0) last.push(j);
      else groups.push([j]);
    }
    if (!(attrs.sorted as boolean)) groups.sort((a, b) => a[0] - b[0]);
    const inverse = new Array<number>(n);
    groups.forEach((g, u) => { for (const j of g) inverse[j] = u; });
    const u = groups.length;
    const y = Tensor.zeros(x.dtype, x.shape.map((d, i) => (i === axis ? u : d)));
    const src = x.data as { [i: number]: number | bigint }, dst = y.data as { [i: number]: number | bigint };
    for (let o = 0; o < outer; o++)
      groups.forEach((g, k) => {
        for (let i = 0; i < inner; i++) dst[(o * u + k) * inner + i] = src[(o * n + g[0]) * inner + i];
      });
    return [
      y,
      Tensor.fromNumbers('i64', [u], groups.map((g) => g[0])),
      Tensor.fromNumbers('i64', [n], inverse),
      Tensor.fromNumbers('i64', [u], groups.map((g) => g.length)),
    ];
  },
  cost: moveCost,
});

const TF_IDF_MODES = ['TF', 'IDF', 'TFIDF'];

/** The pool's n-grams: token sequence (joined as a key) to output position, and every prefix of one. */
interface NgramPool {
  index: Map<string, number>;
  prefixes: Set<string>;
  outputs: number;
}

function ngramPool(attrs: Record<string, unknown>): NgramPool {
  const pool = attrs.pool_int64s as readonly number[];
  const starts = attrs.ngram_counts as readonly number[];
  const indexes = attrs.ngram_indexes as readonly number[];
  const index = new Map<string, number>(), prefixes = new Set<string>();
  let p = 0;
  starts.forEach((start, level) => {
    const size = level + 1;
    const end = level + 1 < starts.length ? starts[level + 1] : pool.length;
    if (start > end || (end - start) % size !== 0 || end > pool.length)
      throw new OpError(`tf_idf_vectorizer ngram_counts [${starts.join(', ')}] do not divide pool_int64s into ${size}-grams`);
    for (let at = start; at < end; at += size, p++) {
      if (p >= indexes.length) throw new OpError(`tf_idf_vectorizer has more n-grams than ngram_indexes (${indexes.length})`);
      const gram = pool.slice(at, at + size);
      index.set(gram.join(','), indexes[p]);
      for (let k = 1; k <= size; k++) prefixes.add(gram.slice(0, k).join(','));
    }
  });
  if (p !== indexes.length) throw new OpError(`tf_idf_vectorizer has ${p} n-grams but ${indexes.length} ngram_indexes`);
  return { index, prefixes, outputs: indexes.length ? Math.max(...indexes) + 1 : 0 };
}

defineOp({
  name: 'tf_idf_vectorizer',
  summary:
    'counts of the pool\'s n-grams (min..max_gram_length tokens, up to max_skip_count tokens skipped between them) in each ' +
    'row of integer tokens, as TF (counts), IDF (weight where present) or TFIDF (count × weight): f32 [rows?, outputs]',
  inputs: ['x'],
  outputs: 1,
  attrs: {
    max_gram_length: { kind: 'int' },
    min_gram_length: { kind: 'int' },
    max_skip_count: { kind: 'int' },
    mode: { kind: 'string', doc: 'TF, IDF or TFIDF' },
    ngram_counts: { kind: 'ints', doc: "start in the pool of each n-gram length's n-grams" },
    ngram_indexes: { kind: 'ints', doc: "each n-gram's output position, in pool order" },
    pool_int64s: { kind: 'ints', doc: 'the n-grams, shortest first' },
    weights: { kind: 'floats', optional: true, doc: 'per n-gram weight for IDF and TFIDF; default 1' },
  },
  infer({ inputs, attrs }) {
    const [x] = expectInputs('tf_idf_vectorizer', inputs, 1);
    requireIntegerDType('tf_idf_vectorizer', 'tokens', x);
    if (x.shape.length !== 1 && x.shape.length !== 2) throw new OpError(`tf_idf_vectorizer needs tokens [C] or [N, C], got ${typeToString(x)}`);
    if (!TF_IDF_MODES.includes(attrs.mode as string)) throw new OpError(`tf_idf_vectorizer mode must be one of ${TF_IDF_MODES.join(', ')}, got '${String(attrs.mode)}'`);
    const min = attrs.min_gram_length as number, max = attrs.max_gram_length as number;
    if (min < 1 || max < min) throw new OpError(`tf_idf_vectorizer needs 1 <= min_gram_length <= max_gram_length, got ${min} and ${max}`);
    const { outputs } = ngramPool(attrs);
    const weights = attrs.weights as readonly number[] | undefined;
    if (weights && weights.length !== (attrs.ngram_indexes as number[]).length)
      throw new OpError(`tf_idf_vectorizer has ${weights.length} weights for ${(attrs.ngram_indexes as number[]).length} n-grams`);
    return [tensorType('f32', x.shape.length === 1 ? [outputs] : [x.shape[0], outputs])];
  },
  eval({ inputs, attrs }) {
    const xT = inputs[0]!;
    const tokens = readInts(xT);
    const [rows, cols] = xT.rank === 1 ? [1, xT.shape[0]] : xT.shape;
    const pool = ngramPool(attrs);
    const min = attrs.min_gram_length as number, max = attrs.max_gram_length as number;
    const maxSkip = attrs.max_skip_count as number;
    const counts = new Float64Array(rows * pool.outputs);
    for (let r = 0; r < rows; r++) {
      const row = tokens.slice(r * cols, (r + 1) * cols);
      // a unigram is one token whatever the skip, so unigrams are counted with the first distance only
      for (let dist = 1; dist <= maxSkip + 1; dist++) {
        const minSize = dist === 1 ? min : Math.max(min, 2);
        if (minSize > max) break;
        for (let s = 0; s < cols; s++) {
          const gram: number[] = [];
          for (let size = 1; size <= max && s + (size - 1) * dist < cols; size++) {
            gram.push(row[s + (size - 1) * dist]);
            const key = gram.join(',');
            if (!pool.prefixes.has(key)) break;
            const out = pool.index.get(key);
            if (size >= minSize && out !== undefined) counts[r * pool.outputs + out]++;
          }
        }
      }
    }
    const mode = attrs.mode as string;
    if (mode !== 'TF') {
      const weightOf = new Float64Array(pool.outputs).fill(1);
      const weights = attrs.weights as readonly number[] | undefined;
      if (weights) (attrs.ngram_indexes as number[]).forEach((o, p) => { weightOf[o] = weights[p]; });
      for (let i = 0; i < counts.length; i++) {
        const w = weightOf[i % pool.outputs];
        counts[i] = mode === 'IDF' ? (counts[i] > 0 ? w : 0) : counts[i] * w;
      }
    }
    return [new Tensor('f32', xT.rank === 1 ? [pool.outputs] : [rows, pool.outputs], new Float32Array(counts))];
  },
});

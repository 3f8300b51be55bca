// The indexing, creation, selection and loss op cases (src/codegen/lower/indexing.ts, the movement ops
// tile and depth/space, src/codegen/lower/losses.ts), shared by the CPU suite (test/codegen/ops-indexing.test.ts)
// and the WGSL suite (test/codegen-wgsl/ops-indexing.test.ts).
import { sym } from '../../src/ir/dim.js';
import { DType } from '../../src/ir/dtype.js';
import { tensorType } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { GraphBuilder } from '../../src/ir/builder.js';
import { NumericCase } from './op-cases-numeric.js';
import { f32, graphOf, typed } from './op-cases.js';

const constant = (b: GraphBuilder, dtype: DType, shape: number[], values: number[]) =>
  b.op1('constant', [], { value: Tensor.fromNumbers(dtype, shape, values) });

export const INDEXING_CASES: NumericCase[] = [
  {
    name: 'trilu',
    graph: graphOf('trilu', (b) => {
      const x = b.input('x', f32(2, 4, 5));
      for (const [upper, k] of [[true, 0], [true, 1], [true, -2], [false, 0], [false, 3], [false, -1]] as const)
        b.output(b.op1('trilu', [x], { upper, k }, { name: `${upper ? 'triu' : 'tril'}_${k < 0 ? `m${-k}` : k}` }));
      b.output(b.op1('trilu', [b.input('xi', typed('i64', 3, 3))], { k: 1 }, { name: 'triu_i64' }));
      b.output(b.op1('trilu', [b.input('flags', typed('bool', 3, 2))], { upper: false }, { name: 'tril_bool' }));
    }),
    ranges: { xi: [-1000, 1000], flags: [0, 2] },
  },
  {
    // LANGUAGE.md's causal mask: scores + triu(full([S, S], -1e9), diagonal: 1), with S a symbol
    name: 'causal_mask',
    graph: graphOf('causal_mask', (b) => {
      const S = sym('S');
      const scores = b.input('scores', tensorType('f32', [2, S, S]));
      const full = b.op1('constant_of_shape', [], { shape: [S, S], value: Tensor.fromNumbers('f32', [1], [-1e9]) });
      b.output(b.op1('add', [scores, b.op1('trilu', [full], { k: 1 })], {}, { name: 'masked' }));
    }),
    syms: { S: 5 },
  },
  {
    name: 'creation',
    graph: graphOf('creation', (b) => {
      const fill = (dtype: DType, shape: number[], v: number, name: string) =>
        b.output(b.op1('constant_of_shape', [], { shape, value: Tensor.fromNumbers(dtype, [1], [v]) }, { name }));
      fill('f32', [3, 4], 1.5, 'full_f32');
      fill('i32', [2, 3], -7, 'full_i32');
      fill('bool', [4], 1, 'full_bool');
      fill('i64', [2, 2], 5, 'full_i64');
      b.output(b.op1('constant_of_shape', [], { shape: [2, 0, 3] }, { name: 'full_empty' }));
      const like = b.input('like', typed('i32', 4, 5));
      b.output(b.op1('eye_like', [like], { k: 1, dtype: 'f32' }, { name: 'eye_f32' }), b.op1('eye_like', [like], { k: -2 }, { name: 'eye_i32' }));
      b.output(b.op1('range', [], { start: 1, limit: 3.3, delta: 0.35 }, { name: 'range_f32' }));
      b.output(b.op1('range', [], { start: 10, limit: -3, delta: -3, dtype: 'i32' }, { name: 'range_i32' }));
      for (const w of ['hann', 'hamming', 'blackman'])
        for (const periodic of [true, false]) b.output(b.op1(`${w}_window`, [], { size: 10, periodic }, { name: `${w}_${periodic ? 'periodic' : 'symmetric'}` }));
    }),
  },
  {
    name: 'arg_and_hardmax',
    graph: graphOf('arg_and_hardmax', (b) => {
      const x = b.input('x', f32(3, 4, 5)), xi = b.input('xi', typed('i32', 3, 4, 5));
      b.output(b.op1('arg_max', [x], {}, { name: 'argmax_default' }), b.op1('arg_min', [x], { axis: -1, keepdims: false }, { name: 'argmin_last_axis' }));
      b.output(b.op1('arg_max', [xi], { axis: 1, select_last_index: true }, { name: 'argmax_ties_last' }));
      b.output(b.op1('arg_max', [xi], { axis: 1 }, { name: 'argmax_ties_first' }));
      b.output(b.op1('arg_min', [xi], { axis: 2, keepdims: false, select_last_index: true }, { name: 'argmin_ties_last' }));
      b.output(b.op1('hardmax', [x], { axis: 1 }, { name: 'hardmax_axis1' }), b.op1('hardmax', [x], {}, { name: 'hardmax_last' }));
    }),
    ranges: { xi: [0, 3] },
  },
  {
    name: 'cum_sum_and_topk',
    graph: graphOf('cum_sum_and_topk', (b) => {
      const x = b.input('x', f32(3, 4));
      b.output(b.op1('cum_sum', [x], { axis: 1 }, { name: 'cumsum' }), b.op1('cum_sum', [x], { axis: 1, exclusive: true }, { name: 'cumsum_exclusive' }));
      b.output(b.op1('cum_sum', [x], { axis: -1, reverse: true }, { name: 'cumsum_reverse' }));
      b.output(b.op1('cum_sum', [x], { axis: 0, reverse: true, exclusive: true }, { name: 'cumsum_reverse_exclusive' }));
      b.output(b.op1('cum_sum', [b.input('xi', typed('i32', 6))], { axis: 0 }, { name: 'cumsum_i32' }));
      const t = b.input('t', f32(3, 7));
      b.output(...b.op('topk', [t], { k: 3 }, { outputs: 2, names: ['top3', 'top3_at'] }));
      b.output(...b.op('topk', [t], { k: 2, axis: 0, largest: false }, { outputs: 2, names: ['bottom2', 'bottom2_at'] }));
      b.output(...b.op('topk', [b.input('ti', typed('i32', 4, 6))], { k: 4 }, { outputs: 2, names: ['top4_ties', 'top4_ties_at'] }));
    }),
    ranges: { xi: [-50, 50], ti: [0, 3] },
  },
  {
    name: 'gather_scatter',
    graph: graphOf('gather_scatter', (b) => {
      const x = b.input('x', f32(3, 4));
      b.output(b.op1('gather_elements', [x, b.input('rows', typed('i64', 2, 4))], { axis: 0 }, { name: 'gather_elements_rows' }));
      b.output(b.op1('gather_elements', [x, b.input('cols', typed('i32', 3, 2))], { axis: 1 }, { name: 'gather_elements_cols' }));
      const rows = b.input('scatter_rows', typed('i64', 4, 4)), updates = b.input('updates', f32(4, 4));
      for (const reduction of ['none', 'add', 'mul', 'max', 'min'])
        b.output(b.op1('scatter_elements', [x, rows, updates], { reduction }, { name: `scatter_elements_${reduction}` }));
      b.output(b.op1('scatter_elements', [x, b.input('narrow_cols', typed('i64', 2, 3)), b.input('narrow_updates', f32(2, 3))], { axis: -1, reduction: 'add' }, { name: 'scatter_elements_narrow' }));
      const cube = b.input('cube', f32(2, 3, 4));
      b.output(b.op1('gather_nd', [cube, constant(b, 'i64', [3, 2], [1, -1, 0, 2, -2, 0])], {}, { name: 'gather_nd_pairs' }));
      b.output(b.op1('gather_nd', [cube, constant(b, 'i64', [2, 1, 1], [2, -3])], { batch_dims: 1 }, { name: 'gather_nd_batched' }));
      const data = b.input('data', f32(4, 3));
      const dup = constant(b, 'i64', [3, 1], [1, 3, 1]);
      const slices = b.input('slices', f32(3, 3));
      for (const reduction of ['add', 'mul']) b.output(b.op1('scatter_nd', [data, dup, slices], { reduction }, { name: `scatter_nd_${reduction}` }));
      b.output(b.op1('scatter_nd', [data, constant(b, 'i64', [2, 2], [2, 0, 0, -1]), b.input('points', f32(2))], {}, { name: 'scatter_nd_points' }));
    }),
    ranges: { rows: [-3, 3], cols: [-4, 4], scatter_rows: [-3, 3], narrow_cols: [-4, 4] },
  },
  {
    name: 'one_hot_and_reverse',
    graph: graphOf('one_hot_and_reverse', (b) => {
      const ids = b.input('ids', typed('i64', 2, 3));
      const values = constant(b, 'f32', [2], [0.5, 3]);
      b.output(b.op1('one_hot', [ids, values], { depth: 4, axis: 1 }, { name: 'one_hot_axis1' }));
      b.output(b.op1('one_hot', [ids, constant(b, 'i32', [2], [0, 1])], { depth: 4 }, { name: 'one_hot_i32' }));
      b.output(b.op1('one_hot', [b.input('fids', f32(3)), values], { depth: 3, axis: 0 }, { name: 'one_hot_float_ids' }));
      b.output(b.op1('reverse_sequence', [b.input('seq', f32(4, 3, 2)), constant(b, 'i64', [3], [4, 1, 2])], {}, { name: 'reverse_time_major' }));
      b.output(b.op1('reverse_sequence', [b.input('seq2', f32(3, 4)), constant(b, 'i32', [3], [0, 4, 2])], { batch_axis: 0, time_axis: 1 }, { name: 'reverse_batch_major' }));
    }),
    ranges: { ids: [-5, 5], fids: [-3.5, 3.5] },
  },
  {
    name: 'tile_and_blocks',
    graph: graphOf('tile_and_blocks', (b) => {
      b.output(b.op1('tile', [b.input('x', f32(2, 3))], { repeats: [2, 3] }, { name: 'tile' }));
      b.output(b.op1('tile', [b.input('xi', typed('i32', 2, 1, 2))], { repeats: [1, 3, 2] }, { name: 'tile_i32' }));
      const deep = b.input('deep', f32(1, 8, 2, 3));
      b.output(b.op1('depth_to_space', [deep], { blocksize: 2 }, { name: 'depth_to_space_dcr' }));
      b.output(b.op1('depth_to_space', [deep], { blocksize: 2, mode: 'CRD' }, { name: 'depth_to_space_crd' }));
      b.output(b.op1('space_to_depth', [b.input('wide', f32(2, 2, 4, 6))], { blocksize: 2 }, { name: 'space_to_depth' }));
    }),
    ranges: { xi: [-100, 100] },
  },
  {
    name: 'pool_indices',
    graph: graphOf('pool_indices', (b) => {
      const x = b.input('x', f32(2, 3, 5, 6));
      b.output(...b.op('max_pool', [x], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 0, 0, 0] }, { outputs: 2, names: ['pooled', 'pooled_at'] }));
      b.output(...b.op('max_pool', [x], { kernel_shape: [3, 2], strides: [1, 2], storage_order: 1 }, { outputs: 2, names: ['column_major', 'column_major_at'] }));
      // an index into the other plane, and one index twice: the later value wins
      const at = constant(b, 'i64', [1, 2, 2, 2], [0, 5, 20, 5, 16, 18, 31, 17]);
      b.output(b.op1('max_unpool', [b.input('values', f32(1, 2, 2, 2)), at], { kernel_shape: [2, 2], strides: [2, 2] }, { name: 'unpooled' }));
      b.output(b.op1('max_unpool', [b.input('values2', f32(1, 2, 2, 2)), at], { kernel_shape: [2, 2], strides: [2, 2], output_shape: [1, 2, 5, 6] }, { name: 'unpooled_larger' }));
      b.output(b.op1('mel_weight_matrix', [], { num_mel_bins: 8, dft_length: 32, sample_rate: 8192, lower_edge_hertz: 0, upper_edge_hertz: 4096 }, { name: 'mel' }));
    }),
  },
  {
    // the i64 indices between max_pool and max_unpool are an intermediate, which WGSL does not store
    name: 'pool_unpool',
    graph: graphOf('pool_unpool', (b) => {
      const x = b.input('x', f32(2, 3, 5, 6));
      b.output(b.op1('max_unpool', b.op('max_pool', [x], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 0, 0, 0] }, { outputs: 2 }), { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 0, 0, 0] }, { name: 'unpooled' }));
      // overlapping windows pick some inputs twice: their values land on the same index
      const overlapping = b.op('max_pool', [x], { kernel_shape: [3, 3], strides: [1, 1] }, { outputs: 2 });
      b.output(b.op1('max_unpool', overlapping, { kernel_shape: [3, 3], output_shape: [2, 3, 6, 7] }, { name: 'unpooled_overlapping' }));
    }),
    only: 'cpu',
  },
  {
    name: 'tf_idf',
    graph: graphOf('tf_idf', (b) => {
      const pool = { ngram_counts: [0, 4], ngram_indexes: [0, 1, 2, 3, 4, 5, 6], pool_int64s: [2, 3, 5, 4, 5, 6, 7, 8, 6, 7] };
      const tokens = b.input('tokens', typed('i32', 2, 6)), row = b.input('row', typed('i32', 12));
      b.output(b.op1('tf_idf_vectorizer', [row], { ...pool, mode: 'TF', min_gram_length: 2, max_gram_length: 2, max_skip_count: 3 }, { name: 'tf_bigrams_skip' }));
      const weights = [0.5, 1, 2, 0.25, 1.5, 3, 0.75];
      b.output(b.op1('tf_idf_vectorizer', [tokens], { ...pool, weights, mode: 'IDF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 2 }, { name: 'idf' }));
      b.output(b.op1('tf_idf_vectorizer', [row], { ...pool, weights, mode: 'TFIDF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 1 }, { name: 'tfidf' }));
    }),
    ranges: { tokens: [2, 9], row: [4, 9] },
  },
  {
    // storage copies serve 16-bit floats as bit patterns
    name: 'copies_f16',
    graph: graphOf('copies_f16', (b) => {
      const h = b.input('h', typed('f16', 3, 2));
      b.output(b.op1('tile', [h], { repeats: [2, 2] }, { name: 'tile_f16' }));
      b.output(b.op1('gather_elements', [h, constant(b, 'i64', [2, 2], [2, 0, -1, 1])], {}, { name: 'gather_elements_f16' }));
      b.output(b.op1('scatter_elements', [h, constant(b, 'i64', [2, 2], [1, 1, 1, 0]), b.input('hu', typed('f16', 2, 2))], {}, { name: 'scatter_elements_f16' }));
      b.output(b.op1('reverse_sequence', [b.input('hb', typed('bf16', 4, 3)), constant(b, 'i64', [3], [2, 4, 0])], {}, { name: 'reverse_bf16' }));
    }),
    only: 'cpu',
  },
  {
    name: 'losses',
    graph: graphOf('losses', (b) => {
      const scores = b.input('scores', f32(3, 5)), target = b.input('target', typed('i64', 3)), weight = b.input('weight', f32(5));
      const spatial = b.input('spatial', f32(2, 4, 3, 2)), labels = b.input('labels', typed('i32', 2, 3, 2)), classWeight = b.input('class_weight', f32(4));
      // each reduction with and without weights, ignore_index in and out of the class range, 1-d and spatial targets
      const nll = 'negative_log_likelihood_loss', sce = 'softmax_cross_entropy_loss';
      b.output(b.op1(nll, [scores, target], { reduction: 'none' }, { name: 'nll_none' }));
      b.output(b.op1(nll, [scores, target, weight], { reduction: 'sum', ignore_index: 2 }, { name: 'nll_sum_weighted_ignore' }));
      b.output(b.op1(nll, [spatial, labels, classWeight], { ignore_index: -1 }, { name: 'nll_mean_spatial' }));
      b.output(...b.op(sce, [scores, target, weight], { reduction: 'none', ignore_index: 2 }, { outputs: 2, names: ['sce_none_weighted_ignore', 'sce_none_log_prob'] }));
      b.output(b.op1(sce, [spatial, labels, classWeight], { reduction: 'sum', ignore_index: -1 }, { name: 'sce_sum_spatial' }));
      b.output(b.op1(sce, [scores, target], {}, { name: 'sce_mean' }));
      b.output(...b.op(sce, [spatial, labels], { ignore_index: -1 }, { outputs: 2, names: ['sce_mean_spatial', 'sce_mean_log_prob'] }));
    }),
    ranges: { target: [0, 5], weight: [0.1, 2], labels: [-1, 4], class_weight: [0.1, 2] },
  },
  {
    // enough output elements that the CPU runs the scatter in parallel: duplicates must not race
    name: 'scatter_parallel',
    graph: graphOf('scatter_parallel', (b) => {
      const x = b.input('x', f32(64, 600)), rows = b.input('rows', typed('i32', 100, 600)), u = b.input('u', f32(100, 600));
      b.output(b.op1('scatter_elements', [x, rows, u], { reduction: 'add' }, { name: 'scatter_add' }));
      b.output(b.op1('scatter_elements', [x, rows, u], {}, { name: 'scatter_last_wins' }));
    }),
    ranges: { rows: [-64, 64] },
  },
];

/** Graphs whose index inputs (or constants) reach outside their dim: the interpreter throws, a compiled run stops with the index code. */
export const OUT_OF_RANGE_CASES: NumericCase[] = [
  {
    name: 'gather_elements_out_of_range',
    graph: graphOf('gather_elements_out_of_range', (b) => {
      b.output(b.op1('gather_elements', [b.input('x', f32(3, 4)), b.input('rows', typed('i64', 2, 4))], {}, { name: 'y' }));
    }),
    ranges: { rows: [3, 5] },
  },
  {
    name: 'scatter_elements_out_of_range',
    graph: graphOf('scatter_elements_out_of_range', (b) => {
      b.output(b.op1('scatter_elements', [b.input('x', f32(3, 4)), b.input('rows', typed('i32', 2, 4)), b.input('u', f32(2, 4))], {}, { name: 'y' }));
    }),
    ranges: { rows: [-5, -3] },
  },
  {
    name: 'max_unpool_out_of_range',
    graph: graphOf('max_unpool_out_of_range', (b) => {
      b.output(b.op1('max_unpool', [b.input('x', f32(1, 1, 2, 2)), b.input('at', typed('i64', 1, 1, 2, 2))], { kernel_shape: [2, 2], strides: [2, 2] }, { name: 'y' }));
    }),
    ranges: { at: [16, 20] },
  },
  {
    name: 'loss_target_out_of_range',
    graph: graphOf('loss_target_out_of_range', (b) => {
      b.output(b.op1('negative_log_likelihood_loss', [b.input('x', f32(3, 4)), b.input('target', typed('i64', 3))], { ignore_index: -1 }, { name: 'y' }));
    }),
    ranges: { target: [4, 6] },
  },
  {
    name: 'gather_nd_out_of_range',
    graph: graphOf('gather_nd_out_of_range', (b) => {
      b.output(b.op1('gather_nd', [b.input('x', f32(3, 4)), constant(b, 'i64', [2, 2], [0, 1, 2, 4])], {}, { name: 'y' }));
    }),
  },
  {
    name: 'scatter_nd_out_of_range',
    graph: graphOf('scatter_nd_out_of_range', (b) => {
      b.output(b.op1('scatter_nd', [b.input('x', f32(3, 4)), constant(b, 'i64', [1, 1], [-4]), b.input('u', f32(1, 4))], {}, { name: 'y' }));
    }),
  },
  {
    name: 'reverse_sequence_out_of_range',
    graph: graphOf('reverse_sequence_out_of_range', (b) => {
      b.output(b.op1('reverse_sequence', [b.input('x', f32(4, 2)), constant(b, 'i64', [2], [1, 5])], {}, { name: 'y' }));
    }),
  },
];

// Data movement as views. A static movement op (transpose, slice, expand, the reshape family) only
// says where each element of its result lives in its input: an index map. When the `fuse` pass puts
// a chain of them into the group of the kernel that reads their result, that kernel reads the
// chain's stored source through the composed map (a load view) and the chain launches nothing; a
// transpose put into the group of the kernel that computes its input is a store view: that kernel
// stores each element where the transpose would have moved it. The decision is the group
// membership, visible in the IR (`group(n)`), and the memory planner, `dsc report` and the code
// generators all read it from there through groupViews.
import { isUnknown } from '../ir/dim.js';
import { Node } from '../ir/graph.js';
import { ELEMENTWISE_OPS } from './memory-kernels.js';

/** The reshape family: the result is the input's elements in the same order under another shape. */
export const RESHAPE_OPS: ReadonlySet<string> = new Set(['reshape', 'flatten', 'squeeze', 'unsqueeze']);

/** Movement ops whose index map a kernel can compose into its loads. */
const MOVEMENT_OPS: ReadonlySet<string> = new Set(['transpose', 'slice', 'expand', ...RESHAPE_OPS]);

/** The reduce_<kind> ops, whose kernels (src/codegen/lower) read their input by coordinates. */
export const REDUCE_KINDS = ['sum', 'mean', 'max', 'min', 'prod', 'l1', 'l2', 'log_sum', 'log_sum_exp', 'sum_square'] as const;

/**
 * Ops whose kernels index these inputs by element coordinates with ordinary loads (code generators:
 * src/codegen/lower), so they can read them through a view; elementwise ops read every input so.
 */
const VIEW_INPUTS: Readonly<Record<string, readonly number[]>> = {
  scaled_dot_product_attention: [0, 1, 2, 3],
  layer_normalization: [0],
  rms_normalization: [0],
  softmax: [0],
  log_softmax: [0],
  ...Object.fromEntries(REDUCE_KINDS.map((k) => [`reduce_${k}`, [0]])),
};

/** Ops besides the elementwise ones whose kernels store their output by element coordinates, so they can store through a transpose. */
const STORE_VIEW_OPS: ReadonlySet<string> = new Set(['scaled_dot_product_attention', 'layer_normalization', 'rms_normalization', 'softmax', 'log_softmax']);

/** A movement op that can be a view: one data input, one output, every dim known at compile time. */
export function isMovementView(node: Node): boolean {
  return MOVEMENT_OPS.has(node.op) && node.outputs.length === 1 && node.inputs.length === 1 && node.inputs[0] !== null
    && ![node.inputs[0], node.outputs[0]].some((v) => v.type.shape.some(isUnknown));
}

/** Whether the kernel of `node` can read its input `index` through a view. */
export function readsThroughView(node: Node, index: number): boolean {
  if (ELEMENTWISE_OPS.has(node.op)) return true;
  return VIEW_INPUTS[node.op]?.includes(index) ?? false;
}

/** Whether the kernel of `node` can store its result through a transpose. */
export function storesThroughView(node: Node): boolean {
  return (STORE_VIEW_OPS.has(node.op) || ELEMENTWISE_OPS.has(node.op)) && node.outputs.length === 1;
}

/** The roles of the nodes of one fusion group. */
export interface GroupViews {
  /** the nodes the kernel computes */
  compute: Node[];
  /** movement nodes the kernel reads through */
  loads: Node[];
  /** a transpose of the group's result that the kernel stores through */
  store: Node | undefined;
}

/**
 * The views of a group: in a group that computes something, every movement node is a view — a
 * store view when it reads the result of a node of the group, a load view otherwise. A group of
 * movement nodes alone has no views (each is a copy kernel, or a storage alias for the reshape family).
 */
export function groupViews(nodes: readonly Node[]): GroupViews {
  const compute = nodes.filter((n) => !isMovementView(n) && n.op !== 'constant');
  if (compute.length === 0 || compute.length === nodes.length) return { compute: [...nodes], loads: [], store: undefined };
  const computed = new Set(compute.flatMap((n) => n.outputs));
  const movement = nodes.filter((n) => isMovementView(n));
  const store = movement.find((n) => computed.has(n.inputs[0]!));
  return { compute, loads: movement.filter((n) => n !== store), store };
}

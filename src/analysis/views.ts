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
import { opTraits } from '../ir/registry.js';

/** The reduce_<kind> ops (src/codegen/lower lowers each kind). */
export const REDUCE_KINDS = ['sum', 'mean', 'max', 'min', 'prod', 'l1', 'l2', 'log_sum', 'log_sum_exp', 'sum_square'] as const;

/** A movement op that can be a view: one data input, one output, every dim known at compile time. */
export function isMovementView(node: Node): boolean {
  return !!opTraits(node.op).movement && node.outputs.length === 1 && node.inputs.length === 1 && node.inputs[0] !== null
    && ![node.inputs[0], node.outputs[0]].some((v) => v.type.shape.some(isUnknown));
}

/** Whether the kernel of `node` can read its input `index` through a view. */
export function readsThroughView(node: Node, index: number): boolean {
  const traits = opTraits(node.op);
  return !!traits.elementwise || (traits.viewInputs?.includes(index) ?? false);
}

/** Whether the kernel of `node` can store its result through a transpose. */
export function storesThroughView(node: Node): boolean {
  const traits = opTraits(node.op);
  return !!(traits.storeView || traits.elementwise) && node.outputs.length === 1;
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

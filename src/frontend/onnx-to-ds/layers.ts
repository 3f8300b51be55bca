// Recognising std/nn layers: a group of parameters (`X.weight`, `X.bias`, ...) is the layer `X` when
// every use of it is the op that layer lowers to, with the layer's operand layout and attributes
// it can express. Then forward calls `X(h)` and the member is written `X = Conv2d(...)`.
import { Node, Value } from '../../ir/graph.js';
import { getOp, withDefaults } from '../../ir/registry.js';
import { Tensor } from '../../ir/tensor.js';
import { floatLiteral } from './ds-syntax.js';

export interface LayerMatch {
  /** the std/nn block, e.g. `Conv2d` */
  ctor: string;
  /** its constructor arguments as .ds text */
  args: string;
  /** the nodes that are calls of this layer, with the index of each one's data input */
  calls: Map<Node, number>;
  /** parameters the std/nn layer declares that the graph does not use, with the data they load */
  unused: Map<string, Tensor>;
}

interface LayerPattern {
  ctor: string;
  op: string;
  /** input index of each parameter role; roles not listed as required may be absent */
  roles: Record<string, number>;
  required: readonly string[];
  dataInput: number;
  /** parameters of the std/nn block that no op reads (PyTorch bookkeeping) */
  unused?: Record<string, () => Tensor>;
  /** constructor arguments, or undefined when the layer cannot express this node */
  args(node: Node, params: Map<string, Value>, attrs: Record<string, unknown>): string | undefined;
}

const DEFAULT_EPS = Math.fround(1e-5);

function epsArg(eps: number): string {
  return eps === DEFAULT_EPS || eps === 1e-5 ? '' : `, eps: ${floatLiteral(eps)}`;
}

function staticDim(v: Value, axis: number): number | undefined {
  const d = v.type.shape[axis];
  return typeof d === 'number' ? d : undefined;
}

const allEqual = (xs: readonly number[] | undefined, n: number): number | undefined =>
  xs === undefined ? undefined : xs.length === n && xs.every((x) => x === xs[0]) ? xs[0] : Number.NaN;

const PATTERNS: LayerPattern[] = [
  {
    ctor: 'Conv2d', op: 'conv', roles: { weight: 1, bias: 2 }, required: ['weight'], dataInput: 0,
    args(node, params, attrs) {
      const w = params.get('weight')!;
      if (w.type.shape.length !== 4 || node.inputs[0]!.type.shape.length !== 4 || attrs.auto_pad !== 'NOTSET') return undefined;
      const [cout, cinPerGroup, kh, kw] = [0, 1, 2, 3].map((a) => staticDim(w, a));
      if (cout === undefined || cinPerGroup === undefined || kh === undefined || kh !== kw) return undefined;
      const ks = attrs.kernel_shape as number[] | undefined;
      if (ks && (ks[0] !== kh || ks[1] !== kw)) return undefined;
      const stride = allEqual(attrs.strides as number[] | undefined, 2) ?? 1;
      const padding = allEqual(attrs.pads as number[] | undefined, 4) ?? 0;
      const dilation = allEqual(attrs.dilations as number[] | undefined, 2) ?? 1;
      if ([stride, padding, dilation].some(Number.isNaN)) return undefined;
      const groups = attrs.group as number;
      const named = [
        stride !== 1 ? `stride: ${stride}` : '', padding !== 0 ? `padding: ${padding}` : '', dilation !== 1 ? `dilation: ${dilation}` : '',
        groups !== 1 ? `groups: ${groups}` : '', params.has('bias') ? '' : 'bias: false',
      ].filter((s) => s !== '');
      return [String(cinPerGroup * groups), String(cout), String(kh), ...named].join(', ');
    },
  },
  {
    ctor: 'Linear', op: 'gemm', roles: { weight: 1, bias: 2 }, required: ['weight'], dataInput: 0,
    args(_node, params, attrs) {
      if (attrs.trans_a !== false || attrs.trans_b !== true || attrs.alpha !== 1 || attrs.beta !== 1) return undefined;
      const w = params.get('weight')!;
      const [dout, din] = [staticDim(w, 0), staticDim(w, 1)];
      const b = params.get('bias');
      if (dout === undefined || din === undefined || (b && b.type.shape.length !== 1)) return undefined;
      return `${din}, ${dout}${b ? '' : ', bias: false'}`;
    },
  },
  {
    ctor: 'BatchNorm2d', op: 'batch_normalization', roles: { weight: 1, bias: 2, running_mean: 3, running_var: 4 },
    required: ['weight', 'bias', 'running_mean', 'running_var'], dataInput: 0,
    unused: { num_batches_tracked: () => Tensor.scalar('i64', 0) },
    args(node, params, attrs) {
      const c = staticDim(params.get('weight')!, 0);
      if (c === undefined || node.inputs[0]!.type.shape.length !== 4) return undefined;
      return `${c}${epsArg(attrs.epsilon as number)}`;
    },
  },
  {
    ctor: 'LayerNorm', op: 'layer_normalization', roles: { weight: 1, bias: 2 }, required: ['weight', 'bias'], dataInput: 0,
    args(node, params, attrs) {
      const w = params.get('weight')!;
      const rank = node.inputs[0]!.type.shape.length;
      const d = staticDim(w, 0);
      if (w.type.shape.length !== 1 || d === undefined || !(attrs.axis === -1 || attrs.axis === rank - 1)) return undefined;
      return `${d}${epsArg(attrs.epsilon as number)}`;
    },
  },
  {
    ctor: 'Embedding', op: 'gather', roles: { weight: 0 }, required: ['weight'], dataInput: 1,
    args(node, params, attrs) {
      const w = params.get('weight')!;
      const [n, d] = [staticDim(w, 0), staticDim(w, 1)];
      if (w.type.shape.length !== 2 || n === undefined || d === undefined || attrs.axis !== 0 || node.inputs[1]!.type.dtype !== 'i64') return undefined;
      return `${n}, ${d}`;
    },
  },
];

/** The layer that the parameters `leaves` (by member name) are, judged by every node using them. */
export function recognizeLayer(leaves: Map<string, Value> | undefined, users: Map<Value, Node[]>): LayerMatch | undefined {
  if (!leaves || !leaves.has('weight')) return undefined;
  for (const pattern of PATTERNS) {
    if ([...leaves.keys()].some((k) => !(k in pattern.roles)) || pattern.required.some((k) => !leaves.has(k))) continue;
    const nodes = users.get(leaves.get('weight')!) ?? [];
    if (nodes.length === 0) continue;
    let args: string | undefined;
    const calls = new Map<Node, number>();
    const fits = nodes.every((node) => {
      if (node.op !== pattern.op) return false;
      // each parameter sits exactly at its role's input, and nowhere else
      for (const [role, index] of Object.entries(pattern.roles)) {
        const p = leaves.get(role);
        if (p ? node.inputs[index] !== p || node.inputs.filter((i) => i === p).length !== 1 : (node.inputs[index] ?? null) !== null) return false;
      }
      const data = node.inputs[pattern.dataInput];
      if (!data || [...leaves.values()].includes(data)) return false;
      const a = pattern.args(node, leaves, withDefaults(getOp(node.op)!, node.attrs));
      if (a === undefined || (args !== undefined && a !== args)) return false;
      args = a;
      calls.set(node, pattern.dataInput);
      return true;
    });
    // every use of every parameter must be one of these calls
    if (fits && [...leaves.values()].every((p) => (users.get(p) ?? []).every((n) => calls.has(n))) && args !== undefined)
      return { ctor: pattern.ctor, args, calls, unused: new Map(Object.entries(pattern.unused ?? {}).map(([k, make]) => [k, make()])) };
  }
  return undefined;
}

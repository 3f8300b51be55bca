// Index maps of the views the `fuse` pass chose (src/analysis/views.ts). A load view maps an element's
// coordinates in the kernel's operand back, movement node by movement node, to coordinates in the
// stored source, and then to its flat index there; a store view maps the coordinates of a result to
// its flat index in the transposed buffer. Maps are built from coordinates, not flat indices, so a
// transpose or slice costs an add or a multiply per dim, and a reshape divides only where its dims
// do not line up.
import { Dim, dimEq, dimFloorDiv, dimMul, dimProduct, dimSymbols, evalDim, isStatic } from '../../ir/dim.js';
import { Node, Value } from '../../ir/graph.js';
import { normAxis } from '../../ir/ops/util.js';
import { permOf } from '../../passes/simplify-reshapes.js';
import { Expr, add, div, idx, mul, rem } from '../kernel-ir.js';
import { IndexMap } from './context.js';
import { broadcastCoords, dimExpr, linearIndex, stridesExpr, unflatten } from './dims.js';
import { sliceStart } from './movement.js';

/**
 * The map of value `v` read through the load views `links` of a kernel: the chain of links above
 * `v` ends at `source`, a value in memory, and `map` gives the flat index in it of each element of `v`.
 */
export function loadView(v: Value, links: ReadonlySet<Node>): { source: Value; map: IndexMap } {
  const chain: Node[] = [];
  let source = v;
  while (source.producer && links.has(source.producer)) {
    chain.push(source.producer);
    source = source.producer.inputs[0]!;
  }
  const strides = stridesExpr(source.type.shape);
  return { source, map: (coords) => linearIndex(chain.reduce<readonly Expr[]>((c, n) => inputCoords(n, c), coords), strides) };
}

/** Where the input of transpose `t` stores the element at `coords` when t's result is the buffer. */
export function storeView(t: Node): IndexMap {
  const out = t.outputs[0].type.shape;
  const perm = permOf(t, out.length);
  const strides = stridesExpr(out);
  return (coords) => linearIndex(perm.map((p) => coords[p]), strides);
}

/** The coordinates in the input of movement node `n` of the element at `out` of its result. */
function inputCoords(n: Node, out: readonly Expr[]): Expr[] {
  const inShape = n.inputs[0]!.type.shape, outShape = n.outputs[0].type.shape;
  switch (n.op) {
    case 'transpose': {
      const coords = new Array<Expr>(inShape.length);
      permOf(n, inShape.length).forEach((p, i) => { coords[p] = out[i]; });
      return coords;
    }
    case 'slice': {
      const starts = n.attrs.starts as number[], ends = n.attrs.ends as number[];
      const axes = ((n.attrs.axes as number[] | undefined) ?? starts.map((_, i) => i)).map((a) => normAxis(a, inShape.length));
      const steps = (n.attrs.steps as number[] | undefined) ?? starts.map(() => 1);
      const coords = [...out];
      axes.forEach((a, k) => { coords[a] = add(sliceStart(starts[k], ends[k], steps[k], inShape[a]), mul(out[a], idx(steps[k]))); });
      return coords;
    }
    case 'expand': return broadcastCoords(out, inShape, outShape);
    default: return reshapeCoords(out, outShape, inShape);
  }
}

/**
 * Coordinates in `inShape` of the element at `out` of the same elements under `outShape`. Both
 * shapes split into runs of dims with equal element counts (dims of size 1 aside); within a run the
 * output coordinates are digits of a mixed-radix number, regrouped into the input's digits.
 */
function reshapeCoords(out: readonly Expr[], outShape: readonly Dim[], inShape: readonly Dim[]): Expr[] {
  const coords: Expr[] = inShape.map(() => idx(0));
  const outDims = outShape.flatMap((d, j) => (d === 1 ? [] : [j]));
  const inDims = inShape.flatMap((d, i) => (d === 1 ? [] : [i]));
  let i = 0, j = 0;
  while (i < inDims.length && j < outDims.length) {
    const [i2, j2] = nextRun(inDims.slice(i).map((k) => inShape[k]), outDims.slice(j).map((k) => outShape[k]));
    const ins = inDims.slice(i, i + i2), outs = outDims.slice(j, j + j2);
    const digits = outs.map((k) => ({ e: out[k], n: outShape[k] }));
    const radices = ins.map((k) => inShape[k]);
    const regrouped = regroup(digits, radices)
      ?? unflatten(linearIndex(digits.map((d) => d.e), stridesExpr(digits.map((d) => d.n))), radices);
    ins.forEach((k, m) => { coords[k] = regrouped[m]; });
    i += i2;
    j += j2;
  }
  return coords;
}

/** The lengths of the shortest leading runs of `a` and `b` with equal element counts (all of both when none is shorter). */
function nextRun(a: readonly Dim[], b: readonly Dim[]): [number, number] {
  for (let i = 1; i < a.length; i++) {
    const p = dimProduct(a.slice(0, i));
    for (let j = 1; j < b.length; j++) if (dimEq(p, dimProduct(b.slice(0, j)))) return [i, j];
  }
  return [a.length, b.length];
}

/**
 * The digits of a mixed-radix number (most significant first, each an expression and its extent)
 * rewritten in the `radices` given, from the least significant digit up: a digit moves over whole
 * when it fits the input digit being built, and splits by div/mod where its extent is a multiple of
 * what that digit still needs. Undefined where extents do not divide.
 */
function regroup(digits: readonly { e: Expr; n: Dim }[], radices: readonly Dim[]): Expr[] | undefined {
  const queue = [...digits];
  const result = new Array<Expr>(radices.length);
  for (let k = radices.length - 1; k >= 0; k--) {
    let acc: Expr = idx(0);
    let built: Dim = 1;
    while (!dimEq(built, radices[k])) {
      const d = queue.pop();
      const need = exactQuotient(radices[k], built);
      if (!d || need === undefined) return undefined;
      const place = dimExpr(built);
      const over = exactQuotient(d.n, need);
      if (over !== undefined) {
        // the digit covers what is needed: its low part completes this input digit, its high part carries
        const low = dimEq(over, 1) ? d.e : rem(d.e, dimExpr(need));
        if (!dimEq(over, 1)) queue.push({ e: div(d.e, dimExpr(need)), n: over });
        acc = add(mul(low, place), acc);
        built = radices[k];
      } else if (exactQuotient(need, d.n) !== undefined) {
        acc = add(mul(d.e, place), acc);
        built = dimMul(built, d.n);
      } else return undefined;
    }
    result[k] = acc;
  }
  return queue.length === 0 ? result : undefined;
}

/** a / b when it is a whole number or polynomial for every value of the symbols, else undefined. */
function exactQuotient(a: Dim, b: Dim): Dim | undefined {
  if (dimEq(a, b)) return 1;
  if (isStatic(b)) {
    if (isStatic(a)) return a % b === 0 ? a / b : undefined;
    const q = dimFloorDiv(a, b);
    return dimEq(dimMul(q, b), a) ? q : undefined;
  }
  // a constant multiple of a symbolic b: the ratio at any point, checked as polynomials
  const env = new Map([...dimSymbols(a), ...dimSymbols(b)].map((s) => [s, 7]));
  let k: number;
  try { k = evalDim(a, env) / evalDim(b, env); } catch { return undefined; }
  return Number.isInteger(k) && k > 0 && dimEq(a, dimMul(b, k)) ? k : undefined;
}

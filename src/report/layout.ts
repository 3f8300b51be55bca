// A layered (Sugiyama-style) drawing of a DAG, top to bottom: longest-path layers, dummy vertices
// on edges that skip layers so every edge bends only between rows, barycenter sweeps to cut
// crossings (the best order seen is kept), and x positions pulled toward neighbours while boxes
// keep their order and spacing. Small and deterministic; good enough for dataflow graphs of a few
// hundred nodes.

export interface Box { width: number; height: number }
export interface Point { x: number; y: number }

export interface Layout {
  /** centre of each vertex, in input order */
  centers: Point[];
  /** each edge as a polyline from the bottom of its source to the top of its target */
  edges: Point[][];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** horizontal space between neighbouring boxes */
  gapX?: number;
  /** vertical space between rows */
  gapY?: number;
  margin?: number;
}

const DUMMY_WIDTH = 6;
const SWEEPS = 12;
const PLACEMENT_ROUNDS = 8;

/** Lay out vertices (with sizes) and edges [from, to]; every edge must point from a lower index to a higher one. */
export function layeredLayout(boxes: readonly Box[], edges: readonly (readonly [number, number])[], opts: LayoutOptions = {}): Layout {
  const gapX = opts.gapX ?? 24, gapY = opts.gapY ?? 34, margin = opts.margin ?? 16;
  const n = boxes.length;
  for (const [a, b] of edges) if (!(a < b)) throw new Error(`layout: edge ${a} -> ${b} does not point forward`);

  // layers: longest path from the sources; a source then moves down to just above its first user
  const layer = new Array<number>(n).fill(0);
  const preds = boxes.map(() => [] as number[]);
  const succs = boxes.map(() => [] as number[]);
  for (const [a, b] of edges) { preds[b].push(a); succs[a].push(b); }
  for (let v = 0; v < n; v++) for (const u of preds[v]) layer[v] = Math.max(layer[v], layer[u] + 1);
  for (let v = n - 1; v >= 0; v--)
    if (preds[v].length === 0 && succs[v].length > 0) layer[v] = Math.min(...succs[v].map((w) => layer[w])) - 1;

  // vertices incl. dummies: index < n are real
  const width = boxes.map((b) => b.width);
  const height = boxes.map((b) => b.height);
  const vlayer = [...layer];
  const up: number[][] = boxes.map(() => []);
  const down: number[][] = boxes.map(() => []);
  const chains: number[][] = [];
  for (const [a, b] of edges) {
    const chain = [a];
    for (let l = layer[a] + 1; l < layer[b]; l++) {
      const d = width.length;
      width.push(DUMMY_WIDTH); height.push(0); vlayer.push(l); up.push([]); down.push([]);
      chain.push(d);
    }
    chain.push(b);
    for (let i = 0; i + 1 < chain.length; i++) { down[chain[i]].push(chain[i + 1]); up[chain[i + 1]].push(chain[i]); }
    chains.push(chain);
  }
  const layerCount = Math.max(0, ...vlayer.map((l) => l + 1));
  let rows: number[][] = Array.from({ length: layerCount }, () => []);
  vlayer.forEach((l, v) => rows[l].push(v));

  // ordering by barycenter sweeps, keeping the order with the fewest crossings
  const pos = new Array<number>(width.length).fill(0);
  const index = () => rows.forEach((r) => r.forEach((v, i) => { pos[v] = i; }));
  index();
  let best = rows.map((r) => [...r]);
  let bestCrossings = crossings(rows, down, pos);
  for (let s = 0; s < SWEEPS && bestCrossings > 0; s++) {
    const downward = s % 2 === 0;
    const order = downward ? rows.map((_, i) => i).slice(1) : rows.map((_, i) => i).reverse().slice(1);
    for (const l of order) {
      const nb = downward ? up : down;
      const key = new Map(rows[l].map((v) => [v, nb[v].length ? nb[v].reduce((a, u) => a + pos[u], 0) / nb[v].length : pos[v]]));
      rows[l] = [...rows[l]].sort((a, b) => key.get(a)! - key.get(b)! || pos[a] - pos[b]);
      rows[l].forEach((v, i) => { pos[v] = i; });
    }
    const c = crossings(rows, down, pos);
    if (c < bestCrossings) { bestCrossings = c; best = rows.map((r) => [...r]); }
  }
  rows = best;
  index();

  // x: pack, then rounds of pulling each row toward the mean x of its neighbours above (or below)
  const x = new Array<number>(width.length).fill(0);
  for (const r of rows) {
    let cursor = 0;
    for (const v of r) { x[v] = cursor + width[v] / 2; cursor += width[v] + gapX; }
  }
  const rowMid = (r: number[]) => (r.length ? (x[r[0]] + x[r[r.length - 1]]) / 2 : 0);
  const widest = rows.reduce((m, r) => Math.max(m, rowMid(r)), 0);
  for (const r of rows) { const shift = widest - rowMid(r); for (const v of r) x[v] += shift; }
  for (let round = 0; round < PLACEMENT_ROUNDS; round++) {
    const downward = round % 2 === 0;
    const order = downward ? rows.map((_, i) => i) : rows.map((_, i) => i).reverse();
    for (const l of order) {
      const r = rows[l];
      const nb = downward ? up : down;
      const want = r.map((v) => {
        const ns = [...nb[v], ...(round >= 2 ? (downward ? down : up)[v] : [])];
        return ns.length ? ns.reduce((a, u) => a + x[u], 0) / ns.length : x[v];
      });
      const sep = (i: number) => (width[r[i]] + width[r[i + 1]]) / 2 + gapX;
      const fwd = [...want];
      for (let i = 1; i < r.length; i++) fwd[i] = Math.max(fwd[i], fwd[i - 1] + sep(i - 1));
      const bwd = [...want];
      for (let i = r.length - 2; i >= 0; i--) bwd[i] = Math.min(bwd[i], bwd[i + 1] - sep(i));
      r.forEach((v, i) => { x[v] = (fwd[i] + bwd[i]) / 2; });
    }
  }

  // coordinates
  let minX = Infinity, maxX = -Infinity;
  x.forEach((cx, v) => { minX = Math.min(minX, cx - width[v] / 2); maxX = Math.max(maxX, cx + width[v] / 2); });
  if (!Number.isFinite(minX)) { minX = 0; maxX = 0; }
  const rowHeight = rows.map((r) => Math.max(0, ...r.map((v) => height[v])));
  const rowTop: number[] = [];
  let top = margin;
  for (const h of rowHeight) { rowTop.push(top); top += h + gapY; }
  const px = (v: number) => round2(x[v] - minX + margin);
  const py = (v: number) => round2(rowTop[vlayer[v]] + rowHeight[vlayer[v]] / 2);
  const centers = boxes.map((_, v) => ({ x: px(v), y: py(v) }));
  const edgePaths = chains.map((chain) => chain.map((v, i) => ({
    x: px(v),
    y: i === 0 ? round2(py(v) + height[v] / 2) : i === chain.length - 1 ? round2(py(v) - height[v] / 2) : py(v),
  })));
  return {
    centers,
    edges: edgePaths,
    width: round2(maxX - minX + 2 * margin),
    height: round2(Math.max(top - gapY + margin, 2 * margin)),
  };
}

/** Edge crossings between consecutive rows (pairs of edges whose ends are in opposite order). */
function crossings(rows: readonly number[][], down: readonly number[][], pos: readonly number[]): number {
  let total = 0;
  for (const r of rows) {
    const pairs: [number, number][] = [];
    for (const v of r) for (const w of down[v]) pairs.push([pos[v], pos[w]]);
    for (let i = 0; i < pairs.length; i++)
      for (let j = i + 1; j < pairs.length; j++)
        if ((pairs[i][0] - pairs[j][0]) * (pairs[i][1] - pairs[j][1]) < 0) total++;
  }
  return total;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

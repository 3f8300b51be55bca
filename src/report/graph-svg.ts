// `dsc graph`: a picture of a compiled graph — the dataflow, laid out top to bottom with fusion
// groups as coloured backgrounds, under the classic arena picture of its memory plan (each buffer a
// rectangle from the step that writes it to its last reader, at its offset, with the lower-bound
// curve). The HTML form embeds the same SVG with hover titles and the text report.
import { Graph, Node, Value } from '../ir/graph.js';
import { DimSpeller, dimSpellerOf } from '../ir/printer.js';
import { KernelLaunch } from '../analysis/kernel-launches.js';
import { MemoryPlan, PlanMemoryOptions, Storage, arenaBufferOf, planMemory } from '../analysis/plan-memory.js';
import { formatBytes, formatCount, plural } from './format.js';
import { nodeCost } from './kernel-stats.js';
import { Box, layeredLayout } from './layout.js';
import { dimsText, reportText } from './report.js';
import { MONO, MONO_11, PALETTE, SANS, SANS_BOLD_12, el, esc, num, title } from './svg.js';

/** The memory plan's options (the dims it is made for, the target's in-place rule and element sizes), or the plan. */
export interface GraphDrawingOptions extends PlanMemoryOptions {
  /** a plan already made for the graph; planned here when absent */
  plan?: MemoryPlan;
}

interface Drawing { body: string; width: number; height: number }

const GAP = 24;

export function renderGraphSvg(graph: Graph, opts: GraphDrawingOptions = {}): string {
  return pictureSvg(graph, opts.plan ?? planMemory(graph, opts), false);
}

export function renderGraphHtml(graph: Graph, opts: GraphDrawingOptions = {}): string {
  const plan = opts.plan ?? planMemory(graph, opts);
  const style = [
    `body { font-family: ${SANS}; margin: 24px; color: #222; }`,
    'h1 { font-size: 20px; margin: 0 0 8px; }',
    `pre { font-family: ${MONO}; font-size: 12px; background: #f6f6f6; padding: 8px; overflow-x: auto; }`,
    '.node:hover > rect { stroke-width: 2.5; }',
    '.buf:hover { fill-opacity: 1; stroke: #222; }',
    '.edge:hover { stroke: #222; stroke-width: 2.5; }',
  ].join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${esc(graph.name)}: kernels and memory</title><style>\n${style}\n</style></head>`,
    '<body>',
    `<h1>${esc(graph.name)}</h1>`,
    `<p>Hover over a node, an edge or an arena buffer for details.</p>`,
    pictureSvg(graph, plan, true),
    `<details><summary>Text report</summary><pre>${esc(reportText(graph, { plan }))}</pre></details>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function pictureSvg(graph: Graph, plan: MemoryPlan, titles: boolean): string {
  const timeline = memoryTimeline(plan, titles);
  const dataflow = dataflowDrawing(graph, plan, titles);
  const headerHeight = 46;
  const width = Math.ceil(Math.max(timeline.width, dataflow.width, 560));
  const height = Math.ceil(headerHeight + timeline.height + GAP + dataflow.height);
  const fused = plan.kernels.filter((k) => k.nodes.length > 1).length;
  const header = [
    el('text', { x: 16, y: 22, 'font-size': 16, 'font-weight': 'bold' }, esc(graph.name)),
    el('text', { x: 16, y: 40, 'font-size': 12, fill: '#555' },
      esc(`${plural(plan.kernels.length, 'kernel')}, ${fused} of them fused · ${dimsText(plan.dims)}`)),
  ].join('');
  return [
    el('svg', {
      xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`,
      'font-family': SANS, 'font-size': 12,
    }, [
      el('rect', { width, height, fill: '#ffffff' }),
      header,
      el('g', { transform: `translate(0 ${headerHeight})` }, timeline.body),
      el('g', { transform: `translate(${num((width - dataflow.width) / 2)} ${num(headerHeight + timeline.height + GAP)})` }, dataflow.body),
    ]),
    '',
  ].join('\n');
}

// ---- the dataflow graph

type Vertex =
  | { kind: 'input'; value: Value }
  | { kind: 'node'; node: Node }
  | { kind: 'output'; value: Value; index: number };

function dataflowDrawing(graph: Graph, plan: MemoryPlan, titles: boolean): Drawing {
  const speller = dimSpellerOf(graph);
  const kernelOf = new Map<Node, KernelLaunch>();
  for (const k of plan.kernels) for (const n of k.nodes) kernelOf.set(n, k);

  const vertices: Vertex[] = [];
  const vertexOf = new Map<Value, number>();
  graph.inputs.forEach((value) => { vertexOf.set(value, vertices.length); vertices.push({ kind: 'input', value }); });
  for (const node of graph.nodes) {
    if (node.op === 'constant') continue;
    for (const o of node.outputs) vertexOf.set(o, vertices.length);
    vertices.push({ kind: 'node', node });
  }
  graph.outputs.forEach((value, index) => vertices.push({ kind: 'output', value, index }));

  const edges: [number, number][] = [];
  const edgeValue: Value[] = [];
  const seen = new Set<string>();
  const connect = (v: Value, to: number) => {
    const from = vertexOf.get(v);
    if (from === undefined || seen.has(`${from}:${to}`)) return;
    seen.add(`${from}:${to}`);
    edges.push([from, to]);
    edgeValue.push(v);
  };
  vertices.forEach((vx, i) => {
    if (vx.kind === 'node') for (const v of vx.node.inputs) if (v) connect(v, i);
    if (vx.kind === 'output') connect(vx.value, i);
  });

  const labels = vertices.map((vx) => vertexLabel(vx, speller, kernelOf));
  const boxes: Box[] = labels.map((l) => ({
    width: Math.ceil(Math.max(80, l.head.length * SANS_BOLD_12 + (l.step ? 30 : 0), l.sub.length * MONO_11) + 20),
    height: 38,
  }));
  const layout = layeredLayout(boxes, edges);

  // fusion groups: a coloured background behind the boxes of each kernel of two or more nodes
  const backgrounds: string[] = [];
  plan.kernels.filter((k) => k.nodes.length > 1).forEach((k, i) => {
    const members = k.nodes.map((n) => vertexOf.get(n.outputs[0])!);
    const pad = 8;
    const x0 = Math.min(...members.map((v) => layout.centers[v].x - boxes[v].width / 2)) - pad;
    const x1 = Math.max(...members.map((v) => layout.centers[v].x + boxes[v].width / 2)) + pad;
    const y0 = Math.min(...members.map((v) => layout.centers[v].y - boxes[v].height / 2)) - pad;
    const y1 = Math.max(...members.map((v) => layout.centers[v].y + boxes[v].height / 2)) + pad;
    const color = PALETTE[i % PALETTE.length];
    backgrounds.push(el('rect', {
      class: 'group', x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 10, fill: color, 'fill-opacity': 0.22, stroke: color, 'stroke-width': 1.5,
    }, title(`kernel #${k.step}${k.group !== undefined ? ` (fusion group ${k.group})` : ''}: ${k.nodes.map((n) => n.op).join(' + ')}`, titles)));
  });

  const edgeEls = layout.edges.map((pts, i) => {
    const v = edgeValue[i];
    const inMemory = plan.storage.get(v)?.kind !== 'fused';
    const d = pts.map((p, j) => `${j === 0 ? 'M' : 'L'}${num(p.x)} ${num(p.y)}`).join(' ');
    return el('path', {
      class: 'edge', d, fill: 'none', stroke: inMemory ? '#8a8a8a' : '#c0c0c0', 'stroke-width': 1.3,
      'stroke-dasharray': inMemory ? undefined : '4 3', 'marker-end': 'url(#arrow)',
    }, title(`%${v.name}: ${speller.type(v.type)} — ${storageText(plan, v)}`, titles));
  });

  const nodeEls = vertices.map((vx, i) => {
    const { x, y } = layout.centers[i];
    const { width: w, height: h } = boxes[i];
    const l = labels[i];
    const isView = vx.kind === 'node' && plan.storage.get(vx.node.outputs[0])?.kind === 'view';
    const pill = vx.kind !== 'node';
    const children = [
      ...title(vertexTitle(vx, plan, speller, kernelOf), titles),
      el('rect', {
        x: x - w / 2, y: y - h / 2, width: w, height: h, rx: pill ? h / 2 : 5,
        fill: pill ? '#e8eef7' : isView ? '#f7f7f7' : '#ffffff',
        stroke: pill ? '#4e79a7' : isView ? '#9a9a9a' : '#555555', 'stroke-width': 1.2,
        'stroke-dasharray': isView ? '4 3' : undefined,
      }),
      el('text', { x, y: y - 3, 'text-anchor': 'middle', 'font-weight': 'bold', 'font-style': isView ? 'italic' : undefined }, esc(l.head)),
      el('text', { x, y: y + 12, 'text-anchor': 'middle', 'font-family': MONO, 'font-size': 11, fill: '#555' }, esc(l.sub)),
      ...(l.step ? [el('text', { x: x + w / 2 - 5, y: y - h / 2 + 11, 'text-anchor': 'end', 'font-size': 9, fill: '#999' }, esc(l.step))] : []),
    ];
    return el('g', { class: 'node' }, children);
  });

  const defs = el('defs', {}, el('marker', {
    id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse',
  }, el('path', { d: 'M0 0 L10 5 L0 10 z', fill: '#8a8a8a' })));
  return { body: [defs, ...backgrounds, ...edgeEls, ...nodeEls].join('\n'), width: layout.width, height: layout.height };
}

function vertexLabel(vx: Vertex, speller: DimSpeller, kernelOf: ReadonlyMap<Node, KernelLaunch>): { head: string; sub: string; step: string } {
  if (vx.kind === 'input') return { head: `input ${vx.value.name}`, sub: speller.type(vx.value.type), step: '' };
  if (vx.kind === 'output') return { head: `output ${vx.value.name}`, sub: speller.type(vx.value.type), step: '' };
  const k = kernelOf.get(vx.node);
  const more = vx.node.outputs.length > 1 ? ` +${vx.node.outputs.length - 1}` : '';
  return { head: vx.node.op, sub: speller.type(vx.node.outputs[0].type) + more, step: k ? `#${k.step}` : '' };
}

function vertexTitle(vx: Vertex, plan: MemoryPlan, speller: DimSpeller, kernelOf: ReadonlyMap<Node, KernelLaunch>): string {
  if (vx.kind !== 'node') return `${vx.kind} %${vx.value.name}: ${speller.type(vx.value.type)}`;
  const n = vx.node;
  const lines = n.outputs.map((o) => `%${o.name}: ${speller.type(o.type)} — ${storageText(plan, o)}`);
  const k = kernelOf.get(n);
  if (k) {
    const c = nodeCost(n, plan.dims);
    lines.push(`kernel #${k.step}${k.nodes.length > 1 ? ` (${k.nodes.map((m) => m.op).join(' + ')})` : ''}; this op: ${formatCount(c.flops, ' ')}FLOP, ${formatBytes(c.bytes)} moved alone`);
  }
  if (n.loc) lines.push(`from ${n.loc}`);
  return [`${n.op}`, ...lines].join('\n');
}

/** Where a value lives, in words. */
function storageText(plan: MemoryPlan, v: Value): string {
  const s: Storage | undefined = plan.storage.get(v);
  if (!s) return 'static data';
  switch (s.kind) {
    case 'input': return `graph input ${s.index}`;
    case 'param': return 'parameter';
    case 'constant': return 'constant';
    case 'output': return `written into output ${s.index}`;
    case 'view': {
      const b = arenaBufferOf(plan, v);
      return `view of %${s.of.name}${b ? ` (arena buffer ${b.id})` : ''}`;
    }
    case 'fused': return 'stays inside its fused kernel (no memory)';
    case 'dynamic': return 'size known at run time (not in the arena)';
    case 'arena': {
      const b = s.buffer;
      const over = plan.inPlace.get(v);
      return `arena buffer ${b.id} at ${formatBytes(b.offset)}, ${formatBytes(b.size)}, steps ${b.first}..${b.last}${over ? `, in place over %${over.name}` : ''}`;
    }
  }
}

// ---- the arena picture

function memoryTimeline(plan: MemoryPlan, titles: boolean): Drawing {
  const steps = Math.max(1, plan.kernels.length);
  const left = 78, right = 110, top = 34, bottom = 42;
  const plotW = Math.min(1000, Math.max(480, steps * 12));
  const plotH = 300;
  const peak = Math.max(plan.arenaBytes, plan.lowerBoundBytes, 1);
  const ticks = byteTicks(peak * 1.05);
  const maxY = ticks[ticks.length - 1].value;
  const X = (step: number) => left + (step / steps) * plotW;
  const Y = (bytes: number) => top + plotH - (bytes / maxY) * plotH;

  const parts: string[] = [];
  parts.push(el('text', { x: left, y: 16, 'font-weight': 'bold' }, 'Memory plan'));
  parts.push(el('text', { x: left + 96, y: 16, fill: '#555' },
    esc(`arena ${formatBytes(plan.arenaBytes)} (red) · lower bound ${formatBytes(plan.lowerBoundBytes)} (black) · no reuse ${formatBytes(plan.noReuseBytes)}`)));
  // grid and axes
  for (const t of ticks) {
    parts.push(el('line', { x1: left, x2: left + plotW, y1: Y(t.value), y2: Y(t.value), stroke: '#e6e6e6' }));
    parts.push(el('text', { x: left - 6, y: Y(t.value) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#555' }, esc(t.label)));
  }
  for (const s of stepTicks(steps)) {
    parts.push(el('line', { x1: X(s), x2: X(s), y1: top + plotH, y2: top + plotH + 4, stroke: '#555' }));
    parts.push(el('text', { x: X(s), y: top + plotH + 16, 'text-anchor': 'middle', 'font-size': 11, fill: '#555' }, String(s)));
  }
  parts.push(el('text', { x: left + plotW / 2, y: top + plotH + 34, 'text-anchor': 'middle', 'font-size': 11, fill: '#555' }, 'kernel step'));
  parts.push(el('text', { x: 14, y: top + plotH / 2, 'text-anchor': 'middle', 'font-size': 11, fill: '#555', transform: `rotate(-90 14 ${num(top + plotH / 2)})` }, 'arena offset'));
  // buffers
  for (const b of plan.buffers) {
    const color = PALETTE[b.id % PALETTE.length];
    const names = b.values.map((v) => `%${v.name}`).join(', then ');
    parts.push(el('rect', {
      class: 'buf', x: X(b.first), y: Y(b.offset + b.size), width: X(b.last + 1) - X(b.first), height: Y(b.offset) - Y(b.offset + b.size),
      fill: color, 'fill-opacity': 0.75, stroke: '#ffffff', 'stroke-width': 0.6,
    }, title(`buffer ${b.id}: ${names}\noffset ${formatBytes(b.offset)}, size ${formatBytes(b.size)}, steps ${b.first}..${b.last}`, titles)));
  }
  // lower-bound curve (bytes live at each step) and the arena's top
  const stairs = plan.liveBytes.map((live, t) => `${t === 0 ? 'M' : 'L'}${num(X(t))} ${num(Y(live))} L${num(X(t + 1))} ${num(Y(live))}`).join(' ');
  if (stairs) parts.push(el('path', { d: stairs, fill: 'none', stroke: '#111111', 'stroke-width': 1.6 }));
  parts.push(el('line', { x1: left, x2: left + plotW, y1: Y(plan.arenaBytes), y2: Y(plan.arenaBytes), stroke: '#d62728', 'stroke-width': 1.4, 'stroke-dasharray': '6 3' }));
  parts.push(el('text', { x: left + plotW + 6, y: Y(plan.arenaBytes) + 4, 'font-size': 11, fill: '#d62728' }, esc(`arena ${formatBytes(plan.arenaBytes)}`)));
  parts.push(el('rect', { x: left, y: top, width: plotW, height: plotH, fill: 'none', stroke: '#555' }));
  return { body: parts.join('\n'), width: left + plotW + right, height: top + plotH + bottom };
}

/** Round tick values in a binary unit fitting `max`: 0, 1, 2, 3 MiB or 0, 256, 512 KiB. */
function byteTicks(max: number): { value: number; label: string }[] {
  const unit = max >= 1 << 20 ? 1 << 20 : max >= 1 << 10 ? 1 << 10 : 1;
  const name = unit === 1 << 20 ? 'MiB' : unit === 1 << 10 ? 'KiB' : 'B';
  const step = niceStep(max / unit, 5);
  const ticks: { value: number; label: string }[] = [];
  for (let i = 0; ; i++) {
    const v = i * step;
    ticks.push({ value: v * unit, label: `${Number(v.toPrecision(6))} ${name}` });
    if (v >= max / unit) break;
  }
  return ticks;
}

function stepTicks(steps: number): number[] {
  const step = Math.max(1, niceStep(steps, 10));
  const out: number[] = [];
  for (let s = 0; s <= steps; s += step) out.push(s);
  return out;
}

/** 1, 2 or 5 times a power of ten, so that about `count` steps cover `range`. */
function niceStep(range: number, count: number): number {
  const raw = range / count;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

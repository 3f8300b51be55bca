// The graph drawing: well-formed SVG (checked by a small XML tokenizer), one element per node,
// edge, fusion group and arena buffer, byte-identical on every run, hover titles only in the HTML
// form; and the layered layout's geometry.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/ir/builder.js';
import { sym } from '../../src/ir/dim.js';
import { Graph } from '../../src/ir/graph.js';
import { planMemory } from '../../src/analysis/plan-memory.js';
import { renderGraphHtml, renderGraphSvg } from '../../src/report/graph-svg.js';
import { layeredLayout } from '../../src/report/layout.js';

/** A residual block: two branches from x meet at an add; the add and relu are one fused kernel. */
function residual(): Graph {
  const b = new GraphBuilder('residual <block>');
  const x = b.input('x', { dtype: 'f32', shape: [sym('N'), 64] });
  const a = b.op1('softmax', [x], {}, { name: 'a' });
  const c = b.op1('softmax', [b.op1('softmax', [x], {}, { name: 'left' })], {}, { name: 'c' });
  const sum = b.op1('add', [a, c], {}, { name: 'sum' });
  const out = b.op1('relu', [sum], {}, { name: 'out' });
  sum.producer!.group = 9;
  out.producer!.group = 9;
  const flat = b.op1('reshape', [out], { shape: [-1] }, { name: 'flat' });
  b.output(b.op1('softmax', [flat], {}, { name: 'y' }));
  return b.graph;
}

/** Tags of an XML document in order; throws where it is not well formed. */
function xmlTags(text: string): { name: string; attrs: Record<string, string> }[] {
  const tags: { name: string; attrs: Record<string, string> }[] = [];
  const open: string[] = [];
  let roots = 0;
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let at = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const between = text.slice(at, m.index);
    if (/[<>]/.test(between) || /&(?!(amp|lt|gt|quot|#\d+);)/.test(between)) throw new Error(`bad text before offset ${m.index}: ${between.slice(0, 60)}`);
    at = tag.lastIndex;
    const [, closing, name, attrText, selfClosing] = m;
    if (closing) {
      if (open.pop() !== name) throw new Error(`</${name}> closes the wrong element at offset ${m.index}`);
      continue;
    }
    if (open.length === 0) roots++;
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:-]+)="([^"]*)"/g)) {
      if (a[1] in attrs) throw new Error(`attribute ${a[1]} repeated on <${name}>`);
      attrs[a[1]] = a[2];
    }
    tags.push({ name, attrs });
    if (!selfClosing) open.push(name);
  }
  if (open.length) throw new Error(`unclosed <${open.join('>, <')}>`);
  if (text.slice(at).trim() !== '') throw new Error('text after the root element');
  if (roots !== 1) throw new Error(`${roots} root elements`);
  return tags;
}

describe('renderGraphSvg', () => {
  it('is well-formed SVG with a box per node, an edge per dataflow edge, a background per fused kernel and a rectangle per buffer', () => {
    const g = residual();
    const svg = renderGraphSvg(g);
    const tags = xmlTags(svg);
    expect(tags[0].name).toBe('svg');
    expect(tags[0].attrs.xmlns).toBe('http://www.w3.org/2000/svg');
    const count = (cls: string) => tags.filter((t) => t.attrs.class === cls).length;
    // input x, seven nodes (the reshape drawn as a view), output y
    expect(count('node')).toBe(9);
    // x→a, x→left, left→c, a→sum, c→sum, sum→out, out→flat, flat→y, y→output
    expect(count('edge')).toBe(9);
    expect(count('group')).toBe(1);
    expect(count('buf')).toBe(planMemory(g).buffers.length);
    // the graph name is escaped
    expect(svg).toContain('residual &lt;block&gt;');
    expect(svg).not.toContain('<title>');
  });

  it('draws each buffer at its offset and lifetime, to scale', () => {
    const g = residual();
    const plan = planMemory(g);
    const bufs = xmlTags(renderGraphSvg(g, { plan })).filter((t) => t.attrs.class === 'buf');
    const widthPerStep = Number(bufs[0].attrs.width) / (plan.buffers[0].last - plan.buffers[0].first + 1);
    const heightPerByte = Number(bufs[0].attrs.height) / plan.buffers[0].size;
    plan.buffers.forEach((b, i) => {
      expect(Number(bufs[i].attrs.width)).toBeCloseTo(widthPerStep * (b.last - b.first + 1), 1);
      expect(Number(bufs[i].attrs.height)).toBeCloseTo(heightPerByte * b.size, 1);
    });
  });

  it('is byte-identical for the same graph', () => {
    expect(renderGraphSvg(residual())).toBe(renderGraphSvg(residual()));
    expect(renderGraphHtml(residual())).toBe(renderGraphHtml(residual()));
  });
});

describe('renderGraphHtml', () => {
  it('embeds the SVG with hover titles and the text report', () => {
    const html = renderGraphHtml(residual());
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>') + 6);
    const tags = xmlTags(svg);
    expect(tags.filter((t) => t.name === 'title').length).toBe(9 + 9 + 1 + planMemory(residual()).buffers.length);
    expect(html).toContain('in place over %a');
    expect(html).toContain('stays inside its fused kernel (no memory)');
    expect(html).toContain('<details><summary>Text report</summary><pre>report of residual &lt;block&gt;');
  });
});

describe('layeredLayout', () => {
  it('puts each vertex below its predecessors and keeps boxes in a row apart', () => {
    const boxes = [0, 1, 2, 3, 4].map((i) => ({ width: 40 + 10 * i, height: 20 }));
    const edges: [number, number][] = [[0, 1], [0, 2], [1, 3], [2, 3], [0, 4], [3, 4]];
    const l = layeredLayout(boxes, edges, { gapX: 10 });
    for (const [a, b] of edges) expect(l.centers[a].y).toBeLessThan(l.centers[b].y);
    expect(l.centers[1].y).toBe(l.centers[2].y);
    const [left, right] = l.centers[1].x < l.centers[2].x ? [1, 2] : [2, 1];
    expect(l.centers[right].x - l.centers[left].x).toBeGreaterThanOrEqual((boxes[1].width + boxes[2].width) / 2 + 10);
    // the long edge 0 -> 4 (rows 0 to 3) bends at a dummy in each of the two rows it crosses
    expect(l.edges[4].length).toBe(4);
    expect(l.edges[4][0]).toEqual({ x: l.centers[0].x, y: l.centers[0].y + 10 });
    expect(l.edges[4][3]).toEqual({ x: l.centers[4].x, y: l.centers[4].y - 10 });
    for (const c of l.centers) {
      expect(c.x).toBeGreaterThan(0);
      expect(c.x).toBeLessThan(l.width);
      expect(c.y).toBeLessThan(l.height);
    }
  });

  it('uncrosses a twisted pair of edges', () => {
    const boxes = [0, 1, 2, 3].map(() => ({ width: 30, height: 20 }));
    const l = layeredLayout(boxes, [[0, 3], [1, 2]]);
    expect(Math.sign(l.centers[0].x - l.centers[1].x)).toBe(Math.sign(l.centers[3].x - l.centers[2].x));
  });

  it('rejects an edge that points backward', () => {
    expect(() => layeredLayout([{ width: 1, height: 1 }, { width: 1, height: 1 }], [[1, 0]])).toThrow(/does not point forward/);
  });
});

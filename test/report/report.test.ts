// The text report: its figures on a small graph worked out by hand, the exact text, alignment and
// determinism.
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/ir/builder.js';
import { sym } from '../../src/ir/dim.js';
import { Graph } from '../../src/ir/graph.js';
import { Tensor } from '../../src/ir/tensor.js';
import { planMemory } from '../../src/analysis/plan-memory.js';
import { formatBytes, formatCount, formatTable } from '../../src/report/format.js';
import { kernelStats } from '../../src/report/kernel-stats.js';
import { reportFigures, reportText } from '../../src/report/report.js';

/** x[N, 256] · w + b, relu (one fused kernel), then softmax (a kernel of its own) into the output. */
function denseLayer(): Graph {
  const b = new GraphBuilder('dense');
  const x = b.input('x', { dtype: 'f32', shape: [sym('N'), 256] });
  const w = b.param('w', { dtype: 'f32', shape: [256, 256] }, Tensor.zeros('f32', [256, 256]));
  const bias = b.param('b', { dtype: 'f32', shape: [256] }, Tensor.zeros('f32', [256]));
  const mm = b.op1('matmul', [x, w], {}, { name: 'mm' });
  const biased = b.op1('add', [mm, bias], {}, { name: 'biased' });
  const act = b.op1('relu', [biased], {}, { name: 'act' });
  for (const v of [mm, biased, act]) v.producer!.group = 0;
  const y = b.op1('softmax', [act], {}, { name: 'y' });
  y.producer!.group = 1;
  b.output(y);
  return b.graph;
}

describe('reportText', () => {
  it('counts a fused kernel\'s traffic as its external inputs and stored outputs only', () => {
    const g = denseLayer();
    const plan = planMemory(g, { dims: new Map([['N', 4]]) });
    const [fused, softmax] = kernelStats(plan);
    const row = 4 * 256 * 4;
    // reads x, w and b, writes act; mm and biased stay in registers
    expect(fused.bytes).toBe(row + 256 * 256 * 4 + 256 * 4 + row);
    expect(fused.writes.map((v) => v.name)).toEqual(['act']);
    expect(fused.ops).toBe('matmul+add+relu');
    expect(softmax.bytes).toBe(2 * row);
    const f = reportFigures(g, plan);
    expect([f.kernelsBefore, f.kernelsAfter]).toEqual([4, 2]);
    // unfused, mm and biased are each written once and read once more
    expect(f.bytesBefore - f.bytesAfter).toBe(4 * row);
    expect(f.flops).toBe(fused.flops + softmax.flops);
  });

  it('states kernels, work, traffic, memory and a row per kernel', () => {
    const text = reportText(denseLayer(), { dims: new Map([['N', 4]]) });
    expect(text).toBe([
      'report of dense (N=4)',
      '',
      'kernels  4 before fusion, 2 after',
      'work     531 kFLOP',
      'traffic  289 KiB before fusion, 273 KiB after (5.5 % less)',
      'memory   arena 0.00391 MiB = 1.000× the lower bound 0.00391 MiB; 0.0 % below no reuse 0.00391 MiB',
      '         1 buffer, 0 values written in place, 0 values aliased, 2 fused values; arena = 1024*N bytes for every N',
      '',
      ' step  ops              writes  type          FLOP     moved',
      '    0  matmul+add+relu  act     f32[N, 256]   526k   265 KiB',
      '    1  softmax          y       f32[N, 256]  5.12k  8.00 KiB',
      'total  2 kernels                              531k   273 KiB',
      '',
    ].join('\n'));
  });

  it('is deterministic and its table columns line up', () => {
    const a = reportText(denseLayer());
    expect(reportText(denseLayer())).toBe(a);
    const lines = a.split('\n');
    const table = lines.slice(lines.findIndex((l) => l.startsWith(' step')), lines.findIndex((l) => l.startsWith('total')) + 1);
    expect(table.length).toBe(4);
    // right-aligned last column: every row ends at the same width
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
  });
});

describe('formatting', () => {
  it('scales bytes and counts to readable units', () => {
    expect([formatBytes(0), formatBytes(512), formatBytes(1536), formatBytes(3 * 2 ** 20 + 2 ** 19), formatBytes(NaN)])
      .toEqual(['0 B', '512 B', '1.50 KiB', '3.50 MiB', '?']);
    expect([formatCount(950), formatCount(1234), formatCount(118e6), formatCount(3.64e9, ' ')]).toEqual(['950', '1.23k', '118M', '3.64 G']);
  });

  it('pads table columns to the widest cell', () => {
    expect(formatTable([['a', '1'], ['long', '100']], ['left', 'right'])).toEqual(['a       1', 'long  100']);
  });
});

// The memory planner on small graphs whose best arena is known by hand, its in-place and view
// rules, fusion groups, symbolic sizes, and the checks that guard every plan (the overlap checker
// and running the graph through the arena).
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/ir/builder.js';
import { dimToString, evalDim, sym } from '../../src/ir/dim.js';
import { Graph, Value } from '../../src/ir/graph.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor, sizeOf } from '../../src/ir/tensor.js';
import { MemoryPlan, arenaBufferOf, checkMemoryPlan, planMemory } from '../../src/analysis/plan-memory.js';
import { runThroughArena } from './memory-simulator.js';

function data(shape: number[], seed = 1): Tensor {
  return Tensor.fromNumbers('f32', shape, Array.from({ length: sizeOf(shape) }, (_, i) => Math.sin(seed * 7.3 + i * 0.37)));
}

function inputsFor(g: Graph, dims: Record<string, number> = {}): Map<string, Tensor> {
  return new Map(g.inputs.map((v, i) => [v.name, data(v.type.shape.map((d) => evalDim(d, new Map(Object.entries(dims)))), i + 1)]));
}

/** The plan is sound and running through the arena gives the interpreter's outputs. */
function expectSound(g: Graph, plan: MemoryPlan, dims: Record<string, number> = {}): void {
  expect(checkMemoryPlan(plan)).toEqual([]);
  expect(plan.arenaBytes).toBeGreaterThanOrEqual(plan.lowerBoundBytes);
  const inputs = inputsFor(g, dims);
  expect(runThroughArena(g, plan, inputs)).toEqual(runGraph(g, inputs));
}

/** x -> softmax -> softmax -> softmax -> softmax (output): three 1 KiB intermediates, two live at a time. */
function softmaxChain(): { g: Graph; values: Value[] } {
  const b = new GraphBuilder('chain');
  let v = b.input('x', { dtype: 'f32', shape: [256] });
  const values: Value[] = [];
  for (let i = 0; i < 4; i++) values.push((v = b.op1('softmax', [v])));
  b.output(v);
  return { g: b.graph, values };
}

/**
 * A skip connection: a = x·w1 (2 KiB) is held across b = a·w2 (512 B) and c = b·w3 (2 KiB), then
 * d = a + c and the output d·w4. At step 2 a, b and c are live: 4608 bytes.
 */
function skipConnection(): { g: Graph; a: Value; b: Value; c: Value; d: Value } {
  const bld = new GraphBuilder('skip');
  const x = bld.input('x', { dtype: 'f32', shape: [1, 256] });
  const w = (name: string, shape: number[], seed: number) => bld.param(name, { dtype: 'f32', shape }, data(shape, seed).reshape(shape));
  const a = bld.op1('matmul', [x, w('w1', [256, 512], 2)]);
  const b = bld.op1('matmul', [a, w('w2', [512, 128], 3)]);
  const c = bld.op1('matmul', [b, w('w3', [128, 512], 4)]);
  const d = bld.op1('add', [a, c]);
  bld.output(bld.op1('matmul', [d, w('w4', [512, 16], 5)]));
  return { g: bld.graph, a, b, c, d };
}

describe('planMemory: arenas with a known optimum', () => {
  it('a chain of non-elementwise ops needs two buffers, alternating', () => {
    const { g, values } = softmaxChain();
    const plan = planMemory(g);
    expect(plan.kernels.length).toBe(4);
    expect(plan.noReuseBytes).toBe(3 * 1024);
    expect(plan.lowerBoundBytes).toBe(2048);
    expect(plan.arenaBytes).toBe(2048);
    const [a, b, c] = values.map((v) => arenaBufferOf(plan, v)!);
    expect([a.first, a.last, b.first, b.last, c.first, c.last]).toEqual([0, 1, 1, 2, 2, 3]);
    expect(a.offset).toBe(c.offset);
    expect(b.offset).not.toBe(a.offset);
    expect(plan.storage.get(values[3])).toEqual({ kind: 'output', index: 0 });
    expectSound(g, plan);
  });

  it('a held skip connection reaches the lower bound; in place, d takes a\'s buffer', () => {
    const { g, a, c, d } = skipConnection();
    const plan = planMemory(g);
    expect(plan.inPlace.get(d)).toBe(a);
    expect(arenaBufferOf(plan, d)).toBe(arenaBufferOf(plan, a));
    expect(arenaBufferOf(plan, a)!.last).toBe(4);
    expect(plan.lowerBoundBytes).toBe(2048 + 512 + 2048);
    expect(plan.arenaBytes).toBe(plan.lowerBoundBytes);
    expect(plan.noReuseBytes).toBe(2048 + 512 + 2048 + 2048);
    expectSound(g, plan);

    const separate = planMemory(g, { inPlace: false });
    expect(separate.inPlace.size).toBe(0);
    expect(arenaBufferOf(separate, d)).not.toBe(arenaBufferOf(separate, a));
    // at step 3 a, c and d are live
    expect(separate.lowerBoundBytes).toBe(3 * 2048);
    expect(separate.arenaBytes).toBe(separate.lowerBoundBytes);
    expectSound(g, separate);
    expect(arenaBufferOf(separate, c)).toBeDefined();
  });

  it('a graph without intermediates needs no arena', () => {
    const b = new GraphBuilder('one');
    const x = b.input('x', { dtype: 'f32', shape: [8] });
    b.output(b.op1('relu', [x]));
    const plan = planMemory(b.graph);
    expect([plan.arenaBytes, plan.lowerBoundBytes, plan.noReuseBytes, plan.buffers.length]).toEqual([0, 0, 0, 0]);
    expect(plan.arenaDim).toBe(0);
  });
});

describe('planMemory: in place', () => {
  it('an elementwise chain after a kernel runs in one buffer', () => {
    const b = new GraphBuilder('relus');
    const x = b.input('x', { dtype: 'f32', shape: [256] });
    const a = b.op1('softmax', [x]);
    const r1 = b.op1('relu', [a]);
    const r2 = b.op1('neg', [r1]);
    b.output(b.op1('softmax', [r2]));
    const plan = planMemory(b.graph);
    expect(plan.buffers.length).toBe(1);
    expect(plan.buffers[0].values).toEqual([a, r1, r2]);
    expect([plan.inPlace.get(r1), plan.inPlace.get(r2)]).toEqual([a, r1]);
    expect(plan.arenaBytes).toBe(1024);
    expectSound(b.graph, plan);
  });

  it('does not overwrite an input that is read later, a graph input, a broadcast operand, or another dtype', () => {
    const b = new GraphBuilder('kept');
    const x = b.input('x', { dtype: 'f32', shape: [4, 256] });
    const y = b.input('y', { dtype: 'f32', shape: [256] });
    const fromInput = b.op1('relu', [x]);
    const a = b.op1('softmax', [fromInput]);
    const s = b.op1('softmax', [y]);
    const stillRead = b.op1('relu', [a]);
    const cmp = b.op1('less', [a, stillRead]);
    const asInt = b.op1('cast', [stillRead], { to: 'i32' });
    const sum = b.op1('add', [s, a]);
    b.output(cmp, asInt, b.op1('softmax', [sum]));
    const plan = planMemory(b.graph);
    expect(plan.inPlace.has(fromInput)).toBe(false);
    expect(plan.inPlace.has(stillRead)).toBe(false);
    // sum broadcasts s over a: only a, the operand of the output's size, may be overwritten
    expect(plan.inPlace.get(sum)).toBe(a);
    expect([...plan.inPlace.keys()]).toEqual([sum]);
    expectSound(b.graph, plan);
  });

  it('a multi-output elementwise group gives each dying input to at most one output', () => {
    const b = new GraphBuilder('two');
    const x = b.input('x', { dtype: 'f32', shape: [64] });
    const a = b.op1('softmax', [x]);
    const p = b.op1('relu', [a]);
    const q = b.op1('neg', [a]);
    p.producer!.group = 1;
    q.producer!.group = 1;
    b.output(b.op1('softmax', [p]), b.op1('softmax', [q]));
    const plan = planMemory(b.graph);
    expect(plan.kernels.length).toBe(4);
    expect(plan.inPlace.get(p)).toBe(a);
    expect(plan.inPlace.has(q)).toBe(false);
    expectSound(b.graph, plan);
  });
});

describe('planMemory: views and fusion groups', () => {
  it('a view shares its input\'s buffer and keeps it alive until the view\'s last reader', () => {
    const b = new GraphBuilder('views');
    const x = b.input('x', { dtype: 'f32', shape: [256] });
    const a = b.op1('softmax', [x]);
    const square = b.op1('reshape', [a], { shape: [16, 16] });
    const c = b.op1('softmax', [b.op1('softmax', [x])]);
    const flat = b.op1('flatten', [square], { axis: 0 });
    b.output(b.op1('add', [b.op1('reshape', [flat], { shape: [256] }), c]));
    const plan = planMemory(b.graph);
    expect(plan.storage.get(square)).toEqual({ kind: 'view', of: a });
    expect(plan.kernels.map((k) => k.nodes.map((n) => n.op).join('+'))).toEqual(['softmax', 'softmax', 'softmax', 'add']);
    expect(arenaBufferOf(plan, flat)).toBe(arenaBufferOf(plan, a));
    expect(arenaBufferOf(plan, a)!.last).toBe(3);
    expectSound(b.graph, plan);
  });

  it('a view that is a graph output is a copy kernel writing the output buffer', () => {
    const b = new GraphBuilder('view-out');
    const x = b.input('x', { dtype: 'f32', shape: [256] });
    const a = b.op1('softmax', [x]);
    const out = b.op1('reshape', [a], { shape: [16, 16] });
    b.output(out);
    const plan = planMemory(b.graph);
    expect(plan.kernels.length).toBe(2);
    expect(plan.storage.get(out)).toEqual({ kind: 'output', index: 0 });
    expect(arenaBufferOf(plan, a)!.last).toBe(1);
    expectSound(b.graph, plan);
  });

  it('values inside a fusion group take no memory; the group writes in place over a dying input', () => {
    const b = new GraphBuilder('fused');
    const x = b.input('x', { dtype: 'f32', shape: [256] });
    const a = b.op1('softmax', [x]);
    const r = b.op1('relu', [a]);
    const m = b.op1('mul', [r, r]);
    const n = b.op1('neg', [m]);
    for (const v of [r, m, n]) v.producer!.group = 7;
    b.output(b.op1('softmax', [n]));
    const plan = planMemory(b.graph);
    expect(plan.kernels.map((k) => k.nodes.length)).toEqual([1, 3, 1]);
    expect(plan.kernels[1].group).toBe(7);
    expect([plan.storage.get(r), plan.storage.get(m)]).toEqual([{ kind: 'fused' }, { kind: 'fused' }]);
    expect(plan.inPlace.get(n)).toBe(a);
    expect(plan.noReuseBytes).toBe(2 * 1024);
    expect(plan.arenaBytes).toBe(1024);
    expectSound(b.graph, plan);
  });

  it('movement a kernel reads through takes no memory and keeps its source alive until that kernel', () => {
    const b = new GraphBuilder('kernel-views');
    const x = b.input('x', { dtype: 'f32', shape: [8, 32] });
    const a = b.op1('softmax', [x]);
    const later = b.op1('softmax', [b.op1('softmax', [x])]);
    const t = b.op1('transpose', [a]);
    const r = b.op1('reshape', [t], { shape: [256] });
    const flat = b.op1('reshape', [later], { shape: [256] });
    const y = b.op1('add', [r, flat]);
    for (const v of [t, r, y]) v.producer!.group = 5;
    b.output(y);
    const plan = planMemory(b.graph);
    expect(plan.kernels.map((k) => k.nodes.map((n) => n.op).join('+'))).toEqual(['softmax', 'softmax', 'softmax', 'transpose+reshape+add']);
    expect([plan.storage.get(t), plan.storage.get(r)]).toEqual([{ kind: 'fused' }, { kind: 'fused' }]);
    expect(plan.storage.get(flat)).toEqual({ kind: 'view', of: later });
    expect(arenaBufferOf(plan, a)!.last).toBe(3);
    expect(plan.inPlace.size).toBe(0);
    expectSound(b.graph, plan);
  });

  it('a value of a group read outside it is stored', () => {
    const b = new GraphBuilder('escapes');
    const x = b.input('x', { dtype: 'f32', shape: [256] });
    const r = b.op1('relu', [x]);
    const m = b.op1('exp', [r]);
    r.producer!.group = 1;
    m.producer!.group = 1;
    b.output(b.op1('add', [b.op1('softmax', [m]), r]));
    const plan = planMemory(b.graph);
    expect(plan.storage.get(r)?.kind).toBe('arena');
    expect(arenaBufferOf(plan, r)!.last).toBe(2);
    expectSound(b.graph, plan);
  });

  it('kernels run in a topological order even when a group\'s first node comes before its inputs', () => {
    const b = new GraphBuilder('order');
    const x = b.input('x', { dtype: 'f32', shape: [32] });
    const early = b.op1('relu', [x]);
    const other = b.op1('softmax', [x]);
    const late = b.op1('add', [early, other]);
    early.producer!.group = 3;
    late.producer!.group = 3;
    b.output(late);
    const plan = planMemory(b.graph);
    expect(plan.kernels.map((k) => k.nodes.map((n) => n.op).join('+'))).toEqual(['softmax', 'relu+add']);
    expectSound(b.graph, plan);
  });

  it('a fusion group that is not convex is an internal error', () => {
    const b = new GraphBuilder('bad');
    const x = b.input('x', { dtype: 'f32', shape: [32] });
    const p = b.op1('relu', [x]);
    const q = b.op1('softmax', [p]);
    const r = b.op1('neg', [q]);
    p.producer!.group = 5;
    r.producer!.group = 5;
    b.output(r);
    expect(() => planMemory(b.graph)).toThrow(/internal error: fusion group 5 is not convex/);
  });
});

describe('planMemory: symbolic dims', () => {
  function batched(extra: boolean): Graph {
    const b = new GraphBuilder('batched');
    const x = b.input('x', { dtype: 'f32', shape: [sym('N'), 100] });
    let v = x;
    for (let i = 0; i < 3; i++) v = b.op1('softmax', [v], { axis: -1 });
    // a column sum is [1, 100] whatever N is: a size that is not a multiple of N
    if (extra) v = b.op1('add', [b.op1('softmax', [v]), b.op1('reduce_sum', [v], { axes: [0], keepdims: true })]);
    b.output(b.op1('softmax', [v]));
    return b.graph;
  }

  it('when every size is a multiple of N the plan scales: offsets and arena are constants times N', () => {
    const g = batched(false);
    const one = planMemory(g);
    const four = planMemory(g, { dims: new Map([['N', 4]]) });
    // 400 bytes a row rounds up to 448 per N
    expect(dimToString(one.arenaDim!)).toBe('896*N');
    expect(four.arenaBytes).toBe(4 * one.arenaBytes);
    for (const b of four.buffers) expect(evalDim(b.offsetDim, new Map([['N', 4]]))).toBe(b.offset);
    expect(one.buffers.map((b) => dimToString(b.offsetDim))).toEqual(four.buffers.map((b) => dimToString(b.offsetDim)));
    expectSound(g, four, { N: 4 });
  });

  it('with sizes of mixed forms the plan holds up to the planned dims only', () => {
    const g = batched(true);
    const plan = planMemory(g, { dims: new Map([['N', 3]]) });
    expect(plan.arenaDim).toBeUndefined();
    expect(plan.dims.get('N')).toBe(3);
    expectSound(g, plan, { N: 3 });
  });
});

describe('the plan checks can fail', () => {
  it('two live buffers put on the same bytes are reported, and corrupt the run through the arena', () => {
    const { g, a, c } = skipConnection();
    const plan = planMemory(g);
    arenaBufferOf(plan, c)!.offset = arenaBufferOf(plan, a)!.offset;
    expect(checkMemoryPlan(plan).join('\n')).toMatch(/share bytes while both are live/);
    const inputs = inputsFor(g);
    expect(runThroughArena(g, plan, inputs)).not.toEqual(runGraph(g, inputs));
  });

  it('a buffer that ends one step early is poisoned before its last reader', () => {
    const { g, a } = skipConnection();
    const plan = planMemory(g, { inPlace: false });
    arenaBufferOf(plan, a)!.last = 2;
    const inputs = inputsFor(g);
    expect(runThroughArena(g, plan, inputs)).not.toEqual(runGraph(g, inputs));
  });
});

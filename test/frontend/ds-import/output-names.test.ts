// `dsc import` keeps an ONNX model's output names: the .ds it writes names its results, so the graph
// compiled from that .ds has the outputs the ONNX model had (where the names are .ds identifiers).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/diag/diagnostic.js';
import { compileDs } from '../../../src/frontend/ds/compile.js';
import { importToDs } from '../../../src/frontend/onnx-to-ds/emit.js';
import { runGraph } from '../../../src/ir/interp.js';
import { Tensor } from '../../../src/ir/tensor.js';
import { fixed32Field, lenField, stringField, varintField } from '../../formats/proto-encode.js';

const F32 = 1;

/** ValueInfoProto of a tensor; a string dim is symbolic. */
function valueInfo(name: string, elemType: number, dims: (number | string)[]): number[] {
  const shape = dims.flatMap((d) => lenField(1, typeof d === 'number' ? varintField(1, d) : stringField(2, d)));
  return [...stringField(1, name), ...lenField(2, lenField(1, [...varintField(1, elemType), ...lenField(2, shape)]))];
}

function node(op: string, inputs: string[], outputs: string[]): number[] {
  return [...inputs.flatMap((i) => stringField(1, i)), ...outputs.flatMap((o) => stringField(2, o)), ...stringField(3, `${op}_0`), ...stringField(4, op)];
}

/** An ONNX model: the first output is MatMul(x, fc.weight), a second (when given) is Relu of the first. */
function modelBytes(outputs: string[]): Uint8Array {
  const weight = [...varintField(1, 2), ...varintField(1, 3), ...varintField(2, F32), ...[1, -2, 3, 4, 5, -6].flatMap((v) => fixed32Field(4, v)), ...stringField(8, 'fc.weight')];
  const nodes = [node('MatMul', ['x', 'fc.weight'], [outputs[0]]), ...(outputs.length > 1 ? [node('Relu', [outputs[0]], [outputs[1]])] : [])];
  const graph = [
    ...nodes.flatMap((n) => lenField(1, n)),
    ...stringField(2, 'g'),
    ...lenField(5, weight),
    ...lenField(11, valueInfo('x', F32, ['N', 2])),
    ...outputs.flatMap((name) => lenField(12, valueInfo(name, F32, ['N', 3]))),
  ];
  const opset = [...stringField(1, ''), ...varintField(2, 17)];
  return new Uint8Array([...varintField(1, 8), ...lenField(8, opset), ...lenField(7, graph)]);
}

const DSC = fileURLToPath(new URL('../../../bin/dsc.js', import.meta.url));

function writeModel(outputs: string[]): { dir: string; onnx: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dsc-import-names-'));
  const onnx = join(dir, 'net.onnx');
  writeFileSync(onnx, modelBytes(outputs));
  return { dir, onnx };
}

function importAndCompile(outputs: string[]) {
  const { dir, onnx } = writeModel(outputs);
  const imported = importToDs(onnx);
  const compiled = compileDs(imported.source, join(dir, 'net.ds'));
  expect(compiled.diagnostics.map((d) => formatDiagnostic(d, compiled.sources)).join('\n')).toBe('');
  return { source: imported.source, graph: compiled.graph!, weights: imported.weights };
}

describe('dsc import keeps output names', () => {
  it('an output named logits is the compiled graph output logits', () => {
    const { source, graph, weights } = importAndCompile(['logits']);
    expect(source).toContain('forward(x: f32[N, 2]) -> logits: f32[N, 3] {');
    expect(graph.outputs.map((o) => o.name)).toEqual(['logits']);
    const x = Tensor.fromNumbers('f32', [1, 2], [1, 1]);
    const out = runGraph(graph, new Map([['x', x]]), { weights });
    expect(Array.from(out.get('logits')!.numbers())).toEqual([5, 3, -3]);
  });

  it('a name that is not a .ds identifier keeps the default, without a word', () => {
    const { source, graph } = importAndCompile(['logits', '1st']);
    expect(source).toContain('-> (logits: f32[N, 3], f32[N, 3]) {');
    expect(source).not.toContain('1st:');
    expect(graph.outputs.map((o) => o.name)).toEqual(['logits', 'output1']);
  });

  it('dsc import then dsc check shows the output as logits', () => {
    const { dir, onnx } = writeModel(['logits']);
    const ds = join(dir, 'net.ds');
    const dsc = (...args: string[]) => spawnSync(process.execPath, [DSC, ...args], { encoding: 'utf8' });
    const imported = dsc('import', onnx, '-o', ds);
    expect(imported.status, imported.stderr).toBe(0);
    const checked = dsc('check', ds);
    expect(checked.status, checked.stderr).toBe(0);
    expect(checked.stdout).toContain('(x: f32[N, 2]) -> (logits: f32[N, 3])');
  });
});

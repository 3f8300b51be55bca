import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, decodeTensorProto, onnxDTypeToDType, onnxTensorToTensor } from '../../src/formats/onnx-proto.js';
import { OnnxTensor } from '../../src/formats/onnx-types.js';
import { diagnosticOf, expectDiagnostic } from './expect-diagnostic.js';
import { fixed32Field, lenField, stringField, varintField } from './proto-encode.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/formats');
const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';
const HAVE_NODE_TESTS = existsSync(NODE_TESTS);
if (!HAVE_NODE_TESTS) {
  // CI installs libonnx-testdata, so there its absence is a failure, not a reason to skip.
  if (process.env.CI) throw new Error(`${NODE_TESTS} is absent; .ci/run installs libonnx-testdata`);
  console.warn(`skipping ONNX test-suite decoding: ${NODE_TESTS} is absent (Debian package libonnx-testdata)`);
}

const read = (path: string) => new Uint8Array(readFileSync(path));

describe.skipIf(!HAVE_NODE_TESTS)('decodeModel on the ONNX backend test suite', () => {
  it('decodes a Conv model: ops, attributes, opsets, input shapes', () => {
    const file = join(NODE_TESTS, 'test_conv_with_strides_padding/model.onnx');
    const model = decodeModel(read(file), file);
    expect(model.irVersion).toBe(6);
    expect(model.producerName).toBe('backend-test');
    expect([...model.opsets]).toEqual([['', 11]]);
    const [conv] = model.graph.nodes;
    expect(conv.opType).toBe('Conv');
    expect(conv.inputs).toEqual(['x', 'W']);
    expect(conv.outputs).toEqual(['y']);
    expect(conv.attributes.get('kernel_shape')).toEqual({ type: 'ints', value: [3, 3] });
    expect(conv.attributes.get('pads')).toEqual({ type: 'ints', value: [1, 1, 1, 1] });
    expect(conv.attributes.get('strides')).toEqual({ type: 'ints', value: [2, 2] });
    expect(model.graph.inputs).toEqual([
      { name: 'x', tensor: { elemType: 1, shape: [1, 1, 7, 5] } },
      { name: 'W', tensor: { elemType: 1, shape: [1, 1, 3, 3] } },
    ]);
  });

  it('decodes tensor attributes stored in float_data', () => {
    const file = join(NODE_TESTS, 'test_constant/model.onnx');
    const attr = decodeModel(read(file), file).graph.nodes[0].attributes.get('value');
    if (attr?.type !== 'tensor') throw new Error('expected a tensor attribute');
    const t = onnxTensorToTensor(attr.value, { file });
    expect(t.shape).toEqual([5, 5]);
    expect(Array.from(t.data as Float32Array).slice(0, 4)).toEqual([1.7640524, 0.4001572, 0.978738, 2.2408931].map(Math.fround));
  });

  it('decodes subgraph attributes', () => {
    const file = join(NODE_TESTS, 'test_if/model.onnx');
    const model = decodeModel(read(file), file);
    expect(model.graph.inputs).toEqual([{ name: 'cond', tensor: { elemType: 9, shape: [] } }]);
    const then = model.graph.nodes[0].attributes.get('then_branch');
    if (then?.type !== 'graph') throw new Error('expected a graph attribute');
    expect(then.value.name).toBe('then_body');
    expect(then.value.outputs.map((o) => o.name)).toEqual(['then_out']);
    const value = then.value.nodes[0].attributes.get('value');
    if (value?.type !== 'tensor') throw new Error('expected a tensor attribute');
    expect(Array.from(onnxTensorToTensor(value.value, { file }).data as Float32Array)).toEqual([1, 2, 3, 4, 5]);
  });

  it('decodes test-data .pb tensors to the values numpy reads', () => {
    const pb = (test: string, name: string) => {
      const file = join(NODE_TESTS, test, 'test_data_set_0', name);
      return onnxTensorToTensor(decodeTensorProto(read(file), file), { file });
    };
    const x = pb('test_conv_with_strides_padding', 'input_0.pb');
    expect(x.shape).toEqual([1, 1, 7, 5]);
    expect(Array.from(x.data as Float32Array)).toEqual(Array.from({ length: 35 }, (_, i) => i));
    expect(Array.from(pb('test_conv_with_strides_padding', 'output_0.pb').data as Float32Array).slice(0, 6)).toEqual([12, 27, 24, 63, 108, 81]);
    const ends = pb('test_slice_end_out_of_bounds', 'input_2.pb');
    expect(ends.dtype).toBe('i64');
    expect(Array.from(ends.data as BigInt64Array)).toEqual([1000n]);
    const half = pb('test_cast_FLOAT_to_FLOAT16', 'output_0.pb');
    expect(half.dtype).toBe('f16');
    expect(Array.from(half.data as Uint16Array).slice(0, 4)).toEqual([14436, 14777, 14546, 14428]);
    const cond = pb('test_if', 'input_0.pb');
    expect(cond.dtype).toBe('bool');
    expect(cond.shape).toEqual([]);
    expect(Array.from(cond.data as Uint8Array)).toEqual([1]);
  });

  it('reports STRING tensors as unsupported, naming tensor and file', () => {
    const file = join(NODE_TESTS, 'test_cast_FLOAT_to_STRING/test_data_set_0/output_0.pb');
    const t = decodeTensorProto(read(file), file);
    expect(expectDiagnostic(() => onnxTensorToTensor(t, { file }), file, 'DSC1005'))
      .toBe(`tensor 'output' in ${file} has dtype STRING, which dsc does not support`);
  });

  it('gives only diagnostics for every truncation and every flipped byte of a model', () => {
    const whole = read(join(NODE_TESTS, 'test_conv_with_strides_padding/model.onnx'));
    for (let n = 0; n < whole.length; n++) diagnosticOf(() => decodeModel(whole.subarray(0, n), 'cut.onnx'), 'cut.onnx');
    for (let i = 0; i < whole.length; i++) {
      const flipped = whole.slice();
      flipped[i] ^= 0xff;
      diagnosticOf(() => decodeModel(flipped, 'flip.onnx'), 'flip.onnx');
    }
    const cut = expectDiagnostic(() => decodeModel(whole.subarray(0, 60), 'model.onnx'), 'model.onnx', 'DSC1004');
    expect(cut).toMatch(/^model\.onnx: truncated or corrupt protobuf at byte \d+ \(in \w+(\.\w+)*\)/);
  });
});

describe('onnxTensorToTensor on typed fields of every dtype', () => {
  const file = join(FIXTURES, 'typed_fields.onnx');
  const model = decodeModel(read(file), file);
  const byName = new Map(model.graph.initializers.map((t) => [t.name, t]));
  const convert = (name: string) => onnxTensorToTensor(byName.get(name)!, { file });

  it('converts floats, doubles and f16 bits from their typed fields', () => {
    expect(byName.get('f32')!.raw).toBeUndefined();
    expect(convert('f32').shape).toEqual([2, 2]);
    expect(Array.from(convert('f32').data as Float32Array)).toEqual([0.5, -1.5, 2.25, 3]);
    expect(Array.from(convert('f64').data as Float64Array)).toEqual([0.1, -1e200, 2.5, 3]);
    expect(Array.from(convert('f16').numbers())).toEqual([0.5, -1.5, 2.25, 65504]);
    expect(convert('scalar').shape).toEqual([]);
    expect(Array.from(convert('scalar').data as Float32Array)).toEqual([7]);
  });

  it('converts integer and bool fields at their limits', () => {
    expect(Array.from(convert('i8').data as Int8Array)).toEqual([0, 1, -2, 3]);
    expect(Array.from(convert('u8').data as Uint8Array)).toEqual([0, 1, 2, 255]);
    expect(Array.from(convert('i16').data as Int16Array)).toEqual([0, 1, -2, -32768]);
    expect(Array.from(convert('u16').data as Uint16Array)).toEqual([0, 1, 2, 65535]);
    expect(Array.from(convert('i32').data as Int32Array)).toEqual([0, 1, -2, -2147483648]);
    expect(Array.from(convert('u32').data as Uint32Array)).toEqual([0, 1, 2, 4294967295]);
    expect(Array.from(convert('i64').data as BigInt64Array)).toEqual([0n, -1n, 2n ** 62n + 1n, -(2n ** 63n)]);
    expect(Array.from(convert('u64').data as BigUint64Array)).toEqual([2n ** 64n - 1n, 5n]);
    expect(convert('bool').dtype).toBe('bool');
    expect(Array.from(convert('bool').data as Uint8Array)).toEqual([1, 0, 1]);
  });

  it('names the tensor and file for STRING data', () => {
    expect(expectDiagnostic(() => convert('names'), file, 'DSC1005'))
      .toBe(`tensor 'names' in ${file} has dtype STRING, which dsc does not support`);
  });

  it('maps ONNX dtype numbers', () => {
    expect(onnxDTypeToDType(1)).toBe('f32');
    expect(onnxDTypeToDType(16)).toBe('bf16');
    expect(onnxDTypeToDType(8)).toBeUndefined();
    expect(onnxDTypeToDType(14)).toBeUndefined();
  });

  it('reads raw_data from an unaligned position and checks its length', () => {
    const raw = new Uint8Array(13).subarray(1);
    new DataView(raw.buffer, raw.byteOffset).setFloat32(4, -3.5, true);
    const t: OnnxTensor = { name: 'w', dataType: 1, dims: [3], raw };
    expect(Array.from(onnxTensorToTensor(t, { file: 'm.onnx' }).data as Float32Array)).toEqual([0, -3.5, 0]);
    expect(expectDiagnostic(() => onnxTensorToTensor({ ...t, dims: [4] }, { file: 'm.onnx' }), 'm.onnx', 'DSC1004'))
      .toBe("tensor 'w' in m.onnx: raw_data holds 12 bytes, dims [4] of FLOAT needs 16");
    expect(expectDiagnostic(() => onnxTensorToTensor({ name: 'v', dataType: 1, dims: [2], floatData: [1] }, { file: 'm.onnx' }), 'm.onnx', 'DSC1004'))
      .toBe("tensor 'v' in m.onnx: float_data holds 1 values, dims [2] need 2");
    expect(expectDiagnostic(() => onnxTensorToTensor({ name: 'u', dataType: 7, dims: [1000000, 1000000] }, { file: 'm.onnx' }), 'm.onnx', 'DSC1004'))
      .toBe("tensor 'u' in m.onnx: holds no data, dims [1000000, 1000000] need 1000000000000");
  });
});

describe('external data', () => {
  const file = join(FIXTURES, 'external_gemm.onnx');
  const model = decodeModel(read(file), file);
  const weight = model.graph.initializers.find((t) => t.name === 'weight')!;
  const bias = model.graph.initializers.find((t) => t.name === 'bias')!;

  it('decodes locations and reads the data next to the model', () => {
    expect(model.graph.inputs).toEqual([{ name: 'x', tensor: { elemType: 1, shape: ['N', 4] } }]);
    expect(weight.external).toEqual({ location: 'external_gemm.bin', offset: 0, length: 48 });
    expect(bias.external).toEqual({ location: 'external_gemm.bin', offset: 48, length: 12 });
    const w = onnxTensorToTensor(weight, { file });
    expect(w.shape).toEqual([3, 4]);
    expect(Array.from(w.data as Float32Array)).toEqual(Array.from({ length: 12 }, (_, i) => i - 5));
    expect(Array.from(onnxTensorToTensor(bias, { file }).data as Float32Array)).toEqual([0.25, -0.5, 1]);
  });

  it('uses baseDir and readFile when given', () => {
    const seen: string[] = [];
    const data = new Uint8Array(60);
    new DataView(data.buffer).setFloat32(48, 9, true);
    const t = onnxTensorToTensor(bias, { file: 'mem.onnx', baseDir: '/models', readFile: (p) => { seen.push(p); return data; } });
    expect(seen).toEqual(['/models/external_gemm.bin']);
    expect(Array.from(t.data as Float32Array)).toEqual([9, 0, 0]);
  });

  it('reports a missing file, out-of-bounds ranges and escaping paths', () => {
    const errors: [OnnxTensor, string][] = [
      [{ ...bias, external: { location: 'absent.bin', offset: 0 } }, "tensor 'bias' in model.onnx: external data file 'absent.bin' cannot be read (ENOENT)"],
      [{ ...bias, external: { location: 'external_gemm.bin', offset: 56, length: 12 } }, "tensor 'bias' in model.onnx: external data at offset 56 with length 12 runs past the end of 'external_gemm.bin' (60 bytes)"],
      [{ ...bias, external: { location: 'external_gemm.bin', offset: 0, length: 8 } }, "tensor 'bias' in model.onnx: external data length is 8 bytes, but the tensor needs 12"],
      [{ ...bias, external: { location: '../formats/external_gemm.bin', offset: 0 } }, "tensor 'bias' in model.onnx has external data at '../formats/external_gemm.bin', which leaves the model's directory"],
      [{ ...bias, external: { location: join(FIXTURES, 'external_gemm.bin'), offset: 0 } }, `tensor 'bias' in model.onnx has external data at the absolute path '${join(FIXTURES, 'external_gemm.bin')}'; only paths relative to the model are allowed`],
    ];
    for (const [t, message] of errors) {
      expect(expectDiagnostic(() => onnxTensorToTensor(t, { file: 'model.onnx', baseDir: FIXTURES }), 'model.onnx', 'DSC1006')).toBe(message);
    }
  });
});

describe('decodeModel on hand-built messages', () => {
  const tensorProto = (extra: number[]) => [...varintField(1, 2), ...varintField(2, 1), ...stringField(8, 'w'), ...extra];
  const modelWithGraph = (graph: number[]) => new Uint8Array([...varintField(1, 8), ...lenField(7, graph)]);

  it('reads negative ints, untyped (IR v1) attributes and opset domains', () => {
    const attr = (body: number[]) => lenField(5, body);
    const node = [
      ...stringField(4, 'Softmax'), ...stringField(7, 'ai.onnx'),
      ...attr([...stringField(1, 'axis'), ...varintField(3, -1), ...varintField(20, 2)]),
      ...attr([...stringField(1, 'alpha'), ...fixed32Field(2, 0.5)]),
      ...attr([...stringField(1, 'end'), ...varintField(3, 2n ** 63n - 1n)]),
    ];
    const bytes = new Uint8Array([
      ...varintField(1, 3), ...lenField(8, [...stringField(1, 'ai.onnx'), ...varintField(2, 9)]),
      ...lenField(8, [...stringField(1, 'com.microsoft'), ...varintField(2, 1)]), ...lenField(7, lenField(1, node)),
    ]);
    const model = decodeModel(bytes, 'hand.onnx');
    expect([...model.opsets]).toEqual([['', 9], ['com.microsoft', 1]]);
    const n = model.graph.nodes[0];
    expect(n.domain).toBe('');
    expect(n.attributes.get('axis')).toEqual({ type: 'int', value: -1 });
    expect(n.attributes.get('alpha')).toEqual({ type: 'float', value: 0.5 });
    expect(n.attributes.get('end')).toEqual({ type: 'int', value: 9223372036854775807 });
  });

  it('rejects sparse initializers, segmented tensors, bad external fields and graphless models', () => {
    expect(expectDiagnostic(() => decodeModel(modelWithGraph([...stringField(2, 'g'), ...lenField(15, [])]), 's.onnx'), 's.onnx', 'DSC1007'))
      .toBe("s.onnx: graph 'g' has sparse initializers, which dsc does not support");
    expect(expectDiagnostic(() => decodeModel(modelWithGraph(lenField(5, tensorProto(lenField(3, varintField(1, 0))))), 's.onnx'), 's.onnx', 'DSC1007'))
      .toContain("tensor 'w' is segmented");
    const entry = (k: string, v: string) => lenField(13, [...stringField(1, k), ...stringField(2, v)]);
    const badOffset = tensorProto([...entry('location', 'w.bin'), ...entry('offset', '-4'), ...varintField(14, 1)]);
    expect(expectDiagnostic(() => decodeModel(modelWithGraph(lenField(5, badOffset)), 'e.onnx'), 'e.onnx', 'DSC1006'))
      .toBe("tensor 'w' in e.onnx has external data offset '-4', which is not a byte count");
    const noLocation = tensorProto(varintField(14, 1));
    expect(expectDiagnostic(() => decodeModel(modelWithGraph(lenField(5, noLocation)), 'e.onnx'), 'e.onnx', 'DSC1006')).toContain('without a location');
    expect(expectDiagnostic(() => decodeModel(new Uint8Array(varintField(1, 8)), 'g.onnx'), 'g.onnx', 'DSC1004')).toContain('has no graph');
  });

  it('names the message and field where the bytes went wrong', () => {
    const bytes = modelWithGraph([...lenField(1, [...stringField(4, 'Relu'), 0x2a, 10, 1])]);
    expect(expectDiagnostic(() => decodeModel(bytes, 'model.onnx'), 'model.onnx', 'DSC1004'))
      .toBe('model.onnx: truncated or corrupt protobuf at byte 13 (in NodeProto.attribute): length 10 runs past the end (1 bytes left)');
    const wrongType = modelWithGraph(lenField(1, varintField(4, 1)));
    expect(expectDiagnostic(() => decodeModel(wrongType, 'model.onnx'), 'model.onnx', 'DSC1004')).toContain('(in NodeProto.op_type)');
  });
});

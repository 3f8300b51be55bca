import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, readSafetensorsWithMetadata, writeSafetensors } from '../../src/formats/safetensors.js';
import { Tensor } from '../../src/ir/tensor.js';
import { DTYPES, DType } from '../../src/ir/dtype.js';
import { diagnosticOf, expectDiagnostic } from './expect-diagnostic.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/formats');

/** A safetensors file from a header object and a data section, laid out by hand. */
function safetensorsBytes(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const SAMPLE: Record<DType, Tensor> = {
  f32: Tensor.fromNumbers('f32', [2, 3], [0.5, -1, 2.25, 1e30, -0, 7]),
  f16: Tensor.fromNumbers('f16', [3], [1, -0.5, 65504]),
  bf16: Tensor.fromNumbers('bf16', [2], [1, -2.5]),
  f64: Tensor.fromNumbers('f64', [2], [Math.PI, -1e300]),
  i8: Tensor.fromNumbers('i8', [3], [-128, 0, 127]),
  u8: Tensor.fromNumbers('u8', [3], [0, 1, 255]),
  i16: Tensor.fromNumbers('i16', [2], [-32768, 32767]),
  u16: Tensor.fromNumbers('u16', [2], [0, 65535]),
  i32: Tensor.fromNumbers('i32', [2, 1], [-2147483648, 2147483647]),
  u32: Tensor.fromNumbers('u32', [2], [0, 4294967295]),
  i64: new Tensor('i64', [3], BigInt64Array.from([2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n])),
  u64: new Tensor('u64', [2], BigUint64Array.from([2n ** 64n - 1n, 2n ** 53n + 1n])),
  bool: Tensor.fromNumbers('bool', [], [1]),
};

describe('writeSafetensors / readSafetensors round trip', () => {
  it('keeps every dtype exactly, with metadata', () => {
    const bytes = writeSafetensors(SAMPLE, { format: 'pt', note: 'ünïcode' });
    const { tensors, metadata } = readSafetensorsWithMetadata(bytes, 'all.safetensors');
    expect(metadata).toEqual({ format: 'pt', note: 'ünïcode' });
    expect([...tensors.keys()].sort()).toEqual([...DTYPES].sort());
    for (const dtype of DTYPES) {
      const t = tensors.get(dtype)!;
      expect(t.dtype, dtype).toBe(dtype);
      expect(t.shape, dtype).toEqual(SAMPLE[dtype].shape);
      expect(t.data, dtype).toEqual(SAMPLE[dtype].data);
    }
  });

  it('is deterministic: sorted keys, space-padded 8-aligned header, naturally aligned data', () => {
    const forward = writeSafetensors(new Map([['b', SAMPLE.u8], ['a', SAMPLE.f64], ['c', SAMPLE.f16]]));
    const backward = writeSafetensors(new Map([['c', SAMPLE.f16], ['a', SAMPLE.f64], ['b', SAMPLE.u8]]));
    expect(forward).toEqual(backward);
    const headerLength = new DataView(forward.buffer).getUint32(0, true);
    expect(headerLength % 8).toBe(0);
    const text = new TextDecoder().decode(forward.subarray(8, 8 + headerLength));
    expect(text).toBe(text.trimEnd() + ' '.repeat(text.length - text.trimEnd().length));
    const header = JSON.parse(text);
    expect(Object.keys(header)).toEqual(['a', 'b', 'c']);
    expect(header.a).toEqual({ dtype: 'F64', shape: [2], data_offsets: [0, 16] });
    expect(header.c).toEqual({ dtype: 'F16', shape: [3], data_offsets: [16, 22] });
    expect(header.b).toEqual({ dtype: 'U8', shape: [3], data_offsets: [22, 25] });
  });

  it('shares aligned data with the file and copies unaligned data', () => {
    const bytes = writeSafetensors({ w: SAMPLE.f32 });
    const aligned = readSafetensors(bytes, 'a.safetensors').get('w')!;
    expect(aligned.data.buffer).toBe(bytes.buffer);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const unaligned = readSafetensors(shifted.subarray(1), 'u.safetensors').get('w')!;
    expect(unaligned.data.buffer).not.toBe(shifted.buffer);
    expect(unaligned.data).toEqual(SAMPLE.f32.data);
  });

  it('reads a file laid out by an independent writer', () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'reference.safetensors')));
    const { tensors, metadata } = readSafetensorsWithMetadata(bytes, 'reference.safetensors');
    expect(metadata).toEqual({ format: 'pt', source: 'make_format_fixtures.py' });
    expect([...tensors.keys()]).toEqual(['weight', 'step', 'half', 'mask']);
    expect(Array.from(tensors.get('weight')!.data as Float32Array)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(tensors.get('weight')!.shape).toEqual([2, 3]);
    expect(tensors.get('step')!.shape).toEqual([]);
    expect((tensors.get('step')!.data as BigInt64Array)[0]).toBe(2n ** 60n + 3n);
    expect(Array.from(tensors.get('half')!.numbers())).toEqual([1, -2.5, 3.140625]);
    expect(tensors.get('mask')!.dtype).toBe('bool');
    expect(Array.from(tensors.get('mask')!.data as Uint8Array)).toEqual([1, 0, 0, 1]);
  });

  it('refuses tensor names it cannot write', () => {
    expect(() => writeSafetensors({ __metadata__: SAMPLE.u8 })).toThrow(/__metadata__/);
  });
});

describe('readSafetensors on malformed files', () => {
  const entry = (dtype: string, shape: number[], offsets: number[]) => ({ dtype, shape, data_offsets: offsets });
  const cases: [string, Uint8Array, string, string][] = [
    ['a header length beyond the cap', (() => { const b = new Uint8Array(16); new DataView(b.buffer).setUint32(4, 1, true); return b; })(), 'DSC1003', 'exceeds the limit'],
    ['a header length past the end', (() => { const b = new Uint8Array(16); b[0] = 200; return b; })(), 'DSC1003', 'runs past the end'],
    ['invalid JSON', (() => { const b = safetensorsBytes({}); b[8] = 0x5b; return b; })(), 'DSC1003', 'not valid UTF-8 JSON'],
    ['a JSON array header', safetensorsBytes([1, 2]), 'DSC1003', 'not a JSON object'],
    ['an unknown dtype', safetensorsBytes({ w: entry('F8_E4M3', [1], [0, 1]) }, new Uint8Array(1)), 'DSC1005', "tensor 'w' has dtype F8_E4M3"],
    ['a negative dim', safetensorsBytes({ w: entry('U8', [-1], [0, 1]) }, new Uint8Array(1)), 'DSC1003', "tensor 'w': shape"],
    ['offsets past the data', safetensorsBytes({ w: entry('U8', [4], [0, 4]) }, new Uint8Array(2)), 'DSC1003', "tensor 'w': data_offsets [0, 4] run past"],
    ['begin after end', safetensorsBytes({ w: entry('U8', [0], [2, 1]) }, new Uint8Array(2)), 'DSC1003', "tensor 'w': data_offsets [2, 1] begin after"],
    ['a size mismatch', safetensorsBytes({ w: entry('F32', [3], [0, 8]) }, new Uint8Array(8)), 'DSC1003', "tensor 'w': data holds 8 bytes, shape [3] of F32 needs 12"],
    ['overlapping tensors', safetensorsBytes({ a: entry('U8', [4], [0, 4]), b: entry('U8', [4], [2, 6]) }, new Uint8Array(6)), 'DSC1003', "tensors 'a' and 'b' overlap"],
    ['a hole', safetensorsBytes({ a: entry('U8', [2], [0, 2]), b: entry('U8', [2], [4, 6]) }, new Uint8Array(6)), 'DSC1003', 'bytes 2 to 4 of the data section belong to no tensor'],
    ['trailing bytes', safetensorsBytes({ a: entry('U8', [2], [0, 2]) }, new Uint8Array(5)), 'DSC1003', '3 bytes after the last tensor'],
    ['non-string metadata', safetensorsBytes({ __metadata__: { n: 1 } }), 'DSC1003', '__metadata__'],
    ['a missing data_offsets', safetensorsBytes({ w: { dtype: 'U8', shape: [1] } }, new Uint8Array(1)), 'DSC1003', "tensor 'w': data_offsets"],
  ];
  for (const [what, bytes, code, text] of cases) {
    it(`reports ${what}`, () => {
      expect(expectDiagnostic(() => readSafetensors(bytes, 'model.safetensors'), 'model.safetensors', code)).toContain(text);
    });
  }

  it('gives only diagnostics for every truncation and every flipped byte', () => {
    const whole = writeSafetensors({ a: SAMPLE.f32, b: SAMPLE.i64, c: SAMPLE.bool }, { k: 'v' });
    for (let n = 0; n < whole.length; n++) {
      expect(diagnosticOf(() => readSafetensors(whole.subarray(0, n), 'cut.safetensors'), 'cut.safetensors'), `length ${n}`).toBeDefined();
    }
    for (let i = 0; i < whole.length; i++) {
      const flipped = whole.slice();
      flipped[i] ^= 0xff;
      diagnosticOf(() => readSafetensors(flipped, 'flip.safetensors'), 'flip.safetensors');
    }
  });
});

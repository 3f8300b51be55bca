import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNpy, writeNpy } from '../../src/formats/npy.js';
import { Tensor } from '../../src/ir/tensor.js';
import { DTYPES, DType } from '../../src/ir/dtype.js';
import { DiagnosticError } from '../../src/diag/diagnostic.js';
import { diagnosticOf, expectDiagnostic } from './expect-diagnostic.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/formats');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));

/** A .npy v1.0 file with the given header dict text and data bytes. */
function npyBytes(dict: string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const header = new TextEncoder().encode(dict + '\n');
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(header, 10);
  out.set(data, 10 + header.length);
  return out;
}

describe('writeNpy / readNpy round trip', () => {
  const sample: Record<Exclude<DType, 'bf16'>, Tensor> = {
    f32: Tensor.fromNumbers('f32', [2, 3], [0.5, -1, 2.25, 1e30, -0, 7]),
    f16: Tensor.fromNumbers('f16', [3], [1, -0.5, 65504]),
    f64: Tensor.fromNumbers('f64', [2], [Math.PI, -1e300]),
    i8: Tensor.fromNumbers('i8', [3], [-128, 0, 127]),
    u8: Tensor.fromNumbers('u8', [3], [0, 1, 255]),
    i16: Tensor.fromNumbers('i16', [2], [-32768, 32767]),
    u16: Tensor.fromNumbers('u16', [2], [0, 65535]),
    i32: Tensor.fromNumbers('i32', [2, 1], [-2147483648, 2147483647]),
    u32: Tensor.fromNumbers('u32', [2], [0, 4294967295]),
    i64: new Tensor('i64', [3], BigInt64Array.from([2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n])),
    u64: new Tensor('u64', [2], BigUint64Array.from([2n ** 64n - 1n, 2n ** 53n + 1n])),
    bool: Tensor.fromNumbers('bool', [2, 2], [1, 0, 0, 1]),
  };
  for (const dtype of DTYPES.filter((d): d is Exclude<DType, 'bf16'> => d !== 'bf16')) {
    it(`keeps ${dtype} exactly`, () => {
      const back = readNpy(writeNpy(sample[dtype]), 'x.npy');
      expect(back.dtype).toBe(dtype);
      expect(back.shape).toEqual(sample[dtype].shape);
      expect(back.data).toEqual(sample[dtype].data);
    });
  }

  it('keeps a scalar and an empty tensor', () => {
    const scalar = readNpy(writeNpy(Tensor.scalar('f32', 2.5)), 's.npy');
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float32Array)).toEqual([2.5]);
    const empty = readNpy(writeNpy(Tensor.zeros('i32', [0, 4])), 'e.npy');
    expect(empty.shape).toEqual([0, 4]);
    expect(empty.size).toBe(0);
  });

  it('writes the header numpy writes, with the data on a 64-byte boundary', () => {
    const bytes = writeNpy(Tensor.fromNumbers('f32', [3, 4], new Array(12).fill(0)));
    const headerLength = bytes[8] | (bytes[9] << 8);
    expect((10 + headerLength) % 64).toBe(0);
    const header = new TextDecoder().decode(bytes.subarray(10, 10 + headerLength));
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }");
    expect(header.endsWith('\n')).toBe(true);
  });

  it('writes byte-for-byte what numpy wrote for C-order little-endian arrays', () => {
    for (const name of ['bool.npy', 'f16.npy', 'i64_large.npy', 'u64_large.npy', 'scalar_f32.npy', 'empty_f32.npy']) {
      expect(writeNpy(readNpy(fixture(name), name)), name).toEqual(fixture(name));
    }
  });

  it('refuses bf16, which numpy cannot hold, naming the tensor', () => {
    try {
      writeNpy(Tensor.fromNumbers('bf16', [1], [1]), 'layer.weight');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DiagnosticError);
      expect((e as DiagnosticError).diagnostics[0].code).toBe('DSC1005');
      expect((e as DiagnosticError).message).toContain("tensor 'layer.weight' has dtype bf16");
    }
  });
});

describe('readNpy on files numpy wrote', () => {
  it('transposes fortran-order data into C order', () => {
    const t = readNpy(fixture('fortran_f32.npy'), 'fortran_f32.npy');
    expect(t.shape).toEqual([2, 3, 4]);
    expect(Array.from(t.data as Float32Array)).toEqual(Array.from({ length: 24 }, (_, i) => i));
  });

  it('byte-swaps big-endian data', () => {
    const f = readNpy(fixture('big_endian_f64.npy'), 'big_endian_f64.npy');
    expect(f.dtype).toBe('f64');
    expect(Array.from(f.data as Float64Array)).toEqual([1.5, -2.25, 1e300]);
    const i = readNpy(fixture('big_endian_i32.npy'), 'big_endian_i32.npy');
    expect(i.shape).toEqual([2, 2]);
    expect(Array.from(i.data as Int32Array)).toEqual([1, -2, 70000, -70000]);
  });

  it('reads version 2.0 and 3.0 headers', () => {
    expect(fixture('v2_header_i16.npy')[6]).toBe(2);
    expect(Array.from(readNpy(fixture('v2_header_i16.npy'), 'v2.npy').data as Int16Array)).toEqual([-3, 0, 3]);
    expect(fixture('v3_header_u8.npy')[6]).toBe(3);
    expect(Array.from(readNpy(fixture('v3_header_u8.npy'), 'v3.npy').data as Uint8Array)).toEqual([0, 7, 255]);
  });

  it('reads scalars, bools, f16 bits and 64-bit integers beyond 2^53', () => {
    const s = readNpy(fixture('scalar_f32.npy'), 'scalar_f32.npy');
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data as Float32Array)).toEqual([3.5]);
    const b = readNpy(fixture('bool.npy'), 'bool.npy');
    expect(b.dtype).toBe('bool');
    expect(b.shape).toEqual([2, 3]);
    expect(Array.from(b.data as Uint8Array)).toEqual([1, 0, 1, 0, 0, 1]);
    const h = readNpy(fixture('f16.npy'), 'f16.npy');
    expect(Array.from(h.data as Uint16Array)).toEqual([0x3c00, 0xb800, 0x7bff, 0x0001]);
    expect(Array.from(readNpy(fixture('i64_large.npy'), 'i.npy').data as BigInt64Array)).toEqual([2n ** 62n + 1n, -(2n ** 63n), 2n ** 63n - 1n]);
    expect(Array.from(readNpy(fixture('u64_large.npy'), 'u.npy').data as BigUint64Array)).toEqual([2n ** 64n - 1n, 2n ** 53n + 1n]);
    expect(readNpy(fixture('empty_f32.npy'), 'e.npy').shape).toEqual([0, 3]);
  });
});

describe('readNpy on malformed files', () => {
  it('rejects a wrong magic string', () => {
    const bytes = fixture('bool.npy');
    bytes[1] = 0x41;
    expect(expectDiagnostic(() => readNpy(bytes, 'bad.npy'), 'bad.npy', 'DSC1002')).toContain('not a .npy file');
  });

  it('reports a data length that does not match the shape', () => {
    const dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }";
    expect(expectDiagnostic(() => readNpy(npyBytes(dict, new Uint8Array(40)), 'x.npy'), 'x.npy', 'DSC1002'))
      .toBe('x.npy: data holds 40 bytes, shape (3, 4) of <f4 needs 48');
  });

  it('rejects header dicts that are not exactly descr, fortran_order and shape', () => {
    const bad = [
      "{'descr': '<f4', 'fortran_order': False}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), 'extra': 1}",
      "{'descr': '<f4', 'fortran_order': 0, 'shape': (3,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,) 'x'}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': __import__('os')}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'descr': '<f4'}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
      "{'descr': '<f4",
      '',
    ];
    for (const dict of bad) {
      expectDiagnostic(() => readNpy(npyBytes(dict, new Uint8Array(12)), 'h.npy'), 'h.npy', 'DSC1002');
    }
  });

  it('reports dtypes dsc does not read as DSC1005', () => {
    for (const descr of ['<c8', '<U3', '|O', '<M8[ns]', '<f16']) {
      const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (1,), }`;
      expect(expectDiagnostic(() => readNpy(npyBytes(dict, new Uint8Array(16)), 'd.npy'), 'd.npy', 'DSC1005')).toContain(descr);
    }
    const structured = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (3,)}";
    expect(expectDiagnostic(() => readNpy(npyBytes(structured, new Uint8Array(12)), 's.npy'), 's.npy', 'DSC1005')).toContain('structured');
  });

  it('rejects a header length that runs past the end of the file', () => {
    const bytes = fixture('bool.npy').slice(0, 20);
    expect(expectDiagnostic(() => readNpy(bytes, 't.npy'), 't.npy', 'DSC1002')).toContain('truncated header');
  });

  it('gives only diagnostics for every truncation and every flipped byte', () => {
    const whole = fixture('fortran_f32.npy');
    for (let n = 0; n < whole.length; n++) {
      expect(diagnosticOf(() => readNpy(whole.subarray(0, n), 'cut.npy'), 'cut.npy'), `length ${n}`).toBeDefined();
    }
    for (let i = 0; i < whole.length; i++) {
      const flipped = whole.slice();
      flipped[i] ^= 0xff;
      diagnosticOf(() => readNpy(flipped, 'flip.npy'), 'flip.npy');
    }
  });
});

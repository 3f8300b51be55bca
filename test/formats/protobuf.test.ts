import { describe, expect, it } from 'vitest';
import { ProtoReader, ProtobufError, WIRE_FIXED32, WIRE_VARINT } from '../../src/formats/protobuf.js';
import { fixed32Field, lenField, tag, varint, varintField } from './proto-encode.js';

const reader = (bytes: number[]) => new ProtoReader(new Uint8Array(bytes), 'Test');

function errorOf(read: () => unknown): ProtobufError {
  try {
    read();
  } catch (e) {
    if (e instanceof ProtobufError) return e;
    throw e;
  }
  throw new Error('expected a ProtobufError');
}

describe('ProtoReader', () => {
  it('reads varints as numbers and bigints, signed and unsigned', () => {
    expect(reader([0x96, 0x01]).uint64()).toBe(150);
    expect(reader(varint(2n ** 53n - 1n)).uint64()).toBe(2 ** 53 - 1);
    expect(reader(varint(2n ** 64n - 1n)).uint64Big()).toBe(2n ** 64n - 1n);
    expect(reader(varint(-1)).int64()).toBe(-1);
    expect(reader(varint(-1)).int64Big()).toBe(-1n);
    expect(reader(varint(-(2n ** 63n))).int64Big()).toBe(-(2n ** 63n));
    expect(reader(varint(2n ** 63n - 1n)).int64()).toBe(9223372036854775807);
    expect(reader(varint(-5)).int32()).toBe(-5);
    expect(reader(varint(-123456789012)).int64()).toBe(-123456789012);
  });

  it('reads fixed-width values', () => {
    const r = reader([0, 0, 0xc0, 0x3f, 1, 0, 0, 0, ...new Uint8Array(new Float64Array([-2.5]).buffer), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect(r.float()).toBe(1.5);
    expect(r.fixed32()).toBe(1);
    expect(r.double()).toBe(-2.5);
    expect(r.fixed64Big()).toBe(2n ** 64n - 1n);
    expect(r.done()).toBe(true);
  });

  it('reads packed and unpacked repeated fields into one list', () => {
    const packedInts = lenField(1, [...varint(3), ...varint(-1), ...varint(300)]);
    const bytes = [...packedInts, ...varintField(1, 7), ...lenField(2, [0, 0, 0x80, 0x3f, 0, 0, 0, 0x40]), ...fixed32Field(2, 3)];
    const r = reader(bytes);
    const ints: number[] = [];
    const floats: number[] = [];
    while (!r.done()) {
      const { field, wireType } = r.tag();
      if (field === 1) r.repeated(wireType, WIRE_VARINT, (p) => p.int64(), ints);
      else r.repeated(wireType, WIRE_FIXED32, (p) => p.float(), floats);
    }
    expect(ints).toEqual([3, -1, 300, 7]);
    expect(floats).toEqual([1, 2, 3]);
  });

  it('skips unknown fields of every wire type and rejects groups', () => {
    const bytes = [...varintField(9, 2n ** 63n), ...tag(10, 1), 1, 2, 3, 4, 5, 6, 7, 8, ...lenField(11, [1, 2, 3]), ...tag(12, 5), 1, 2, 3, 4, ...varintField(1, 42)];
    const r = reader(bytes);
    let found = 0;
    while (!r.done()) {
      const { field, wireType } = r.tag();
      if (field === 1) found = r.uint64();
      else r.skip(wireType);
    }
    expect(found).toBe(42);
    const group = reader([...tag(3, 3), ...tag(3, 4)]);
    expect(errorOf(() => group.skip(group.tag().wireType)).reason).toContain('groups');
    const invalid = reader(tag(3, 7));
    expect(errorOf(() => invalid.skip(invalid.tag().wireType)).reason).toContain('invalid wire type 7');
  });

  it('reports truncation and lying lengths with the byte offset and field', () => {
    const lying = reader([...varintField(1, 1), ...tag(2, 2), ...varint(1000), 1, 2]);
    lying.tag(); lying.uint64(); lying.tag();
    const e = errorOf(() => lying.bytes());
    expect(e.offset).toBe(3);
    expect(e.field).toBe(2);
    expect(e.message).toBe('length 1000 runs past the end (2 bytes left) at byte 3 (in Test field 2)');
    expect(errorOf(() => reader([0x80, 0x80]).uint64()).reason).toBe('truncated varint');
    expect(errorOf(() => reader(new Array(11).fill(0xff)).uint64()).reason).toContain('longer than 10 bytes');
    expect(errorOf(() => reader([1, 2]).double()).reason).toContain('truncated');
    expect(errorOf(() => reader([0]).tag()).reason).toBe('invalid field number');
    const sub = new ProtoReader(new Uint8Array([3, 1, 2, 3]), 'Outer').message('Inner');
    expect(errorOf(() => sub.double()).messageName).toBe('Inner');
  });

  it('bounds message nesting and checks packed fixed-width lengths', () => {
    let bytes: number[] = [];
    for (let i = 0; i < 150; i++) bytes = lenField(1, bytes);
    const descend = (r: ProtoReader): void => { while (!r.done()) { r.tag(); descend(r.message('Nested')); } };
    expect(errorOf(() => descend(reader(bytes))).reason).toContain('nested more than 100 deep');
    const odd = reader(lenField(1, [0, 0, 0]));
    const { wireType } = odd.tag();
    expect(errorOf(() => odd.repeated(wireType, WIRE_FIXED32, (p) => p.float(), [])).reason).toContain('multiple of 4');
    const wrong = reader(varintField(1, 1));
    expect(errorOf(() => wrong.expect(wrong.tag().wireType, 2)).reason).toContain('wire type 0 where 2 was expected');
  });
});

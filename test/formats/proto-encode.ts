// A minimal protobuf encoder for building test messages byte by byte.

export function varint(value: bigint | number): number[] {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? low | 0x80 : low);
  } while (v);
  return out;
}

export const tag = (field: number, wireType: number) => varint((field << 3) | wireType);
export const varintField = (field: number, value: bigint | number) => [...tag(field, 0), ...varint(value)];
export const lenField = (field: number, payload: ArrayLike<number>) => [...tag(field, 2), ...varint(payload.length), ...Array.from(payload)];
export const stringField = (field: number, s: string) => lenField(field, new TextEncoder().encode(s));
export function fixed32Field(field: number, value: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, true);
  return [...tag(field, 5), ...b];
}

// A small, bounds-checked reader for the protobuf wire format. Every read checks the remaining
// bytes first, so a lying length or a truncated file ends in a ProtobufError, never a RangeError.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_START_GROUP = 3;
export const WIRE_END_GROUP = 4;
export const WIRE_FIXED32 = 5;

/** Malformed wire data: `offset` is absolute in the outermost buffer, `message`/`field` say where. */
export class ProtobufError extends Error {
  constructor(readonly offset: number, readonly reason: string, readonly messageName: string, readonly field: number) {
    super(`${reason} at byte ${offset} (in ${messageName}${field > 0 ? ` field ${field}` : ''})`);
    this.name = 'ProtobufError';
  }
}

export class ProtoReader {
  pos: number;
  /** field number of the last tag read, for error messages */
  field = 0;
  /** how many messages enclose this one; bounded so hostile nesting cannot exhaust the stack */
  depth = 0;
  private readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    readonly messageName: string,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  done(): boolean {
    return this.pos >= this.end;
  }

  fail(reason: string, at = this.pos): never {
    throw new ProtobufError(at, reason, this.messageName, this.field);
  }

  private need(n: number): void {
    if (n > this.end - this.pos) this.fail(`truncated: needs ${n} more bytes, ${this.end - this.pos} left`);
  }

  /** Reads a tag; returns the field number and wire type. */
  tag(): { field: number; wireType: number } {
    const start = this.pos;
    const [lo, hi] = this.varint64();
    const wireType = lo & 7;
    const field = hi === 0 ? lo >>> 3 : -1;
    if (field <= 0 || field > 0x1fffffff) this.fail('invalid field number', start);
    this.field = field;
    return { field, wireType };
  }

  /** Raw 64-bit varint as [low 32 bits, high 32 bits], both unsigned. */
  private varint64(): [number, number] {
    let lo = 0;
    let hi = 0;
    const start = this.pos;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint', start);
      const b = this.buf[this.pos++];
      const bits = b & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) { lo |= (bits & 0x0f) << 28; hi |= bits >>> 4; }
      else hi |= bits << (7 * i - 32);
      if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0];
    }
    return this.fail('varint longer than 10 bytes', start);
  }

  /** Unsigned varint as a number (exact below 2^53). */
  uint64(): number {
    const [lo, hi] = this.varint64();
    return hi * 4294967296 + lo;
  }

  /** int64 varint (two's complement) as a number; beyond 2^53 it rounds to the nearest double. */
  int64(): number {
    const [lo, hi] = this.varint64();
    return (hi | 0) * 4294967296 + lo;
  }

  uint64Big(): bigint {
    const [lo, hi] = this.varint64();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  int64Big(): bigint {
    return BigInt.asIntN(64, this.uint64Big());
  }

  /** int32 and enum fields: the low 32 bits of the varint, signed. */
  int32(): number {
    return this.varint64()[0] | 0;
  }

  float(): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  fixed32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed64Big(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Length-delimited payload as a view into the buffer (no copy). */
  bytes(): Uint8Array {
    const start = this.pos;
    const len = this.uint64();
    if (len > this.end - this.pos) this.fail(`length ${len} runs past the end (${this.end - this.pos} bytes left)`, start);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    return UTF8.decode(this.bytes());
  }

  /** A reader over the next length-delimited payload, for an embedded message. */
  message(messageName: string): ProtoReader {
    const start = this.pos;
    const len = this.uint64();
    if (len > this.end - this.pos) this.fail(`length ${len} runs past the end (${this.end - this.pos} bytes left)`, start);
    if (this.depth >= MAX_DEPTH) this.fail(`messages nested more than ${MAX_DEPTH} deep`, start);
    const sub = new ProtoReader(this.buf, messageName, this.pos, this.pos + len);
    sub.depth = this.depth + 1;
    this.pos += len;
    return sub;
  }

  /** Skips a field of any wire type; groups are deprecated and rejected. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT: this.varint64(); return;
      case WIRE_FIXED64: this.need(8); this.pos += 8; return;
      case WIRE_LEN: this.bytes(); return;
      case WIRE_FIXED32: this.need(4); this.pos += 4; return;
      case WIRE_START_GROUP: case WIRE_END_GROUP: this.fail('protobuf groups are not supported');
      default: this.fail(`invalid wire type ${wireType}`);
    }
  }

  /** Fails unless a known field arrived with the wire type its schema gives. */
  expect(wireType: number, expected: number): void {
    if (wireType !== expected) this.fail(`wire type ${wireType} where ${expected} was expected`);
  }

  /**
   * One or more elements of a repeated scalar field, packed (wire type 2) or not. `wireType` is the
   * tag's, `elementWire` the element encoding (varint, fixed32 or fixed64).
   */
  repeated<T>(wireType: number, elementWire: number, readOne: (r: ProtoReader) => T, out: T[]): void {
    if (wireType === elementWire) {
      out.push(readOne(this));
      return;
    }
    if (wireType !== WIRE_LEN) this.fail(`wire type ${wireType} for a repeated field of wire type ${elementWire}`);
    const packed = this.message(this.messageName);
    packed.field = this.field;
    const width = elementWire === WIRE_FIXED32 ? 4 : elementWire === WIRE_FIXED64 ? 8 : 0;
    if (width && (packed.end - packed.pos) % width !== 0) packed.fail(`packed field length is not a multiple of ${width}`);
    while (!packed.done()) out.push(readOne(packed));
  }
}

const UTF8 = new TextDecoder('utf-8');
const MAX_DEPTH = 100;

// The LeNet-5 example's digit for the example projects: reads a float32 .npy (as train.py writes it)
// and names the most likely class of a row of logits with its softmax probability.
import { readFileSync } from 'node:fs';

/** A little-endian float32 .npy file as { data, shape }. */
export function readFloat32Npy(path) {
  const bytes = readFileSync(path);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  if (!header.includes("'descr': '<f4'")) throw new Error(`${path}: expected float32 data`);
  const shape = /'shape': \(([^)]*)\)/.exec(header)[1].split(',').filter((s) => s.trim()).map(Number);
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length));
  return { data, shape };
}

/** The most likely class of one row of logits, and its softmax probability. */
export function topClass(logits) {
  const values = Array.from(logits);
  const max = Math.max(...values);
  const sum = values.reduce((a, v) => a + Math.exp(v - max), 0);
  const index = values.indexOf(max);
  return { index, p: 1 / sum };
}

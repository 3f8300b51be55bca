// The Quick start's model: LeNet-5 trained on scikit-learn's digits (examples/lenet5/train.py). The
// committed weights reach the held-out accuracy the example's README states, through the reference
// interpreter, and `dsc run` names the predicted class of the committed held-out image.
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, topClasses } from '../../src/cli/main.js';
import { checkWeights } from '../../src/frontend/ds/compile.js';
import { loadModel } from '../../src/frontend/load.js';
import { readNpy } from '../../src/formats/npy.js';
import { readSafetensors } from '../../src/formats/safetensors.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';

const LENET5 = join(import.meta.dirname, '..', '..', 'examples', 'lenet5');
const read = (name: string) => readNpy(readFileSync(join(LENET5, name)), name);

/** train.py's input encoding: 8x8 values 0..16 scaled to 0..1, each repeated over a 4x4 block. */
function modelInputs(blocks: Tensor): Tensor {
  const [count, rows, cols] = blocks.shape;
  const out = new Float32Array(count * rows * 4 * cols * 4);
  for (let n = 0; n < count; n++)
    for (let y = 0; y < rows * 4; y++)
      for (let x = 0; x < cols * 4; x++) out[(n * rows * 4 + y) * cols * 4 + x] = Number(blocks.data[(n * rows + (y >> 2)) * cols + (x >> 2)]) / 16;
  return new Tensor('f32', [count, 1, rows * 4, cols * 4], out);
}

function argmaxRows(t: Tensor): number[] {
  const [rows, cols] = t.shape;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < cols; c++) if (t.data[r * cols + c] > t.data[r * cols + best]) best = c;
    return best;
  });
}

describe('the trained LeNet-5 example', () => {
  const graph = loadModel(join(LENET5, 'lenet5.ds'));
  const weights = readSafetensors(readFileSync(join(LENET5, 'lenet5.safetensors')), 'lenet5.safetensors');

  it('reaches the held-out accuracy its README states', () => {
    expect(checkWeights(graph, weights, 'lenet5.safetensors')).toEqual([]);
    const stated = /held-out accuracy[^\n]*?(\d+) of (\d+)/.exec(readFileSync(join(LENET5, 'README.md'), 'utf8'));
    expect(stated, 'README states "held-out accuracy ... C of N"').not.toBeNull();
    const [correctStated, total] = [Number(stated![1]), Number(stated![2])];

    const images = read('heldout.npy');
    const labels = read('heldout_labels.npy');
    expect(images.shape).toEqual([total, 8, 8]);
    const logits = runGraph(graph, new Map([['image', modelInputs(images)]]), { weights }).get(graph.outputs[0].name)!;
    const predicted = argmaxRows(logits);
    const correct = predicted.filter((p, i) => p === Number(labels.data[i])).length;
    expect(correct).toBeGreaterThanOrEqual(correctStated);
    expect(correct / total).toBeGreaterThan(0.95);
  });

  it("the Quick start's digit is a held-out image, and dsc run names its class", async () => {
    const digit = read('digit.npy');
    const images = read('heldout.npy');
    const labels = read('heldout_labels.npy');
    const inputs = modelInputs(images);
    const index = labels.data.findIndex((l, i) => Number(l) === 7 && inputs.data.slice(i * 1024, (i + 1) * 1024).every((v, k) => v === digit.data[k]));
    expect(index, 'digit.npy is a held-out 7').toBeGreaterThanOrEqual(0);

    const out: string[] = [];
    const code = await main(['run', join(LENET5, 'lenet5.ds'), '--weights', join(LENET5, 'lenet5.safetensors'), '--input', `image=${join(LENET5, 'digit.npy')}`, '--out', mkdtempSync(join(tmpdir(), 'dsc-quickstart-'))],
      { out: (s) => out.push(s), err: (s) => out.push(s) });
    expect(code, out.join('\n')).toBe(0);
    const line = out.find((s) => s.includes('top class'));
    expect(line, out.join('\n')).toMatch(/^ {2}top class: 7 \(p 0\.\d{4}\)$/);
    expect(Number(/p (0\.\d+)/.exec(line!)![1])).toBeGreaterThan(0.9);
  });
});

describe('dsc run --top', () => {
  const logits = new Tensor('f32', [1, 4], Float32Array.from([1, 3, 2, 0]));

  it('takes the softmax of logits, most likely first', () => {
    const top = topClasses(logits, 2)!;
    expect(top.map((c) => c.index)).toEqual([1, 2]);
    const sum = Math.exp(1) + Math.exp(3) + Math.exp(2) + Math.exp(0);
    expect(top[0].p).toBeCloseTo(Math.exp(3) / sum, 6);
    expect(top[1].p).toBeCloseTo(Math.exp(2) / sum, 6);
  });

  it('keeps scores that already form a distribution', () => {
    const top = topClasses(new Tensor('f32', [4], Float32Array.from([0.1, 0.2, 0.6, 0.1])), 1)!;
    expect(top).toEqual([{ index: 2, p: expect.closeTo(0.6, 6) }]);
  });

  it('says nothing for outputs that are not one row of class scores, or with --top 0', () => {
    expect(topClasses(new Tensor('f32', [2, 4], new Float32Array(8)), 1)).toBeUndefined();
    expect(topClasses(new Tensor('f32', [1, 1], new Float32Array(1)), 1)).toBeUndefined();
    expect(topClasses(new Tensor('i32', [1, 4], new Int32Array(4)), 1)).toBeUndefined();
    expect(topClasses(logits, 0)).toBeUndefined();
  });

  it('rejects a count that is not a number', async () => {
    const err: string[] = [];
    const code = await main(['run', 'model.onnx', '--top', 'x', '--out', 'o'], { out: () => {}, err: (s) => err.push(s) });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('--top expects a count');
  });
});

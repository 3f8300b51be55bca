// Writes the web example's assets into a folder: the page (index.html, main.js), LeNet-5 compiled by
// the wgsl target into model/ (browser.js, model.js, weights.safetensors) and the drawn digit as
// digit.json. Serve the folder over HTTP and open index.html in a browser with WebGPU.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileToPackage } from '../../src/codegen/compile.js';
import { checkWeights } from '../../src/frontend/ds/compile.js';
import { loadModel } from '../../src/frontend/load.js';
import { readNpy } from '../../src/formats/npy.js';
import { readSafetensors } from '../../src/formats/safetensors.js';
import { DiagnosticError } from '../../src/diag/diagnostic.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const LENET5 = join(HERE, '..', 'lenet5');

/** The drawn digit as the page reads it: shape and values of the model's input. */
export interface DigitAsset { shape: number[]; data: number[] }

export async function buildWebExample(outDir: string): Promise<void> {
  const model = join(LENET5, 'lenet5.ds');
  const weightsFile = join(LENET5, 'lenet5.safetensors');
  const graph = loadModel(model);
  const weights = readSafetensors(readFileSync(weightsFile), weightsFile);
  const problems = checkWeights(graph, weights, weightsFile);
  if (problems.length) throw new DiagnosticError(problems);
  graph.weights = weights;
  await compileToPackage(graph, join(outDir, 'model'), { target: 'wgsl', packageName: 'lenet5-webgpu' });

  const digitFile = join(LENET5, 'digit.npy');
  const digit = readNpy(readFileSync(digitFile), digitFile);
  const asset: DigitAsset = { shape: [...digit.shape], data: Array.from(digit.data as Float32Array) };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'digit.json'), JSON.stringify(asset) + '\n');
  for (const page of ['index.html', 'main.js']) copyFileSync(join(HERE, page), join(outDir, page));
}

// README.md of a generated package: how to install it, its typed API, how to call it (also from a
// worker thread), the weights it reads and the PyTorch keys it skips, and tables of its inputs,
// outputs and parameters, all read from the manifest.
import { DTYPE_INFO } from '../../ir/dtype.js';
import { parseDim } from '../../ir/dim.js';
import { ManifestTensor, ModelManifest } from '../abi.js';
import { arrayTypeName, inputType, outputType, propertyKey } from './bindings.js';

const code = (s: string) => '`' + s + '`';
const shapeText = (t: ManifestTensor) => `[${t.shape.join(', ')}]`;

/** Element count of a static shape, or the dims as a product when some are symbolic. */
function countText(t: ManifestTensor): string {
  return t.shape.every((d) => /^[0-9]+$/.test(d)) ? String(t.shape.reduce((n, d) => n * Number(d), 1)) : t.shape.join(' × ');
}

/** Example dims: each symbol is given 2 so the example runs a small batch. */
function exampleShape(t: ManifestTensor, symbols: ReadonlyMap<string, number>): number[] {
  return t.shape.map((d) => {
    const parsed = parseDim(d);
    if (typeof parsed === 'number') return parsed;
    let value = 0;
    for (const [mono, c] of parsed.poly) {
      let term = c;
      for (const atom of mono === '' ? [] : mono.split('·')) {
        const a = parsed.atoms.get(atom)!;
        term *= a.k === 'sym' ? symbols.get(a.name) ?? 2 : 2;
      }
      value += term;
    }
    return Math.max(1, value);
  });
}

/** The typed API of the package's Model, with this model's Inputs and Outputs spelled out. */
function apiBlock(manifest: ModelManifest, packageName: string): string {
  const props = (ts: ManifestTensor[], type: (t: ManifestTensor) => string) => ts.map((t) => `  ${propertyKey(t.name)}: ${type(t)};`).join('\n');
  return `\`\`\`ts
// index.d.ts of ${packageName}, in short
interface Tensor<A, S> { data: A; shape: S }
interface RunProfile { totalMs: number; kernels: { kernel: string; ms: number }[] }
interface Inputs {
${props(manifest.inputs, inputType)}
}
interface Outputs {
${props(manifest.outputs, outputType)}
}
declare class Model {
  static load(weights?: string | Uint8Array, options?: { threads?: number; profile?: boolean }): Promise<Model>;
  run(inputs: Inputs): Promise<Outputs>;    // on a libuv worker thread
  runSync(inputs: Inputs): Outputs;         // on the calling thread
  readonly lastProfile: RunProfile | null;  // kernel times of the last run, with { profile: true }
  dispose(): void;
}
\`\`\``;
}

/** What a package says about its weights, on every target: the names read, and the PyTorch keys skipped. */
export function weightNamesText(manifest: ModelManifest, totalBytes: number): string {
  const ignored = manifest.ignoredParams ?? [];
  const skipped = ignored.length
    ? `the ${ignored.length} tensor${ignored.length > 1 ? 's' : ''} the model declares but does not read (${ignored.length > 12 ? `${ignored.slice(0, 12).map(code).join(', ')}, …` : ignored.map(code).join(', ')}) and any ${code('*.num_batches_tracked')}`
    : `any ${code('*.num_batches_tracked')} (BatchNorm's step counter)`;
  return `${code('Model.load')} reads ${manifest.params.length} tensors (${totalBytes} bytes) by name from a safetensors
file; the names are the PyTorch ${code('state_dict')} keys, so a state_dict saved with
${code('safetensors.torch.save_file(model.state_dict(), path)')} loads unchanged. It skips ${skipped}.
Any other tensor that is not a parameter is an Error naming it (${code('error.code')} DSC4007).`;
}

/** The bytes of the parameters. */
export function parameterBytes(manifest: ModelManifest): number {
  return manifest.params.reduce((n, t) => n + t.shape.reduce((m, d) => m * Number(d), 1) * DTYPE_INFO[t.dtype].bytes, 0);
}

function weightsSection(manifest: ModelManifest, totalBytes: number): string {
  return `${weightNamesText(manifest, totalBytes)} A missing tensor, or one of another dtype or shape, is an Error naming the
tensor and the file (DSC4005, DSC4006).

- ${code("Model.load('path/weights.safetensors')")}: the file is memory-mapped; a relative path is resolved
  against the process's working directory, as Node's ${code('fs')} does.
- ${code('Model.load(bytes)')}: a ${code('Uint8Array')} of the file, copied.
- ${code('Model.load()')}: the ${code('weights.safetensors')} bundled in this package, when ${code('dsc compile')}
  wrote one (models that carry their weights, such as ONNX ones); otherwise an Error asks for the weights.`;
}

export function packageReadme(manifest: ModelManifest, packageName: string): string {
  const symbols = new Map(manifest.symbols.map((s) => [s.name, 2]));
  const table = (rows: ManifestTensor[], withArray: boolean) =>
    [
      withArray ? '| name | dtype | shape | JavaScript array |' : '| name | dtype | shape | elements |',
      withArray ? '| --- | --- | --- | --- |' : '| --- | --- | --- | ---: |',
      ...rows.map((t) => `| ${code(t.name)} | ${t.dtype} | ${code(shapeText(t))} | ${withArray ? arrayTypeName(t.dtype) : countText(t)} |`),
    ].join('\n');
  const totalBytes = parameterBytes(manifest);
  const exampleInputs = manifest.inputs.map((t) => {
    const shape = exampleShape(t, symbols);
    const count = shape.reduce((a, b) => a * b, 1);
    return `${propertyKey(t.name)}: { data: new ${arrayTypeName(t.dtype)}(${count}), shape: [${shape.join(', ')}] }`;
  });
  const firstOutput = manifest.outputs[0];
  const outputAccess = firstOutput ? (/^[A-Za-z_$][\w$]*$/.test(firstOutput.name) ? `outputs.${firstOutput.name}` : `outputs[${JSON.stringify(firstOutput.name)}]`) : 'outputs';

  return `# ${packageName}

Model ${code(manifest.name)}, compiled ahead of time by dsc into a native Node addon (C++ kernels,
node-addon-api) with TypeScript bindings whose types carry the names, dtypes and shapes below.

## Install

\`npm install <this folder or its tarball>\` runs the package's install step, which builds the addon
(cmake ≥ 3.15 and a C++17 compiler with OpenMP; nothing is downloaded while building).

## API

${apiBlock(manifest, packageName)}

The same ${code('load')}, ${code('run')} (a Promise), ${code('lastProfile')} and ${code('dispose')} exist in the
packages dsc compiles for WebGPU (${code('--target wgsl')}), so switching targets changes no calling code;
${code('runSync')} is the native addon's own.

## Use

\`\`\`ts
import { Model } from '${packageName}';

const model = await Model.load('weights.safetensors', { threads: 4 });
const outputs = await model.run({
${exampleInputs.map((l) => `  ${l},`).join('\n')}
});
console.log(${outputAccess}${firstOutput ? '.shape' : ''});
model.dispose();
\`\`\`

- ${code('run(inputs)')} runs on a libuv worker thread and copies the inputs first, so they may be reused at
  once; ${code('runSync(inputs)')} runs on the calling thread without the copy. Inputs are checked before
  any kernel runs: an unknown or missing name, a typed array of the wrong class, a length that does not
  match the shape, or a shape that does not match the model gives an Error naming the input
  (${code('error.code')} is dsc's diagnostic code, e.g. DSC4004).
${manifest.symbols.length ? `- Symbolic dims (${manifest.symbols.map((s) => code(s.name)).join(', ')}) take their values from the inputs and may change from call to call.\n` : ''}- An input whose shape is fully static may be passed as a bare typed array.
- Runs of one model are serialized (they share its workspace); ${code('dispose()')} releases the weights and
  workspace at once instead of at garbage collection.
- ${code("Model.load(weights, { profile: true })")}: after each run, ${code('model.lastProfile')} is
  ${code('{ totalMs, kernels: [{ kernel, ms }] }')}, one entry per kernel call; ${code('dsc profile')} prints the
  same times per kernel with their GFLOP/s, GB/s and share of the machine's peak.

f16 and bf16 tensors are carried as their 16-bit patterns in a Uint16Array; bool as bytes 0/1 in a Uint8Array.

## From a worker thread

The addon is context-aware: each worker thread loads its own ${code('Model')}, and runs in different threads
proceed in parallel.

\`\`\`js
// worker.js
const { parentPort } = require('node:worker_threads');
const { Model } = require('${packageName}');

const loaded = Model.load('weights.safetensors');
parentPort.on('message', async (inputs) => {
  const model = await loaded;
  parentPort.postMessage(await model.run(inputs));
});
\`\`\`

\`\`\`js
// main.js
const { Worker } = require('node:worker_threads');

const worker = new Worker('./worker.js');
worker.once('message', (outputs) => {
  console.log(${outputAccess}${firstOutput ? '.shape' : ''});
  worker.terminate();
});
worker.postMessage({ ${exampleInputs.join(', ')} });
\`\`\`

## Weights

${weightsSection(manifest, totalBytes)}

## Inputs

${table(manifest.inputs, true)}

## Outputs

${table(manifest.outputs, true)}

## Parameters

${table(manifest.params, false)}
`;
}

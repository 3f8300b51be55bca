// README.md of a generated package: how to install and call it, and tables of its inputs, outputs
// and parameters, all read from the manifest.
import { DTYPE_INFO } from '../../ir/dtype.js';
import { parseDim } from '../../ir/dim.js';
import { ManifestTensor, ModelManifest } from '../abi.js';
import { arrayTypeName } from './bindings.js';

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

export function packageReadme(manifest: ModelManifest, packageName: string): string {
  const symbols = new Map(manifest.symbols.map((s) => [s.name, 2]));
  const table = (rows: ManifestTensor[], withArray: boolean) =>
    [
      withArray ? '| name | dtype | shape | JavaScript array |' : '| name | dtype | shape | elements |',
      withArray ? '| --- | --- | --- | --- |' : '| --- | --- | --- | ---: |',
      ...rows.map((t) => `| ${code(t.name)} | ${t.dtype} | ${code(shapeText(t))} | ${withArray ? arrayTypeName(t.dtype) : countText(t)} |`),
    ].join('\n');
  const totalBytes = manifest.params.reduce(
    (n, t) => n + t.shape.reduce((m, d) => m * Number(d), 1) * DTYPE_INFO[t.dtype].bytes,
    0,
  );
  const exampleInputs = manifest.inputs.map((t) => {
    const shape = exampleShape(t, symbols);
    const count = shape.reduce((a, b) => a * b, 1);
    return `  ${/^[A-Za-z_$][\w$]*$/.test(t.name) ? t.name : JSON.stringify(t.name)}: { data: new ${arrayTypeName(t.dtype)}(${count}), shape: [${shape.join(', ')}] },`;
  });
  const firstOutput = manifest.outputs[0];
  const outputAccess = firstOutput
    ? /^[A-Za-z_$][\w$]*$/.test(firstOutput.name) ? `outputs.${firstOutput.name}` : `outputs[${JSON.stringify(firstOutput.name)}]`
    : 'outputs';

  return `# ${packageName}

Model ${code(manifest.name)}, compiled ahead of time by dsc into a native Node addon (C++ kernels,
node-addon-api, built by cmake-js) with TypeScript bindings whose types carry the names, dtypes and
shapes below.

## Install

\`npm install\` builds the addon (cmake ≥ 3.15 and a C++17 compiler with OpenMP are needed; nothing is
downloaded while building).

## Use

\`\`\`ts
import { Model } from '${packageName}';

const model = await Model.load('weights.safetensors', { threads: 4 });
const outputs = model.run({
${exampleInputs.join('\n')}
});
console.log(${outputAccess}${firstOutput ? '.shape' : ''});
model.dispose();
\`\`\`

- ${code('Model.load(path | Uint8Array, { threads })')}: a path is memory-mapped, bytes are copied. Every
  parameter below must be in the file with its dtype and shape, and nothing else; otherwise the Error
  names the tensor and the file.
- ${code('run(inputs)')} runs on the calling thread; ${code('runAsync(inputs)')} on a libuv worker thread
  (its inputs are copied first). Inputs are checked before any kernel runs: an unknown or missing name, a
  typed array of the wrong class, a length that does not match the shape, or a shape that does not match
  the model gives an Error naming the input (${code('error.code')} is dsc's diagnostic code, e.g. DSC4004).
${manifest.symbols.length ? `- Symbolic dims (${manifest.symbols.map((s) => code(s.name)).join(', ')}) take their values from the inputs and may change from call to call.\n` : ''}- An input whose shape is fully static may be passed as a bare typed array.
- Each worker thread loads its own ${code('Model')}; runs of one model are serialized (they share its workspace).
- ${code('dispose()')} releases the weights and workspace at once instead of at garbage collection.

f16 and bf16 tensors are carried as their 16-bit patterns in a Uint16Array; bool as bytes 0/1 in a Uint8Array.

## Inputs

${table(manifest.inputs, true)}

## Outputs

${table(manifest.outputs, true)}

## Parameters

${manifest.params.length} tensors, ${totalBytes} bytes, read from a safetensors file
(names are the PyTorch ${code('state_dict')} keys).

${table(manifest.params, false)}
`;
}

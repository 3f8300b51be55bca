// Golden files of what `dsc compile` writes for the MLP and ResNet-18: the package's TypeScript
// bindings (index.d.ts, index.js) and ResNet-18's model.cc, and byte-identical generation run twice.
import { describe, expect, it } from 'vitest';
import { generatePackage } from '../../src/codegen/compile.js';
import { generateCpu } from '../../src/codegen/cpu/generate.js';
import { emitBindings } from '../../src/codegen/package/bindings.js';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { EXPORTED, exportMissing, modelFiles } from './architectures.js';

const MODELS = ['mlp', 'resnet18'];

/** Everything the compile driver generates for one model, as text. */
function generatedText(name: string): Map<string, string> {
  const graph = importOnnxFile(modelFiles(name).model);
  const gen = generatePackage(graph, { target: 'cpu' });
  const bindings = emitBindings(gen.manifest);
  return new Map([
    ['manifest.json', JSON.stringify(gen.manifest)],
    ...[...gen.kernelFiles].map(([path, text]) => [`src/${path}`, text] as [string, string]),
    ['index.d.ts', bindings.dts],
    ['index.js', bindings.js],
    // the golden model.cc is the code generator's output for the imported graph, as for test/codegen's models
    ['model.cc', generateCpu(graph).files.get('model.cc')!],
  ]);
}

for (const name of MODELS) {
  describe(`${name}: generated package files`, () => {
    const state = EXPORTED.has(name) ? exportMissing([name]) : { unavailable: [] };
    if (state.reason && process.env.CI) throw new Error(`${state.reason}; CI must install python3-torch and python3-onnx`);
    if (state.reason) console.warn(`skipping ${name} golden files: ${state.reason}`);
    const files = state.reason ? undefined : generatedText(name);

    it.skipIf(!files)('are byte-identical when generated twice', () => {
      const again = generatedText(name);
      expect([...again.keys()]).toEqual([...files!.keys()]);
      for (const [path, text] of files!) expect(again.get(path) === text, `${name} ${path} differs between two runs`).toBe(true);
    }, 120_000);

    const goldens = name === 'mlp' ? ['index.d.ts', 'index.js'] : ['index.d.ts', 'index.js', 'model.cc'];
    it.skipIf(!files).each(goldens)(`%s matches its golden file`, async (path) => {
      await expect(files!.get(path)).toMatchFileSnapshot(`../codegen/golden/${name}.${path}`);
    });
  });
}

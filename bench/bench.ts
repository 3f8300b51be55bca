// `npm run bench`: batch-1 latency of each reference ONNX architecture, in three parts, each writing
// its own section of bench/RESULTS.md:
//   cpu      the compiled CPU package against onnxruntime-node at 1 and 2 threads (bench/cpu.ts)
//   wgsl     the wgsl build in Node on lavapipe, a software Vulkan device (bench/wgsl-node.ts)
//   browser  the wgsl package in headless Chromium (SwiftShader) against onnxruntime-web's WebGPU and
//            wasm backends (bench/browser.ts)
// Flags: --only cpu,wgsl,browser picks parts (default all); --models a,b picks models and then only
// prints (RESULTS.md keeps whole tables only); --slow adds the models too slow for a default run of the
// browser part (ResNet-18 on SwiftShader). Each figure is a median; contenders run in alternating
// time slices so that load from other processes hits them alike.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileToPackage } from '../src/codegen/compile.js';
import { importOnnxFile } from '../src/frontend/onnx/import.js';
import { BenchModel, benchCpu, ortReference } from './cpu.js';
import { WgslModel, benchWgslNode } from './wgsl-node.js';
import { benchBrowser } from './browser.js';
import { EXPORTED, MODELS, RESULTS, exportMissing, firstBatch, modelFiles, onInterrupt } from './common.js';

const PARTS = ['cpu', 'wgsl', 'browser'] as const;
type Part = (typeof PARTS)[number];

function usage(message: string): never {
  console.error(`${message}\nusage: npm run bench -- [--only ${PARTS.join(',')}] [--models ${MODELS.join(',')}] [--slow]`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, models: { type: 'string' }, slow: { type: 'boolean' } } });
  const parts = (values.only?.split(',') ?? [...PARTS]) as Part[];
  for (const p of parts) if (!PARTS.includes(p)) usage(`unknown part '${p}'`);
  const names = values.models?.split(',') ?? MODELS;
  for (const n of names) if (!MODELS.includes(n)) usage(`unknown model '${n}'`);
  // RESULTS.md gets whole tables only: a run on some of the models prints its figures and writes nothing
  const write = values.models === undefined;
  const flags = [values.only && `--only ${values.only}`, values.slow && '--slow'].filter(Boolean).join(' ');
  const command = `\`npm run bench${flags ? ` -- ${flags}` : ''}\` (\`node scripts/build.mjs && node dist/bench.js${flags ? ` ${flags}` : ''}\`)`;

  const { unavailable, reason } = exportMissing(names.filter((m) => EXPORTED.has(m)));
  if (reason) console.warn(`${reason}; ${unavailable.join(', ')} left out`);
  const models: BenchModel[] = [];
  for (const name of names) {
    if (unavailable.includes(name)) continue;
    const files = modelFiles(name);
    models.push({ name, graph: importOnnxFile(files.model), model: files.model, input: files.input });
  }

  if (parts.includes('cpu')) await benchCpu(models, command, write);
  if (parts.includes('wgsl') || parts.includes('browser')) {
    // one wgsl package per model, as `dsc compile --target wgsl` writes it: Node runs its plan, the browser its browser.js
    const root = mkdtempSync(join(tmpdir(), 'dsc-bench-wgsl-'));
    const removeRoot = onInterrupt(() => rmSync(root, { recursive: true, force: true }));
    try {
      const wgsl: WgslModel[] = [];
      const packages = new Map<string, string>();
      for (const m of models) {
        process.stderr.write(`${m.name}: compiling for wgsl...\n`);
        const dir = join(root, m.name);
        const generated = await compileToPackage(m.graph, dir, { target: 'wgsl' });
        const reference = await ortReference(m.model, m.graph.inputs[0].name, firstBatch(m.input, 1));
        wgsl.push({ ...m, generated, reference });
        packages.set(m.name, dir);
      }
      if (parts.includes('wgsl')) await benchWgslNode(wgsl, command, write);
      if (parts.includes('browser')) await benchBrowser(wgsl, packages, command, write, values.slow === true || values.models !== undefined);
    } finally {
      removeRoot();
    }
  }
  if (write) process.stderr.write(`wrote ${RESULTS}\n`);
}

await main();

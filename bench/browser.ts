// The browser part of `npm run bench`: headless Chromium with WebGPU on its SwiftShader adapter (a
// software Vulkan device), driven over CDP by playwright-core. In one page, on the same model, input and
// adapter: dsc's wgsl package (browser.js + model.js, as `dsc compile --target wgsl` writes them),
// onnxruntime-web's WebGPU execution provider, and onnxruntime-web's wasm backend at one thread for
// reference. Each run is timed inside the page, readback included; contenders alternate in slices.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { createRequire } from 'node:module';
import { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { Page, chromium } from 'playwright-core';
import { Contender, GPU_BUDGET, agreement, budgetText, firstBatch, loadText, machine, measure, median, ms, onInterrupt, ratio, writeSection } from './common.js';
import { WgslModel } from './wgsl-node.js';
import { CHROMIUM, launchChromium } from '../test/codegen-wgsl/harness.js';

export const BROWSER_TITLE = '## WGSL in headless Chromium (SwiftShader) vs onnxruntime-web: batch-1 latency';

const TYPES: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.json': 'application/json', '.onnx': 'application/octet-stream', '.safetensors': 'application/octet-stream', '.bin': 'application/octet-stream',
};

/**
 * A static server on 127.0.0.1 at a free port: `/ort/` is onnxruntime-web's dist folder, `/m/<model>/`
 * a model's wgsl package folder plus its model.onnx and input.bin (the batch-1 input as raw f32).
 */
async function serve(ortDist: string, models: Map<string, { pkg: string; onnx: string; input: Uint8Array }>): Promise<{ server: Server; url: string }> {
  const send = (res: import('node:http').ServerResponse, path: string, body?: Uint8Array) => {
    if (!body && (!existsSync(path) || extname(path) === '')) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body ?? readFileSync(path));
  };
  const server = createServer((req, res) => {
    // cross-origin isolation gives the page a 5 µs performance.now() instead of 100 µs
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/' || path === '/index.html') return res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>dsc bench</title>');
    if (path === '/favicon.ico') return res.writeHead(204).end();
    if (path.startsWith('/ort/')) {
      const file = normalize(join(ortDist, path.slice(5)));
      return file.startsWith(ortDist) ? send(res, file) : res.writeHead(404).end();
    }
    const m = /^\/m\/([\w.-]+)\/([\w.-]+)$/.exec(path);
    const model = m && models.get(m[1]);
    if (!m || !model) return res.writeHead(404).end();
    if (m[2] === 'model.onnx') return send(res, model.onnx);
    if (m[2] === 'input.bin') return send(res, 'input.bin', model.input);
    return send(res, join(model.pkg, m[2]));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Models left out of the browser part unless `--slow` is given, and why. */
export const SLOW_IN_BROWSER: Record<string, string> = {
  resnet18: 'a single run takes tens of seconds on SwiftShader for both WebGPU contenders (the first one up to a minute), so measuring it adds about 8 minutes',
};

type Kind = 'dsc' | 'webgpu' | 'wasm';
const KINDS: Kind[] = ['dsc', 'webgpu', 'wasm'];
const LABEL: Record<Kind, string> = { dsc: 'dsc wgsl', webgpu: 'ORT-web webgpu', wasm: 'ORT-web wasm 1T' };

interface LoadArgs { key: string; kind: Kind; base: string; ort: string; inputName: string; outputName: string; shape: number[] }
interface Loaded { output?: number[]; second?: number[]; firstMs?: number; error?: string }

// The functions below run in the page (playwright serializes them): they use nothing from this module.

/** Loads one contender into the page's state under `key`, runs it once and returns its output and time. */
async function pageLoad(a: LoadArgs): Promise<Loaded> {
  type Entry = { run: () => Promise<ArrayLike<number>>; dispose: () => Promise<void> | void };
  const state = ((globalThis as unknown as { benchState?: Record<string, Entry> }).benchState ??= {});
  try {
    const x = new Float32Array(await (await fetch(`${a.base}input.bin`)).arrayBuffer());
    let entry: Entry;
    if (a.kind === 'dsc') {
      const { Model } = await import(`${a.base}browser.js`);
      const model = await Model.load(`${a.base}weights.safetensors`);
      entry = {
        run: async () => (await model.run({ [a.inputName]: { data: x, shape: a.shape } }))[a.outputName].data,
        dispose: () => model.dispose(),
      };
    } else {
      const ort = await import(`${a.ort}ort.webgpu.min.mjs`);
      ort.env.wasm.wasmPaths = a.ort;
      ort.env.wasm.numThreads = 1;
      const session = await ort.InferenceSession.create(`${a.base}model.onnx`, { executionProviders: [a.kind], graphOptimizationLevel: 'all' });
      entry = {
        run: async () => (await session.run({ [a.inputName]: new ort.Tensor('float32', x, a.shape) }))[session.outputNames[0]].data,
        dispose: () => session.release(),
      };
    }
    state[a.key] = entry;
    const t0 = performance.now();
    const out = await entry.run();
    const firstMs = performance.now() - t0;
    return { firstMs, output: Array.from(out), second: Array.from(await entry.run()) };
  } catch (e) {
    return { error: String((e as Error)?.message ?? e) };
  }
}

/** Runs the contender `key` for about `ms` (at least once); the milliseconds of each run. */
async function pageSlice(a: { key: string; ms: number }): Promise<number[]> {
  const run = (globalThis as unknown as { benchState: Record<string, { run: () => Promise<unknown> }> }).benchState[a.key].run;
  const times: number[] = [];
  const end = performance.now() + a.ms;
  do {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  } while (performance.now() < end);
  return times;
}

async function pageDispose(key: string): Promise<void> {
  const state = (globalThis as unknown as { benchState: Record<string, { dispose: () => Promise<void> | void }> }).benchState;
  await state[key]?.dispose();
  delete state[key];
}

async function pageAdapter(): Promise<string> {
  const gpu = (globalThis as unknown as { navigator: { gpu?: GPU } }).navigator.gpu;
  const adapter = await gpu?.requestAdapter();
  if (!adapter) return 'none';
  const info = adapter.info;
  return [info.vendor, info.architecture, info.description].filter(Boolean).join(', ');
}

interface Cell { median?: number; runs?: number; first?: number; agree?: string; error?: string }
interface Row { model: string; cells: Record<Kind, Cell>; dscVsOrt?: string; ortOnCpu?: boolean }

/** A load (fetch, compile, first run) or a slice that takes longer than this is given up, and the page replaced. */
const LOAD_TIMEOUT_MS = 240_000;
const SLICE_TIMEOUT_MS = 120_000;
/** a contender whose first run takes longer than this is warmed up by it: no warm-up slice */
const SLOW_FIRST_MS = 2000;

/** The page the contenders run in, replaced by a fresh one when a call into it hangs. */
interface Tab { page: Page; url: string; fresh(): Promise<void>; /** the console's errors and warnings so far */ log: string[] }

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms); });
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function benchModel(tab: Tab, ortUrl: string, m: WgslModel, kinds: Kind[]): Promise<Row> {
  const x = firstBatch(m.input, 1);
  const args = (kind: Kind): LoadArgs => ({
    key: `${m.name}/${kind}`, kind, base: `${tab.url}m/${m.name}/`, ort: ortUrl,
    inputName: m.graph.inputs[0].name, outputName: m.graph.outputs[0].name, shape: [...x.shape],
  });
  const cells = {} as Record<Kind, Cell>;
  const outputs = {} as Record<Kind, number[] | undefined>;
  const live: Kind[] = [];
  const logFrom = tab.log.length;
  const fail = async (kind: Kind, error: string, hung: boolean) => {
    console.warn(`browser: ${m.name}: ${LABEL[kind]}: ${error}`);
    cells[kind] = { ...cells[kind], error };
    if (hung) {
      // whatever hangs in the page keeps it busy: go on in a fresh one; what was loaded in the old one is lost
      live.splice(0);
      await tab.fresh();
    } else await tab.page.evaluate(pageDispose, args(kind).key).catch(() => undefined);
  };
  try {
    for (const kind of kinds) {
      process.stderr.write(`browser: ${m.name}: loading ${LABEL[kind]}...\n`);
      let r: Loaded;
      try {
        r = await within(tab.page.evaluate(pageLoad, args(kind)), LOAD_TIMEOUT_MS, 'loading and the first run');
      } catch (e) {
        await fail(kind, `${(e as Error).message} (the page was replaced: contenders loaded before this one are not measured)`, true);
        continue;
      }
      if (r.error !== undefined) {
        await fail(kind, r.error, false);
        continue;
      }
      process.stderr.write(`browser: ${m.name}: ${LABEL[kind]}: first run ${ms(r.firstMs!)} ms\n`);
      outputs[kind] = r.output;
      // a run that repeats differently from the first is flagged: the cell then shows the worse of the two
      const [a1, a2] = [agreement(r.output!, m.reference), agreement(r.second!, m.reference)];
      if (a1 !== a2) console.warn(`browser: ${m.name}: ${LABEL[kind]}: the second run's output differs from the first: ${a1} vs ${a2}`);
      cells[kind] = { first: r.firstMs, agree: a1 === '✓' ? a2 : a1 };
      live.push(kind);
    }
    process.stderr.write(`browser: ${m.name}: measuring ${live.map((k) => LABEL[k]).join(', ')}...\n`);
    const contenders: Contender[] = live.map((kind) => {
      const c: Contender = { slicers: [], budget: GPU_BUDGET, warmup: cells[kind].first! < SLOW_FIRST_MS };
      c.slicers.push(async (sliceMs, into) => {
        try {
          into.push(...await within(tab.page.evaluate(pageSlice, { key: args(kind).key, ms: sliceMs }), SLICE_TIMEOUT_MS, 'a run'));
        } catch (e) {
          c.failed = (e as Error).message;
        }
      });
      return c;
    });
    const samples = await measure(contenders);
    const hung = contenders.find((c) => c.failed !== undefined);
    live.forEach((kind, i) => Object.assign(cells[kind], { median: median(samples[i][0]), runs: samples[i][0].length }));
    if (hung) {
      // a run that hangs leaves the page unusable, so none of this model's figures is kept
      const kind = live[contenders.indexOf(hung)];
      for (const k of live) cells[k] = { ...cells[k], median: undefined };
      await fail(kind, `${hung.failed!} (the page was replaced, so no figure of this model is kept)`, true);
    }
  } finally {
    for (const kind of live) await tab.page.evaluate(pageDispose, args(kind).key).catch(() => undefined);
  }
  const dscVsOrt = outputs.dsc && outputs.webgpu ? agreement(outputs.dsc, outputs.webgpu) : undefined;
  // onnxruntime warns when it places nodes on the CPU rather than on the execution provider asked for
  const ortOnCpu = tab.log.slice(logFrom).some((line) => line.includes('VerifyEachNodeIsAssignedToAnEp'));
  return { model: m.name, cells, dscVsOrt, ortOnCpu };
}

function cell(c: Cell | undefined): string {
  if (!c) return '—';
  if (c.error !== undefined) return 'fails (see below)';
  if (c.median === undefined) return '—';
  return `${ms(c.median!)} (${c.runs}) ${c.agree}`;
}

/** Measures every model in one browser; prints the table and, when `write`, replaces this part's section of RESULTS.md. */
export async function benchBrowser(all: WgslModel[], packages: Map<string, string>, command: string, write: boolean, slow: boolean, kinds: Kind[] = KINDS): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.warn(`browser: skipped: no Chromium at ${CHROMIUM} (Debian package chromium)`);
    return;
  }
  const models = all.filter((m) => slow || !(m.name in SLOW_IN_BROWSER));
  const skipped = all.filter((m) => !models.includes(m)).map((m) => `- ${m.name}: left out: ${SLOW_IN_BROWSER[m.name]}; \`npm run bench -- --only browser --slow\` includes it.`);
  for (const line of skipped) console.warn(`browser: ${line.slice(2)}`);
  const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web'));
  const ortVersion = (JSON.parse(readFileSync(join(ortDist, '..', 'package.json'), 'utf8')) as { version: string }).version;
  const served = new Map(models.map((m) => {
    const x = firstBatch(m.input, 1).data as Float32Array;
    return [m.name, { pkg: packages.get(m.name)!, onnx: m.model, input: new Uint8Array(x.buffer, x.byteOffset, x.byteLength) }];
  }));
  const { server, url } = await serve(ortDist, served);
  const profile = mkdtempSync(join(tmpdir(), 'dsc-bench-chromium-'));
  const { browser, endpoint } = await launchChromium(profile);
  // the browser's whole process group goes when the part ends, or when the bench is interrupted
  const stop = onInterrupt(() => {
    try { process.kill(-browser.pid!, 'SIGKILL'); } catch { /* the group is already gone */ }
    rmSync(profile, { recursive: true, force: true });
  });
  const rows: Row[] = [];
  let adapter = '', chromiumVersion = '';
  const loadAtStart = loadavg()[0];
  try {
    const cdp = await chromium.connectOverCDP(endpoint);
    chromiumVersion = cdp.version();
    const context = cdp.contexts()[0];
    const log: string[] = [];
    const open = async () => {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (m.type() !== 'error' && m.type() !== 'warning') return;
        log.push(m.text());
        // onnxruntime's own warnings (its log level W) are kept for the notes, not printed
        if (!/\[W:onnxruntime/.test(m.text())) console.warn(`browser console: ${m.text()}`);
      });
      page.on('pageerror', (e) => console.warn(`browser page error: ${e.message}`));
      await page.goto(`${url}index.html`);
      return page;
    };
    const tab: Tab = {
      page: await open(), url, log,
      async fresh() {
        void this.page.close({ runBeforeUnload: false }).catch(() => undefined);
        this.page = await open();
      },
    };
    adapter = await tab.page.evaluate(pageAdapter);
    for (const m of models) rows.push(await benchModel(tab, `${url}ort/`, m, kinds));
    await cdp.close();
  } finally {
    stop();
    server.close();
  }

  const lines = [
    `| model | ${kinds.map((k) => LABEL[k]).join(' | ')} | dsc ÷ ORT-web webgpu | dsc ÷ ORT-web wasm | first run (${kinds.map((k) => LABEL[k]).join(' / ')}) | dsc vs ORT-web webgpu outputs |`,
    `| --- | ${kinds.map(() => '---:').join(' | ')} | ---: | ---: | ---: | :---: |`,
  ];
  for (const r of rows) {
    const med = (k: Kind) => r.cells[k]?.median;
    const rat = (k: Kind) => (med('dsc') && med(k) ? ratio(med('dsc')!, med(k)!) : '—');
    const firsts = kinds.map((k) => (r.cells[k]?.first === undefined ? '—' : ms(r.cells[k].first!))).join(' / ');
    lines.push(`| ${r.model} | ${kinds.map((k) => cell(r.cells[k])).join(' | ')} | ${rat('webgpu')} | ${rat('wasm')} | ${firsts} | ${r.dscVsOrt ?? '—'} |`);
  }
  const onCpu = rows.filter((r) => r.ortOnCpu).map((r) => r.model);
  const failures = rows.flatMap((r) => kinds.filter((k) => r.cells[k]?.error !== undefined).map((k) => `- ${r.model}, ${LABEL[k]}: ${r.cells[k].error}`));
  console.log([...lines, ...failures].join('\n'));
  if (!write) return;
  writeSection(BROWSER_TITLE, [
    `${machine()}, no GPU · Chromium ${chromiumVersion} headless, WebGPU adapter: ${adapter} · onnxruntime-web ${ortVersion} · ${loadText(loadAtStart)}`,
    '',
    `Command: ${command}.`,
    '',
    '**A software adapter**: Chromium without a GPU gives WebGPU on SwiftShader, which runs the shaders on the same two CPU',
    'cores; the figures compare two WebGPU implementations of the same model on one adapter, not GPU speed.',
    'One page, one adapter, the same .onnx file and input for all three. dsc wgsl: the package `dsc compile --target wgsl`',
    'writes (`browser.js` + `model.js`, weights fetched), `await model.run()`. ORT-web webgpu: onnxruntime-web\'s WebGPU',
    "execution provider (`ort.webgpu.min.mjs`, `executionProviders: ['webgpu']`, `graphOptimizationLevel: 'all'`),",
    '`await session.run()` with its outputs on the CPU. ORT-web wasm 1T: the same bundle\'s wasm backend at one thread, a',
    'CPU reference point. Each run is timed in the page (cross-origin isolated, so `performance.now()` resolves 5 µs) from',
    'handing over the input to holding the output in a typed array, readback included.',
    `Milliseconds per run at batch 1: the median of at least ${budgetText(GPU_BUDGET)} per contender (the run count in`,
    'parentheses), after the first run and a 300 ms warm-up (none where the first run took over 2 s); the contenders',
    'alternate in 250 ms slices. First run: the first `run` after loading, which includes the shader compiles that happen',
    'at first use. ✓: the output (of the first and of the second run) agrees with onnxruntime-node\'s within rtol 1e-4 /',
    'atol 1e-5; ✗: it does not, with the largest difference (the figure is still given). The last column compares dsc\'s',
    'output with ORT-web webgpu\'s directly. ratio = dsc ÷ the other: below 1 dsc is faster.',
    '',
    ...lines,
    '',
    ...(onCpu.length ? [`ORT-web webgpu placed some nodes of ${onCpu.join(', ')} on the CPU rather than on WebGPU (its warning says so; it keeps shape computations there), so those runs mix both.`, ''] : []),
    ...(failures.length || skipped.length ? ['Not measured:', '', ...skipped, ...failures, ''] : []),
  ]);
}

// The WGSL target in a real browser: headless Chromium (WebGPU on its SwiftShader adapter) driven by
// playwright-core, one browser for every test, pages served from one temporary folder on 127.0.0.1.
// The web example (examples/web) computes LeNet-5 on its digit, and the MLP and ResNet-18 examples'
// packages (seeded weights) run through their browser.js on a fixed input; each output is checked
// against the reference interpreter. A screenshot of the web example is written to a temporary file
// (its path is printed). Without /usr/bin/chromium the tests skip with a printed reason; under CI its
// absence is a failure.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser, Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { buildWebExample } from '../../examples/web/build.js';
import { compileToPackage } from '../../src/codegen/compile.js';
import { checkWeights } from '../../src/frontend/ds/compile.js';
import { loadModel } from '../../src/frontend/load.js';
import { readNpy } from '../../src/formats/npy.js';
import { readSafetensors } from '../../src/formats/safetensors.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from '../conformance/compare.js';
import { firstBatch } from '../codegen-e2e/architectures.js';
import { compileExample, exampleWeights, inputsFor } from '../codegen-e2e/examples.js';
import { CHROMIUM, launchChromium } from './harness.js';

const LENET5 = fileURLToPath(new URL('../../examples/lenet5/', import.meta.url));
/** SwiftShader runs f32 as lavapipe does; the sums differ from the interpreter's only in order. */
const TOLERANCE = { rtol: 1e-4, atol: 1e-5 };

function chromiumPresent(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const why = `no Chromium at ${CHROMIUM} (Debian package chromium)`;
  if (process.env.CI) throw new Error(`CI must run the browser test: ${why}`);
  console.warn(`skipping the browser test: ${why}`);
  return false;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.safetensors': 'application/octet-stream' };

/** A static file server for one folder on 127.0.0.1 at a free port. */
async function serve(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(root) || !existsSync(path) || extname(path) === '') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** The examples whose packages run in the browser through their browser.js. */
const PACKAGES = ['mlp', 'resnet18'];

/**
 * The page that runs a package: window.dscRun(folder, inputs) loads folder/browser.js and its weights,
 * runs the f32 inputs once and gives back each output's shape and values.
 */
const PACKAGE_PAGE = `<!doctype html>
<script type="module">
window.dscRun = async (folder, inputs) => {
  const { Model } = await import(\`./\${folder}/browser.js\`);
  const model = await Model.load(\`./\${folder}/weights.safetensors\`);
  try {
    const feeds = {};
    for (const [name, t] of Object.entries(inputs)) feeds[name] = { data: Float32Array.from(t.values), shape: t.shape };
    const outputs = await model.run(feeds);
    return Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, { shape: t.shape, values: Array.from(t.data) }]));
  } finally {
    model.dispose();
  }
};
</script>
`;

const cleanups: (() => void | Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('wgsl target in headless Chromium', () => {
  const present = chromiumPresent();
  let url = '';
  let site = '';
  let cdp: Browser;
  let consoleErrors: string[] = [];

  /** A fresh page of the served folder whose console errors are collected. */
  async function openPage(path: string): Promise<Page> {
    const page = await cdp.contexts()[0].newPage();
    consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${url}${path}`);
    return page;
  }

  beforeAll(async () => {
    if (!present) return;
    site = mkdtempSync(join(tmpdir(), 'dsc-web-'));
    const profile = mkdtempSync(join(tmpdir(), 'dsc-chromium-'));
    cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
    const served = await serve(site);
    url = served.url;
    cleanups.push(() => { served.server.close(); });
    const { browser, endpoint } = await launchChromium(profile);
    cleanups.push(() => {
      try { process.kill(-browser.pid!, 'SIGKILL'); } catch { /* the group is already gone */ }
    });
    cdp = await chromium.connectOverCDP(endpoint);
    cleanups.push(() => cdp.close().catch(() => undefined));
    writeFileSync(join(site, 'packages.html'), PACKAGE_PAGE);
  });

  it.skipIf(!present)('the web example computes LeNet-5 on the digit as the interpreter does', async () => {
    await buildWebExample(join(site, 'web'));
    const page = await openPage('web/index.html');
    await page.waitForFunction(`'dscResult' in window || 'dscError' in window`, undefined, { timeout: 90_000 });
    const { result, error } = await page.evaluate(() => {
      // runs in the page, whose global object is the window main.js leaves its result on
      const state = globalThis as unknown as { dscResult?: { shape: number[]; values: number[] }; dscError?: string };
      return { result: state.dscResult, error: state.dscError };
    });
    expect(error, consoleErrors.join('\n')).toBeUndefined();
    // a person draws on the pad; lifting the pen classifies the drawing (a 1, then, after clear, a 0)
    const pad = (await page.locator('#pad').boundingBox())!;
    const drawn: string[] = [];
    for (const points of [[[112, 30], [112, 200]], [[112, 30], [70, 60], [62, 150], [112, 200], [160, 150], [155, 60], [112, 30]]]) {
      await page.click('#clear');
      await page.mouse.move(pad.x + points[0][0], pad.y + points[0][1]);
      await page.mouse.down();
      for (const [x, y] of points.slice(1)) await page.mouse.move(pad.x + x, pad.y + y, { steps: 12 });
      await page.mouse.up();
      await page.waitForFunction(`document.getElementById('status').textContent.startsWith('your drawing')`, undefined, { timeout: 60_000 });
      drawn.push((await page.locator('#prediction').textContent())!);
    }
    const screenshot = join(site, 'web', 'page.png');
    await page.screenshot({ path: screenshot });
    console.log(`web example screenshot: ${screenshot}; the drawings are classified as ${drawn.join(', ')}`);
    await page.close();
    expect(drawn).toEqual(['1', '0']);

    const model = join(LENET5, 'lenet5.ds');
    const graph = loadModel(model);
    const weights = readSafetensors(readFileSync(join(LENET5, 'lenet5.safetensors')), 'lenet5.safetensors');
    expect(checkWeights(graph, weights, 'lenet5.safetensors')).toEqual([]);
    const digit = readNpy(readFileSync(join(LENET5, 'digit.npy')), 'digit.npy');
    const want = runGraph(graph, { [graph.inputs[0].name]: digit }, { weights }).get(graph.outputs[0].name)!;
    const got = new Tensor('f32', result!.shape, Float32Array.from(result!.values));
    expect(got.shape).toEqual([1, 10]);
    const cmp = compareTensors(got, want, () => TOLERANCE);
    expect(cmp.ok, cmp.reason).toBe(true);
  }, 180_000);

  it.skipIf(!present).each(PACKAGES)('the %s package runs through its browser.js as the interpreter does', async (name) => {
    const graph = compileExample(name);
    graph.weights = exampleWeights(name, graph);
    await compileToPackage(graph, join(site, name), { target: 'wgsl' });
    // ResNet-18's weights are tens of megabytes; the folder is kept for the web example's screenshot
    onTestFinished(() => rmSync(join(site, name), { recursive: true, force: true }));
    const inputs = new Map([...inputsFor(name, graph)].map(([k, t]) => [k, firstBatch(t, 1)]));

    const page = await openPage('packages.html');
    await page.waitForFunction(`'dscRun' in window`, undefined, { timeout: 30_000 });
    const feeds = Object.fromEntries([...inputs].map(([k, t]) => [k, { shape: [...t.shape], values: Array.from(t.data as Float32Array) }]));
    const outputs = await page.evaluate(
      ({ folder, feeds }) => (globalThis as unknown as { dscRun(f: string, i: object): Promise<Record<string, { shape: number[]; values: number[] }>> }).dscRun(folder, feeds),
      { folder: name, feeds },
    ).catch((e: Error) => { throw new Error(`${e.message}\n${consoleErrors.join('\n')}`); });
    await page.close();

    const want = runGraph(graph, inputs, { weights: graph.weights }).get(graph.outputs[0].name)!;
    const out = outputs[graph.outputs[0].name];
    const cmp = compareTensors(new Tensor('f32', out.shape, Float32Array.from(out.values)), want, () => TOLERANCE);
    expect(cmp.ok, `${name} in Chromium: ${cmp.reason}`).toBe(true);
    console.log(`${name} batch 1 in Chromium: max abs error ${cmp.maxAbs.toExponential(1)}, max rel ${cmp.maxRel.toExponential(1)}`);
  }, 300_000);
});

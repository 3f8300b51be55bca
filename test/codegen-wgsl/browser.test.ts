// The web example in a real browser: examples/web built into a temporary folder, served on 127.0.0.1,
// opened in headless Chromium (WebGPU on its SwiftShader adapter) through playwright-core, and the
// ten outputs the page computed checked against the reference interpreter. A screenshot of the page
// is written to a temporary file (its path is printed). Without /usr/bin/chromium the test skips with
// a printed reason; under CI its absence is a failure.
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { buildWebExample } from '../../examples/web/build.js';
import { checkWeights } from '../../src/frontend/ds/compile.js';
import { loadModel } from '../../src/frontend/load.js';
import { readNpy } from '../../src/formats/npy.js';
import { readSafetensors } from '../../src/formats/safetensors.js';
import { runGraph } from '../../src/ir/interp.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from '../conformance/compare.js';

const CHROMIUM = '/usr/bin/chromium';
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

/** Headless Chromium in its own process group, with a fresh profile; resolves to its DevTools endpoint. */
function launchChromium(profile: string): Promise<{ browser: ChildProcess; endpoint: string }> {
  const browser = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--enable-unsafe-webgpu', `--user-data-dir=${profile}`, '--remote-debugging-port=0',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', 'about:blank',
  ], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let text = '';
    browser.stderr!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
      if (m) resolve({ browser, endpoint: m[1] });
    });
    browser.on('exit', (code) => reject(new Error(`chromium exited (${code}) before listening:\n${text}`)));
  });
}

const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const c of cleanups.reverse()) c();
});

describe('web example in headless Chromium', () => {
  it.skipIf(!chromiumPresent())('computes LeNet-5 on the digit as the interpreter does', async () => {
    const site = mkdtempSync(join(tmpdir(), 'dsc-web-'));
    const profile = mkdtempSync(join(tmpdir(), 'dsc-chromium-'));
    cleanups.push(() => rmSync(profile, { recursive: true, force: true }));
    await buildWebExample(site);
    const { server, url } = await serve(site);
    cleanups.push(() => server.close());
    const { browser, endpoint } = await launchChromium(profile);
    cleanups.push(() => {
      try { process.kill(-browser.pid!, 'SIGKILL'); } catch { /* the group is already gone */ }
    });

    const cdp = await chromium.connectOverCDP(endpoint);
    const page = await cdp.contexts()[0].newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`${url}index.html`);
    await page.waitForFunction(`'dscResult' in window || 'dscError' in window`, undefined, { timeout: 90_000 });
    const { result, error } = await page.evaluate(() => {
      // runs in the page, whose global object is the window main.js leaves its result on
      const state = globalThis as unknown as { dscResult?: { shape: number[]; values: number[] }; dscError?: string };
      return { result: state.dscResult, error: state.dscError };
    });
    const screenshot = join(site, 'page.png');
    await page.screenshot({ path: screenshot });
    console.log(`web example screenshot: ${screenshot}`);
    await cdp.close();
    expect(error, consoleErrors.join('\n')).toBeUndefined();

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
});

// The esbuild and Vite plugins in-process, on small models in a temporary folder, for the wgsl target
// (no native build): an import of a model bundles its package for browsers, a mistake in the model is
// reported at its file, line and column, and esbuild's watch mode rebuilds when the model changes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BuildFailure, Plugin, build as esbuild, context } from 'esbuild';
import { build as viteBuild } from 'vite';
import { describe, expect, it } from 'vitest';
import { dscPlugin } from '../../src/integrations/esbuild.js';
import { dscVite } from '../../src/integrations/vite.js';

const model = (outputs: number, argument = 'x') =>
  `import { Linear } from "std/nn"\n\nmodel Net {\n  fc = Linear(4, ${outputs})\n  forward(x: f32[N, 4]) -> f32[N, ${outputs}] {\n    return relu(fc(${argument}))\n  }\n}\n`;

/** A folder with net.ds and an entry that imports it and prints its manifest. */
function project(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dsc-plugin-'));
  writeFileSync(join(dir, 'net.ds'), source);
  writeFileSync(join(dir, 'main.js'), "import { Model, manifest } from './net.ds';\nconsole.log(manifest.name, JSON.stringify(manifest.outputs), typeof Model.load);\n");
  return dir;
}

describe('esbuild plugin', () => {
  it('bundles a model for browsers with the wgsl target', async () => {
    const dir = project(model(3));
    const result = await esbuild({ entryPoints: [join(dir, 'main.js')], bundle: true, write: false, platform: 'browser', format: 'esm', logLevel: 'silent', plugins: [dscPlugin({ target: 'wgsl' })] });
    const code = result.outputFiles[0].text;
    expect(code).toContain('@compute'); // the WGSL shaders are in the bundle
    expect(code).toMatch(/"name": "Net"/);
    expect(code).toContain('requestAdapter');
  }, 120_000);

  it('reports a dsc diagnostic as an esbuild error at its file, line and column', async () => {
    const dir = project(model(3, 'y'));
    const failure = await esbuild({ entryPoints: [join(dir, 'main.js')], bundle: true, write: false, platform: 'browser', logLevel: 'silent', plugins: [dscPlugin({ target: 'wgsl' })] })
      .then(() => undefined, (e: BuildFailure) => e);
    expect(failure?.errors).toHaveLength(1);
    const [error] = failure!.errors;
    expect(error.text).toMatch(/^DSC5011: unknown name 'y'/);
    expect(error.pluginName).toBe('dsc');
    expect(error.location).toMatchObject({ line: 6, column: 19, lineText: '    return relu(fc(y))' });
    expect(resolve(error.location!.file)).toBe(join(dir, 'net.ds'));
  }, 120_000);

  it('rebuilds in watch mode when the model changes', async () => {
    const dir = project(model(3));
    let ended: (code: string) => void = () => {};
    const onEnd: Plugin = { name: 'on-end', setup: (b) => b.onEnd((r) => ended(r.errors.length ? `errors: ${r.errors[0].text}` : readFileSync(join(dir, 'out.js'), 'utf8'))) };
    const next = () => new Promise<string>((resolve) => { ended = resolve; });
    const ctx = await context({ entryPoints: [join(dir, 'main.js')], outfile: join(dir, 'out.js'), bundle: true, platform: 'browser', format: 'esm', logLevel: 'silent', plugins: [dscPlugin({ target: 'wgsl' }), onEnd] });
    try {
      let built = next();
      await ctx.watch();
      expect(await built).toMatch(/"N",\s*"3"/);
      built = next();
      writeFileSync(join(dir, 'net.ds'), model(7));
      expect(await built).toMatch(/"N",\s*"7"/);
      built = next();
      writeFileSync(join(dir, 'net.ds'), model(7, 'y'));
      expect(await built).toMatch(/^errors: DSC5011/);
    } finally {
      await ctx.dispose();
    }
  }, 180_000);
});

describe('Vite plugin', () => {
  const config = (dir: string, ssr: boolean) => ({
    root: dir, logLevel: 'silent' as const, configFile: false as const, plugins: [dscVite({ target: 'wgsl' })],
    build: { write: false, ssr: ssr ? join(dir, 'main.js') : undefined, rollupOptions: ssr ? undefined : { input: join(dir, 'main.js') } },
  });

  it('bundles a model for browsers with the wgsl target', async () => {
    const dir = project(model(3));
    const result = await viteBuild(config(dir, false));
    const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => ('output' in r ? r.output : []));
    const code = outputs.map((o) => ('code' in o ? o.code : '')).join('\n');
    expect(code).toContain('@compute');
    expect(code).toContain('requestAdapter');
  }, 120_000);

  it('rebuilds in watch mode when the model changes', async () => {
    const dir = project(model(3));
    const events: ((e: { code: string; result?: { close(): Promise<void> } }) => void)[] = [];
    const next = () => new Promise<string>((resolve) => events.push((e) => resolve(e.code === 'ERROR' ? 'error' : readFileSync(join(dir, 'dist', 'main.js'), 'utf8'))));
    let built = next();
    const watcher = await viteBuild({
      root: dir, logLevel: 'silent', configFile: false, plugins: [dscVite({ target: 'wgsl' })],
      build: { outDir: join(dir, 'dist'), watch: {}, rollupOptions: { input: join(dir, 'main.js'), output: { entryFileNames: 'main.js' } } },
    }) as unknown as { on(event: 'event', listener: (e: { code: string; result?: { close(): Promise<void> } }) => void): void; close(): Promise<void> };
    watcher.on('event', (e) => {
      if (e.code === 'BUNDLE_END' || e.code === 'ERROR') {
        void e.result?.close();
        events.shift()?.(e);
      }
    });
    try {
      expect(await built).toMatch(/outputs:.*?shape:\s*\[\s*[`"]N[`"],\s*[`"]3[`"]/s);
      built = next();
      writeFileSync(join(dir, 'net.ds'), model(7));
      expect(await built).toMatch(/outputs:.*?shape:\s*\[\s*[`"]N[`"],\s*[`"]7[`"]/s);
    } finally {
      await watcher.close();
    }
  }, 180_000);

  it('fails the build with every diagnostic and the first one\'s location', async () => {
    const dir = project(model(3, 'y'));
    type Located = { loc?: { file?: string; line: number; column: number } };
    const error = await viteBuild(config(dir, true)).then(() => undefined, (e: Error & Located & { errors?: Located[] }) => e);
    // Rolldown (Vite 8) gathers a build's errors in `errors`; Rollup throws the one error
    expect(error?.message).toContain("DSC5011: unknown name 'y'");
    expect(error?.message).toContain('    return relu(fc(y))');
    expect((error?.errors?.[0] ?? error)?.loc).toMatchObject({ file: join(dir, 'net.ds'), line: 6, column: 19 });
  }, 120_000);
});

// The Vite plugin: the esbuild plugin's behaviour for Vite (and Rollup) builds. `import { Model } from
// './net.ds'` compiles the model for the configured target through the content-hash package cache;
// dsc diagnostics fail the build with the file, line and column of the first and the text of all;
// the model and its `.ds` imports are watched. A native (cpu) package is copied into dsc-models/<hash>/
// beside the output and loaded from there at run time (Node builds, `build.ssr`).
import { join, resolve, dirname } from 'node:path';
import type { Plugin } from 'vite';
import { formatDiagnostic } from '../diag/diagnostic.js';
import { ModelPackage, ModelPackageOptions, copyNativePackage, modelPackage, nativePackageFolder } from './model-package.js';

export type DscViteOptions = ModelPackageOptions;

const PREFIX = '\0dsc-model:';
const MODEL_FILE = /\.(ds|onnx|ir)$/;

/** Vite plugin: compiles imported `.ds`, `.onnx` and `.ir` models for `options.target` (default cpu). */
export function dscVite(options: DscViteOptions = {}): Plugin {
  let ssr = false;
  // native packages the bundle loads, copied beside it when it is written (Vite emits no assets for SSR builds)
  const natives = new Map<string, ModelPackage>();
  return {
    name: 'dsc',
    enforce: 'pre',
    configResolved(config) {
      ssr = Boolean(config.build.ssr);
    },
    resolveId(source, importer) {
      if (!MODEL_FILE.test(source) || source.startsWith(PREFIX)) return null;
      return PREFIX + resolve(importer ? dirname(importer) : process.cwd(), source);
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const file = id.slice(PREFIX.length);
      const r = await modelPackage(file, options);
      for (const f of r.files) this.addWatchFile(f);
      if (!r.ok) {
        const first = r.diagnostics.find((d) => d.loc?.line) ?? r.diagnostics[0];
        this.error({
          message: r.diagnostics.map((d) => formatDiagnostic(d, r.sources)).join('\n'),
          id: first.loc?.file ?? file,
          loc: first.loc?.line ? { file: first.loc.file, line: first.loc.line, column: (first.loc.col ?? 1) - 1 } : undefined,
        });
      }
      const pkg = r.pkg;
      if (!pkg.nativeBuild) return `export * from ${JSON.stringify(join(pkg.dir, ssr ? 'index.js' : 'browser.js'))};\n`;
      if (!ssr) this.error(`${file}: the ${pkg.target} target builds a native Node addon; build for Node (build.ssr) or use the wgsl target for browsers`);
      natives.set(pkg.dir, pkg);
      return [
        `import { createRequire } from 'node:module';`,
        `const pkg = createRequire(import.meta.url)(${JSON.stringify(`./${nativePackageFolder(pkg)}/index.js`)});`,
        `export const Model = pkg.Model;`,
        `export const manifest = pkg.manifest;`,
        '',
      ].join('\n');
    },
    writeBundle(output) {
      const dir = output.dir ?? (output.file ? dirname(output.file) : undefined);
      if (dir) for (const pkg of natives.values()) copyNativePackage(pkg, dir);
    },
  };
}

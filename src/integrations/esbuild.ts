// The esbuild plugin: `import { Model } from './net.ds'` compiles the model for the configured target
// (through the content-hash package cache) and bundles its bindings. dsc diagnostics become esbuild
// messages at their file, line and column; in watch mode a change to the model or a `.ds` file it
// imports rebuilds. Native (cpu) packages cannot be bundled: the addon and its bindings are copied
// beside the bundle, into dsc-models/<hash>/, and loaded from there at run time.
import { dirname, resolve } from 'node:path';
import type { PartialMessage, Plugin, PluginBuild } from 'esbuild';
import { cacheRoot } from '../codegen/compile.js';
import { Diagnostic } from '../diag/diagnostic.js';
import { ModelPackage, ModelPackageOptions, copyNativePackage, modelPackage } from './model-package.js';

export type DscPluginOptions = ModelPackageOptions;

/** A dsc diagnostic as an esbuild message: esbuild's columns count from 0, dsc's from 1. */
export function diagnosticMessage(d: Diagnostic, sources: ReadonlyMap<string, string>): PartialMessage {
  const where = (loc: Diagnostic['loc']) => {
    if (!loc) return null;
    const lineText = loc.line ? sources.get(loc.file)?.split(/\r?\n/)[loc.line - 1] ?? '' : '';
    return { file: loc.file, line: loc.line ?? 0, column: Math.max(0, (loc.col ?? 1) - 1), length: loc.length ?? 0, lineText };
  };
  return { id: d.code, text: `${d.code}: ${d.message}`, location: where(d.loc), notes: d.notes.map((n) => ({ text: n.message, location: where(n.loc) })) };
}

/** The folder the bundle is written to, where a native package's files must sit beside it. */
function bundleDir(build: PluginBuild): string | undefined {
  const { outdir, outfile, absWorkingDir } = build.initialOptions;
  const base = absWorkingDir ?? process.cwd();
  if (outdir) return resolve(base, outdir);
  if (outfile) return dirname(resolve(base, outfile));
  return undefined;
}

/** The module an import of the model becomes. */
function moduleSource(pkg: ModelPackage, build: PluginBuild): { contents: string; errors?: PartialMessage[] } {
  if (!pkg.nativeBuild) {
    const entry = build.initialOptions.platform === 'node' ? './index.js' : './browser.js';
    return { contents: `export * from ${JSON.stringify(entry)};\n` };
  }
  const outDir = bundleDir(build);
  if (!outDir) return { contents: '', errors: [{ text: `the ${pkg.target} target's native addon is loaded from beside the bundle: set outdir or outfile` }] };
  if (build.initialOptions.platform !== 'node') return { contents: '', errors: [{ text: `the ${pkg.target} target builds a native Node addon; bundle with platform: 'node' (or use the wgsl target for browsers)` }] };
  const path = JSON.stringify(copyNativePackage(pkg, outDir));
  const load = build.initialOptions.format === 'esm'
    ? `import { createRequire } from 'node:module';\nconst loadPackage = createRequire(import.meta.url);\n`
    : `const loadPackage = (path) => module.require(path);\n`;
  return { contents: `${load}const pkg = loadPackage(${path});\nexport const Model = pkg.Model;\nexport const manifest = pkg.manifest;\n` };
}

/** esbuild plugin: compiles imported `.ds`, `.onnx` and `.ir` models for `options.target` (default cpu). */
export function dscPlugin(options: DscPluginOptions = {}): Plugin {
  return {
    name: 'dsc',
    setup(build) {
      build.onResolve({ filter: /\.(ds|onnx|ir)$/ }, (args) => ({ path: resolve(args.resolveDir, args.path), namespace: 'dsc-model' }));
      // a wgsl package's Node entry imports the `webgpu` package, which the project installs (not the cache)
      build.onResolve({ filter: /^webgpu$/ }, (args) => (args.importer.startsWith(cacheRoot()) ? { path: args.path, external: true } : undefined));
      build.onLoad({ filter: /.*/, namespace: 'dsc-model' }, async (args) => {
        const r = await modelPackage(args.path, options);
        if (!r.ok) return { errors: r.diagnostics.map((d) => diagnosticMessage(d, r.sources)), watchFiles: r.files };
        const { contents, errors } = moduleSource(r.pkg, build);
        return { contents, errors, resolveDir: r.pkg.dir, loader: 'js', watchFiles: r.files };
      });
    },
  };
}

// Bundles the CLI into dist/dsc.js, the benchmark into dist/bench.js and the esbuild and Vite plugins
// into dist/esbuild.js and dist/vite.js with esbuild (milliseconds; keeps them free of a TS runtime).
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  packages: 'external',
  logLevel: 'warning',
};

await Promise.all([
  build({ ...common, entryPoints: ['src/cli/entry.ts'], outfile: 'dist/dsc.js' }),
  build({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'dist/bench.js' }),
  // the build integrations, imported by projects as dsc/esbuild and dsc/vite
  build({ ...common, entryPoints: { esbuild: 'src/integrations/esbuild.ts', vite: 'src/integrations/vite.ts' }, outdir: 'dist' }),
]);

// Bundles the CLI into dist/dsc.js and the benchmark into dist/bench.js with esbuild (milliseconds;
// keeps both free of a TS runtime).
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
]);

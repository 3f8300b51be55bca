// Bundles src/main.ts into dist/main.js; the plugin compiles the imported LeNet-5 model for the CPU
// target and puts its addon in dist/dsc-models/. `--watch` rebuilds when the code or the model changes.
import { build, context } from 'esbuild';
import { dscPlugin } from 'dsc/esbuild';

const options = {
  entryPoints: ['src/main.ts'],
  outfile: 'dist/main.js',
  bundle: true,
  platform: 'node',
  format: 'esm',
  plugins: [dscPlugin({ target: 'cpu' })],
  logLevel: 'info',
};

if (process.argv.includes('--watch')) await (await context(options)).watch();
else await build(options).catch(() => process.exit(1));

// A Node build (build.ssr) of src/main.ts; the dsc plugin compiles the imported model for the CPU
// target and emits its addon into dist/dsc-models/. For a browser build, use dscVite({ target: 'wgsl' }).
import { defineConfig } from 'vite';
import { dscVite } from 'dsc/vite';

export default defineConfig({
  plugins: [dscVite({ target: 'cpu' })],
  logLevel: 'warn',
  build: { ssr: 'src/main.ts', outDir: 'dist', emptyOutDir: true },
});

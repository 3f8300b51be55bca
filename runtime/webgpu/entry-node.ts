// The Node entry of a wgsl package (index.js): the GPU from the `webgpu` package unless one is given,
// weights paths read from the file system (relative ones against the working directory).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { plan, manifest } from './model.js';
import { defineModel } from './package.js';
import { defaultNodeGpu } from './node-default.js';

export { manifest } from './model.js';

export const Model = defineModel(plan, manifest, {
  defaultGpu: defaultNodeGpu,
  readWeights: async (path) => new Uint8Array(await readFile(path)),
  bundledWeights: async () => {
    const bundled = new URL('./weights.safetensors', import.meta.url);
    return existsSync(bundled) ? new Uint8Array(await readFile(bundled)) : undefined;
  },
});

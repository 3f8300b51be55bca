// The browser entry of a wgsl package (browser.js): the GPU is navigator.gpu unless one is given,
// weights URLs are fetched.
import { plan, manifest } from './model.js';
import { defineModel } from './package.js';
import { NO_ADAPTER } from './executor.js';

export { manifest } from './model.js';

export const Model = defineModel(plan, manifest, {
  defaultGpu: async () => {
    const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
    if (!gpu) throw new Error(`${plan.name}: this browser has no navigator.gpu (${NO_ADAPTER})`);
    return gpu;
  },
  readWeights: async (url) => {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${plan.name}: fetching the weights ${url} failed: ${response.status} ${response.statusText}`);
    return new Uint8Array(await response.arrayBuffer());
  },
  bundledWeights: async () => {
    const response = await fetch(new URL('./weights.safetensors', import.meta.url));
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
  },
});

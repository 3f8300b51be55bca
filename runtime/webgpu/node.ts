// WebGPU in Node through the `webgpu` package (Dawn). Kept apart from the executor so that the
// executor bundles for browsers, where navigator.gpu plays this part.
import { create, globals } from 'webgpu';

/**
 * GPU objects by creation options. They stay referenced for the life of the process: if one is
 * garbage-collected while a device made from it lives, Dawn crashes the process.
 */
const instances = new Map<string, GPU>();

/** A GPU object; `['backend=null']` gives Dawn's null backend, which validates shaders without running them. */
export function nodeGpu(options: string[] = []): GPU {
  Object.assign(globalThis, globals);
  const key = options.join('\n');
  let gpu = instances.get(key);
  if (!gpu) {
    gpu = create(options);
    instances.set(key, gpu);
  }
  return gpu;
}

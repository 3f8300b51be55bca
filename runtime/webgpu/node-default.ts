// The GPU object Node uses when a caller gives none: Dawn through the `webgpu` package, loaded on first
// use, so that code which never runs a model (the dsc CLI, a package given its own GPU) never loads it.
let gpu: GPU | undefined;

export async function defaultNodeGpu(): Promise<GPU> {
  if (!gpu) {
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    // kept in this module for the life of the process: Dawn crashes if it is collected while a device lives
    gpu = create([]);
  }
  return gpu;
}

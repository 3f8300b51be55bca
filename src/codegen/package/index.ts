// The generated npm package around a target's kernels: emitPackage writes it, buildPackage compiles its addon.
export { emitPackage, defaultPackageName, type EmitPackageOptions } from './emit.js';
export { buildPackage, packPackage, sanitizerEnv, type BuildPackageOptions, type PackResult } from './build.js';

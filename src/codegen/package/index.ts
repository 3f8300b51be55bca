// The generated npm package around a target's kernels: emitPackage writes it, buildPackage compiles its addon.
export { emitPackage, defaultPackageName, type EmitPackageOptions } from './emit.js';
export { buildPackage, sanitizerEnv, type BuildPackageOptions } from './build.js';

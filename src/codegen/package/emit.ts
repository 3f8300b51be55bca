// The package emitter: from a model's manifest and its kernel files, a complete npm package whose
// `npm install` builds a native addon (cmake-js, node-addon-api) and whose index.js/index.d.ts
// give typed access to it. Layout (docs/PACKAGE.md):
//
//   package.json  CMakeLists.txt  README.md  index.js  index.d.ts
//   src/       the kernel files (model.cc, ...) and addon.cc, the glue generated from the manifest
//   runtime/   dsc's C++ runtime for the addon (runtime/cpu/*.h, *.cc): weights, validation, N-API
//   include/   the kernels' runtime headers (runtime/cpu/kernels/, included as "dsc/<name>.h")
//
// Output is deterministic: the same inputs give byte-identical files.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { diag } from '../../diag/diagnostic.js';
import { ModelManifest } from '../abi.js';
import { addonGlue } from './glue.js';
import { emitBindings } from './bindings.js';
import { packageReadme } from './readme.js';
import { buildDependencies, dscRoot } from './toolchain.js';

export interface EmitPackageOptions {
  manifest: ModelManifest;
  /** kernel sources by path relative to the package's src/ (e.g. model.cc implementing the ABI of abi.ts) */
  kernelFiles: Map<string, string>;
  outDir: string;
  /** npm name; by default the model's name in kebab case */
  packageName?: string;
  /**
   * How package.json names cmake-js and node-addon-api. 'dsc' (default): `file:` links to the copies
   * dsc itself uses, so `npm install` in the package works offline on this machine. 'registry':
   * semver ranges of the same versions, for a package that is published.
   */
  dependencies?: 'dsc' | 'registry';
}

/** Folders the emitter owns inside outDir; they are replaced on every emit (build/ and node_modules/ are kept). */
const OWNED_DIRS = ['src', 'runtime', 'include'];
const SOURCE_FILE = /\.(cc|cpp|c)$/;

export function defaultPackageName(modelName: string): string {
  const kebab = modelName
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return kebab || 'model';
}

export function emitPackage(opts: EmitPackageOptions): void {
  const { manifest, outDir } = opts;
  const packageName = opts.packageName ?? defaultPackageName(manifest.name);
  if (!/^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/.test(packageName) || packageName.length > 214)
    throw diag('DSC6101', `'${packageName}' is not a valid npm package name (lowercase letters, digits, '-', '.', '_', '~', optionally @scope/)`);
  for (const path of opts.kernelFiles.keys())
    if (path === '' || path.startsWith('/') || path.split(/[\\/]/).some((p) => p === '..' || p === '') || path === 'addon.cc')
      throw diag('DSC6101', `kernel file '${path}' must be a relative path inside src/ other than addon.cc`);

  const glue = addonGlue(manifest);
  const bindings = emitBindings(manifest);

  mkdirSync(outDir, { recursive: true });
  for (const dir of OWNED_DIRS) rmSync(join(outDir, dir), { recursive: true, force: true });
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(outDir, path)), { recursive: true });
    writeFileSync(join(outDir, path), text);
  };

  const runtimeDir = join(dscRoot(), 'runtime', 'cpu');
  const runtimeFiles = readdirSync(runtimeDir).filter((f) => /\.(h|cc)$/.test(f) && statSync(join(runtimeDir, f)).isFile()).sort();
  for (const f of runtimeFiles) cpSync(join(runtimeDir, f), join(outDir, 'runtime', f));
  const kernelsDir = join(runtimeDir, 'kernels');
  const includeFiles = existsSync(kernelsDir) ? filesUnder(kernelsDir) : [];
  for (const f of includeFiles) cpSync(join(kernelsDir, f), join(outDir, 'include', f));

  const kernelPaths = [...opts.kernelFiles.keys()].sort();
  for (const path of kernelPaths) write(join('src', path), opts.kernelFiles.get(path)!);
  write('src/addon.cc', glue);

  const sources = [
    ...kernelPaths.filter((p) => SOURCE_FILE.test(p)).map((p) => `src/${p}`),
    'src/addon.cc',
    ...runtimeFiles.filter((f) => SOURCE_FILE.test(f)).map((f) => `runtime/${f}`),
    ...includeFiles.filter((f) => SOURCE_FILE.test(f)).map((f) => `include/${f}`),
  ];
  write('CMakeLists.txt', cmakeLists(packageName, sources));
  write('package.json', packageJson(manifest, packageName, opts.dependencies ?? 'dsc'));
  write('index.js', bindings.js);
  write('index.d.ts', bindings.dts);
  write('README.md', packageReadme(manifest, packageName));
  write('.gitignore', 'build/\nnode_modules/\n');
}

/** Relative paths (with '/') of every file under dir, sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function packageJson(manifest: ModelManifest, name: string, dependencies: 'dsc' | 'registry'): string {
  const deps = Object.fromEntries(
    buildDependencies().map((d) => [d.name, dependencies === 'dsc' ? `file:${d.dir}` : `^${d.version}`]),
  );
  const pkg = {
    name,
    version: '0.1.0',
    description: `Model ${manifest.name} compiled ahead of time by dsc: a native Node addon with typed bindings.`,
    main: 'index.js',
    types: 'index.d.ts',
    files: ['index.js', 'index.d.ts', 'CMakeLists.txt', 'src', 'runtime', 'include', 'README.md', 'weights.safetensors'],
    engines: { node: '>=20' },
    // With napi_versions, cmake-js builds against node-api-headers and never downloads Node's headers.
    binary: { napi_versions: [8] },
    scripts: { install: 'cmake-js compile' },
    dependencies: deps,
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

function cmakeLists(packageName: string, sources: string[]): string {
  return `# Generated by dsc for ${packageName}. Built by cmake-js (\`npm install\`), or by dsc's buildPackage.
cmake_minimum_required(VERSION 3.15)
project(dsc_model CXX)

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()

option(DSC_NATIVE_ARCH "tune the kernels for this machine's CPU (-march=native)" ON)
option(DSC_SANITIZE "instrument with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
# buildPackage passes dsc's own node-addon-api; under npm install cmake-js puts it in CMAKE_JS_INC.
set(NODE_ADDON_API_DIR "" CACHE PATH "folder holding napi.h")

find_package(OpenMP REQUIRED)

add_library(dsc_model SHARED
${sources.map((s) => `  ${s}`).join('\n')}
  \${CMAKE_JS_SRC})
set_target_properties(dsc_model PROPERTIES PREFIX "" SUFFIX ".node" CXX_VISIBILITY_PRESET hidden)
target_include_directories(dsc_model PRIVATE include runtime \${CMAKE_JS_INC})
if(NODE_ADDON_API_DIR)
  target_include_directories(dsc_model PRIVATE \${NODE_ADDON_API_DIR})
endif()
target_compile_definitions(dsc_model PRIVATE NAPI_VERSION=8 NAPI_CPP_EXCEPTIONS NODE_ADDON_API_DISABLE_DEPRECATED)
target_link_libraries(dsc_model PRIVATE OpenMP::OpenMP_CXX \${CMAKE_JS_LIB})

if(DSC_SANITIZE)
  target_compile_options(dsc_model PRIVATE -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  target_link_options(dsc_model PRIVATE -fsanitize=address,undefined)
else()
  target_compile_options(dsc_model PRIVATE -O3)
endif()
if(DSC_NATIVE_ARCH)
  target_compile_options(dsc_model PRIVATE -march=native)
endif()
`;
}

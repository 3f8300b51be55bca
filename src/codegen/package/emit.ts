// The package emitter: from a model's manifest and its kernel files, a complete npm package whose
// `npm install` builds a native addon (install.js: cmake, with the Node-API headers vendored, so the
// package has no dependencies) and whose index.js/index.d.ts give typed access to it. Layout
// (docs/PACKAGE.md):
//
//   package.json  CMakeLists.txt  install.js  README.md  index.js  index.d.ts
//   src/       the kernel files (model.cc, ...) and addon.cc, the glue generated from the manifest
//   runtime/   dsc's C++ runtime (runtime/cpu/*.h, *.cc): weights, validation, ISA dispatch, N-API, C API
//   include/   the kernels' runtime headers (runtime/cpu/kernels/, included as "dsc/<name>.h"), and
//              node-api/: node-addon-api's and node-api-headers' headers with their licences
//   prebuilds/ <platform>-<arch>/dsc_model.node, written by `dsc pack`; loaded before build/Release
//
// Output is deterministic: the same inputs give byte-identical files.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { diag } from '../../diag/diagnostic.js';
import { ModelManifest } from '../abi.js';
import { addonGlue } from './glue.js';
import { ADDON_FILE, PREBUILD_DIR, emitBindings } from './bindings.js';
import { packageReadme } from './readme.js';
import { dscRoot, nodeApiHeaders } from './toolchain.js';

export interface EmitPackageOptions {
  manifest: ModelManifest;
  /** kernel sources by path relative to the package's src/ (e.g. model.cc implementing the ABI of abi.ts) */
  kernelFiles: Map<string, string>;
  outDir: string;
  /** npm name; by default the model's name in kebab case */
  packageName?: string;
}

/** Folders the emitter owns inside outDir; they are replaced on every emit (build/ and node_modules/ are kept). */
const OWNED_DIRS = ['src', 'runtime', 'include', 'prebuilds'];
const SOURCE_FILE = /\.(cc|cpp|c)$/;
/** Runtime sources that belong to one library only: the Node addon, or the C library (c_api.h). */
const NODE_ONLY = new Set(['model_addon.cc']);
const C_ONLY = new Set(['c_api.cc']);

/**
 * The C ABI the kernel files implement (src/codegen/abi.ts): CMakeLists.txt keeps these symbols of
 * each ISA copy of the kernels, renamed dsc_<isa>_*, and runtime/cpu/isa.cc forwards them.
 */
export const KERNEL_ABI_SYMBOLS = ['dsc_output_shape', 'dsc_workspace_bytes', 'dsc_run'];

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
  for (const f of nodeApiHeaders()) cpSync(f.from, join(outDir, 'include', 'node-api', f.name));

  const kernelPaths = [...opts.kernelFiles.keys()].sort();
  for (const path of kernelPaths) write(join('src', path), opts.kernelFiles.get(path)!);
  write('src/addon.cc', glue);

  const runtimeSources = runtimeFiles.filter((f) => SOURCE_FILE.test(f));
  write('CMakeLists.txt', cmakeLists(packageName, {
    kernels: [
      ...kernelPaths.filter((p) => SOURCE_FILE.test(p)).map((p) => `src/${p}`),
      ...includeFiles.filter((f) => SOURCE_FILE.test(f)).map((f) => `include/${f}`),
    ],
    common: ['src/addon.cc', ...runtimeSources.filter((f) => !NODE_ONLY.has(f) && !C_ONLY.has(f)).map((f) => `runtime/${f}`)],
    node: runtimeSources.filter((f) => NODE_ONLY.has(f)).map((f) => `runtime/${f}`),
    c: runtimeSources.filter((f) => C_ONLY.has(f)).map((f) => `runtime/${f}`),
  }));
  write('install.js', INSTALL_SCRIPT);
  write('package.json', packageJson(manifest, packageName));
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

function packageJson(manifest: ModelManifest, name: string): string {
  const pkg = {
    name,
    version: '0.1.0',
    description: `Model ${manifest.name} compiled ahead of time by dsc: a native Node addon with typed bindings.`,
    main: 'index.js',
    types: 'index.d.ts',
    files: ['index.js', 'index.d.ts', 'install.js', 'CMakeLists.txt', 'src', 'runtime', 'include', PREBUILD_DIR, 'README.md', 'weights.safetensors'],
    engines: { node: '>=20' },
    // No dependencies: the headers are vendored, so a linked `npm install <folder>` builds too.
    scripts: { install: 'node install.js' },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

/**
 * The package's install step: a prebuilt addon for this platform that loads is used as it is (no
 * compiler needed); otherwise the addon is built from source with cmake (one that does not load is
 * removed first, since index.js prefers prebuilds/).
 */
const INSTALL_SCRIPT = `// Generated by dsc: the package's install step (docs/PACKAGE.md). Uses a prebuilt addon for this
// platform when one is shipped and loads; otherwise builds build/Release/${ADDON_FILE} with cmake.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const prebuilt = path.join(__dirname, '${PREBUILD_DIR}', \`\${process.platform}-\${process.arch}\`, '${ADDON_FILE}');
if (existsSync(prebuilt)) {
  try {
    require(prebuilt);
    console.log(\`using the prebuilt addon \${path.relative(__dirname, prebuilt)}\`);
    process.exit(0);
  } catch (e) {
    // removed, so that index.js loads the source build instead
    rmSync(prebuilt);
    console.warn(\`the prebuilt addon does not load here (\${e.message.split('\\n')[0]}); removed it, building from source\`);
  }
}

function step(args) {
  const result = spawnSync('cmake', args, { stdio: 'inherit' });
  if (result.error) {
    console.error(\`cannot run cmake (\${result.error.message}): building this package needs cmake >= 3.15 and a C++17 compiler with OpenMP, or a prebuilt addon for \${process.platform}-\${process.arch} (dsc pack)\`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status === null ? 1 : result.status);
}
const build = path.join(__dirname, 'build');
step(['-S', __dirname, '-B', build, '-DCMAKE_BUILD_TYPE=Release']);
step(['--build', build, '--parallel', String(os.availableParallelism ? os.availableParallelism() : os.cpus().length)]);
`;

interface CmakeSources {
  /** compiled once per ISA variant */
  kernels: string[];
  /** spec tables and runtime shared by the addon and the C library */
  common: string[];
  node: string[];
  c: string[];
}

function cmakeLists(packageName: string, sources: CmakeSources): string {
  const list = (files: string[]) => files.map((f) => `  ${f}`).join('\n');
  return `# Generated by dsc for ${packageName}. Built by \`npm install\` (install.js), by dsc's buildPackage, or
# as a C library by dsc.cmake's dsc_add_model (DSC_C_LIBRARY names the target; no Node needed).
cmake_minimum_required(VERSION 3.15)
project(dsc_model CXX)

set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE ON)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()

option(DSC_SANITIZE "instrument with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
# DSC_C_LIBRARY, when set (dsc_add_model sets it), names a static C library (runtime/c_api.h) built
# instead of the Node addon.

find_package(OpenMP REQUIRED)

set(DSC_KERNEL_SOURCES
${list(sources.kernels)})
set(DSC_COMMON_SOURCES
${list(sources.common)})
set(DSC_NODE_SOURCES
${list(sources.node)})
set(DSC_C_SOURCES
${list(sources.c)})

add_library(dsc_model_flags INTERFACE)
target_include_directories(dsc_model_flags INTERFACE \${CMAKE_CURRENT_SOURCE_DIR}/include \${CMAKE_CURRENT_SOURCE_DIR}/runtime)
target_link_libraries(dsc_model_flags INTERFACE OpenMP::OpenMP_CXX)
if(DSC_SANITIZE)
  target_compile_options(dsc_model_flags INTERFACE -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined)
  target_link_options(dsc_model_flags INTERFACE -fsanitize=address,undefined)
else()
  target_compile_options(dsc_model_flags INTERFACE -O3)
endif()

# Kernel variants (runtime/isa.cc): on x86-64 Linux the kernels are compiled for AVX-512, AVX2+FMA and
# baseline x86-64 and the best one the CPU has is used at load. Each copy is linked into one object
# whose symbols are all local but the C ABI, renamed dsc_<isa>_*, so the inline functions of one ISA
# are never merged into another's. Elsewhere: one baseline copy.
set(DSC_KERNEL_ABI ${KERNEL_ABI_SYMBOLS.join(' ')})
set(DSC_KERNEL_OBJECTS "")
if(CMAKE_SYSTEM_NAME STREQUAL "Linux" AND CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$" AND CMAKE_OBJCOPY)
  set(DSC_KERNEL_VARIANTS 1)
  foreach(isa_march avx512:x86-64-v4 avx2:x86-64-v3 baseline:x86-64)
    string(REPLACE ":" ";" pair \${isa_march})
    list(GET pair 0 isa)
    list(GET pair 1 march)
    add_library(dsc_kernels_\${isa} OBJECT \${DSC_KERNEL_SOURCES})
    target_link_libraries(dsc_kernels_\${isa} PRIVATE dsc_model_flags)
    # GCC marks statics of inline functions STB_GNU_UNIQUE, which objcopy cannot make local.
    target_compile_options(dsc_kernels_\${isa} PRIVATE -march=\${march} -mtune=generic $<$<CXX_COMPILER_ID:GNU>:-fno-gnu-unique>)
    set(keep "")
    set(rename "")
    foreach(symbol \${DSC_KERNEL_ABI})
      string(REGEX REPLACE "^dsc_" "dsc_\${isa}_" renamed \${symbol})
      list(APPEND keep --keep-global-symbol=\${symbol})
      list(APPEND rename --redefine-sym=\${symbol}=\${renamed})
    endforeach()
    set(merged \${CMAKE_CURRENT_BINARY_DIR}/dsc_kernels_\${isa}.o)
    add_custom_command(OUTPUT \${merged}
      COMMAND \${CMAKE_CXX_COMPILER} -r -nostdlib -Wl,--force-group-allocation -o \${merged} $<TARGET_OBJECTS:dsc_kernels_\${isa}>
      COMMAND \${CMAKE_OBJCOPY} \${keep} \${merged}
      COMMAND \${CMAKE_OBJCOPY} \${rename} \${merged}
      DEPENDS dsc_kernels_\${isa} $<TARGET_OBJECTS:dsc_kernels_\${isa}>
      COMMENT "Linking the \${isa} kernels"
      COMMAND_EXPAND_LISTS VERBATIM)
    list(APPEND DSC_KERNEL_OBJECTS \${merged})
  endforeach()
  set_source_files_properties(\${DSC_KERNEL_OBJECTS} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
else()
  set(DSC_KERNEL_VARIANTS 0)
  set(DSC_KERNEL_OBJECTS \${DSC_KERNEL_SOURCES})
endif()

if(DSC_C_LIBRARY)
  add_library(\${DSC_C_LIBRARY} STATIC \${DSC_COMMON_SOURCES} \${DSC_C_SOURCES} \${DSC_KERNEL_OBJECTS})
  # A program linking it, even a C one, is linked as C++ (CMake sees the library's language) with OpenMP.
  target_link_libraries(\${DSC_C_LIBRARY} PUBLIC OpenMP::OpenMP_CXX PRIVATE dsc_model_flags)
  target_compile_definitions(\${DSC_C_LIBRARY} PRIVATE DSC_KERNEL_VARIANTS=\${DSC_KERNEL_VARIANTS})
  target_include_directories(\${DSC_C_LIBRARY} INTERFACE \${CMAKE_CURRENT_SOURCE_DIR}/runtime)
else()
  add_library(dsc_model SHARED \${DSC_COMMON_SOURCES} \${DSC_NODE_SOURCES} \${DSC_KERNEL_OBJECTS})
  set_target_properties(dsc_model PROPERTIES PREFIX "" SUFFIX ".node" CXX_VISIBILITY_PRESET hidden
    LIBRARY_OUTPUT_DIRECTORY \${CMAKE_BINARY_DIR}/Release)
  target_include_directories(dsc_model PRIVATE \${CMAKE_CURRENT_SOURCE_DIR}/include/node-api)
  target_compile_definitions(dsc_model PRIVATE DSC_KERNEL_VARIANTS=\${DSC_KERNEL_VARIANTS} NAPI_VERSION=8 NAPI_CPP_EXCEPTIONS NODE_ADDON_API_DISABLE_DEPRECATED BUILDING_NODE_EXTENSION)
  target_link_libraries(dsc_model PRIVATE dsc_model_flags)
  if(APPLE)
    # Node-API's functions come from the node process that loads the addon.
    target_link_options(dsc_model PRIVATE -undefined dynamic_lookup)
  endif()
endif()
`;
}

// Builds a generated package's addon as its own install step does (install.js: cmake configure, then
// build, with the package's vendored headers), so no network and no `npm install` are needed; the
// configure step runs every time because the options change between normal and sanitized builds.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { diag } from '../../diag/diagnostic.js';
import { ADDON_PATH, prebuildPath } from './bindings.js';

export interface BuildPackageOptions {
  /** each line cmake and the compiler print, as it comes */
  onProgress?: (line: string) => void;
  /**
   * Instrument with AddressSanitizer and UndefinedBehaviorSanitizer. Node itself is not instrumented,
   * so a process loading the addon must start with the ASan runtime preloaded (sanitizerEnv()).
   */
  sanitize?: boolean;
}

/** How many compiler lines a build failure carries in its diagnostic. */
const ERROR_LINES = 12;

export async function buildPackage(dir: string, opts: BuildPackageOptions = {}): Promise<void> {
  const build = join(dir, 'build');
  const configure = ['-S', dir, '-B', build, '-DCMAKE_BUILD_TYPE=Release', `-DDSC_SANITIZE=${opts.sanitize ? 'ON' : 'OFF'}`];
  await runCmake(dir, 'configure', configure, opts.onProgress);
  await runCmake(dir, 'build', ['--build', build, '--parallel', String(availableParallelism())], opts.onProgress);
  if (!existsSync(join(dir, ADDON_PATH)))
    throw diag('DSC6102', `${dir}: the build finished but ${ADDON_PATH} was not produced`);
}

function runCmake(dir: string, step: string, args: string[], onProgress?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('cmake', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const collect = (stream: NodeJS.ReadableStream) => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop()!;
        for (const line of parts) {
          lines.push(line);
          onProgress?.(line);
        }
      });
      stream.on('end', () => {
        if (pending) {
          lines.push(pending);
          onProgress?.(pending);
        }
      });
    };
    collect(child.stdout!);
    collect(child.stderr!);
    let started = true;
    child.on('error', (e) => {
      started = false;
      reject(/ENOENT/.test(e.message)
        ? diag('DSC6103', `${dir}: cmake is not installed (the package build needs cmake ≥ 3.15 and a C++17 compiler with OpenMP)`)
        : diag('DSC6103', `cannot start cmake: ${e.message}`));
    });
    child.on('close', (status) => {
      if (!started) return;
      if (status === 0) return resolve();
      reject(buildFailure(dir, step, lines));
    });
  });
}

/** The diagnostic for a failed step: the compiler's first errors, or the tool's complaint when nothing compiled. */
function buildFailure(dir: string, step: string, lines: string[]) {
  const text = lines.join('\n');
  if (/No CMAKE_CXX_COMPILER could be found/i.test(text))
    return diag('DSC6103', `${dir}: no C++ compiler found (the package build needs a C++17 compiler with OpenMP)`);
  const first = lines.findIndex((l) => /\berror\b|CMake Error|undefined reference/i.test(l));
  const excerpt = (first >= 0 ? lines.slice(first, first + ERROR_LINES) : lines.slice(-ERROR_LINES)).join('\n');
  return diag('DSC6102', `${dir}: native build failed (cmake ${step}):\n${excerpt}`);
}

/**
 * Environment for a process that loads a sanitized addon: the ASan runtime must be the first library
 * loaded, which Node (not built with ASan) can only get by LD_PRELOAD; leak checking is off because
 * V8 keeps memory alive until exit by design.
 */
export function sanitizerEnv(compiler = 'c++'): Record<string, string> {
  return {
    LD_PRELOAD: sanitizerRuntime(compiler),
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1',
    UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1',
  };
}

/** The path of libasan.so for the compiler that builds the addon. */
function sanitizerRuntime(compiler: string): string {
  return execFileSync(compiler, ['-print-file-name=libasan.so'], { encoding: 'utf8' }).trim();
}

export interface PackResult {
  /** the tarball npm pack wrote */
  tarball: string;
  /** the prebuilt addon it carries, relative to the package */
  prebuild: string;
}

/**
 * `dsc pack`: builds the package's addon once, ships it as prebuilds/<platform>-<arch>/dsc_model.node
 * (which index.js and install.js use before any source build), and runs `npm pack` into destination.
 */
export async function packPackage(dir: string, destination: string, opts: BuildPackageOptions = {}): Promise<PackResult> {
  if (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'CMakeLists.txt')))
    throw diag('DSC6101', `${dir}: not a package dsc compiled for the cpu target (no package.json and CMakeLists.txt)`);
  await buildPackage(dir, opts);
  const prebuild = prebuildPath();
  mkdirSync(dirname(join(dir, prebuild)), { recursive: true });
  copyFileSync(join(dir, ADDON_PATH), join(dir, prebuild));
  mkdirSync(destination, { recursive: true });
  let output: string;
  try {
    output = execFileSync('npm', ['pack', '--json', '--pack-destination', resolve(destination)], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw diag('DSC6104', `${dir}: npm pack failed: ${((e as { stderr?: string }).stderr ?? (e as Error).message).trim()}`);
  }
  const [packed] = JSON.parse(output) as { filename: string }[];
  return { tarball: join(resolve(destination), packed.filename), prebuild };
}

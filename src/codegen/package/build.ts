// Builds a generated package's addon with dsc's own cmake-js and node-addon-api, so no network and
// no `npm install` are needed: `cmake-js configure` (options change between normal and sanitized
// builds, and `compile` would keep a stale cache) then `cmake-js build`.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { diag } from '../../diag/diagnostic.js';
import { ADDON_PATH } from './bindings.js';
import { cmakeJsBin, nodeAddonApiInclude } from './toolchain.js';

export interface BuildPackageOptions {
  /** each line cmake, the compiler and cmake-js print, as it comes */
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
  const common = ['--directory', dir, '--log-level', 'info'];
  const configure = [
    'configure', ...common,
    `--CDDSC_SANITIZE=${opts.sanitize ? 'ON' : 'OFF'}`,
    `--CDNODE_ADDON_API_DIR=${nodeAddonApiInclude()}`,
  ];
  await runCmakeJs(dir, configure, opts.onProgress);
  await runCmakeJs(dir, ['build', ...common, '--parallel', String(availableParallelism())], opts.onProgress);
  if (!existsSync(join(dir, ADDON_PATH)))
    throw diag('DSC6102', `${dir}: the build finished but ${ADDON_PATH} was not produced`);
}

function runCmakeJs(dir: string, args: string[], onProgress?: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cmakeJsBin(), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
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
    child.on('error', (e) => reject(diag('DSC6103', `cannot start cmake-js: ${e.message}`)));
    child.on('close', (status) => {
      if (status === 0) return resolve();
      reject(buildFailure(dir, args[0], lines));
    });
  });
}

/** The diagnostic for a failed step: the compiler's first errors, or the tool's complaint when nothing compiled. */
function buildFailure(dir: string, step: string, lines: string[]) {
  const text = lines.join('\n');
  if (/CMake executable is not found|cmake: not found/i.test(text))
    return diag('DSC6103', `${dir}: cmake is not installed (the package build needs cmake ≥ 3.15 and a C++17 compiler with OpenMP)`);
  const first = lines.findIndex((l) => /\berror\b|CMake Error|undefined reference/i.test(l));
  const excerpt = (first >= 0 ? lines.slice(first, first + ERROR_LINES) : lines.slice(-ERROR_LINES)).join('\n');
  return diag('DSC6102', `${dir}: native build failed (cmake-js ${step}):\n${excerpt}`);
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

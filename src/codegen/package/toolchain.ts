// Where dsc's own pieces are on disk: its runtime sources (copied into every package) and the
// build tools it depends on (cmake-js, node-addon-api), found the same way from src/ under vitest
// and from the esbuild bundle in dist/.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** The dsc checkout or installation: the nearest folder above this module whose package.json is dsc's. */
export function dscRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'dsc') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('internal error: package emitter cannot find the dsc installation above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export interface BuildDependency {
  name: 'cmake-js' | 'node-addon-api';
  /** the installed package folder */
  dir: string;
  version: string;
}

export function buildDependencies(): BuildDependency[] {
  return (['cmake-js', 'node-addon-api'] as const).map((name) => {
    const manifest = require.resolve(`${name}/package.json`);
    return { name, dir: dirname(manifest), version: JSON.parse(readFileSync(manifest, 'utf8')).version as string };
  });
}

export function cmakeJsBin(): string {
  return join(buildDependencies().find((d) => d.name === 'cmake-js')!.dir, 'bin', 'cmake-js');
}

/** node-addon-api's header folder (napi.h). */
export function nodeAddonApiInclude(): string {
  return buildDependencies().find((d) => d.name === 'node-addon-api')!.dir;
}

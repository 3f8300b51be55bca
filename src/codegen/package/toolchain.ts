// Where dsc's own pieces are on disk: its runtime sources (copied into every package) and the
// Node-API headers it vendors into packages (node-addon-api's napi.h, node-api-headers' C headers,
// both MIT), found the same way from src/ under vitest and from the esbuild bundle in dist/.
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

/** A file a package vendors: its absolute source and its name in the package's header folder. */
export interface VendoredFile {
  from: string;
  name: string;
}

function packageDir(name: string): string {
  return dirname(require.resolve(`${name}/package.json`));
}

/**
 * The headers an addon is compiled against, with their licences: a package carries them so that its
 * install step needs no other npm package (a linked `npm install <folder>` installs none).
 */
export function nodeApiHeaders(): VendoredFile[] {
  const addonApi = packageDir('node-addon-api');
  const apiHeaders = join(packageDir('node-api-headers'), 'include');
  return [
    ...['napi.h', 'napi-inl.h', 'napi-inl.deprecated.h'].map((name) => ({ from: join(addonApi, name), name })),
    { from: join(addonApi, 'LICENSE.md'), name: 'LICENSE-node-addon-api.md' },
    ...['js_native_api.h', 'js_native_api_types.h', 'node_api.h', 'node_api_types.h'].map((name) => ({ from: join(apiHeaders, name), name })),
    { from: join(apiHeaders, '..', 'LICENSE'), name: 'LICENSE-node-api-headers' },
  ];
}

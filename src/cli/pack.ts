// `dsc pack`: a package whose addon is built once and shipped inside it (prebuilds/<platform>-<arch>/),
// as an npm tarball that installs with no compiler on the same platform and architecture.
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from './args.js';
import { diag } from '../diag/diagnostic.js';
import { loadModel } from '../frontend/load.js';
import { compileToPackage } from '../codegen/compile.js';
import { DEFAULT_TARGET } from '../codegen/targets/registry.js';
import { defaultPackageName, packPackage } from '../codegen/package/index.js';

export const PACK_HELP = `usage: dsc pack [PACKAGE_DIR | MODEL ...] [-o DIR]

Builds the native addon of each package once, puts it in the package as
prebuilds/<platform>-<arch>/dsc_model.node (loaded before any build/Release one; its install step
then needs no compiler), and writes the npm tarball (npm pack). A MODEL (.ds, .onnx, .ir) is first
compiled for the cpu target into out/<model name>, as \`dsc compile\` does. With no argument, packs
the package in the current folder. Install the tarball with \`npm install <tarball>\`.
  -o DIR       where the tarballs go (default: the current folder)`;

const isPackageDir = (path: string) => existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'package.json'));

export async function cmdPack(argv: string[], log: (s: string) => void, err: (s: string) => void): Promise<number> {
  const a = parseArgs(argv, { out: { value: true, short: 'o' } }, 'pack');
  const destination = a.flags.get('out')?.[0] ?? '.';
  const targets = a.positional.length ? a.positional : ['.'];
  for (const target of targets) {
    let dir = target;
    if (!isPackageDir(target)) {
      if (existsSync(target) && statSync(target).isDirectory())
        throw diag('DSC9001', `dsc pack: ${target} is a folder without package.json; give a package \`dsc compile\` wrote, or a model file`);
      const name = basename(target).replace(/\.[^.]*$/, '');
      dir = join('out', name);
      err(`  compiling ${target} into ${dir}`);
      await compileToPackage(loadModel(target), dir, { target: DEFAULT_TARGET, packageName: defaultPackageName(name) });
    }
    err(`  building and packing ${dir}`);
    const packed = await packPackage(dir, destination);
    log(`packed ${packed.tarball} (prebuilt addon ${packed.prebuild})`);
  }
  return 0;
}

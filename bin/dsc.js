#!/usr/bin/env node
// The dsc command; the CLI is bundled into dist/ by `npm run build` (run by `npm ci` / `npm install`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/dsc.js', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  console.error('dsc: dist/dsc.js is missing; run `npm run build` in the dsc checkout first');
  process.exit(70);
}
await import(bundle.href);

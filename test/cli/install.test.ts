// The README's first command, `npm ci`, must pass offline with no environment variables: onnxruntime-node's
// install script downloads GPU providers unless told to skip, and the project's .npmrc tells it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** The environment without the variable that would hide a missing .npmrc setting. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^(ONNXRUNTIME_NODE_INSTALL|npm_config_onnxruntime_node_install)/i.test(k)) delete env[k];
  return env;
}

describe('project npm config', () => {
  it('.npmrc tells onnxruntime-node to skip its GPU downloads', () => {
    const lines = readFileSync(join(root, '.npmrc'), 'utf8').split('\n').map((l) => l.trim());
    expect(lines).toContain('onnxruntime-node-install=skip');
  });

  it('npm hands the setting to install scripts, and onnxruntime-node\'s script then does nothing', () => {
    const env = spawnSync('npm', ['run', 'env'], { cwd: root, env: cleanEnv(), encoding: 'utf8' });
    expect(env.status, env.stderr).toBe(0);
    expect(env.stdout.split('\n')).toContain('npm_config_onnxruntime_node_install=skip');

    const script = join(root, 'node_modules', 'onnxruntime-node', 'script', 'install.js');
    const install = spawnSync(process.execPath, [script], { cwd: join(root, 'node_modules', 'onnxruntime-node'), env: { ...cleanEnv(), npm_config_onnxruntime_node_install: 'skip' }, encoding: 'utf8', timeout: 20_000 });
    expect(install.status, install.stderr).toBe(0);
    expect(install.stdout + install.stderr).not.toMatch(/download/i);
  });
});

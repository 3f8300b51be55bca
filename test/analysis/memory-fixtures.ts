// The models the memory and fusion figures are stated for: ResNet-18 and MobileNetV2 (exported by
// PyTorch into test/fixtures/generated, made on demand when torch is installed) and the transformer
// encoder (committed), each run through the CPU target's -O1 pipeline, as `dsc compile` would.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importOnnxFile } from '../../src/frontend/onnx/import.js';
import { Graph } from '../../src/ir/graph.js';
import { runPasses } from '../../src/passes/registry.js';
import { pipelineFor } from '../../src/codegen/targets/registry.js';

const PYTHON = '/usr/bin/python3';
const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface FixtureModel { label: string; file: string; generated: boolean }

export const FIXTURE_MODELS: readonly FixtureModel[] = [
  { label: 'ResNet-18', file: join(FIXTURES, 'generated', 'resnet18.onnx'), generated: true },
  { label: 'MobileNetV2', file: join(FIXTURES, 'generated', 'mobilenetv2.onnx'), generated: true },
  { label: 'Transformer encoder', file: join(FIXTURES, 'onnx', 'transformer_opset17.onnx'), generated: false },
];

/** The pass pipeline the figures are for. */
export const PIPELINE = { target: 'cpu', level: 1 } as const;

/**
 * Make the generated fixtures that are missing; returns why they cannot be made, or null. Under CI
 * the exporter is installed, so a failure there is an error, not a reason to skip.
 */
export function ensureFixtures(): string | null {
  const missing = FIXTURE_MODELS.filter((m) => !existsSync(m.file)).map((m) => m.file.replace(/^.*\//, '').replace('.onnx', ''));
  if (missing.length === 0) return null;
  const gen = spawnSync(PYTHON, [join(FIXTURES, 'make_onnx_models.py'), join(FIXTURES, 'generated'), '--models', missing.join(',')], { encoding: 'utf8' });
  if (gen.status === 0) return null;
  const why = `cannot export ${missing.join(', ')} (${PYTHON} test/fixtures/make_onnx_models.py failed: ${gen.stderr.trim().split('\n').pop()})`;
  if (process.env.CI) throw new Error(why);
  return why;
}

export function loadCompiled(m: FixtureModel): Graph {
  const graph = importOnnxFile(m.file);
  runPasses(graph, pipelineFor(PIPELINE.target, PIPELINE.level));
  return graph;
}

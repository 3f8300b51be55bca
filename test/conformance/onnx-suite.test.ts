// Runs the whole ONNX backend test suite through import + reference interpreter, then every case that
// passes there through the cpu and wgsl targets, and guards the baselines: a case that passed once must
// keep passing, and a target may give no wrong answer its baseline does not accept. With
// DSC_WRITE_CONFORMANCE=1 it rewrites docs/CONFORMANCE.md and the baselines instead of failing on changes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lavapipeGpu } from '../codegen-wgsl/harness.js';
import { runCpuSuite } from './cpu.js';
import { CASE_FILTER, CaseResult, TESTDATA_ROOT, listCases, runSuite } from './runner.js';
import {
  TargetBaseline, TargetResults, UPDATE_COMMAND, passingIds, renderBaseline, renderReport, renderTargetBaseline, targetIds,
  targetTotalsOf, totalsOf,
} from './report.js';
import { runWgslSuite, suiteDevice } from './wgsl.js';

const BASELINE = fileURLToPath(new URL('./baseline.json', import.meta.url));
const CPU_BASELINE = fileURLToPath(new URL('./cpu-baseline.json', import.meta.url));
const WGSL_BASELINE = fileURLToPath(new URL('./wgsl-baseline.json', import.meta.url));
const REPORT = fileURLToPath(new URL('../../docs/CONFORMANCE.md', import.meta.url));
const WRITE = process.env.DSC_WRITE_CONFORMANCE === '1';
const SLOW_CASE_MS = 2000;

/** read before a write run replaces them, so that run can still say what it drops */
// with DSC_CONFORMANCE_FILTER the baselines are checked on the matching cases only
const inRun = (id: string) => !CASE_FILTER || CASE_FILTER.test(id);
const baseline: string[] = (existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, 'utf8')) as string[] : []).filter(inRun);
const readTargetBaseline = (file: string): TargetBaseline => {
  const b: TargetBaseline = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : { pass: [], fail: [] };
  return { pass: b.pass.filter(inRun), fail: b.fail.filter(inRun) };
};
const cpuBaseline = readTargetBaseline(CPU_BASELINE);
const wgslBaseline = readTargetBaseline(WGSL_BASELINE);
const installed = existsSync(TESTDATA_ROOT);
// CI installs libonnx-testdata, so there its absence is a failure, not a reason to skip.
const skip = !installed && !process.env.CI;
if (skip) console.warn(`skipping the ONNX conformance suite: ${TESTDATA_ROOT} is missing (apt-get install libonnx-testdata)`);
// Compiling pipelines is most of the wgsl column's time; llvmpipe's 4-wide code compiles in about half
// the time of its default 8-wide code. Read when the Vulkan driver loads, so set before lavapipeGpu.
process.env.LP_NATIVE_VECTOR_WIDTH ??= '128';
// null (with the reason printed) without lavapipe; under CI that throws
const gpu = skip ? null : lavapipeGpu();

describe.skipIf(skip)('ONNX backend test suite', () => {
  let results: CaseResult[] = [];
  let cpu: TargetResults = new Map();
  let wgsl: TargetResults = new Map();
  let wgslDevice: GPUDevice | undefined;

  beforeAll(async () => {
    if (!installed) return;
    results = runSuite(listCases());
    const slow = results.filter((r) => r.ms > SLOW_CASE_MS).sort((a, b) => b.ms - a.ms);
    if (slow.length) console.warn(`slow cases: ${slow.map((r) => `${r.id} ${(r.ms / 1000).toFixed(1)} s`).join(', ')}`);
    let start = performance.now();
    cpu = await runCpuSuite(results);
    console.info(`cpu target: ${((performance.now() - start) / 1000).toFixed(1)} s for ${cpu.size} cases`);
    if (gpu) {
      start = performance.now();
      wgslDevice = await suiteDevice(gpu);
      wgsl = await runWgslSuite(results, wgslDevice);
      // most of it is lavapipe compiling pipelines at their first dispatch; Mesa's shader cache makes reruns fast
      console.info(`wgsl target: ${((performance.now() - start) / 1000).toFixed(1)} s for ${wgsl.size} cases`);
    }
    if (WRITE) {
      if (CASE_FILTER) throw new Error('DSC_WRITE_CONFORMANCE rewrites the whole report: unset DSC_CONFORMANCE_FILTER');
      if (!gpu) throw new Error('the report has a wgsl column: rewriting it needs lavapipe');
      writeFileSync(REPORT, renderReport(results, { cpu, wgsl }));
      writeFileSync(BASELINE, renderBaseline(results));
      writeFileSync(CPU_BASELINE, renderTargetBaseline(cpu));
      writeFileSync(WGSL_BASELINE, renderTargetBaseline(wgsl));
    }
  }, 900_000);

  afterAll(() => wgslDevice?.destroy());

  it.skipIf(!!CASE_FILTER)('finds the test data and tells tensor-only cases apart', () => {
    expect(installed, `${TESTDATA_ROOT} is missing; CI must install libonnx-testdata`).toBe(true);
    // ONNX 1.12's node suite has 896 tensor-only cases of 932 (the figure onnxruntime-node is measured on)
    const node = totalsOf(results.filter((r) => r.id.startsWith('node/')));
    expect([node.cases, node.tensorOnly]).toEqual([932, 896]);
  });

  it('keeps every baseline case passing', () => {
    const byId = new Map(results.map((r) => [r.id, r]));
    const regressed = baseline.filter((id) => byId.get(id)?.outcome !== 'pass');
    const known = new Set(baseline);
    const newlyPassing = passingIds(results).filter((id) => !known.has(id));
    const t = totalsOf(results);
    console.info(`conformance: ${t.pass} of ${t.tensorOnly} tensor-only cases pass (${t.fail} failed, ${t.unsupported} unsupported, ${t.error} errors)`);
    if (newlyPassing.length && !WRITE)
      console.info(`${newlyPassing.length} case(s) pass that the baseline does not list; record them with \`${UPDATE_COMMAND}\`:\n  ${newlyPassing.join('\n  ')}`);
    const lines = regressed.map((id) => {
      const r = byId.get(id);
      return r ? `${id}: ${r.outcome} ${r.reason}` : `${id}: no longer in the suite`;
    });
    if (WRITE) {
      if (lines.length) console.warn(`dropped from the baseline:\n  ${lines.join('\n  ')}`);
      return;
    }
    expect(lines, `baseline cases that no longer pass (fix them, or run \`${UPDATE_COMMAND}\` to accept)`).toEqual([]);
  });

  /** A target's baseline cases must keep passing, and it may give no wrong answer the baseline does not accept. */
  function checkTarget(name: string, target: TargetResults, targetBaseline: TargetBaseline): void {
    const regressed = targetBaseline.pass.filter((id) => target.get(id)?.outcome !== 'pass');
    const acceptedWrong = new Set(targetBaseline.fail);
    const newlyWrong = targetIds(target, 'fail').filter((id) => !acceptedWrong.has(id));
    const known = new Set(targetBaseline.pass);
    const newlyPassing = targetIds(target, 'pass').filter((id) => !known.has(id));
    const t = targetTotalsOf(results, target);
    console.info(`${name} target: ${t.pass} of the ${t.interpreterPassed} interpreter-passing cases pass (${t.fail} failed, ${t.unsupported} unsupported on ${name}, ${t.buildError} build errors)`);
    if (CASE_FILTER) console.info(`${name}, case by case:\n  ${[...target.values()].map((r) => `${r.id}: ${r.outcome} ${r.reason || r.unsupported.join('; ')}`).join('\n  ')}`);
    if (newlyPassing.length && !WRITE)
      console.info(`${newlyPassing.length} case(s) pass on ${name} that the ${name} baseline does not list; record them with \`${UPDATE_COMMAND}\`:\n  ${newlyPassing.join('\n  ')}`);
    const line = (id: string) => {
      const r = target.get(id);
      return r ? `${id}: ${r.outcome} ${r.reason || r.unsupported.join('; ')}` : `${id}: not run on ${name} (${results.find((c) => c.id === id)?.outcome ?? 'no longer in the suite'} on the interpreter)`;
    };
    if (WRITE) {
      if (regressed.length) console.warn(`dropped from the ${name} baseline:\n  ${regressed.map(line).join('\n  ')}`);
      if (newlyWrong.length) console.warn(`wrong answers on ${name} accepted into its baseline:\n  ${newlyWrong.map(line).join('\n  ')}`);
      return;
    }
    expect(regressed.map(line), `${name} baseline cases that no longer pass (fix them, or run \`${UPDATE_COMMAND}\` to accept)`).toEqual([]);
    expect(newlyWrong.map(line), `wrong answers on ${name} that its baseline does not accept (fix them, or run \`${UPDATE_COMMAND}\` to accept)`).toEqual([]);
  }

  it('keeps every cpu baseline case passing on the cpu target, with no new wrong answer', () => {
    checkTarget('cpu', cpu, cpuBaseline);
  });

  it.skipIf(!gpu)('keeps every wgsl baseline case passing on the wgsl target (lavapipe), with no new wrong answer', () => {
    checkTarget('wgsl', wgsl, wgslBaseline);
  });
});

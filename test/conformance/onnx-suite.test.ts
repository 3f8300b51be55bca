// Runs the whole ONNX backend test suite through import + reference interpreter, then every case that
// passes there through the cpu target, and guards both baselines: a case that passed once must keep
// passing. With DSC_WRITE_CONFORMANCE=1 it rewrites docs/CONFORMANCE.md and the baselines instead of
// failing on changes.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CpuResult, runCpuSuite } from './cpu.js';
import { CaseResult, TESTDATA_ROOT, listCases, runSuite } from './runner.js';
import {
  UPDATE_COMMAND, cpuPassingIds, cpuTotalsOf, passingIds, renderBaseline, renderCpuBaseline, renderReport, totalsOf,
} from './report.js';

const BASELINE = fileURLToPath(new URL('./baseline.json', import.meta.url));
const CPU_BASELINE = fileURLToPath(new URL('./cpu-baseline.json', import.meta.url));
const REPORT = fileURLToPath(new URL('../../docs/CONFORMANCE.md', import.meta.url));
const WRITE = process.env.DSC_WRITE_CONFORMANCE === '1';
const SLOW_CASE_MS = 2000;

/** read before a write run replaces them, so that run can still say what it drops */
const baseline: string[] = existsSync(BASELINE) ? JSON.parse(readFileSync(BASELINE, 'utf8')) : [];
const cpuBaseline: string[] = existsSync(CPU_BASELINE) ? JSON.parse(readFileSync(CPU_BASELINE, 'utf8')) : [];
const installed = existsSync(TESTDATA_ROOT);
// CI installs libonnx-testdata, so there its absence is a failure, not a reason to skip.
const skip = !installed && !process.env.CI;
if (skip) console.warn(`skipping the ONNX conformance suite: ${TESTDATA_ROOT} is missing (apt-get install libonnx-testdata)`);

describe.skipIf(skip)('ONNX backend test suite', () => {
  let results: CaseResult[] = [];
  let cpu = new Map<string, CpuResult>();

  beforeAll(async () => {
    if (!installed) return;
    results = runSuite(listCases());
    const slow = results.filter((r) => r.ms > SLOW_CASE_MS).sort((a, b) => b.ms - a.ms);
    if (slow.length) console.warn(`slow cases: ${slow.map((r) => `${r.id} ${(r.ms / 1000).toFixed(1)} s`).join(', ')}`);
    const start = performance.now();
    cpu = await runCpuSuite(results);
    console.info(`cpu target: ${((performance.now() - start) / 1000).toFixed(1)} s for ${cpu.size} cases`);
    if (WRITE) {
      writeFileSync(REPORT, renderReport(results, cpu));
      writeFileSync(BASELINE, renderBaseline(results));
      writeFileSync(CPU_BASELINE, renderCpuBaseline(cpu));
    }
  }, 900_000);

  it('finds the test data and tells tensor-only cases apart', () => {
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

  it('keeps every cpu baseline case passing on the cpu target', () => {
    const regressed = cpuBaseline.filter((id) => cpu.get(id)?.outcome !== 'pass');
    const known = new Set(cpuBaseline);
    const newlyPassing = cpuPassingIds(cpu).filter((id) => !known.has(id));
    const t = cpuTotalsOf(results, cpu);
    console.info(`cpu target: ${t.pass} of the ${t.interpreterPassed} interpreter-passing cases pass (${t.fail} failed, ${t.unsupported} unsupported on cpu, ${t.buildError} build errors)`);
    if (newlyPassing.length && !WRITE)
      console.info(`${newlyPassing.length} case(s) pass on cpu that the cpu baseline does not list; record them with \`${UPDATE_COMMAND}\`:\n  ${newlyPassing.join('\n  ')}`);
    const lines = regressed.map((id) => {
      const r = cpu.get(id);
      return r ? `${id}: ${r.outcome} ${r.reason || r.unsupported.join('; ')}` : `${id}: not run on cpu (${results.find((c) => c.id === id)?.outcome ?? 'no longer in the suite'} on the interpreter)`;
    });
    if (WRITE) {
      if (lines.length) console.warn(`dropped from the cpu baseline:\n  ${lines.join('\n  ')}`);
      return;
    }
    expect(lines, `cpu baseline cases that no longer pass (fix them, or run \`${UPDATE_COMMAND}\` to accept)`).toEqual([]);
  });
});

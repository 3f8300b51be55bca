// Turns conformance results into docs/CONFORMANCE.md and the baselines (the interpreter's passing
// cases; each target's passing cases and accepted wrong answers). The output depends only on the
// results (sorted, no timings), so a rerun on the same tree is byte-identical.
import { CONFORMANCE_TOLERANCE } from './compare.js';
import { CaseResult, Outcome, SUITES, compareStrings } from './runner.js';
import { TargetOutcome, TargetResult } from './target.js';

export const UPDATE_COMMAND = 'DSC_WRITE_CONFORMANCE=1 npx vitest run test/conformance';

/** onnxruntime-node 1.30 on the same data and tolerance (docs: measured facts of this project). */
const ORT_NODE_PASSED = 854;

export interface Totals {
  cases: number;
  notTensorOnly: number;
  tensorOnly: number;
  pass: number;
  fail: number;
  unsupported: number;
  error: number;
}

export function totalsOf(results: readonly CaseResult[]): Totals {
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  const notTensorOnly = count('not-tensor-only');
  return {
    cases: results.length, notTensorOnly, tensorOnly: results.length - notTensorOnly,
    pass: count('pass'), fail: count('fail'), unsupported: count('unsupported'), error: count('error'),
  };
}

export function passingIds(results: readonly CaseResult[]): string[] {
  return results.filter((r) => r.outcome === 'pass').map((r) => r.id).sort(compareStrings);
}

export function renderBaseline(results: readonly CaseResult[]): string {
  return JSON.stringify(passingIds(results), null, 2) + '\n';
}

/** The results of one compiled target, by case id. */
export type TargetResults = ReadonlyMap<string, TargetResult>;

/** The compiled targets' columns, in report order. */
export interface TargetColumns { cpu: TargetResults; wgsl: TargetResults }

export function targetIds(target: TargetResults, outcome: TargetOutcome): string[] {
  return [...target.values()].filter((r) => r.outcome === outcome).map((r) => r.id).sort(compareStrings);
}

/**
 * A target's baseline: the cases that pass, which must keep passing, and the wrong answers accepted so
 * far (the report lists them with their differences), beyond which none may appear.
 */
export interface TargetBaseline { pass: string[]; fail: string[] }

export function renderTargetBaseline(target: TargetResults): string {
  const baseline: TargetBaseline = { pass: targetIds(target, 'pass'), fail: targetIds(target, 'fail') };
  return JSON.stringify(baseline, null, 2) + '\n';
}

export interface TargetTotals { interpreterPassed: number; pass: number; fail: number; unsupported: number; buildError: number }

export function targetTotalsOf(results: readonly CaseResult[], target: TargetResults): TargetTotals {
  const count = (o: TargetOutcome) => results.filter((r) => target.get(r.id)?.outcome === o).length;
  return {
    interpreterPassed: results.filter((r) => r.outcome === 'pass').length,
    pass: count('pass'), fail: count('fail'), unsupported: count('unsupported'), buildError: count('build-error'),
  };
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`;
}

/** Text from error messages, safe inside a markdown list item. */
function inline(text: string): string {
  return '`' + text.replace(/`/g, "'") + '`';
}

function totalsRow(label: string, t: Totals, cpu: TargetTotals, wgsl: TargetTotals): string {
  return `| ${label} | ${t.cases} | ${t.notTensorOnly} | ${t.tensorOnly} | ${t.pass} | ${t.fail} | ${t.unsupported} | ${t.error} | ` +
    `${percent(t.pass, t.tensorOnly)} | ${percent(t.tensorOnly - t.unsupported, t.tensorOnly)} | ${cpu.pass} | ${wgsl.pass} |`;
}

function targetTotalsRow(label: string, t: TargetTotals): string {
  return `| ${label} | ${t.interpreterPassed} | ${t.pass} | ${t.fail} | ${t.unsupported} | ${t.buildError} | ${percent(t.pass, t.interpreterPassed)} |`;
}

interface OpRow { cases: number; pass: number; fail: number; error: number; unsupported: number; blocked: number; cpuPass: number; wgslPass: number }

function perOp(results: readonly CaseResult[], targets: TargetColumns): Map<string, OpRow> {
  const rows = new Map<string, OpRow>();
  for (const r of results) {
    if (r.outcome === 'not-tensor-only') continue;
    for (const op of r.ops) {
      let row = rows.get(op);
      if (!row) rows.set(op, (row = { cases: 0, pass: 0, fail: 0, error: 0, unsupported: 0, blocked: 0, cpuPass: 0, wgslPass: 0 }));
      row.cases++;
      if (targets.cpu.get(r.id)?.outcome === 'pass') row.cpuPass++;
      if (targets.wgsl.get(r.id)?.outcome === 'pass') row.wgslPass++;
      if (r.outcome === 'unsupported') {
        if (r.unsupportedOps.includes(op)) row.unsupported++;
        else row.blocked++;
      } else row[r.outcome]++;
    }
  }
  return new Map([...rows].sort(([a], [b]) => compareStrings(a, b)));
}

export function renderReport(results: readonly CaseResult[], targets: TargetColumns): string {
  const sorted = [...results].sort((a, b) => compareStrings(a.id, b.id));
  const all = totalsOf(sorted);
  const node = totalsOf(sorted.filter((r) => r.id.startsWith('node/')));
  const inSuite = (suite: string) => sorted.filter((r) => r.id.startsWith(`${suite}/`));
  const tol = CONFORMANCE_TOLERANCE;
  const out: string[] = [];
  out.push(
    '# ONNX backend conformance',
    '',
    `Generated by \`${UPDATE_COMMAND}\`, which also rewrites test/conformance/baseline.json, cpu-baseline.json and wgsl-baseline.json; do not edit by hand.`,
    '',
    "The cases are the ONNX backend test suite as Debian's `libonnx-testdata` (ONNX 1.12) installs it under",
    '/usr/share/libonnx-testdata/data. Each case is imported with every input known at compile time (an',
    'ahead-of-time compiler needs the values that determine shapes), run in the reference interpreter, and',
    'each output is compared, by position, with the expected one. Shapes and dtypes must match exactly;',
    `floats must satisfy |actual − expected| ≤ atol + rtol·|expected| (f32 and f64: rtol ${tol.f32.rtol}, atol ${tol.f32.atol};`,
    `f16: rtol ${tol.f16.rtol}, atol ${tol.f16.atol}; bf16: rtol ${tol.bf16.rtol}, atol ${tol.bf16.atol}), NaN matching NaN;`,
    'integers and bools must be equal. Cases whose inputs or outputs are sequences, optionals or',
    'string/complex tensors are "not tensor-only" and are not counted.',
    '',
    'The "cpu passed" and "wgsl passed" columns count the cases that also pass on the cpu target (see [CPU target](#cpu-target))',
    'and on the wgsl target (see [WGSL target](#wgsl-target)).',
    '',
    '## Totals',
    '',
    '| suite | cases | not tensor-only | tensor-only | passed | failed | unsupported | errors | passed (of tensor-only) | all ops supported (of tensor-only) | cpu passed | wgsl passed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  const row = (label: string, rs: readonly CaseResult[]) =>
    totalsRow(label, totalsOf(rs), targetTotalsOf(rs, targets.cpu), targetTotalsOf(rs, targets.wgsl));
  for (const suite of SUITES) out.push(row(suite, inSuite(suite)));
  out.push(row('**all**', sorted), '');
  out.push(
    `On the node suite dsc passes ${node.pass} of ${node.tensorOnly} tensor-only cases; onnxruntime-node 1.30 passes ` +
      `${ORT_NODE_PASSED} of them at rtol 1e-3.`,
    '',
    '"failed" means wrong numbers, shapes or dtypes; "unsupported" means the importer reported an operator it',
    'does not support (DSC2001); "errors" are every other diagnostic or exception.',
    '',
    '## Per operator',
    '',
    'Tensor-only cases whose model uses the operator. "unsupported" counts the cases in which this operator was',
    'reported unsupported; "blocked" those stopped by another unsupported operator.',
    '',
    '| operator | cases | passed | failed | errors | unsupported | blocked | cpu passed | wgsl passed |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const [op, r] of perOp(sorted, targets))
    out.push(`| ${op} | ${r.cases} | ${r.pass} | ${r.fail} | ${r.error} | ${r.unsupported} | ${r.blocked} | ${r.cpuPass} | ${r.wgslPass} |`);

  const listOf = (outcome: Outcome) => sorted.filter((r) => r.outcome === outcome);
  out.push('', `## Failed cases (${all.fail})`, '');
  for (const r of listOf('fail')) out.push(`- ${r.id}: ${inline(r.reason)}`);
  out.push('', `## Errors (${all.error})`, '');
  for (const r of listOf('error')) out.push(`- ${r.id}: ${inline(r.reason)}`);

  out.push('', `## Unsupported (${all.unsupported})`, '');
  out.push(...groupedItems(listOf('unsupported').map((r) => ({ key: r.unsupportedOps.length ? r.unsupportedOps.join(', ') : r.reason, id: r.id }))));

  out.push('', `## Not tensor-only (${all.notTensorOnly})`, '', listOf('not-tensor-only').map((r) => r.id).join(', '), '');
  out.push(...renderTargetSection(sorted, targets.cpu, CPU_SECTION), ...renderTargetSection(sorted, targets.wgsl, WGSL_SECTION));
  return out.join('\n');
}

/** Ids grouped by a key, as list items `key (count): ids`, sorted by key. */
function groupedItems(entries: readonly { key: string; id: string }[]): string[] {
  const groups = new Map<string, string[]>();
  for (const e of entries) groups.set(e.key, [...(groups.get(e.key) ?? []), e.id]);
  return [...groups].sort(([a], [b]) => compareStrings(a, b)).map(([key, ids]) => `- ${inline(key)} (${ids.length}): ${ids.join(', ')}`);
}

/** How a target's section of the report is titled and introduced. */
interface TargetSection { name: string; title: string; intro: string[] }

const CPU_SECTION: TargetSection = {
  name: 'cpu',
  title: 'CPU target',
  intro: [
    'Every case that passes on the interpreter is compiled for the cpu target: `generateCpu` writes model.cc',
    "from the same imported graph, g++ (`-O2 -fopenmp`) compiles the models in a few translation units linked",
    "with test/codegen/driver.cc into one executable, which runs each data set's inputs with the graph's",
    'weights as params. Outputs are compared with the expected ones at the tolerances above.',
    'test/conformance/cpu-baseline.json lists the cases that pass and the wrong answers accepted so far.',
    '"unsupported on cpu" means generateCpu reported the nodes it cannot lower (DSC6002); "build errors"',
    'are any other failure of generateCpu, or of g++.',
  ],
};

const WGSL_SECTION: TargetSection = {
  name: 'wgsl',
  title: 'WGSL target',
  intro: [
    'Every case that passes on the interpreter is compiled for the wgsl target: `generateWgsl` writes the',
    "shaders and the plan from the same imported graph, every shader is validated on Dawn's null backend",
    "(a validation error is a failure), and the plan runs through runtime/webgpu's executor on one Mesa",
    "lavapipe (software Vulkan) device for the whole suite, on each data set's inputs with the graph's",
    'weights as params. Outputs are compared with the expected ones at the tolerances above.',
    'test/conformance/wgsl-baseline.json lists the cases that pass and the wrong answers accepted so far.',
    '"unsupported on wgsl" means generateWgsl reported the values or nodes it cannot compile (DSC6002);',
    '"build errors" are any other failure of generateWgsl.',
  ],
};

/** Cases by cause: the part of each DSC6002 item after its node kind and dtypes; a case counts under each of its causes. */
function causeRows(unsupported: readonly TargetResult[]): string[] {
  const cases = new Map<string, Set<string>>();
  for (const r of unsupported)
    for (const item of r.unsupported) {
      const cause = item.slice(item.indexOf(': ') + 2);
      cases.set(cause, (cases.get(cause) ?? new Set()).add(r.id));
    }
  return [...cases].sort(([a, x], [b, y]) => y.size - x.size || compareStrings(a, b)).map(([cause, ids]) => `| ${cause} | ${ids.size} |`);
}

function renderTargetSection(sorted: readonly CaseResult[], target: TargetResults, section: TargetSection): string[] {
  const inSuite = (suite: string) => sorted.filter((r) => r.id.startsWith(`${suite}/`));
  const all = targetTotalsOf(sorted, target);
  const { name } = section;
  const out: string[] = [
    `## ${section.title}`,
    '',
    ...section.intro,
    '',
    `| suite | passed on the interpreter | ${name} passed | ${name} failed | unsupported on ${name} | build errors | ${name} passed (of interpreter passed) |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const suite of SUITES) out.push(targetTotalsRow(suite, targetTotalsOf(inSuite(suite), target)));
  out.push(targetTotalsRow('**all**', all));
  const listOf = (outcome: TargetOutcome) => sorted.map((r) => target.get(r.id)).filter((r): r is TargetResult => r?.outcome === outcome);
  out.push('', `### Failed on ${name} (${all.fail})`, '');
  for (const r of listOf('fail')) out.push(`- ${r.id}: ${inline(r.reason)}`);
  out.push('', `### Build errors on ${name} (${all.buildError})`, '');
  out.push(...groupedItems(listOf('build-error').map((r) => ({ key: r.reason, id: r.id }))));
  out.push('', `### Unsupported on ${name} (${all.unsupported})`, '', 'Cases by cause (a case counts under each cause DSC6002 names for it):', '');
  out.push('| cause | cases |', '| --- | ---: |', ...causeRows(listOf('unsupported')));
  out.push('', 'Grouped by what DSC6002 names: node kind (or input, output, param, constant), dtypes, why.', '');
  out.push(...groupedItems(listOf('unsupported').map((r) => ({ key: r.unsupported.join('; '), id: r.id }))));
  out.push('');
  return out;
}

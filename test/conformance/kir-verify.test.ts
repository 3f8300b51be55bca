// Every case of the ONNX backend test suite that passes on the reference interpreter, lowered for every
// registered target as its code generator lowers it (the target's graph pipeline, legality check and
// lowering: kernelProgramFor), gives a kernel program that the kernel IR verifier accepts and whose
// text form prints back the same after a parse. A case the target reports unsupported (DSC6002) is
// skipped there; any other failure to lower counts as a problem.
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelProgram } from '../../src/codegen/kernel-ir.js';
import { kernelProgramFor } from '../../src/codegen/kir/lower.js';
import { parseProgram } from '../../src/codegen/kir/parse.js';
import { printProgram } from '../../src/codegen/kir/print.js';
import { programProblems } from '../../src/codegen/kir/verify.js';
import { listTargets } from '../../src/codegen/targets/registry.js';
import { TargetDef } from '../../src/codegen/targets/target.js';
import { DiagnosticError } from '../../src/diag/diagnostic.js';
import { Graph } from '../../src/ir/graph.js';
import { parseGraph } from '../../src/ir/parser.js';
import { printGraph } from '../../src/ir/printer.js';
import { CASE_FILTER, CaseResult, TESTDATA_ROOT, listCases, runSuite } from './runner.js';
import { firstLine } from './target.js';

const installed = existsSync(TESTDATA_ROOT);
// CI installs libonnx-testdata, so there its absence is a failure, not a reason to skip.
const skip = !installed && !process.env.CI;
if (skip) console.warn(`skipping the kernel IR check of the ONNX suite: ${TESTDATA_ROOT} is missing (apt-get install libonnx-testdata)`);

/** What lowering the suite's passing cases for one target gave. */
interface TargetLowering {
  verified: number;
  unsupported: number;
  /** one line per failing data set: `case (set): first problem` */
  problems: string[];
}

/** A copy of an imported graph: each target's pipeline rewrites the graph it is given. */
function copyOf(graph: Graph): Graph {
  const copy = parseGraph(printGraph(graph), graph.name);
  copy.weights = new Map(graph.weights);
  copy.annotations = [...graph.annotations];
  copy.unreadInputs = [...graph.unreadInputs];
  return copy;
}

/** The first thing wrong with a lowered program: a verifier problem, or text that does not read back as printed. */
function firstProblem(program: KernelProgram): string | undefined {
  const problems = programProblems(program);
  if (problems.length) return `${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`;
  const text = printProgram(program);
  let back: string;
  try {
    back = printProgram(parseProgram(text));
  } catch (e) {
    return `its text does not parse: ${firstLine(e instanceof Error ? e.message : String(e))}`;
  }
  if (back === text) return undefined;
  const lines = text.split('\n'), backLines = back.split('\n');
  const at = lines.findIndex((line, i) => line !== backLines[i]);
  return `print → parse → print differs at line ${at + 1}: '${lines[at]}' reads back as '${backLines[at]}'`;
}

function lowerSuite(results: readonly CaseResult[], target: TargetDef): TargetLowering {
  const out: TargetLowering = { verified: 0, unsupported: 0, problems: [] };
  for (const r of results) {
    if (r.outcome !== 'pass') continue;
    for (const check of r.checks) {
      const where = `${r.id} (${check.set})`;
      let program: KernelProgram;
      try {
        program = kernelProgramFor(copyOf(check.graph), target);
      } catch (e) {
        if (e instanceof DiagnosticError && e.diagnostics[0].code === 'DSC6002') {
          out.unsupported++;
          continue;
        }
        out.problems.push(`${where}: lowering threw ${e instanceof Error ? `${e.name}: ${firstLine(e.message)}` : String(e)}`);
        continue;
      }
      const problem = firstProblem(program);
      if (problem) out.problems.push(`${where}: ${problem}`);
      else out.verified++;
    }
  }
  return out;
}

describe.skipIf(skip)('kernel programs of the ONNX suite', () => {
  let results: CaseResult[] = [];

  beforeAll(() => {
    results = runSuite(listCases());
  }, 600_000);

  for (const target of listTargets())
    it(`verify and round-trip on ${target.name}`, () => {
      expect(installed, `${TESTDATA_ROOT} is missing; CI must install libonnx-testdata`).toBe(true);
      const start = performance.now();
      const lowered = lowerSuite(results, target);
      console.info(`${target.name}: ${lowered.verified} kernel programs verified, ${lowered.unsupported} unsupported, ${lowered.problems.length} with problems (${((performance.now() - start) / 1000).toFixed(1)} s)`);
      // a target that lowers nothing would pass vacuously
      if (!CASE_FILTER) expect(lowered.verified).toBeGreaterThan(0);
      expect(lowered.problems, `kernel programs of ${target.name} that fail the verifier or the text round trip`).toEqual([]);
    }, 600_000);
});

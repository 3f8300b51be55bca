// What the compiled-target columns of the conformance report (cpu, wgsl) share: the outcome of a case
// on a target, the causes a DSC6002 names, and the comparison of a run's outputs with the suite's.
import { DiagnosticError } from '../../src/diag/diagnostic.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compareTensors } from './compare.js';
import { DataSetCheck, compareStrings } from './runner.js';

/** 'unsupported': the generator reported DSC6002; 'build-error': it failed otherwise, or building its output did. */
export type TargetOutcome = 'pass' | 'fail' | 'unsupported' | 'build-error';

export interface TargetResult {
  id: string;
  outcome: TargetOutcome;
  /** fail and build-error: what went wrong first */
  reason: string;
  /** for 'unsupported': each cause DSC6002 names, as `what [dtypes]: why`, sorted */
  unsupported: string[];
}

export function firstLine(text: string): string {
  return text.split('\n')[0];
}

/**
 * The causes listed in a DSC6002 message (one line each after the first: `op (loc) -> %out [dtypes]: why`
 * or `input %x [dtype]: why`), without locations and value names so that equal causes group together.
 */
export function unsupportedCauses(message: string): string[] {
  const causes = new Set<string>();
  for (const line of message.split('\n').slice(1)) {
    const text = line.trim();
    const what = text.split(/[\s:]/)[0];
    const typed = /\[([a-z0-9]+(?:, [a-z0-9]+)*)\]: (.*)$/.exec(text);
    const why = (typed ? typed[2] : text.slice(text.indexOf(': ') + 2)).replace(/%\S+/g, 'a value');
    causes.add(typed ? `${what} [${typed[1]}]: ${why}` : `${what}: ${why}`);
  }
  return [...causes].sort(compareStrings);
}

/** The outcome of a generator (`generateCpu`, `generateWgsl`) that threw. */
export function generationFailure(id: string, generator: string, e: unknown): TargetResult {
  if (e instanceof DiagnosticError) {
    const d = e.diagnostics[0];
    if (d.code === 'DSC6002') return { id, outcome: 'unsupported', reason: '', unsupported: unsupportedCauses(d.message) };
    return { id, outcome: 'build-error', reason: `${generator}: ${d.code}: ${firstLine(d.message)}`, unsupported: [] };
  }
  const err = e instanceof Error ? e : new Error(String(e));
  return { id, outcome: 'build-error', reason: `${generator}: ${err.name}: ${firstLine(err.message)}`, unsupported: [] };
}

/** Why a data set's outputs (by position) differ from the suite's expected ones, or '' when they match. */
export function outputsDiffer(check: DataSetCheck, outputs: readonly Tensor[]): string {
  for (const [i, expected] of check.expected.entries()) {
    const cmp = compareTensors(outputs[i], expected);
    if (!cmp.ok) return `output ${i} '${check.graph.outputs[i].name}' (${check.set}): ${cmp.reason}`;
  }
  return '';
}

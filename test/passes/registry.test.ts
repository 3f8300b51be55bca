import { describe, expect, it } from 'vitest';
import { parseGraph } from '../../src/ir/parser.js';
import { Value } from '../../src/ir/graph.js';
import { DiagnosticError } from '../../src/diag/diagnostic.js';
import { definePass } from '../../src/passes/pass.js';
import {
  PassInternalError, getPass, listPasses, parsePassSpec, runInvocations, runPasses, splitPassList,
} from '../../src/passes/registry.js';
import { listTargets } from '../../src/codegen/targets/registry.js';

const TEXT = `graph @g(%x: f32[2]) -> (f32[2]) {
  %a = identity(%x) : f32[2]
  %dead = exp(%x) : f32[2]
  %y = neg(%a) : f32[2]
  return %y
}
`;

const codeOf = (f: () => unknown): string | undefined => {
  try { f(); } catch (e) { return e instanceof DiagnosticError ? e.diagnostics[0].code : `not a diagnostic: ${String(e)}`; }
  return undefined;
};

describe('pass registry', () => {
  it('declares each pass once, with a kebab-case name and a summary', () => {
    const names = listPasses().map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of listPasses()) {
      expect(p.name).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(p.summary.length).toBeGreaterThan(10);
    }
  });

  it('reads pass specs with options, filling in defaults', () => {
    expect(parsePassSpec('fold-constants').options).toEqual({ 'max-elements': 65536 });
    expect(parsePassSpec('fold-constants{max-elements=10}').options).toEqual({ 'max-elements': 10 });
    expect(splitPassList('cse, fold-constants{max-elements=10}, dce')).toEqual(['cse', 'fold-constants{max-elements=10}', 'dce']);
  });

  it('reports unknown passes and bad options as DSC9003', () => {
    expect(codeOf(() => parsePassSpec('cse2'))).toBe('DSC9003');
    expect(codeOf(() => parsePassSpec('cse{x=1}'))).toBe('DSC9003');
    expect(codeOf(() => parsePassSpec('fold-constants{max-elements=big}'))).toBe('DSC9003');
    expect(codeOf(() => runPasses(parseGraph(TEXT), ['dce', 'nope']))).toBe('DSC9003');
  });

  it('runs passes in order and shows the graph after each', () => {
    const g = parseGraph(TEXT);
    const seen: [string, string][] = [];
    runPasses(g, ['remove-identities', 'dce'], { verify: true, printAfterAll: (name, text) => seen.push([name, text]) });
    expect(seen.map(([n]) => n)).toEqual(['remove-identities', 'dce']);
    expect(seen[0][1]).toContain('%dead = exp(%x)');
    expect(seen[0][1]).not.toContain('identity');
    expect(seen[1][1]).not.toContain('%dead');
    expect(g.nodes.map((n) => n.op)).toEqual(['neg']);
  });

  it('turns a pass that leaves an invalid graph into an internal error naming the pass', () => {
    const breaker = definePass({
      name: 'break-types',
      summary: 'declares a wrong result type',
      run(graph) { graph.nodes[0].outputs[0].type = { dtype: 'f32', shape: [3] }; },
    });
    const run = (verify: boolean) => runInvocations(parseGraph(TEXT), [{ pass: breaker, options: {} }], { verify });
    expect(run).not.toThrow();
    expect(() => run(true)).toThrow(PassInternalError);
    expect(() => run(true)).toThrow(/in pass 'break-types': the graph it left is invalid:\n.*identity infers f32\[2\] but the node declares f32\[3\]/);
  });

  it('turns a crash inside a pass into an internal error naming the pass', () => {
    const crasher = definePass({ name: 'crash', summary: 'throws', run() { throw new TypeError('boom'); } });
    expect(() => runInvocations(parseGraph(TEXT), [{ pass: crasher, options: {} }])).toThrow(/in pass 'crash': boom/);
  });

  it('reports an invalid input graph as a diagnostic, not as the first pass failing', () => {
    const g = parseGraph(TEXT);
    g.outputs.push(new Value('ghost', { dtype: 'f32', shape: [2] }));
    expect(codeOf(() => runPasses(g, ['dce'], { verify: true }))).toBe('DSC3002');
  });

  it('has no passes at -O0 and canonicalization at -O1 and -O2 on every target, all registered with valid options', () => {
    for (const target of listTargets()) {
      expect(target.pipeline(0)).toEqual([]);
      for (const level of [1, 2] as const) {
        const pipeline = target.pipeline(level);
        expect(pipeline).toContain('fold-constants');
        expect(pipeline[pipeline.length - 1]).toBe('dce');
        for (const spec of pipeline) expect(getPass(parsePassSpec(spec).pass.name)).toBeDefined();
      }
    }
  });
});

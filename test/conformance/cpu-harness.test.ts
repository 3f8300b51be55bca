// What the cpu column relies on in test/codegen's harness: models batched into one translation unit,
// a compiler error charged to the one model that has it, and a crashing run that does not take the
// jobs after it down.
import { describe, expect, it } from 'vitest';
import { Tensor } from '../../src/ir/tensor.js';
import { CompiledModel, buildModels, runJobsSurvivingCrashes } from '../codegen/harness.js';

/** A hand-written model implementing the ABI: one f32 output of 4 elements computed by `body` from input x. */
function model(id: string, body: string): CompiledModel {
  return {
    id,
    source: [
      '#include <cstddef>',
      '#include <cstdint>',
      'namespace {',
      'const int64_t kLength = 4;',
      '}',
      'extern "C" {',
      'void dsc_output_shape(int, const int64_t*, int64_t* shape_out) { shape_out[0] = kLength; }',
      'size_t dsc_workspace_bytes(const int64_t*) { return 0; }',
      'int dsc_run(const void* const*, const void* const* inputs, void* const* outputs, const int64_t*, void*, int) {',
      '  const float* x = static_cast<const float*>(inputs[0]);',
      '  float* y = static_cast<float*>(outputs[0]);',
      `  ${body}`,
      '  return 0;',
      '}',
      '}',
    ].join('\n'),
  };
}

const x = Tensor.fromNumbers('f32', [4], [1, 2, 3, 4]);
const job = (id: string) => ({ model: id, params: [], inputs: [x], outputs: [{ dtype: 'f32' as const, shape: [4] }] });
const values = (t: Tensor) => Array.from(t.data as Float32Array);

describe('test/codegen harness for the conformance cpu column', () => {
  it('builds models sharing one unit, charges a compiler error to its model, and survives a crash', async () => {
    const doubled = model('harness_doubled', 'for (int64_t i = 0; i < kLength; ++i) y[i] = 2 * x[i];');
    const negated = model('harness_negated', 'for (int64_t i = 0; i < kLength; ++i) y[i] = -x[i];');
    const broken = model('harness_broken', 'y[0] = undeclared_name;');
    const crashing = model('harness_crashing', '__builtin_trap();');
    // the same names (kLength, the ABI functions) in every model must not collide within one unit
    const together = await buildModels([doubled, negated, crashing], { units: 1 });
    expect(together.failed.size).toBe(0);
    const { exe, failed } = await buildModels([doubled, negated, broken, crashing], { units: 1 });
    expect([...failed.keys()]).toEqual(['harness_broken']);
    expect(failed.get('harness_broken')).toContain('undeclared_name');

    const results = runJobsSurvivingCrashes(together.exe!, ['harness_doubled', 'harness_crashing', 'harness_negated', 'harness_crashing'].map(job));
    expect(results.map((r) => ('crash' in r ? 'crash' : values(r.outputs[0]).join(',')))).toEqual(['2,4,6,8', 'crash', '-1,-2,-3,-4', 'crash']);
    expect((results[1] as { crash: string }).crash).toMatch(/^exited with/);
    expect(runJobsSurvivingCrashes(exe!, [job('harness_negated')]).map((r) => 'outputs' in r && values(r.outputs[0]))).toEqual([[-1, -2, -3, -4]]);
  }, 120_000);
});

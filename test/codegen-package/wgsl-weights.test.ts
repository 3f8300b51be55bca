// The wgsl package reads weights as the cpu package does: a PyTorch state_dict loads unchanged (the
// tensors the model declares but does not read, and *.num_batches_tracked, are skipped), and any other
// tensor that is no parameter is refused with DSC4007 naming it.
import { describe, expect, it } from 'vitest';
import { readPackageWeights } from '../../runtime/webgpu/package.js';
import { writeSafetensors } from '../../src/formats/safetensors.js';
import { Tensor } from '../../src/ir/tensor.js';

const manifest = {
  name: 'TinyNet',
  inputs: [],
  outputs: [],
  params: [{ name: 'fc.weight', dtype: 'f32', shape: ['2'] }],
  symbols: [],
  ignoredParams: ['bn.running_var'],
};
const w = Tensor.fromNumbers('f32', [2], [1, 2]);

describe('wgsl package weights', () => {
  it('skips declared-but-unread tensors and num_batches_tracked, keeping the parameters', () => {
    const bytes = writeSafetensors({ 'fc.weight': w, 'bn.running_var': w, 'bn.num_batches_tracked': Tensor.fromNumbers('i64', [], [3]) });
    expect([...readPackageWeights(manifest, bytes, 'sd.safetensors').keys()]).toEqual(['fc.weight']);
  });

  it('refuses any other tensor with DSC4007 naming it and the file', () => {
    const bytes = writeSafetensors({ 'fc.weight': w, 'fc.extra': w });
    let error: (Error & { code?: string }) | undefined;
    try {
      readPackageWeights(manifest, bytes, 'extra.safetensors');
    } catch (e) {
      error = e as Error;
    }
    expect(error?.code).toBe('DSC4007');
    expect(error?.message).toBe("extra.safetensors: weight 'fc.extra' is not a parameter of model TinyNet");
  });
});

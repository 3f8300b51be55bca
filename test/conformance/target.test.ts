import { describe, expect, it } from 'vitest';
import { unsupportedCauses } from './target.js';

describe('unsupportedCauses', () => {
  it('drops locations and value names so that equal causes group together, and sorts them', () => {
    const message = [
      'model: 5 values cannot be compiled for the wgsl target:',
      '  output %y [i64]: WGSL has no 64-bit types',
      '  input %x [i64]: WGSL has no 64-bit types',
      '  unsqueeze (node name: with spaces) -> %a [i64]: WGSL has no 64-bit types',
      '  unsqueeze -> %b [i64]: WGSL has no 64-bit types',
      '  nonzero -> %c, %d [bool, f32]: %c has a dim unknown until run time',
      '  param %w: weights need static shapes',
    ].join('\n');
    expect(unsupportedCauses(message)).toEqual([
      'input [i64]: WGSL has no 64-bit types',
      'nonzero [bool, f32]: a value has a dim unknown until run time',
      'output [i64]: WGSL has no 64-bit types',
      'param: weights need static shapes',
      'unsqueeze [i64]: WGSL has no 64-bit types',
    ]);
  });
});

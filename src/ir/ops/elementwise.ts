// Elementwise ops (see README.md in this folder): unary math and activations, binary and n-ary
// ops with broadcasting, where, and cast. The machinery they share is in elementwise-kernels.ts.
import './elementwise-unary.js';
import './elementwise-binary.js';
import './elementwise-cast.js';

export { castTensor } from './elementwise-cast.js';
export { erf, erfc } from './elementwise-math.js';

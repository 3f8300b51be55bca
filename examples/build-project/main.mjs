// Runs the LeNet-5 package `dsc build` wrote (packages/lenet5) with the trained weights on the
// held-out digit, and prints the predicted class.
import { fileURLToPath } from 'node:url';
import { Model } from './packages/lenet5/index.js';
import { readFloat32Npy, topClass } from '../lenet5/digit.mjs';

const lenet5 = fileURLToPath(new URL('../lenet5/', import.meta.url));
const model = await Model.load(`${lenet5}lenet5.safetensors`);
const { output } = await model.run({ image: readFloat32Npy(`${lenet5}digit.npy`) });
const { index, p } = topClass(output.data);
console.log(`predicted class ${index} (p ${p.toFixed(4)})`);
model.dispose();

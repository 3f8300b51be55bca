// Classifies the held-out digit with LeNet-5, imported from its .ds source: the bundle holds the
// model's typed bindings, compiled by the dsc plugin at build time.
import { fileURLToPath } from 'node:url';
import { Model, manifest } from '../../lenet5/lenet5.ds';
import { readFloat32Npy, topClass } from '../../lenet5/digit.mjs';

const lenet5 = fileURLToPath(new URL('../../lenet5/', import.meta.url));
const model = await Model.load(`${lenet5}lenet5.safetensors`);
const outputs = await model.run({ image: readFloat32Npy(`${lenet5}digit.npy`) });
const { index, p } = topClass(outputs[manifest.outputs[0].name].data);
console.log(`${manifest.name}: predicted class ${index} (p ${p.toFixed(4)})`);
model.dispose();

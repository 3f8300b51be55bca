// The name an imported ONNX model gets: the graph's own name, unless it is the name an exporter writes
// when given none (PyTorch's torch_jit), in which case the file's name.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importOnnxFile, modelName } from '../../src/frontend/onnx/import.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

describe('imported ONNX model names', () => {
  it('names a PyTorch export after its file rather than torch_jit', () => {
    expect(importOnnxFile(`${FIXTURES}lenet5.onnx`).name).toBe('Lenet5');
    expect(importOnnxFile(`${FIXTURES}transformer_opset17.onnx`).name).toBe('TransformerOpset17');
  });

  it('keeps a name the exporter was given, and makes an identifier of any file name', () => {
    expect(modelName('ResNet18', 'whatever.onnx')).toBe('ResNet18');
    for (const exporterDefault of ['torch_jit', 'torch-jit-export', 'main_graph', ''])
      expect(modelName(exporterDefault, '/models/mobilenet-v2.onnx')).toBe('MobilenetV2');
    expect(modelName('torch_jit', '3d_unet.onnx')).toBe('Model3dUnet');
    expect(modelName('torch_jit', '---.onnx')).toBe('Model');
  });
});

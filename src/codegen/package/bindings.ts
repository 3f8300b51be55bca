// The TypeScript face of a generated package: index.ts is built with ts-morph (types carry each
// input's and output's name, typed-array class and the static part of its shape as a literal tuple),
// its declarations are emitted by the TypeScript compiler (index.d.ts) and its code compiled to
// CommonJS by esbuild (index.js), which loads the native addon.
import { Project, Scope, StructureKind, VariableDeclarationKind } from 'ts-morph';
import { transformSync } from 'esbuild';
import { DType, DTYPE_INFO } from '../../ir/dtype.js';
import { ManifestTensor, ModelManifest } from '../abi.js';

/** Where index.js finds the addon that CMakeLists.txt builds. */
export const ADDON_PATH = './build/Release/dsc_model.node';

export function arrayTypeName(dtype: DType): string {
  return DTYPE_INFO[dtype].array.name;
}

/** `readonly [number, 4]`: numbers for static dims, `number` for symbolic ones. */
function shapeType(t: ManifestTensor, readonly: boolean): string {
  const tuple = `[${t.shape.map((d) => (/^[0-9]+$/.test(d) ? d : 'number')).join(', ')}]`;
  return readonly ? `readonly ${tuple}` : tuple;
}

/** A property key: bare when it is an identifier, quoted otherwise (state_dict-style names have dots). */
const propertyKey = (name: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name));

const isStaticShape = (t: ManifestTensor) => t.shape.every((d) => /^[0-9]+$/.test(d));
const typeText = (t: ManifestTensor) => `${t.dtype}[${t.shape.join(', ')}]`;

export interface Bindings {
  js: string;
  dts: string;
}

export function emitBindings(manifest: ModelManifest): Bindings {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: { types: [], lib: ['lib.es2022.d.ts'], skipLibCheck: true, declaration: true, strict: true, target: 99 },
  });
  const file = project.createSourceFile('index.ts', '', { overwrite: true });

  // index.js is CommonJS (esbuild output), so require exists there; the declaration only serves the compiler.
  file.addStatements('declare const require: (id: string) => any;');

  file.addInterface({
    name: 'Tensor',
    isExported: true,
    docs: ['A dense row-major tensor: f16/bf16 as 16-bit patterns, bool as bytes 0/1.'],
    typeParameters: ['A', 'S'],
    properties: [{ name: 'data', type: 'A' }, { name: 'shape', type: 'S' }],
  });
  file.addInterface({
    name: 'Inputs',
    isExported: true,
    docs: [`The inputs of ${manifest.name}; symbolic dims (${manifest.symbols.map((s) => s.name).join(', ') || 'none'}) may change from call to call.`],
    properties: manifest.inputs.map((t) => {
      const tensor = `Tensor<${arrayTypeName(t.dtype)}, ${shapeType(t, true)}>`;
      return {
        name: propertyKey(t.name),
        docs: [`${typeText(t)}${isStaticShape(t) ? '; a bare typed array is taken to have this shape' : ''}`],
        type: isStaticShape(t) ? `${arrayTypeName(t.dtype)} | ${tensor}` : tensor,
      };
    }),
  });
  file.addInterface({
    name: 'Outputs',
    isExported: true,
    docs: [`The outputs of ${manifest.name}, freshly allocated by each run.`],
    properties: manifest.outputs.map((t) => ({
      name: propertyKey(t.name),
      docs: [typeText(t)],
      type: `Tensor<${arrayTypeName(t.dtype)}, ${shapeType(t, false)}>`,
    })),
  });
  file.addInterface({
    name: 'LoadOptions',
    isExported: true,
    properties: [{ name: 'threads', hasQuestionToken: true, type: 'number', docs: ['threads a run may use (default: all cores)'] }],
  });
  file.addInterface({
    name: 'TensorInfo',
    isExported: true,
    properties: [
      { name: 'name', type: 'string', isReadonly: true },
      { name: 'dtype', type: 'string', isReadonly: true },
      { name: 'shape', type: 'readonly string[]', isReadonly: true },
    ],
  });

  const info = (ts: ManifestTensor[]) => `[${ts.map((t) => `{ name: ${JSON.stringify(t.name)}, dtype: ${JSON.stringify(t.dtype)}, shape: ${JSON.stringify(t.shape)} }`).join(', ')}]`;
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['What the model takes and gives: the manifest the package was generated from.'],
    declarations: [{
      name: 'manifest',
      type: '{ readonly name: string; readonly inputs: readonly TensorInfo[]; readonly outputs: readonly TensorInfo[]; readonly params: readonly TensorInfo[]; readonly symbols: readonly string[] }',
      initializer: `{ name: ${JSON.stringify(manifest.name)}, inputs: ${info(manifest.inputs)}, outputs: ${info(manifest.outputs)}, params: ${info(manifest.params)}, symbols: ${JSON.stringify(manifest.symbols.map((s) => s.name))} }`,
    }],
  });

  file.addInterface({
    name: 'NativeModel',
    properties: [],
    methods: [
      { name: 'run', parameters: [{ name: 'inputs', type: 'Inputs' }], returnType: 'Outputs' },
      { name: 'runAsync', parameters: [{ name: 'inputs', type: 'Inputs' }], returnType: 'Promise<Outputs>' },
      { name: 'dispose', returnType: 'void' },
    ],
  });

  file.addClass({
    name: 'Model',
    isExported: true,
    docs: [`Model ${manifest.name}, compiled ahead of time by dsc. Weights are checked by name, dtype and shape when they load; inputs before every run.`],
    properties: [{ name: 'native', type: 'NativeModel', scope: Scope.Private, isReadonly: true }],
    ctors: [{ scope: Scope.Private, parameters: [{ name: 'native', type: 'NativeModel' }], statements: 'this.native = native;' }],
    methods: [
      {
        kind: StructureKind.Method,
        name: 'load',
        isStatic: true,
        isAsync: true,
        docs: ['Loads weights from a safetensors file (memory-mapped) or its bytes (copied).'],
        parameters: [{ name: 'weights', type: 'string | Uint8Array' }, { name: 'options', type: 'LoadOptions', initializer: '{}' }],
        returnType: 'Promise<Model>',
        statements: [
          `const addon: { Model: new (weights: string | Uint8Array, label: string, threads: number | undefined) => NativeModel } = require(${JSON.stringify(ADDON_PATH)});`,
          `return new Model(new addon.Model(weights, typeof weights === 'string' ? weights : 'weights buffer', options.threads));`,
        ],
      },
      {
        kind: StructureKind.Method,
        name: 'run',
        docs: ['Runs the model on this thread; throws an Error naming the input when an input does not fit.'],
        parameters: [{ name: 'inputs', type: 'Inputs' }],
        returnType: 'Outputs',
        statements: 'return this.native.run(inputs);',
      },
      {
        kind: StructureKind.Method,
        name: 'runAsync',
        isAsync: true,
        docs: ['Runs the model on a libuv worker thread; the inputs are copied, so they may be reused at once.'],
        parameters: [{ name: 'inputs', type: 'Inputs' }],
        returnType: 'Promise<Outputs>',
        statements: 'return this.native.runAsync(inputs);',
      },
      {
        kind: StructureKind.Method,
        name: 'dispose',
        docs: ['Releases the weights and the workspace; later runs throw.'],
        returnType: 'void',
        statements: 'this.native.dispose();',
      },
    ],
  });

  const source = file.getFullText();
  const dts = project.emitToMemory({ emitOnlyDtsFiles: true }).getFiles()[0].text;
  const js = transformSync(source, {
    loader: 'ts', format: 'cjs', target: 'node20', platform: 'node', sourcefile: 'index.ts',
    banner: `// Generated by dsc for model ${manifest.name}: typed bindings over the native addon. Do not edit.`,
  }).code;
  return { js, dts };
}

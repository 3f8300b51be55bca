// The TypeScript face of a generated package: index.ts is built with ts-morph (types carry each
// input's and output's name, typed-array class and the static part of its shape as a literal tuple),
// its declarations are emitted by the TypeScript compiler (index.d.ts) and its code compiled to
// CommonJS by esbuild (index.js), which loads the native addon.
import { Project, Scope, StructureKind, VariableDeclarationKind } from 'ts-morph';
import { transformSync } from 'esbuild';
import { DType, DTYPE_INFO } from '../../ir/dtype.js';
import { ManifestTensor, ModelManifest } from '../abi.js';

/** The addon's file name, in build/Release/ (CMakeLists.txt) and in prebuilds/<platform>-<arch>/ (`dsc pack`). */
export const ADDON_FILE = 'dsc_model.node';
export const PREBUILD_DIR = 'prebuilds';
/** Where a prebuilt addon for a platform goes; index.js loads it before the source build. */
export const prebuildPath = (platform: string = process.platform, arch: string = process.arch) => `${PREBUILD_DIR}/${platform}-${arch}/${ADDON_FILE}`;
/** Where index.js finds the addon that CMakeLists.txt builds, when no prebuilt one is shipped. */
export const ADDON_PATH = `./build/Release/${ADDON_FILE}`;

export function arrayTypeName(dtype: DType): string {
  return DTYPE_INFO[dtype].array.name;
}

/** `readonly [number, 4]`: numbers for static dims, `number` for symbolic ones. */
function shapeType(t: ManifestTensor, readonly: boolean): string {
  const tuple = `[${t.shape.map((d) => (/^[0-9]+$/.test(d) ? d : 'number')).join(', ')}]`;
  return readonly ? `readonly ${tuple}` : tuple;
}

/** A property key: bare when it is an identifier, quoted otherwise (state_dict-style names have dots). */
export const propertyKey = (name: string) => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name));

const isStaticShape = (t: ManifestTensor) => t.shape.every((d) => /^[0-9]+$/.test(d));
const typeText = (t: ManifestTensor) => `${t.dtype}[${t.shape.join(', ')}]`;

/** The TypeScript type of an input: a Tensor with a readonly shape tuple, or for a static shape also a bare typed array. */
export function inputType(t: ManifestTensor): string {
  const tensor = `Tensor<${arrayTypeName(t.dtype)}, ${shapeType(t, true)}>`;
  return isStaticShape(t) ? `${arrayTypeName(t.dtype)} | ${tensor}` : tensor;
}

/** The TypeScript type of an output. */
export const outputType = (t: ManifestTensor) => `Tensor<${arrayTypeName(t.dtype)}, ${shapeType(t, false)}>`;

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

  // index.js is CommonJS (esbuild output), so require exists there; the declarations only serve the compiler.
  file.addStatements('declare const require: (id: string) => any;');
  // module.path: the package's folder, where its bundled weights are
  file.addStatements('declare const module: { readonly path: string };');
  file.addStatements('declare const __dirname: string, process: { platform: string; arch: string };');

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
    properties: manifest.inputs.map((t) => ({
      name: propertyKey(t.name),
      docs: [`${typeText(t)}${isStaticShape(t) ? '; a bare typed array is taken to have this shape' : ''}`],
      type: inputType(t),
    })),
  });
  file.addInterface({
    name: 'Outputs',
    isExported: true,
    docs: [`The outputs of ${manifest.name}, freshly allocated by each run.`],
    properties: manifest.outputs.map((t) => ({
      name: propertyKey(t.name),
      docs: [typeText(t)],
      type: outputType(t),
    })),
  });
  file.addInterface({
    name: 'LoadOptions',
    isExported: true,
    properties: [
      { name: 'threads', hasQuestionToken: true, type: 'number', docs: ['threads a run may use (default: all cores)'] },
      { name: 'profile', hasQuestionToken: true, type: 'boolean', docs: ['time every kernel of each run; read the times from `lastProfile` (default false)'] },
    ],
  });
  file.addInterface({
    name: 'KernelTiming',
    isExported: true,
    docs: ['One kernel call of a profiled run, in call order.'],
    properties: [{ name: 'kernel', type: 'string', isReadonly: true }, { name: 'ms', type: 'number', isReadonly: true }],
  });
  file.addInterface({
    name: 'RunProfile',
    isExported: true,
    docs: ['The kernel times of one run (`{ profile: true }` at load): the same table on every target.'],
    properties: [{ name: 'totalMs', type: 'number', isReadonly: true, docs: ['the sum of the kernel times'] }, { name: 'kernels', type: 'readonly KernelTiming[]', isReadonly: true }],
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
      type: '{ readonly name: string; readonly inputs: readonly TensorInfo[]; readonly outputs: readonly TensorInfo[]; readonly params: readonly TensorInfo[]; readonly symbols: readonly string[]; readonly ignoredParams: readonly string[] }',
      initializer: `{ name: ${JSON.stringify(manifest.name)}, inputs: ${info(manifest.inputs)}, outputs: ${info(manifest.outputs)}, params: ${info(manifest.params)}, symbols: ${JSON.stringify(manifest.symbols.map((s) => s.name))}, ignoredParams: ${JSON.stringify(manifest.ignoredParams ?? [])} }`,
    }],
  });

  file.addInterface({
    name: 'NativeModel',
    properties: [{ name: 'isa', type: 'string', isReadonly: true }],
    methods: [
      { name: 'run', parameters: [{ name: 'inputs', type: 'Inputs' }], returnType: 'Outputs' },
      { name: 'runAsync', parameters: [{ name: 'inputs', type: 'Inputs' }], returnType: 'Promise<Outputs>' },
      { name: 'lastProfile', returnType: 'RunProfile | null' },
      { name: 'dispose', returnType: 'void' },
    ],
  });

  const modelClass = file.addClass({
    name: 'Model',
    isExported: true,
    docs: [`Model ${manifest.name}, compiled ahead of time by dsc. Weights are checked by name, dtype and shape when they load; inputs before every run.`],
    properties: [{ name: 'native', type: 'NativeModel', scope: Scope.Private, isReadonly: true }],
    ctors: [{ scope: Scope.Private, parameters: [{ name: 'native', type: 'NativeModel' }], statements: 'this.native = native;' }],
    getAccessors: [{
      name: 'isa',
      docs: ['The kernels\' instruction set on this CPU: "avx512", "avx2" or "baseline" (the environment variable DSC_CPU_ISA can force a supported one).'],
      returnType: 'string',
      statements: 'return this.native.isa;',
    }],
    methods: [
      {
        kind: StructureKind.Method,
        name: 'load',
        isStatic: true,
        isAsync: true,
        docs: [
          'Loads weights from a safetensors file (memory-mapped; a relative path is resolved against the process\'s working directory) or its bytes (copied). ' +
            'With no weights, loads the ones bundled in the package (weights.safetensors beside index.js), when it has them.',
        ],
        parameters: [{ name: 'weights', type: 'string | Uint8Array', hasQuestionToken: true }, { name: 'options', type: 'LoadOptions', initializer: '{}' }],
        returnType: 'Promise<Model>',
        statements: [
          `const source = weights ?? (require('node:fs').existsSync(module.path + '/weights.safetensors') ? module.path + '/weights.safetensors' : undefined);`,
          `if (source === undefined) throw new Error(${JSON.stringify(`${manifest.name}: this package bundles no weights; pass Model.load a safetensors path or its bytes`)});`,
          `const addon: { Model: new (weights: string | Uint8Array, label: string, threads: number | undefined) => NativeModel } = require(require('node:fs').existsSync(\`\${__dirname}/${PREBUILD_DIR}/\${process.platform}-\${process.arch}/${ADDON_FILE}\`) ? \`./${PREBUILD_DIR}/\${process.platform}-\${process.arch}/${ADDON_FILE}\` : ${JSON.stringify(ADDON_PATH)});`,
          `return new Model(new addon.Model(source, typeof source === 'string' ? source : 'weights buffer', options.threads, options.profile === true));`,
        ],
      },
      {
        kind: StructureKind.Method,
        name: 'run',
        docs: ['Runs the model off the JavaScript thread (a libuv worker); the inputs are copied first, so they may be reused at once. Rejects with an Error naming the input when an input does not fit.'],
        parameters: [{ name: 'inputs', type: 'Inputs' }],
        returnType: 'Promise<Outputs>',
        statements: 'return this.native.runAsync(inputs);',
      },
      {
        kind: StructureKind.Method,
        name: 'runSync',
        docs: ['Runs the model on this thread (no copy of the inputs); throws an Error naming the input when an input does not fit.'],
        parameters: [{ name: 'inputs', type: 'Inputs' }],
        returnType: 'Outputs',
        statements: 'return this.native.run(inputs);',
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

  modelClass.addGetAccessor({
    name: 'lastProfile',
    docs: ['The kernel times of the last finished run when the model was loaded with `{ profile: true }`, else null.'],
    returnType: 'RunProfile | null',
    statements: 'return this.native.lastProfile();',
  });

  const source = file.getFullText();
  const dts = project.emitToMemory({ emitOnlyDtsFiles: true }).getFiles()[0].text;
  const js = transformSync(source, {
    loader: 'ts', format: 'cjs', target: 'node20', platform: 'node', sourcefile: 'index.ts',
    banner: `// Generated by dsc for model ${manifest.name}: typed bindings over the native addon. Do not edit.`,
  }).code;
  return { js, dts };
}

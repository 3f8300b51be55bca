// `dsc import`: an IR graph (from ONNX) written back as readable .ds source plus its weights.
// Members come from the parameter tree (param-tree.ts); forward is one `let` per IR node in
// schedule order, named after the ONNX values. The output is deterministic: same graph, same text.
import { basename, extname } from 'node:path';
import { importOnnxFile } from '../onnx/import.js';
import { dimSymbols } from '../../ir/dim.js';
import { Graph, Node, Value } from '../../ir/graph.js';
import { getOp } from '../../ir/registry.js';
import { BUILTIN_NAMES } from '../ds/builtins.js';
import { Tensor } from '../../ir/tensor.js';
import { attrExpr, elementsLiteral, isDsName, NameScope, pascalCase, sanitizeName, snakeCase, typeExpr } from './ds-syntax.js';
import { buildMembers, moduleScope } from './param-tree.js';

export interface DsImportOptions {
  /** the model's name in the .ds; defaults to the file name in PascalCase */
  modelName?: string;
}

export interface DsImport {
  source: string;
  /** parameter data by the paths the .ds declares */
  weights: Map<string, Tensor>;
}

/**
 * Scalar constants of these dtypes are written `constant(value: 0.5)` (.ds reads an int as i64 and a
 * float as f32); any other constant is stored as a parameter `const_<k>`.
 */
const SCALAR_CONSTANT_DTYPES = new Set(['f32', 'i64', 'bool']);

/** The std/nn blocks the importer may use; their names are kept free for them. */
const STD_NN_LAYERS = ['Conv2d', 'Linear', 'BatchNorm2d', 'LayerNorm', 'Embedding'];

const INFIX: Record<string, string> = { add: '+', sub: '-', mul: '*', div: '/', matmul: '@', pow: '**' };

/** An omitted optional input before a given one: the language's absent value. */
const ABSENT = 'if false { 0 }';

export function importToDs(onnxPath: string, opts: DsImportOptions = {}): DsImport {
  const graph = importOnnxFile(onnxPath);
  const modelName = opts.modelName ?? (pascalCase(basename(onnxPath, extname(onnxPath))) || 'Model');
  return graphToDs(graph, { modelName, origin: basename(onnxPath) });
}

export function graphToDs(g: Graph, opts: { modelName: string; origin?: string }): DsImport {
  const modelName = isDsName(opts.modelName) ? opts.modelName : sanitizeName(opts.modelName);
  let members = buildMembers(g, modelName, STD_NN_LAYERS);
  const called = calledBuiltins(g, members.layerCalls);
  if ([...members.memberNames].some((m) => called.has(m))) members = buildMembers(g, modelName, STD_NN_LAYERS, called);
  const weights = new Map(members.weights);

  // forward's names must not hide a builtin op, a member, a dim or the model itself
  const dimNames = new Set<string>();
  for (const v of [...g.inputs, ...g.outputs]) for (const d of v.type.shape) dimSymbols(d, dimNames);
  for (const n of g.nodes) for (const o of n.outputs) for (const d of o.type.shape) dimSymbols(d, dimNames);
  const names = new NameScope([...BUILTIN_NAMES, ...members.memberNames, ...members.blockNames, ...dimNames, modelName, ...STD_NN_LAYERS]);

  const ref = new Map<Value, string>(members.paramRef);
  const inputDecls = g.inputs.map((v) => {
    const name = names.fresh(sanitizeName(v.name));
    ref.set(v, name);
    return `${name}: ${typeExpr(v.type)}`;
  });

  const constParams: string[] = [];
  const inlined = inlinableConstants(g);
  const body: string[] = [];
  for (const node of g.nodes) {
    if (node.op === 'constant') {
      const t = node.attrs.value as Tensor;
      const out = node.outputs[0];
      if (inlined.has(node)) { ref.set(out, literalOperand(t)); continue; }
      if (!SCALAR_CONSTANT_DTYPES.has(t.dtype) || t.rank !== 0) {
        const name = names.fresh(`const_${constParams.length}`);
        constParams.push(`param ${name}: ${typeExpr({ dtype: t.dtype, shape: t.shape })}`);
        weights.set(name, t);
        ref.set(out, name);
        continue;
      }
    }
    const outNames = node.outputs.map((o) => names.fresh(valueName(o), 0));
    node.outputs.forEach((o, i) => ref.set(o, outNames[i]));
    const lhs = outNames.length === 1 ? outNames[0] : `(${outNames.join(', ')})`;
    body.push(`let ${lhs} = ${nodeExpr(node, ref, members.layerCalls.get(node))}`);
  }
  const results = g.outputs.map((o) => ref.get(o)!);
  body.push(`return ${results.length === 1 ? results[0] : `(${results.join(', ')})`}`);
  const resultNames = outputNames(g, new Set([...g.inputs.map((v) => ref.get(v)!), ...weights.keys()]));
  const resultTypes = g.outputs.map((o, i) => (resultNames[i] ? `${resultNames[i]}: ` : '') + typeExpr(o.type));
  const returnType = resultTypes.length === 1 ? resultTypes[0] : `(${resultTypes.join(', ')})`;

  const lines: string[] = [];
  lines.push(`// Imported by dsc from ${opts.origin ?? `graph ${g.name}`}; the weights are in the safetensors file written beside it.`);
  if (members.renamed.length > 0) {
    lines.push('// Parameters whose path is not their ONNX name (named after the module using them, or kept clear of builtins):');
    for (const [path, original] of members.renamed) lines.push(`//   ${path} <- ${original}`);
  }
  if (members.imports.size > 0) lines.push(`import { ${[...members.imports].sort().join(', ')} } from "std/nn"`);
  lines.push('');
  for (const b of members.blocks) lines.push(b, '');
  const memberLines = [...members.members, ...constParams];
  lines.push(`model ${modelName} {`);
  for (const m of memberLines) lines.push(`  ${m}`);
  if (memberLines.length > 0) lines.push('');
  lines.push(`  forward(${inputDecls.join(', ')}) -> ${returnType} {`);
  for (const s of body) lines.push(`    ${s}`);
  lines.push('  }', '}');
  return { source: lines.join('\n') + '\n', weights };
}

/**
 * The ONNX output names that .ds can write as result names, so the compiled graph keeps them; undefined
 * where a name is not a .ds identifier, repeats, is an input's or a parameter's, or is the default anyway.
 */
function outputNames(g: Graph, inputAndParamNames: ReadonlySet<string>): (string | undefined)[] {
  const taken = new Set(inputAndParamNames);
  return g.outputs.map((o, i) => {
    const name = o.name;
    const isDefault = name === (g.outputs.length === 1 ? 'output' : `output${i}`);
    if (!isDsName(name) || isDefault || taken.has(name)) return undefined;
    taken.add(name);
    return name;
  });
}

/**
 * A readable name for an ONNX value: PyTorch's `/layer1/layer1.0/conv1/Conv_output_0` becomes
 * `layer1_0_conv1_conv`; other names are sanitized.
 */
function valueName(v: Value): string {
  if (!v.name.includes('/')) return sanitizeName(v.name);
  const last = v.name.slice(v.name.lastIndexOf('/') + 1);
  const m = /^(.*?)(?:_output_(\d+))?$/.exec(last)!;
  const scope = moduleScope(v.name);
  // the IR spells ONNX's MatMul family `matmul`, and so do these names
  const op = snakeCase(m[1]).replace(/mat_mul/g, 'matmul');
  const suffix = m[2] && m[2] !== '0' ? [m[2]] : [];
  // `/relu/Relu` and `/maxpool/MaxPool` name the module after its op: say it once
  const sameAsModule = scope.length > 0 && scope[scope.length - 1].replace(/_/g, '').toLowerCase() === op.replace(/_/g, '');
  return sanitizeName([...scope, ...(sameAsModule ? [] : [op]), ...suffix].join('_'));
}

/** The builtins forward calls by name (nodeExpr's choices), which no member may hide. */
function calledBuiltins(g: Graph, layerCalls: ReadonlyMap<Node, unknown>): Set<string> {
  const names = new Set<string>();
  for (const n of g.nodes) {
    if (layerCalls.has(n) || INFIX[n.op] || n.op === 'neg') continue;
    names.add(n.op === 'clip' && n.attrs.min === 0 && n.attrs.max === 6 ? 'relu6' : n.op);
  }
  return names;
}

/**
 * Scalar constants used only as an operand of infix arithmetic, beside a tensor of their dtype: .ds
 * turns a number there into a constant of the other operand's dtype, so a literal says the same.
 */
function inlinableConstants(g: Graph): Set<Node> {
  const users = g.users();
  const outputs = new Set(g.outputs);
  const out = new Set<Node>();
  for (const node of g.nodes) {
    if (node.op !== 'constant') continue;
    const t = node.attrs.value as Tensor;
    const v = node.outputs[0];
    if (t.rank !== 0 || t.dtype === 'bool' || outputs.has(v)) continue;
    const fits = (users.get(v) ?? []).every((u) => {
      const other = u.inputs[u.inputs[0] === v ? 1 : 0];
      return INFIX[u.op] !== undefined && u.op !== 'matmul' && other !== v && other?.type.dtype === t.dtype && other.producer?.op !== 'constant';
    });
    if (fits) out.add(node);
  }
  return out;
}

/** A scalar as an operand: negative numbers parenthesized so that `**` and `-` bind as written. */
function literalOperand(t: Tensor): string {
  const text = elementsLiteral(t);
  return text.startsWith('-') ? `(${text})` : text;
}

function nodeExpr(node: Node, ref: Map<Value, string>, layer: { callee: string; input: number } | undefined): string {
  const operand = (v: Value | null) => (v ? ref.get(v)! : ABSENT);
  if (layer) return `${layer.callee}(${operand(node.inputs[layer.input])})`;
  const def = getOp(node.op)!;
  const infix = INFIX[node.op];
  if (infix) return `${operand(node.inputs[0])} ${infix} ${operand(node.inputs[1])}`;
  if (node.op === 'neg') return `-${operand(node.inputs[0])}`;
  if (node.op === 'clip' && node.attrs.min === 0 && node.attrs.max === 6) return `relu6(${operand(node.inputs[0])})`;
  if (node.op === 'constant') return `constant(value: ${elementsLiteral(node.attrs.value as Tensor)})`;
  let last = node.inputs.length;
  while (last > 0 && node.inputs[last - 1] === null) last--;
  const args = node.inputs.slice(0, last).map(operand);
  for (const [name, spec] of Object.entries(def.attrs)) {
    const v = node.attrs[name];
    if (v === undefined || (spec.default !== undefined && JSON.stringify(spec.default) === JSON.stringify(v))) continue;
    const text = attrExpr(v, spec.kind);
    if (text === undefined) throw new Error(`internal error: attribute ${name} of ${node.op} has no .ds spelling`);
    args.push(`${name}: ${text}`);
  }
  return `${node.op}(${args.join(', ')})`;
}

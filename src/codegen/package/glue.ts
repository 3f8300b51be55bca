// The C++ glue of a generated package (src/addon.cc): the manifest as constant tables for the
// runtime's ModelSpec (runtime/cpu/model_spec.h), and an evaluator for dims that are expressions
// over the symbols. Everything else the addon does lives in the runtime, written once.
import { Dim, parseDim, isUnknown } from '../../ir/dim.js';
import { DType } from '../../ir/dtype.js';
import { diag } from '../../diag/diagnostic.js';
import { ManifestTensor, ModelManifest } from '../abi.js';

/** How the runtime checks one dim (runtime/cpu/model_spec.h DimSpec::Kind, plus Free for output dims unknown until run time). */
type DimPlan =
  | { kind: 'Const'; value: number; text: string }
  | { kind: 'Symbol'; index: number; text: string }
  | { kind: 'Expr'; id: number; text: string }
  | { kind: 'Free'; text: string };

const CPP_DTYPE: Record<DType, string> = {
  f32: 'f32', f16: 'f16', bf16: 'bf16', f64: 'f64', i8: 'i8', u8: 'u8', i16: 'i16', u16: 'u16',
  i32: 'i32', u32: 'u32', i64: 'i64', u64: 'u64', bool: 'boolean',
};

/** A C++ string literal for any text: quotes, backslashes and control characters escaped, other characters kept (UTF-8 source). */
export function cppString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** A C++ expression over `s[]` (the symbol values) computing a dim with overflow-checked arithmetic. */
function cppDimExpr(d: Dim, symbolIndex: ReadonlyMap<string, number>, where: string): string {
  if (typeof d === 'number') return `int64_t{${d}}`;
  const terms: string[] = [];
  for (const [mono, coefficient] of d.poly) {
    const factors: string[] = [];
    for (const atomKey of mono === '' ? [] : mono.split('·')) {
      const atom = d.atoms.get(atomKey)!;
      let factor: string;
      if (atom.k === 'sym') {
        const index = symbolIndex.get(atom.name);
        if (index === undefined) throw diag('DSC6101', `${where}: dim ${d.text} uses ${atom.name}, which no input binds`);
        factor = `s[${index}]`;
      } else if (atom.k === 'unknown') {
        throw diag('DSC6101', `${where}: dim ${d.text} is unknown until run time`);
      } else {
        factor = `dsc::dim_${atom.k === 'div' ? 'floor_div' : 'mod'}(${cppDimExpr(atom.a, symbolIndex, where)}, ${atom.b})`;
      }
      factors.push(factor);
    }
    if (coefficient !== 1 || factors.length === 0) factors.unshift(`int64_t{${coefficient}}`);
    terms.push(factors.reduce((product, f) => `dsc::dim_mul(${product}, ${f})`));
  }
  return terms.reduce((sum, term) => `dsc::dim_add(${sum}, ${term})`);
}

class GluePlanner {
  readonly expressions: string[] = [];
  private readonly symbolIndex: Map<string, number>;
  constructor(readonly manifest: ModelManifest) {
    this.symbolIndex = new Map(manifest.symbols.map((s, i) => [s.name, i]));
  }

  plan(t: ManifestTensor, role: 'input' | 'output' | 'parameter'): DimPlan[] {
    return t.shape.map((text, axis) => {
      const where = `${this.manifest.name}: ${role} '${t.name}' axis ${axis}`;
      let d: Dim;
      try {
        d = parseDim(text);
      } catch (e) {
        throw diag('DSC6101', `${where}: dim '${text}' cannot be read: ${(e as Error).message}`);
      }
      if (typeof d === 'number') return { kind: 'Const', value: d, text };
      if (role === 'parameter')
        throw diag('DSC6101', `${where}: parameter shapes must be static to be checked when the weights load, but this dim is ${text}`);
      if (isUnknown(d)) {
        if (role === 'output') return { kind: 'Free', text };
        throw diag('DSC6101', `${where}: an input dim cannot be unknown ('?')`);
      }
      const index = this.symbolIndex.get(d.key);
      if (index !== undefined) return { kind: 'Symbol', index, text };
      this.expressions.push(cppDimExpr(d, this.symbolIndex, where));
      return { kind: 'Expr', id: this.expressions.length - 1, text };
    });
  }
}

/** src/addon.cc of the package: deterministic for a given manifest. */
export function addonGlue(manifest: ModelManifest): string {
  const planner = new GluePlanner(manifest);
  const lines: string[] = [];
  const tables = (role: 'input' | 'output' | 'parameter', tensors: ManifestTensor[], prefix: string): string => {
    const specs = tensors.map((t, i) => {
      const dims = planner.plan(t, role);
      const dimsName = `${prefix}${i}_dims`;
      if (dims.length) {
        const entries = dims.map((d) => {
          const value = d.kind === 'Const' ? d.value : d.kind === 'Symbol' ? d.index : d.kind === 'Expr' ? d.id : -1;
          return `    {dsc::DimSpec::Kind::${d.kind}, ${value}, ${cppString(d.text)}},`;
        });
        lines.push(`const dsc::DimSpec ${dimsName}[] = {`, ...entries, '};');
      }
      return `    {${cppString(t.name)}, dsc::DType::${CPP_DTYPE[t.dtype]}, ${dims.length}, ${dims.length ? dimsName : 'nullptr'}},`;
    });
    if (!specs.length) return 'nullptr';
    lines.push(`const dsc::TensorSpec ${prefix}s[] = {`, ...specs, '};', '');
    return `${prefix}s`;
  };

  const inputs = tables('input', manifest.inputs, 'input');
  const outputs = tables('output', manifest.outputs, 'output');
  const params = tables('parameter', manifest.params, 'param');
  let symbols = 'nullptr';
  if (manifest.symbols.length) {
    lines.push('const dsc::SymbolSpec symbols[] = {', ...manifest.symbols.map((s) => `    {${cppString(s.name)}},`), '};', '');
    symbols = 'symbols';
  }
  let ignored = 'nullptr';
  const ignoredNames = manifest.ignoredParams ?? [];
  if (ignoredNames.length) {
    lines.push('const char* const ignored_params[] = {', ...ignoredNames.map((n) => `    ${cppString(n)},`), '};', '');
    ignored = 'ignored_params';
  }
  lines.push('int64_t eval_dim(int expr, const int64_t* s) {');
  if (planner.expressions.length) {
    lines.push('  switch (expr) {');
    planner.expressions.forEach((e, i) => lines.push(`    case ${i}: return ${e};`));
    lines.push('  }');
  } else {
    lines.push('  (void)expr;', '  (void)s;');
  }
  lines.push('  return dsc::kDimOverflow;', '}');

  return [
    `// Generated by dsc from the manifest of model ${manifest.name}: the tables the runtime validates`,
    '// weights, inputs and outputs against (see runtime/model_spec.h). Do not edit.',
    '#include "model_spec.h"',
    '',
    'namespace {',
    '',
    ...lines,
    '',
    `const dsc::ModelSpec spec = {${cppString(manifest.name)}, ${inputs}, ${manifest.inputs.length}, ${outputs}, ${manifest.outputs.length}, ${params}, ${manifest.params.length}, ${symbols}, ${manifest.symbols.length}, ${ignored}, ${ignoredNames.length}, eval_dim};`,
    '',
    '}  // namespace',
    '',
    'const dsc::ModelSpec& dsc::model_spec() { return spec; }',
    '',
  ].join('\n');
}

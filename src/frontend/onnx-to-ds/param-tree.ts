// The members of an imported model: parameters arranged into a tree by their dotted paths
// (`layer1.0.conv1.weight` → member `layer1`, a list whose blocks have a member `conv1`), with the
// std/nn layer recognised where a group of parameters is used exactly as that layer uses it.
// Every parameter keeps its path as its safetensors key, so the .ds and the weights agree.
import { Graph, Node, Value } from '../../ir/graph.js';
import { Tensor } from '../../ir/tensor.js';
import { isDsName, NameScope, pascalCase, sanitizeName, typeExpr } from './ds-syntax.js';
import { LayerMatch, recognizeLayer } from './layers.js';

export interface TreeNode {
  /** key in the parent: a name, or a list index */
  segment: string;
  children: Map<string, TreeNode>;
  /** set on leaves */
  param?: Value;
  /** set on nodes whose parameters form one std/nn layer */
  layer?: LayerMatch;
  /** children are the list indices 0..n-1 (gaps are parameter-free modules) */
  isList?: boolean;
}

export interface ModelMembers {
  /** member lines of the model body, without indentation */
  members: string[];
  /** block declarations the members use, each a complete text */
  blocks: string[];
  /** std/nn names the members use */
  imports: Set<string>;
  /** how forward refers to each parameter: `layer1[0].conv1.weight` */
  paramRef: Map<Value, string>;
  /** nodes computed by calling a recognised layer, with the layer's expression and the node's data input */
  layerCalls: Map<Node, { callee: string; input: number }>;
  /** parameter data by safetensors key */
  weights: Map<string, Tensor>;
  /** the top-level member names, which forward must not shadow */
  memberNames: Set<string>;
  /** the names of the blocks declared */
  blockNames: string[];
  /** parameters below the top level whose path is not their ONNX name: [path, ONNX name] */
  renamed: [string, string][];
}

/** One block declaration for parameter-free modules that sit between parameterised ones in a list. */
const PARAM_FREE_BLOCK = 'ParamFree';
const LIST_INDEX = /^(0|[1-9][0-9]*)$/;

/**
 * Where each parameter goes: its own name when that is a dotted path of names and indices, else the
 * module scope of the one node using it (PyTorch exports name folded weights `onnx::Conv_193` but the
 * node `/layer1/layer1.0/conv1/Conv`), else a sanitized top-level name.
 */
export function placeParams(g: Graph): Map<Value, { path: string[]; original: string }> {
  const users = g.users();
  const taken = new Set<string>();
  const placed = new Map<Value, { path: string[]; original: string }>();
  const later: Value[] = [];
  for (const p of g.params) {
    const path = dsPath(p.name);
    if (path && !taken.has(path.join('.'))) { placed.set(p, { path, original: p.name }); taken.add(path.join('.')); }
    else later.push(p);
  }
  for (const p of later) {
    const path = scopedPath(p, users.get(p) ?? []);
    if (path && !taken.has(path.join('.'))) { placed.set(p, { path, original: p.name }); taken.add(path.join('.')); }
  }
  for (const p of g.params) if (!placed.has(p)) placed.set(p, { path: [sanitizeName(p.name)], original: p.name });
  return placed;
}

/** A parameter name as path segments when it already is one (reserved words get a trailing `_`). */
function dsPath(name: string): string[] | undefined {
  const segs = name.split('.');
  if (segs.some((s, i) => !(LIST_INDEX.test(s) && i > 0) && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s))) return undefined;
  return segs.map((s) => (LIST_INDEX.test(s) || isDsName(s) ? s : sanitizeName(s)));
}

/** The role each op gives its parameter inputs, named as PyTorch names the tensors of that layer. */
const PARAM_ROLES: Record<string, readonly (string | undefined)[]> = {
  conv: [undefined, 'weight', 'bias'],
  conv_transpose: [undefined, 'weight', 'bias'],
  batch_normalization: [undefined, 'weight', 'bias', 'running_mean', 'running_var'],
  layer_normalization: [undefined, 'weight', 'bias'],
  gather: ['weight'],
};

function scopedPath(p: Value, users: Node[]): string[] | undefined {
  if (users.length !== 1) return undefined;
  const node = users[0];
  const index = node.inputs.indexOf(p);
  if (node.inputs.lastIndexOf(p) !== index) return undefined;
  const role = node.op === 'gemm' ? (node.attrs.trans_b === true ? [undefined, 'weight', 'bias'][index] : undefined) : PARAM_ROLES[node.op]?.[index];
  if (!role || node.loc === undefined) return undefined;
  const scope = moduleScope(node.loc);
  return scope.length > 0 ? dsPath([...scope, role].join('.')) : undefined;
}

/**
 * The module path of a PyTorch node name: `/features/features.1/conv/conv.0/Conv` → features.1.conv.0.
 * Each scope segment repeats its parent's segment as a prefix when the parent is a container.
 */
export function moduleScope(loc: string): string[] {
  const segs = loc.split('/').filter((s) => s !== '').slice(0, -1);
  const path: string[] = [];
  let previous = '';
  for (const s of segs) {
    const local = previous !== '' && s.startsWith(`${previous}.`) ? s.slice(previous.length + 1) : s;
    path.push(...local.split('.'));
    previous = s;
  }
  return path;
}

/**
 * Builds the parameter tree, its blocks and the lines of the model's members. `calledBuiltins` are
 * the builtins forward calls: a top-level member of the same name would hide one, so it is renamed.
 */
export function buildMembers(g: Graph, modelName: string, reservedNames: Iterable<string>, calledBuiltins: ReadonlySet<string> = new Set()): ModelMembers {
  const placed = placeParams(g);
  const root: TreeNode = { segment: '', children: new Map() };
  const flat: Value[] = [];
  for (const p of inUseOrder(g)) if (!insert(root, placed.get(p)!.path, p)) flat.push(p);
  const rootNames = new NameScope([...root.children.keys(), ...calledBuiltins]);
  for (const p of flat) {
    const name = rootNames.fresh(sanitizeName(p.name));
    root.children.set(name, { segment: name, children: new Map(), param: p });
  }
  normalizeIndices(root, true);
  root.children = new Map([...root.children].map(([k, c]) => {
    if (!calledBuiltins.has(k)) return [k, c];
    c.segment = rootNames.fresh(`${k}_`);
    return [c.segment, c];
  }));

  const users = g.users();
  const out: ModelMembers = {
    members: [], blocks: [], imports: new Set(), paramRef: new Map(), layerCalls: new Map(), weights: new Map(), memberNames: new Set(root.children.keys()), renamed: [], blockNames: [],
  };
  const blockNames = new NameScope([modelName, PARAM_FREE_BLOCK, ...reservedNames]);
  const blockByBody = new Map<string, string>();
  let usesParamFree = false;

  const visit = (node: TreeNode, path: string[], ref: string, parentName: string): string => {
    if (node.param) {
      const key = path.join('.');
      out.paramRef.set(node.param, ref);
      out.weights.set(key, g.weights.get(node.param.name)!);
      if (path.length > 1 && key !== node.param.name) out.renamed.push([key, node.param.name]);
      return '';
    }
    if (node.layer === undefined) node.layer = recognizeLayer(leavesOf(node), users);
    if (node.layer) {
      out.imports.add(node.layer.ctor);
      for (const [n, input] of node.layer.calls) out.layerCalls.set(n, { callee: ref, input });
      for (const [name, child] of node.children) visit(child, [...path, name], `${ref}.${name}`, name);
      for (const [name, t] of node.layer.unused) out.weights.set([...path, name].join('.'), t);
      return `${node.layer.ctor}(${node.layer.args})`;
    }
    if (node.isList) {
      const elems: string[] = [];
      const n = Math.max(...[...node.children.keys()].map(Number)) + 1;
      for (let i = 0; i < n; i++) {
        const child = node.children.get(String(i));
        if (!child) { usesParamFree = true; elems.push(`${PARAM_FREE_BLOCK}()`); continue; }
        elems.push(visit(child, [...path, String(i)], `${ref}[${i}]`, parentName));
      }
      return `[${elems.join(', ')}]`;
    }
    const body = memberLines(node, path, ref);
    const key = body.join('\n');
    let name = blockByBody.get(key);
    if (!name) {
      const wanted = pascalCase(LIST_INDEX.test(node.segment) ? `${parentName}_block` : node.segment);
      name = blockNames.fresh(/^[A-Za-z]/.test(wanted) ? wanted : `Block${wanted}`);
      blockByBody.set(key, name);
      out.blockNames.push(name);
      out.blocks.push(`block ${name}() {\n${body.map((l) => `  ${l}`).join('\n')}\n}`);
    }
    return `${name}()`;
  };

  /** Lines declaring node's children; `ref` is how forward names node itself. */
  const memberLines = (node: TreeNode, path: string[], ref: string): string[] => {
    const lines: string[] = [];
    for (const [name, child] of node.children) {
      const childRef = ref === '' ? name : `${ref}.${name}`;
      if (child.param) {
        visit(child, [...path, name], childRef, name);
        const comment = placed.get(child.param)!.original !== [...path, name].join('.') && ref === ''
          ? `  // ONNX initializer ${JSON.stringify(child.param.name)}` : '';
        lines.push(`param ${name}: ${typeExpr(child.param.type)}${comment}`);
      } else {
        lines.push(`${name} = ${visit(child, [...path, name], childRef, name)}`);
      }
    }
    return lines;
  };

  out.members = memberLines(root, [], '');
  if (usesParamFree) out.blockNames.push(PARAM_FREE_BLOCK);
  if (usesParamFree) out.blocks.unshift(`// Stands for a module without parameters between layers that have them.\nblock ${PARAM_FREE_BLOCK}() {\n}`);
  return out;
}

/** Parameters in the order the schedule first uses them, so members read in the order forward calls them. */
function inUseOrder(g: Graph): Value[] {
  const first = new Map<Value, number>();
  g.nodes.forEach((n, i) => { for (const v of n.inputs) if (v && !first.has(v)) first.set(v, i); });
  return g.params.map((p, i) => [p, first.get(p) ?? g.nodes.length, i] as const).sort((a, b) => a[1] - b[1] || a[2] - b[2]).map(([p]) => p);
}

/** Adds a leaf at path; false when the path clashes with a parameter already placed (one is a prefix of the other). */
function insert(root: TreeNode, path: string[], p: Value): boolean {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    let child = node.children.get(path[i]);
    if (!child) { child = { segment: path[i], children: new Map() }; node.children.set(path[i], child); }
    if (child.param) return false;
    node = child;
  }
  const last = path[path.length - 1];
  if (node.children.has(last)) return false;
  node.children.set(last, { segment: last, children: new Map(), param: p });
  return true;
}

/**
 * A node whose keys are all list indices and whose children are all modules becomes a list (in
 * index order); an index anywhere else cannot be a .ds member name and becomes `_<index>`.
 */
function normalizeIndices(node: TreeNode, isRoot: boolean): void {
  const keys = [...node.children.keys()];
  if (keys.length === 0) return;
  const allIndices = keys.every((k) => LIST_INDEX.test(k));
  if (allIndices && !isRoot && [...node.children.values()].every((c) => !c.param)) {
    node.isList = true;
    node.children = new Map([...node.children].sort(([a], [b]) => Number(a) - Number(b)));
  } else if (keys.some((k) => LIST_INDEX.test(k))) {
    const names = new NameScope(keys.filter((k) => !LIST_INDEX.test(k)));
    node.children = new Map([...node.children].map(([k, c]) => {
      if (!LIST_INDEX.test(k)) return [k, c];
      const name = names.fresh(`_${k}`);
      c.segment = name;
      return [name, c];
    }));
  }
  for (const c of node.children.values()) normalizeIndices(c, false);
}

function leavesOf(node: TreeNode): Map<string, Value> | undefined {
  const leaves = new Map<string, Value>();
  for (const [name, c] of node.children) {
    if (!c.param) return undefined;
    leaves.set(name, c.param);
  }
  return leaves;
}

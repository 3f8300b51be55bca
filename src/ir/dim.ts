// Symbolic dimensions: a dim is a non-negative integer or a symbolic expression over named
// dims (N, S, ...). Expressions are kept in a canonical polynomial form (sum of integer
// coefficients times products of atoms) so that structurally equal dims compare equal.
// Atoms are symbol names, or opaque floor-divisions / modulos that cannot be simplified.

export type Dim = number | SymDim;

/** product of atoms (sorted, with repetition) -> coefficient */
type Poly = Map<string, number>;

export class SymDim {
  /** canonical text, also the identity of the dim */
  readonly key: string;
  /** printed form: like key, but every unknown dim shows as `?` */
  readonly text: string;
  private constructor(readonly poly: Poly, readonly atoms: Map<string, Atom>) {
    this.key = polyKey(poly, atoms, true);
    this.text = polyKey(poly, atoms, false);
  }
  static make(poly: Poly, atoms: Map<string, Atom>): Dim {
    for (const [k, c] of poly) if (c === 0) poly.delete(k);
    if (poly.size === 0) return 0;
    if (poly.size === 1 && poly.has('')) return poly.get('')!;
    // keep only atoms used
    const used = new Map<string, Atom>();
    for (const k of poly.keys()) for (const a of splitMono(k)) used.set(a, atoms.get(a)!);
    return new SymDim(poly, used);
  }
  toString() { return this.text; }
}

/** an atom: a symbol, an unknown dim, or floor(a / b) / a % b with a symbolic a */
export type Atom =
  | { k: 'sym'; name: string }
  | { k: 'unknown'; id: number }
  | { k: 'div' | 'mod'; a: Dim; b: number };

let unknownCounter = 0;

export function sym(name: string): Dim {
  return SymDim.make(new Map([[name, 1]]), new Map([[name, { k: 'sym', name }]]));
}

/** A dim that is not known until run time and equals nothing but itself. Printed as `?`. */
export function unknownDim(): Dim {
  const id = ++unknownCounter;
  const key = `?${id}`;
  return SymDim.make(new Map([[key, 1]]), new Map([[key, { k: 'unknown', id }]]));
}

/** A mark to tell unknown dims made after it (see isFreshUnknown) from older ones. */
export function unknownDimMark(): number {
  return unknownCounter;
}

/** Whether d is a single unknown dim created after `mark` was taken. */
export function isFreshUnknown(d: Dim, mark: number): boolean {
  if (typeof d === 'number' || d.poly.size !== 1 || d.atoms.size !== 1) return false;
  const a = [...d.atoms.values()][0];
  return a.k === 'unknown' && a.id > mark;
}

export function isUnknown(d: Dim): boolean {
  return typeof d !== 'number' && [...d.atoms.values()].some((a) => a.k === 'unknown');
}

function splitMono(k: string): string[] {
  return k === '' ? [] : k.split('·');
}

function atomText(name: string, a: Atom, identity: boolean): string {
  if (a.k === 'sym') return name;
  if (a.k === 'unknown') return identity ? name : '?';
  return `${a.k === 'div' ? 'floor' : 'mod'}(${identity ? dimKey(a.a) : dimToString(a.a)}, ${a.b})`;
}

function dimKey(d: Dim): string {
  return typeof d === 'number' ? String(d) : d.key;
}

function polyKey(poly: Poly, atoms: Map<string, Atom>, identity: boolean): string {
  const monos = [...poly.keys()].sort((x, y) => {
    const dx = splitMono(x).length, dy = splitMono(y).length;
    return dy - dx || (x < y ? -1 : x > y ? 1 : 0);
  });
  let s = '';
  for (const m of monos) {
    const c = poly.get(m)!;
    const parts = splitMono(m).map((a) => atomText(a, atoms.get(a)!, identity));
    let term = parts.join('*');
    if (term === '') term = String(Math.abs(c));
    else if (Math.abs(c) !== 1) term = `${Math.abs(c)}*${term}`;
    if (s === '') s = c < 0 ? `-${term}` : term;
    else s += c < 0 ? ` - ${term}` : ` + ${term}`;
  }
  return s;
}

function toPoly(d: Dim): [Poly, Map<string, Atom>] {
  if (typeof d === 'number') return [new Map(d === 0 ? [] : [['', d]]), new Map()];
  return [new Map(d.poly), new Map(d.atoms)];
}

function mergeAtoms(a: Map<string, Atom>, b: Map<string, Atom>) {
  const m = new Map(a);
  for (const [k, v] of b) m.set(k, v);
  return m;
}

export function dimAdd(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  const [pa, aa] = toPoly(a);
  const [pb, ab] = toPoly(b);
  for (const [k, c] of pb) pa.set(k, (pa.get(k) ?? 0) + c);
  return SymDim.make(pa, mergeAtoms(aa, ab));
}

export function dimNeg(a: Dim): Dim {
  return dimMul(a, -1);
}

export function dimSub(a: Dim, b: Dim): Dim {
  return dimAdd(a, dimNeg(b));
}

export function dimMul(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a * b;
  const [pa, aa] = toPoly(a);
  const [pb, ab] = toPoly(b);
  const out: Poly = new Map();
  for (const [ka, ca] of pa)
    for (const [kb, cb] of pb) {
      const k = [...splitMono(ka), ...splitMono(kb)].sort().join('·');
      out.set(k, (out.get(k) ?? 0) + ca * cb);
    }
  return SymDim.make(out, mergeAtoms(aa, ab));
}

/** floor(a / b) for a positive integer b. Exact when every coefficient divides by b. */
export function dimFloorDiv(a: Dim, b: number): Dim {
  if (!Number.isInteger(b) || b <= 0) throw new Error(`dim division by ${b}`);
  if (b === 1) return a;
  if (typeof a === 'number') return Math.floor(a / b);
  const [pa, aa] = toPoly(a);
  if ([...pa.values()].every((c) => c % b === 0)) {
    for (const [k, c] of pa) pa.set(k, c / b);
    return SymDim.make(pa, aa);
  }
  // pull out the part of the constant that divides evenly? keep it simple: opaque atom
  const atom: Atom = { k: 'div', a, b };
  const key = `floor(${dimKey(a)}, ${b})`;
  return SymDim.make(new Map([[key, 1]]), new Map([[key, atom]]));
}

export function dimCeilDiv(a: Dim, b: number): Dim {
  return dimFloorDiv(dimAdd(a, b - 1), b);
}

export function dimMod(a: Dim, b: number): Dim {
  if (typeof a === 'number') return ((a % b) + b) % b;
  const [pa] = toPoly(a);
  if ([...pa.values()].every((c) => c % b === 0)) return 0;
  const atom: Atom = { k: 'mod', a, b };
  const key = `mod(${dimKey(a)}, ${b})`;
  return SymDim.make(new Map([[key, 1]]), new Map([[key, atom]]));
}

export function dimEq(a: Dim, b: Dim): boolean {
  if (typeof a === 'number' || typeof b === 'number') return a === b;
  return a.key === b.key;
}

export function dimToString(d: Dim): string {
  return typeof d === 'number' ? String(d) : d.text;
}

export function isStatic(d: Dim): d is number {
  return typeof d === 'number';
}

/** Symbol names a dim mentions. */
export function dimSymbols(d: Dim, out = new Set<string>()): Set<string> {
  if (typeof d === 'number') return out;
  for (const a of d.atoms.values()) {
    if (a.k === 'sym') out.add(a.name);
    else if (a.k === 'div' || a.k === 'mod') dimSymbols(a.a, out);
  }
  return out;
}

export type DimEnv = ReadonlyMap<string, number>;

/** Evaluate a dim with bound symbols; throws if a symbol is unbound or the dim is unknown. */
export function evalDim(d: Dim, env: DimEnv): number {
  if (typeof d === 'number') return d;
  let total = 0;
  for (const [mono, c] of d.poly) {
    let v = c;
    for (const name of splitMono(mono)) v *= evalAtom(d.atoms.get(name)!, env);
    total += v;
  }
  return total;
}

function evalAtom(a: Atom, env: DimEnv): number {
  switch (a.k) {
    case 'sym': {
      const v = env.get(a.name);
      if (v === undefined) throw new Error(`symbolic dim ${a.name} is not bound`);
      return v;
    }
    case 'unknown': throw new Error('dim is unknown until run time');
    case 'div': return Math.floor(evalDim(a.a, env) / a.b);
    case 'mod': { const x = evalDim(a.a, env); return ((x % a.b) + a.b) % a.b; }
  }
}

/** Substitute symbols by dims (numbers or other expressions). */
export function substDim(d: Dim, env: ReadonlyMap<string, Dim>): Dim {
  if (typeof d === 'number') return d;
  let total: Dim = 0;
  for (const [mono, c] of d.poly) {
    let v: Dim = c;
    for (const name of splitMono(mono)) {
      const a = d.atoms.get(name)!;
      let x: Dim;
      if (a.k === 'sym') x = env.get(a.name) ?? sym(a.name);
      else if (a.k === 'unknown') x = SymDim.make(new Map([[name, 1]]), new Map([[name, a]]));
      else x = a.k === 'div' ? dimFloorDiv(substDim(a.a, env), a.b) : dimMod(substDim(a.a, env), a.b);
      v = dimMul(v, x);
    }
    total = dimAdd(total, v);
  }
  return total;
}

/** Product of dims (element count). */
export function dimProduct(ds: readonly Dim[]): Dim {
  let p: Dim = 1;
  for (const d of ds) p = dimMul(p, d);
  return p;
}

/**
 * Parse dim text as printed by dimToString: integers, names, +, -, *, floor(e, n), mod(e, n),
 * parentheses, and `?` for an unknown dim.
 */
export function parseDim(text: string): Dim {
  let i = 0;
  const ws = () => { while (i < text.length && /\s/.test(text[i])) i++; };
  const fail = (msg: string): never => { throw new Error(`bad dim '${text}': ${msg} at ${i}`); };
  const primary = (): Dim => {
    ws();
    if (text[i] === '(') { i++; const v = expr(); ws(); if (text[i] !== ')') fail('expected )'); i++; return v; }
    if (text[i] === '?') { i++; return unknownDim(); }
    if (text[i] === '-') { i++; return dimNeg(primary()); }
    const m = /^[0-9]+/.exec(text.slice(i));
    if (m) { i += m[0].length; return Number(m[0]); }
    const n = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!n) return fail('expected a dim');
    i += n[0].length;
    ws();
    if ((n[0] === 'floor' || n[0] === 'mod') && text[i] === '(') {
      i++;
      const a = expr(); ws();
      if (text[i] !== ',') fail('expected ,');
      i++;
      const b = expr(); ws();
      if (text[i] !== ')') fail('expected )');
      i++;
      if (typeof b !== 'number') fail('divisor must be a number');
      return n[0] === 'floor' ? dimFloorDiv(a, b as number) : dimMod(a, b as number);
    }
    return sym(n[0]);
  };
  const term = (): Dim => {
    let v = primary();
    for (;;) { ws(); if (text[i] === '*') { i++; v = dimMul(v, primary()); } else return v; }
  };
  const expr = (): Dim => {
    let v = term();
    for (;;) {
      ws();
      if (text[i] === '+') { i++; v = dimAdd(v, term()); }
      else if (text[i] === '-') { i++; v = dimSub(v, term()); }
      else return v;
    }
  };
  const v = expr();
  ws();
  if (i !== text.length) fail('unexpected text');
  return v;
}

// The buffer plan: where each graph value lives while the program runs.
//
// Inputs, params and outputs live in the caller's buffers; constants are static data; values of the
// reshape family alias their source. Every other value gets a range of the one workspace arena: a
// liveness-based first-fit over byte sizes that are symbolic polynomials (dim.ts), so one plan serves
// every batch size. Two ranges may share bytes only when their lifetimes are disjoint; a candidate
// offset is accepted only when the ordering it relies on is provable for all symbol values (a
// difference with non-negative coefficients), so the plan is sound without knowing the symbols.
import { Dim, SymDim, dimAdd, dimMul, dimProduct, dimSub, isStatic } from '../../ir/dim.js';
import { DType, DTYPE_INFO } from '../../ir/dtype.js';
import { Value } from '../../ir/graph.js';

/** Workspace ranges start at multiples of this many bytes (a cache line; AVX-512 loads). */
export const ARENA_ALIGN = 64;

export interface ArenaRange { value: Value; offset: Dim; bytes: Dim; first: number; last: number }

export interface ArenaPlan {
  ranges: Map<Value, ArenaRange>;
  /** the arena's size: the largest range end, as the candidates that no other end provably dominates */
  ends: Dim[];
}

/** p >= q for every non-negative value of the symbols (sufficient test: no negative coefficient in p - q). */
export function provablyGeq(p: Dim, q: Dim): boolean {
  const d = dimSub(p, q);
  if (isStatic(d)) return d >= 0;
  return [...d.poly.values()].every((c) => c >= 0);
}

/** Bytes one element of a dtype takes in a target's buffers (a target may widen storage, e.g. WGSL bool as u32). */
export type ElementBytes = (d: DType) => number;

export const STORAGE_BYTES: ElementBytes = (d) => DTYPE_INFO[d].bytes;

/** Byte size rounded up per monomial, so every term (and hence every offset built from sizes) stays aligned. */
export function alignedBytes(v: Value, elementBytes: ElementBytes = STORAGE_BYTES): Dim {
  const raw = dimMul(dimProduct(v.type.shape), elementBytes(v.type.dtype));
  const up = (c: number) => Math.ceil(c / ARENA_ALIGN) * ARENA_ALIGN;
  if (isStatic(raw)) return up(raw);
  const poly = new Map<string, number>();
  for (const [mono, c] of raw.poly) poly.set(mono, up(c));
  return SymDim.make(poly, new Map(raw.atoms));
}

/**
 * First-fit over lifetimes [first, last] (step indices, inclusive). Values are placed in order of
 * their first step; each takes the first candidate offset (0, then the end of a conflicting range)
 * that provably clears every range alive at the same time, else the sum of their ends.
 */
export function planArena(lifetimes: { value: Value; first: number; last: number }[], elementBytes: ElementBytes = STORAGE_BYTES): ArenaPlan {
  const placed: ArenaRange[] = [];
  const ranges = new Map<Value, ArenaRange>();
  const sorted = [...lifetimes].sort((a, b) => a.first - b.first);
  for (const lt of sorted) {
    const bytes = alignedBytes(lt.value, elementBytes);
    const conflicts = placed.filter((r) => r.first <= lt.last && lt.first <= r.last);
    const ends = conflicts.map((r) => dimAdd(r.offset, r.bytes));
    const fits = (o: Dim) => conflicts.every((r, i) => provablyGeq(o, ends[i]) || provablyGeq(r.offset, dimAdd(o, bytes)));
    const candidates: Dim[] = [0, ...ends];
    let offset = candidates.find(fits);
    if (offset === undefined) offset = ends.reduce<Dim>((s, e) => dimAdd(s, e), 0);
    const range = { value: lt.value, offset, bytes, first: lt.first, last: lt.last };
    placed.push(range);
    ranges.set(lt.value, range);
  }
  const allEnds = placed.map((r) => dimAdd(r.offset, r.bytes));
  const ends: Dim[] = [];
  allEnds.forEach((e, i) => {
    const dominated = allEnds.some((o, j) => j !== i && provablyGeq(o, e) && (!provablyGeq(e, o) || j < i));
    if (!dominated) ends.push(e);
  });
  return { ranges, ends };
}

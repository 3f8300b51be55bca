// Offsets in one arena for buffers with known lifetimes, the lower bound any placement must reach,
// and the check that a placement is sound. Placement is the greedy best-fit of TFLite's arena
// planner and TVM's StaticPlanBlockMemory: buffers are taken one at a time (largest first, or in
// order of first use) and each goes into the smallest gap, among the buffers already placed that
// are live at the same time, that holds it; else on top of them. Both orders are tried and the
// smaller arena is kept.

/** Every buffer starts at a multiple of this many bytes (a cache line; AVX-512 and GPU vector loads). */
export const ARENA_ALIGN = 64;

export function alignUp(bytes: number): number {
  return Math.ceil(bytes / ARENA_ALIGN) * ARENA_ALIGN;
}

/** A buffer to place: `size` bytes live from step `first` to step `last`, inclusive. */
export interface Lifetime {
  size: number;
  first: number;
  last: number;
}

export function overlapsInTime(a: Lifetime, b: Lifetime): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** Bytes live at each step 0..steps-1 (buffers are counted whole from first to last step). */
export function liveBytesPerStep(buffers: readonly Lifetime[], steps: number): number[] {
  const delta = new Array<number>(steps + 1).fill(0);
  for (const b of buffers) {
    delta[b.first] += b.size;
    delta[b.last + 1] -= b.size;
  }
  const live: number[] = [];
  let acc = 0;
  for (let t = 0; t < steps; t++) live.push((acc += delta[t]));
  return live;
}

/** No placement of these lifetimes fits in fewer bytes than the most that is ever live at once. */
export function lowerBound(buffers: readonly Lifetime[], steps: number): number {
  return Math.max(0, ...liveBytesPerStep(buffers, steps));
}

export interface Placement {
  /** offset of each buffer, in input order */
  offsets: number[];
  /** end of the highest buffer */
  arenaBytes: number;
  /** which visiting order produced it */
  strategy: 'largest-first' | 'earliest-first';
}

/** Offsets for the buffers (sizes must be multiples of ARENA_ALIGN). Deterministic. */
export function placeBuffers(buffers: readonly Lifetime[]): Placement {
  const bySize = buffers.map((_, i) => i).sort((a, b) => buffers[b].size - buffers[a].size || buffers[a].first - buffers[b].first || a - b);
  const byFirst = buffers.map((_, i) => i).sort((a, b) => buffers[a].first - buffers[b].first || buffers[b].size - buffers[a].size || a - b);
  const candidates: Placement[] = [
    { ...bestFit(buffers, bySize), strategy: 'largest-first' },
    { ...bestFit(buffers, byFirst), strategy: 'earliest-first' },
  ];
  return candidates.reduce((best, c) => (c.arenaBytes < best.arenaBytes ? c : best));
}

function bestFit(buffers: readonly Lifetime[], order: readonly number[]): { offsets: number[]; arenaBytes: number } {
  const offsets = new Array<number>(buffers.length).fill(-1);
  // placed buffers, kept sorted by offset so gaps are found in one sweep
  const placed: number[] = [];
  let arenaBytes = 0;
  for (const i of order) {
    const b = buffers[i];
    let best = -1;
    let bestGap = Infinity;
    let cursor = 0;
    for (const j of placed) {
      if (!overlapsInTime(b, buffers[j])) continue;
      const gap = offsets[j] - cursor;
      if (gap >= b.size && gap < bestGap) { best = cursor; bestGap = gap; }
      cursor = Math.max(cursor, offsets[j] + buffers[j].size);
    }
    offsets[i] = best >= 0 ? best : cursor;
    arenaBytes = Math.max(arenaBytes, offsets[i] + b.size);
    let at = placed.length;
    while (at > 0 && offsets[placed[at - 1]] > offsets[i]) at--;
    placed.splice(at, 0, i);
  }
  return { offsets, arenaBytes };
}

/**
 * Every way the placement is unsound, as sentences: a misaligned offset, a buffer past the arena's
 * end, two buffers live at the same step that share bytes. Empty when it is sound.
 */
export function placementProblems(buffers: readonly (Lifetime & { offset: number; name: string })[], arenaBytes: number): string[] {
  const problems: string[] = [];
  for (const b of buffers) {
    if (b.offset % ARENA_ALIGN !== 0) problems.push(`${b.name} starts at ${b.offset}, not a multiple of ${ARENA_ALIGN}`);
    if (b.offset < 0 || b.offset + b.size > arenaBytes) problems.push(`${b.name} [${b.offset}, ${b.offset + b.size}) is outside the arena of ${arenaBytes} bytes`);
  }
  const sorted = [...buffers].sort((a, b) => a.offset - b.offset);
  for (let i = 0; i < sorted.length; i++)
    for (let j = i + 1; j < sorted.length && sorted[j].offset < sorted[i].offset + sorted[i].size; j++) {
      const a = sorted[i], b = sorted[j];
      if (a.size > 0 && b.size > 0 && overlapsInTime(a, b))
        problems.push(`${a.name} [${a.offset}, ${a.offset + a.size}) steps ${a.first}..${a.last} and ${b.name} [${b.offset}, ${b.offset + b.size}) steps ${b.first}..${b.last} share bytes while both are live`);
    }
  return problems;
}

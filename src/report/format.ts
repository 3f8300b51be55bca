// Number and table formatting shared by the text report and the drawings. Output depends on the
// numbers only (no locale), so reports are byte-for-byte reproducible.

const MIB = 1024 * 1024;

/** Bytes in MiB, the unit the memory summary compares in: two decimals, three significant digits below 1 MiB. */
export function mib(bytes: number): string {
  const v = bytes / MIB;
  return `${v === 0 ? '0' : v < 1 ? String(Number(v.toPrecision(3))) : v.toFixed(2)} MiB`;
}

/** Bytes with a binary unit picked by size: 512 B, 12.5 KiB, 3.06 MiB, 1.20 GiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes, u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

/** A count with an SI prefix and three significant digits: 950, 1.23k, 118M, 3.64G (`sep` goes before the prefix). */
export function formatCount(n: number, sep = ''): string {
  if (!Number.isFinite(n)) return '?';
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let v = n, u = 0;
  while (Math.abs(v) >= 1000 && u < units.length - 1) { v /= 1000; u++; }
  return u === 0 ? `${Math.round(v)}${sep}` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${sep}${units[u]}`;
}

/** `part` as a percentage of `whole`, one decimal. */
export function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`;
}

/** Long names keep their end (the distinguishing part of ONNX paths): `…/layer1.0/conv1/Conv`. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(text.length - max + 1)}`;
}

export type Align = 'left' | 'right';

/** Rows as text with columns padded to their widest cell, separated by two spaces, no trailing blanks. */
export function formatTable(rows: readonly (readonly string[])[], align: readonly Align[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, [...c].length); });
  return rows.map((r) =>
    r.map((c, i) => {
      const pad = ' '.repeat(widths[i] - [...c].length);
      return align[i] === 'right' ? pad + c : c + pad;
    }).join('  ').trimEnd());
}

/** `n thing` or `n things`. */
export function plural(n: number, thing: string): string {
  return `${n} ${thing}${n === 1 ? '' : 's'}`;
}

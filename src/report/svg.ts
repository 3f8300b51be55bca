// Writing SVG as text: escaping, numbers in a short fixed form, the shared palette and fonts.

/** Fill colours for fusion groups and arena buffers (Tableau 10), used in a fixed order. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export const SANS = 'Helvetica, Arial, sans-serif';
export const MONO = 'Menlo, Consolas, DejaVu Sans Mono, monospace';

/** Approximate advance widths (px per character) used to size boxes around text. */
export const SANS_BOLD_12 = 7.4;
export const MONO_11 = 6.7;

export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A coordinate with at most two decimals, no trailing zeros. */
export function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** An element with attributes (undefined ones dropped) and optional children or text. */
export function el(name: string, attrs: Record<string, string | number | undefined>, children?: string | string[]): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? num(v) : esc(v!)}"`)
    .join('');
  if (children === undefined || (Array.isArray(children) && children.length === 0)) return `<${name}${a}/>`;
  return `<${name}${a}>${Array.isArray(children) ? children.join('') : children}</${name}>`;
}

/** A hover tooltip, when titles are wanted. */
export function title(text: string, wanted: boolean): string[] {
  return wanted ? [`<title>${esc(text)}</title>`] : [];
}

// The HTML page of `dsc profile`: a horizontal bar per report kernel (its median time), coloured by
// its share of the machine's peak, with the figures beside each bar and in a hover title, then the
// same table as the terminal's.
import { MONO, SANS, el, esc } from '../report/svg.js';
import { ModelProfile, profileText } from './profile.js';

const ROW = 18;
const LABEL_WIDTH = 330;
const BAR_WIDTH = 520;
const FIGURES_WIDTH = 260;

/** Bar colour by share of the peak: grey when unknown, red (far from peak) to green (near it). */
function shareColour(share: number): string {
  if (!Number.isFinite(share)) return '#8c8c8c';
  const hue = Math.round(120 * Math.min(1, Math.max(0, share)));
  return `hsl(${hue}, 55%, 48%)`;
}

export function profilePage(p: ModelProfile): string {
  const slowest = Math.max(1e-9, ...p.rows.map((r) => r.ms));
  const bars: string[] = [];
  p.rows.forEach((r, i) => {
    const y = i * ROW;
    const width = (BAR_WIDTH * r.ms) / slowest;
    const share = Number.isFinite(r.peakShare) ? `, ${(100 * r.peakShare).toFixed(1)} % of peak` : '';
    const hover = `step ${r.step}: ${r.ops}\n${r.ms.toFixed(3)} ms over ${r.calls.length} call(s): ${r.calls.join(', ')}\n${r.gflops.toFixed(2)} GFLOP/s, ${r.gbs.toFixed(2)} GB/s${share}`;
    bars.push(el('g', {}, [
      `<title>${esc(hover)}</title>`,
      el('text', { x: LABEL_WIDTH - 6, y: y + ROW - 5, 'text-anchor': 'end', 'font-family': MONO, 'font-size': 11 }, esc(`${r.step} ${r.ops.length > 44 ? `${r.ops.slice(0, 43)}…` : r.ops}`)),
      el('rect', { x: LABEL_WIDTH, y: y + 2, width: Math.max(0.5, width), height: ROW - 4, fill: shareColour(r.peakShare) }),
      el('text', { x: LABEL_WIDTH + width + 6, y: y + ROW - 5, 'font-family': SANS, 'font-size': 11 }, esc(`${r.ms.toFixed(3)} ms · ${r.gflops.toFixed(1)} GFLOP/s · ${r.gbs.toFixed(1)} GB/s${share}`)),
    ]));
  });
  const height = Math.max(1, p.rows.length) * ROW + 4;
  const svg = el('svg', { xmlns: 'http://www.w3.org/2000/svg', width: LABEL_WIDTH + BAR_WIDTH + FIGURES_WIDTH, height, viewBox: `0 0 ${LABEL_WIDTH + BAR_WIDTH + FIGURES_WIDTH} ${height}` }, bars);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${esc(`dsc profile: ${p.model} on ${p.target}`)}</title>
<style>body { font-family: ${SANS}; margin: 24px; } pre { font-family: ${MONO}; font-size: 12px; }</style>
</head>
<body>
<h1>${esc(`${p.model} on ${p.target}`)}</h1>
<p>${esc(`Median of ${p.runs} runs per kernel of the report; kernels sum to ${p.kernelMs.toFixed(3)} ms, a run without timers takes ${p.plainMs.toFixed(3)} ms. Bars are coloured by the share of the measured peak (green near it, red far from it, grey when the target's peak is not measured).`)}</p>
${svg}
<pre>${esc(profileText(p))}</pre>
</body>
</html>
`;
}

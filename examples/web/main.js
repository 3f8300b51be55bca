// The web example's script: loads LeNet-5's WGSL package (model/browser.js), draws the digit, runs
// the model on the GPU and draws the ten outputs. The outputs are also left on window.dscResult (and
// a failure on window.dscError) for the browser test.
import { Model, manifest } from './model/browser.js';

const status = document.getElementById('status');

function drawDigit(digit) {
  const [, , height, width] = digit.shape;
  const canvas = document.getElementById('digit');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  const image = context.createImageData(width, height);
  digit.data.forEach((v, i) => {
    const level = Math.round(Math.min(1, Math.max(0, v)) * 255);
    image.data.set([level, level, level, 255], i * 4);
  });
  context.putImageData(image, 0, 0);
}

function drawBars(values) {
  const svg = document.getElementById('bars');
  const width = Number(svg.getAttribute('width')), height = Number(svg.getAttribute('height'));
  const axis = height / 2, scale = (axis - 24) / Math.max(...values.map(Math.abs), 1e-9);
  const slot = width / values.length;
  const best = values.indexOf(Math.max(...values));
  const parts = [`<line x1="0" x2="${width}" y1="${axis}" y2="${axis}" stroke="#888"/>`];
  values.forEach((v, i) => {
    const h = Math.abs(v) * scale, x = i * slot + slot * 0.15, y = v >= 0 ? axis - h : axis;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${i === best ? '#d9480f' : '#1c7ed6'}"><title>${i}: ${v}</title></rect>`);
    parts.push(`<text x="${(i * slot + slot / 2).toFixed(1)}" y="${height - 4}" text-anchor="middle" font-size="12">${i}</text>`);
    parts.push(`<text x="${(i * slot + slot / 2).toFixed(1)}" y="${(v >= 0 ? y - 3 : y + h + 11).toFixed(1)}" text-anchor="middle" font-size="9" fill="#444">${v.toFixed(3)}</text>`);
  });
  svg.innerHTML = parts.join('');
}

async function main() {
  const digit = await (await fetch('digit.json')).json();
  drawDigit(digit);
  const model = await Model.load('model/weights.safetensors');
  try {
    const input = manifest.inputs[0].name, output = manifest.outputs[0].name;
    const t0 = performance.now();
    const outputs = await model.run({ [input]: { data: Float32Array.from(digit.data), shape: digit.shape } });
    const ms = performance.now() - t0;
    const values = Array.from(outputs[output].data);
    drawBars(values);
    status.textContent = `ran ${manifest.name} in ${ms.toFixed(1)} ms; highest output: class ${values.indexOf(Math.max(...values))}`;
    window.dscResult = { shape: outputs[output].shape, values };
  } finally {
    model.dispose();
  }
}

main().catch((e) => {
  status.textContent = `failed: ${e.message}`;
  status.className = 'error';
  window.dscError = String(e.message);
});

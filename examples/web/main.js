// The web example's script: loads LeNet-5's WGSL package (model/browser.js) with the trained weights,
// runs it on a held-out digit, then on whatever the person draws, and shows the predicted class with
// the softmax of the ten logits as bars. The first run's outputs are left on window.dscResult (a failure
// on window.dscError) for the browser test.
import { Model, manifest } from './model/browser.js';

const status = document.getElementById('status');
const prediction = document.getElementById('prediction');
const pad = document.getElementById('pad');
const padContext = pad.getContext('2d');
const SIDE = 32; // the model's input is 32x32
const BLOCK = 4; // the digits were made by counting the ink of 4x4 blocks (8x8 values)
const INK_SHARE = 0.25; // the least share of ink a drawing is thickened to; the training digits average 0.3

function softmax(values) {
  const max = Math.max(...values);
  const e = values.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** The model's input as the person sees it: a 32x32 grey image in the small canvas. */
function showInput(data) {
  const canvas = document.getElementById('digit');
  const context = canvas.getContext('2d');
  const image = context.createImageData(SIDE, SIDE);
  data.forEach((v, i) => {
    const level = Math.round(Math.min(1, Math.max(0, v)) * 255);
    image.data.set([level, level, level, 255], i * 4);
  });
  context.putImageData(image, 0, 0);
}

function drawBars(probabilities) {
  const svg = document.getElementById('bars');
  const width = Number(svg.getAttribute('width')), height = Number(svg.getAttribute('height'));
  const slot = width / probabilities.length, top = 16, bottom = height - 18;
  const best = probabilities.indexOf(Math.max(...probabilities));
  const parts = [`<line x1="0" x2="${width}" y1="${bottom}" y2="${bottom}" stroke="#888"/>`];
  probabilities.forEach((p, i) => {
    const h = p * (bottom - top), x = i * slot + slot * 0.15, y = bottom - h;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${i === best ? '#d9480f' : '#1c7ed6'}"><title>${i}: ${p}</title></rect>`);
    parts.push(`<text x="${(i * slot + slot / 2).toFixed(1)}" y="${height - 4}" text-anchor="middle" font-size="12">${i}</text>`);
    parts.push(`<text x="${(i * slot + slot / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" font-size="9" fill="#444">${p.toFixed(2)}</text>`);
  });
  svg.innerHTML = parts.join('');
}

/** A 32x32 bitmap with every ink pixel's four neighbours inked too. */
function dilate(bitmap) {
  return bitmap.map((v, i) => {
    const x = i % SIDE, y = (i - x) / SIDE;
    return v || (x > 0 && bitmap[i - 1]) || (x < SIDE - 1 && bitmap[i + 1]) || (y > 0 && bitmap[i - SIDE]) || (y < SIDE - 1 && bitmap[i + SIDE]) ? 1 : 0;
  });
}

/**
 * The drawing as the model's input, encoded as its training data were: the ink's bounding box scaled
 * to fill a 32x32 image (centred), made black and white, its strokes thickened to the training digits'
 * share of ink, the ink of each 4x4 block counted (0..16, scaled to 0..1) and repeated over its 16
 * pixels. Undefined when nothing is drawn.
 */
function drawingToInput() {
  const { width, height } = pad;
  const pixels = padContext.getImageData(0, 0, width, height).data;
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (pixels[(y * width + x) * 4] > 32) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
  if (x1 < 0) return undefined;
  const w = x1 - x0 + 1, h = y1 - y0 + 1, scale = Math.min(SIDE / h, SIDE / w);
  const small = document.createElement('canvas');
  small.width = small.height = SIDE;
  const context = small.getContext('2d');
  context.fillStyle = '#000';
  context.fillRect(0, 0, SIDE, SIDE);
  context.imageSmoothingQuality = 'high';
  context.drawImage(pad, x0, y0, w, h, (SIDE - w * scale) / 2, (SIDE - h * scale) / 2, w * scale, h * scale);
  const grey = context.getImageData(0, 0, SIDE, SIDE).data;
  let bitmap = Uint8Array.from({ length: SIDE * SIDE }, (_, i) => (grey[i * 4] >= 128 ? 1 : 0));
  // the training digits were written with a broad pen (about 30 % of the bitmap is ink): thicken thin strokes
  for (let step = 0; step < 6 && bitmap.reduce((a, b) => a + b, 0) < INK_SHARE * SIDE * SIDE; step++) bitmap = dilate(bitmap);
  const input = new Float32Array(SIDE * SIDE);
  for (let by = 0; by < SIDE; by += BLOCK)
    for (let bx = 0; bx < SIDE; bx += BLOCK) {
      let ink = 0;
      for (let y = by; y < by + BLOCK; y++) for (let x = bx; x < bx + BLOCK; x++) ink += bitmap[y * SIDE + x];
      for (let y = by; y < by + BLOCK; y++) for (let x = bx; x < bx + BLOCK; x++) input[y * SIDE + x] = ink / (BLOCK * BLOCK);
    }
  return input;
}

async function classify(model, data, what) {
  const input = manifest.inputs[0].name, output = manifest.outputs[0].name;
  const t0 = performance.now();
  const outputs = await model.run({ [input]: { data, shape: [1, 1, SIDE, SIDE] } });
  const ms = performance.now() - t0;
  const logits = Array.from(outputs[output].data);
  const probabilities = softmax(logits);
  const best = probabilities.indexOf(Math.max(...probabilities));
  showInput(data);
  drawBars(probabilities);
  prediction.textContent = `${best}`;
  status.textContent = `${what}: class ${best} with probability ${probabilities[best].toFixed(3)} (ran ${manifest.name} on WebGPU in ${ms.toFixed(1)} ms)`;
  return { shape: outputs[output].shape, values: logits };
}

function enableDrawing(model) {
  padContext.fillStyle = '#000';
  padContext.fillRect(0, 0, pad.width, pad.height);
  padContext.strokeStyle = '#fff';
  padContext.lineWidth = pad.width / 12;
  padContext.lineCap = padContext.lineJoin = 'round';
  let drawing = false;
  const at = (e) => {
    const r = pad.getBoundingClientRect();
    return [(e.clientX - r.left) * (pad.width / r.width), (e.clientY - r.top) * (pad.height / r.height)];
  };
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    pad.setPointerCapture(e.pointerId);
    padContext.beginPath();
    padContext.moveTo(...at(e));
    padContext.lineTo(...at(e));
    padContext.stroke();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    padContext.lineTo(...at(e));
    padContext.stroke();
  });
  pad.addEventListener('pointerup', () => {
    drawing = false;
    const data = drawingToInput();
    if (data) classify(model, data, 'your drawing').catch((e) => { status.textContent = `failed: ${e.message}`; });
  });
  document.getElementById('clear').addEventListener('click', () => {
    padContext.fillRect(0, 0, pad.width, pad.height);
    prediction.textContent = '?';
    status.textContent = 'draw a digit';
  });
}

async function main() {
  const digit = await (await fetch('digit.json')).json();
  const model = await Model.load('model/weights.safetensors');
  window.dscResult = await classify(model, Float32Array.from(digit.data), 'the held-out digit');
  enableDrawing(model);
}

main().catch((e) => {
  status.textContent = `failed: ${e.message}`;
  status.className = 'error';
  window.dscError = String(e.message);
});

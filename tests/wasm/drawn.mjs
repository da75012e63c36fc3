// The drawn-digit robustness harness (a module for tests and benchmarks, not a test itself).
//
// It turns 28x28 MNIST digits into what a person's drawing on the 280x280 pad looks like:
// any size from ~60 px tall to nearly the whole pad, anywhere on the pad, a soft
// (anti-aliased) or hard (aliased, thickened or thinned) pen, in each canvas convention.
// Then it measures how a recognizer does on those drawings after `preprocess`, after the
// naive whole-pad resize, and on the untouched digits. Everything random comes from a seed.

import { preprocess, naiveResize } from '../../web/preprocess.js';

export const PAD = 280;
export const CONVENTIONS = ['black-on-white', 'white-on-black', 'colour-on-transparent'];
export const PENS = ['soft', 'hard'];

// mulberry32: a small seeded PRNG, returns floats in [0, 1).
export function makeRng(seed) {
  let a = seed >>> 0;
  return function rng() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A random drawing style for renderDigit.
export function randomStyle(rng) {
  const pick = (list) => list[Math.floor(rng() * list.length)];
  const pen = pick(PENS);
  return {
    height: 60 + rng() * (PAD - 20 - 60), // the digit's height on the pad, px
    x: rng(), // where it sits in the room left on the pad, 0..1
    y: rng(),
    pen,
    threshold: 0.3 + rng() * 0.3, // where the pen's edge lies on the digit's grey ramp
    thicken: pen === 'hard' ? Math.round(-2 + rng() * 7) : 0, // dilation (+) / erosion (-), px
    convention: pick(CONVENTIONS),
    colour: [Math.floor(rng() * 200), Math.floor(rng() * 200), Math.floor(rng() * 256)],
  };
}

// Coverage 0..1 of a PAD x PAD pad with the digit (784 values 0..1) drawn in `style`.
export function drawCoverage(digit, style) {
  const box = digitBox(digit);
  const bw = box.x1 - box.x0;
  const bh = box.y1 - box.y0;
  let scale = style.height / bh;
  if (bw * scale > PAD - 20) scale = (PAD - 20) / bw; // a wide digit still fits
  const w = Math.ceil(bw * scale);
  const h = Math.ceil(bh * scale);
  const margin = 4 + Math.ceil(Math.abs(style.thicken || 0)); // keep the strokes inside the pad
  const ox = margin + Math.floor(style.x * (PAD - w - 2 * margin));
  const oy = margin + Math.floor(style.y * (PAD - h - 2 * margin));

  // smooth upscale: bilinear samples of the digit, pixel centres mapped through the scale
  const cover = new Float32Array(PAD * PAD);
  for (let py = 0; py < PAD; py++) {
    const v = (py + 0.5 - oy) / scale + box.y0 - 0.5;
    if (v < box.y0 - 1 || v > box.y1) continue;
    for (let px = 0; px < PAD; px++) {
      const u = (px + 0.5 - ox) / scale + box.x0 - 0.5;
      if (u < box.x0 - 1 || u > box.x1) continue;
      const g = bilinear(digit, u, v);
      cover[py * PAD + px] =
        style.pen === 'soft'
          ? smoothstep(style.threshold - 0.15, style.threshold + 0.15, g)
          : g >= style.threshold ? 1 : 0;
    }
  }
  if (style.pen === 'hard' && style.thicken) morph(cover, PAD, PAD, style.thicken);
  return cover;
}

// The drawing as getImageData would return it: { width, height, data: Uint8ClampedArray }.
export function renderDigit(digit, style) {
  return toImageData(drawCoverage(digit, style), PAD, PAD, style.convention, style.colour);
}

// Coverage -> RGBA in one of the CONVENTIONS (the pen blended over the background).
export function toImageData(cover, width, height, convention, colour = [40, 90, 200]) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const c = cover[i];
    if (convention === 'black-on-white') {
      data.fill(255 * (1 - c), 4 * i, 4 * i + 3);
      data[4 * i + 3] = 255;
    } else if (convention === 'white-on-black') {
      data.fill(255 * c, 4 * i, 4 * i + 3);
      data[4 * i + 3] = 255;
    } else if (convention === 'colour-on-transparent') {
      data.set(colour, 4 * i);
      data[4 * i + 3] = 255 * c;
    } else {
      throw new Error(`unknown convention: ${convention}`);
    }
  }
  return { width, height, data };
}

// How a recognizer does on drawn digits. digits: arrays of 784 values 0..1; labels: their
// digits; predict(Float32Array(784)) -> digit. Renders `count` drawings (cycling through the
// digits, a random style each) and returns the accuracies of
//   page:      predict(preprocess(drawing))
//   naive:     predict(naiveResize(drawing))
//   untouched: predict(the original 28x28 digit)
export function evaluateDrawn({ digits, labels, predict, seed = 1, count = digits.length }) {
  const rng = makeRng(seed);
  let page = 0, naive = 0, untouched = 0;
  for (let k = 0; k < count; k++) {
    const digit = digits[k % digits.length];
    const label = labels[k % digits.length];
    const drawing = renderDigit(digit, randomStyle(rng));
    if (predict(preprocess(drawing)) === label) page++;
    if (predict(naiveResize(drawing)) === label) naive++;
    if (predict(Float32Array.from(digit)) === label) untouched++;
  }
  return { pageAccuracy: page / count, naiveAccuracy: naive / count, untouchedAccuracy: untouched / count };
}

export function digitBox(digit) {
  let x0 = 28, y0 = 28, x1 = 0, y1 = 0;
  for (let i = 0; i < 784; i++) {
    if (digit[i] <= 0.1) continue;
    const x = i % 28, y = (i - x) / 28;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x + 1);
    y0 = Math.min(y0, y); y1 = Math.max(y1, y + 1);
  }
  return x1 > x0 ? { x0, y0, x1, y1 } : { x0: 0, y0: 0, x1: 28, y1: 28 };
}

export function bilinear(digit, u, v) {
  const x = Math.floor(u), y = Math.floor(v);
  const fx = u - x, fy = v - y;
  const at = (i, j) => (i >= 0 && i < 28 && j >= 0 && j < 28 ? digit[j * 28 + i] : 0);
  return (at(x, y) * (1 - fx) + at(x + 1, y) * fx) * (1 - fy) + (at(x, y + 1) * (1 - fx) + at(x + 1, y + 1) * fx) * fy;
}

export function smoothstep(a, b, x) {
  const t = Math.min(1, Math.max(0, (x - a) / (b - a)));
  return t * t * (3 - 2 * t);
}

// Binary dilation (r > 0) or erosion (r < 0) by a (2|r|+1)-square, in place, separably.
function morph(img, width, height, r) {
  const grow = r > 0;
  const n = Math.abs(r);
  const pass = (get, set, len, lines) => {
    const line = new Float32Array(len);
    for (let l = 0; l < lines; l++) {
      for (let i = 0; i < len; i++) line[i] = get(l, i);
      for (let i = 0; i < len; i++) {
        let v = grow ? 0 : 1;
        for (let k = Math.max(0, i - n); k <= Math.min(len - 1, i + n); k++) v = grow ? Math.max(v, line[k]) : Math.min(v, line[k]);
        set(l, i, v);
      }
    }
  };
  pass((y, x) => img[y * width + x], (y, x, v) => { img[y * width + x] = v; }, width, height);
  pass((x, y) => img[y * width + x], (x, y, v) => { img[y * width + x] = v; }, height, width);
}

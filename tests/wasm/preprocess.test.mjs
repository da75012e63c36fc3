// web/preprocess.js: canvas pixels -> the 28x28 MNIST-like input.
// Run: node --test tests/wasm/*.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  preprocess, naiveResize, inkMap, boundingBox, resampleArea, centreOfMass, SIZE, BOX, CENTRE, BOX_THRESHOLD, NOISE_FLOOR,
} from '../../web/preprocess.js';
import { toImageData, renderDigit, randomStyle, makeRng, CONVENTIONS, PAD } from './drawn.mjs';

// A width x height coverage map (0..1) from cover(x, y), drawn in a canvas convention.
function canvas(width, height, cover, convention = 'black-on-white') {
  const c = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) c[y * width + x] = cover(x, y);
  return toImageData(c, width, height, convention, [200, 30, 60]);
}
const rect = (x0, y0, w, h) => (x, y) => (x >= x0 && x < x0 + w && y >= y0 && y < y0 + h ? 1 : 0);

// Anti-aliased thick strokes through the points (relative to the origin ox, oy).
function strokes(points, width, ox = 0, oy = 0) {
  return (x, y) => {
    const px = x + 0.5 - ox, py = y + 0.5 - oy;
    let d = Infinity;
    for (let k = 0; k + 1 < points.length; k++) {
      const [ax, ay] = points[k], [bx, by] = points[k + 1];
      const t = Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)));
      d = Math.min(d, Math.hypot(px - ax - t * (bx - ax), py - ay - t * (by - ay)));
    }
    return Math.max(0, Math.min(1, width / 2 - d + 0.5));
  };
}
const SEVEN = [[0, 0], [90, 0], [40, 150]];
const TWO = [[5, 30], [40, 0], [80, 25], [10, 140], [95, 140]];

// The expected 28x28 image: value(x, y) on the frame.
const frame = (value) => Float32Array.from({ length: SIZE * SIZE }, (_, i) => value(i % SIZE, Math.floor(i / SIZE)));
const sum = (a) => a.reduce((s, v) => s + v, 0);

function assertClose(actual, expected, tolerance = 1e-6) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance, `at ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

// A valid input: 784 values in [0, 1], each an 8-bit level p / 255 (as MNIST's pixels are, and as
// the recogniser's integer first layer needs: src/quant.h).
function assertValid(out) {
  assert.ok(out instanceof Float32Array);
  assert.equal(out.length, 784);
  for (const v of out) {
    assert.ok(v >= 0 && v <= 1, `value ${v} outside [0, 1]`);
    assert.equal(v, Math.fround(Math.round(v * 255) / 255), `value ${v} is not a multiple of 1/255`);
  }
}

test('an empty canvas gives all zeros, in every convention and size', () => {
  for (const convention of CONVENTIONS) {
    for (const [w, h] of [[280, 280], [123, 77], [1, 1]]) {
      const out = preprocess(canvas(w, h, () => 0, convention));
      assertValid(out);
      assert.equal(sum(out), 0);
    }
  }
  assert.equal(sum(preprocess({ width: 0, height: 0, data: new Uint8ClampedArray(0) })), 0);
});

test('a filled square becomes a 20x20 block of ones with its centre of mass at (14, 14) rounded', () => {
  // 40x40 -> 20x20 (each output pixel averages 2x2 full pixels); its centre of mass, 9.5,
  // is moved to 14 by round(4.5) = 5 whole pixels: rows and columns 5..24.
  const out = preprocess(canvas(100, 100, rect(30, 30, 40, 40)));
  assertClose(out, frame((x, y) => (x >= 5 && x < 25 && y >= 5 && y < 25 ? 1 : 0)));
  // a small square is scaled up to the same block
  assertClose(preprocess(canvas(280, 280, rect(200, 10, 8, 8))), out);
});

test('a tall thin bar keeps its aspect ratio', () => {
  // 15x100 -> 3x20, centre of mass x = 1 -> columns 13..15
  const bar = preprocess(canvas(280, 280, rect(50, 60, 15, 100)));
  assertClose(bar, frame((x, y) => (x >= 13 && x < 16 && y >= 5 && y < 25 ? 1 : 0)));
  // 7x100 -> 1.4x20: a full column and one 0.4 covered; centre of mass 0.4/1.4 -> shift 14
  const thin = preprocess(canvas(280, 280, rect(50, 60, 7, 100)));
  assertClose(thin, frame((x, y) => (y >= 5 && y < 25 ? (x === 14 ? 1 : x === 15 ? 0.4 : 0) : 0)));
  // and a wide one: 100x25 -> 20x5, centre of mass y = 2 -> rows 12..16
  const wide = preprocess(canvas(123, 77, rect(10, 30, 100, 25)));
  assertClose(wide, frame((x, y) => (x >= 5 && x < 25 && y >= 12 && y < 17 ? 1 : 0)));
});

test('anti-aliased edges are kept soft', () => {
  // a 38x38 square with a 1 px half-ink fringe: 40x40 -> 20x20, each output pixel the mean
  // of 2x2: edges (two fringe pixels) 0.75, corners (three) 0.625, the inside 1
  const fringed = (x, y) => (x >= 31 && x < 69 && y >= 31 && y < 69 ? 1 : x >= 30 && x < 70 && y >= 30 && y < 70 ? 0.5 : 0);
  const out = preprocess(canvas(100, 100, fringed));
  const edge = (i) => i === 5 || i === 24;
  assertClose(out, frame((x, y) => {
    if (x < 5 || x > 24 || y < 5 || y > 24) return 0;
    if (edge(x) && edge(y)) return 0.625;
    return edge(x) || edge(y) ? 0.75 : 1;
  }), 1e-2); // the canvas stores 0.5 as 127/255
});

test('a digit drawn off-centre gives the same output as the same digit centred', () => {
  const centred = preprocess(canvas(280, 280, strokes(SEVEN, 18, 95, 65)));
  const corner = preprocess(canvas(280, 280, strokes(SEVEN, 18, 12, 11)));
  const other = preprocess(canvas(280, 280, strokes(SEVEN, 18, 170, 115)));
  assert.ok(sum(centred) > 10);
  assert.deepEqual(corner, centred);
  assert.deepEqual(other, centred);
});

test('the three canvas conventions give the same output for the same drawing', () => {
  const drawing = strokes(TWO, 14, 60, 50);
  const [first, ...rest] = CONVENTIONS.map((convention) => preprocess(canvas(280, 280, drawing, convention)));
  assert.ok(sum(first) > 10);
  for (const out of rest) assertClose(out, first, 1e-5);
});

test('inkMap reads each convention as coverage', () => {
  const one = (rgba) => inkMap({ width: 3, height: 3, data: Uint8ClampedArray.from([].concat(...Array(4).fill(rgba.border), rgba.centre, ...Array(4).fill(rgba.border))) })[4];
  assert.equal(one({ border: [255, 255, 255, 255], centre: [0, 0, 0, 255] }), 1);
  assert.ok(Math.abs(one({ border: [255, 255, 255, 255], centre: [128, 128, 128, 255] }) - 127 / 255) < 1e-6);
  assert.equal(one({ border: [0, 0, 0, 255], centre: [255, 255, 255, 255] }), 1);
  assert.ok(Math.abs(one({ border: [0, 0, 0, 0], centre: [255, 0, 0, 64] }) - 64 / 255) < 1e-6);
  assert.equal(one({ border: [0, 0, 0, 0], centre: [255, 255, 255, 255] }), 1); // white pen, transparent canvas
  assert.equal(one({ border: [255, 255, 255, 255], centre: [0, 0, 0, 0] }), 0); // a hole in a white canvas
  assert.ok(one({ border: [255, 255, 255, 255], centre: [0, 0, 255, 255] }) > 0.8); // blue pen on white
});

test('an image of odd size works', () => {
  // TWO is 150 px tall: draw it at half size so it fits 77 px
  const out = preprocess(canvas(123, 77, (x, y) => strokes(TWO, 12)(2 * x - 60, 2 * y - 2), 'white-on-black'));
  assertValid(out);
  assert.ok(sum(out) > 10);
  const com = centreOfMass(out, SIZE, SIZE);
  assert.ok(Math.abs(com.x - 14) <= 0.5 && Math.abs(com.y - 14) <= 0.5);
  // the 40x40 square on a 123x77 canvas is the same 20x20 block as on a square one
  assertClose(preprocess(canvas(123, 77, rect(70, 20, 40, 40))), preprocess(canvas(100, 100, rect(30, 30, 40, 40))));
});

test('resampleArea averages exact pixel coverage, up and down', () => {
  const box = (w, h) => ({ x0: 0, y0: 0, x1: w, y1: h });
  // up: [0, 1] onto 3 px: [0, 2/3) -> 0, [2/3, 4/3) -> half of each, [4/3, 2) -> 1
  assertClose(resampleArea([0, 1], 2, 1, box(2, 1), 3, 1).data, [0, 0.5, 1]);
  // down: [1, 0, 0, 1, 1, 1] onto 2 px -> [1/3, 1]
  assertClose(resampleArea([1, 0, 0, 1, 1, 1], 6, 1, box(6, 1), 2, 1).data, [1 / 3, 1]);
  // to a fractional size: 3 px onto 1.5: the second pixel is half covered
  const half = resampleArea([1, 1, 1], 3, 1, box(3, 1), 1.5, 1);
  assert.equal(half.width, 2);
  assertClose(half.data, [1, 0.5]);
  // a sub-rectangle of a 2-D source: only the box is read
  const src = [9, 9, 9, 9, 1, 2, 9, 3, 4];
  assertClose(resampleArea(src, 3, 3, { x0: 1, y0: 1, x1: 3, y1: 3 }, 1, 1).data, [2.5]);
});

test('resampleArea preserves the total ink when downscaling', () => {
  const rng = makeRng(5);
  const [w, h] = [97, 61];
  const src = Float32Array.from({ length: w * h }, () => rng());
  for (const [ow, oh] of [[20, 13], [20, 12.577], [7.3, 28], [28, 28]]) {
    const out = resampleArea(src, w, h, { x0: 0, y0: 0, x1: w, y1: h }, ow, oh);
    const expected = (sum(src) * (ow / w) * (oh / h));
    assert.ok(Math.abs(sum(out.data) - expected) < 1e-3 * expected, `${ow}x${oh}: ${sum(out.data)} vs ${expected}`);
  }
});

test('the output has its centre of mass within half a pixel of (14, 14), like MNIST', () => {
  const shapes = [
    strokes(SEVEN, 18, 40, 40), strokes(TWO, 10, 100, 20), strokes(TWO, 30, 50, 60),
    strokes([[0, 0], [0, 120], [60, 120]], 15, 30, 30), // an L: its mass is low and left
    rect(10, 10, 33, 200), rect(120, 200, 150, 11),
  ];
  for (const shape of shapes) {
    const out = preprocess(canvas(280, 280, shape));
    assertValid(out);
    const com = centreOfMass(out, SIZE, SIZE);
    assert.ok(Math.abs(com.x - 14) <= 0.5 && Math.abs(com.y - 14) <= 0.5, `centre of mass ${com.x}, ${com.y}`);
  }
});

test('a lopsided digit stays whole: the centring shift is clamped inside the frame', () => {
  // a heavy 8x8 block with a faint diagonal tail up-left: bounding box 20x20, centre of mass
  // ~15 -> a shift of -1 would cut the tail; it is clamped to 0 and nothing is lost
  const shape = (x, y) => {
    const [u, v] = [x - 40, y - 40];
    if (u >= 12 && u < 20 && v >= 12 && v < 20) return 1;
    return u === v && u >= 0 && u < 12 ? 0.25 : 0;
  };
  const out = preprocess(canvas(100, 100, shape));
  assertClose(out, frame((x, y) => (x < 20 && y < 20 ? shape(x + 40, y + 40) : 0)), 1e-2);
});

test('specks of noise and faint smudges do not move the digit', () => {
  const square = preprocess(canvas(280, 280, rect(100, 100, 60, 60)));
  const specks = (x, y) => rect(100, 100, 60, 60)(x, y) || rect(5, 5, 2, 2)(x, y) || rect(270, 200, 1, 1)(x, y);
  assert.deepEqual(preprocess(canvas(280, 280, specks)), square);
  // a speck inside the digit's bounding box is dropped too
  const ell = (x, y) => rect(100, 100, 12, 100)(x, y) || rect(100, 188, 100, 12)(x, y);
  const speckled = (x, y) => ell(x, y) || rect(170, 120, 2, 2)(x, y);
  assert.deepEqual(preprocess(canvas(280, 280, speckled)), preprocess(canvas(280, 280, ell)));
  const smudged = (x, y) => rect(100, 100, 60, 60)(x, y) || ((x * 7 + y * 13) % 29 === 0 ? 0.1 : 0);
  assertClose(preprocess(canvas(280, 280, smudged)), square, 1e-2);
});

test('boundingBox ignores faint pixels and small blobs, and says null when there is no ink', () => {
  const ink = new Float32Array(10 * 10);
  assert.equal(boundingBox(ink, 10, 10), null);
  for (let y = 2; y < 8; y++) for (let x = 3; x < 6; x++) ink[y * 10 + x] = 1; // 3x6 block, mass 18
  ink[0] = 0.15; // faint
  ink[99] = 0.3; // a speck lighter than 2% of the block
  assert.deepEqual(boundingBox(ink, 10, 10), { x0: 3, y0: 2, x1: 6, y1: 8 });
  ink[99] = 1; // heavier than 2%: a real second stroke
  assert.deepEqual(boundingBox(ink, 10, 10), { x0: 3, y0: 2, x1: 10, y1: 10 });
});

test('centreOfMass uses pixel-index coordinates, and the middle when there is no ink', () => {
  assert.deepEqual(centreOfMass([0, 0, 1, 0, 0, 3], 3, 2), { x: 2, y: 0.75, mass: 4 });
  assert.deepEqual(centreOfMass(new Float32Array(784), 28, 28), { x: 13.5, y: 13.5, mass: 0 });
});

test('a thin pen still gives strokes at full strength', () => {
  const out = preprocess(canvas(280, 280, strokes(SEVEN, 2, 90, 60)));
  assertValid(out);
  assert.equal(Math.max(...out), 1);
});

test('naiveResize is the plain whole-pad area resize', () => {
  const img = canvas(280, 280, rect(0, 0, 10, 10));
  const out = naiveResize(img);
  assert.equal(out.length, 784);
  assert.ok(Math.abs(out[0] - 1) < 1e-6);
  assert.ok(Math.abs(sum(out) - 1) < 1e-5);
  assert.equal(sum(naiveResize(canvas(280, 280, () => 0))), 0);
});

test('the harness renders reproducibly, inside the pad, and preprocess sees the same digit', () => {
  const digit = preprocess(canvas(280, 280, strokes(TWO, 16, 80, 60))); // a 28x28 "digit"
  const style = (seed) => randomStyle(makeRng(seed));
  assert.deepEqual(renderDigit(digit, style(3)), renderDigit(digit, style(3)));
  const rng = makeRng(11);
  for (let k = 0; k < 12; k++) {
    const s = randomStyle(rng);
    const img = renderDigit(digit, s);
    assert.equal(img.width, PAD);
    const ink = inkMap(img);
    const box = boundingBox(ink, PAD, PAD, { threshold: 1e-3 });
    assert.ok(box.x0 > 0 && box.y0 > 0 && box.x1 < PAD && box.y1 < PAD, JSON.stringify(box));
    // cosine similarity between what the network would see and the digit
    const out = preprocess(img);
    assertValid(out);
    let dot = 0, a = 0, b = 0;
    for (let i = 0; i < 784; i++) { dot += out[i] * digit[i]; a += out[i] ** 2; b += digit[i] ** 2; }
    assert.ok(dot / Math.sqrt(a * b) > 0.7, `${JSON.stringify(s)}: similarity ${dot / Math.sqrt(a * b)}`);
  }
});

// The pipeline written out with the exported steps, as the top of web/preprocess.js defines it.
// preprocess itself works only inside the ink's box and reuses its buffers; it must agree exactly.
function stepByStep(imageData) {
  const { width, height } = imageData;
  const out = new Float32Array(SIZE * SIZE);
  const ink = inkMap(imageData);
  const keep = new Uint8Array(width * height);
  const box = boundingBox(ink, width, height, { keep });
  if (!box) return out;
  for (let y = box.y0; y < box.y1; y++) {
    for (let i = y * width + box.x0; i < y * width + box.x1; i++) {
      if (ink[i] < NOISE_FLOOR || (ink[i] >= BOX_THRESHOLD && !keep[i])) ink[i] = 0;
    }
  }
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const scale = BOX / Math.max(bw, bh);
  const digit = resampleArea(ink, width, height, box, bw * scale, bh * scale);
  const com = centreOfMass(digit.data, digit.width, digit.height);
  const dx = Math.min(SIZE - digit.width, Math.max(0, Math.round(CENTRE - com.x)));
  const dy = Math.min(SIZE - digit.height, Math.max(0, Math.round(CENTRE - com.y)));
  const max = Math.max(...digit.data);
  if (!(max > 0)) return out;
  for (let y = 0; y < digit.height; y++) {
    for (let x = 0; x < digit.width; x++) {
      out[(y + dy) * SIZE + x + dx] = Math.round(255 * Math.min(1, digit.data[y * digit.width + x] / max)) / 255;
    }
  }
  return out;
}

test('preprocess gives exactly what its steps give, on drawings and on noise, call after call', () => {
  const rng = makeRng(21);
  const digit = preprocess(canvas(280, 280, strokes(TWO, 16, 80, 60)));
  const images = [];
  for (let k = 0; k < 40; k++) images.push(renderDigit(digit, randomStyle(rng)));
  for (let k = 0; k < 30; k++) { // specks, smudges and odd sizes, in every convention
    const w = 1 + Math.floor(rng() * 150), h = 1 + Math.floor(rng() * 150);
    images.push(canvas(w, h, () => (rng() < 0.05 ? rng() : 0), CONVENTIONS[k % 3]));
  }
  images.push(canvas(600, 40, rect(10, 5, 500, 30))); // larger than any image before it: the buffers grow
  for (const img of images) assert.deepEqual(preprocess(img), stepByStep(img));
});

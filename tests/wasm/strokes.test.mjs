// web/strokes.js: the pad's strokes -> the 28x28 input, with a pen in proportion to the digit.
// Run: node --test tests/wasm/strokes.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { centreOfMass } from '../../web/preprocess.js';
import {
  BOX, MIN_SIZE, PEN, SIZE, rasterise, renderStrokes, strokeBox, strokesBox, tooSmall,
} from '../../web/strokes.js';

// Strokes from [x, y] pairs, moved by (dx, dy) and scaled by s about the origin.
const strokes = (list, { s = 1, dx = 0, dy = 0 } = {}) => list.map((stroke) => stroke.map(([x, y]) => ({ x: x * s + dx, y: y * s + dy })));
const SEVEN = [[[0, 0], [0.45, 0], [0.9, 0], [0.65, 0.4], [0.4, 1]]];
const FOUR = [[[0.6, 0], [0.05, 0.65], [0.95, 0.65]], [[0.68, 0.3], [0.68, 1]]];
const level = (v) => Math.round(255 * v) / 255; // the 8-bit level nearest v
const at = (out, x, y) => out[y * SIZE + x];
const sum = (a) => a.reduce((s, v) => s + v, 0);

function assertClose(actual, expected, tolerance, what = '') {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);
}

// A valid input: 784 values in [0, 1], each a multiple of 1/255 (as preprocess makes them).
function assertValid(out) {
  assert.ok(out instanceof Float32Array);
  assert.equal(out.length, SIZE * SIZE);
  for (const v of out) {
    assert.ok(v >= 0 && v <= 1, `value ${v} outside [0, 1]`);
    assert.equal(v, Math.fround(Math.round(v * 255) / 255), `value ${v} is not a multiple of 1/255`);
  }
}

test('the pen and the box are those of the conventions', () => {
  assert.equal(SIZE, 28);
  assert.equal(BOX, 20);
  assert.equal(PEN, 2.6); // the hand-computed values below are for this pen: radius 1.3, ink reaching 1.8
});

test('boxes: of a stroke, of several, none for no points', () => {
  const [a, b] = strokes(FOUR, { s: 0.2, dx: 0.3, dy: 0.4 });
  assert.deepEqual(strokeBox(a), { x0: 0.3 + 0.05 * 0.2, y0: 0.4, x1: 0.3 + 0.95 * 0.2, y1: 0.4 + 0.65 * 0.2 });
  const box = strokesBox([a, b]);
  assertClose(box.y1, 0.6, 1e-12, 'bottom of the second stroke');
  assert.equal(box.x0, strokeBox(a).x0);
  assert.equal(strokesBox([]), null);
  assert.equal(strokesBox([[]]), null);
  assert.equal(strokeBox([{ x: NaN, y: 0 }]), null);
  assert.deepEqual(strokeBox([{ x: 0.5, y: 0.25 }]), { x0: 0.5, y0: 0.25, x1: 0.5, y1: 0.25 });
});

test('no points give all zeros', () => {
  for (const none of [[], [[]], [[], []]]) {
    const out = renderStrokes(none);
    assertValid(out);
    assert.equal(sum(out), 0);
  }
  // and the buffer handed in is cleared and returned
  const out = new Float32Array(784).fill(0.5);
  assert.equal(renderStrokes([], out), out);
  assert.equal(sum(out), 0);
});

test('a horizontal stroke: 20 px of ink long, the pen across it, centred at (14, 14)', () => {
  // Its 0.4 pad units become 20 - PEN = 17.4 px, so 1 px = 0.4 / 17.4 pad units, whatever its
  // length on the pad. Across it, pixel centres lie 1.3, 0.3, 0.7 and 1.7 px from the line
  // (which is 1.8 px below the image's top): ink 1.8 - d, at most 1, gives 0.5, 1, 1, 0.1.
  // Its ink spans 17.4 + 2 * 1.8 = 21 px; the centre of mass (10, 1.27) moves by (4, 13).
  const out = renderStrokes(strokes([[[0.2, 0.5], [0.6, 0.5]]]));
  assertValid(out);
  for (let x = 6; x <= 22; x++) {
    [0, 0.5, 1, 1, 0.1, 0].forEach((v, k) => assert.equal(at(out, x, 12 + k), Math.fround(level(v)), `(${x}, ${12 + k})`));
  }
  // the round ends: pixel 0 of row 1 has its centre 1.334 px from the end point: 0.466
  assert.equal(at(out, 4, 14), Math.fround(level(1.8 - Math.hypot(1.3, 0.3))));
  assert.equal(at(out, 24, 14), at(out, 4, 14));
  assert.equal(at(out, 3, 14), 0);
  assert.equal(at(out, 25, 14), 0);
  const com = centreOfMass(out, SIZE, SIZE);
  assertClose(com.x, 14, 0.5, 'centre of mass x');
  assertClose(com.y, 14, 0.5, 'centre of mass y');
});

test('the pen is in proportion to the drawing: any size gives the same image', () => {
  const line = (s) => renderStrokes(strokes([[[0.2, 0.5], [0.6, 0.5]]], { s, dx: 0.1 }));
  assert.deepEqual(line(0.1), line(1));
  const seven = (s, dx, dy) => renderStrokes(strokes(SEVEN, { s, dx, dy }));
  const large = seven(0.75, 0.1, 0.12);
  assert.ok(sum(large) > 20);
  for (const [s, dx, dy] of [[0.2, 0.4, 0.3], [0.1, 0.05, 0.8], [0.06, 0.9, 0.1]]) {
    const small = seven(s, dx, dy);
    let worst = 0;
    for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(small[i] - large[i]));
    assert.ok(worst <= 1.5 / 255, `at ${s} of the pad a pixel differs by ${worst * 255}/255`);
  }
});

test('a dot is a disc as wide as the pen, centred at (14, 14)', () => {
  // The point lands 1.8 px from the image's corner: pixel centres 1.3, 0.3, 0.7, 1.7 px from it
  // on each axis, ink 1.8 - distance (at most 1). Centre of mass 1.27 on both axes: moved by 13.
  const out = renderStrokes(strokes([[[0.3, 0.7]]]));
  assertValid(out);
  const expected = [
    [0, 0.466, 0.324, 0],
    [0.466, 1, 1, 0.074],
    [0.324, 1, 0.810, 0],
    [0, 0.074, 0, 0],
  ];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const inside = x >= 13 && x < 17 && y >= 13 && y < 17;
      assertClose(at(out, x, y), inside ? expected[y - 13][x - 13] : 0, 1.5 / 255, `(${x}, ${y})`);
    }
  }
  // two points at the same place are the same dot
  assert.deepEqual(renderStrokes(strokes([[[0.3, 0.7], [0.3, 0.7]]])), out);
});

test('the centre of mass lands within half a pixel of (14, 14), and the longer side is 20 px', () => {
  const shapes = [SEVEN, FOUR, [[[0, 0], [0, 1], [0.6, 1]]], [[[0, 0], [0.1, 1]]], [[[0, 0.3], [1, 0.3]], [[0.5, 0], [0.5, 0.05]]]];
  for (const shape of shapes) {
    const out = renderStrokes(strokes(shape, { s: 0.3, dx: 0.2, dy: 0.3 }));
    assertValid(out);
    const com = centreOfMass(out, SIZE, SIZE);
    assert.ok(Math.abs(com.x - 14) <= 0.5 && Math.abs(com.y - 14) <= 0.5, `centre of mass ${com.x}, ${com.y}`);
    assert.equal(Math.max(...out), 1);
    // the ink's extent: the pen's edges (half strength) are 20 px apart on the longer side
    let x0 = SIZE, x1 = 0, y0 = SIZE, y1 = 0;
    for (let i = 0; i < 784; i++) {
      if (out[i] < 0.5) continue;
      const x = i % SIZE, y = (i - x) / SIZE;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x + 1); y0 = Math.min(y0, y); y1 = Math.max(y1, y + 1);
    }
    assert.ok(Math.abs(Math.max(x1 - x0, y1 - y0) - BOX) <= 1, `ink ${x1 - x0} x ${y1 - y0}`);
  }
});

test('strokes follow the pad\'s path: curves through the midpoints of the points', () => {
  // (0,0) (1,0) (1,1) at 20 px per unit from (4, 4): a curve from (4, 4) with its control at the
  // corner (24, 4) to the midpoint (24, 14), whose middle is (19, 6.5); then a line to (24, 24).
  // A pen of radius 1: full ink within 0.5 px of the path, none beyond 1.5.
  const out = rasterise(strokes([[[0, 0], [1, 0], [1, 1]]]), new Float32Array(784), 28, 28, { scale: 20, dx: 4, dy: 4, radius: 1 });
  assert.equal(at(out, 18, 6), 1); // pixel centre (18.5, 6.5): half a pixel from the curve's middle
  assert.equal(at(out, 23, 3), 0); // the corner is cut
  assert.equal(at(out, 23, 20), 1); // the straight last piece
  assert.equal(at(out, 3, 4), Math.fround(1.5 - Math.SQRT1_2)); // the round start, 0.707 px from (4, 4)
  assert.equal(at(out, 2, 3), 0);
});

test('points off the pad count: a digit begun above the pad reads as the same digit inside it', () => {
  const inside = renderStrokes(strokes(SEVEN, { s: 0.5, dx: 0.2, dy: 0.2 }));
  const above = renderStrokes(strokes(SEVEN, { s: 0.5, dx: 0.2, dy: -0.03 }));
  let worst = 0;
  for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(above[i] - inside[i]));
  assert.ok(worst <= 1.5 / 255, `a pixel differs by ${worst * 255}/255`);
});

test('any subset of the strokes renders on its own: one stroke of two is that stroke alone', () => {
  const both = strokes(FOUR, { s: 0.4, dx: 0.1, dy: 0.1 });
  assert.deepEqual(renderStrokes(both.slice(1)), renderStrokes([both[1]]));
  assert.notDeepEqual(renderStrokes(both.slice(1)), renderStrokes(both));
});

test('a tap or a tiny mark is too small to read; a small digit is not', () => {
  assert.equal(tooSmall(null), true);
  assert.equal(tooSmall(strokesBox(strokes([[[0.5, 0.5]]]))), true);
  assert.equal(tooSmall(strokesBox(strokes([[[0.5, 0.5], [0.51, 0.52]]]))), true);
  assert.equal(tooSmall(strokesBox(strokes(SEVEN, { s: MIN_SIZE * 0.9 }))), true);
  assert.equal(tooSmall(strokesBox(strokes(SEVEN, { s: MIN_SIZE * 1.1 }))), false);
  assert.equal(tooSmall(strokesBox(strokes(SEVEN, { s: 0.2 }))), false);
});

test('non-finite points are skipped, and a huge stroke stays bounded', () => {
  const clean = renderStrokes(strokes(SEVEN, { s: 0.5 }));
  const dirty = strokes(SEVEN, { s: 0.5 });
  dirty[0].splice(2, 0, { x: NaN, y: 0.1 }, { x: 0.2, y: Infinity });
  assert.deepEqual(renderStrokes(dirty), clean);
  // 200,000 points scribbled over the pad: finishes, and is a valid input
  const scribble = [Array.from({ length: 200000 }, (_, i) => ({ x: 0.5 + 0.4 * Math.sin(i * 0.37), y: 0.5 + 0.4 * Math.cos(i * 0.11) }))];
  assertValid(renderStrokes(scribble));
});

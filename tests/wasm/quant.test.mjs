// The recogniser's integer first layer in wasm (src/quant.c's SIMD kernel, web/recognizer.js):
// the default model uses it, its sums are exact, and it answers what the float path answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { exportModel, loadModel } from '../../web/wasm.js';
import { createRecognizer, newModule, readCsv, readModelDir, root, toInput } from './load.mjs';

const modelDir = path.join(root, 'model');
const holdout = path.join(root, 'data', 'holdout.csv');

// The n float32 values of a float32 .npy file (its data is the file's last 4n bytes).
const npyFloats = (bytes, n) => new Float32Array(bytes.slice(bytes.length - 4 * n).buffer);

// The grid step of one unit as src/quant.c defines it: the smallest power of two s, no finer
// than 2^-24, with largest <= 2047 s.
function step(largest) {
  let s = 2 ** -24;
  while (largest > 2047 * s) s *= 2;
  return s;
}

test('the default model is on the integer grid, so the page runs its first layer in integers', async () => {
  const rec = await createRecognizer(modelDir);
  assert.equal(rec.integerFirstLayer, true);
  rec.dispose();
});

/** A model on the finest grid (12-bit whole numbers, stored as int16 by the recogniser): the default
 * model's W1 with a little noise, rounded by the worker module as the page's training rounds. */
async function twelveBitModel() {
  const mod = await newModule();
  const free = (m) => mod._dg_model_free(m);
  let model = loadModel(mod, readModelDir(modelDir));
  const files = exportModel(mod, model, 4), H = mod._dg_model_hidden(model);
  free(model);
  const w1 = npyFloats(files['W1.npy'], H * 784); // a copy of the file's values
  for (let i = 0; i < w1.length; i++) w1[i] += ((i * 7919) % 1000 - 500) * 1e-7;
  files['W1.npy'].set(new Uint8Array(w1.buffer), files['W1.npy'].length - 4 * w1.length);
  model = loadModel(mod, files);
  mod._dg_model_round_grid(model);
  const rounded = exportModel(mod, model, 4);
  free(model);
  return rounded;
}

for (const [name, load] of [['the default model (7-bit whole numbers, kept as int8)', () => readModelDir(modelDir)],
  ['a model of 12-bit whole numbers (kept as int16)', twelveBitModel]]) {
  test(`the SIMD kernel gives exactly the float32 rounding of the exact integer sums: ${name}`, async () => {
    const rec = await createRecognizer(null);
    rec.loadModel(await load());
    assert.equal(rec.integerFirstLayer, true);
    const { mod } = rec, H = rec.hidden, files = rec.exportModel(4);
    const p = npyFloats(files['W1.npy'], H * 784), b1 = npyFloats(files['b1.npy'], H); // W1 as the file holds it: (H, 784)
    const steps = Array.from({ length: H }, (_, h) => {
      let largest = 0;
      for (let k = 0; k < 784; k++) largest = Math.max(largest, Math.abs(p[h * 784 + k]));
      return step(largest);
    });
    // odd whole numbers above 127 at the finest step: no unit's numbers fit 8 bits at any step
    const odd = (h) => p.subarray(h * 784, h * 784 + 784).some((w) => Math.abs(w / steps[h]) > 127 && (w / steps[h]) % 2 !== 0);
    assert.equal(steps.some((_, h) => odd(h)), name.includes('12-bit'));
    const x = mod._malloc(784 * 4), z = mod._malloc(H * 4);
    for (const row of readCsv(holdout, 60)) {
      mod.HEAPF32.set(toInput(row.pixels), x >> 2);
      assert.equal(mod._dg_recognizer_integer_layer(rec.ptr, x, z), 1);
      const got = mod.HEAPF32.subarray(z >> 2, (z >> 2) + H);
      for (let h = 0; h < H; h++) {
        let sum = 0; // exact: integers below 2^31
        for (let k = 0; k < 784; k++) if (row.pixels[k]) sum += (p[h * 784 + k] / steps[h]) * row.pixels[k];
        assert.ok(Number.isInteger(sum) && Math.abs(sum) < 2 ** 31);
        const f = Math.fround, scale = f(steps[h] / 255);
        const want = f(b1[h] + f(f(sum) * scale)); // b1 + (float)sum * scale, in float32
        assert.equal(got[h], want, `unit ${h}: ${got[h]} vs ${want}`);
      }
    }
    mod._free(x), mod._free(z);
    rec.dispose();
  });
}

test('integer and float paths give the same digits and probabilities within 1e-6', async () => {
  const rec = await createRecognizer(modelDir), floats = await createRecognizer(modelDir);
  floats.integerFirstLayer = false;
  assert.deepEqual([rec.integerFirstLayer, floats.integerFirstLayer], [true, false]);
  let worst = 0, n = 0;
  for (const row of readCsv(holdout)) {
    const x = toInput(row.pixels);
    const { digit, probabilities } = rec.predict(x); // integer path
    const float = floats.predict(x); // same input, float path
    assert.equal(digit, float.digit);
    for (let j = 0; j < 10; j++) worst = Math.max(worst, Math.abs(probabilities[j] - float.probabilities[j]));
    n++;
  }
  assert.ok(n > 1000 && worst <= 1e-6, `largest difference ${worst} over ${n} digits`);
  rec.dispose();
  floats.dispose();
});

test('an image that is not 8-bit takes the float path and gets the same answer', async () => {
  const rec = await createRecognizer(modelDir);
  const x = toInput(readCsv(holdout, 1)[0].pixels);
  const a = rec.predict(x);
  for (let k = 0; k < 784; k++) if (x[k] > 0) x[k] = Math.fround(x[k] * 0.999 + 0.0004); // between levels
  const b = rec.predict(x);
  const { mod } = rec, z = mod._malloc(rec.hidden * 4);
  assert.equal(mod._dg_recognizer_integer_layer(rec.ptr, rec.xPtr, z), 0); // the integer kernel declines
  mod._free(z);
  assert.equal(b.digit, a.digit);
  for (let j = 0; j < 10; j++) assert.ok(Math.abs(a.probabilities[j] - b.probabilities[j]) < 1e-3);
  rec.dispose();
});

test('a model off the grid is recognised by the float path', async () => {
  const rec = await createRecognizer(modelDir);
  const files = readModelDir(modelDir);
  // W1.npy as float32 with one weight nudged between grid points
  const before = rec.predict(toInput(readCsv(holdout, 1)[0].pixels));
  const exported = rec.exportModel(4);
  const w1 = exported['W1.npy'];
  const view = new DataView(w1.buffer, w1.byteOffset, w1.byteLength);
  const offset = w1.length - 4 * 784 * rec.hidden + 4 * 100; // pixel 100 of unit 0
  view.setFloat32(offset, view.getFloat32(offset, true) + 1e-7, true);
  rec.loadModel({ ...files, 'W1.npy': w1 });
  assert.equal(rec.integerFirstLayer, false);
  const after = rec.predict(toInput(readCsv(holdout, 1)[0].pixels));
  assert.equal(after.digit, before.digit);
  for (let j = 0; j < 10; j++) assert.ok(Math.abs(after.probabilities[j] - before.probabilities[j]) < 1e-5);
  assert.ok(rec.hidden > 0);
  rec.dispose();
});

// The packed model (src/pack.h, docs/model-pack.md) and the page's own module: the site's
// model.pack gives back model/*.npy exactly, so the page reads every digit as the .npy files do,
// and as NumPy's arithmetic on them does (done here in float64, NumPy not being needed);
// the page's module (digits_recognizer) reads digits and nothing else; a bad packed model is an
// error and the model in use stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Recognizer } from '../../web/recognizer.js';
import { newModule, packedDefault, readCsv, readModelDir, root, toInput } from './load.mjs';

const modelDir = path.join(root, 'model');

/** A recogniser on the page's module, build-wasm/digits_recognizer.{js,wasm}. */
async function pageRecognizer() {
  const { default: factory } = await import(pathToFileURL(path.join(root, 'build-wasm', 'digits_recognizer.js')).href);
  return Recognizer.create(factory, fs.readFileSync(path.join(root, 'build-wasm', 'digits_recognizer.wasm')));
}

test('the page module reads the packed default model to the same bits and probabilities as model/*.npy', async () => {
  const page = await pageRecognizer(), npy = await pageRecognizer(), files = readModelDir(modelDir);
  // the site serves model/'s calibration.txt beside model.pack
  assert.equal(page.loadPackedModel(await packedDefault(), 'model.pack', files['calibration.txt'] ?? null), npy.loadModel(files));
  const a = page.exportModel(4), b = npy.exportModel(4);
  for (const name of Object.keys(b)) assert.deepEqual(a[name], b[name], `${name} differs`);
  assert.equal(page.integerFirstLayer, true);
  for (const row of readCsv(path.join(root, 'data', 'holdout.csv'))) {
    const x = toInput(row.pixels), p = page.predict(x), q = npy.predict(x);
    assert.equal(p.digit, q.digit);
    assert.deepEqual(p.probabilities, q.probabilities);
  }
  page.dispose(), npy.dispose();
});

test('the page module has what reading digits needs and leaves training to the worker module', async () => {
  const page = await pageRecognizer();
  for (const name of ['_dg_model_load_pack', '_dg_model_load_npy', '_dg_model_save_npy', '_dg_predict', '_dg_predict_batch', '_dg_recognizer_new']) {
    assert.equal(typeof page.mod[name], 'function', name);
  }
  for (const name of ['_dg_trainer_new', '_dg_csv_new', '_dg_model_pack', '_dg_model_init']) assert.equal(page.mod[name], undefined, name);
  const full = await newModule();
  for (const name of ['_dg_trainer_new', '_dg_csv_new', '_dg_model_pack', '_dg_model_load_pack']) assert.equal(typeof full[name], 'function', name);
  page.dispose();
});

test('a bad packed model is refused with the file named, and the model in use stays', async () => {
  const rec = await pageRecognizer();
  const good = await packedDefault();
  rec.loadPackedModel(good, 'model.pack');
  const x = toInput(readCsv(path.join(root, 'data', 'holdout.csv'), 1)[0].pixels), before = rec.predict(x);
  const damaged = good.slice();
  damaged[1000] ^= 4;
  for (const [bytes, message] of [[good.subarray(0, good.length - 100), 'model.pack: its checksum does not match: the file is damaged or cut short'],
    [damaged, 'model.pack: its checksum does not match: the file is damaged or cut short'],
    [new TextEncoder().encode('<!DOCTYPE html>'), 'model.pack: not a packed model (it does not start with DGPK)']]) {
    assert.throws(() => rec.loadPackedModel(bytes, 'model.pack'), { message });
    assert.deepEqual(rec.predict(x), before);
  }
  await assert.rejects(rec.fetchModel('https://example.invalid/model.pack', async () => ({ ok: false, status: 404, statusText: 'Not Found' })),
    { message: 'model.pack answered 404 Not Found' });
  assert.deepEqual(rec.predict(x), before);
  rec.dispose();
});

test('the packed default model saves as float16 .npy files equal to model/*.npy byte for byte', async () => {
  const rec = await pageRecognizer();
  const files = readModelDir(modelDir);
  rec.loadPackedModel(await packedDefault(), 'model.pack', files['calibration.txt'] ?? null);
  const saved = rec.exportModel(2); // model/ holds float16 files written by `digits train`
  for (const name of Object.keys(files)) assert.deepEqual(saved[name], files[name], `${name} differs`);
  rec.dispose();
});

// A little-endian float16 or float32 .npy file as { shape, data: Float64Array }: read here, apart
// from the C reader, as NumPy reads it.
function readNpy(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = bytes[6] === 1 ? 10 : 12;
  const headerLength = bytes[6] === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const size = Number(header.match(/'descr': '<f([24])'/)[1]);
  assert.match(header, /'fortran_order': False/);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').filter((s) => s.trim()).map(Number);
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  const at = start + headerLength;
  for (let i = 0; i < data.length; i++) data[i] = size === 2 ? half(view.getUint16(at + 2 * i, true)) : view.getFloat32(at + 4 * i, true);
  return { shape, data };
}

// A float16's value from its bits (IEEE 754 binary16).
function half(bits) {
  const sign = bits & 0x8000 ? -1 : 1, exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return exponent === 0 ? sign * fraction * 2 ** -24 : sign * (1024 + fraction) * 2 ** (exponent - 25);
}

test('half: float16 bits to values, checked on known ones', () => {
  assert.deepEqual([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x3555, 0x8000].map(half), [1, -2, 65504, 2 ** -24, 2 ** -14, 0.333251953125, -0]);
});

test('the page reads every hold-out digit from model.pack as model/*.npy do in NumPy\'s arithmetic (float64)', async () => {
  const [W1, b1, W2, b2] = ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'].map((name) => readNpy(fs.readFileSync(path.join(modelDir, name))));
  const H = W1.shape[0];
  assert.deepEqual([W1.shape, b1.shape, W2.shape, b2.shape], [[H, 784], [H, 1], [10, H], [10, 1]]);
  // z = W2 @ np.maximum(W1 @ x + b1, 0) + b2, then the softmax (README, "The model files")
  const reference = (x) => {
    const a = new Float64Array(H);
    for (let h = 0; h < H; h++) {
      let z = b1.data[h];
      for (let k = 0; k < 784; k++) z += W1.data[h * 784 + k] * x[k];
      a[h] = Math.max(z, 0);
    }
    const z = Array.from({ length: 10 }, (_, j) => a.reduce((sum, v, h) => sum + W2.data[j * H + h] * v, b2.data[j]));
    const e = z.map((v) => Math.exp(v - Math.max(...z))), total = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / total);
  };
  const page = await pageRecognizer();
  page.loadPackedModel(await packedDefault(), 'model.pack');
  let largest = 0;
  for (const row of readCsv(path.join(root, 'data', 'holdout.csv'))) {
    const x = toInput(row.pixels), p = page.predict(x), q = reference(x);
    assert.equal(p.digit, q.indexOf(Math.max(...q)));
    for (let j = 0; j < 10; j++) largest = Math.max(largest, Math.abs(p.probabilities[j] - q[j]));
  }
  assert.ok(largest < 1e-5, `the probabilities differ by up to ${largest}`);
  page.dispose();
});

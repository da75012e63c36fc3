// The packed model (src/pack.h, docs/model-pack.md) and the page's own module: the site's
// model.pack gives back model/*.npy exactly, so the page reads every digit as the .npy files do;
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
  const page = await pageRecognizer(), npy = await pageRecognizer();
  assert.equal(page.loadPackedModel(await packedDefault(), 'model.pack'), npy.loadModel(readModelDir(modelDir)));
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
  rec.loadPackedModel(await packedDefault(), 'model.pack');
  const files = readModelDir(modelDir), saved = rec.exportModel(2); // model/ holds float16 files written by `digits train`
  for (const name of Object.keys(files)) assert.deepEqual(saved[name], files[name], `${name} differs`);
  rec.dispose();
});

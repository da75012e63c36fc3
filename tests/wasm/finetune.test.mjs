// Teaching the network your handwriting, over WebAssembly, on the path the page's worker takes
// (web/training.js fineTune, web/samples.js): the user's digits become a Dataset, are mixed with
// the bundled training digits and fine-tune the model in use. The personal style (tests/wasm/
// style.mjs: heavy, strongly slanted digits) is the measure: 20 of each digit to fine-tune on, and
// fresh ones, never trained on in any form, to check that it learnt the style and not the samples.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import {
  FINETUNE_DEFAULTS, FINETUNE_MAX_REPEATS, checkFineTuneOptions, personalRepeats,
} from '../../web/defaults.js';
import { Recognizer } from '../../web/recognizer.js';
import { SampleStore, packSamples, samplesToCsv, toPixels } from '../../web/samples.js';
import { createTraining, newModule, readCsv, readModelDir, root } from './load.mjs';
import { makeRng, pickPerDigit, styledDigit } from './style.mjs';

const trainCsv = path.join(root, 'data', 'train.csv');
const holdoutCsv = path.join(root, 'data', 'holdout.csv');
const pct = (v) => `${(100 * v).toFixed(1)}%`;

let training;
before(async () => {
  training = await createTraining();
});

describe("the user's digits as training data", () => {
  test('pixels and labels become a Dataset, copied; a bad label or length is an error', () => {
    const pixels = new Uint8Array(3 * 784).map((_, i) => i % 251), labels = Uint8Array.from([7, 0, 9]);
    const data = training.fromPixels(pixels, labels);
    pixels.fill(0);
    assert.equal(data.count, 3);
    assert.deepEqual(data.labels(), Uint8Array.from([7, 0, 9]));
    assert.deepEqual(data.image(2), new Uint8Array(784).map((_, i) => (2 * 784 + i) % 251));
    data.free();
    assert.throws(() => training.fromPixels(new Uint8Array(2 * 784), Uint8Array.from([1, 10])),
      /^Error: cannot make a data set of these digits: image 1: label 10 is outside 0\.\.9$/);
    assert.throws(() => training.fromPixels(new Uint8Array(784), Uint8Array.from([1, 2])), /expected 2 x 784 pixels/);
    assert.throws(() => training.fromPixels(new Uint8Array(0), new Uint8Array(0)), /number of images, 0/);
  });

  test('concat repeats each part its number of times, in order', () => {
    const a = training.fromPixels(new Uint8Array(2 * 784).fill(1), Uint8Array.from([1, 2]));
    const b = training.fromPixels(new Uint8Array(784).fill(9), Uint8Array.from([9]));
    const mixed = training.concat([{ data: a }, { data: b, times: 3 }]);
    assert.deepEqual([...mixed.labels()], [1, 2, 9, 9, 9]);
    assert.equal(mixed.image(4)[0], 9);
    assert.equal(mixed.image(1)[783], 1);
    [a, b, mixed].forEach((d) => d.free());
  });

  test("the user's digits are repeated to make up a quarter of an epoch, within limits", () => {
    assert.equal(personalRepeats(9000, 200, 0.25), 15); // 3000 of 12000
    assert.equal(personalRepeats(9000, 3, 0.25), FINETUNE_MAX_REPEATS);
    assert.equal(personalRepeats(100, 5000, 0.25), 1);
    assert.equal(personalRepeats(9000, 0, 0.25), 0);
    assert.deepEqual(checkFineTuneOptions({}), FINETUNE_DEFAULTS);
    assert.throws(() => checkFineTuneOptions({ share: 1 }), /share: '1' is not a number in \(0, 0\.9\]/);
    assert.throws(() => checkFineTuneOptions({ hiddenUnits: 3 }), /unknown fine-tuning option 'hiddenUnits'/);
    assert.throws(() => checkFineTuneOptions({ lr: -1 }), /learning rate: -1 is outside/);
  });

  test('the CSV export is a Kaggle train.csv that the C parser reads back exactly', async () => {
    const x = new Float32Array(784).map((_, i) => (i % 17) / 16);
    const samples = [{ label: 4, pixels: toPixels(x) }, { label: 0, pixels: new Uint8Array(784).fill(255) }];
    const csv = samplesToCsv(samples);
    const lines = csv.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.equal(lines[0], `label,${Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',')}`);
    const data = await training.parseCsv(new TextEncoder().encode(csv), { name: 'my-digits.csv' });
    assert.deepEqual([...data.labels()], [4, 0]);
    assert.deepEqual(data.image(0), samples[0].pixels);
    assert.deepEqual(data.image(1), samples[1].pixels);
    data.free();
    const packed = packSamples(samples);
    assert.deepEqual([packed.pixels.length, [...packed.labels]], [2 * 784, [4, 0]]);
    assert.equal(toPixels(x)[16], 255);
    assert.throws(() => toPixels(new Float32Array(3)), /expected 784 values, got 3/);
  });

  test('the in-memory store keeps, lists, deletes and clears samples, and checks them', async () => {
    const store = SampleStore.inMemory();
    assert.equal(store.persistent, false);
    const a = await store.add({ label: 3, pixels: new Uint8Array(784) });
    const b = await store.add({ label: 8, pixels: new Uint8Array(784).fill(5) });
    assert.deepEqual((await store.all()).map((s) => [s.id, s.label]), [[a.id, 3], [b.id, 8]]);
    await store.delete(a.id);
    assert.deepEqual((await store.all()).map((s) => s.label), [8]);
    await store.clear();
    assert.deepEqual(await store.all(), []);
    await assert.rejects(store.add({ label: 10, pixels: new Uint8Array(784) }), /label 10 is not a digit/);
    await assert.rejects(store.add({ label: 1, pixels: new Uint8Array(5) }), /needs 784 pixels/);
  });
});

describe('fine-tuning on a personal style', { timeout: 300_000 }, () => {
  let base, validation, model;
  before(async () => {
    base = await training.parseCsv(fs.readFileSync(trainCsv), { name: 'train.csv' });
    validation = await training.parseCsv(fs.readFileSync(holdoutCsv), { name: 'holdout.csv' });
    model = readModelDir(path.join(root, 'model'));
  });

  // The style's digits as a Dataset: the user's 20 of each digit come from the training rows, the
  // fresh ones to measure with from the hold-out rows, so the hold-out figure stays clean too.
  function styledSet(rows, perDigit, rng) {
    const chosen = pickPerDigit(rows, perDigit, rng);
    const samples = chosen.map((r) => ({ label: r.label, pixels: toPixels(styledDigit(r.pixels, rng)) }));
    const { pixels, labels } = packSamples(samples);
    return training.fromPixels(pixels, labels);
  }

  test('20 digits of each in a consistent style raise fresh ones of that style by 10+ points; the hold-out drops 0.5 at most', async () => {
    const rng = makeRng(1);
    const mine = styledSet(readCsv(trainCsv), 20, rng);
    const fresh = styledSet(readCsv(holdoutCsv), 40, rng);
    const progress = [];
    const t0 = performance.now();
    const result = await training.fineTune(model, mine, base, validation, {}, { onProgress: (p) => progress.push(p) });
    const seconds = (performance.now() - t0) / 1000;
    const freshBefore = training.accuracy(model, fresh), freshAfter = training.accuracy(result.files, fresh);
    const holdoutBefore = result.validationBefore, holdoutAfter = result.valAccuracy;
    console.log(`fine-tuning on ${mine.count} styled digits (x${result.repeats}, with ${result.baseCount} bundled) ` +
      `in ${seconds.toFixed(1)} s: fresh styled digits ${pct(freshBefore)} -> ${pct(freshAfter)}, ` +
      `the user's own ${pct(result.personal.before)} -> ${pct(result.personal.after)}, ` +
      `hold-out ${(100 * holdoutBefore).toFixed(2)}% -> ${(100 * holdoutAfter).toFixed(2)}%`);

    assert.ok(freshBefore < 0.85, `the style is not hard enough to learn anything from: ${pct(freshBefore)} before`);
    assert.ok(freshAfter >= freshBefore + 0.1, `fresh styled digits ${pct(freshBefore)} -> ${pct(freshAfter)}`);
    assert.ok(holdoutAfter >= holdoutBefore - 0.005,
      `hold-out ${(100 * holdoutBefore).toFixed(2)}% -> ${(100 * holdoutAfter).toFixed(2)}%`);
    assert.ok(result.personal.after > result.personal.before);
    assert.equal(result.personal.count, 200);
    assert.equal(result.trainCount, base.count + 200 * result.repeats);
    assert.equal(result.hidden, new Recognizer(await newModule()).loadModel(model));
    assert.equal(result.options.epochs, FINETUNE_DEFAULTS.epochs);
    assert.deepEqual(progress.filter((p) => p.epochDone).map((p) => p.epoch), [1, 2, 3].slice(0, FINETUNE_DEFAULTS.epochs));

    // The fine-tuned files load in the page's recogniser and read a fresh styled digit.
    const rec = new Recognizer(await newModule());
    rec.loadModel(result.files);
    assert.equal(rec.predict(Float32Array.from(fresh.image(0), (v) => v / 255)).probabilities.length, 10);
    mine.free();
    fresh.free();
  });

  test('starting from a model keeps its size and weights: zero epochs of change means the same accuracy', async () => {
    const tiny = training.fromPixels(new Uint8Array(784), Uint8Array.from([0]));
    const result = await training.train(tiny, validation, { epochs: 1, lr: 1e-5, batch: 1, augment: false }, { initial: model });
    assert.equal(result.hidden, new Recognizer(await newModule()).loadModel(model));
    assert.ok(Math.abs(result.valAccuracy - training.accuracy(model, validation)) <= 0.002,
      `one tiny step moved the hold-out from ${pct(training.accuracy(model, validation))} to ${pct(result.valAccuracy)}`);
    tiny.free();
    await assert.rejects(training.fineTune(model, null, base, validation), /no digits of yours/);
  });
});

// The training path over WebAssembly, as the page's worker drives it (web/training.js): CSV
// streaming, data summaries and splits, training with progress and cancel, and the exported model
// (.npy files, the .zip the page downloads, and what `digits eval` makes of them).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CALIBRATION_ACCEPT, checkTrainingOptions, TRAINING_DEFAULTS } from '../../web/defaults.js';
import { modelFilesFrom } from '../../web/models.js';
import { Recognizer } from '../../web/recognizer.js';
import { crc32, unzip, zip } from '../../web/zip.js';
import { createTraining, newModule, readModelDir, root } from './load.mjs';

const trainCsv = path.join(root, 'data', 'train.csv');
const holdoutCsv = path.join(root, 'data', 'holdout.csv');

// The header and the first n rows of a CSV file, as bytes.
function headRows(file, n) {
  const text = fs.readFileSync(file, 'utf8');
  let end = 0;
  for (let i = 0; i <= n; i++) end = text.indexOf('\n', end) + 1;
  return Buffer.from(text.slice(0, end));
}

// Bytes as an async iterable of chunks of the given sizes (cycled), like a stream would give them.
async function* chunked(bytes, sizes) {
  for (let at = 0, k = 0; at < bytes.length; k++) {
    const size = sizes[k % sizes.length];
    yield bytes.subarray(at, at + size);
    at += size;
    await null;
  }
}

const fast = { hidden: 32, epochs: 3, lr: 0.003, batch: 32, augment: false, outliers: false, seed: 7 };

let training, small, holdout;
before(async () => {
  training = await createTraining();
  small = headRows(trainCsv, 1200);
  holdout = fs.readFileSync(holdoutCsv);
});

describe('CSV streaming', () => {
  test('chunks of any size parse to the same rows, with progress in bytes and rows', async () => {
    const whole = await training.parseCsv(small, { name: 'small.csv' });
    const events = [];
    const streamed = await training.parseCsv(chunked(small, [1, 7, 4096, 65537, 3]), {
      name: 'small.csv', total: small.length, progressEvery: 0, onProgress: (p) => events.push(p),
    });
    assert.equal(whole.count, 1200);
    assert.equal(streamed.count, 1200);
    assert.deepEqual(streamed.labels(), whole.labels());
    assert.deepEqual(streamed.image(1199), whole.image(1199));
    assert.ok(events.length > 10, `${events.length} progress events`);
    for (let i = 1; i < events.length; i++) {
      assert.ok(events[i].bytes >= events[i - 1].bytes && events[i].rows >= events[i - 1].rows, 'progress went backwards');
    }
    const last = events.at(-1);
    assert.deepEqual([last.done, last.bytes, last.total, last.rows], [true, small.length, small.length, 1200]);
    whole.free();
    streamed.free();
  });

  test('gzip is recognised by its bytes and decompressed on the way, from a ReadableStream too', async () => {
    const gz = gzipSync(small);
    const stream = new ReadableStream({
      start(controller) {
        for (let at = 0; at < gz.length; at += 1000) controller.enqueue(gz.subarray(at, at + 1000));
        controller.close();
      },
    });
    let last;
    const data = await training.parseCsv(stream, { name: 'small.csv.gz', total: gz.length, onProgress: (p) => { last = p; } });
    assert.equal(data.count, 1200);
    assert.deepEqual([last.bytes, last.csvBytes], [gz.length, small.length]);
    data.free();
    await assert.rejects(training.parseCsv(gz.subarray(0, gz.length / 2), { name: 'cut.csv.gz' }),
      /^Error: cut\.csv\.gz: the gzip data is damaged or truncated/);
  });

  test('a summary gives the row count, digits per class and the first rows with their labels', async () => {
    const data = await training.parseCsv(holdout, { name: 'holdout.csv' });
    const summary = data.summary({ samples: 12 });
    const labels = holdout.toString().split('\n').slice(1).filter(Boolean).map((line) => Number(line.split(',', 1)[0]));
    assert.equal(summary.count, 1005);
    assert.deepEqual(summary.perClass, Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length));
    assert.equal(summary.samples.length, 12);
    assert.deepEqual(summary.samples.map((s) => s.label), labels.slice(0, 12));
    assert.ok(summary.samples.every((s) => s.pixels instanceof Uint8Array && s.pixels.length === 784));
    data.free();
  });

  test('a stratified split sets a tenth of every digit aside', async () => {
    const data = await training.parseCsv(small, { name: 'small.csv' });
    const { train, validation } = training.split(data, 0.1, 1);
    const per = (d) => d.summary().perClass;
    assert.equal(train.count + validation.count, 1200);
    per(data).forEach((n, digit) => assert.equal(per(validation)[digit], Math.ceil(n * 0.1), `digit ${digit}`));
    [data, train, validation].forEach((d) => d.free());
  });

  test('a malformed CSV is an error naming the file, line and column, and nothing is kept', async () => {
    const lines = small.toString().split('\n');
    const bad = (row, col, value) => {
      const copy = lines.slice();
      const fields = copy[row - 1].split(',');
      fields[col - 1] = value;
      copy[row - 1] = fields.join(',');
      return Buffer.from(copy.join('\n'));
    };
    const cases = [
      [bad(7, 300, 'abc'), /^Error: my\.csv: line 7, column 300 \(pixel298\): 'abc' is not an integer/],
      [bad(3, 1, '12'), /^Error: my\.csv: line 3, column 1 \(label\): 12 is outside 0\.\.9/],
      [bad(5, 785, '1,2'), /^Error: my\.csv: line 5, column 786: too many columns/],
      [Buffer.from('hello,world\n1,2\n'), /^Error: my\.csv: line 1/],
      [Buffer.alloc(0), /^Error: my\.csv: .*empty file/],
      [fs.readFileSync(path.join(root, 'data', 'test.csv')).subarray(0, 20000), /^Error: my\.csv: line 1: the header has no 'label' column/],
    ];
    for (const [bytes, message] of cases) {
      await assert.rejects(training.parseCsv(chunked(bytes, [999]), { name: 'my.csv' }), message);
    }
  });
});

describe('training', () => {
  let train, validation;
  before(async () => {
    const data = await training.parseCsv(small, { name: 'small.csv' });
    ({ train, validation } = training.split(data, 0.1, 1));
    data.free();
  });

  test('a small CSV trains: the loss falls and validation accuracy rises far above chance', async () => {
    const result = await training.train(train, validation, fast);
    const { epochs } = result.history;
    assert.equal(epochs.length, 3);
    assert.ok(epochs[2].loss < epochs[0].loss * 0.7, `loss ${epochs.map((e) => e.loss.toFixed(3)).join(' -> ')}`);
    assert.ok(result.valAccuracy > 0.75, `validation accuracy ${result.valAccuracy}`);
    assert.equal(result.hidden, 32);
    assert.equal(result.validationCount, validation.count);
    const confusionTotal = result.confusion.flat().reduce((a, b) => a + b, 0);
    assert.equal(confusionTotal, validation.count);
    assert.equal(result.wrongCount, validation.count - result.confusion.reduce((a, row, r) => a + row[r], 0));
    assert.equal(result.misclassified.length, Math.min(result.wrongCount, 48));
    for (const m of result.misclassified) assert.notEqual(m.label, m.predicted);
    // The weights handed back are on the integer grid, and the figures are theirs.
    const rec = new Recognizer(await newModule());
    rec.loadModel(result.files);
    assert.equal(rec.integerFirstLayer, true);
    assert.equal(training.accuracy(result.files, validation), result.valAccuracy);
    // calibration.txt comes with it, fitted on the validation digits: the threshold (on the top
    // probability, as the network never saw non-digits) accepts CALIBRATION_ACCEPT of them
    const text = new TextDecoder().decode(result.files['calibration.txt']);
    assert.match(text, /^score max-softmax\nthreshold [\d.e-]+\ntemperature [\d.e-]+\n$/m);
    assert.equal(rec.calibration, text);
    const images = Array.from({ length: validation.count }, (_, i) => Float32Array.from(validation.image(i), (v) => v / 255));
    const accepted = rec.predictBatch(images).filter((r) => r.isDigit).length;
    assert.ok(accepted >= Math.ceil(CALIBRATION_ACCEPT * validation.count - 1e-6), `${accepted} of ${validation.count} accepted`);
    rec.dispose();
  });

  test('the same seed trains the same model', async () => {
    const [a, b] = [await training.train(train, validation, fast), await training.train(train, validation, fast)];
    assert.deepEqual(a.files, b.files);
    const c = await training.train(train, validation, { ...fast, seed: 8 });
    assert.notDeepEqual(a.files['W1.npy'], c.files['W1.npy']);
  });

  test('progress arrives in order, with every epoch, every chart point and the end', async () => {
    const events = [];
    const result = await training.train(train, validation, { ...fast, epochs: 40, hidden: 128, augment: true }, {
      progressEvery: 0, onProgress: (p) => events.push(p),
    });
    for (let i = 1; i < events.length; i++) assert.ok(events[i].step > events[i - 1].step, `event ${i} went backwards`);
    const ends = events.filter((e) => e.epochDone);
    assert.deepEqual(ends.map((e) => e.epoch), Array.from({ length: 40 }, (_, i) => i + 1));
    assert.ok(ends.every((e) => e.valAccuracy >= 0 && e.valAccuracy <= 1));
    assert.deepEqual(ends.map((e) => [e.loss, e.accuracy, e.valAccuracy]),
      result.history.epochs.map((e) => [e.loss, e.accuracy, e.valAccuracy]));
    const last = events.at(-1);
    assert.deepEqual([last.step, last.steps, last.eta], [last.steps, 40 * Math.ceil(train.count / 32), 0]);
    assert.ok(events.every((e) => Number.isFinite(e.loss) && e.samplesPerSec >= 0 && e.seconds >= 0));
    // Every report makes a chart point (progressEvery 0), each after the last and within the run.
    const { points } = result.history;
    assert.deepEqual(points, events.map((e) => e.recent));
    assert.ok(points.every((p, i) => p.x > (i ? points[i - 1].x : 0) && p.x <= 40));
  });

  test('cancel stops a run before its next batches, and the module stays usable', async () => {
    const controller = new AbortController();
    let events = 0;
    const run = training.train(train, validation, { ...fast, epochs: 200, hidden: 256 }, {
      signal: controller.signal,
      onProgress: () => {
        if (++events === 3) controller.abort();
      },
    });
    await assert.rejects(run, (err) => err.name === 'AbortError');
    assert.equal(events, 3);
    // The module is still fine: another run completes.
    assert.ok((await training.train(train, validation, { ...fast, epochs: 1 })).valAccuracy > 0.3);
  });

  test('bad options are rejected naming the option', async () => {
    await assert.rejects(training.train(train, validation, { lr: 0 }), /learning rate: 0 is outside/);
    await assert.rejects(training.train(train, validation, { hidden: 2.5 }), /hidden units: 2.5 is not a whole number/);
    await assert.rejects(training.train(train, validation, { epochs: 'x' }), /epochs: 'x' is not a number/);
    await assert.rejects(training.train(train, validation, { speed: 1 }), /unknown training option 'speed'/);
    assert.deepEqual(checkTrainingOptions({}), TRAINING_DEFAULTS);
  });

  test('the exported .npy files reload and predict the same, in the page and in `digits eval`', async (t) => {
    const result = await training.train(train, validation, fast);
    const rec = new Recognizer(await newModule());
    rec.loadModel(result.files);
    assert.equal(rec.hidden, 32);
    const labels = validation.labels();
    const confusion = Array.from({ length: 10 }, () => new Array(10).fill(0));
    const wrong = [];
    for (let i = 0; i < validation.count; i++) {
      const { digit } = rec.predict(Float32Array.from(validation.image(i), (v) => v / 255));
      confusion[labels[i]][digit]++;
      if (digit !== labels[i]) wrong.push([i, labels[i], digit]);
    }
    assert.deepEqual(confusion, result.confusion);
    assert.deepEqual(wrong.slice(0, 48), result.misclassified.map((m) => [m.index, m.label, m.predicted]));

    // Through the .zip the page downloads, into the native CLI.
    const files = await unzip(zip(result.files));
    assert.deepEqual(files, result.files);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-trained-'));
    try {
      for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
      const cli = path.join(root, 'build', 'digits');
      if (!fs.existsSync(cli)) return t.skip('build/digits is missing: bash scripts/build-native.sh');
      const out = execFileSync(cli, ['eval', '--model', dir, '--data', holdoutCsv], { encoding: 'utf8' });
      const [, right, total] = out.match(/accuracy: [\d.]+% \((\d+) of (\d+)\)/);
      const heldOut = await training.parseCsv(holdout, { name: 'holdout.csv' });
      let mine = 0;
      const heldLabels = heldOut.labels();
      for (let i = 0; i < heldOut.count; i++) {
        mine += rec.predict(Float32Array.from(heldOut.image(i), (v) => v / 255)).digit === heldLabels[i];
      }
      heldOut.free();
      assert.deepEqual([Number(right), Number(total)], [mine, 1005]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model files and .zip', () => {
  const named = (name, bytes) => ({ name, arrayBuffer: async () => new Uint8Array(bytes).buffer });

  test('zip writes what unzip (and every unzip) reads: CRC-32 checked, names and bytes kept', async () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926); // the standard check value
    const files = { 'a.txt': new TextEncoder().encode('hello'), 'empty.bin': new Uint8Array(0), 'W1.npy': new Uint8Array(70000).fill(3) };
    const bytes = zip(files, { date: new Date(2024, 0, 2, 3, 4, 6) });
    const view = new DataView(bytes.buffer);
    assert.equal(view.getUint32(0, true), 0x04034b50);
    assert.equal(view.getUint32(14, true), crc32(files['a.txt']));
    assert.equal(view.getUint16(10, true), (3 << 11) | (4 << 5) | 3); // 03:04:06
    assert.equal(view.getUint16(12, true), (44 << 9) | (1 << 5) | 2); // 2024-01-02
    assert.deepEqual(await unzip(bytes), files);
    const damaged = bytes.slice();
    damaged[30 + 'a.txt'.length] ^= 1;
    await assert.rejects(unzip(damaged), /a\.txt fails its CRC check/);
    await assert.rejects(unzip(new Uint8Array(100)), /not a \.zip file/);
  });

  test('model files are found by name in .npy files or a .zip, and a missing one is named', async () => {
    // calibration.txt comes along when it is there (a .zip this page exported has it)
    const model = { ...readModelDir(path.join(root, 'model')), 'calibration.txt': new TextEncoder().encode('score max-softmax\n') };
    const npy = Object.entries(model).map(([name, bytes]) => named(name.toLowerCase(), bytes));
    assert.deepEqual(Object.keys(await modelFilesFrom(npy)).sort(), ['W1.npy', 'W2.npy', 'b1.npy', 'b2.npy', 'calibration.txt']);
    const inFolder = Object.fromEntries(Object.entries(model).map(([n, b]) => [`model/${n}`, b]));
    assert.deepEqual(await modelFilesFrom([named('model.zip', zip({ ...inFolder, 'README.md': new Uint8Array(1) }))]), model);
    await assert.rejects(modelFilesFrom(npy.filter((f) => f.name !== 'b2.npy')), /b2\.npy is missing \(got w1\.npy|b2\.npy is missing \(got W1\.npy/);
    await assert.rejects(modelFilesFrom([named('weights.npy', [1])]), /weights\.npy: not one of the model files/);
    await assert.rejects(modelFilesFrom([named('notes.txt', [1])]), /notes\.txt: expected \.npy files/);
    await assert.rejects(modelFilesFrom([named('broken.zip', [1, 2, 3])]), /broken\.zip: not a \.zip file/);
    await assert.rejects(modelFilesFrom([]), /no files/);
  });

  test("the seed project's float64 files are accepted as a model", async () => {
    const seed = readModelDir(path.join(root, 'tests', 'c', 'fixtures', 'seed_model'));
    const rec = new Recognizer(await newModule());
    rec.loadModel(await modelFilesFrom(Object.entries(seed).map(([n, b]) => named(n, b))));
    assert.equal(rec.hidden, 3);
  });
});

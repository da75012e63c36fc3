// The WebAssembly module against the native build, and its handling of bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRecognizer, packedDefault, readCsv, readModelDir, root, toInput } from './load.mjs';

const modelDir = path.join(root, 'model');
const holdout = path.join(root, 'data', 'holdout.csv');

test('wasm probabilities equal the native build on the same inputs within 1e-5', async () => {
  const rec = await createRecognizer(modelDir);
  const out = execFileSync(path.join(root, 'build', 'digits'),
    ['predict', '--model', modelDir, '--data', holdout, '--out', '-', '--probabilities'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const native = out.trim().split('\n').slice(1).map((line) => line.split(',').map(Number));
  const rows = readCsv(holdout);
  assert.equal(native.length, rows.length);
  let worst = 0;
  rows.forEach((row, i) => {
    const { digit, probabilities } = rec.predict(toInput(row.pixels));
    assert.equal(digit, native[i][1], `row ${i + 1}: wasm says ${digit}, native ${native[i][1]}`);
    for (let j = 0; j < 10; j++) worst = Math.max(worst, Math.abs(probabilities[j] - native[i][2 + j]));
  });
  assert.ok(worst <= 1e-5, `largest difference ${worst}`);
});

test('probabilities are ten non-negative numbers summing to one', async () => {
  const rec = await createRecognizer(modelDir);
  const { digit, probabilities } = rec.predict(toInput(readCsv(holdout, 1)[0].pixels));
  assert.equal(probabilities.length, 10);
  assert.ok(probabilities.every((p) => p >= 0 && p <= 1));
  assert.ok(Math.abs(probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  assert.equal(digit, probabilities.indexOf(Math.max(...probabilities)));
});

test('predict rejects the wrong length, NaN, infinity and values outside 0..1', async () => {
  const rec = await createRecognizer(modelDir);
  assert.throws(() => rec.predict(new Float32Array(783)), /expects 784 values \(28x28\), got 783/);
  assert.throws(() => rec.predict(new Float32Array(785)), /got 785/);
  assert.throws(() => rec.predict(null), /expects a Float32Array of 784 values/);
  const x = new Float32Array(784);
  x[100] = NaN;
  assert.throws(() => rec.predict(x), /input value 100 \(row 3, column 16\) is NaN/);
  x[100] = Infinity;
  assert.throws(() => rec.predict(x), /is infinite/);
  x[100] = 2;
  assert.throws(() => rec.predict(x), /outside 0\.\.1/);
  x[100] = 1;
  assert.ok(rec.predict(x).digit >= 0);
});

test('bad .npy bytes are rejected with the file named, and the previous model stays', async () => {
  const rec = await createRecognizer(modelDir);
  const probe = toInput(readCsv(holdout, 1)[0].pixels);
  const before = rec.predict(probe).probabilities;
  const good = readModelDir(modelDir);
  const cases = [
    [{ ...good, 'W1.npy': new Uint8Array([1, 2, 3]) }, /W1\.npy/],
    [{ ...good, 'b2.npy': new TextEncoder().encode('not a numpy file at all') }, /b2\.npy: not a \.npy file/],
    [{ ...good, 'W2.npy': good['W1.npy'] }, /W2\.npy: shape/],
    [{ ...good, 'b1.npy': good['b1.npy'].slice(0, good['b1.npy'].length - 4) }, /b1\.npy: truncated/],
  ];
  for (const [files, message] of cases) assert.throws(() => rec.loadModel(files), message);
  const { W1, ...missing } = { W1: 0, ...good };
  assert.throws(() => rec.loadModel({ 'b1.npy': missing['b1.npy'] }), /W1\.npy is missing/);
  assert.deepEqual(rec.predict(probe).probabilities, before);
});

test('an exported model reloads and predicts the same', async () => {
  const rec = await createRecognizer(modelDir);
  const probe = toInput(readCsv(holdout, 1)[0].pixels);
  const before = rec.predict(probe).probabilities;
  const files = rec.exportModel();
  const other = await createRecognizer(null);
  assert.throws(() => other.predict(probe), /no model is loaded/);
  other.loadModel(files);
  assert.equal(other.hidden, rec.hidden);
  assert.deepEqual(other.predict(probe).probabilities, before);
});

test('the calibration decides isDigit and tempers the probabilities, and travels with the model', async () => {
  const rec = await createRecognizer(null);
  const files = readModelDir(modelDir);
  const probe = toInput(readCsv(holdout, 1)[0].pixels);
  rec.loadModel({ ...files, 'calibration.txt': 'score max-softmax\nthreshold 0\ntemperature 1' });
  const plain = rec.predict(probe);
  assert.equal(plain.isDigit, true);
  const top = plain.probabilities[plain.digit];
  // the same model, threshold just above its top probability: no digit; warmer: flatter, same digit
  rec.loadModel({ ...files, 'calibration.txt': `score max-softmax\nthreshold ${Math.min(1, top + 1e-4)}\ntemperature 2\n` });
  const warm = rec.predict(probe);
  assert.equal(warm.isDigit, false);
  assert.equal(warm.digit, plain.digit);
  assert.ok(warm.probabilities[warm.digit] < top);
  assert.ok(Math.abs(warm.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  // softmax(z / 2) from softmax(z): p_j^(1/2), renormalised
  const roots = Array.from(plain.probabilities, Math.sqrt), sum = roots.reduce((a, b) => a + b, 0);
  roots.forEach((r, j) => assert.ok(Math.abs(warm.probabilities[j] - r / sum) < 1e-5));
  // exported and loaded again: the same calibration
  const exported = rec.exportModel();
  assert.match(new TextDecoder().decode(exported['calibration.txt']), /^score max-softmax\nthreshold [\d.e-]+\ntemperature 2\n$/m);
  const other = await createRecognizer(null);
  other.loadModel(exported);
  assert.equal(other.calibration, rec.calibration);
  assert.deepEqual(other.predict(probe), warm);
  assert.deepEqual(rec.predictBatch([probe]), [warm]);
  // without the file: the default
  other.loadModel(files);
  assert.match(other.calibration, /score (max-softmax|logsumexp)/);
  const bare = { ...files };
  delete bare['calibration.txt'];
  other.loadModel(bare);
  assert.match(other.calibration, /^score max-softmax\nthreshold 0\.5\ntemperature 1\n$/m);
});

test('fetchModel fetches calibration.txt beside the packed model, and a 404 means the default', async () => {
  const pack = await packedDefault();
  const serve = (withCalibration) => async (url) => {
    const name = String(url).split('/').pop();
    const body = name === 'calibration.txt' ? (withCalibration ? 'score logsumexp\nthreshold -3\ntemperature 0.5\n' : null) : pack;
    return body == null ? { ok: false, status: 404, statusText: 'Not Found' }
      : { ok: true, status: 200, arrayBuffer: async () => (typeof body === 'string' ? new TextEncoder().encode(body) : body).buffer };
  };
  const rec = await createRecognizer(null);
  await rec.fetchModel('http://x/model/model.pack', serve(true));
  assert.match(rec.calibration, /score logsumexp\nthreshold -3\ntemperature 0\.5/);
  await rec.fetchModel('http://x/model/model.pack', serve(false));
  assert.match(rec.calibration, /score max-softmax\nthreshold 0\.5\ntemperature 1/);
  // a calibration.txt that is there but bad: refused, naming its line, and the model in use stays
  const bad = async (url) => (String(url).endsWith('calibration.txt')
    ? { ok: true, status: 200, arrayBuffer: async () => new TextEncoder().encode('score max-softmax\nthreshold 0.5\ntemperature 0\n').buffer }
    : serve(false)(url));
  await assert.rejects(rec.fetchModel('http://x/model/model.pack', bad), /calibration\.txt: line 3: temperature/);
  assert.match(rec.calibration, /score max-softmax\nthreshold 0\.5\ntemperature 1/);
});

test("the seed project's float64 model files load in the browser module too", async () => {
  const rec = await createRecognizer(path.join(root, 'tests', 'c', 'fixtures', 'seed_model'));
  assert.equal(rec.hidden, 3);
  assert.equal(rec.predict(new Float32Array(784)).probabilities.length, 10);
});

test('a batch is read in one call, as one image at a time, and a bad image is named', async () => {
  const rec = await createRecognizer(modelDir);
  const images = readCsv(holdout, 5).map((row) => toInput(row.pixels));
  assert.deepEqual(rec.predictBatch(images), images.map((x) => rec.predict(x)));
  images[3][100] = NaN;
  assert.throws(() => rec.predictBatch(images), /^Error: image 3: input value 100 \(row 3, column 16\) is NaN$/);
  assert.throws(() => rec.predictBatch([new Float32Array(3)]), /predictBatch expects 784 values \(28x28\), got 3/);
});

test('one version: package.json, CMakeLists.txt, the module and `digits --version` agree', async () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const cmake = fs.readFileSync(path.join(root, 'CMakeLists.txt'), 'utf8').match(/project\(digits VERSION ([\d.]+)/)?.[1];
  const rec = await createRecognizer(null);
  assert.deepEqual([cmake, rec.mod.UTF8ToString(rec.mod._dg_version())], [version, version]);
  assert.equal(execFileSync(path.join(root, 'build', 'digits'), ['--version'], { encoding: 'utf8' }), `digits ${version}\n`);
});

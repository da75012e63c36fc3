// Training in the page with outlier exposure (web/training.js, web/outlier-glyphs.js): the glyphs
// the worker draws are the right characters and the same for a seed; the training export takes
// external non-digit images and uses them, deterministically; a model trained with outliers scores
// logsumexp and rejects far more non-digits it never saw than one trained without; fine-tuning
// keeps the score kind. (Drawing glyphs needs OffscreenCanvas: the browser tests do that part.
// Here the external non-digits are shapes drawn by web/strokes.js, which runs in Node.)
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { CALIBRATION_ACCEPT, OUTLIERS, TRAINING_DEFAULTS } from '../../web/defaults.js';
import { glyphSpecs, OUTLIER_CHARACTERS } from '../../web/outlier-glyphs.js';
import { Recognizer } from '../../web/recognizer.js';
import { renderStrokes } from '../../web/strokes.js';
import { DIGIT_LIKE, LETTERS, SYMBOLS } from '../../scripts/outliers/glyphs.mjs';
import { makeRng } from './drawn.mjs';
import { createTraining, newModule, root } from './load.mjs';

const fast = { hidden: 32, epochs: 4, lr: 0.003, batch: 32, augment: false, seed: 7 };

// n random non-digit drawings (triangles, stars, zigzags, crosses with a bar, wobbly boxes) as the
// page's strokes make them: n * 784 bytes.
function shapes(n, seed) {
  const rng = makeRng(seed);
  const jitter = (p) => ({ x: p[0] + (rng() - 0.5) * 0.08, y: p[1] + (rng() - 0.5) * 0.08 });
  const kinds = [
    () => [[[0.5, 0.1], [0.9, 0.85], [0.1, 0.85], [0.5, 0.1]]],
    () => [[[0.5, 0.1], [0.62, 0.82], [0.18, 0.4], [0.82, 0.4], [0.38, 0.82], [0.5, 0.1]]],
    () => [[[0.1, 0.3], [0.3, 0.7], [0.5, 0.3], [0.7, 0.7], [0.9, 0.3]]],
    () => [[[0.1, 0.1], [0.9, 0.9]], [[0.9, 0.1], [0.1, 0.9]], [[0.1, 0.5], [0.9, 0.5]]],
    () => [[[0.2, 0.2], [0.8, 0.2], [0.8, 0.5], [0.2, 0.5], [0.2, 0.2]], [[0.2, 0.8], [0.8, 0.8]]],
  ];
  const pixels = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) {
    const strokes = kinds[i % kinds.length]().map((stroke) => stroke.map(jitter));
    pixels.set(renderStrokes(strokes).map((v) => Math.round(v * 255)), i * 784);
  }
  return pixels;
}

const text = (bytes) => new TextDecoder().decode(bytes);

let training, train, validation;
before(async () => {
  training = await createTraining();
  const csv = fs.readFileSync(path.join(root, 'data', 'train.csv'), 'utf8');
  const head = csv.split('\n', 1501).join('\n');
  const data = await training.parseCsv(Buffer.from(head), { name: 'small.csv' });
  ({ train, validation } = training.split(data, 0.2, 1));
  data.free();
});

describe('the glyphs the worker draws', () => {
  test('are the letters and symbols of the evaluation sets, none a digit look-alike', () => {
    assert.deepEqual([...OUTLIER_CHARACTERS], [...LETTERS, ...SYMBOLS]);
    assert.deepEqual(OUTLIER_CHARACTERS.filter((c) => DIGIT_LIKE.includes(c) || /\d/.test(c)), []);
  });

  test('are the same for a seed, different for another, every character about as often', () => {
    assert.deepEqual(glyphSpecs(500, 3), glyphSpecs(500, 3));
    assert.notDeepEqual(glyphSpecs(500, 3), glyphSpecs(500, 4));
    const specs = glyphSpecs(OUTLIERS.glyphs, 1);
    const counts = new Map();
    for (const s of specs) counts.set(s.char, (counts.get(s.char) ?? 0) + 1);
    assert.equal(counts.size, OUTLIER_CHARACTERS.length);
    assert.ok(Math.max(...counts.values()) - Math.min(...counts.values()) <= 1);
    assert.equal(new Set(specs.map((s) => s.family)).size, 5);
  });
});

describe('training with outliers', () => {
  test('is on by default', () => assert.equal(TRAINING_DEFAULTS.outliers, true));

  test('takes external images, uses them, and is the same for the same seed and images', async () => {
    const images = training.images(shapes(400, 1)), others = training.images(shapes(400, 2));
    try {
      const opts = { ...fast, epochs: 1, outliers: true };
      const a = await training.train(train, validation, opts, { outlierImages: images });
      const b = await training.train(train, validation, opts, { outlierImages: images });
      const c = await training.train(train, validation, opts, { outlierImages: others });
      const d = await training.train(train, validation, opts);
      assert.deepEqual(a.files, b.files);
      assert.notDeepEqual(a.files['W1.npy'], c.files['W1.npy']);
      assert.notDeepEqual(a.files['W1.npy'], d.files['W1.npy']); // generated outliers alone
      for (const r of [a, c, d]) assert.match(text(r.files['calibration.txt']), /^score logsumexp$/m);
    } finally {
      images.free();
      others.free();
    }
  });

  test('rejects far more unseen non-digits than training without, at thresholds accepting the same digits', async () => {
    const images = training.images(shapes(600, 1));
    try {
      const plain = await training.train(train, validation, { ...fast, epochs: 10, outliers: false });
      const exposed = await training.train(train, validation, { ...fast, epochs: 10, outliers: true }, { outlierImages: images });
      assert.match(text(plain.files['calibration.txt']), /^score max-softmax$/m);
      assert.match(text(exposed.files['calibration.txt']), /^score logsumexp$/m);
      assert.ok(exposed.valAccuracy > 0.8, `accuracy with outliers ${exposed.valAccuracy}`);
      const unseen = shapes(300, 99), digits = Array.from({ length: validation.count }, (_, i) => validation.image(i));
      const asInputs = (rows) => rows.map((row) => Float32Array.from(row, (v) => v / 255));
      const rejected = async (files) => {
        const rec = new Recognizer(await newModule());
        rec.loadModel(files);
        const share = (rows) => rec.predictBatch(asInputs(rows)).filter((r) => !r.isDigit).length / rows.length;
        const rows = Array.from({ length: 300 }, (_, i) => unseen.subarray(i * 784, (i + 1) * 784));
        const out = { nonDigits: share(rows), digits: share(digits) };
        rec.dispose();
        return out;
      };
      const [p, e] = [await rejected(plain.files), await rejected(exposed.files)];
      // both thresholds accept CALIBRATION_ACCEPT of the validation digits they were fitted on
      for (const r of [p, e]) assert.ok(r.digits <= 1 - CALIBRATION_ACCEPT + 1e-9, `digits rejected ${r.digits}`);
      assert.ok(e.nonDigits >= p.nonDigits + 0.3, `non-digits rejected: ${p.nonDigits} without outliers, ${e.nonDigits} with`);
    } finally {
      images.free();
    }
  });

  test('fine-tuning keeps the score: logsumexp for a model trained with outliers, with outliers again', async () => {
    const images = training.images(shapes(300, 1));
    try {
      const exposed = await training.train(train, validation, { ...fast, epochs: 1, outliers: true }, { outlierImages: images });
      const plain = await training.train(train, validation, { ...fast, epochs: 1, outliers: false });
      const mine = training.fromPixels(validation.image(0), validation.labels().subarray(0, 1));
      try {
        const tuned = await training.fineTune(exposed.files, mine, train, validation, { epochs: 1 }, { outlierImages: images });
        assert.equal(tuned.options.outliers, true);
        assert.match(text(tuned.files['calibration.txt']), /^score logsumexp$/m);
        assert.notEqual(text(tuned.files['calibration.txt']), text(exposed.files['calibration.txt'])); // re-fitted
        const kept = await training.fineTune(plain.files, mine, train, validation, { epochs: 1 });
        assert.equal(kept.options.outliers, false);
        assert.match(text(kept.files['calibration.txt']), /^score max-softmax$/m);
      } finally {
        mine.free();
      }
    } finally {
      images.free();
    }
  });
});

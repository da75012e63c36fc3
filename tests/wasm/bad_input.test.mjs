// docs/bad-input.md, executed for the browser module: each row whose Test cell names a test here
// must describe exactly the Error message that test gets (the CLI rows are checked by
// tests/c/test_bad_input.c the same way).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRecognizer, packedDefault, readModelDir, root } from './load.mjs';

const modelDir = path.join(root, 'model');

/** The table's rows as { input, command, exit, message, test }. */
function tableRows() {
  const rows = [];
  for (const line of fs.readFileSync(path.join(root, 'docs', 'bad-input.md'), 'utf8').split('\n')) {
    if (!line.startsWith('|')) continue;
    const cells = line
      .slice(1, line.lastIndexOf('|'))
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replace(/\\\|/g, '|').replace(/^`(.*)`$/, '$1'));
    if (cells.length !== 5 || cells[4] === 'Test' || cells[4].startsWith('---')) continue;
    const [input, command, exit, message, name] = cells;
    rows.push({ input, command, exit, message, test: name });
  }
  return rows;
}

/** Asserts that fn throws an Error whose message is exactly the one in the row named `name`. */
function throwsAsDocumented(name, fn) {
  const row = tableRows().find((r) => r.test === name);
  assert.ok(row, `docs/bad-input.md has no row whose Test is \`${name}\``);
  assert.equal(row.exit, 'throws', `row '${row.input}'`);
  assert.throws(fn, (err) => {
    assert.equal(err.message, row.message, `row '${row.input}': the table's message differs from the Error`);
    return true;
  });
}

function pixels(index, value) {
  const x = new Float32Array(784);
  x[index] = value;
  return x;
}

test('predict should reject the wrong length', async () => {
  const rec = await createRecognizer(modelDir);
  throwsAsDocumented('predict should reject the wrong length', () => rec.predict(new Float32Array(783)));
});

test('predict should reject a missing input', async () => {
  const rec = await createRecognizer(modelDir);
  throwsAsDocumented('predict should reject a missing input', () => rec.predict(null));
});

test('predict should reject NaN', async () => {
  const rec = await createRecognizer(modelDir);
  throwsAsDocumented('predict should reject NaN', () => rec.predict(pixels(100, NaN)));
});

test('predict should reject infinity', async () => {
  const rec = await createRecognizer(modelDir);
  throwsAsDocumented('predict should reject infinity', () => rec.predict(pixels(100, Infinity)));
});

test('predict should reject values above 1', async () => {
  const rec = await createRecognizer(modelDir);
  throwsAsDocumented('predict should reject values above 1', () => rec.predict(pixels(100, 2)));
});

test('predict should reject values below 0', async () => {
  const rec = await createRecognizer(modelDir);
  throwsAsDocumented('predict should reject values below 0', () => rec.predict(pixels(100, -0.5)));
});

test('predict should need a model', async () => {
  const rec = await createRecognizer(null);
  throwsAsDocumented('predict should need a model', () => rec.predict(new Float32Array(784)));
});

test('loadModel should name a missing file', async () => {
  const rec = await createRecognizer(null);
  const { 'W1.npy': _w1, ...rest } = readModelDir(modelDir);
  throwsAsDocumented('loadModel should name a missing file', () => rec.loadModel(rest));
});

test('loadModel should refuse a bad calibration and keep the model', async () => {
  const rec = await createRecognizer(modelDir);
  const before = rec.calibration;
  const files = { ...readModelDir(modelDir), 'calibration.txt': 'score logsumexp\nthreshold 1\ntemperature 0' };
  throwsAsDocumented('loadModel should refuse a bad calibration and keep the model', () => rec.loadModel(files));
  assert.equal(rec.calibration, before);
  assert.ok(rec.predict(new Float32Array(784)).probabilities.length === 10);
});

test('loadModel should name a bad file', async () => {
  const rec = await createRecognizer(null);
  const files = { ...readModelDir(modelDir), 'b2.npy': new TextEncoder().encode('not a numpy file at all') };
  throwsAsDocumented('loadModel should name a bad file', () => rec.loadModel(files));
});

test('loadPackedModel should reject a cut-short file', async () => {
  const rec = await createRecognizer(modelDir);
  const bytes = await packedDefault();
  const x = pixels(300, 1), before = rec.predict(x);
  throwsAsDocumented('loadPackedModel should reject a cut-short file', () => rec.loadPackedModel(bytes.subarray(0, bytes.length - 100), 'model.pack'));
  assert.deepEqual(rec.predict(x), before); // the model in use stays
});

test('loadPackedModel should reject another kind of file', async () => {
  const rec = await createRecognizer(null);
  const html = new TextEncoder().encode('<!DOCTYPE html><title>404 Not Found</title>');
  throwsAsDocumented('loadPackedModel should reject another kind of file', () => rec.loadPackedModel(html, 'model.pack'));
});

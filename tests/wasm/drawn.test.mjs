// The page's pipeline on drawings: held-out digits rendered on a 280x280 pad at random sizes and
// positions, soft and hard pens, every canvas convention, then preprocess() + the wasm model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { evaluateDrawn } from './drawn.mjs';
import { createRecognizer, readCsv, root } from './load.mjs';

test('drawn held-out digits are recognised within a point of the untouched digits, far above a plain resize', async () => {
  const rec = await createRecognizer(path.join(root, 'model'));
  const rows = readCsv(path.join(root, 'data', 'holdout.csv'));
  const digits = rows.map((r) => Float32Array.from(r.pixels, (v) => v / 255));
  const labels = rows.map((r) => r.label);
  const result = evaluateDrawn({ digits, labels, predict: (x) => rec.predict(x).digit, seed: 1, count: 2 * rows.length });
  const pct = (v) => (100 * v).toFixed(2) + '%';
  console.log(`drawn digits: page ${pct(result.pageAccuracy)}, untouched ${pct(result.untouchedAccuracy)}, plain resize ${pct(result.naiveAccuracy)}`);
  assert.ok(result.pageAccuracy >= result.untouchedAccuracy - 0.01,
    `page ${pct(result.pageAccuracy)} is more than a point below untouched ${pct(result.untouchedAccuracy)}`);
  assert.ok(result.naiveAccuracy <= result.pageAccuracy - 0.3, `plain resize ${pct(result.naiveAccuracy)} is not far below`);
});

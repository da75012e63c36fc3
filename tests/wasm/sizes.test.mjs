// A digit reads the same at any size: the hold-out digits as strokes (tests/wasm/stroked.mjs),
// drawn at 75% and at 20% of the pad's height, through the page's path (web/strokes.js) and the
// default model. The full table, with the old page's fixed pen beside it: node scripts/bench/sizes.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRecognizer, readCsv, root } from './load.mjs';
import { digitStrokes, readAtHeights } from './stroked.mjs';

test('hold-out digits drawn at 20% of the pad read within 2 points of the same digits at 75%', async () => {
  const rec = await createRecognizer(path.join(root, 'model'));
  const digits = readCsv(path.join(root, 'data', 'holdout.csv')).map((r) => ({ label: r.label, strokes: digitStrokes(r.pixels) }));
  const [large, small] = readAtHeights({ digits, predict: (x) => rec.predict(x).digit, heights: [0.75, 0.2], old: false });
  const pct = (v) => `${(100 * v).toFixed(1)}%`;
  console.log(`${digits.length} digits as strokes: ${pct(large.new)} at 75% of the pad, ${pct(small.new)} at 20%`);
  assert.ok(large.new >= 0.95, `only ${pct(large.new)} of the large drawings read right`);
  assert.ok(small.new >= large.new - 0.02, `${pct(small.new)} at 20% against ${pct(large.new)} at 75%`);
});

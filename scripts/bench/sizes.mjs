#!/usr/bin/env node
// sizes.mjs: does a digit read the same at any size? The 1,005 hold-out digits (data/holdout.csv,
// never trained on) as strokes (tests/wasm/stroked.mjs: thinned to their centre lines, traced,
// sampled as a pointer reports them on a 300 px pad), drawn at several heights of the pad and read
// by the default model through
//   - the page's path before strokes.js: the pad's fixed pen, 0.075 of the pad, on a 280x280
//     image, then preprocess;
//   - the page's path: web/strokes.js renderStrokes, a pen in proportion to the digit; and how
//     many of those drawings the model accepts as digits at all (its calibration.txt threshold).
// Each digit keeps one random place (seeded) at every height, so the heights differ by size alone.
//
//   node scripts/bench/sizes.mjs [--heights 0.75,0.4,...] [--small 0.1,...] [--limit N]
//   import { sizesRun } from './sizes.mjs'; sizesRun() -> { count, rows: [{ height, old, new, accepted }] }
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRecognizer, readCsv, root } from '../../tests/wasm/load.mjs';
import { PAD_PX, POINTER_STEP, digitStrokes, readAtHeights } from '../../tests/wasm/stroked.mjs';
import { MIN_SIZE } from '../../web/strokes.js';

export const HEIGHTS = [0.75, 0.4, 0.3, 0.22, 0.2];
// Smaller still, through the strokes' path only: where reading stops working (MIN_SIZE).
export const SMALL = [0.15, 0.1, 0.075, 0.05, 0.04, 0.03, 0.02];

export async function sizesRun({ heights = HEIGHTS, small = SMALL, limit = Infinity } = {}) {
  const rec = await createRecognizer(path.join(root, 'model'));
  const read = (x) => rec.predict(x);
  const digits = readCsv(path.join(root, 'data', 'holdout.csv'), limit).map((r) => ({ label: r.label, strokes: digitStrokes(r.pixels) }));
  const rows = [
    ...readAtHeights({ digits, read, heights, seed: 1 }),
    ...readAtHeights({ digits, read, heights: small, seed: 1, old: false }),
  ];
  return { count: digits.length, padPx: PAD_PX, step: POINTER_STEP, minSize: MIN_SIZE, rows };
}

export function sizesTable({ count, padPx, step, minSize, rows }) {
  const pct = (v) => (v == null ? '—' : `${(100 * v).toFixed(1)}%`);
  const lines = [
    `${count} hold-out digits as strokes, on a ${padPx} px pad, a pointer event every ${step} px:`,
    '',
    '| height of the pad | px | before: fixed pen + preprocess | the page: renderStrokes | … accepted as a digit |',
    '|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${(100 * r.height).toFixed(r.height < 0.1 ? 1 : 0)}% | ${Math.round(r.height * padPx)} | ${pct(r.old)} | ` +
      `${pct(r.new)}${r.height < minSize ? ' (page: "draw bigger")' : ''} | ${pct(r.accepted)} |`),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const list = (name, fallback) => (arg(name) ? arg(name).split(',').map(Number) : fallback);
  const started = performance.now();
  const result = await sizesRun({ heights: list('--heights', HEIGHTS), small: list('--small', SMALL), limit: Number(arg('--limit') ?? Infinity) });
  console.log(sizesTable(result));
  console.log(`\n(${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

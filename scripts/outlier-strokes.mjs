// The sets of "that's not a digit" (docs/not-a-digit.md) as the page reads them: as strokes,
// rendered by web/strokes.js renderStrokes (a pen in proportion to the drawing), deterministically.
// Made from the sets of scripts/outlier-data.mjs (run it first), whose rules they keep: the same
// held-out fonts and shape families, the same digit-like exclusions, the same calibration split.
//
//   data/strokes/holdout.csv        EVALUATION digits: the hold-out digits traced to strokes
//                                   (tests/wasm/stroked.mjs), drawn twice each (seed 1)
//   data/strokes/calib.csv          the calibration digits (data/oe/calib.csv) the same way (seed 2):
//                                   the threshold is chosen on them, never on the hold-out
//   data/strokes/calib-both.csv     data/oe/calib.csv and data/strokes/calib.csv: the calibration
//                                   digits as they are and as drawn (the temperature's)
//   data/strokes/nondigits.csv      EVALUATION non-digits: the letters and symbols of
//   data/strokes/nondigits-index.csv  data/eval/nondigits.csv traced to strokes as a person would
//                                   draw them (seed 11), and the 29 stroked shape families of
//                                   scripts/outliers/shapes.mjs (seed 12; the four filled ones are
//                                   left out: a pen on the pad draws lines, it does not fill)
//   data/strokes/digitlike.csv (+ -index.csv)  data/eval/digitlike.csv traced: reported, not scored
//   data/strokes/fit-plus.csv       (--training) the training digits, data/oe/fit.csv, and each of
//                                   them traced and drawn once more (seed 5): what the recipe's
//                                   outlier training reads, so its digits look like the page's too
//   data/strokes/outliers.csv       (--training) TRAINING outliers: data/outliers/mix-more.csv and
//                                   its glyphs (glyphs.csv, glyphs-more.csv) traced (seed 14)
//   data/strokes/fit-plus3.csv      (--training) as fit-plus.csv, each digit drawn three times from its
//   data/strokes/outliers3.csv      tracing (the first time as there), and as outliers.csv, each glyph
//                                   drawn three times: the default recipe's fine-tune reads fit-plus3.csv
//   data/strokes/outliers4.csv      (--training --wide, or on the way to --wide-symbols) outliers3.csv,
//                                   and data/outliers/glyphs-wide.csv as rendered and traced three
//                                   times (seed 16)
//   data/strokes/outliers4sym.csv   (--training --wide-symbols) outliers4.csv less the wide glyphs of
//                                   category letter in data/outliers/glyphs-wide-index.csv, as
//                                   rendered and as traced: outliers3.csv and the new symbols. Selected
//                                   from outliers4.csv (made first if missing), so each symbol keeps
//                                   the drawings it has there: what the default recipe's fine-tune reads
//
// Each drawing is placed on a 300 px pad 20% to 80% of its height tall, sampled as pointer events
// arrive (a point every 3 px, at whole pixels), then rendered by renderStrokes.
// Usage: node scripts/outlier-strokes.mjs [--force] [--training [--wide] [--wide-symbols]]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCsv } from '../tests/wasm/load.mjs';
import { digitStrokes, makeRng, placeOnPad } from '../tests/wasm/stroked.mjs';
import { renderStrokes } from '../web/strokes.js';
import { csvText, write } from './outliers/csv.mjs';
import { SHAPE_FAMILIES, handDrawn } from './outliers/shapes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = (f) => path.join(root, 'data', f);
const SHAPES_PER_FAMILY = 60;
const SCRIBBLES = new Set(['tangle', 'hatching', 'loops', 'crossedOut']);
const WIDE_TRACINGS = 3;

/** Strokes ([[x, y], ...], any units) drawn on the pad at a random height and place, as the page reads them. */
export function drawStrokes(strokes, rng) {
  const pad = placeOnPad(strokes, { height: 0.2 + 0.6 * rng(), rng });
  return Uint8Array.from(renderStrokes(pad), (v) => Math.round(v * 255));
}

/** Rows of 28x28 images (0..255) traced to strokes and drawn `times` times each. */
function traced(rows, seed, times = 1) {
  const rng = makeRng(seed), images = [], labels = [];
  const strokes = rows.map((r) => digitStrokes(r.pixels));
  for (let k = 0; k < times * rows.length; k++) {
    images.push(drawStrokes(strokes[k % rows.length], rng));
    labels.push(rows[k % rows.length].label);
  }
  return { images, labels };
}

/** The rows (CSV lines, no header) that outliers4.csv adds to outliers3.csv for the wide glyphs (rows
 * of 28x28 images): each as rendered, then WIDE_TRACINGS passes of them all traced (seed 16). */
export function wideOutlierRows(rows) {
  const drawn = traced(rows, 16, WIDE_TRACINGS);
  return csvText([...rows.map((r) => r.pixels), ...drawn.images]).trimEnd().split('\n').slice(1);
}

/** outliers4.csv's rows (no header) less the wide glyphs whose category (the wide index's, in its
 * order) is `letter`: `old` rows of outliers3.csv, then wideOutlierRows' layout. Selecting keeps each
 * symbol's drawings; tracing the symbols alone would draw them from another point of the seed's stream. */
export function wideSymbolRows(rows, old, categories) {
  const n = categories.length;
  if (rows.length !== old + (1 + WIDE_TRACINGS) * n) {
    throw new Error(`data/strokes/outliers4.csv has ${rows.length} rows, not the ${old} of outliers3.csv and ${1 + WIDE_TRACINGS} × the ${n} of data/outliers/glyphs-wide-index.csv: delete it and run again`);
  }
  return rows.filter((r, i) => i < old || categories[(i - old) % n] !== 'letter');
}

function readIndex(file) {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  return { head: lines[0], rows: lines.slice(1).map((l) => ({ line: l, category: l.split(',')[1] })) };
}

/** The stroked shape families, seeded, in pad units; the filled ones are left out. */
function shapes(seed) {
  const rng = makeRng(seed), images = [], meta = [];
  for (const [name, make] of Object.entries(SHAPE_FAMILIES)) {
    for (let i = 0; i < SHAPES_PER_FAMILY; i++) {
      const drawn = handDrawn(make(rng), rng);
      if (drawn.filled) continue;
      images.push(drawStrokes(drawn.strokes, rng));
      meta.push({ category: SCRIBBLES.has(name) ? 'scribble' : 'shape', family: name });
    }
  }
  return { images, meta };
}

function main() {
  const force = process.argv.includes('--force');
  const done = (f) => !force && fs.existsSync(data(f));
  for (const f of ['holdout.csv', 'oe/calib.csv', 'eval/nondigits.csv', 'eval/digitlike.csv']) {
    if (!fs.existsSync(data(f))) throw new Error(`missing data/${f}: run npm run data and node scripts/outlier-data.mjs first`);
  }
  if (!done('strokes/holdout.csv')) {
    const d = traced(readCsv(data('holdout.csv')), 1, 2);
    write(data('strokes/holdout.csv'), csvText(d.images, d.labels));
  }
  if (!done('strokes/calib.csv')) {
    const d = traced(readCsv(data('oe/calib.csv')), 2, 2);
    write(data('strokes/calib.csv'), csvText(d.images, d.labels));
  }
  if (!done('strokes/calib-both.csv')) {
    const lines = (f) => fs.readFileSync(data(f), 'utf8').trimEnd().split('\n');
    write(data('strokes/calib-both.csv'), `${[...lines('oe/calib.csv'), ...lines('strokes/calib.csv').slice(1)].join('\n')}\n`);
  }
  if (!done('strokes/nondigits.csv')) {
    const index = readIndex(data('eval/nondigits-index.csv'));
    const rows = readCsv(data('eval/nondigits.csv'));
    const glyphRows = rows.filter((r, i) => index.rows[i].category === 'letter' || index.rows[i].category === 'symbol');
    const glyphMeta = index.rows.filter((r) => r.category === 'letter' || r.category === 'symbol');
    const glyphs = traced(glyphRows, 11);
    const shaped = shapes(12);
    const meta = [...glyphMeta.map((r) => r.line.split(',').slice(1).join(',')),
      ...shaped.meta.map((m) => `${m.category},${m.family},,`)];
    write(data('strokes/nondigits.csv'), csvText([...glyphs.images, ...shaped.images]));
    write(data('strokes/nondigits-index.csv'), `${index.head}\n${meta.map((m, i) => `${i + 1},${m}`).join('\n')}\n`);
  }
  if (!done('strokes/digitlike.csv')) {
    const like = traced(readCsv(data('eval/digitlike.csv')), 13);
    write(data('strokes/digitlike.csv'), csvText(like.images));
    fs.copyFileSync(data('eval/digitlike-index.csv'), data('strokes/digitlike-index.csv'));
  }
  if (process.argv.includes('--training')) {
    const lines = (f) => fs.readFileSync(data(f), 'utf8').trimEnd().split('\n');
    if (!done('strokes/fit-plus.csv')) {
      const d = traced(readCsv(data('oe/fit.csv')), 5);
      write(data('strokes/fit-plus.csv'), `${[...lines('oe/fit.csv'), ...csvText(d.images, d.labels).trimEnd().split('\n').slice(1)].join('\n')}\n`);
    }
    if (!done('strokes/outliers.csv')) {
      const rows = [...readCsv(data('outliers/glyphs.csv')), ...readCsv(data('outliers/glyphs-more.csv'))];
      write(data('strokes/outliers.csv'), `${[...lines('outliers/mix-more.csv'), ...csvText(traced(rows, 14).images).trimEnd().split('\n').slice(1)].join('\n')}\n`);
    }
    if (!done('strokes/fit-plus3.csv')) {
      const d = traced(readCsv(data('oe/fit.csv')), 5, 3);
      write(data('strokes/fit-plus3.csv'), `${[...lines('oe/fit.csv'), ...csvText(d.images, d.labels).trimEnd().split('\n').slice(1)].join('\n')}\n`);
    }
    if (!done('strokes/outliers3.csv')) {
      const rows = [...readCsv(data('outliers/glyphs.csv')), ...readCsv(data('outliers/glyphs-more.csv'))];
      write(data('strokes/outliers3.csv'), `${[...lines('outliers/mix-more.csv'), ...csvText(traced(rows, 14, 3).images).trimEnd().split('\n').slice(1)].join('\n')}\n`);
    }
    const symbols = process.argv.includes('--wide-symbols'), wide = symbols || process.argv.includes('--wide');
    for (const f of wide ? ['outliers/glyphs-wide.csv', 'outliers/glyphs-wide-index.csv'] : []) {
      if (!fs.existsSync(data(f))) throw new Error(`missing data/${f}: run node scripts/outlier-data.mjs --wide first`);
    }
    if (wide && !done('strokes/outliers4.csv')) {
      const rows = wideOutlierRows(readCsv(data('outliers/glyphs-wide.csv')));
      write(data('strokes/outliers4.csv'), `${[...lines('strokes/outliers3.csv'), ...rows].join('\n')}\n`);
    }
    if (symbols && !done('strokes/outliers4sym.csv')) {
      const [head, ...rows] = lines('strokes/outliers4.csv');
      const categories = readIndex(data('outliers/glyphs-wide-index.csv')).rows.map((r) => r.category);
      const kept = wideSymbolRows(rows, lines('strokes/outliers3.csv').length - 1, categories);
      write(data('strokes/outliers4sym.csv'), `${[head, ...kept].join('\n')}\n`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`outlier-strokes: ${e.message}`);
    process.exit(1);
  }
}

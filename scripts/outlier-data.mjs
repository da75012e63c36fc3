// Builds the data sets of "that's not a digit" (docs/not-a-digit.md), deterministically:
//
//   data/eval/nondigits.csv        EVALUATION: non-digit drawings on the 280x280 pad through the
//   data/eval/nondigits-index.csv  page's preprocess: letters and symbols in 15 fonts that no
//                                  training uses, and 33 families of shapes, pictograms and
//                                  scribbles (scripts/outliers/shapes.mjs) that no generator
//                                  draws. The index gives each row's category, family, font, char.
//   data/eval/digitlike.csv (+ -index.csv)  letters and symbols that read as digits (O, l, S, ...):
//                                  reported, never scored
//   data/eval/drawn-holdout.csv    EVALUATION: the hold-out digits drawn on the pad, twice each, in
//                                  the random styles of tests/wasm/drawn.mjs (seed 1, the drawings
//                                  behind model/README.md's drawn figure), through preprocess
//   data/oe/fit.csv, calib.csv     data/train.csv split (stratified, seed 1) into the digits a model
//                                  trains on and 10% held out to fit the temperature and threshold
//   data/oe/calib-drawn.csv        those calibration digits drawn on the pad (seed 2), twice each
//   data/oe/fit-plus-drawn.csv     (--with-drawn-fit) fit.csv and each of its digits drawn on the
//                                  pad once more (seed 5): an experiment of docs/not-a-digit.md
//   data/outliers/glyphs.csv       TRAINING outliers: letters and symbols in 14 other fonts
//   data/outliers/fashion.csv      TRAINING outliers: 20,000 Fashion-MNIST images through preprocess
//   data/outliers/mix.csv          the glyphs and the first 8,000 of those images: what
//                                  `digits train --outlier-data` is given in the experiments
//   data/outliers/glyphs-more.csv  TRAINING outliers: the same in 25 more fonts
//   data/outliers/mix-more.csv     glyphs.csv, glyphs-more.csv and 8,000 Fashion-MNIST images
//   data/outliers/glyphs-wide.csv  (--wide) TRAINING outliers, of which the recipe reads the symbols:
//                                  the letters and symbols in 9 more fonts, and 1,388 more characters of wider Unicode ranges (arrows, operators,
//                                  shapes, dingbats, currency, Greek, Cyrillic, ...) in every
//                                  training font that has them, twice each
//   data/outliers/glyphs-wide-index.csv  (--wide) its rows' category (letter or symbol), family, font,
//                                  char: outlier-strokes.mjs --wide-symbols leaves out the letters by it
//
// Needs Debian's font packages and dataset-fashion-mnist (the apt-get line below; `bash
// scripts/setup.sh data` installs them with the wider set's), Chromium (tests/e2e), and
// data/train.csv, data/holdout.csv (npm run data). --wide also needs the fonts of its apt-get
// line and fontconfig's fc-query.
// Usage: node scripts/outlier-data.mjs [--force] [--with-drawn-fit] [--wide]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { readCsv } from '../tests/wasm/load.mjs';
import { CONVENTIONS, makeRng, randomStyle, renderDigit, toImageData } from '../tests/wasm/drawn.mjs';
import { preprocess } from '../web/preprocess.js';
import { csvText, write } from './outliers/csv.mjs';
import { DIGIT_LIKE, EVAL_FONTS, FONT_PACKAGES, LETTERS, MORE_TRAIN_FONTS, SYMBOLS, TRAIN_FONTS, WIDE_CHARS, WIDE_FONT_PACKAGES, WIDE_FONTS } from './outliers/glyphs.mjs';
import { openRenderer } from './outliers/render.mjs';
import { SHAPE_FAMILIES, handDrawn } from './outliers/shapes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = path.join(root, 'data');
const FASHION = '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz';
export const APT = `apt-get install -y ${[...FONT_PACKAGES, 'dataset-fashion-mnist'].join(' ')}`;
export const APT_WIDE = `apt-get install -y ${[...WIDE_FONT_PACKAGES, 'fontconfig'].join(' ')}`;

const SHAPES_PER_FAMILY = 60;
const EVAL_RENDERINGS = 2;   // of each character in each evaluation font
const TRAIN_RENDERINGS = 8;  // of each character in each training font
const WIDE_RENDERINGS = 2;   // of each wider-range character in each training font that has it: many characters, few copies
const FASHION_COUNT = 20000;
const CALIB_FRACTION = 0.1;

const pick = (rng, list) => list[Math.floor(rng() * list.length)];
const colour = (rng) => [Math.floor(rng() * 200), Math.floor(rng() * 200), Math.floor(rng() * 256)];

function glyphSpecs(fonts, chars, renderings, seed) {
  const rng = makeRng(seed), specs = [];
  for (const font of fonts) {
    for (const char of chars) {
      for (let r = 0; r < renderings; r++) {
        specs.push({ kind: 'glyph', family: font.family, char, size: 60 + rng() * 200, x: rng(), y: rng(),
          angle: (rng() - 0.5) * 0.4, convention: pick(rng, CONVENTIONS), colour: colour(rng),
          meta: { category: DIGIT_LIKE.includes(char) ? 'digit-like' : LETTERS.includes(char) || (!SYMBOLS.includes(char) && /\p{L}/u.test(char)) ? 'letter' : 'symbol', family: char, font: font.family, char } });
      }
    }
  }
  return specs;
}

/** The characters of `chars` that the font file itself maps (fontconfig's fc-query): the page's check
 * for a missing glyph compares two fallbacks, which agree when one font is every family's fallback. */
function inFont(font, chars) {
  const ranges = execFileSync('fc-query', ['--format=%{charset}', font.file], { encoding: 'utf8' }).trim().split(/\s+/)
    .map((r) => r.split('-').map((h) => parseInt(h, 16)));
  return chars.filter((c) => ranges.some(([a, b = a]) => c.codePointAt(0) >= a && c.codePointAt(0) <= b));
}

const SCRIBBLES = new Set(['tangle', 'hatching', 'loops', 'crossedOut']);

function shapeSpecs(seed) {
  const rng = makeRng(seed), specs = [];
  for (const [name, make] of Object.entries(SHAPE_FAMILIES)) {
    for (let i = 0; i < SHAPES_PER_FAMILY; i++) {
      const drawn = handDrawn(make(rng), rng);
      specs.push({ kind: 'strokes', ...drawn, convention: pick(rng, CONVENTIONS), colour: colour(rng),
        meta: { category: SCRIBBLES.has(name) ? 'scribble' : 'shape', family: name, font: '', char: '' } });
    }
  }
  return specs;
}

async function renderSet(renderer, specs) {
  const images = await renderer.render(specs.map(({ meta, ...s }) => s));
  const kept = [], meta = [];
  images.forEach((img, i) => { if (img) { kept.push(img); meta.push(specs[i].meta); } });
  return { images: kept, meta, missing: images.length - kept.length };
}

function indexText(meta) {
  const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return `row,category,family,font,char\n${meta.map((m, i) => [i + 1, m.category, q(m.family), q(m.font), q(m.char)].join(',')).join('\n')}\n`;
}

/** The hold-out (or any labelled rows) drawn on the pad `times` times each, through preprocess. */
function drawnDigits(rows, seed, times) {
  const rng = makeRng(seed), images = [], labels = [];
  for (let k = 0; k < times * rows.length; k++) {
    const row = rows[k % rows.length];
    const x = preprocess(renderDigit(Float32Array.from(row.pixels, (v) => v / 255), randomStyle(rng)));
    images.push(Uint8Array.from(x, (v) => Math.round(v * 255)));
    labels.push(row.label);
  }
  return { images, labels };
}

/** Stratified split: CALIB_FRACTION of each digit (rounded up) to calibration, by a seeded shuffle. */
function split(rows, seed) {
  const rng = makeRng(seed), fit = [], calib = [];
  for (let d = 0; d < 10; d++) {
    const of = rows.filter((r) => r.label === d);
    for (let i = of.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [of[i], of[j]] = [of[j], of[i]];
    }
    const n = Math.ceil(CALIB_FRACTION * of.length);
    calib.push(...of.slice(0, n));
    fit.push(...of.slice(n));
  }
  return { fit, calib };
}

function fashion(count, seed) {
  const bytes = zlib.gunzipSync(fs.readFileSync(FASHION));
  const n = bytes.readUInt32BE(4), offset = 16, rng = makeRng(seed), out = [];
  const chosen = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) { // a partial Fisher-Yates: count distinct images
    const j = i + Math.floor(rng() * (n - i));
    [chosen[i], chosen[j]] = [chosen[j], chosen[i]];
    const src = bytes.subarray(offset + chosen[i] * 784, offset + (chosen[i] + 1) * 784);
    const cover = Float32Array.from(src, (v) => v / 255);
    const x = preprocess(toImageData(cover, 28, 28, 'colour-on-transparent'));
    out.push(Uint8Array.from(x, (v) => Math.round(v * 255)));
  }
  return out;
}

async function main() {
  const force = process.argv.includes('--force');
  const wide = process.argv.includes('--wide');
  const fonts = [...TRAIN_FONTS, ...MORE_TRAIN_FONTS, ...EVAL_FONTS, ...(wide ? WIDE_FONTS : [])];
  const missing = [...fonts.filter((f) => !fs.existsSync(f.file)).map((f) => f.file), ...(fs.existsSync(FASHION) ? [] : [FASHION])];
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run ${wide ? `${APT} ${APT_WIDE.replace('apt-get install -y ', '')}` : APT} (or: bash scripts/setup.sh data)`);
  const train = readCsv(path.join(data, 'train.csv')), holdout = readCsv(path.join(data, 'holdout.csv'));
  const done = (f) => !force && fs.existsSync(path.join(data, f));

  if (!done('oe/calib-drawn.csv')) {
    const { fit, calib } = split(train, 1);
    write(path.join(data, 'oe/fit.csv'), csvText(fit.map((r) => r.pixels), fit.map((r) => r.label)));
    write(path.join(data, 'oe/calib.csv'), csvText(calib.map((r) => r.pixels), calib.map((r) => r.label)));
    const drawn = drawnDigits(calib, 2, 2);
    write(path.join(data, 'oe/calib-drawn.csv'), csvText(drawn.images, drawn.labels));
  }
  if (process.argv.includes('--with-drawn-fit') && !done('oe/fit-plus-drawn.csv')) {
    const fit = readCsv(path.join(data, 'oe/fit.csv')), drawn = drawnDigits(fit, 5, 1);
    write(path.join(data, 'oe/fit-plus-drawn.csv'),
      csvText([...fit.map((r) => r.pixels), ...drawn.images], [...fit.map((r) => r.label), ...drawn.labels]));
  }
  if (!done('eval/drawn-holdout.csv')) {
    const drawn = drawnDigits(holdout, 1, 2);
    write(path.join(data, 'eval/drawn-holdout.csv'), csvText(drawn.images, drawn.labels));
  }
  if (!done('outliers/fashion.csv')) write(path.join(data, 'outliers/fashion.csv'), csvText(fashion(FASHION_COUNT, 3)));

  if (!done('eval/nondigits.csv') || !done('outliers/glyphs.csv') || !done('eval/digitlike.csv')) {
    const renderer = await openRenderer([...TRAIN_FONTS, ...EVAL_FONTS]);
    try {
      const evalSet = await renderSet(renderer, [...glyphSpecs(EVAL_FONTS, [...LETTERS, ...SYMBOLS], EVAL_RENDERINGS, 11), ...shapeSpecs(12)]);
      write(path.join(data, 'eval/nondigits.csv'), csvText(evalSet.images));
      write(path.join(data, 'eval/nondigits-index.csv'), indexText(evalSet.meta));
      console.log(`  ${evalSet.images.length} drawings (${evalSet.missing} glyphs missing from their font, left out)`);
      const like = await renderSet(renderer, glyphSpecs(EVAL_FONTS, DIGIT_LIKE, EVAL_RENDERINGS, 13));
      write(path.join(data, 'eval/digitlike.csv'), csvText(like.images));
      write(path.join(data, 'eval/digitlike-index.csv'), indexText(like.meta));
      const glyphs = await renderSet(renderer, glyphSpecs(TRAIN_FONTS, [...LETTERS, ...SYMBOLS], TRAIN_RENDERINGS, 14));
      write(path.join(data, 'outliers/glyphs.csv'), csvText(glyphs.images));
      console.log(`  ${glyphs.images.length} training glyphs (${glyphs.missing} missing from their font, left out)`);
    } finally {
      await renderer.close();
    }
  }
  if (!done('outliers/glyphs-more.csv')) {
    const renderer = await openRenderer(MORE_TRAIN_FONTS);
    try {
      const more = await renderSet(renderer, glyphSpecs(MORE_TRAIN_FONTS, [...LETTERS, ...SYMBOLS], TRAIN_RENDERINGS, 15));
      write(path.join(data, 'outliers/glyphs-more.csv'), csvText(more.images));
      console.log(`  ${more.images.length} more training glyphs (${more.missing} missing from their font, left out)`);
    } finally {
      await renderer.close();
    }
  }
  if (wide && !done('outliers/glyphs-wide.csv')) {
    const fonts = [...TRAIN_FONTS, ...MORE_TRAIN_FONTS, ...WIDE_FONTS], renderer = await openRenderer(fonts);
    try {
      const set = await renderSet(renderer, [...glyphSpecs(WIDE_FONTS, [...LETTERS, ...SYMBOLS], TRAIN_RENDERINGS, 16),
        ...fonts.flatMap((font, i) => glyphSpecs([font], inFont(font, WIDE_CHARS), WIDE_RENDERINGS, 170 + i))]);
      write(path.join(data, 'outliers/glyphs-wide.csv'), csvText(set.images));
      write(path.join(data, 'outliers/glyphs-wide-index.csv'), indexText(set.meta));
      console.log(`  ${set.images.length} wider training glyphs (${set.missing} missing from their font, left out)`);
    } finally {
      await renderer.close();
    }
  }
  if (!done('outliers/mix.csv')) {
    const glyphs = fs.readFileSync(path.join(data, 'outliers/glyphs.csv'), 'utf8').trimEnd().split('\n');
    const clothes = fs.readFileSync(path.join(data, 'outliers/fashion.csv'), 'utf8').trimEnd().split('\n').slice(1, 8001);
    write(path.join(data, 'outliers/mix.csv'), `${[...glyphs, ...clothes].join('\n')}\n`);
  }
  if (!done('outliers/mix-more.csv')) {
    const lines = (f) => fs.readFileSync(path.join(data, f), 'utf8').trimEnd().split('\n');
    const rows = [...lines('outliers/glyphs.csv'), ...lines('outliers/glyphs-more.csv').slice(1), ...lines('outliers/fashion.csv').slice(1, 8001)];
    write(path.join(data, 'outliers/mix-more.csv'), `${rows.join('\n')}\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`outlier-data: ${e.message}`);
    process.exit(1);
  });
}

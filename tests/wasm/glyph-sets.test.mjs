// The characters and fonts of the non-digit sets (scripts/outliers/glyphs.mjs): the wider training
// set keeps the rule of docs/not-a-digit.md (nothing a person reads as a digit) and keeps the
// evaluation fonts out; its symbols-only file (scripts/outlier-strokes.mjs --wide-symbols) leaves
// out its letters and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIGIT_LIKE, EVAL_FONTS, LETTERS, MORE_TRAIN_FONTS, SYMBOLS, TRAIN_FONTS, WIDE_CHARS, WIDE_FONTS } from '../../scripts/outliers/glyphs.mjs';
import { wideOutlierRows, wideSymbolRows } from '../../scripts/outlier-strokes.mjs';
import { csvText } from '../../scripts/outliers/csv.mjs';
import { renderStrokes } from '../../web/strokes.js';

test('the wider characters are new, single characters, none a number of any script', () => {
  assert.equal(new Set(WIDE_CHARS).size, WIDE_CHARS.length);
  assert.deepEqual(WIDE_CHARS.filter((c) => [...c].length !== 1 || /\p{N}/u.test(c)), []);
  assert.deepEqual(WIDE_CHARS.filter((c) => LETTERS.includes(c) || SYMBOLS.includes(c) || DIGIT_LIKE.includes(c)), []);
  // numbers inside the ranges taken: superscripts, fractions, circled digits, roman numerals
  for (const c of '¹²³¼½➀❶Ⅻⅳ') assert.ok(!WIDE_CHARS.includes(c), c);
});

test('the wider characters leave out shapes read as digits, and keep the plain symbols', () => {
  for (const c of '○◯●⚪∞∂ðøЗзбЧчΟοΙιΖζδσ|∣‖❘↾↿⏸()[]⟦⟧❨❩·•‘’′″!¡❗וסט') assert.ok(!WIDE_CHARS.includes(c), c);
  for (const c of '↔⇒∀∑≠⊕■▲☀☂✂✈₽ЖΨא') assert.ok(WIDE_CHARS.includes(c), c);
});

test('no training font is an evaluation font', () => {
  const evaluation = new Set(EVAL_FONTS.flatMap((f) => [f.family, f.file]));
  const training = [...TRAIN_FONTS, ...MORE_TRAIN_FONTS, ...WIDE_FONTS];
  assert.deepEqual(training.filter((f) => evaluation.has(f.family) || evaluation.has(f.file)), []);
  assert.equal(new Set(training.map((f) => f.file)).size, training.length);
});

// Six small glyphs drawn as strokes, as a wide set of letters and symbols would be, and three rows
// standing for outliers3.csv's.
const line = (points) => Uint8Array.from(renderStrokes([points.map(([x, y]) => ({ x, y }))]), (v) => Math.round(v * 255));
const GLYPHS = [
  [[0, 0], [5, 10], [10, 0]], [[0, 5], [10, 5]], [[0, 0], [10, 10]], [[0, 10], [5, 0], [10, 10], [0, 10]],
  [[0, 0], [10, 0], [5, 10]], [[0, 10], [0, 0], [10, 0]],
].map((points) => ({ label: null, pixels: line(points) }));
const CATEGORIES = ['letter', 'symbol', 'symbol', 'letter', 'symbol', 'letter'];
const OLD = csvText([0, 1, 2].map((i) => Uint8Array.from({ length: 784 }, (_, j) => (j === 100 * i ? 255 : 0)))).trimEnd().split('\n').slice(1);

test('the symbols-only outliers keep every old row and each symbol as rendered and traced, and no letter', () => {
  const wide = wideOutlierRows(GLYPHS);
  const n = GLYPHS.length, passes = wide.length / n - 1;
  assert.equal(wide.length % n, 0);
  assert.ok(passes >= 1);
  // the wide rows: each glyph as rendered, then every glyph traced, pass after pass
  assert.deepEqual(wide.slice(0, n), GLYPHS.map((g) => Array.from(g.pixels).join(',')));
  const ofGlyph = (g) => Array.from({ length: 1 + passes }, (_, p) => wide[p * n + g]);
  const kept = wideSymbolRows([...OLD, ...wide], OLD.length, CATEGORIES);
  const symbols = CATEGORIES.flatMap((c, g) => (c === 'letter' ? [] : [g]));
  assert.deepEqual(kept.slice(0, OLD.length), OLD);
  assert.equal(kept.length, OLD.length + (1 + passes) * symbols.length);
  for (const g of symbols) for (const row of ofGlyph(g)) assert.ok(kept.includes(row), `symbol ${g}`);
  for (const [g, c] of CATEGORIES.entries()) if (c === 'letter') for (const row of ofGlyph(g)) assert.ok(!kept.includes(row), `letter ${g}`);
  // in outliers4.csv's order
  assert.deepEqual(kept, [...OLD, ...wide].filter((row) => kept.includes(row)));
});

test('the symbols-only outliers are the same on every run', () => {
  const once = wideSymbolRows([...OLD, ...wideOutlierRows(GLYPHS)], OLD.length, CATEGORIES);
  assert.deepEqual(wideSymbolRows([...OLD, ...wideOutlierRows(GLYPHS)], OLD.length, CATEGORIES), once);
});

test('an outliers4.csv that does not match the wide index is refused, naming both files', () => {
  const rows = [...OLD, ...wideOutlierRows(GLYPHS)];
  assert.throws(() => wideSymbolRows(rows.slice(1), OLD.length, CATEGORIES), /outliers4\.csv has 26 rows.*glyphs-wide-index\.csv: delete it/);
  assert.throws(() => wideSymbolRows(rows, OLD.length, CATEGORIES.slice(1)), /outliers4\.csv/);
});

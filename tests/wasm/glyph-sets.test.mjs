// The characters and fonts of the non-digit sets (scripts/outliers/glyphs.mjs): the wider training
// set keeps the rule of docs/not-a-digit.md (nothing a person reads as a digit) and keeps the
// evaluation fonts out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIGIT_LIKE, EVAL_FONTS, LETTERS, MORE_TRAIN_FONTS, SYMBOLS, TRAIN_FONTS, WIDE_CHARS, WIDE_FONTS } from '../../scripts/outliers/glyphs.mjs';

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

// defaults.js: the in-browser training's option defaults and limits, in one place for the page
// (form fields) and the worker and tests (web/training.js). Plain data, no DOM.
//
//   import { TRAINING_DEFAULTS, TRAINING_LIMITS, checkTrainingOptions } from './defaults.js';
//   checkTrainingOptions({ hidden: 64 })  // -> all options, defaults filled in; throws naming a bad one

/** What the page's Start button trains with: a run of seconds on the bundled data, with
 * augmentation because without it the network overfits so few digits. */
export const TRAINING_DEFAULTS = Object.freeze({
  hidden: 256,       // hidden units H (784-H-10), as the default model
  epochs: 20,        // passes over the training rows
  lr: 0.002,         // Adam's peak learning rate (cosine decay to 2% of it)
  batch: 32,         // minibatch size
  augment: true,     // random distortions of the training images (rotate, scale, shear, shift, warp)
  outliers: true,    // outlier exposure: also shown things that are not digits (OUTLIERS below)
  seed: 1,           // weights, shuffling, augmentation and the validation split
});

/** Outlier exposure in the page (src/outlier.h, docs/not-a-digit.md): every batch also holds
 * `share` non-digits per digit, trained as a background class, so that the model's logsumexp
 * says whether a drawing is a digit at all. They are glyphs the worker draws with the browser's
 * fonts (web/outlier-glyphs.js, `glyphs` of them), `external` times as often as each of the six
 * kinds C generates (three quarters glyphs: half glyphs, or one outlier per digit, let more
 * non-digits through in the measurement of docs/not-a-digit.md). */
export const OUTLIERS = Object.freeze({ share: 0.5, glyphs: 3000, external: 18 });

/** Fine-tuning the model in use on the user's own digits (web/training.js fineTune): their
 * digits, repeated so they make up `share` of every epoch, mixed with the data the model was trained
 * on, for a few epochs at a low learning rate from the current weights: low enough that the
 * hold-out barely moves, high enough that what the user taught wins (tests/e2e/teach: a drawn 7
 * taught as a 1). Distorting the images made both the hold-out and the gain worse, so it is off. */
export const FINETUNE_DEFAULTS = Object.freeze({
  epochs: 3,         // passes over the mix
  lr: 0.0002,        // Adam's peak learning rate (cosine decay to 2% of it)
  batch: 32,
  augment: false,
  seed: 1,
  share: 0.25,       // the user's digits' part of each epoch
});

/** At most this many copies of each of the user's digits per epoch, however few there are. */
export const FINETUNE_MAX_REPEATS = 40;

/** Allowed ranges; `step` is the form field's granularity. */
export const TRAINING_LIMITS = Object.freeze({
  hidden: Object.freeze({ min: 1, max: 1024, step: 1, label: 'hidden units' }),
  epochs: Object.freeze({ min: 1, max: 200, step: 1, label: 'epochs' }),
  lr: Object.freeze({ min: 0.00001, max: 1, step: 0.00001, label: 'learning rate' }),
  batch: Object.freeze({ min: 1, max: 1024, step: 1, label: 'batch size' }),
});

/** Share of a user's CSV set aside (stratified) for validation. The bundled set has its hold-out. */
export const VALIDATION_FRACTION = 0.1;

/** The share of validation digits a trained or fine-tuned model's "not a digit" threshold accepts
 * (its calibration.txt, src/calibration.h). */
export const CALIBRATION_ACCEPT = 0.995;

/** The bundled data, gzipped into the site's assets by scripts/build-site.mjs. */
export const BUNDLED_DATA = Object.freeze({ train: 'data/train.csv.gz', validation: 'data/holdout.csv.gz' });
/** The data source that names the bundled digits (the other: { kind: 'file', file }). */
export const BUNDLED_SOURCE = Object.freeze({ kind: 'bundled' });

/** Pacing of the training loop in the worker. */
export const STEP_MILLISECONDS = 30;      // aim for this much work per call into wasm
export const PROGRESS_MILLISECONDS = 100; // report at most this often (plus every epoch's end)

/** Misclassified validation digits kept for the gallery. */
export const MISCLASSIFIED_SHOWN = 48;

/** Checks and completes fine-tuning options; throws an Error naming the first bad one. */
export function checkFineTuneOptions(options = {}) {
  const out = { ...FINETUNE_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(key in FINETUNE_DEFAULTS)) throw new Error(`unknown fine-tuning option '${key}'`);
    out[key] = value;
  }
  const { share, ...training } = out;
  if (typeof share !== 'number' || !(share > 0 && share <= 0.9)) throw new Error(`share: '${share}' is not a number in (0, 0.9]`);
  // the model's own size stays; outliers as the model was trained (web/training.js fineTune)
  const { hidden, outliers, ...checked } = checkTrainingOptions(training);
  return { ...checked, share };
}

/** How many copies of each of `personal` digits make them `share` of an epoch over them and
 * `base` other digits: at least 1, at most FINETUNE_MAX_REPEATS. */
export function personalRepeats(base, personal, share) {
  if (!(personal > 0)) return 0;
  const wanted = Math.round((share / (1 - share)) * base / personal);
  return Math.min(FINETUNE_MAX_REPEATS, Math.max(1, wanted));
}

/** Checks and completes training options; throws an Error naming the first bad field. */
export function checkTrainingOptions(options = {}) {
  const out = { ...TRAINING_DEFAULTS };
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(key in TRAINING_DEFAULTS)) throw new Error(`unknown training option '${key}'`);
    out[key] = value;
  }
  for (const [key, { min, max, label }] of Object.entries(TRAINING_LIMITS)) {
    const v = out[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${label}: '${v}' is not a number`);
    if (key !== 'lr' && !Number.isInteger(v)) throw new Error(`${label}: ${v} is not a whole number`);
    if (v < min || v > max) throw new Error(`${label}: ${v} is outside ${min}..${max}`);
  }
  for (const key of ['augment', 'outliers']) {
    if (typeof out[key] !== 'boolean') throw new Error(`${key}: '${out[key]}' is not true or false`);
  }
  if (!Number.isInteger(out.seed) || out.seed < 0 || out.seed > 0xffffffff) throw new Error(`seed: ${out.seed} is not 0..4294967295`);
  return out;
}

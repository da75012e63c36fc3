// defaults.js: the in-browser training's option defaults and limits, in one place for the page
// (form fields) and the worker and tests (web/training.js). Plain data, no DOM.
//
//   import { TRAINING_DEFAULTS, TRAINING_LIMITS, checkTrainingOptions } from './defaults.js';
//   checkTrainingOptions({ hidden: 64 })  // -> all options, defaults filled in; throws naming a bad one

/** What the page's Start button trains with. On the bundled data (8,995 rows, 1,005 to validate)
 * these reach 97% validation accuracy in about 10 s of a 2-core machine's time in Chromium; without
 * augmentation the network overfits at about 95-96%. */
export const TRAINING_DEFAULTS = Object.freeze({
  hidden: 256,       // hidden units H (784-H-10), as the default model
  epochs: 20,        // passes over the training rows
  lr: 0.002,         // Adam's peak learning rate (cosine decay to 2% of it)
  batch: 32,         // minibatch size
  augment: true,     // random distortions of the training images (rotate, scale, shear, shift, warp)
  seed: 1,           // weights, shuffling, augmentation and the validation split
});

/** Allowed ranges; `step` is the form field's granularity. */
export const TRAINING_LIMITS = Object.freeze({
  hidden: Object.freeze({ min: 1, max: 1024, step: 1, label: 'hidden units' }),
  epochs: Object.freeze({ min: 1, max: 200, step: 1, label: 'epochs' }),
  lr: Object.freeze({ min: 0.00001, max: 1, step: 0.00001, label: 'learning rate' }),
  batch: Object.freeze({ min: 1, max: 1024, step: 1, label: 'batch size' }),
});

/** Share of a user's CSV set aside (stratified) for validation. The bundled set has its hold-out. */
export const VALIDATION_FRACTION = 0.1;

/** The bundled data, gzipped into the site's assets by scripts/build-site.mjs. */
export const BUNDLED_DATA = Object.freeze({ train: 'data/train.csv.gz', validation: 'data/holdout.csv.gz' });

/** Pacing of the training loop in the worker. */
export const STEP_MILLISECONDS = 30;      // aim for this much work per call into wasm
export const PROGRESS_MILLISECONDS = 100; // report at most this often (plus every epoch's end)

/** Misclassified validation digits kept for the gallery. */
export const MISCLASSIFIED_SHOWN = 48;

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
  if (typeof out.augment !== 'boolean') throw new Error(`augment: '${out.augment}' is not true or false`);
  if (!Number.isInteger(out.seed) || out.seed < 0 || out.seed > 0xffffffff) throw new Error(`seed: ${out.seed} is not 0..4294967295`);
  return out;
}

// The default model's training recipe: the one place its settings live. Used by
// scripts/train-model.mjs (which trains model/) and scripts/cross-validate.mjs (which checks
// the recipe on other splits of the data).
export const RECIPE = {
  hidden: 600,
  epochs: 200,
  batch: 64,
  optimizer: 'adam',
  lr: 0.002,
  schedule: 'cosine',
  'lr-final': 0.02,
  'weight-decay': 0.05,
  seed: 1,
  // augmentation, applied afresh to every image in every epoch (see src/augment.h)
  rotate: 12,
  scale: 0.12,
  shear: 0.2,
  translate: 2.5,
  'elastic-alpha': 1.2,
  'elastic-sigma': 4.5,
  thickness: 0.5,
  // storage: float16 halves the download; accuracy is measured on the stored weights
  dtype: 'f16',
  // W1 on the integer grid of 7-bit whole numbers (src/quant.h: up to 63 times a power of two per
  // unit): the page's first layer then runs in exact integer arithmetic, float16 holds the grid
  // points exactly, and the page downloads W1 packed in about a third of float16's bytes
  // (docs/model-pack.md); the hold-out and cross-validated accuracy are those of the finest grid
  'grid-bits': 7,
};

/** The recipe as `digits train` arguments (true is a flag without a value; false leaves it out). */
export function recipeArgs(recipe = RECIPE) {
  return Object.entries(recipe).flatMap(([key, value]) =>
    value === true ? [`--${key}`] : value === false ? [] : [`--${key}`, String(value)]);
}

// "Not a digit" (docs/not-a-digit.md): after the recipe, a short second training from its model with
// outlier exposure: non-digit images mixed into every batch as an eleventh, background class, for a
// few epochs only, so the digits keep what the first training taught. Its digits are the
// first training's and each of them traced to strokes and drawn three times as the page reads
// them; its outliers, three per digit, are glyphs (as rendered, and traced to strokes and drawn
// three times: the letters and symbols of 39 fonts, and the symbols, not the letters, of 9 more
// fonts and of wider Unicode ranges) and clothes (scripts/outlier-strokes.mjs --training
// --wide-symbols), 40 of 49 of them, so that the 39 fonts' glyphs and the clothes come about as
// often as at two per digit without the wider ones, and the C generators' scribbles, polygons,
// pictograms and digit fragments. Each batch draws four times its outliers and trains on the most
// digit-like, the top 5% skipped (outlier mining: the ones the model still takes for digits, less
// those that may be digits after all). The rest of RECIPE (optimiser, distortions, storage)
// carries over. null: none.
export const OUTLIER_FINETUNE = {
  data: 'data/strokes/fit-plus3.csv',
  epochs: 30,
  lr: 0.002,
  outliers: 3,
  'outlier-data': 'data/strokes/outliers4sym.csv',
  'outlier-weights': '1,1,1,1,3,1,1,40',
  'outlier-mining': 4,
  'outlier-mining-skip': 0.05,
  'background-logit': 0,
};

// The calibration (calibration.txt), fitted on the 10% of data/train.csv held out of both trainings
// (data/oe/calib.csv): the threshold accepts this share of those digits drawn as strokes and read as
// the page reads them (data/strokes/calib.csv, scripts/outlier-strokes.mjs); the temperature is
// fitted on them both as they are and as drawn (data/strokes/calib-both.csv), for the probabilities
// are shown for both kinds of input.
export const CALIBRATION = { calibrate: 'data/strokes/calib.csv', 'temperature-data': 'data/strokes/calib-both.csv', accept: 0.985 };

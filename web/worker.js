// worker.js: in-browser training, off the page's thread (a module Worker with its own instance
// of the WebAssembly module). The page talks to it through web/trainer-client.js.
//
// Protocol (every request carries an id; every answer repeats it):
//   page -> worker   { type: 'load', id, source: { kind: 'bundled' } | { kind: 'file', file: File } }
//                    { type: 'train', id, options: { hidden, epochs, lr, batch, augment, outliers, seed }, compare }
//                      (outliers: also trains on things that are not digits, glyphs this worker draws with
//                      the browser's fonts among them (web/outlier-glyphs.js); result.outlierGlyphs: how many)
//                      (compare, optional: a model's four .npy files; result.compared is its
//                      accuracy on the same validation digits, null without it)
//                    { type: 'finetune', id, model: { 'W1.npy': Uint8Array, ... }, samples: { pixels, labels },
//                      options: { epochs, lr, batch, augment, seed, share }, data: source }
//                      (fine-tunes that model on the samples mixed with the data it was trained on:
//                      source as for 'load', the bundled digits if absent, or if the file cannot be
//                      read again; it parses them first, reporting 'parse' messages. The result adds
//                      base: { name, validation, fallback } (fallback: why the file was not used).
//                      A model trained with outliers is fine-tuned with them. See Training.fineTune)
//   worker -> page   { type: 'parse', id, part: 'train' | 'validation', name, bytes, total, rows, done }
//                    { type: 'loaded', id, info: { name, count, trainCount, validationCount, validation,
//                                                  perClass, samples: [{ label, pixels }] } }
//                    { type: 'progress', id, progress }        (see Training.train in training.js)
//                    { type: 'result', id, result }            (result.files: the four .npy files and calibration.txt)
//                    { type: 'error', id, message }
//                    { type: 'stopped', id, message }          (this worker cannot go on: end it)
//                    { type: 'alive' }                         (it holds the lock named self.name)
// 'parse', 'progress', 'loaded' and 'result' also carry memory: the WebAssembly heap's size in bytes.
// Requests run one at a time, in order. A failed load keeps the data loaded before it (unless the
// worker stops). Cancel is the page terminating this worker.
//
// Death: after a WebAssembly trap or abort, or running out of memory, this worker says 'stopped'
// and takes no more requests, for the page to end it: its module may be broken, and its grown
// memory is only given back when it ends. An uncaught error reaches the page as the Worker's
// 'error' event. Any other end (self.close(), the browser killing it) releases the lock it holds
// for its whole life, which the page waits for (trainer-client.js).
import createDigitsModule from './digits_wasm.js';
import {
  BUNDLED_DATA, OUTLIERS, TRAINING_DEFAULTS, VALIDATION_FRACTION, checkFineTuneOptions, checkTrainingOptions,
} from './defaults.js';
import { CANVAS, glyphSpecs, renderGlyphs } from './outlier-glyphs.js';
import { knowsNonDigits, Training } from './training.js';
import { fetchWasm } from './wasm.js';

let training = null;
let data = null;    // { train, validation, info }: the data the next run trains on
let bundled = null; // the bundled digits once parsed (data may be them), kept for fine-tuning
let glyphs = null;  // { seed, images }: the outlier glyphs drawn for that seed (images: a Dataset or null)
let queue = Promise.resolve();
let current = null; // the id of the request being handled
let stopped = false;

if (self.name && self.navigator.locks) {
  self.navigator.locks.request(self.name, () => {
    self.postMessage({ type: 'alive' });
    return new Promise(() => {}); // held until this worker ends
  });
}

self.addEventListener('message', ({ data: request }) => {
  queue = queue.then(() => handle(request));
});

async function handle(request) {
  const { id } = request;
  if (stopped) return;
  current = id;
  try {
    training ??= await Training.create(createDigitsModule, await fetchWasm(new URL('./digits_wasm.wasm', import.meta.url)), {
      onAbort: (what) => stop(`the WebAssembly module failed (${what})`),
    });
    if (request.type === 'load') await load(id, request.source);
    else if (request.type === 'train') await train(id, request.options, request.compare);
    else if (request.type === 'finetune') await fineTune(id, request);
    else throw new Error(`unknown request '${request.type}'`);
  } catch (err) {
    const fatal = fatalError(err);
    if (fatal) stop(fatal);
    else self.postMessage({ type: 'error', id, message: err.message });
  }
}

// Why this worker cannot go on after err, or null if err is an ordinary error (bad input, say).
function fatalError(err) {
  if (err instanceof WebAssembly.RuntimeError) return `the WebAssembly module failed (${err.message})`;
  if (/out of memory|allocation failed/i.test(err.message)) return `it ran out of memory (${err.message})`;
  return null;
}

// Tells the page why this worker cannot go on (the page then ends it).
function stop(reason) {
  if (stopped) return;
  stopped = true;
  self.postMessage({ type: 'stopped', id: current, message: reason });
}

// Posts an answer with the WebAssembly heap's size.
function post(message, transfer) {
  self.postMessage({ ...message, memory: training?.mod.HEAPU8.length ?? 0 }, transfer);
}

async function load(id, source) {
  const loaded = source.kind === 'bundled' ? await loadBundled(id)
    : source.kind === 'file' ? await loadFile(id, source.file)
      : null;
  if (!loaded) throw new Error(`unknown data source '${source.kind}'`);
  if (data !== loaded) freeData(data);
  data = loaded;
  post({ type: 'loaded', id, info: loaded.info });
}

// A CSV file the person chose, split into training and validation rows (the same split every time).
async function loadFile(id, file) {
  const parts = [];
  try {
    const all = await parse(id, 'train', file.name, file);
    parts.push(all);
    const { train, validation } = training.split(all, VALIDATION_FRACTION, TRAINING_DEFAULTS.seed);
    parts.push(train, validation);
    const info = describe({ train, validation, name: file.name, validationSource: 'split', all });
    all.free();
    return { train, validation, info };
  } catch (err) {
    parts.forEach((part) => part.free());
    throw err;
  }
}

// The bundled digits (train.csv and its hold-out), parsed once and kept.
async function loadBundled(id) {
  if (bundled) return bundled;
  const parts = [];
  try {
    const train = await parse(id, 'train', 'train.csv', await get(BUNDLED_DATA.train));
    parts.push(train);
    const validation = await parse(id, 'validation', 'holdout.csv', await get(BUNDLED_DATA.validation));
    parts.push(validation);
    const loaded = { train, validation, name: 'bundled digits', validationSource: 'hold-out' };
    bundled = { train, validation, info: describe(loaded) };
    return bundled;
  } catch (err) {
    parts.forEach((part) => part.free());
    throw err;
  }
}

function describe(loaded) {
  const summary = (loaded.all ?? loaded.train).summary({ samples: 30 });
  if (loaded.validationSource === 'hold-out') {
    loaded.validation.labels().forEach((label) => summary.perClass[label]++);
    summary.count += loaded.validation.count;
  }
  return {
    name: loaded.name, count: summary.count, perClass: summary.perClass, samples: summary.samples,
    trainCount: loaded.train.count, validationCount: loaded.validation.count, validation: loaded.validationSource,
  };
}

function freeData(old) {
  if (!old || old === bundled) return;
  old.train.free();
  old.validation.free();
}

async function get(path) {
  const url = new URL(path, import.meta.url);
  let response;
  try {
    response = await fetch(url);
  } catch {
    // Offline (or the site unreachable), and not kept from an earlier run.
    throw new Error('the bundled digits could not be downloaded: they need an internet connection once ' +
      '(2 MB), and are kept for offline use after that');
  }
  if (!response.ok) throw new Error(`could not fetch the bundled data ${path}: ${response.status} ${response.statusText}`);
  return response;
}

function parse(id, part, name, source) {
  return training.parseCsv(source, {
    name,
    onProgress: (p) => post({ type: 'parse', id, part, name, ...p }),
  });
}

async function train(id, options, compare) {
  if (!data) throw new Error('no data is loaded');
  const { outliers, seed } = checkTrainingOptions(options); // before drawing glyphs for a run that cannot start
  const outlierImages = outliers ? outlierGlyphs(seed) : null;
  const result = await training.train(data.train, data.validation, options, {
    onProgress: (progress) => post({ type: 'progress', id, progress }), outlierImages,
  });
  result.compared = compare ? training.accuracy(compare, data.validation) : null;
  result.outlierGlyphs = outlierImages?.count ?? 0;
  postResult(id, result);
}

// The glyphs this worker draws as outliers for a seed (drawn once, kept), as a Dataset; null
// where a worker has no OffscreenCanvas (training then uses C's generated outliers alone).
function outlierGlyphs(seed) {
  if (glyphs?.seed === seed) return glyphs.images;
  glyphs?.images?.free();
  glyphs = null;
  let images = null;
  if (typeof OffscreenCanvas === 'function') {
    const { pixels, count } = renderGlyphs(glyphSpecs(OUTLIERS.glyphs, seed), new OffscreenCanvas(CANVAS, CANVAS));
    if (count) images = training.images(pixels);
  }
  glyphs = { seed, images };
  return images;
}

async function fineTune(id, { model, samples, options, data: source }) {
  const { base, fallback } = await fineTuneBase(id, source);
  const mine = training.fromPixels(samples.pixels, samples.labels);
  try {
    const result = await training.fineTune(model, mine, base.train, base.validation, options, {
      onProgress: (progress) => post({ type: 'progress', id, progress }),
      outlierImages: knowsNonDigits(model) ? outlierGlyphs(checkFineTuneOptions(options).seed) : null,
    });
    result.base = { name: base.info.name, validation: base.info.validation, fallback };
    postResult(id, result);
  } finally {
    mine.free();
    freeData(base);
  }
}

// The data a model was trained on, to mix into its fine-tuning so that it forgets nothing: the
// person's file, read again, or the bundled digits. A file that cannot be read or parsed any more
// (moved, deleted, changed) falls back to the bundled digits, saying why.
async function fineTuneBase(id, source) {
  if (source?.kind !== 'file') return { base: await loadBundled(id), fallback: null };
  try {
    return { base: await loadFile(id, source.file), fallback: null };
  } catch (err) {
    if (fatalError(err)) throw err;
    return { base: await loadBundled(id), fallback: `${source.file.name} could not be read again (${err.message})` };
  }
}

function postResult(id, result) {
  const transfer = [...Object.values(result.files), ...result.misclassified.map((m) => m.pixels)].map((a) => a.buffer);
  post({ type: 'result', id, result }, transfer);
}

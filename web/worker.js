// worker.js: in-browser training, off the page's thread (a module Worker with its own instance
// of the WebAssembly module). The page talks to it through web/trainer-client.js.
//
// Protocol (every request carries an id; every answer repeats it):
//   page -> worker   { type: 'load', id, source: { kind: 'bundled' } | { kind: 'file', file: File } }
//                    { type: 'train', id, options: { hidden, epochs, lr, batch, augment, seed } }
//   worker -> page   { type: 'parse', id, part: 'train' | 'validation', name, bytes, total, rows, done }
//                    { type: 'loaded', id, info: { name, count, trainCount, validationCount, validation,
//                                                  perClass, samples: [{ label, pixels }] } }
//                    { type: 'progress', id, progress }        (see Training.train in training.js)
//                    { type: 'result', id, result }            (result.files: the four .npy files)
//                    { type: 'error', id, message }
// Requests run one at a time, in order. A failed load keeps the data loaded before it. Cancel is
// the page terminating this worker.
import createDigitsModule from './digits_wasm.js';
import { BUNDLED_DATA, TRAINING_DEFAULTS, VALIDATION_FRACTION } from './defaults.js';
import { Training } from './training.js';

let training = null;
let data = null; // { train, validation, info }: the data the next run trains on
let queue = Promise.resolve();

self.addEventListener('message', ({ data: request }) => {
  queue = queue.then(() => handle(request));
});

async function handle(request) {
  const { id } = request;
  try {
    training ??= await Training.create(createDigitsModule);
    if (request.type === 'load') await load(id, request.source);
    else if (request.type === 'train') await train(id, request.options);
    else throw new Error(`unknown request '${request.type}'`);
  } catch (err) {
    self.postMessage({ type: 'error', id, message: err.message });
  }
}

async function load(id, source) {
  const parts = [];
  try {
    let loaded;
    if (source.kind === 'bundled') {
      const train = await parse(id, 'train', 'train.csv', await get(BUNDLED_DATA.train));
      parts.push(train);
      const validation = await parse(id, 'validation', 'holdout.csv', await get(BUNDLED_DATA.validation));
      parts.push(validation);
      loaded = { train, validation, name: 'bundled digits', validationSource: 'hold-out' };
    } else if (source.kind === 'file') {
      const all = await parse(id, 'train', source.file.name, source.file);
      parts.push(all);
      const { train, validation } = training.split(all, VALIDATION_FRACTION, TRAINING_DEFAULTS.seed);
      parts.push(train, validation);
      loaded = { train, validation, name: source.file.name, validationSource: 'split', all };
    } else {
      throw new Error(`unknown data source '${source.kind}'`);
    }
    const summary = (loaded.all ?? loaded.train).summary({ samples: 30 });
    if (loaded.validationSource === 'hold-out') {
      loaded.validation.labels().forEach((label) => summary.perClass[label]++);
      summary.count += loaded.validation.count;
    }
    const info = {
      name: loaded.name, count: summary.count, perClass: summary.perClass, samples: summary.samples,
      trainCount: loaded.train.count, validationCount: loaded.validation.count, validation: loaded.validationSource,
    };
    loaded.all?.free();
    data?.train.free();
    data?.validation.free();
    data = { train: loaded.train, validation: loaded.validation, info };
    self.postMessage({ type: 'loaded', id, info }, info.samples.map((s) => s.pixels.buffer));
  } catch (err) {
    parts.forEach((part) => part.free());
    throw err;
  }
}

async function get(path) {
  const url = new URL(path, import.meta.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not fetch the bundled data ${path}: ${response.status} ${response.statusText}`);
  return response;
}

function parse(id, part, name, source) {
  return training.parseCsv(source, {
    name,
    onProgress: (p) => self.postMessage({ type: 'parse', id, part, name, ...p }),
  });
}

async function train(id, options) {
  if (!data) throw new Error('no data is loaded');
  const result = await training.train(data.train, data.validation, options, {
    onProgress: (progress) => self.postMessage({ type: 'progress', id, progress }),
  });
  const transfer = [...Object.values(result.files), ...result.misclassified.map((m) => m.pixels)].map((a) => a.buffer);
  self.postMessage({ type: 'result', id, result }, transfer);
}

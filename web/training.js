// training.js: the JavaScript face of the WebAssembly module for training. Used by the worker
// (web/worker.js) and by the Node tests; no DOM. Streams CSV bytes into the C parser, describes
// and splits data sets, drives the C training loop a few batches at a time, and exports the
// model as .npy files. Every C failure becomes an Error with the C layer's message; results are
// copied out of wasm memory before anything is freed.
//
//   const training = await Training.create(createDigitsModule, wasm)  // wasm: see web/wasm.js
//   const data = await training.parseCsv(file, { name: 'train.csv', onProgress })  // Blob, Response,
//                                        // ReadableStream, async iterable of bytes, or bytes; .gz too
//   data.summary()                        // { count, perClass, samples: [{ label, pixels }] }
//   const { train, validation } = training.split(data, 0.1, seed)
//   const result = await training.train(train, validation, { hidden, epochs, lr, batch, outliers }, { onProgress, signal,
//                                        outlierImages })  // outlierImages: training.images(pixels), non-digits
//   // result: { files: { 'W1.npy': Uint8Array, ... }, hidden, valAccuracy, confusion, misclassified, history, ... }
//   const mine = training.fromPixels(pixels, labels)         // the user's digits: n*784 bytes, n labels
//   const tuned = await training.fineTune(files, mine, train, validation, { epochs, lr, share }, { onProgress, signal,
//                                          outlierImages })
//   // tuned: as train's result, plus personal: { count, before, after }, validationBefore, repeats
//   data.free()
import {
  CALIBRATION_ACCEPT, MISCLASSIFIED_SHOWN, OUTLIERS, PROGRESS_MILLISECONDS, STEP_MILLISECONDS, checkFineTuneOptions,
  checkTrainingOptions, personalRepeats,
} from './defaults.js';
import { CALIBRATION_FILE, cError, copyIn, createModule, exportModel, loadModel, malloc } from './wasm.js';

const PIXELS = 784;
const CHUNK = 1 << 20;  // bytes handed to the C parser per call

export class Training {
  /** factory: the default export of digits_wasm.js; wasm: its compiled module or bytes (web/wasm.js);
   * options: Emscripten module options (onAbort) */
  static async create(factory, wasm, options = {}) {
    return new Training(await createModule(factory, wasm, options));
  }

  constructor(mod) {
    this.mod = mod;
  }

  /**
   * Parses a Kaggle-format CSV, streamed in chunks into the C parser; gzip is recognised by its
   * first bytes and decompressed on the way. Returns a Dataset (free it), or throws an Error
   * starting with `name` ("train.csv: line 7, column 300 (pixel298): 'abc' is not an integer");
   * nothing is kept on failure. onProgress({ bytes, total, csvBytes, rows, done }) runs at most
   * every `progressEvery` ms and once at the end: bytes of the source read (compressed, if it
   * was), total its size when known, csvBytes the CSV text parsed so far.
   */
  async parseCsv(source, { name = 'the CSV file', total = sizeOf(source), onProgress, signal,
    requireLabels = true, progressEvery = PROGRESS_MILLISECONDS } = {}) {
    const { mod } = this;
    const parser = mod._dg_csv_new();
    if (!parser) throw cError(this.mod, name);
    let buffer = 0;
    const read = { bytes: 0 };
    let csvBytes = 0, last = -Infinity;
    const report = (done) => {
      last = now();
      onProgress?.({ bytes: read.bytes, total, csvBytes, rows: mod._dg_csv_rows(parser), done });
    };
    try {
      buffer = malloc(mod, CHUNK);
      for await (const chunk of csvChunks(source, read, name)) {
        if (signal?.aborted) throw cancelled();
        for (let at = 0; at < chunk.length; at += CHUNK) {
          const part = chunk.subarray(at, at + CHUNK);
          mod.HEAPU8.set(part, buffer); // HEAPU8 read after every call: memory may have grown
          if (mod._dg_csv_feed(parser, buffer, part.length) < 0) throw cError(this.mod, name);
        }
        csvBytes += chunk.length;
        if (requireLabels && mod._dg_csv_has_labels(parser) === 0) {
          throw new Error(`${name}: line 1: the header has no 'label' column (a Kaggle test.csv?); training needs ` +
            `labelled rows: label,pixel0,...,pixel783`);
        }
        if (onProgress && now() - last >= progressEvery) report(false);
      }
      const ptr = mod._dg_csv_finish(parser);
      if (!ptr) throw cError(this.mod, name);
      if (onProgress) report(true);
      return new Dataset(this, ptr);
    } finally {
      mod._dg_csv_free(parser);
      if (buffer) mod._free(buffer);
    }
  }

  /** A stratified split: `fraction` of every digit (rounded up) into validation. Both are new Datasets. */
  split(data, fraction, seed = 1) {
    const slot = malloc(this.mod, 4);
    try {
      const train = this.mod._dg_dataset_split(data.ptr, fraction, seed >>> 0, slot);
      if (!train) throw cError(this.mod, 'cannot split the data');
      return { train: new Dataset(this, train), validation: new Dataset(this, this.mod.HEAPU32[slot >> 2]) };
    } finally {
      this.mod._free(slot);
    }
  }

  /** A new Dataset of labelled digits given as bytes: pixels (n * 784, 0..255, row-major 28x28)
   * and labels (n, 0..9). Throws naming the first bad label. */
  fromPixels(pixels, labels) {
    const n = labels.length;
    if (pixels.length !== n * PIXELS) throw new Error(`expected ${n} x ${PIXELS} pixels for ${n} labels, got ${pixels.length}`);
    const ptrs = [];
    try {
      ptrs.push(copyIn(this.mod, pixels), copyIn(this.mod, labels));
      const ptr = this.mod._dg_dataset_from_pixels(n, ...ptrs);
      if (!ptr) throw cError(this.mod, 'cannot make a data set of these digits');
      return new Dataset(this, ptr);
    } finally {
      ptrs.forEach((p) => this.mod._free(p));
    }
  }

  /** A new Dataset of images that are not digits (pixels: n * 784 bytes, 0..255), for train's
   * outlierImages; its labels mean nothing. */
  images(pixels) {
    return this.fromPixels(pixels, new Uint8Array(pixels.length / PIXELS));
  }

  /** A new Dataset of the rows of every part ({ data, times = 1 }), each repeated `times` times. */
  concat(parts) {
    const rows = parts.reduce((n, { data, times = 1 }) => n + data.count * times, 0);
    const pixels = new Uint8Array(rows * PIXELS), labels = new Uint8Array(rows);
    let at = 0;
    for (const { data, times = 1 } of parts) {
      if (!data.labelled) throw new Error('cannot mix unlabelled data into training data');
      const start = this.mod._dg_dataset_pixels(data.ptr);
      const block = this.mod.HEAPU8.subarray(start, start + data.count * PIXELS);
      const blockLabels = data.labels();
      for (let k = 0; k < times; k++, at += data.count) {
        pixels.set(block, at * PIXELS);
        labels.set(blockLabels, at);
      }
    }
    return this.fromPixels(pixels, labels);
  }

  /** Accuracy (0..1) of the model in the four .npy `files` on `data`. */
  accuracy(files, data) {
    const model = loadModel(this.mod, files);
    try {
      return this.#accuracy(model, data);
    } finally {
      this.mod._dg_model_free(model);
    }
  }

  #accuracy(model, data, confusionPtr = 0) {
    const accuracy = this.mod._dg_evaluate(model, data.ptr, confusionPtr);
    if (accuracy < 0) throw cError(this.mod, 'cannot evaluate');
    return accuracy;
  }

  /**
   * Fine-tunes the model in `files` (the four .npy files) on the user's digits `mine` mixed with
   * `base` (the bundled training digits): `mine` repeated so it makes up options.share of every
   * epoch (personalRepeats in defaults.js), a few epochs at a low learning rate (FINETUNE_DEFAULTS),
   * measured on `validation`. Callbacks as train(). Resolves to train()'s result plus personal:
   * { count, before, after } (accuracy on the user's digits before and after), validationBefore,
   * repeats and baseCount. A model trained to know non-digits (its calibration.txt's score is
   * logsumexp) goes on seeing outliers (callbacks.outlierImages, as train's), so that it keeps
   * knowing them; any other model does not.
   */
  async fineTune(files, mine, base, validation, options = {}, callbacks = {}) {
    const { share, ...checked } = checkFineTuneOptions(options);
    const opts = { ...checked, outliers: knowsNonDigits(files) };
    if (!mine?.count || !mine.labelled) throw new Error('there are no digits of yours to fine-tune on');
    const repeats = personalRepeats(base.count, mine.count, share);
    const before = this.accuracy(files, mine), validationBefore = this.accuracy(files, validation);
    const mixed = this.concat([{ data: base }, { data: mine, times: repeats }]);
    try {
      const result = await this.train(mixed, validation, opts, { ...callbacks, initial: files });
      const after = this.accuracy(result.files, mine);
      return { ...result, personal: { count: mine.count, before, after }, validationBefore, repeats, baseCount: base.count };
    } finally {
      mixed.free();
    }
  }

  /**
   * Trains a new 784-H-10 network on `train`, measuring it on `validation` after every epoch.
   * Calls into C a few batches at a time (about STEP_MILLISECONDS of work), yielding to the event
   * loop in between so messages and `signal` (AbortSignal: stops with an Error named AbortError)
   * are handled. onProgress(progress) runs at most every `progressEvery` ms, at every epoch's end
   * and at the very end, with steps in increasing order: { epoch, epochs, batch, batches, step,
   * steps, lr, loss, accuracy (this epoch's running means), valAccuracy (after the last finished
   * epoch, or null), epochDone, recent ({ x: epochs done, loss, accuracy } of the batches since the
   * last chart point, or null), seconds (wall clock), samplesPerSec, eta (seconds) }.
   * Resolves to { files, hidden, options, valAccuracy, confusion (10x10, row = true digit),
   * validationCount, misclassified: [{ index, label, predicted, pixels }], history, seconds }.
   * With `initial` (four .npy files) training starts from that model instead of new random
   * weights, and options.hidden is the model's.
   * With options.outliers, every batch also holds OUTLIERS.share non-digits per digit (outlier
   * exposure, src/outlier.h): C's generated ones and the rows of `outlierImages` (a Dataset, kept
   * until training ends; without it only the generated ones). Its calibration.txt then scores
   * logsumexp, as does a fine-tuned model that had it.
   */
  async train(train, validation, options = {}, { onProgress, signal, progressEvery = PROGRESS_MILLISECONDS,
    stepMilliseconds = STEP_MILLISECONDS, initial = null, outlierImages = null } = {}) {
    let opts = checkTrainingOptions(options);
    const { mod } = this;
    if (!train.labelled) throw new Error('the training data has no labels');
    if (!validation?.count || !validation.labelled) throw new Error('no labelled validation data');
    let model = 0, trainer = 0;
    try {
      model = initial ? loadModel(mod, initial) : this.#newModel(opts);
      opts = { ...opts, hidden: mod._dg_model_hidden(model) };
      const common = [model, train.ptr, opts.epochs, opts.batch, opts.lr, opts.seed, opts.augment ? 1 : 0];
      trainer = opts.outliers
        ? mod._dg_trainer_new_outliers(...common, OUTLIERS.share, outlierImages?.ptr ?? 0, OUTLIERS.external)
        : mod._dg_trainer_new(...common);
      if (!trainer) throw cError(mod, 'cannot start training');
      const start = now(), report = new Report(onProgress, progressEvery, start);
      let batches = 1, done = 0, valAccuracy = null;
      for (let more = 1; more;) {
        if (signal?.aborted) throw cancelled();
        const t0 = now();
        more = mod._dg_trainer_step(trainer, batches);
        if (more < 0) throw cError(mod);
        const p = trainerProgress(mod, trainer);
        // Size the next call to take about stepMilliseconds (an epoch's end may cut one short).
        const elapsed = now() - t0, steps = p.step - done;
        if (steps > 0 && elapsed > 0) batches = clamp(Math.round(stepMilliseconds / (elapsed / steps)), 1, 100000);
        done = p.step;
        if (p.epochDone) valAccuracy = this.#accuracy(model, validation);
        report.step(p, valAccuracy, !more);
        if (more) await yieldToEventLoop();
      }

      if (signal?.aborted) throw cancelled();
      // W1 to the integer grid (src/quant.h; moves no weight by as much as 1/2047 of its unit's
      // largest): the recogniser then reads digits with exact integer sums, faster. The figures
      // below are of these weights, the ones handed back.
      mod._dg_model_round_grid(model);
      const evaluation = this.#evaluate(model, validation);
      return {
        files: {
          ...exportModel(mod, model),
          [CALIBRATION_FILE]: this.#calibrate(model, validation, opts.outliers || knowsNonDigits(initial)),
        },
        hidden: opts.hidden,
        options: opts,
        trainCount: train.count,
        ...evaluation,
        history: report.history,
        seconds: (now() - start) / 1000,
      };
    } finally {
      if (trainer) mod._dg_trainer_free(trainer);
      if (model) mod._dg_model_free(model);
    }
  }

  /** calibration.txt's bytes for model, fitted on the validation digits (never trained on): the
   * temperature, and the threshold that accepts CALIBRATION_ACCEPT of them, on logsumexp for a
   * model trained to know non-digits, on the top probability otherwise. */
  #calibrate(model, validation, logsumexp) {
    const text = this.mod._dg_calibrate(model, validation.ptr, logsumexp ? 1 : 0, CALIBRATION_ACCEPT);
    if (!text) throw cError(this.mod, 'cannot calibrate the model');
    return new TextEncoder().encode(this.mod.UTF8ToString(text));
  }

  #newModel({ hidden, seed }) {
    const model = this.mod._dg_model_new(hidden);
    if (!model) throw cError(this.mod, 'cannot create the model');
    this.mod._dg_model_init(model, seed);
    return model;
  }

  /** Accuracy, confusion matrix and the misclassified rows of model on data. */
  #evaluate(model, data) {
    const { mod } = this;
    const n = data.count;
    const confusionPtr = malloc(mod, 100 * 4), predictedPtr = malloc(mod, n);
    try {
      const valAccuracy = this.#accuracy(model, data, confusionPtr);
      if (mod._dg_predict_dataset(model, data.ptr, predictedPtr) < 0) throw cError(this.mod, 'cannot predict');
      const flat = mod.HEAP32.slice(confusionPtr >> 2, (confusionPtr >> 2) + 100);
      const confusion = Array.from({ length: 10 }, (_, r) => Array.from(flat.subarray(10 * r, 10 * r + 10)));
      const predicted = mod.HEAPU8.slice(predictedPtr, predictedPtr + n);
      const labels = data.labels();
      const misclassified = [];
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        if (predicted[i] === labels[i]) continue;
        wrong++;
        if (misclassified.length < MISCLASSIFIED_SHOWN) {
          misclassified.push({ index: i, label: labels[i], predicted: predicted[i], pixels: data.image(i) });
        }
      }
      return { valAccuracy, validationCount: n, wrongCount: wrong, confusion, misclassified };
    } finally {
      mod._free(confusionPtr);
      mod._free(predictedPtr);
    }
  }
}

/** Whether the model in `files` was trained to know non-digits: its calibration.txt scores logsumexp. */
export function knowsNonDigits(files) {
  const text = files?.[CALIBRATION_FILE];
  const before = text == null ? '' : typeof text === 'string' ? text : new TextDecoder().decode(text);
  return /^\s*score\s+logsumexp\b/m.test(before);
}

/** A C Trainer's progress (TrainProgress in src/train.h) by its field names, in camelCase. */
export function trainerProgress(mod, trainer) {
  const names = mod.UTF8ToString(mod._dg_trainer_progress_fields()).split(',');
  const at = mod._dg_trainer_progress(trainer) >> 3; // doubles, in the order of the names
  return Object.fromEntries(names.map((name, i) => [name.replace(/_(\w)/g, (_, c) => c.toUpperCase()), mod.HEAPF64[at + i]]));
}

/**
 * What Training.train reports, from the trainer's running sums: onProgress at most every `every`
 * ms, at every epoch's end and at the very end (see train); the chart's points and the epochs in
 * `history`. Every rate is a difference of sums: this epoch's loss and accuracy since the sums at
 * its start, a chart point's since the last point.
 */
class Report {
  constructor(onProgress, every, start) {
    Object.assign(this, { onProgress, every, start, last: -Infinity, history: { points: [], epochs: [] } });
    this.epochStart = this.pointStart = { samples: 0, lossSum: 0, correct: 0, at: start };
  }

  step(p, valAccuracy, end) {
    const epoch = mean(p, this.epochStart), epochDone = p.epochDone === 1, t = now();
    if (epochDone) {
      this.history.epochs.push({ epoch: p.epoch, ...epoch, valAccuracy });
      this.epochStart = p;
    }
    if (!(epochDone || end || t - this.last >= this.every)) return;
    this.last = t;
    // A window of at least half the report interval makes a chart point; a shorter one (an epoch
    // ending just after a report) carries over to the next report.
    let recent = null;
    if (p.samples > this.pointStart.samples && (t - this.pointStart.at >= this.every / 2 || end)) {
      recent = { x: p.epoch - 1 + p.batch / p.batches, ...mean(p, this.pointStart) };
      this.history.points.push(recent);
      this.pointStart = { ...p, at: t };
    }
    const seconds = (t - this.start) / 1000;
    this.onProgress?.({
      epoch: p.epoch, epochs: p.epochs, batch: p.batch, batches: p.batches, step: p.step, steps: p.steps, lr: p.lr,
      ...epoch, valAccuracy, epochDone, recent, seconds, samplesPerSec: seconds > 0 ? p.samples / seconds : 0,
      eta: p.step > 0 ? (seconds / p.step) * (p.steps - p.step) : null,
    });
  }
}

/** The mean loss and accuracy of the samples trained on between sums `from` and `p`. */
function mean(p, from) {
  const n = p.samples - from.samples;
  return n > 0 ? { loss: (p.lossSum - from.lossSum) / n, accuracy: (p.correct - from.correct) / n } : { loss: 0, accuracy: 0 };
}

/** Labelled 28x28 digits in wasm memory (a C Dataset). Read with the methods; free() when done. */
export class Dataset {
  constructor(training, ptr) {
    this.training = training;
    this.ptr = ptr;
  }

  get mod() { return this.training.mod; }
  get count() { return this.ptr ? this.mod._dg_dataset_count(this.ptr) : 0; }
  get labelled() { return this.ptr ? this.mod._dg_dataset_labels(this.ptr) !== 0 : false; }

  /** A copy of the labels (Uint8Array of count), or null for unlabelled data. */
  labels() {
    const ptr = this.mod._dg_dataset_labels(this.ptr);
    return ptr ? this.mod.HEAPU8.slice(ptr, ptr + this.count) : null;
  }

  /** A copy of row i's 784 pixels (0..255). */
  image(i) {
    if (!(i >= 0 && i < this.count)) throw new RangeError(`row ${i} is outside 0..${this.count - 1}`);
    const ptr = this.mod._dg_dataset_pixels(this.ptr) + i * PIXELS;
    return this.mod.HEAPU8.slice(ptr, ptr + PIXELS);
  }

  /** What the data holds: row count, digits per class, and the first `samples` rows. */
  summary({ samples = 30 } = {}) {
    const labels = this.labels();
    const perClass = new Array(10).fill(0);
    if (labels) for (const label of labels) perClass[label]++;
    const shown = Array.from({ length: Math.min(samples, this.count) }, (_, i) => ({
      label: labels ? labels[i] : null, pixels: this.image(i),
    }));
    return { count: this.count, labelled: Boolean(labels), perClass, samples: shown };
  }

  free() {
    if (this.ptr) this.mod._dg_dataset_free(this.ptr);
    this.ptr = 0;
  }
}

/** The CSV's bytes as Uint8Array chunks, gunzipped if they start with gzip's magic bytes;
 * read.bytes counts the source's own (maybe compressed) bytes as they are read. */
async function* csvChunks(source, read, name) {
  const raw = counted(rawChunks(source), read);
  // Peek at the first non-empty chunk to tell gzip (1f 8b) from plain text.
  let first;
  for (;;) {
    const { done, value } = await raw.next();
    if (done) return;
    if (value.length) { first = value; break; }
  }
  const rest = (async function* () { yield first; yield* raw; })();
  if (!(first[0] === 0x1f && first[1] === 0x8b)) {
    yield* rest;
    return;
  }
  if (typeof DecompressionStream !== 'function') throw new Error(`${name}: this browser cannot decompress .gz files`);
  const input = new ReadableStream({
    async pull(controller) {
      const { done, value } = await rest.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() { await rest.return?.(); },
  });
  const reader = input.pipeThrough(new DecompressionStream('gzip')).getReader();
  try {
    for (;;) {
      let step;
      try {
        step = await reader.read();
      } catch (err) {
        throw new Error(`${name}: the gzip data is damaged or truncated (${err.message})`);
      }
      if (step.done) return;
      yield step.value;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

async function* counted(chunks, read) {
  for await (const chunk of chunks) {
    read.bytes += chunk.length;
    yield chunk;
  }
}

async function* rawChunks(source) {
  if (source instanceof Uint8Array) return yield source;
  if (source instanceof ArrayBuffer) return yield new Uint8Array(source);
  const stream = source?.body ?? (typeof source?.stream === 'function' ? source.stream() : source);
  if (stream && typeof stream.getReader === 'function') {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield toBytes(value);
      }
    } finally {
      reader.cancel().catch(() => {});
    }
  }
  if (stream && (stream[Symbol.asyncIterator] || stream[Symbol.iterator])) {
    for await (const chunk of stream) yield toBytes(chunk);
    return;
  }
  throw new TypeError('expected the CSV as bytes, a Blob or File, a Response, or a stream of bytes');
}

function toBytes(chunk) {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (typeof chunk === 'string') return new TextEncoder().encode(chunk);
  throw new TypeError(`expected bytes, got ${Object.prototype.toString.call(chunk)}`);
}

function sizeOf(source) {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source.byteLength;
  if (typeof source?.size === 'number') return source.size; // Blob, File
  const length = Number(source?.headers?.get?.('content-length'));
  return length > 0 ? length : null;
}

function cancelled() {
  const err = new Error('training was cancelled');
  err.name = 'AbortError';
  return err;
}

const now = () => performance.now();
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));

// A macrotask turn without setTimeout's 4 ms clamp: setImmediate in Node, a MessageChannel elsewhere.
let channel = null;
const waiting = [];
export function yieldToEventLoop() {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(0);
  });
}

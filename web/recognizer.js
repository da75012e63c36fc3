// recognizer.js: the JavaScript face of the WebAssembly module for recognition. Holds one C
// recogniser (src/recognizer.h), which owns the model and all it needs; copies every result out
// of wasm memory, and turns each C failure into a thrown Error with the C layer's message.
//
//   const rec = await Recognizer.create(createDigitsModule, wasm)  // wasm: see web/wasm.js
//   await rec.fetchModel('./model/model.pack')  // a packed model (src/pack.h), as the site serves it, and the
//                                               // calibration.txt beside it if there is one
//   const files = fetchModelFiles(url)          // the same fetches, started before the recogniser exists;
//   rec.loadFetchedModel(await files)           // then used (the page fetches model and wasm at once)
//   rec.loadModel({ W1, b1, W2, b2 })           // Uint8Array/ArrayBuffer .npy bytes, and optionally
//                                               // 'calibration.txt'; throws, keeps the old model
//   rec.loadPackedModel(bytes, 'model.pack', calibration)  // the same for a packed model's bytes
//   rec.predict(x)                              // Float32Array(784) 0..1 -> { digit, probabilities, isDigit }
//   rec.predictBatch([x1, x2])                  // -> [{ digit, probabilities, isDigit }, ...] in one call
//   rec.integerFirstLayer                       // true when W1 is on the integer grid (src/quant.h)
//   rec.exportModel()                           // -> { 'W1.npy': Uint8Array, ..., 'calibration.txt' }
//
// isDigit is false when the network judges the drawing no digit at all: its score against the
// threshold of the model's calibration.txt (src/calibration.h); the probabilities are tempered by
// it. A model without the file gets the default: the top probability against 0.5, temperature 1.

import { CALIBRATION_FILE, cError, copyIn, createModule, exportModel, fetchBytes, fileName, loadModel, loadPackedModel, malloc } from './wasm.js';

export const INPUTS = 784;
export const OUTPUTS = 10;

const F32 = 4;

export class Recognizer {
  /** factory: the default export of digits_wasm.js; wasm: its compiled module or bytes (web/wasm.js) */
  static async create(factory, wasm) {
    return new Recognizer(await createModule(factory, wasm));
  }

  constructor(mod) {
    this.mod = mod;
    this.ptr = 0; // the C Recognizer
    this.xPtr = malloc(mod, INPUTS * F32);
    this.probsPtr = malloc(mod, OUTPUTS * F32);
    this.isDigitPtr = malloc(mod, 4);
  }

  /** Replaces the model with the four .npy files and, if given, files['calibration.txt'] (text or
   * bytes; without it, the default calibration); on failure the old model stays. */
  loadModel(files) {
    return this.#use(loadModel(this.mod, files), files[CALIBRATION_FILE]);
  }

  /** Replaces the model with a packed model's bytes (name: for messages) and its calibration
   * (calibration.txt's text or bytes; none: the default); on failure the old model stays. */
  loadPackedModel(bytes, name, calibration = null) {
    return this.#use(loadPackedModel(this.mod, bytes, name), calibration);
  }

  /** Fetches the packed model at url and the calibration.txt beside it (a 404: the default
   * calibration) and makes them the model; on failure the old model stays. */
  async fetchModel(url, fetchFn = globalThis.fetch) {
    return this.loadFetchedModel(await fetchModelFiles(url, fetchFn));
  }

  /** Makes what fetchModelFiles fetched the model; on failure the old model stays. */
  loadFetchedModel({ bytes, calibration, name }) {
    return this.loadPackedModel(bytes, name, calibration);
  }

  // Makes the C model at `model` the recogniser's (which takes it over) with the calibration
  // (text, bytes or none); returns the hidden size.
  #use(model, calibration) {
    const rec = this.mod._dg_recognizer_new(model);
    if (!rec) throw cError(this.mod);
    try {
      setCalibration(this.mod, rec, calibration);
    } catch (err) {
      this.mod._dg_recognizer_free(rec);
      throw err;
    }
    this.release();
    this.ptr = rec;
    return this.hidden;
  }

  /** The calibration in use, as calibration.txt's text. */
  get calibration() {
    return this.ptr ? this.mod.UTF8ToString(this.mod._dg_recognizer_calibration_text(this.ptr)) : '';
  }

  /** Frees the model in use. */
  release() {
    if (this.ptr) this.mod._dg_recognizer_free(this.ptr);
    this.ptr = 0;
  }

  get hidden() {
    return this.ptr ? this.mod._dg_model_hidden(this.mod._dg_recognizer_model(this.ptr)) : 0;
  }

  /** True when the model's first layer runs in integers (W1 on the grid, src/quant.h). */
  get integerFirstLayer() {
    return this.ptr !== 0 && this.mod._dg_recognizer_integer(this.ptr) === 1;
  }

  /** Setting false drops the integer form: the float kernels then run (benchmarks compare the two). */
  set integerFirstLayer(on) {
    if (on) throw new Error('the integer first layer comes with a model whose W1 is on the grid; load one');
    if (this.ptr) this.mod._dg_recognizer_drop_integer(this.ptr);
  }

  /** x: 784 values in 0..1 (row-major 28x28). Returns { digit, probabilities: Float32Array(10),
   * isDigit }: the digit it reads best, the calibrated probabilities, and whether it is a digit at all. */
  predict(x) {
    this.#check(x, 'predict');
    this.mod.HEAPF32.set(x, this.xPtr / F32);
    const digit = this.mod._dg_predict(this.ptr, this.xPtr, x.length, this.probsPtr, this.isDigitPtr);
    if (digit < 0) throw cError(this.mod);
    const start = this.probsPtr / F32;
    return { digit, probabilities: this.mod.HEAPF32.slice(start, start + OUTPUTS), isDigit: this.mod.HEAP32[this.isDigitPtr / 4] === 1 };
  }

  /** images: 784-value inputs as predict takes them, read in one call; throws naming a bad image. */
  predictBatch(images) {
    images.forEach((x) => this.#check(x, 'predictBatch'));
    const { mod } = this, n = images.length;
    const X = malloc(mod, n * INPUTS * F32), probs = malloc(mod, n * OUTPUTS * F32), flags = malloc(mod, n * 4);
    try {
      images.forEach((x, i) => mod.HEAPF32.set(x, X / F32 + i * INPUTS));
      if (mod._dg_predict_batch(this.ptr, X, n, probs, flags) < 0) throw cError(mod);
      return images.map((_, i) => {
        const probabilities = mod.HEAPF32.slice(probs / F32 + i * OUTPUTS, probs / F32 + (i + 1) * OUTPUTS);
        return { digit: probabilities.indexOf(Math.max(...probabilities)), probabilities, isDigit: mod.HEAP32[flags / 4 + i] === 1 };
      });
    } finally {
      mod._free(X);
      mod._free(probs);
      mod._free(flags);
    }
  }

  #check(x, what) {
    if (!this.ptr) throw new Error('no model is loaded');
    if (!x || typeof x.length !== 'number') throw new Error(`${what} expects a Float32Array of 784 values`);
    if (x.length !== INPUTS) throw new Error(`${what} expects ${INPUTS} values (28x28), got ${x.length}`);
  }

  /** The model in use as four float32 (dtype 4) or float16 (dtype 2) .npy files and its calibration.txt. */
  exportModel(dtype = 4) {
    if (!this.ptr) throw new Error('no model is loaded');
    const files = exportModel(this.mod, this.mod._dg_recognizer_model(this.ptr), dtype);
    files[CALIBRATION_FILE] = new TextEncoder().encode(this.calibration);
    return files;
  }

  dispose() {
    this.release();
    this.mod._free(this.xPtr);
    this.mod._free(this.probsPtr);
    this.mod._free(this.isDigitPtr);
  }
}

/** Fetches the packed model at url and the calibration.txt beside it (null when there is none),
 * both at once, before any recogniser is needed: -> { bytes, calibration, name } for
 * rec.loadFetchedModel. Rejects with an Error naming the file that failed. */
export async function fetchModelFiles(url, fetchFn = globalThis.fetch) {
  const calibrationUrl = new URL(CALIBRATION_FILE, new URL(url, globalThis.location?.href ?? 'file:///'));
  const [bytes, calibration] = await Promise.all([fetchBytes(url, fetchFn), fetchOptional(calibrationUrl, fetchFn)]);
  return { bytes, calibration, name: fileName(url) };
}

/** The bytes at url, or null when it answers 404 or cannot be fetched: a file that need not be
 * there. Offline, the service worker answers only for the files the build shipped, so a missing
 * calibration.txt fails to fetch rather than answering 404. */
async function fetchOptional(url, fetchFn) {
  let response;
  try {
    response = await fetchFn(url);
  } catch {
    return null;
  }
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${fileName(url)} answered ${response.status} ${response.statusText}`.trim());
  return new Uint8Array(await response.arrayBuffer());
}

/** Gives the C recogniser rec the calibration in text (a string or bytes of calibration.txt), or
 * the default when there is none; throws with the C parser's message (naming the line). */
function setCalibration(mod, rec, text) {
  const bytes = text == null ? null : typeof text === 'string' ? new TextEncoder().encode(text) : new Uint8Array(text);
  const name = copyIn(mod, new TextEncoder().encode(`${CALIBRATION_FILE}\0`));
  const ptr = bytes ? copyIn(mod, bytes) : 0;
  try {
    if (mod._dg_recognizer_set_calibration(rec, ptr, bytes ? bytes.length : 0, name) < 0) throw cError(mod);
  } finally {
    mod._free(name);
    if (ptr) mod._free(ptr);
  }
}

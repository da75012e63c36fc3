// recognizer.js: the JavaScript face of the WebAssembly module for recognition. Holds one C
// recogniser (src/recognizer.h), which owns the model and all it needs; copies every result out
// of wasm memory, and turns each C failure into a thrown Error with the C layer's message.
//
//   const rec = await Recognizer.create(createDigitsModule, wasm)  // wasm: see web/wasm.js
//   await rec.fetchModel('./model/model.pack')  // a packed model (src/pack.h), as the site serves it
//   rec.loadModel({ W1, b1, W2, b2 })           // Uint8Array/ArrayBuffer .npy bytes; throws, keeps the old model
//   rec.loadPackedModel(bytes, 'model.pack')    // the same for a packed model's bytes
//   rec.predict(x)                              // Float32Array(784) 0..1 -> { digit, probabilities }
//   rec.predictBatch([x1, x2])                  // -> [{ digit, probabilities }, ...] in one call
//   rec.integerFirstLayer                       // true when W1 is on the integer grid (src/quant.h)
//   rec.exportModel()                           // -> { 'W1.npy': Uint8Array, ... } float32 .npy files

import { cError, createModule, exportModel, fetchBytes, fileName, loadModel, loadPackedModel, malloc } from './wasm.js';

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
  }

  /** Replaces the model with the four .npy files; on failure the old model stays. */
  loadModel(files) {
    return this.#use(loadModel(this.mod, files));
  }

  /** Replaces the model with a packed model's bytes (name: for messages); on failure the old model stays. */
  loadPackedModel(bytes, name) {
    return this.#use(loadPackedModel(this.mod, bytes, name));
  }

  /** Fetches the packed model at url and makes it the model; on failure the old model stays. */
  async fetchModel(url, fetchFn = globalThis.fetch) {
    return this.loadPackedModel(await fetchBytes(url, fetchFn), fileName(url));
  }

  // Makes the C model at `model` the recogniser's (which takes it over); returns the hidden size.
  #use(model) {
    const rec = this.mod._dg_recognizer_new(model);
    if (!rec) throw cError(this.mod);
    this.release();
    this.ptr = rec;
    return this.hidden;
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

  /** x: 784 values in 0..1 (row-major 28x28). Returns { digit, probabilities: Float32Array(10) }. */
  predict(x) {
    this.#check(x, 'predict');
    this.mod.HEAPF32.set(x, this.xPtr / F32);
    const digit = this.mod._dg_predict(this.ptr, this.xPtr, x.length, this.probsPtr);
    if (digit < 0) throw cError(this.mod);
    const start = this.probsPtr / F32;
    return { digit, probabilities: this.mod.HEAPF32.slice(start, start + OUTPUTS) };
  }

  /** images: 784-value inputs as predict takes them, read in one call; throws naming a bad image. */
  predictBatch(images) {
    images.forEach((x) => this.#check(x, 'predictBatch'));
    const { mod } = this, n = images.length;
    const X = malloc(mod, n * INPUTS * F32), probs = malloc(mod, n * OUTPUTS * F32);
    try {
      images.forEach((x, i) => mod.HEAPF32.set(x, X / F32 + i * INPUTS));
      if (mod._dg_predict_batch(this.ptr, X, n, probs) < 0) throw cError(mod);
      return images.map((_, i) => {
        const probabilities = mod.HEAPF32.slice(probs / F32 + i * OUTPUTS, probs / F32 + (i + 1) * OUTPUTS);
        return { digit: probabilities.indexOf(Math.max(...probabilities)), probabilities };
      });
    } finally {
      mod._free(X);
      mod._free(probs);
    }
  }

  #check(x, what) {
    if (!this.ptr) throw new Error('no model is loaded');
    if (!x || typeof x.length !== 'number') throw new Error(`${what} expects a Float32Array of 784 values`);
    if (x.length !== INPUTS) throw new Error(`${what} expects ${INPUTS} values (28x28), got ${x.length}`);
  }

  /** The model in use as four float32 (dtype 4) or float16 (dtype 2) .npy files. */
  exportModel(dtype = 4) {
    if (!this.ptr) throw new Error('no model is loaded');
    return exportModel(this.mod, this.mod._dg_recognizer_model(this.ptr), dtype);
  }

  dispose() {
    this.release();
    this.mod._free(this.xPtr);
    this.mod._free(this.probsPtr);
  }
}

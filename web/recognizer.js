// recognizer.js: the JavaScript face of the WebAssembly module for recognition.
// Creates the module once, holds the active model, copies every result out of wasm memory before
// freeing it, and turns each C failure into a thrown Error with the C layer's message.
//
//   const rec = await Recognizer.create(createDigitsModule, wasm)  // wasm: see web/wasm.js
//   await rec.loadModelFromUrl('./model/')      // W1.npy b1.npy W2.npy b2.npy
//   rec.loadModel({ W1, b1, W2, b2 })           // Uint8Array/ArrayBuffer .npy bytes; throws, keeps the old model
//   rec.predict(x)                              // Float32Array(784) 0..1 -> { digit, probabilities }
//   rec.integerFirstLayer                       // true when W1 is on the integer grid (src/quant.h)
//   rec.exportModel()                           // -> { 'W1.npy': Uint8Array, ... } float32 .npy files

import { createModule } from './wasm.js';

export const INPUTS = 784;
export const OUTPUTS = 10;
export const MODEL_FILES = ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'];

const F32 = 4;

export class Recognizer {
  /** factory: the default export of digits_wasm.js; wasm: its compiled module or bytes (web/wasm.js) */
  static async create(factory, wasm) {
    return new Recognizer(await createModule(factory, wasm));
  }

  constructor(mod) {
    this.mod = mod;
    this.model = 0; // pointer to the active C Model
    this.fast = 0; // the same model in the training layout, for predict
    this.grid = 0; // its first layer as integers, when the model's W1 is on the grid (src/quant.h)
    this.xPtr = mod._malloc(INPUTS * F32);
    this.probsPtr = mod._malloc(OUTPUTS * F32);
    if (!this.xPtr || !this.probsPtr) throw new Error('out of memory in the WebAssembly module');
  }

  /** The C layer's message for the last failure. */
  lastError() {
    return this.mod.UTF8ToString(this.mod._dg_last_error());
  }

  /** Copies bytes into wasm memory; returns the pointer (caller frees). */
  copyIn(bytes) {
    const ptr = this.mod._malloc(Math.max(1, bytes.length));
    if (!ptr) throw new Error('out of memory in the WebAssembly module');
    this.mod.HEAPU8.set(bytes, ptr); // HEAPU8 read after malloc: memory may have grown
    return ptr;
  }

  /** Replaces the active model with the four .npy files; on failure the old model stays. */
  loadModel(files) {
    const parts = MODEL_FILES.map((name) => {
      const key = name.replace('.npy', '');
      const data = files[name] ?? files[key];
      if (data == null) throw new Error(`model file ${name} is missing`);
      return data instanceof Uint8Array ? data : new Uint8Array(data);
    });
    const ptrs = parts.map((bytes) => this.copyIn(bytes));
    try {
      const args = [];
      parts.forEach((bytes, i) => args.push(ptrs[i], bytes.length));
      const model = this.mod._dg_model_load_npy(...args);
      if (!model) throw new Error(this.lastError());
      this.adopt(model);
    } finally {
      ptrs.forEach((p) => this.mod._free(p));
    }
    return this.hidden;
  }

  /** Makes a C Model pointer (owned by this module instance) the active model. */
  adopt(model) {
    // Predictions use a copy with the first layer transposed (contiguous rows: faster, same
    // result) and, when W1 is on the integer grid (the default model's is), that layer as 16-bit
    // integers: exact integer sums for 8-bit images, faster still. Otherwise grid stays 0.
    const fast = model ? this.mod._dg_model_transposed(model) : 0;
    let grid = 0;
    let why = model && !fast ? this.lastError() : '';
    if (fast) {
      grid = this.mod._dg_quant_new(model);
      if (!grid) why = this.lastError(); // empty when W1 is simply not on the grid
    }
    if (why) {
      if (fast) this.mod._dg_model_free(fast);
      this.mod._dg_model_free(model);
      throw new Error(why);
    }
    this.release();
    this.model = model;
    this.fast = fast;
    this.grid = grid;
  }

  /** Frees the active model and its copies. */
  release() {
    if (this.model) this.mod._dg_model_free(this.model);
    if (this.fast) this.mod._dg_model_free(this.fast);
    if (this.grid) this.mod._dg_quant_free(this.grid);
    this.model = this.fast = this.grid = 0;
  }

  /** True when the active model's first layer runs in integers (W1 on the grid, src/quant.h). */
  get integerFirstLayer() {
    return this.grid !== 0;
  }

  /** Setting false drops the integer form: the float kernels then run (benchmarks compare the two). */
  set integerFirstLayer(on) {
    if (on) throw new Error('the integer first layer comes with a model whose W1 is on the grid; load one');
    if (this.grid) this.mod._dg_quant_free(this.grid);
    this.grid = 0;
  }

  /** Fetches W1.npy b1.npy W2.npy b2.npy from baseUrl (ending in '/'). */
  async loadModelFromUrl(baseUrl, fetchFn = globalThis.fetch) {
    const files = {};
    await Promise.all(
      MODEL_FILES.map(async (name) => {
        const url = new URL(name, new URL(baseUrl, globalThis.location?.href ?? 'file:///'));
        const res = await fetchFn(url);
        if (!res.ok) throw new Error(`could not load the model: ${name} answered ${res.status} ${res.statusText}`);
        files[name] = new Uint8Array(await res.arrayBuffer());
      }),
    );
    return this.loadModel(files);
  }

  get hidden() {
    return this.model ? this.mod._dg_model_hidden(this.model) : 0;
  }

  /** x: 784 values in 0..1 (row-major 28x28). Returns { digit, probabilities: Float32Array(10) }. */
  predict(x) {
    if (!this.model) throw new Error('no model is loaded');
    if (!x || typeof x.length !== 'number') throw new Error('predict expects a Float32Array of 784 values');
    if (x.length !== INPUTS) throw new Error(`predict expects ${INPUTS} values (28x28), got ${x.length}`);
    this.mod.HEAPF32.set(x, this.xPtr / F32);
    const digit = this.mod._dg_predict_q(this.grid, this.fast, this.xPtr, x.length, this.probsPtr);
    if (digit < 0) throw new Error(this.lastError());
    const start = this.probsPtr / F32;
    return { digit, probabilities: this.mod.HEAPF32.slice(start, start + OUTPUTS) };
  }

  /** The active model as four float32 (dtype 4) or float16 (dtype 2) .npy files. */
  exportModel(dtype = 4) {
    if (!this.model) throw new Error('no model is loaded');
    return modelToNpy(this.mod, this.model, dtype);
  }

  dispose() {
    this.release();
    this.mod._free(this.xPtr);
    this.mod._free(this.probsPtr);
  }
}

/** The C Model at pointer `model` as { 'W1.npy': Uint8Array, ... } (copies, float32 or float16). */
export function modelToNpy(mod, model, dtype = 4) {
  const out = {};
  MODEL_FILES.forEach((name, tensor) => {
    const size = mod._dg_model_npy_size(model, tensor, dtype);
    if (!size) throw new Error(`could not encode ${name} (dtype ${dtype})`);
    const ptr = mod._malloc(size);
    if (!ptr) throw new Error(`could not encode ${name}: out of memory in the WebAssembly module`);
    try {
      const written = mod._dg_model_save_npy(model, tensor, dtype, ptr, size);
      if (written !== size) throw new Error(`could not encode ${name}`);
      out[name] = mod.HEAPU8.slice(ptr, ptr + size);
    } finally {
      mod._free(ptr);
    }
  });
  return out;
}

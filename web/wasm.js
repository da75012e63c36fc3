// wasm.js: the JavaScript side of the WebAssembly modules (src/wasm.c; the page's
// digits_recognizer, and the worker's digits_wasm, which adds src/wasm_train.c): creating one the
// same way with every Emscripten from 3.1.6 on, in the page, in its worker and in Node; copying
// bytes into its memory; turning a C failure into an Error; a model in and out as .npy files, and
// in as a packed model. web/recognizer.js and web/training.js build on these and repeat none of it.
//
//   const wasm = await fetchWasm(new URL('./digits_wasm.wasm', import.meta.url))  // page and worker
//   const mod = await createModule(createDigitsModule, wasm)   // wasm: a WebAssembly.Module or the
//                                                              // .wasm bytes (Node reads the file)
//   const model = loadModel(mod, { 'W1.npy': bytes, ... })     // a C Model; throws naming the file
//   const other = loadPackedModel(mod, bytes, 'model.pack')    // the same from a packed model (src/pack.h)
//   exportModel(mod, model)                                    // -> { 'W1.npy': Uint8Array, ... }
//   packModel(mod, model)                                      // -> a packed model's bytes (digits_wasm only)

/**
 * The module of digits_wasm.js's factory, instantiated from `wasm` (compiled, or its bytes).
 * Emscripten's own loading differs between versions: newer ones ignore a `wasmBinary` option,
 * and on a failed fetch some log console errors of their own. Every version honours
 * `instantiateWasm` (the build lets in that hook and onAbort, nothing else), so we hand it the
 * instance ourselves; a failure rejects instead of leaving the factory waiting.
 */
export async function createModule(factory, wasm, options = {}) {
  const compiled = wasm instanceof WebAssembly.Module ? wasm : await WebAssembly.compile(wasm);
  let fail;
  const failed = new Promise((_, reject) => { fail = reject; });
  const created = factory({
    ...options,
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled), fail);
      return {}; // the exports arrive through receive
    },
  });
  return Promise.race([created, failed]);
}

/** The compiled module at url, or an Error naming the file and what went wrong. */
export async function fetchWasm(url, fetchFn = globalThis.fetch) {
  return WebAssembly.compile(await fetchBytes(url, fetchFn));
}

/** The bytes at url (a Uint8Array), or an Error naming the file and what went wrong. */
export async function fetchBytes(url, fetchFn = globalThis.fetch) {
  const name = fileName(url);
  let response;
  try {
    response = await fetchFn(url);
  } catch (err) {
    throw new Error(`${name} could not be fetched (${err.message})`);
  }
  if (!response.ok) throw new Error(`${name} answered ${response.status} ${response.statusText}`.trim());
  return new Uint8Array(await response.arrayBuffer());
}

/** The last part of a URL's path: how messages name a file. */
export const fileName = (url) => String(url).split(/[?#]/)[0].split('/').pop();

// ---- memory, errors and models: what every wrapper of the module needs ----

/** The four model files, in the order the C functions take them. */
export const MODEL_FILES = ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'];

/** The optional file beside them: how the model says "not a digit" (src/calibration.h). */
export const CALIBRATION_FILE = 'calibration.txt';

/** An Error with the C layer's message for its last failure, after an optional prefix. */
export function cError(mod, prefix = '') {
  const message = mod.UTF8ToString(mod._dg_last_error()) || 'unknown error';
  return new Error(prefix ? `${prefix}: ${message}` : message);
}

/** bytes of wasm memory (free with mod._free), or an Error saying so. */
export function malloc(mod, bytes) {
  const ptr = mod._malloc(Math.max(1, bytes));
  if (!ptr) throw new Error(`out of memory in the WebAssembly module (asked for ${bytes} bytes)`);
  return ptr;
}

/** A copy of bytes in wasm memory; returns its pointer (free with mod._free). */
export function copyIn(mod, bytes) {
  const ptr = malloc(mod, bytes.length);
  mod.HEAPU8.set(bytes, ptr); // HEAPU8 read after malloc: memory may have grown
  return ptr;
}

/** A new C Model (free with mod._dg_model_free) from the four .npy files, given as
 * { 'W1.npy': bytes, ... } or { W1: bytes, ... }; throws naming a missing or bad file. */
export function loadModel(mod, files) {
  const parts = MODEL_FILES.map((name) => {
    const data = files[name] ?? files[name.replace('.npy', '')];
    if (data == null) throw new Error(`model file ${name} is missing`);
    return data instanceof Uint8Array ? data : new Uint8Array(data);
  });
  const ptrs = [];
  try {
    for (const bytes of parts) ptrs.push(copyIn(mod, bytes));
    const model = mod._dg_model_load_npy(...parts.flatMap((bytes, i) => [ptrs[i], bytes.length]));
    if (!model) throw cError(mod);
    return model;
  } finally {
    ptrs.forEach((p) => mod._free(p));
  }
}

/** A new C Model (free with mod._dg_model_free) from a packed model's bytes (src/pack.h); throws
 * naming the file (`name`) and what is wrong with it. */
export function loadPackedModel(mod, bytes, name = 'the packed model') {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const ptr = copyIn(mod, data);
  try {
    const model = mod._dg_model_load_pack(ptr, data.length);
    if (!model) throw cError(mod, name);
    return model;
  } finally {
    mod._free(ptr);
  }
}

/** The C Model at `model` as a packed model (src/pack.h): a Uint8Array. The worker's module
 * (digits_wasm) packs; the page's only reads packed models. */
export function packModel(mod, model) {
  const lenPtr = malloc(mod, 4);
  try {
    const ptr = mod._dg_model_pack(model, lenPtr);
    if (!ptr) throw cError(mod, 'could not pack the model');
    const bytes = mod.HEAPU8.slice(ptr, ptr + mod.HEAPU32[lenPtr >> 2]);
    mod._free(ptr);
    return bytes;
  } finally {
    mod._free(lenPtr);
  }
}

/** The C Model at `model` as { 'W1.npy': Uint8Array, ... }: copies, float32 (dtype 4) or float16 (2). */
export function exportModel(mod, model, dtype = 4) {
  const out = {};
  MODEL_FILES.forEach((name, tensor) => {
    const size = mod._dg_model_npy_size(model, tensor, dtype);
    if (!size) throw new Error(`could not encode ${name} (dtype ${dtype})`);
    const ptr = malloc(mod, size);
    try {
      if (mod._dg_model_save_npy(model, tensor, dtype, ptr, size) !== size) throw new Error(`could not encode ${name}`);
      out[name] = mod.HEAPU8.slice(ptr, ptr + size);
    } finally {
      mod._free(ptr);
    }
  });
  return out;
}

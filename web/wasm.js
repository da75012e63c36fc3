// wasm.js: the JavaScript side of src/wasm.c's module: creating it the same way with every
// Emscripten from 3.1.6 on, in the page, in its worker and in Node.
//
//   const wasm = await fetchWasm(new URL('./digits_wasm.wasm', import.meta.url))  // page and worker
//   const mod = await createModule(createDigitsModule, wasm)   // wasm: a WebAssembly.Module or the
//                                                              // .wasm bytes (Node reads the file)

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
  const name = String(url).split(/[?#]/)[0].split('/').pop();
  let response;
  try {
    response = await fetchFn(url);
  } catch (err) {
    throw new Error(`${name} could not be fetched (${err.message})`);
  }
  if (!response.ok) throw new Error(`${name} answered ${response.status} ${response.statusText}`.trim());
  return WebAssembly.compile(await response.arrayBuffer());
}

// ours.mjs: our WebAssembly modules in Node (build-wasm/, made by `npm run build:wasm`), the data
// files as bytes, and the default model.
//
//   const mod = await loadModule();                   // a fresh instance of digits_wasm
//   const rec = await pageRecognizer();               // web/recognizer.js as the page has it: its
//                                                     // own module (digits_recognizer), model/ packed
//   const d = parseCsv(mod, bytes, 65536);            // C Dataset pointer (free with _dg_dataset_free)
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packDefaultModel } from '../build-site.mjs';
import { Recognizer } from '../../web/recognizer.js';
import { MODEL_FILES, cError, createModule, malloc } from '../../web/wasm.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WASM_DIR = join(ROOT, 'build-wasm');

export async function loadModule() {
  const js = join(WASM_DIR, 'digits_wasm.js');
  if (!existsSync(js)) throw new Error('build-wasm/digits_wasm.js is missing: run npm run build:wasm');
  const factory = (await import(pathToFileURL(js).href)).default;
  return createModule(factory, readFileSync(join(WASM_DIR, 'digits_wasm.wasm')));
}

/** A recogniser as the page's: the page's module reading model/*.npy packed as the site serves them. */
export async function pageRecognizer(modelDir = join(ROOT, 'model')) {
  const js = join(WASM_DIR, 'digits_recognizer.js');
  if (!existsSync(js)) throw new Error('build-wasm/digits_recognizer.js is missing: run npm run build:wasm');
  const factory = (await import(pathToFileURL(js).href)).default;
  const rec = await Recognizer.create(factory, readFileSync(join(WASM_DIR, 'digits_recognizer.wasm')));
  rec.loadPackedModel(await packDefaultModel(ROOT, MODEL_FILES.map((name) => readFileSync(join(modelDir, name)))), 'model.pack');
  return rec;
}

/** Feeds bytes to the C parser in chunks of `chunk` bytes, as the page's worker does; returns
 * the Dataset pointer. Throws with the C layer's message on failure. */
export function parseCsv(mod, bytes, chunk = 65536) {
  const parser = mod._dg_csv_new();
  if (!parser) throw cError(mod);
  try {
    const buffer = malloc(mod, chunk);
    try {
      for (let at = 0; at < bytes.length; at += chunk) {
        const part = bytes.subarray(at, at + chunk);
        mod.HEAPU8.set(part, buffer); // HEAPU8 read every time: memory may have grown
        if (mod._dg_csv_feed(parser, buffer, part.length) < 0) throw cError(mod);
      }
    } finally {
      mod._free(buffer);
    }
    const data = mod._dg_csv_finish(parser);
    if (!data) throw cError(mod);
    return data;
  } finally {
    mod._dg_csv_free(parser);
  }
}

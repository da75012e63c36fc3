// Loads the WebAssembly build (build-wasm/, made by `npm run build:wasm`) in Node for tests,
// and the project's CSV files as plain arrays.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Recognizer } from '../../web/recognizer.js';
import { Training } from '../../web/training.js';
import { createModule, loadModel, packModel } from '../../web/wasm.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let loaded = null;

/** The module factory of build-wasm/digits_wasm.js and its compiled .wasm, loaded once. */
export function loadWasm() {
  loaded ??= (async () => {
    const js = path.join(root, 'build-wasm', 'digits_wasm.js');
    if (!fs.existsSync(js)) throw new Error('build-wasm/digits_wasm.js is missing: run npm run build:wasm');
    const factory = (await import(pathToFileURL(js).href)).default;
    const wasm = await WebAssembly.compile(fs.readFileSync(path.join(root, 'build-wasm', 'digits_wasm.wasm')));
    return { factory, wasm };
  })();
  return loaded;
}

/** A fresh instance of the module, as web/wasm.js creates it in the page. */
export async function newModule() {
  const { factory, wasm } = await loadWasm();
  return createModule(factory, wasm);
}

export async function createTraining() {
  const { factory, wasm } = await loadWasm();
  return Training.create(factory, wasm);
}

export async function createRecognizer(modelDir = path.join(root, 'model')) {
  const rec = new Recognizer(await newModule());
  if (modelDir) rec.loadModel(readModelDir(modelDir));
  return rec;
}

/** The model in dir (default: model/) as a packed model (src/pack.h), packed as the site build packs it. */
export async function packedDefault(dir = path.join(root, 'model')) {
  const mod = await newModule();
  const model = loadModel(mod, readModelDir(dir));
  try {
    return packModel(mod, model);
  } finally {
    mod._dg_model_free(model);
  }
}

/** The four .npy files of dir, and its calibration.txt when there is one. */
export function readModelDir(dir) {
  const files = {};
  for (const name of ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy']) files[name] = new Uint8Array(fs.readFileSync(path.join(dir, name)));
  const calibration = path.join(dir, 'calibration.txt');
  if (fs.existsSync(calibration)) files['calibration.txt'] = new Uint8Array(fs.readFileSync(calibration));
  return files;
}

/** Rows of a Kaggle CSV (train or test format) as { label, pixels: Uint8Array(784) }. */
export function readCsv(file, limit = Infinity) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const labelled = lines[0].startsWith('label');
  const rows = [];
  for (let i = 1; i < lines.length && rows.length < limit; i++) {
    if (!lines[i]) continue;
    const values = lines[i].split(',').map(Number);
    rows.push({ label: labelled ? values[0] : null, pixels: Uint8Array.from(labelled ? values.slice(1) : values) });
  }
  return rows;
}

export const toInput = (pixels) => Float32Array.from(pixels, (v) => v / 255);

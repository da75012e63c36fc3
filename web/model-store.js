// model-store.js: the model in use, when it is not the default one, kept in this browser's
// IndexedDB so that a reload still uses it: its four .npy files and what the page says about it
// (web/app.js useModel). One record; choosing the default model again deletes it.
//
//   const store = await ModelStore.open();    // throws if IndexedDB is unavailable
//   await store.save({ files, kind, when, ...about })   // files: { 'W1.npy': Uint8Array, ... }
//   await store.load()                        // -> that record, or null; throws, saying what is
//                                             //    wrong, if the record is not one save() writes
//   await store.clear()
import { openStore, runRequest } from './idb.js';
import { MODEL_FILES } from './wasm.js';

const DB_NAME = 'digits-model';
const STORE = 'model';
const KEY = 'in-use';
export const KEPT_KINDS = ['trained', 'fine-tuned', 'files'];

export class ModelStore {
  #db;

  constructor(db) {
    this.#db = db;
  }

  static async open(indexedDB = globalThis.indexedDB) {
    return new ModelStore(await openStore(DB_NAME, STORE, undefined, indexedDB));
  }

  async save(record) {
    await runRequest(this.#db, STORE, 'readwrite', (store) => store.put(checkRecord(record), KEY));
  }

  async load() {
    const record = await runRequest(this.#db, STORE, 'readonly', (store) => store.get(KEY));
    return record === undefined ? null : checkRecord(record);
  }

  async clear() {
    await runRequest(this.#db, STORE, 'readwrite', (store) => store.delete(KEY));
  }
}

/** The record if it has what the page needs to use and describe the model; throws saying what is missing. */
export function checkRecord(record) {
  if (!record || typeof record !== 'object') throw new Error('it is not a model record');
  if (!KEPT_KINDS.includes(record.kind)) throw new Error(`its kind '${record.kind}' is not one the page keeps`);
  if (!Number.isFinite(record.when)) throw new Error('it does not say when it was made');
  for (const name of MODEL_FILES) {
    if (!(record.files?.[name] instanceof Uint8Array)) throw new Error(`${name} is missing`);
  }
  return record;
}

// samples.js: the user's own labelled digits ("teach it your handwriting"), each the 28×28 image
// the network saw and the digit the user says it is. Kept in this browser's IndexedDB until the
// user deletes them; written out as a Kaggle train.csv. The pure helpers run in Node too.
//
//   const store = await SampleStore.open();   // throws if IndexedDB is unavailable; then use
//   const store = SampleStore.inMemory();     // the same API, kept until the page closes
//   await store.add({ label, pixels })        // -> { id, label, pixels: Uint8Array(784), created }
//   await store.all()                         // -> every sample, oldest first
//   await store.delete(id); await store.clear();
//   toPixels(x)                               // Float32Array(784) 0..1 -> Uint8Array(784) 0..255
//   samplesToCsv(samples)                     // -> 'label,pixel0,...,pixel783\n7,0,0,...\n'
//   packSamples(samples)                      // -> { pixels: Uint8Array(n*784), labels: Uint8Array(n) }

import { openStore, runRequest } from './idb.js';

const PIXELS = 784;
const DB_NAME = 'digits';
const STORE = 'samples';

/** The network's input (784 values 0..1) as bytes, the way a Kaggle CSV holds pixels. */
export function toPixels(x) {
  if (x?.length !== PIXELS) throw new Error(`expected ${PIXELS} values, got ${x?.length}`);
  return Uint8Array.from(x, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
}

/** The samples as a Kaggle "Digit Recognizer" train.csv (header, then label and 784 pixels a row). */
export function samplesToCsv(samples) {
  const header = ['label', ...Array.from({ length: PIXELS }, (_, i) => `pixel${i}`)].join(',');
  const rows = samples.map(({ label, pixels }) => `${label},${Array.prototype.join.call(pixels, ',')}`);
  return `${[header, ...rows].join('\n')}\n`;
}

/** The samples' pixels and labels in two flat arrays, for the training worker. */
export function packSamples(samples) {
  const pixels = new Uint8Array(samples.length * PIXELS), labels = new Uint8Array(samples.length);
  samples.forEach((s, i) => {
    pixels.set(s.pixels, i * PIXELS);
    labels[i] = s.label;
  });
  return { pixels, labels };
}

function check({ label, pixels }) {
  if (!Number.isInteger(label) || label < 0 || label > 9) throw new Error(`label ${label} is not a digit 0..9`);
  if (!(pixels instanceof Uint8Array) || pixels.length !== PIXELS) throw new Error(`a sample needs ${PIXELS} pixels (Uint8Array)`);
  return { label, pixels: pixels.slice(), created: Date.now() };
}

export class SampleStore {
  #db;
  #memory; // Map id -> sample when there is no database
  #next = 1;

  constructor(db, memory = null) {
    this.#db = db;
    this.#memory = memory;
  }

  /** Whether the samples outlive the page (IndexedDB) or not. */
  get persistent() { return Boolean(this.#db); }

  static async open(indexedDB = globalThis.indexedDB) {
    return new SampleStore(await openStore(DB_NAME, STORE, { keyPath: 'id', autoIncrement: true }, indexedDB));
  }

  static inMemory() {
    return new SampleStore(null, new Map());
  }

  async add(sample) {
    const value = check(sample);
    if (this.#memory) {
      const stored = { id: this.#next++, ...value };
      this.#memory.set(stored.id, stored);
      return stored;
    }
    const id = await this.#run('readwrite', (store) => store.add(value));
    return { id, ...value };
  }

  async all() {
    if (this.#memory) return [...this.#memory.values()];
    return this.#run('readonly', (store) => store.getAll());
  }

  async delete(id) {
    if (this.#memory) return void this.#memory.delete(id);
    await this.#run('readwrite', (store) => store.delete(id));
  }

  async clear() {
    if (this.#memory) return void this.#memory.clear();
    await this.#run('readwrite', (store) => store.clear());
  }

  #run(mode, makeRequest) {
    return runRequest(this.#db, STORE, mode, makeRequest);
  }
}

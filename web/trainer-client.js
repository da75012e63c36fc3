// trainer-client.js: the page's side of the training worker (web/worker.js): one request at a
// time as a promise, progress through callbacks, cancel by terminating the worker. A cancelled or
// crashed worker is replaced by a fresh one on the next request, which then loads its data again.
//
// A worker that dies rejects the pending request with an Error named 'WorkerStopped', "The training
// worker stopped: <why>", however it died: it said so ('stopped': out of memory, a WebAssembly trap
// or abort), an uncaught error ('error'), a message it sent could not be read ('messageerror'), or
// it just ended (closed, or killed by the browser): then the lock it held (Web Locks, named after
// the worker) is released, and granted to the page.
//
//   const client = new TrainerClient();
//   const info = await client.load({ kind: 'file', file }, onParseProgress);  // or { kind: 'bundled' }
//   const result = await client.train(options, onProgress, compare);  // compare: a model's four .npy
//                                                     // files, measured on the same validation digits
//   const tuned = await client.fineTune({ model, samples, options, data }, onProgress);  // onProgress gets
//                                                     // 'parse' and 'progress' messages
//   client.cancel();   // the pending request rejects with an AbortError, at once

export class TrainerClient {
  #worker = null;
  #pending = null; // { id, resolve, reject, onProgress }
  #nextId = 1;
  #source = null;  // the data source the current worker holds

  /** The source ({ kind, file? }) the worker has loaded, if it is still alive. */
  get source() { return this.#worker ? this.#source : null; }
  get busy() { return this.#pending !== null; }

  /** Parses a data source in the worker; resolves to its summary (see worker.js). */
  async load(source, onProgress) {
    const info = await this.#request({ type: 'load', source }, onProgress);
    this.#source = source;
    return info;
  }

  /** Trains on the loaded data; resolves to the result (see Training.train in training.js), with
   * result.compared: the accuracy of `compare` (four .npy files, if given) on the same validation digits. */
  train(options, onProgress, compare) {
    return this.#request({ type: 'train', options, compare }, onProgress);
  }

  /** Fine-tunes model (four .npy files) on samples ({ pixels, labels }) mixed with data, the
   * source it was trained on (as for load; the bundled digits if absent); resolves to the result
   * (see Training.fineTune in training.js, and worker.js for result.base). */
  fineTune({ model, samples, options, data }, onProgress) {
    return this.#request({ type: 'finetune', model, samples, options, data }, onProgress);
  }

  /** Stops the worker now; a pending request rejects with an AbortError. */
  cancel() {
    this.#fail(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
  }

  #request(message, onProgress) {
    if (this.#pending) return Promise.reject(new Error('the trainer is busy'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending = { id, resolve, reject, onProgress };
      this.#ensureWorker().postMessage({ ...message, id });
    });
  }

  #ensureWorker() {
    if (this.#worker) return this.#worker;
    const name = navigator.locks ? `digits-trainer-${crypto.randomUUID()}` : '';
    const worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name });
    const stopped = (why) => this.#stopped(worker, why);
    const ended = 'it ended without saying why (the browser may have run out of memory)';
    worker.addEventListener('message', ({ data }) => {
      if (data.type === 'alive') navigator.locks.request(name, () => stopped(ended));
      else if (data.type === 'stopped') stopped(data.message);
      else this.#answer(data);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      stopped(event.message?.replace(/^Uncaught /, '') || 'it could not be started');
    });
    worker.addEventListener('messageerror', () => stopped('one of its messages could not be read'));
    this.#worker = worker;
    return worker;
  }

  #answer(message) {
    const pending = this.#pending;
    if (!pending || message.id !== pending.id) return;
    if (message.type === 'parse' || message.type === 'progress') {
      pending.onProgress?.(message);
      return;
    }
    this.#pending = null;
    if (message.type === 'error') pending.reject(new Error(message.message));
    else if (message.type === 'loaded') pending.resolve(message.info);
    else pending.resolve(message.result);
  }

  // The worker died or cannot go on: drop it (the next request starts afresh) and say why.
  #stopped(worker, why) {
    if (worker !== this.#worker) return; // one already dropped (cancelled, or reported before)
    const err = new Error(`The training worker stopped: ${why}`);
    err.name = 'WorkerStopped';
    this.#fail(err);
  }

  // Ends the worker; the pending request, if any, rejects with err.
  #fail(err) {
    this.#worker?.terminate();
    this.#worker = null;
    this.#source = null;
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(err);
  }
}

// idb.js: the little of IndexedDB the page uses (web/samples.js, web/model-store.js): a database
// of one object store, and one request in a transaction of its own.
//
//   const db = await openStore('digits', 'samples', { keyPath: 'id', autoIncrement: true });
//   await runRequest(db, 'samples', 'readwrite', (store) => store.add(value))   // -> the request's result

/** Opens (creating it the first time) database `name` holding the object store `store`, made
 * with `options`. Rejects, saying why, if there is no IndexedDB or it cannot be opened. */
export function openStore(name, store, options, indexedDB = globalThis.indexedDB) {
  return new Promise((resolve, reject) => {
    if (!indexedDB) return reject(new Error('this browser has no IndexedDB'));
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(store, options);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this page'));
  });
}

/** One request in its own transaction; resolves with its result once the transaction commits. */
export function runRequest(db, store, mode, makeRequest) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = makeRequest(tx.objectStore(store));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error ?? request.error);
    tx.onabort = () => reject(tx.error ?? new Error('the change was not saved'));
  });
}

// web/model-store.js: what a record of the model in use must hold before the page uses it again on
// the next visit; anything else is refused with a reason (the page then falls back to the default).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelStore, checkRecord } from '../../web/model-store.js';

const files = () => Object.fromEntries(['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'].map((n) => [n, new Uint8Array(8)]));
const good = () => ({ files: files(), kind: 'trained', accuracy: 0.97, when: Date.UTC(2026, 11, 7) });

describe('a kept model record', () => {
  test('one as the page writes it is accepted as it is', () => {
    const record = good();
    assert.equal(checkRecord(record), record);
    for (const kind of ['fine-tuned', 'files']) assert.equal(checkRecord({ ...record, kind }).kind, kind);
  });

  test('anything else is refused, saying what is wrong', () => {
    const cases = [
      [null, 'it is not a model record'],
      ['W1.npy', 'it is not a model record'],
      [{ ...good(), kind: 'default' }, "its kind 'default' is not one the page keeps"],
      [{ ...good(), kind: undefined }, "its kind 'undefined' is not one the page keeps"],
      [{ ...good(), when: undefined }, 'it does not say when it was made'],
      [{ ...good(), when: NaN }, 'it does not say when it was made'],
      [{ ...good(), files: undefined }, 'W1.npy is missing'],
      [{ ...good(), files: { ...files(), 'b2.npy': undefined } }, 'b2.npy is missing'],
      [{ ...good(), files: { ...files(), 'W2.npy': [1, 2, 3] } }, 'W2.npy is missing'],
    ];
    for (const [record, message] of cases) assert.throws(() => checkRecord(record), { message }, JSON.stringify(record));
  });

  test('without IndexedDB the store cannot be opened, and says so', async () => {
    await assert.rejects(ModelStore.open(null), { message: 'this browser has no IndexedDB' });
  });
});

// The model in use as a person meets it over several visits, in headless Chromium: a model trained,
// fine-tuned or loaded here is still in use after a reload, named with when it was made, until
// "Use the default model"; one that cannot be read again falls back to the default, saying so; and
// a newly trained model is shown beside the model in use on the same held-out digits, used by
// itself only when it reads at least as many of them right. Screenshots go to test-results/.
//
//   node --test tests/e2e/models.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRecognizer, readCsv, toInput } from '../wasm/load.mjs';
import {
  DESKTOP, ONE, PHONE, REPO, SEVEN, assertRecognised, drawWithMouse, launchSite, screenshot, settle, waitReady,
} from './browser.mjs';

let site, dir, smallCsv;
// The screens of the walkthrough that asked for this: a desktop, and a phone as many people hold one.
const WIDE = { ...DESKTOP, viewport: { width: 1280, height: 900 } };
const PHONE_390 = { ...PHONE, viewport: { width: 390, height: 844 } };
const SEED = ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'].map((n) => join(REPO, 'tests/c/fixtures/seed_model', n));
const WHEN = /\((\w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s?[AP]M)\)$/; // Chromium's en-US medium date, short time

before(async () => {
  site = await launchSite();
  dir = mkdtempSync(join(tmpdir(), 'digits-models-'));
  const lines = readFileSync(join(REPO, 'data', 'train.csv'), 'utf8').split('\n');
  writeFileSync(smallCsv = join(dir, 'small.csv'), `${lines.slice(0, 601).join('\n')}\n`);
});

after(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const text = (page, selector) => page.locator(selector).textContent();
const shown = (page, selector) => page.locator(selector).innerText(); // without what is hidden

async function openPage(options = WIDE) {
  const opened = await site.open(options);
  await opened.page.locator('#train-start:enabled').waitFor();
  return opened;
}

/** Trains a small network (fast) on `csv` (a path) or, without it, on the bundled digits. */
async function train(page, { hidden = 16, epochs = 2, csv = null } = {}) {
  if (csv) {
    await page.locator('#csv-file').setInputFiles(csv);
    await page.locator('#data-summary').waitFor();
  }
  await page.locator('#train-form [name=hidden]').fill(String(hidden));
  await page.locator('#train-form [name=epochs]').fill(String(epochs));
  await page.locator('#train-start').click();
  await page.waitForFunction(() => !document.querySelector('#results').hidden || !document.querySelector('#train-error').hidden,
    null, { timeout: 120_000 });
  assert.equal(await page.locator('#train-error').isHidden(), true, await text(page, '#train-error'));
}

/** The comparison table of a choice box: [{ name, percent, right }] for the new model and the one in use, and the digits counted. */
async function comparison(page, box) {
  const heading = await text(page, `${box} caption`);
  const rows = await page.locator(`${box} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  return {
    count: Number(heading.match(/^Read right of the same ([\d,]+) /)[1].replace(/,/g, '')),
    heading,
    rows: rows.map(([name, value]) => {
      const [, percent, right] = value.match(/^([\d.]+)% \(([\d,]+)\)$/);
      return { name, percent: Number(percent), right: Number(right.replace(/,/g, '')) };
    }),
  };
}

describe('the model in use', { timeout: 600_000 }, () => {
  test('a model trained here is kept across reloads, named with when it was made, until the default is chosen', async () => {
    const { page, context, problems } = await openPage();
    await train(page, { csv: smallCsv });
    // 16 hidden units after 2 epochs on 540 digits read fewer right than the default: offered, not used.
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);
    await page.locator('#train-choice-use').click();
    const name = await text(page, '#model-name');
    assert.match(name, /^Model: trained here, 784-16-10, [\d.]+% validation \(.+\)$/);
    const made = new Date(name.match(WHEN)[1]);
    assert.ok(Math.abs(made - Date.now()) < 5 * 60_000, `made ${made}, now ${new Date()}`);
    await drawWithMouse(page, ONE);
    const read = await text(page, '#prediction');

    await page.reload();
    await waitReady(page);
    assert.equal(await text(page, '#model-name'), name, 'a reload went back to another model');
    assert.equal(await page.locator('#model-name').getAttribute('data-kind'), 'trained');
    assert.equal(await text(page, '#status'), `${name.replace(/^Model: /, 'Model ')}.`);
    assert.equal(await page.locator('#model-note').isHidden(), true, await text(page, '#model-note'));
    await drawWithMouse(page, ONE);
    assert.equal(await text(page, '#prediction'), read, 'the kept model reads differently');
    await screenshot(page, 'models-kept-desktop', page.locator('.result'));

    // One click back to the default, and it stays after a reload.
    await page.locator('#use-default').click();
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);
    await page.reload();
    await waitReady(page);
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);
    assert.equal(await page.locator('#use-default').isHidden(), true);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a model loaded from files is kept too, on a phone', async () => {
    const { page, context, problems } = await openPage(PHONE_390);
    await page.locator('#model-files').setInputFiles(SEED);
    await page.waitForFunction(() => document.querySelector('#model-name').dataset.kind === 'files');
    const name = await text(page, '#model-name');
    assert.match(name, /^Model: loaded from files, 784-3-10 \(.+\)$/);
    assert.match(name, WHEN);
    await page.reload();
    await waitReady(page);
    assert.equal(await text(page, '#model-name'), name);
    await page.locator('#use-default').scrollIntoViewIfNeeded();
    await screenshot(page, 'models-kept-phone', page.locator('.result'));
    const box = await page.locator('#use-default').boundingBox();
    assert.ok(box.width > 0 && box.height > 0, 'no visible "Use the default model"');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a kept model that cannot be read again falls back to the default, saying so plainly, and is deleted', async () => {
    const { page, context, problems } = await openPage();
    await page.locator('#model-files').setInputFiles(SEED);
    await page.waitForFunction(() => document.querySelector('#model-name').dataset.kind === 'files');
    // Let the page finish keeping it, then spoil what is kept: W1.npy is no NumPy file any more.
    await page.waitForFunction(() => new Promise((done) => {
      const open = indexedDB.open('digits-model', 1);
      open.onsuccess = () => {
        const get = open.result.transaction('model').objectStore('model').get('in-use');
        get.onsuccess = () => done(Boolean(get.result));
      };
    }));
    await page.evaluate(() => new Promise((done, fail) => {
      const open = indexedDB.open('digits-model', 1);
      open.onsuccess = () => {
        const store = open.result.transaction('model', 'readwrite').objectStore('model');
        const get = store.get('in-use');
        get.onsuccess = () => {
          const record = get.result;
          record.files['W1.npy'] = new TextEncoder().encode('not a numpy file');
          store.put(record, 'in-use').onsuccess = () => done();
        };
        get.onerror = fail;
      };
    }));
    await page.reload();
    await waitReady(page);
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);
    assert.equal(await page.locator('#model-note').isVisible(), true);
    const note = await text(page, '#model-note');
    console.log(`a kept model that cannot be read: "${note}"`);
    assert.match(note, /^The model you used last time could not be read again \(W1\.npy: .+\), so the default model is in use\.$/);
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);
    // Deleted: the next visit says nothing of it.
    await page.reload();
    await waitReady(page);
    assert.equal(await page.locator('#model-note').isHidden(), true);
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);

    // A record that is not a model (written by something else) is dropped the same way.
    await page.evaluate(() => new Promise((done) => {
      const open = indexedDB.open('digits-model', 1);
      open.onsuccess = () => {
        open.result.transaction('model', 'readwrite').objectStore('model').put({ kind: 'trained' }, 'in-use').onsuccess = () => done();
      };
    }));
    await page.reload();
    await waitReady(page);
    assert.match(await text(page, '#model-note'), /^The model you used last time could not be read again \(it does not say when it was made\), so the default model is in use\.$/);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a new model worse than the one in use on the same held-out digits is offered, not used; nothing stale is said', async () => {
    const { page, context, problems } = await openPage();
    await train(page, { hidden: 16, epochs: 1 }); // the bundled digits: the hold-out is the default model's too
    const compared = await comparison(page, '#train-choice');
    assert.equal(compared.count, 1005);
    assert.match(compared.heading, /^Read right of the same 1,005 hold-out digits, which no training saw:$/);
    const [fresh, inUse] = compared.rows;
    assert.match(fresh.name, /^new: 784-16-10, trained here$/);
    assert.match(inUse.name, /^in use when it started: default 784-\d+-10$/);
    // The model in use, measured by the worker, reads exactly what it reads here in Node on data/holdout.csv.
    const rec = await createRecognizer();
    const holdout = readCsv(join(REPO, 'data', 'holdout.csv'));
    const right = holdout.filter(({ label, pixels }) => rec.predict(toInput(pixels)).digit === label).length;
    assert.equal(inUse.right, right);
    assert.equal(fresh.percent, Number((await text(page, '#results-title')).match(/([\d.]+)% right/)[1]));
    assert.ok(fresh.right < inUse.right, `the new model read ${fresh.right}, the default ${inUse.right}`);

    const choice = () => shown(page, '#train-choice .choice-text');
    assert.equal(await choice(), 'The model in use reads more of them right, so it stays in use. Use the new model anyway');
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);
    assert.doesNotMatch(await text(page, '#results-text'), /now uses/);
    await settle(page);
    await screenshot(page, 'models-worse-offered-desktop', page.locator('#results'));

    await page.locator('#train-choice-use').click();
    assert.equal(await choice(), 'The recogniser above uses the new model, as you chose.');
    assert.match(await text(page, '#model-name'), /^Model: trained here, 784-16-10/);
    await page.locator('#use-default').click();
    assert.equal(await choice(), 'The recogniser above uses another model now. Use the new model again');
    await page.locator('#train-choice-use').click();
    assert.match(await text(page, '#model-name'), /^Model: trained here, 784-16-10/);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a new model at least as good as the one in use is used at once', async () => {
    const { page, context, problems } = await openPage();
    await page.locator('#model-files').setInputFiles(SEED); // 3 hidden units: easily beaten
    await page.waitForFunction(() => document.querySelector('#model-name').dataset.kind === 'files');
    await train(page, { hidden: 32, epochs: 2, csv: smallCsv });
    const { rows: [fresh, inUse] } = await comparison(page, '#train-choice');
    assert.match(inUse.name, /^in use when it started: loaded from files, 784-3-10 \(.+\)$/);
    assert.ok(fresh.right >= inUse.right, `the new model read ${fresh.right}, the one in use ${inUse.right}`);
    assert.equal(await shown(page, '#train-choice .choice-text'),
      'It reads at least as many of them right, so the recogniser above now uses it.');
    assert.match(await text(page, '#model-name'), /^Model: trained here, 784-32-10/);
    await context.close();
    assert.deepEqual(problems, []);
  });
});

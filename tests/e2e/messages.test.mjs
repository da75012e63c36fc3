// Every state tells the truth, in words a person knows, in headless Chromium: a drawing made while
// the model is still downloading (a slow phone) says "Loading the model…", never an error, and is
// read as soon as the model arrives; a bad training field names itself and its range; a model file
// that is not a .npy says so plainly, and a good one says it loaded, next to the control and to
// screen readers; training offline before the bundled digits were ever downloaded says they need a
// connection once; the network's shape and "hold-out" / "validation" are explained where they show.
// The exact messages are docs/bad-input.md's. Screenshots to test-results/.
//
//   node --test tests/e2e/messages.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  REPO, SEVEN, assertDocumented, assertRecognised, drawWithMouse, drawWithTouch, inkAt, launchSite, predictionText,
  screenshot, waitReady,
} from './browser.mjs';

// The two screens of the issue: a desktop window and a 390×844 touch phone.
const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

let site;
before(async () => { site = await launchSite(); });
after(async () => { await site?.close(); });

const text = (page, selector) => page.locator(selector).textContent();
const modelFile = (name) => ({ name, mimeType: 'application/octet-stream', buffer: readFileSync(join(REPO, 'model', name)) });

// A page whose model files (every request under model/, whatever their names) are held back until
// release() is called: a slow phone's download. As in a browser without service workers, so
// nothing answers from a cache.
async function openWithModelHeld(options) {
  const context = await site.browser.newContext(options);
  await context.addInitScript(() => { delete Navigator.prototype.serviceWorker; });
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  const asked = [];
  await context.route(/\/model\//, async (route) => {
    asked.push(route.request().url());
    await held;
    await route.continue();
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(site.server.url);
  return { page, context, problems, asked, release };
}

describe('messages a person understands', { timeout: 300_000 }, () => {
  for (const [device, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    test(`${device}: a drawing made while the model downloads says so, and is read when it arrives`, async () => {
      const { page, context, problems, asked, release } = await openWithModelHeld(options);
      await page.waitForFunction(() => document.querySelectorAll('#bars li').length === 10); // the page's script runs
      const until = Date.now() + 30_000;
      while (!asked.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.ok(asked.length, 'the page never asked for its model');

      // The pad draws before the model is there; the page says it is loading, not that it failed.
      if (options.hasTouch) await drawWithTouch(page, await context.newCDPSession(page), SEVEN);
      else await drawWithMouse(page, SEVEN);
      assert.equal(await inkAt(page, [0.5, 0.2]), true, 'the pad did not draw');
      assert.equal(await text(page, '#hint'), 'Loading the model…');
      assert.equal(await predictionText(page), '—');
      assert.equal(await page.locator('#error').isHidden(), true, await text(page, '#error'));
      assert.equal(await text(page, '#model-name'), 'Loading the model…');
      assert.equal(await text(page, '#announce'), 'Loading the model: the drawing is read when it arrives.');
      const shot = await screenshot(page, `loading-${device}`);

      // The model arrives: the drawing is read at once, and said to screen readers.
      release();
      await waitReady(page);
      await page.waitForFunction(() => /^\d — /.test(document.querySelector('#prediction').textContent));
      await assertRecognised(page, 7);
      assert.equal(await page.locator('#error').isHidden(), true, await text(page, '#error'));
      assert.equal(await text(page, '#hint'), 'Undo or clear to try another');
      assert.match(await text(page, '#announce'), /^Reads 7, \d+% sure\.$/);
      await context.close();
      assert.deepEqual(problems, []);
      console.log(`screenshot: ${shot}`);
    });
  }

  test('the page asks for its model while the WebAssembly is still downloading, and reads once both are there', async () => {
    const context = await site.browser.newContext(DESKTOP);
    await context.addInitScript(() => { delete Navigator.prototype.serviceWorker; });
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    const asked = [];
    await context.route(/digits_recognizer\.wasm$/, async (route) => {
      await held;
      await route.continue();
    });
    await context.route(/\/model\//, (route) => {
      asked.push(route.request().url());
      return route.continue();
    });
    const page = await context.newPage();
    await page.goto(site.server.url);
    const until = Date.now() + 30_000;
    while (!asked.some((u) => u.endsWith('/model.pack')) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    assert.ok(asked.some((u) => u.endsWith('/model.pack')), 'the model was not asked for while the WebAssembly downloaded');
    assert.equal(await text(page, '#model-name'), 'Loading the model…');
    release();
    await waitReady(page);
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);
    await context.close();
  });

  for (const [name, field, value] of [
    ['an empty training field names the field and its allowed range', 'hidden', ''],
    ['a training value out of range names the field and its allowed range', 'lr', '5']]) {
    test(name, async () => {
      const { page, context, problems } = await site.open(DESKTOP);
      await page.locator('#train-start:enabled').waitFor();
      await page.locator(`#train-form [name=${field}]`).fill(value);
      await page.locator('#train-start').click();
      const said = await text(page, '#train-error');
      assertDocumented(said, name);
      assert.doesNotMatch(said, /NaN/);
      assert.equal(await page.locator(`[name=${field}]`).getAttribute('aria-invalid'), 'true');
      assert.equal(await page.locator(`[name=${field}]`).getAttribute('aria-describedby'), 'train-error');
      assert.equal(await page.evaluate(() => document.activeElement.name), field);
      assert.equal(await page.locator('#run').isHidden(), true);
      console.log(`screenshot: ${await screenshot(page, `message-field-${field}`, page.locator('#train-form'))}`);
      await context.close();
      assert.deepEqual(problems, []);
    });
  }

  test('a model file that is not a .npy file is named in plain words', async () => {
    const { page, context, problems } = await site.open(DESKTOP);
    await page.locator('#train-start:enabled').waitFor();
    const before = await text(page, '#model-name');
    await page.locator('#model-files').setInputFiles([
      { name: 'W1.npy', mimeType: 'text/plain', buffer: Buffer.from('label,pixel0\n1,0\n') },
      modelFile('b1.npy'), modelFile('W2.npy'), modelFile('b2.npy')]);
    await page.locator('#model-error').waitFor();
    const said = await text(page, '#model-error');
    assertDocumented(said, 'a model file that is not a .npy file is named in plain words');
    assert.doesNotMatch(said, /magic/);
    assert.equal(await page.locator('#model-loaded').isHidden(), true);
    assert.equal(await text(page, '#model-name'), before);
    console.log(`screenshot: ${await screenshot(page, 'message-not-npy', page.locator('#model-card'))}`);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a model that loads says so next to the control and to screen readers', async () => {
    const { page, context, problems } = await site.open(DESKTOP);
    await page.locator('#train-start:enabled').waitFor();
    const names = ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'];
    await page.locator('#model-files').setInputFiles(names.map(modelFile));
    await page.locator('#model-loaded').waitFor();
    assert.equal(await text(page, '#model-loaded'), `Loaded ${names.join(', ')}.`);
    assert.equal(await text(page, '#announce'), `Model loaded from ${names.join(', ')}. The recogniser now uses it.`);
    assert.equal(await page.locator('#model-error').isHidden(), true);
    assert.match(await text(page, '#model-name'), /^Model: loaded from files, 784-\d+-10\b/);
    console.log(`screenshot: ${await screenshot(page, 'message-model-loaded', page.locator('#model-card'))}`);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('training offline before the bundled digits were downloaded says they need a connection once', async () => {
    const { page, context, problems } = await site.open(DESKTOP);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await page.locator('#train-start:enabled').waitFor();
    await context.setOffline(true);
    await page.locator('#train-start').click();
    await page.locator('#data-error').waitFor({ timeout: 60_000 });
    const said = await text(page, '#data-error');
    assertDocumented(said, 'training offline before the bundled digits were downloaded says they need a connection once');
    assert.doesNotMatch(said, /fetch/i);
    assert.equal(await text(page, '#train-text'), 'Stopped. The model in use did not change.');
    assert.equal(await page.locator('#train-start').isEnabled(), true);
    console.log(`screenshot: ${await screenshot(page, 'message-offline', page.locator('#train'))}`);
    await context.close();
    // Offline, the worker's requests fail: those are the point of this test.
    assert.deepEqual(problems.filter((p) => !/\.csv\.gz|ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(p)), []);
  });

  test('the network\'s shape and the jargon are explained where a newcomer meets them', async () => {
    const { page, context, problems } = await site.open(DESKTOP);
    const shape = page.locator('#model-name abbr');
    assert.match(await shape.textContent(), /^784-\d+-10$/);
    assert.match(await shape.getAttribute('title'), /^784 inputs \(the 28×28 pixels\), \d+ hidden units, 10 outputs \(one per digit\)$/);
    assert.match(await text(page, '#how'), /784-\d+-10 network \(784 pixels in, \d+ hidden units, 10 digits out\)/);
    assert.match(await text(page, '#data-name'), /held\s+out \(never trained on\) to validate it/);
    await context.close();
    assert.deepEqual(problems, []);
  });
});

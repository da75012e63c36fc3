// The page on a 390×844 touch phone, in headless Chromium: every control a finger can hit (at least
// 44×44 px: the digit keys, the delete ×, the small buttons), no "drop a file here" where nothing
// can be dragged, the progress and the chart brought into view when training starts, and a tap
// not read as a digit. The desktop (1280×900, a mouse) keeps its drop hints. Screenshots of both
// to test-results/.
//
//   node --test tests/e2e/phone.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  SEVEN, drawWithMouse, drawWithTouch, launchSite, padPoint, predictionText, screenshot, settle, teach,
} from './browser.mjs';

const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
const SMALLEST = 44; // px: the size of a fingertip's target (WCAG 2.5.5, Apple's and Google's guides)

let site;
before(async () => { site = await launchSite(); });
after(async () => { await site?.close(); });

// Every control on show, as { name, width, height }: buttons, file choosers (their labels), number
// fields and checkboxes (their labels, which toggle them).
function controls(page) {
  return page.evaluate(() => {
    const targets = new Set();
    for (const el of document.querySelectorAll('button, input')) {
      targets.add(el.type === 'file' || el.type === 'checkbox' ? el.closest('label') ?? el : el);
    }
    return [...targets].filter((el) => el.checkVisibility({ visibilityProperty: true })).map((el) => {
      const { width, height } = el.getBoundingClientRect();
      const name = el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 20)}"`;
      return { name, width: Math.round(width * 10) / 10, height: Math.round(height * 10) / 10 };
    });
  });
}

// Whether the element at selector is wholly inside the window.
const inView = (page, selector) => page.evaluate((s) => {
  const r = document.querySelector(s).getBoundingClientRect();
  return r.top >= 0 && r.bottom <= innerHeight && r.height > 0;
}, selector);

describe('on a phone', { timeout: 300_000 }, () => {
  test('every control is at least 44×44 px, the digit keys and the delete × too', async () => {
    const { page, context, problems } = await site.open(PHONE);
    await page.locator('#train-start:enabled').waitFor();
    await teach(page, SEVEN, 7); // a kept digit, with its delete ×
    await drawWithMouse(page, SEVEN); // the digit keys enabled
    const shown = await controls(page);
    for (const name of ['button[data-digit="0"]', '.delete', '#undo', '#mine-clear', '#train-defaults', '#csv-file']) {
      const found = await page.locator(name).first().isVisible();
      assert.ok(found, `${name} is not on show: the check below would not see it`);
    }
    const small = shown.filter((c) => c.width < SMALLEST || c.height < SMALLEST);
    assert.deepEqual(small, [], `smaller than ${SMALLEST}×${SMALLEST} px`);
    assert.ok(shown.length >= 25, `only ${shown.length} controls found`);
    // Screenshots of the window (a full-page one would drop the phone's touch emulation).
    const saved = [await screenshot(page, 'phone-controls')];
    await page.locator('#mine-card').scrollIntoViewIfNeeded();
    saved.push(await screenshot(page, 'phone-controls-mine'));
    await page.locator('#train-form').scrollIntoViewIfNeeded();
    saved.push(await screenshot(page, 'phone-controls-train'));
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), PHONE.viewport.width, 'the page scrolls sideways');
    await context.close();
    assert.deepEqual(problems, []);

    // The desktop keeps its one row of digit keys.
    const desktop = await site.open(DESKTOP);
    await drawWithMouse(desktop.page, SEVEN);
    const keys = await desktop.page.locator('#teach-keys .keys button').evaluateAll((b) => b.map((k) => Math.round(k.getBoundingClientRect().top)));
    assert.equal(new Set(keys).size, 1, 'the desktop\'s digit keys are not in one row');
    saved.push(await screenshot(desktop.page, 'desktop-controls', null, { fullPage: true }));
    await desktop.context.close();
    assert.deepEqual(desktop.problems, []);
    console.log(`screenshots: ${saved.join(', ')}`);
  });

  test('no "drop a file here" where nothing can be dragged; the desktop keeps it', async () => {
    for (const [options, drop] of [[PHONE, false], [DESKTOP, true]]) {
      const { page, context, problems } = await site.open(options);
      for (const hint of await page.locator('.drop-hint').allInnerTexts()) {
        assert.equal(/drop/i.test(hint), drop, `"${hint}"`);
        assert.match(hint, /train\.csv|W1\.npy/); // what to choose stays
      }
      if (!drop) console.log(`screenshot: ${await screenshot(page, 'phone-files', page.locator('#model-card'))}`);
      await context.close();
      assert.deepEqual(problems, []);
    }
  });

  test('starting training brings the progress and the chart into view', async () => {
    const { page, context, problems } = await site.open(PHONE);
    await page.locator('#train-start:enabled').waitFor();
    for (const [name, value] of Object.entries({ hidden: 16, epochs: 3 })) await page.locator(`#train-form [name=${name}]`).fill(String(value));
    await page.locator('#train-start').scrollIntoViewIfNeeded();
    assert.equal(await inView(page, '#chart'), false, 'the chart was in view before: the test shows nothing');
    await page.locator('#train-start').tap();
    await page.waitForFunction(() => /^Epoch|^Done/.test(document.querySelector('#train-text').textContent), null, { timeout: 60_000 });
    await settle(page);
    assert.equal(await inView(page, '#train-bar'), true, 'the progress bar is out of view');
    assert.equal(await inView(page, '#chart'), true, 'the chart is out of view');
    console.log(`screenshot: ${await screenshot(page, 'phone-training')}`);
    if (await page.locator('#train-cancel').isEnabled()) await page.locator('#train-cancel').tap();
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a single tap is not read as a digit', async () => {
    const { page, context, problems } = await site.open(PHONE);
    const cdp = await context.newCDPSession(page);
    const p = await padPoint(page, [0.5, 0.45]);
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [p] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await settle(page);
    assert.equal(await predictionText(page), '—');
    assert.equal(await page.locator('#hint').textContent(), 'Too small: draw it bigger');
    assert.equal(await page.locator('#teach-keys [data-digit="1"]').isDisabled(), true);
    await drawWithTouch(page, cdp, SEVEN); // and a digit drawn after it reads
    assert.match(await predictionText(page), /^7 — /);
    await context.close();
    assert.deepEqual(problems, []);
  });
});

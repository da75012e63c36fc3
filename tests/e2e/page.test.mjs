// The page as a person uses it: headless Chromium draws on the pad with a mouse or a finger
// and reads what the page shows. The site is built into a temporary folder and served from
// the sub-path /digits/, as GitHub Pages would. Screenshots go to test-results/.
//
//   node --test tests/e2e/*.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP, FLOWER, ONE, PHONE, SEVEN, STAR, ZERO, assertEmpty, assertNotADigit, assertRecognised, drawWithMouse,
  drawWithTouch, inEveryLook, inkAt, launchSite, predictionText, screenshot, settle,
} from './browser.mjs';

let site;
before(async () => { site = await launchSite(); });
after(async () => { await site?.close(); });
const open = (...args) => site.open(...args);

describe('the page', { timeout: 600_000 }, () => {
  test('loads the WebAssembly recogniser and the default model, from a sub-path', async () => {
    const { page, context, problems } = await open();
    assert.match(await page.locator('#status').textContent(), /^Default model, 784-\d+-10\.$/);
    assert.match(await page.locator('#how').textContent(), /784-\d+-10 network/);
    await assertEmpty(page);
    assert.equal(await page.locator('#bars li').count(), 10);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('recognises a 1, a 7 and a 0 drawn with the mouse', async () => {
    const { page, context, problems } = await open();
    const bars = await page.locator('#bars li').elementHandles();
    for (const [digit, strokes] of [[1, ONE], [7, SEVEN], [0, ZERO]]) {
      await page.keyboard.press('Escape');
      await drawWithMouse(page, strokes);
      await assertRecognised(page, digit);
      assert.equal(await page.locator('#bars li.top .label').textContent(), String(digit));
    }
    // The bars were updated in place, not rebuilt.
    const same = await page.evaluate((old) => old.every((li, k) => li.isConnected && li === document.querySelectorAll('#bars li')[k]), bars);
    assert.equal(same, true, 'the bars were rebuilt');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a drawing that is no digit says so, announced, and can still be taught; a digit still reads', async () => {
    // the default model's own calibration.txt (model/, trained with outlier exposure) decides
    const { page, context, problems } = await open();
    await page.waitForFunction(() => !/Loading/.test(document.querySelector('#mine-summary').textContent));
    for (const strokes of [STAR, FLOWER]) {
      await page.keyboard.press('Escape');
      await drawWithMouse(page, strokes);
      await settle(page);
      await assertNotADigit(page);
      assert.match(await page.locator('#announce').textContent(), /^That doesn't look like a digit; best guess \d\.\s?$/);
    }
    await screenshot(page, 'page-not-a-digit');
    // a person may insist it is a 7: the teach keys still take it
    const kept = await page.locator('#mine-list li').count();
    await page.locator('#teach-keys [data-digit="7"]').click();
    await page.waitForFunction((n) => document.querySelectorAll('#mine-list li').length === n, kept + 1);
    await settle(page);
    await assertEmpty(page);
    assert.equal(await page.locator('#hint').textContent(), 'Draw a digit');
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);
    assert.equal(await page.locator('#prediction.not-digit').count(), 0);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('Clear (button and Escape) empties the pad and the prediction', async () => {
    const { page, context, problems } = await open();
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);
    await page.locator('#clear').click();
    await settle(page);
    await assertEmpty(page);

    await drawWithMouse(page, ONE);
    await assertRecognised(page, 1);
    await page.keyboard.press('Escape');
    await settle(page);
    await assertEmpty(page);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('Undo (button and Ctrl+Z) removes the last stroke', async () => {
    const { page, context, problems } = await open();
    const left = [[0.3, 0.2], [0.3, 0.8]], right = [[0.7, 0.2], [0.7, 0.8]];
    await drawWithMouse(page, [left, right]);
    assert.deepEqual([await inkAt(page, [0.3, 0.5]), await inkAt(page, [0.7, 0.5])], [true, true]);

    await page.locator('#undo').click();
    await settle(page);
    assert.deepEqual([await inkAt(page, [0.3, 0.5]), await inkAt(page, [0.7, 0.5])], [true, false]);
    await assertRecognised(page, 1);

    await page.keyboard.press('Control+z');
    await settle(page);
    await assertEmpty(page);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('on a phone: fits the screen, and a finger draws without scrolling the page', async () => {
    const { page, context, problems } = await open(PHONE);
    const pad = await page.locator('#pad').boundingBox();
    const prediction = await page.locator('#prediction').boundingBox();
    assert.ok(pad.x >= 0 && pad.x + pad.width <= 375, `the pad (${pad.x}..${pad.x + pad.width}) fits 375 px`);
    assert.ok(prediction.y + prediction.height <= 667, `the prediction (bottom ${prediction.y + prediction.height}) is visible`);
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 375, 'no sideways scrolling');

    const cdp = await context.newCDPSession(page);
    assert.equal(await drawWithTouch(page, cdp, SEVEN), 0, 'the page scrolled while drawing');
    await assertRecognised(page, 7);
    await context.close();
    assert.deepEqual(problems, []);
  });

  for (const [file, message] of [['**/model/model.pack', /model could not be loaded: model\.pack answered 404/],
    ['**/digits_recognizer.wasm', /recogniser \(WebAssembly\) could not be loaded/]]) {
    test(`says so on the page when ${file.slice(3)} cannot be loaded`, async () => {
      const { page, context, problems } = await open(DESKTOP, { missing: file });
      assert.match(await page.locator('#error').textContent(), message);
      assert.equal(await page.locator('#status').textContent(), 'No model loaded.');
      await drawWithMouse(page, ONE); // the pad still draws, and nothing pretends to read it
      assert.equal(await predictionText(page), '—');
      await context.close();
      const expected = (p) => p.includes(file.slice(3)) || p.includes('Failed to load resource: the server responded with a status of 404');
      assert.ok(problems.every(expected), problems.join('\n'));
    });
  }

  test('says so on the page when the model arrives cut short', async () => {
    const { page, context, problems } = await open(DESKTOP, { cut: '**/model/model.pack' });
    assert.equal(await page.locator('#error').textContent(),
      'The model could not be loaded: model.pack: its checksum does not match: the file is damaged or cut short');
    assert.equal(await page.locator('#status').textContent(), 'No model loaded.');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('screenshots: desktop and phone, light and dark', async () => {
    await inEveryLook(open, async (page, { device, colorScheme }) => {
      await drawWithMouse(page, SEVEN);
      await assertRecognised(page, 7);
      return screenshot(page, `page-${device}-${colorScheme}`);
    });
  });
});

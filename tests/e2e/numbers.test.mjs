// A number on the pad: headless Chromium writes "2026" and the page reads it, shows each digit,
// lets the person pick one, and keeps a corrected digit as a taught one.
//
//   node --test tests/e2e/numbers.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertRecognised, axeViolations, drawWithMouse, drawWithTouch, inEveryLook, inkAt, launchSite, padPoint, PHONE, predictionText, screenshot, settle, STAR, ZERO as ROUND_ZERO } from './browser.mjs';

const ellipse = (cx, cy, rx, ry, n = 30) => Array.from({ length: n + 1 }, (_, i) => {
  const a = (i / n) * 2 * Math.PI;
  return [cx + rx * Math.sin(a), cy - ry * Math.cos(a)];
});
// Digits in a unit box, and "2026" written with them across the pad (pad units).
const TWO = [[[0.12, 0.3], [0.25, 0.08], [0.5, 0], [0.78, 0.08], [0.88, 0.3], [0.75, 0.55], [0.4, 0.8], [0.08, 1], [0.5, 0.98], [0.95, 0.98]]];
const ZERO = [ellipse(0.5, 0.5, 0.4, 0.5)];
const SIX = [[[0.78, 0.02], [0.5, 0.15], [0.25, 0.42], [0.12, 0.72], [0.25, 0.95], [0.55, 1], [0.82, 0.85], [0.82, 0.62], [0.55, 0.5], [0.3, 0.58], [0.15, 0.75]]];
const at = (digit, x, y = 0.3, s = 0.36) => digit.map((stroke) => stroke.map(([a, b]) => [x + a * s * 0.6, y + b * s]));
const NUMBER = [...at(TWO, 0.06), ...at(ZERO, 0.3), ...at(TWO, 0.54), ...at(SIX, 0.76)];

let site;
before(async () => { site = await launchSite(); });
after(async () => { await site?.close(); });
const open = (...args) => site.open(...args);

const shown = (page, selector) => page.locator(`${selector}:not([hidden])`).count();
const topBar = (page) => page.locator('#bars li.top .label').textContent();

describe('a number', { timeout: 600_000 }, () => {
  test('the page reads a drawn 2026, each digit with its image, confidence and box', async () => {
    const { page, context, problems } = await open();
    await drawWithMouse(page, NUMBER);
    assert.equal(await page.locator('#prediction .digit').textContent(), '2026');
    assert.equal(await shown(page, '#number li'), 4);
    assert.equal(await shown(page, '#boxes .number-box'), 4);
    assert.equal(await page.locator('#boxes').isHidden(), false);
    const labels = await page.locator('#number li:not([hidden]) button').evaluateAll((bs) => bs.map((b) => b.textContent));
    labels.forEach((label, i) => assert.match(label, new RegExp(`^Digit ${i + 1}: ${'2026'[i]}, \\d{1,2}% sure$`)));
    // the boxes lie left to right on the pad
    const lefts = await page.locator('#boxes .number-box').evaluateAll((bs) => bs.map((b) => b.getBoundingClientRect().left));
    assert.deepEqual([...lefts].sort((a, b) => a - b), lefts);
    // screen readers hear the number after the last stroke
    assert.match(await page.locator('#announce').textContent(), /^Reads the number 2026: 2, \d+%; 0, \d+%; 2, \d+%; 6, \d+% sure\./);
    // the bars show the last digit drawn, until another is picked
    assert.equal(await topBar(page), '6');
    assert.equal(await page.locator('#number li:nth-child(4) button').getAttribute('aria-pressed'), 'true');
    await page.locator('#number li:nth-child(2) button').click();
    await settle(page);
    assert.equal(await topBar(page), '0');
    assert.equal(await page.locator('#number li:nth-child(2) button').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('#boxes .number-box.selected').count(), 1);
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'number-2026-desktop');

    // undo the 6: the number is 202; clear: the pad and the number are empty
    await page.keyboard.press('Control+z');
    await settle(page);
    assert.equal(await page.locator('#prediction .digit').textContent(), '202');
    await page.keyboard.press('Escape');
    await settle(page);
    assert.equal(await predictionText(page), '—');
    assert.equal(await page.locator('#number').isHidden(), true);
    assert.equal(await page.locator('#boxes').isHidden(), true);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a wrong digit is corrected by picking it and pressing the right key; the number stays', async () => {
    const { page, context, problems } = await open();
    await drawWithMouse(page, NUMBER);
    await page.locator('#number li:nth-child(1) button').click();
    await settle(page);
    await page.locator('#teach-keys button[data-digit="3"]').click();
    await settle(page);
    await page.waitForFunction(() => /Kept as a 3 \(it read 2\)/.test(document.querySelector('#teach-status').textContent));
    assert.equal(await page.locator('#prediction .digit').textContent(), '2026', 'the number was kept on the pad');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('while a tap on a box is held, the bars keep the digit they show', async () => {
    const { page, context, problems } = await open();
    await drawWithMouse(page, NUMBER);
    assert.equal(await topBar(page), '6');
    const p = await padPoint(page, [0.41, 0.48]); // inside the 0's box
    await page.mouse.move(p.x, p.y);
    await page.mouse.down();
    await settle(page);
    assert.equal(await topBar(page), '6', 'the held tap changed the bars');
    assert.equal(await page.locator('#prediction .digit').textContent(), '2026');
    await page.mouse.up();
    await settle(page);
    assert.equal(await topBar(page), '0');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a tap on the box of a digit picks it, with the mouse and with a finger, and leaves no ink', async () => {
    for (const device of ['desktop', 'phone']) {
      const { page, context, problems } = await open(device === 'phone' ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } : undefined);
      const cdp = device === 'phone' ? await context.newCDPSession(page) : null;
      const draw = (strokes) => (cdp ? drawWithTouch(page, cdp, strokes) : drawWithMouse(page, strokes));
      await draw(NUMBER);
      assert.equal(await topBar(page), '6');
      // inside the 0's box, in its hole
      await draw([[[0.41, 0.48]]]);
      assert.equal(await topBar(page), '0', device);
      assert.equal(await page.locator('#number li:nth-child(2) button').getAttribute('aria-pressed'), 'true');
      assert.equal(await page.locator('#prediction .digit').textContent(), '2026');
      assert.equal(await inkAt(page, [0.41, 0.48]), false, 'the tap left ink');
      if (device === 'phone') await screenshot(page, 'number-tap-phone-390');
      // undo takes back the 6: the tap on the box was no stroke
      await page.locator('#undo').click();
      await settle(page);
      assert.equal(await page.locator('#prediction .digit').textContent(), '202');
      await context.close();
      assert.deepEqual(problems, []);
    }
  });

  test('a wide pad keeps the shape of a digit: a 0 drawn at its right end reads 0, its ink where it was drawn', async () => {
    const { page, context, problems } = await open();
    const pad = await page.locator('#pad').boundingBox();
    const right = pad.width / pad.height; // the pad's width in pad units
    assert.ok(right > 1.5, `the pad is ${pad.width} x ${pad.height}`);
    const zero = ROUND_ZERO.map((s) => s.map(([x, y]) => [x + right - 1, y]));
    await drawWithMouse(page, zero);
    await assertRecognised(page, 0);
    // the ink is on the drawn path, round: its top, bottom, left and right, not the middle
    const [[cx, cy]] = [[right - 0.5, 0.5]];
    const ys = zero[0].map(([, y]) => y), xs = zero[0].map(([x]) => x);
    for (const p of [[cx, Math.min(...ys)], [cx, Math.max(...ys)], [Math.min(...xs), cy], [Math.max(...xs), cy]]) assert.ok(await inkAt(page, p), `no ink at ${p}`);
    assert.equal(await inkAt(page, [cx, cy]), false);
    assert.ok((await padPoint(page, [right, 1])).x <= pad.x + pad.width + 0.5);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('two touching 0s written in one stroke are cut where the network reads them best', async () => {
    const { page, context, problems } = await open();
    const loop = ellipse(0.15, 0.25, 0.15, 0.25, 24);
    await drawWithMouse(page, [[...loop, ...loop.map(([x, y]) => [x + 0.4, y])].map(([x, y]) => [x + 0.3, y + 0.25])]);
    assert.equal(await page.locator('#prediction .digit').textContent(), '00');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a part that is no digit is shown and heard as a best guess, not read as a digit', async () => {
    const { page, context, problems } = await open();
    // the star scaled to a digit's box (at() squeezes x by 0.6)
    const xs = STAR.flat().map(([x]) => x), ys = STAR.flat().map(([, y]) => y);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const star = STAR.map((s) => s.map(([x, y]) => [(x - x0) / (x1 - x0) / 0.6, (y - y0) / (y1 - y0)]));
    await drawWithMouse(page, [...at(TWO, 0.06), ...at(star, 0.3), ...at(SIX, 0.76)]);
    const guess = await page.locator('#number li:nth-child(2) button').textContent();
    const best = guess.match(/^Digit 2: no digit, best guess (\d), \d{1,2}% sure$/)[1];
    assert.equal(await page.locator('#prediction .digit').textContent(), `2${best}6`);
    assert.equal(await page.locator('#prediction .digit .best-guess').textContent(), best);
    assert.match(await page.locator('.hint').first().textContent(), /^The faint one doesn't look like a digit$/);
    assert.deepEqual(await page.locator('#number li:not([hidden]) button').evaluateAll((bs) => bs.map((b) => b.classList.contains('not-digit'))), [false, true, false]);
    assert.match(await page.locator('#announce').textContent(), new RegExp(`^One part doesn't look like a digit\\. Reads: 2, \\d+%; no digit \\(best guess ${best}\\); 6, \\d+% sure\\.`));
    // picked, its bars are a best guess's; the digits around it stay as read
    await page.locator('#number li:nth-child(2) button').click();
    await settle(page);
    assert.equal(await topBar(page), best);
    assert.equal(await page.locator('#prediction').evaluate((p) => p.classList.contains('not-digit')), true);
    const weights = await page.locator('#prediction .digit').evaluate((d) => [d, d.querySelector('.best-guess')].map((e) => getComputedStyle(e).fontWeight));
    assert.deepEqual(weights, ['700', '200']); // the number in full, its best guess faint
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, 'number-with-a-star');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('one digit looks as before: no number, no boxes', async () => {
    const { page, context, problems } = await open();
    await drawWithMouse(page, at(SIX, 0.3, 0.15, 0.7));
    assert.match(await predictionText(page), /^6 — \d{1,2}%$/);
    assert.equal(await page.locator('#number').isHidden(), true);
    assert.equal(await page.locator('#boxes').isHidden(), true);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a six-digit number fits beside what it sees, on a desktop and on a phone', async () => {
    for (const look of [undefined, PHONE]) {
      const { page, context, problems } = await open(look);
      const { width, height } = await page.locator('#pad').boundingBox();
      const step = (width / height - 0.1) / 6; // six digits across the pad, whatever its width
      const strokes = [TWO, ZERO, SIX, TWO, ZERO, SIX].flatMap((d, i) => at(d, 0.05 + i * step, 0.3, Math.min(0.36, step * 1.2)));
      if (look) await drawWithTouch(page, await page.context().newCDPSession(page), strokes);
      else await drawWithMouse(page, strokes);
      const device = look ? 'phone' : 'desktop';
      assert.equal(await page.locator('#prediction .digit').textContent(), '206206', device);
      const number = await page.locator('#prediction .digit').boundingBox();
      const seen = await page.locator('#seen').boundingBox();
      const column = await page.locator('section.result').boundingBox();
      assert.ok(number.x + number.width <= seen.x, `${device}: the number ends at ${number.x + number.width} px, what it sees begins at ${seen.x} px`);
      assert.ok(seen.x + seen.width <= column.x + column.width + 0.5, `${device}: what it sees ends at ${seen.x + seen.width} px, past the column's ${column.x + column.width} px`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, `${device}: the page is ${overflow} px wider than the screen`);
      await context.close();
      assert.deepEqual(problems, []);
    }
  });

  test('on a phone, with a finger, and in every look', async () => {
    await inEveryLook(open, async (page, look) => {
      if (look.device === 'phone') {
        const cdp = await page.context().newCDPSession(page);
        await drawWithTouch(page, cdp, NUMBER);
      } else {
        await drawWithMouse(page, NUMBER);
      }
      await settle(page);
      assert.equal(await page.locator('#prediction .digit').textContent(), '2026', `${look.device}, ${look.colorScheme}`);
      return screenshot(page, `number-${look.device}-${look.colorScheme}`, null, { fullPage: false });
    });
  });
});

// The pad's strokes as the network sees them: a digit reads the same drawn large or small, a tap
// is not a digit, and a stroke begun just off the pad counts; with a mouse on a desktop and a
// finger on a phone. Screenshots of "what it sees" go to test-results/.
//
//   node --test tests/e2e/strokes.test.mjs
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP, PHONE, assertRecognised, drawWithMouse, drawWithTouch, launchSite, padPoint, predictionText, screenshot, settle,
} from './browser.mjs';

let site;
before(async () => { site = await launchSite(); });
after(async () => { await site?.close(); });

// The digits 0-9 as strokes in a unit box (x across, y down), as a person might draw them.
const ellipse = (cx, cy, rx, ry, from, to, n) => Array.from({ length: n + 1 }, (_, i) => {
  const a = from + ((to - from) * i) / n;
  return [cx + rx * Math.sin(a), cy - ry * Math.cos(a)];
});
const DIGITS = [
  [ellipse(0.5, 0.5, 0.4, 0.5, 0, 2 * Math.PI, 40)],
  [[[0.6, 0], [0.5, 0.5], [0.4, 1]]],
  [[[0.1, 0.25], [0.3, 0.05], [0.6, 0], [0.85, 0.15], [0.85, 0.35], [0.6, 0.6], [0.3, 0.8], [0.05, 1], [0.5, 0.98], [0.95, 0.98]]],
  [[[0.1, 0.1], [0.45, 0], [0.8, 0.1], [0.8, 0.3], [0.45, 0.47], [0.8, 0.6], [0.88, 0.82], [0.5, 1], [0.1, 0.9]]],
  [[[0.6, 0], [0.05, 0.65], [0.95, 0.65]], [[0.68, 0.3], [0.68, 1]]],
  [[[0.85, 0], [0.2, 0], [0.15, 0.45], [0.5, 0.38], [0.85, 0.55], [0.85, 0.8], [0.55, 1], [0.1, 0.9]]],
  [[[0.75, 0], [0.35, 0.25], [0.12, 0.6], [0.2, 0.9], [0.5, 1], [0.8, 0.85], [0.8, 0.6], [0.5, 0.5], [0.2, 0.65]]],
  [[[0.05, 0], [0.5, 0], [0.95, 0], [0.7, 0.4], [0.45, 1]]],
  [Array.from({ length: 49 }, (_, i) => {
    const t = -Math.PI + (2 * Math.PI * i) / 48;
    return [0.5 - 0.32 * Math.sin(2 * t), 0.5 + 0.5 * Math.cos(t)];
  })],
  [[...ellipse(0.45, 0.3, 0.33, 0.3, Math.PI / 2, Math.PI / 2 - 2 * Math.PI, 32), [0.75, 0.65], [0.7, 1]]],
];

/** A digit of DIGITS `height` tall (pad units), 0.7 as wide, centred at (cx, cy) on the pad. */
const placed = (strokes, height, cx = 0.5, cy = 0.5) =>
  strokes.map((stroke) => stroke.map(([x, y]) => [cx + (x - 0.5) * 0.7 * height, cy + (y - 0.5) * height]));

// For each pixel of a width x width image, how many steps (4-neighbours) it is from a pixel of `set`.
function distanceTo(set, width) {
  const distance = new Array(set.length).fill(Infinity);
  let front = [];
  set.forEach((inSet, i) => { if (inSet) { distance[i] = 0; front.push(i); } });
  for (let d = 1; front.length; d++) {
    const next = [];
    for (const i of front) {
      const x = i % width;
      for (const j of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width]) {
        if (j >= 0 && j < set.length && distance[j] === Infinity) { distance[j] = d; next.push(j); }
      }
    }
    front = next;
  }
  return distance;
}

// The 28x28 image the page shows as "what it sees": its ink, 0..255 per pixel.
const seenInk = (page) => page.evaluate(() => {
  const { data } = document.querySelector('#seen').getContext('2d').getImageData(0, 0, 28, 28);
  return Array.from({ length: 784 }, (_, i) => data[4 * i + 3]);
});
const meanDifference = (a, b) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length / 255;

const TOO_SMALL = /too small/i;

// One stroke with a finger that stops before it lifts. Chromium takes a finger lifted while it
// moves fast for a fling, and the next tap then only stops the fling: no click.
async function drawResting(page, cdp, stroke) {
  const [first, ...rest] = await Promise.all(stroke.map((p) => padPoint(page, p)));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [first] });
  for (const p of rest) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] });
  await new Promise((resolve) => setTimeout(resolve, 200));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await settle(page);
}

async function tap(page, cdp, at) {
  const p = await padPoint(page, at);
  if (cdp) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [p] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  } else {
    await page.mouse.click(p.x, p.y);
  }
  await settle(page);
}

test('the pad paints a digit drawn point by point as it paints it at once', { timeout: 120_000 }, async () => {
  const { page, context, problems } = await site.open(DESKTOP);
  const alpha = () => page.evaluate(() => {
    const pad = document.querySelector('#pad');
    const { data } = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height);
    return Array.from({ length: data.length / 4 }, (_, i) => data[4 * i + 3]);
  });
  await drawWithMouse(page, placed(DIGITS[2], 0.8)); // painted a little more on every frame
  const drawn = await alpha();
  await page.emulateMedia({ colorScheme: 'dark' }); // a new colour repaints every stroke whole
  await settle(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await settle(page);
  const whole = await alpha();
  // The last piece painted on each frame stays under the curves that replace it: the two may
  // differ by slivers along the ink's edge, never by a piece of stroke (half a pen, 12 px, wide).
  const width = await page.evaluate(() => document.querySelector('#pad').width); // the canvas may be wider than tall
  const distance = distanceTo(whole.map((a, i) => a > 128 && drawn[i] > 128), width);
  const differ = whole.map((a, i) => i).filter((i) => Math.abs(whole[i] - drawn[i]) > 64);
  assert.ok(whole.filter((a) => a > 128).length > 1000, 'too little ink');
  const farthest = Math.max(0, ...differ.map((i) => distance[i]));
  assert.ok(farthest <= 4, `a pixel ${farthest} px from the ink both show differs`);
  await context.close();
  assert.deepEqual(problems, []);
});

// A phone as many people hold one: 390x844 CSS px, a finger.
const PHONE_390 = { ...PHONE, viewport: { width: 390, height: 844 } };

for (const [device, options] of [['desktop', DESKTOP], ['phone', PHONE_390]]) {
  const touch = device === 'phone';
  const draw = (page, cdp, strokes) => (touch ? drawWithTouch(page, cdp, strokes) : drawWithMouse(page, strokes));

  describe(`on a ${device}, with ${touch ? 'a finger' : 'the mouse'}`, { timeout: 300_000 }, () => {
    test('every digit reads the same, and right, at 75% and at 20% of the pad', async () => {
      const { page, context, problems } = await site.open(options);
      const cdp = touch ? await context.newCDPSession(page) : null;
      for (const [digit, strokes] of DIGITS.entries()) {
        await draw(page, cdp, placed(strokes, 0.75));
        await assertRecognised(page, digit);
        const large = await seenInk(page);
        if (digit === 4) await screenshot(page, `strokes-${device}-large`);
        await page.keyboard.press('Escape');

        await draw(page, cdp, placed(strokes, 0.2, 0.3, 0.7)); // small, and low on the left
        await assertRecognised(page, digit);
        const small = await seenInk(page);
        if (digit === 4) await screenshot(page, `strokes-${device}-small`);
        await page.keyboard.press('Escape');
        // what the network sees hardly depends on the size: the pen is in proportion
        assert.ok(meanDifference(large, small) < 0.03, `a ${digit}: the images differ by ${meanDifference(large, small)} on average`);
      }
      await context.close();
      assert.deepEqual(problems, []);
    });

    test('a tap or a tiny mark is not read as a digit: the page asks for a bigger one', async () => {
      const { page, context, problems } = await site.open(options);
      const cdp = touch ? await context.newCDPSession(page) : null;
      for (const mark of ['tap', 'tiny']) {
        if (mark === 'tap') await tap(page, cdp, [0.5, 0.4]);
        else await draw(page, cdp, [[[0.5, 0.5], [0.51, 0.52], [0.52, 0.5]]]);
        assert.equal(await predictionText(page), '—', `a ${mark} was read`);
        assert.match(await page.locator('#hint').textContent(), TOO_SMALL);
        assert.match(await page.locator('#announce').textContent(), TOO_SMALL);
        assert.equal(await page.locator('#bars li.top').count(), 0);
        assert.equal(await page.locator('#teach-keys [data-digit="0"]').isDisabled(), true, 'a tap could be taught as a digit');
        assert.equal(await page.locator('#undo').isDisabled(), false);
        if (mark === 'tap') await screenshot(page, `strokes-${device}-tap`);
        await page.keyboard.press('Escape');
      }
      // and a digit drawn after it reads as before
      await draw(page, cdp, placed(DIGITS[7], 0.6));
      await assertRecognised(page, 7);
      await context.close();
      assert.deepEqual(problems, []);
    });

    test('strokes begun just off the pad count, and may leave it and come back', async () => {
      const { page, context, problems } = await site.open(options);
      const cdp = touch ? await context.newCDPSession(page) : null;
      const pad = await page.locator('#pad').boundingBox();
      const px = (n) => n / pad.height; // CSS px in pad units (the pad's height is 1)
      const right = pad.width / pad.height; // the pad's right edge, pad units

      // A 7 whose bar starts 8 px above the pad and 6 px left of it.
      const seven = [[[-px(6), -px(8)], [0.45, -px(8)], [0.85, -px(6)], [0.6, 0.45], [0.4, 0.9]]];
      await draw(page, cdp, seven);
      await assertRecognised(page, 7);
      assert.equal(await page.evaluate(() => window.scrollY), 0, 'the page scrolled');
      await page.keyboard.press('Escape');

      // A large 4 whose first stroke starts 10 px left of the pad, below the top.
      const four = [[[0.62, 0.05], [-px(10), 0.62], [0.95, 0.62]], [[0.7, 0.3], [0.7, 0.97]]];
      await draw(page, cdp, four);
      await assertRecognised(page, 4);
      await page.keyboard.press('Escape');

      // A 0 whose right side leaves the pad by 12 px and comes back.
      const zero = [ellipse(right - 0.5 + px(6), 0.5, 0.5, 0.42, 0, 2 * Math.PI, 40)];
      await draw(page, cdp, zero);
      await assertRecognised(page, 0);
      await page.keyboard.press('Escape');

      // Further off than the sheet reaches, nothing starts; and the buttons under the pad keep
      // their clicks and taps, up to their top edge.
      await draw(page, cdp, [[[0.5, -px(40)], [0.5, -px(80)]]]);
      assert.equal(await page.locator('#undo').isDisabled(), true, 'a stroke began 40 px off the pad');
      if (touch) await drawResting(page, cdp, placed(DIGITS[1], 0.6)[0]);
      else await draw(page, cdp, placed(DIGITS[1], 0.6));
      await assertRecognised(page, 1);
      const undo = await page.locator('#undo').boundingBox();
      const edge = { x: undo.x + undo.width / 2, y: undo.y + 1 };
      if (touch) {
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [edge] });
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      } else {
        await page.mouse.click(edge.x, edge.y);
      }
      // a tap's click comes a little after the finger lifts
      await page.waitForFunction(() => document.querySelector('#undo').disabled, null, { timeout: 5000 })
        .catch(() => assert.fail('the top edge of Undo did not undo'));
      assert.equal(await predictionText(page), '—');
      await context.close();
      assert.deepEqual(problems, []);
    });
  });
}

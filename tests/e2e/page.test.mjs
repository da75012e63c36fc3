// The page as a person uses it: headless Chromium draws on the pad with a mouse or a finger
// and reads what the page shows. The site is built into a temporary folder and served from
// the sub-path /digits/, as GitHub Pages would. Screenshots go to test-results/.
//
//   node --test tests/e2e/        (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildSite } from '../../scripts/build-site.mjs';
import { startServer } from '../../scripts/serve.mjs';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SHOTS = join(REPO, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

// Digits as strokes, in pad units (0..1 across and down).
const ONE = [[[0.52, 0.14], [0.5, 0.5], [0.48, 0.86]]];
const SEVEN = [[[0.26, 0.2], [0.5, 0.2], [0.74, 0.2], [0.6, 0.45], [0.44, 0.84]]];
const ZERO = [Array.from({ length: 41 }, (_, i) => {
  const a = (i / 40) * 2 * Math.PI;
  return [0.5 + 0.22 * Math.sin(a), 0.5 - 0.33 * Math.cos(a)];
})];

let site, server, browser;

before(async () => {
  if (!existsSync(join(REPO, 'build-wasm/digits_wasm.wasm')) || !existsSync(join(REPO, 'build-wasm/digits_wasm.js'))) {
    execFileSync('bash', ['scripts/build-wasm.sh'], { cwd: REPO, stdio: 'inherit' });
  }
  site = mkdtempSync(join(tmpdir(), 'digits-site-'));
  buildSite({ root: REPO, out: site, quiet: true });
  server = await startServer({ root: site, base: '/digits/', port: 0 });
  assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (site) rmSync(site, { recursive: true, force: true });
});

// A fresh page on the site, ready to draw; `problems` collects console errors, page errors,
// failed requests and requests that leave the site. `missing`: a URL glob answered with 404.
async function open(options = DESKTOP, { missing } = {}) {
  const context = await browser.newContext(options);
  if (missing) await context.route(missing, (route) => route.fulfill({ status: 404, body: 'not found' }));
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('request', (r) => !r.url().startsWith(server.url) && !r.url().startsWith('data:') &&
    problems.push(`request outside the site: ${r.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(server.url);
  await page.waitForFunction(() => /784-\d+-10/.test(document.querySelector('#status').textContent) ||
    !document.querySelector('#error').hidden);
  if (!missing) assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
  return { page, context, problems };
}

async function padPoint(page, [x, y]) {
  const box = await page.locator('#pad').boundingBox();
  return { x: box.x + x * box.width, y: box.y + y * box.height };
}

async function drawWithMouse(page, strokes) {
  for (const stroke of strokes) {
    const [first, ...rest] = await Promise.all(stroke.map((p) => padPoint(page, p)));
    await page.mouse.move(first.x, first.y);
    await page.mouse.down();
    for (const p of rest) await page.mouse.move(p.x, p.y, { steps: 6 });
    await page.mouse.up();
  }
  await settle(page);
}

// Draws with a finger through the DevTools protocol; returns the largest window.scrollY seen.
async function drawWithTouch(page, cdp, strokes) {
  let maxScroll = 0;
  for (const stroke of strokes) {
    const pts = await Promise.all(stroke.map((p) => padPoint(page, p)));
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [pts[0]] });
    for (let i = 1; i < pts.length; i++) {
      for (let s = 1; s <= 6; s++) {
        const t = s / 6;
        const p = { x: pts[i - 1].x + t * (pts[i].x - pts[i - 1].x), y: pts[i - 1].y + t * (pts[i].y - pts[i - 1].y) };
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [p] });
      }
      maxScroll = Math.max(maxScroll, await page.evaluate(() => window.scrollY));
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }
  await settle(page);
  return Math.max(maxScroll, await page.evaluate(() => window.scrollY));
}

// Two animation frames: the pad has repainted and the page has shown the new prediction.
function settle(page) {
  return page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

const predictionText = (page) => page.locator('#prediction').textContent();

async function assertRecognised(page, digit) {
  const text = await predictionText(page);
  assert.match(text, /^\d — \d{1,2}%$/, `prediction shows "${text}"`);
  assert.equal(text[0], String(digit), `drew a ${digit}, the page says "${text}"`);
}

async function assertEmpty(page) {
  assert.equal(await predictionText(page), '—');
  assert.equal(await page.evaluate(() => {
    const pad = document.querySelector('#pad');
    const { data } = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height);
    return data.some((v, i) => i % 4 === 3 && v !== 0);
  }), false, 'the pad still has ink');
  assert.equal(await page.locator('#undo').isDisabled(), true);
  assert.equal(await page.locator('#clear').isDisabled(), true);
}

// Whether the pad has ink at a point (pad units).
function inkAt(page, [x, y]) {
  return page.evaluate(([x, y]) => {
    const pad = document.querySelector('#pad');
    const px = pad.getContext('2d').getImageData(Math.round(x * pad.width), Math.round(y * pad.height), 1, 1).data;
    return px[3] > 128;
  }, [x, y]);
}

async function screenshot(page, name) {
  const path = join(SHOTS, `page-${name}.png`);
  await page.screenshot({ path });
  return relative(process.cwd(), path);
}

describe('the page', { timeout: 300_000 }, () => {
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

  for (const [file, message] of [['**/model/W2.npy', /model could not be loaded.*W2\.npy/],
    ['**/digits_wasm.wasm', /recogniser \(WebAssembly\) could not be loaded/]]) {
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

  test('screenshots: desktop and phone, light and dark', async () => {
    const saved = [];
    for (const colorScheme of ['light', 'dark']) {
      for (const [name, options] of [['desktop', DESKTOP], ['phone', PHONE]]) {
        const { page, context, problems } = await open({ ...options, colorScheme });
        await drawWithMouse(page, SEVEN);
        await assertRecognised(page, 7);
        saved.push(await screenshot(page, `${name}-${colorScheme}`));
        await context.close();
        assert.deepEqual(problems, []);
      }
    }
    console.log(`screenshots: ${saved.join(', ')}`);
  });
});

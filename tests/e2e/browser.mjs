// Shared helpers of the browser tests: build the site into a temporary folder, serve it from the
// sub-path /digits/ (as GitHub Pages would), drive headless Chromium (Debian's, or CHROMIUM_PATH),
// open pages that record every problem, and draw on the pad with a mouse or a finger.
//
//   const site = await launchSite();            // in before(); site.close() in after()
//   const { page, context, problems } = await site.open(DESKTOP);
//   await drawWithMouse(page, SEVEN); await assertRecognised(page, 7);
//   await teach(page, SEVEN, 1);                 // draw, then press the digit key "1"
//   await axeViolations(page)                    // serious and critical accessibility problems
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildSite } from '../../scripts/build-site.mjs';
import { startServer } from '../../scripts/serve.mjs';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const AXE = join(REPO, 'node_modules', 'axe-core', 'axe.min.js');
export const SHOTS = join(REPO, 'test-results');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = { viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];

// Digits as strokes, in pad units (0..1 across and down).
export const ONE = [[[0.52, 0.14], [0.5, 0.5], [0.48, 0.86]]];
export const SEVEN = [[[0.26, 0.2], [0.5, 0.2], [0.74, 0.2], [0.6, 0.45], [0.44, 0.84]]];
export const ZERO = [Array.from({ length: 41 }, (_, i) => {
  const a = (i / 40) * 2 * Math.PI;
  return [0.5 + 0.22 * Math.sin(a), 0.5 - 0.33 * Math.cos(a)];
})];

// Drawings that are no digit (the default model must say so), in the same units.
export const STAR = [[[0.5, 0.15], [0.62, 0.82], [0.18, 0.4], [0.82, 0.4], [0.38, 0.82], [0.5, 0.15]]];
export const FLOWER = [Array.from({ length: 201 }, (_, i) => { // five petals, one stroke
  const a = (i / 200) * 2 * Math.PI, r = 0.3 * Math.abs(Math.cos(2.5 * a));
  return [0.5 + r * Math.cos(a), 0.5 + r * Math.sin(a)];
})];

/** Builds and serves the site and starts Chromium. Returns { browser, server, dir, build, open, close }
 * (build: what buildSite returned). */
export async function launchSite() {
  if (['digits_wasm', 'digits_recognizer'].some((m) => ['js', 'wasm'].some((ext) => !existsSync(join(REPO, `build-wasm/${m}.${ext}`))))) {
    execFileSync('bash', ['scripts/build-wasm.sh'], { cwd: REPO, stdio: 'inherit' });
  }
  const dir = mkdtempSync(join(tmpdir(), 'digits-site-'));
  let server, browser, build;
  const close = async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    build = await buildSite({ root: REPO, out: dir, quiet: true });
    server = await startServer({ root: dir, base: '/digits/', port: 0 });
    assert.ok(existsSync(CHROMIUM), `no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (err) {
    await close();
    throw err;
  }
  mkdirSync(SHOTS, { recursive: true });
  return { browser, server, dir, build, close, open: (options, extra) => open(browser, server, options, extra) };
}

// A fresh page on the site, ready to draw; `problems` collects console errors, page errors,
// Content-Security-Policy violations, failed requests and requests that leave the site;
// `requests` every request of the page, its workers and the service worker, from the first.
// `missing`: a URL glob answered with 404; `cut`: one whose files arrive cut to half their length.
async function open(browser, server, options = DESKTOP, { missing, cut, replace } = {}) {
  const context = await browser.newContext({ acceptDownloads: true, ...options });
  // replace: { url, body }: the site answers url with body instead (a file the build does not ship)
  if (replace) await context.route(replace.url, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: replace.body }));
  if (missing) await context.route(missing, (route) => route.fulfill({ status: 404, body: 'not found' }));
  if (cut) {
    await context.route(cut, async (route) => {
      try {
        const response = await route.fetch();
        const body = await response.body();
        await route.fulfill({ response, body: body.subarray(0, body.length >> 1) });
      } catch {
        // The test may end while a request (the service worker's precache) is still in flight.
        await route.abort().catch(() => {});
      }
    });
  }
  await context.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => console.error(
    `CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline code'} (${e.sourceFile}:${e.lineNumber})`), true));
  const page = await context.newPage();
  const problems = [];
  const watch = (target) => {
    target.on('console', (m) => m.type() === 'error' && problems.push(`console error: ${m.text()}`));
  };
  watch(page);
  page.on('worker', (worker) => worker.on('console', (m) => m.type() === 'error' && problems.push(`worker console error: ${m.text()}`)));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  const requests = [];
  context.on('request', (r) => {
    requests.push(r);
    if (!r.url().startsWith(server.url) && !/^(data|blob):/.test(r.url())) problems.push(`request outside the site: ${r.url()}`);
  });
  page.on('websocket', (ws) => problems.push(`web socket: ${ws.url()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  await page.goto(server.url);
  await waitReady(page, { failing: Boolean(missing || cut) });
  return { page, context, problems, requests };
}

/** Waits until the page has its model (or says why not: then `failing` must be true). */
export async function waitReady(page, { failing = false } = {}) {
  await page.waitForFunction(() => /784-\d+-10/.test(document.querySelector('#status').textContent) ||
    !document.querySelector('#error').hidden);
  if (!failing) assert.equal(await page.locator('#error').isHidden(), true, await page.locator('#error').textContent());
}

/** The rows of docs/bad-input.md's browser tables: test name -> what the page shows. */
export function documented(name) {
  for (const line of readFileSync(join(REPO, 'docs', 'bad-input.md'), 'utf8').split('\n')) {
    const cells = line.split('|').slice(1, -1).map((c) => c.trim().replace(/^`(.*)`$/, '$1'));
    if (cells.length === 3 && cells[2] === name) return cells[1];
  }
  assert.fail(`docs/bad-input.md has no browser row whose Test is \`${name}\``);
}

// Whether text is the documented message, each "…" in it standing for any text.
export function assertDocumented(actual, name) {
  const pattern = documented(name);
  const re = new RegExp(`^${pattern.split('…').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
  assert.match(actual, re, `the page says "${actual}"; docs/bad-input.md says "${pattern}"`);
}

/** Draws strokes and presses the digit key `digit` under the bars: the drawing is kept as that digit. */
export async function teach(page, strokes, digit) {
  const before = await page.locator('#mine-list li').count();
  await drawWithMouse(page, strokes);
  await page.locator(`#teach-keys [data-digit="${digit}"]`).click();
  await page.waitForFunction((n) => document.querySelectorAll('#mine-list li').length === n, before + 1);
  await settle(page);
}

/** axe-core's serious and critical violations on the page as it is, as readable lines. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy allows no inline script.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(readFileSync(AXE, 'utf8'));
  const { violations } = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) =>
    v.nodes.map((n) => `${v.impact} ${v.id}: ${n.target.join(' ')}: ${n.failureSummary.replace(/\s+/g, ' ')}`));
}

export async function padPoint(page, [x, y]) {
  const box = await page.locator('#pad').boundingBox();
  return { x: box.x + x * box.height, y: box.y + y * box.height }; // pad units: the pad's height (web/pad.js)
}

export async function drawWithMouse(page, strokes) {
  await page.locator('#pad').scrollIntoViewIfNeeded(); // as a person would, if the page was scrolled away
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
export async function drawWithTouch(page, cdp, strokes) {
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
export function settle(page) {
  return page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
}

export const predictionText = (page) => page.locator('#prediction').textContent();

export async function assertRecognised(page, digit) {
  const text = await predictionText(page);
  assert.match(text, /^\d — \d{1,2}%$/, `prediction shows "${text}"`);
  assert.equal(text[0], String(digit), `drew a ${digit}, the page says "${text}"`);
}

/** The page says the drawing is no digit, with its best guess faint beside it. */
export async function assertNotADigit(page) {
  assert.equal(await page.locator('#hint').textContent(), "That doesn't look like a digit");
  assert.match(await predictionText(page), /^\d best guess$/);
  assert.equal(await page.locator('#prediction.not-digit').count(), 1);
  // the bars mark the best guess faintly too, not in the accent colour of an answer
  const [fill, accent] = await page.evaluate(() => {
    const probe = document.body.appendChild(document.createElement('span'));
    probe.style.backgroundColor = 'var(--accent)';
    const colours = [getComputedStyle(document.querySelector('#bars .top .fill')).backgroundColor, getComputedStyle(probe).backgroundColor];
    probe.remove();
    return colours;
  });
  assert.notEqual(fill, accent, "the best guess's bar is coloured as an answer");
}

export async function assertEmpty(page) {
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
export function inkAt(page, [x, y]) {
  return page.evaluate(([x, y]) => {
    const pad = document.querySelector('#pad');
    const px = pad.getContext('2d').getImageData(Math.round(x * pad.height), Math.round(y * pad.height), 1, 1).data;
    return px[3] > 128;
  }, [x, y]);
}

// The four looks every screenshot covers: light and dark, each on a desktop and a phone.
export const LOOKS = ['light', 'dark'].flatMap((colorScheme) => [['desktop', DESKTOP], ['phone', PHONE]]
  .map(([device, options]) => ({ colorScheme, device, options: { ...options, colorScheme } })));

/** For each of LOOKS: opens a page with open(look.options), runs body(page, look) (which returns
 * the screenshots it saved), checks that the page does not scroll sideways, closes it and checks
 * that nothing went wrong in it. Prints and returns every screenshot saved. */
export async function inEveryLook(open, body) {
  const saved = [];
  for (const look of LOOKS) {
    const { page, context, problems } = await open(look.options);
    saved.push(...[await body(page, look)].flat());
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), look.options.viewport.width,
      `${look.device}, ${look.colorScheme}: the page scrolls sideways`);
    await context.close();
    assert.deepEqual(problems, []);
  }
  console.log(`screenshots: ${saved.join(', ')}`);
  return saved;
}

/** Saves a screenshot (of the page, or of `locator` if given) as test-results/<name>.png. */
export async function screenshot(page, name, locator = null, { fullPage = false } = {}) {
  const path = join(SHOTS, `${name}.png`);
  await (locator ?? page).screenshot({ path, ...(locator ? {} : { fullPage }) });
  return relative(process.cwd(), path);
}

/** After a run whose result box is `box` ('#train-choice' or '#finetune-choice'): checks that the
 * page used the new model by itself exactly when it read at least as many of the held-out digits
 * right as the model in use, and presses "Use the new model anyway" if it did not, so that the new
 * model is in use. Returns { offered, right, rightInUse }. */
export async function useNewModel(page, box) {
  await page.locator(`${box} tbody tr`).first().waitFor();
  const [right, rightInUse] = await page.locator(`${box} tbody td`).evaluateAll((tds) =>
    tds.map((td) => Number(td.textContent.match(/\(([\d,]+)\)$/)[1].replace(/,/g, ''))));
  const offered = await page.locator(`${box}-use`).isVisible();
  assert.equal(offered, right < rightInUse, `new ${right}, in use ${rightInUse}: ${await page.locator(box).innerText()}`);
  if (offered) await page.locator(`${box}-use`).click();
  return { offered, right, rightInUse };
}

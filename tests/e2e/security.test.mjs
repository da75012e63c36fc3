// Security and privacy, in headless Chromium: the page carries a Content-Security-Policy that allows
// only the site's own files (no inline script or style, no eval, WebAssembly allowed to compile);
// every part of the page works under it without one violation (the other browser tests count them
// too: tests/e2e/browser.mjs); and a whole visit that draws, teaches, fine-tunes, trains on the
// user's CSV, loads the user's model files and downloads makes no request outside the site's
// origin, no request that is not a GET, and none that carries a user file's name or bytes.
//
//   node --test tests/e2e/*.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { zip } from '../../web/zip.js';
import { DESKTOP, REPO, SEVEN, ZERO, drawWithMouse, launchSite, teach } from './browser.mjs';

// docs/reliability.md explains each directive.
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self'; " +
  "connect-src 'self'; worker-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'";

let site, dir;
const mark = `private${process.pid}x${Date.now()}`; // in the user files' names: must never be sent
const files = {};
before(async () => {
  site = await launchSite();
  dir = mkdtempSync(join(tmpdir(), 'digits-security-'));
  const lines = readFileSync(join(REPO, 'data', 'train.csv'), 'utf8').split('\n');
  writeFileSync(files.csv = join(dir, `${mark}.csv`), `${lines.slice(0, 401).join('\n')}\n`);
  const model = Object.fromEntries(['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'].map((n) => [n, readFileSync(join(REPO, 'model', n))]));
  writeFileSync(files.zip = join(dir, `${mark}.zip`), zip(model));
});
after(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const text = (page, selector) => page.locator(selector).textContent();

describe('security and privacy', { timeout: 600_000 }, () => {
  test('the page declares a Content-Security-Policy before anything it loads, and has no inline code', async () => {
    const html = readFileSync(join(site.dir, 'index.html'), 'utf8');
    const head = html.slice(0, html.indexOf('</head>'));
    const meta = head.match(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/);
    assert.ok(meta, 'no Content-Security-Policy <meta> in the page');
    assert.equal(meta[1], CSP);
    assert.ok(!/<(script|link|style)\b/.test(head.slice(0, meta.index)), 'something loads before the policy applies');
    assert.ok(!/<style\b/.test(html) && !/\sstyle="/.test(html), 'inline style in the page');
    assert.ok(!/\son[a-z]+=/i.test(html), 'an inline event handler in the page');
    for (const script of html.match(/<script\b[^>]*>/g)) assert.match(script, /\ssrc="\.\//, `inline or foreign script: ${script}`);
  });

  test('Chromium enforces it: inline script and style, eval and other origins are blocked and reported', async () => {
    const { page, context, problems } = await site.open(DESKTOP);
    const outcome = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.inlineRan = true;';
      document.head.append(script);
      document.body.setAttribute('style', 'outline: 9px solid red');
      // In a task of the page's own (code evaluated by DevTools may eval whatever the policy says).
      const evalRan = await new Promise((done) => setTimeout(() => {
        try { done(eval('true')); } catch { done(false); }
      }));
      const fetched = await fetch('https://example.com/').then(() => true, () => false);
      await new Promise((done) => setTimeout(done, 100)); // violation reports are queued
      return { inline: window.inlineRan === true, style: getComputedStyle(document.body).outlineWidth === '9px', evalRan, fetched };
    });
    assert.deepEqual(outcome, { inline: false, style: false, evalRan: false, fetched: false });
    const blocked = problems.filter((p) => p.startsWith('console error: CSP violation')).map((p) => p.split(' ')[4]);
    assert.deepEqual(blocked.sort(), ['connect-src', 'script-src', 'script-src-elem', 'style-src-attr']);
    await context.close();
  });

  test('a whole visit sends nothing but GETs for the site\'s own files, and no user file leaves the browser', async () => {
    const received = []; // what the server was sent
    const log = (req) => received.push({ method: req.method, url: req.url, body: req.headers['content-length'] ?? req.headers['transfer-encoding'] });
    site.server.server.on('request', log);
    try {
      const { page, context, problems, requests } = await site.open(DESKTOP);
      await page.waitForFunction(() => !/Loading/.test(document.querySelector('#mine-summary').textContent));
      await page.locator('#train-start:enabled').waitFor();

      // Draw, teach two digits, fine-tune on them (the bundled data is fetched), export them.
      await teach(page, SEVEN, 1);
      await teach(page, ZERO, 0);
      await page.locator('#finetune').click();
      await page.waitForFunction(() => /^Your/.test(document.querySelector('#finetune-result').textContent) ||
        !document.querySelector('#mine-error').hidden, null, { timeout: 120_000 });
      assert.equal(await page.locator('#mine-error').isHidden(), true, await text(page, '#mine-error'));
      await Promise.all([page.waitForEvent('download'), page.locator('#finetune-download').click()]);
      await Promise.all([page.waitForEvent('download'), page.locator('#mine-export').click()]);

      // Train on the user's CSV, download the model, load the user's model files.
      await page.locator('#csv-file').setInputFiles(files.csv);
      await page.locator('#data-summary').waitFor();
      for (const [name, value] of [['hidden', 16], ['epochs', 2]]) await page.locator(`#train-form [name=${name}]`).fill(String(value));
      await page.locator('#train-start').click();
      await page.locator('#results').waitFor({ timeout: 120_000 });
      await Promise.all([page.waitForEvent('download'), page.locator('#download').click()]);
      await page.locator('#model-files').setInputFiles(files.zip);
      await page.waitForFunction(() => document.querySelector('#model-name').dataset.kind === 'files');
      await drawWithMouse(page, SEVEN);
      await context.close();

      assert.deepEqual(problems, []); // no request outside the site, no CSP violation, no error
      assert.ok(requests.some((r) => r.url().endsWith('/data/train.csv.gz')), 'the worker\'s requests were not seen');
      const sent = requests.map((r) => ({ method: r.method(), url: r.url(), body: r.postData() }));
      const bySw = requests.filter((r) => r.serviceWorker()).length;
      console.log(`the visit: ${sent.length} requests in the browser (${bySw} by the service worker), ` +
        `${received.length} at the server, ${[...new Set(sent.map((r) => r.method))].join(', ')} only`);
      const origin = new URL(site.server.url).origin;
      assert.deepEqual(sent.filter((r) => new URL(r.url).origin !== origin && !r.url.startsWith('blob:')), []);
      assert.deepEqual(sent.filter((r) => r.method !== 'GET' || r.body != null), [], 'a request that is not a plain GET');
      assert.deepEqual(received.filter((r) => r.method !== 'GET' || r.body), [], 'the server was sent a body');
      for (const r of [...sent, ...received]) {
        assert.ok(!r.url.includes(mark), `a user file's name was sent: ${r.url}`);
        assert.ok(r.url.length < 300, `a long URL (${r.url.length} characters) could carry a file: ${r.url.slice(0, 100)}…`);
      }
    } finally {
      site.server.server.off('request', log);
    }
  });
});

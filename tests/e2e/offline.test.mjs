// Offline and installable, in headless Chromium: the web manifest makes the page installable; after
// the first visit the service worker has kept the page and everything it needs, so it loads and
// recognises a digit with no network at all; a new deploy installs a new cache and, once the person
// presses Reload on the banner, runs on it alone, the old cache deleted.
//
//   node --test tests/e2e/*.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { buildSite } from '../../scripts/build-site.mjs';
import {
  CHROMIUM, CHROMIUM_ARGS, ONE, REPO, SEVEN, assertRecognised, drawWithMouse, launchSite, screenshot, teach, waitReady,
} from './browser.mjs';

let site;
const temporary = [];
before(async () => { site = await launchSite(); });
after(async () => {
  await site?.close();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

// The service worker controls the page, and the page has loaded all it loads by itself (the panels).
async function controlled(page) {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.locator('#train-start:enabled').waitFor();
  await page.waitForFunction(() => !/Loading/.test(document.querySelector('#mine-summary').textContent));
}
const cacheNames = (page) => page.evaluate(() => caches.keys());

// The project's sources with one change in the page's style: what the next deploy would build.
function nextSources() {
  const root = mkdtempSync(join(tmpdir(), 'digits-next-'));
  temporary.push(root);
  cpSync(join(REPO, 'web'), join(root, 'web'), { recursive: true });
  appendFileSync(join(root, 'web', 'style.css'), '\n/* the next deploy */\n');
  for (const name of ['build-wasm', 'model', 'data']) symlinkSync(join(REPO, name), join(root, name));
  return root;
}

function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'not a PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('offline and installable', { timeout: 300_000 }, () => {
  test('the service worker keeps the page and every file it needs to recognise, under the build\'s version', async () => {
    const { version, precache, assetsDir, files } = site.build;
    const sw = await (await fetch(new URL('sw.js', site.server.url))).text();
    assert.ok(sw.includes(`const VERSION = "${version}";`), 'sw.js does not carry the build version');
    const wanted = ['./', 'manifest.webmanifest', ...files.filter((f) => f.startsWith(`${assetsDir}/`) && !f.includes('/data/'))];
    assert.deepEqual([...precache].sort(), wanted.sort());
    for (const name of ['index', 'digits_recognizer.wasm', 'digits_recognizer.js', 'digits_wasm.wasm', 'digits_wasm.js',
      'model/model.pack', 'app.js', 'style.css', 'icon-192.png']) {
      assert.ok(name === 'index' ? precache.includes('./') : precache.includes(`${assetsDir}/${name}`), `${name} is not kept`);
      if (name !== 'index') assert.ok(sw.includes(`'${assetsDir}/${name}'`), `${name} is not in sw.js`);
    }
    assert.ok(!precache.some((p) => p.endsWith('.csv.gz')), 'the training data is kept up front');
  });

  test('the manifest names the app, its icons and a relative start; Chromium finds it installable', async () => {
    const response = await fetch(new URL('manifest.webmanifest', site.server.url));
    assert.equal(response.headers.get('content-type'), 'application/manifest+json; charset=utf-8');
    const manifest = await response.json();
    assert.deepEqual([manifest.short_name, manifest.start_url, manifest.scope, manifest.display], ['digits', './', './', 'standalone']);
    assert.match(manifest.theme_color, /^#[\da-f]{6}$/);
    for (const size of [192, 512]) {
      const icon = manifest.icons.find((i) => i.sizes === `${size}x${size}`);
      assert.ok(icon && icon.type === 'image/png', `no ${size}x${size} PNG icon`);
      const png = Buffer.from(await (await fetch(new URL(icon.src, response.url))).arrayBuffer());
      assert.deepEqual(pngSize(png), [size, size]);
      // Anti-aliased ink on paper, transparent outside the rounded corners: IDAT is the third chunk.
      const rows = inflateSync(png.subarray(8 + 25 + 8, 8 + 25 + 8 + png.readUInt32BE(33)));
      assert.equal(rows.length, size * (1 + 4 * size));
      assert.equal(rows[1 + 3], 0, 'the corner is not transparent');
    }

    // Installability needs a normal (not incognito) profile: a persistent context.
    const profile = mkdtempSync(join(tmpdir(), 'digits-profile-'));
    temporary.push(profile);
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      await page.goto(site.server.url);
      await waitReady(page);
      await page.evaluate(() => navigator.serviceWorker.ready);
      const cdp = await context.newCDPSession(page);
      assert.deepEqual((await cdp.send('Page.getAppManifest')).errors, []);
      assert.deepEqual((await cdp.send('Page.getInstallabilityErrors')).installabilityErrors, []);
    } finally {
      await context.close();
    }
  });

  test('a new deploy installs a new cache; Reload on the banner moves to it and deletes the old one', async () => {
    const { page, context, problems } = await site.open();
    await controlled(page);
    assert.deepEqual(await cacheNames(page), [`digits-${site.build.version}`]);
    assert.equal(await page.locator('#offline').textContent(), 'Works offline.');
    assert.equal(await page.locator('#update').isHidden(), true);

    const next = await buildSite({ root: nextSources(), out: site.dir, quiet: true });
    assert.notEqual(next.version, site.build.version);
    assert.notEqual(next.assetsDir, site.build.assetsDir);
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
    await page.locator('#update').waitFor();
    assert.equal(await page.locator('#update').textContent().then((t) => t.replace(/\s+/g, ' ').trim()),
      'A new version of this page is ready. Reload');
    await screenshot(page, 'update-banner-desktop-light');
    // Until then the page runs on its own build's files, though the server no longer has them.
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);

    await Promise.all([page.waitForEvent('load'), page.locator('#update-reload').click()]);
    await waitReady(page);
    assert.match(await page.locator('link[rel=stylesheet]').getAttribute('href'), new RegExp(`^\\./${next.assetsDir}/style\\.css$`));
    await page.waitForFunction((name) => caches.keys().then((keys) => keys.length === 1 && keys[0] === name), `digits-${next.version}`);
    assert.equal(await page.locator('#update').isHidden(), true);
    await drawWithMouse(page, ONE);
    await assertRecognised(page, 1);
    site.build = next;
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('after the first visit it loads and recognises a digit with no network at all', async () => {
    const { page, context, problems } = await site.open();
    await controlled(page);
    await context.setOffline(true);
    await site.server.close(); // nothing answers any more, not even for the service worker
    await page.reload();
    await waitReady(page);
    assert.match(await page.locator('#status').textContent(), /^Default model, 784-\d+-10\.$/);
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);
    // Teaching works offline too: the digits are kept in the browser.
    await page.keyboard.press('Escape');
    await teach(page, ONE, 1);
    assert.deepEqual(await page.locator('#mine-list figcaption').allTextContents(), ['1']);
    assert.deepEqual(problems, []);
    assert.equal(await page.evaluate(() => fetch('./no-such-file').then(() => 'answered', () => 'failed')), 'failed',
      'something still answers: the test is not offline');
    await context.close();
  });
});

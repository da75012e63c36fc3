// page.mjs: the page in headless Chromium (playwright-core, Debian's /usr/bin/chromium or
// CHROMIUM_PATH), served from localhost as a static host serves it (scripts/serve.mjs with gzip:
// text files gzipped, binary ones as they are):
//   - weight: every file the page requests before it is ready to predict, raw and gzip -9 (sizes
//     from the built files), and what is transferred: binary files (.wasm, .pack, .npy, .png) as
//     they are, since static hosts send application/octet-stream and often application/wasm
//     uncompressed, and text gzipped;
//   - start: navigation to ready-to-predict, median of cold loads (a new browser context each: an
//     empty cache), on localhost and on a throttled connection (THROTTLE: CDP
//     Network.emulateNetworkConditions, as a slow mobile link); and when the pad could be drawn on,
//     DOMContentLoaded, which follows web/app.js (a module script) creating the pad and leaving
//     "Loading the model…" in the status line while the model comes. Ready = the page's status line
//     names the loaded model ("Default model, 784-256-10."): web/app.js writes it right after the
//     recogniser has its model, the same signal the browser tests wait for. The moment is taken in
//     the page (performance.now(), whose zero is the navigation's start; see readyScript);
//   - training in the page's worker (web/worker.js through web/trainer-client.js): seconds per
//     epoch on the bundled data, as the page's "Train" button runs it (validation included).
// Beside it, the TensorFlow.js files a page would ship instead (tf.min.js, tf-backend-wasm.min.js
// and the backend's .wasm files), raw and gzip -9.
//
//   pageRun({ loads: 7, throttledLoads: 3, trainEpochs: 3 }) -> { ours, theirs, loads, ready, drawable, throttled, training }
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildSite } from '../build-site.mjs';
import { startServer } from '../serve.mjs';
import { ROOT } from './ours.mjs';
import { summarize } from './stats.mjs';

const require = createRequire(import.meta.url);
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
export const READY_SIGNAL = '#status text matches /784-\\d+-10/ (set by web/app.js once the recogniser has its model)';

export const THROTTLE = { downloadKbps: 1600, uploadKbps: 750, latencyMs: 150 };
const TEXT = /\.(html|css|js|mjs|json|svg|webmanifest)$/;

// Sizes of a file: raw, gzip -9, and what a static host transfers (text gzipped, binary as it is).
const sizes = (name, bytes, compressed = false) => {
  const gzip = compressed ? bytes.length : gzipSync(bytes, { level: 9 }).length;
  return { raw: bytes.length, gzip, sent: TEXT.test(name) ? gzip : bytes.length };
};
const total = (files) => files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, sent: t.sent + f.sent }),
  { raw: 0, gzip: 0, sent: 0 });

/** The TensorFlow.js files a page would ship for the same job, and what a SIMD browser loads. */
export function tfBundle() {
  const file = (pkg, name) => {
    const path = join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', name);
    return { name: `${pkg}/dist/${name}`, ...sizes(name, readFileSync(path)) };
  };
  const js = [file('@tensorflow/tfjs', 'tf.min.js'), file('@tensorflow/tfjs-backend-wasm', 'tf-backend-wasm.min.js')];
  const wasm = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']
    .map((name) => file('@tensorflow/tfjs-backend-wasm', name));
  const loaded = [...js, wasm[1]];
  return { files: [...js, ...wasm], shipped: total([...js, ...wasm]), loaded: { files: loaded.map((f) => f.name), ...total(loaded) } };
}

// Runs in the page before its scripts. Takes the moment web/app.js writes the model into the status
// line: synchronously, through the textContent setter, so that requests the page starts after
// that (the training section's modules) do not count; a MutationObserver is the fallback.
function readyScript() {
  const isReady = (el, text) => el?.id === 'status' && /784-\d+-10/.test(String(text));
  const mark = () => { if (window.__digitsReady === undefined) window.__digitsReady = performance.now(); };
  const desc = Object.getOwnPropertyDescriptor(Node.prototype, 'textContent');
  Object.defineProperty(Node.prototype, 'textContent', {
    ...desc,
    set(value) {
      desc.set.call(this, value);
      if (isReady(this, value)) mark();
    },
  });
  new MutationObserver(() => {
    const status = document.querySelector('#status');
    if (isReady(status, status?.textContent)) mark();
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

// One cold load of the page in a new browser context, throttled when `throttle` is given: when the
// page was ready (ms from navigation), its DOMContentLoaded, and the files it requested before.
async function coldLoad(browser, url, throttle) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    await context.addInitScript(readyScript);
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    if (throttle) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: throttle.latencyMs,
        downloadThroughput: throttle.downloadKbps * 1000 / 8, uploadThroughput: throttle.uploadKbps * 1000 / 8 });
    }
    await page.goto(url);
    await page.waitForFunction(() => window.__digitsReady !== undefined, null, { timeout: 120_000 });
    const seen = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        readyAt: window.__digitsReady,
        domContentLoaded: nav.domContentLoadedEventEnd,
        requests: [{ url: nav.name, start: 0, end: nav.responseEnd },
          ...performance.getEntriesByType('resource').map((e) => ({ url: e.name, start: e.startTime, end: e.responseEnd }))],
      };
    });
    if (problems.length) throw new Error(`the page reported: ${problems.join('; ')}`);
    const before = seen.requests.filter((r) => r.start < seen.readyAt && r.url.startsWith(url));
    return { readyMs: seen.readyAt, domContentLoadedMs: seen.domContentLoaded, files: before.map((r) => r.url.slice(url.length) || 'index.html') };
  } finally {
    await context.close();
  }
}

export async function pageRun({ loads = 7, throttledLoads = 3, trainEpochs = 3, train = true } = {}) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  const dir = mkdtempSync(join(tmpdir(), 'digits-bench-site-'));
  let server, browser;
  try {
    await buildSite({ root: ROOT, out: dir, quiet: true });
    server = await startServer({ root: dir, base: '/digits/', port: 0, gzip: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const fileOf = (url) => {
      const path = decodeURIComponent(new URL(url).pathname).slice(new URL(server.url).pathname.length);
      return join(dir, path === '' || path.endsWith('/') ? `${path}index.html` : path);
    };

    const runs = [], throttled = [];
    for (let i = 0; i < Math.max(loads, throttledLoads); i++) { // the two kinds alternate
      if (i < loads) runs.push(await coldLoad(browser, server.url));
      if (i < throttledLoads) throttled.push(await coldLoad(browser, server.url, THROTTLE));
    }
    // The union over the loads (the icon, for one, may or may not start before the model is in).
    const names = [...new Set(runs.flatMap((r) => r.files))];
    const files = names.map((name) => {
      const path = fileOf(server.url + (name === 'index.html' ? '' : name));
      return { name: name.replace(/^assets-[0-9a-f]+\//, 'assets-…/'), ...sizes(name, readFileSync(path), name.endsWith('.gz')) };
    });
    const model = files.filter((f) => /\/model\//.test(f.name));

    let training = { status: 'pending', reason: 'web/worker.js is not there yet' };
    if (train && existsSync(join(ROOT, 'web', 'worker.js')) && existsSync(join(ROOT, 'web', 'trainer-client.js'))) {
      training = await trainInPage(browser, server.url, trainEpochs);
    }
    return {
      url: 'http://127.0.0.1:<port>/digits/ (scripts/serve.mjs)',
      readySignal: READY_SIGNAL,
      loads: runs.map(({ readyMs, domContentLoadedMs }) => ({ readyMs, domContentLoadedMs })),
      ready: summarize(runs.map((r) => r.readyMs)),
      drawable: summarize(runs.map((r) => r.domContentLoadedMs)),
      throttle: THROTTLE,
      throttled: throttled.length ? { loads: throttled.map(({ readyMs, domContentLoadedMs }) => ({ readyMs, domContentLoadedMs })),
        ready: summarize(throttled.map((r) => r.readyMs)), drawable: summarize(throttled.map((r) => r.domContentLoadedMs)) } : null,
      sameFilesEveryLoad: runs.every((r) => r.files.length === names.length),
      ours: { files, ...total(files), model: total(model) },
      npyModelBytes: ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'].reduce((n, name) => n + readFileSync(join(ROOT, 'model', name)).length, 0),
      theirs: tfBundle(),
      training,
    };
  } finally {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Epoch times of the page's own training worker, through its client module.
async function trainInPage(browser, url, epochs) {
  let TRAINING_DEFAULTS;
  try {
    ({ TRAINING_DEFAULTS } = await import('../../web/defaults.js'));
  } catch (err) {
    return { status: 'failed', reason: `web/defaults.js: ${err.message}` };
  }
  const configs = [
    { name: 'bench', label: 'H=128, batch 64, Adam 1e-3, no augmentation', options: { hidden: 128, batch: 64, lr: 0.001, augment: false, outliers: false, epochs, seed: 1 } },
    { name: 'bench-256', label: 'H=256, batch 64, Adam 1e-3, no augmentation', options: { hidden: 256, batch: 64, lr: 0.001, augment: false, outliers: false, epochs, seed: 1 } },
    { name: 'page', label: `the page's defaults (H=${TRAINING_DEFAULTS.hidden}, batch ${TRAINING_DEFAULTS.batch}, ` +
      `lr ${TRAINING_DEFAULTS.lr}, augmentation ${TRAINING_DEFAULTS.augment ? 'on' : 'off'})`, options: { ...TRAINING_DEFAULTS, epochs } },
  ];
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => /784-\d+-10/.test(document.querySelector('#status')?.textContent ?? ''), null, { timeout: 60_000 });
    const results = [];
    for (const config of configs) {
      const r = await page.evaluate(async (options) => {
        const app = [...document.scripts].find((s) => /\/app\.js$/.test(s.src));
        const { TrainerClient } = await import(new URL('trainer-client.js', app.src).href);
        const client = new TrainerClient();
        try {
          const t0 = performance.now();
          const info = await client.load({ kind: 'bundled' });
          const loadMs = performance.now() - t0;
          const epochSeconds = [];
          let last = 0;
          const result = await client.train(options, (message) => {
            const p = message.progress;
            if (p?.epochDone) { epochSeconds.push(p.seconds - last); last = p.seconds; }
          });
          return { loadMs, trainCount: info.trainCount, epochSeconds, valAccuracy: result.valAccuracy };
        } finally {
          client.cancel();
        }
      }, config.options);
      results.push({ ...config, ...r });
    }
    if (problems.length) throw new Error(`the page reported: ${problems.join('; ')}`);
    return { status: 'measured', results };
  } catch (err) {
    return { status: 'failed', reason: err.message };
  } finally {
    await context.close();
  }
}

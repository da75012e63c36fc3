// page.mjs: the page in headless Chromium (playwright-core, Debian's /usr/bin/chromium or
// CHROMIUM_PATH), served from localhost as `npm start` serves it:
//   - weight: every file the page requests before it is ready to predict, raw and gzip -9 (sizes
//     from the built files, so they do not depend on the server's compression);
//   - start: navigation to ready-to-predict, median of cold loads (a new browser context each: an
//     empty cache). Ready = the page's status line names the loaded model ("Default model,
//     784-256-10."): web/app.js writes it right after the recogniser has its model, the same
//     signal the browser tests wait for. The moment is taken in the page (performance.now(),
//     whose zero is the navigation's start; see readyScript);
//   - training in the page's worker (web/worker.js through web/trainer-client.js): seconds per
//     epoch on the bundled data, as the page's "Train" button runs it (validation included).
// Beside it, the TensorFlow.js files a page would ship instead (tf.min.js, tf-backend-wasm.min.js
// and the backend's .wasm files), raw and gzip -9.
//
//   pageRun({ loads: 7, trainEpochs: 3 }) -> { ours, theirs, loads, ready, training }
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

const sizes = (bytes, compressed = false) => ({ raw: bytes.length, gzip: compressed ? bytes.length : gzipSync(bytes, { level: 9 }).length });
const total = (files) => files.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip }), { raw: 0, gzip: 0 });

/** The TensorFlow.js files a page would ship for the same job, and what a SIMD browser loads. */
export function tfBundle() {
  const file = (pkg, name) => {
    const path = join(dirname(require.resolve(`${pkg}/package.json`)), 'dist', name);
    return { name: `${pkg}/dist/${name}`, ...sizes(readFileSync(path)) };
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

export async function pageRun({ loads = 7, trainEpochs = 3, train = true } = {}) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  const dir = mkdtempSync(join(tmpdir(), 'digits-bench-site-'));
  let server, browser;
  try {
    await buildSite({ root: ROOT, out: dir, quiet: true });
    server = await startServer({ root: dir, base: '/digits/', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const fileOf = (url) => {
      const path = decodeURIComponent(new URL(url).pathname).slice(new URL(server.url).pathname.length);
      return join(dir, path === '' || path.endsWith('/') ? `${path}index.html` : path);
    };

    const runs = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(readyScript);
      const page = await context.newPage();
      const problems = [];
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      await page.goto(server.url);
      await page.waitForFunction(() => window.__digitsReady !== undefined, null, { timeout: 60_000 });
      const seen = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        return {
          readyAt: window.__digitsReady,
          domContentLoaded: nav.domContentLoadedEventEnd,
          requests: [{ url: nav.name, start: 0, end: nav.responseEnd },
            ...performance.getEntriesByType('resource').map((e) => ({ url: e.name, start: e.startTime, end: e.responseEnd }))],
        };
      });
      await context.close();
      if (problems.length) throw new Error(`the page reported: ${problems.join('; ')}`);
      const before = seen.requests.filter((r) => r.start < seen.readyAt && r.url.startsWith(server.url));
      runs.push({ readyMs: seen.readyAt, domContentLoadedMs: seen.domContentLoaded, files: before.map((r) => r.url.slice(server.url.length) || 'index.html') });
    }
    // The union over the loads (the icon, for one, may or may not start before the model is in).
    const names = [...new Set(runs.flatMap((r) => r.files))];
    const files = names.map((name) => {
      const path = fileOf(server.url + (name === 'index.html' ? '' : name));
      return { name: name.replace(/^assets-[0-9a-f]+\//, 'assets-…/'), ...sizes(readFileSync(path), name.endsWith('.gz')) };
    });
    const model = files.filter((f) => f.name.endsWith('.npy'));

    let training = { status: 'pending', reason: 'web/worker.js is not there yet' };
    if (train && existsSync(join(ROOT, 'web', 'worker.js')) && existsSync(join(ROOT, 'web', 'trainer-client.js'))) {
      training = await trainInPage(browser, server.url, trainEpochs);
    }
    return {
      url: 'http://127.0.0.1:<port>/digits/ (scripts/serve.mjs)',
      readySignal: READY_SIGNAL,
      loads: runs.map(({ readyMs, domContentLoadedMs }) => ({ readyMs, domContentLoadedMs })),
      ready: summarize(runs.map((r) => r.readyMs)),
      sameFilesEveryLoad: runs.every((r) => r.files.length === names.length),
      ours: { files, ...total(files), model: total(model) },
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
    { name: 'bench', label: 'H=128, batch 64, Adam 1e-3, no augmentation', options: { hidden: 128, batch: 64, lr: 0.001, augment: false, epochs, seed: 1 } },
    { name: 'bench-256', label: 'H=256, batch 64, Adam 1e-3, no augmentation', options: { hidden: 256, batch: 64, lr: 0.001, augment: false, epochs, seed: 1 } },
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

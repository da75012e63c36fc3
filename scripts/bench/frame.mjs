#!/usr/bin/env node
// frame.mjs: what the page does on every frame while a person draws, in headless Chromium
// (playwright-core; Debian's /usr/bin/chromium or CHROMIUM_PATH), at normal speed and with the CPU
// throttled 4x (CDP Emulation.setCPUThrottlingRate, as on a mid-range phone).
//
// The drawings are real digits replayed stroke by stroke: hold-out digits as strokes
// (tests/wasm/stroked.mjs), one of each digit, at random heights from 30% to 75% of the pad, a
// pointer event every 3 CSS px. Two measurements on the same drawings:
//   - the page's frames: the built page (served as `npm start` serves it) receives the strokes as
//     mouse events; a Chrome trace gives each animation frame's work on the main thread (the pad
//     paints what the stroke gained, then strokes -> 28x28 input -> probabilities -> the bars, the
//     digit and "what it sees" updated), the garbage collections during the drawing, and the
//     layouts forced inside frames (none, when the page only writes);
//   - the paths side by side, each call timed on its own in the same page (cross-origin isolated,
//     so performance.now() counts in 5 µs steps), after every 4th pointer event of every drawing
//     and at each stroke's end:
//       strokes:  renderStrokes (web/strokes.js) + predict: the page's path;
//       image:    the strokes painted on a 280x280 canvas, getImageData, preprocess + predict:
//                 the page's path before strokes.js; and preprocess(imageData) alone;
//       TF.js:    what a TensorFlow.js demo does per frame on its canvas: tf.browser.fromPixels,
//                 tf.image.resizeBilinear to 28x28, predict (a tf.sequential of the same network
//                 and weights, wasm backend with SIMD), dataSync.
//
//   node scripts/bench/frame.mjs [--digits 1]
//   import { frameRun, frameTable } from './frame.mjs'; frameTable(await frameRun())
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSite } from '../build-site.mjs';
import { startServer } from '../serve.mjs';
import { readCsv } from '../../tests/wasm/load.mjs';
import { digitStrokes, makeRng, placeOnPad } from '../../tests/wasm/stroked.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic'];
const VIEWPORT = { width: 1280, height: 800 };
const TF_FILES = {
  'tf.min.js': require.resolve('@tensorflow/tfjs/dist/tf.min.js'),
  'tf-backend-wasm.min.js': require.resolve('@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js'),
  'tfjs-backend-wasm.wasm': require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'),
  'tfjs-backend-wasm-simd.wasm': require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
};
const log = (text) => console.error(`frame: ${text}`);
const MIME = { '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Drawings: `perDigit` hold-out digits of each class as pad strokes ([{ x, y }] per stroke). */
export function drawings({ perDigit = 1, padPx = 320, seed = 7 } = {}) {
  const rows = readCsv(join(ROOT, 'data', 'holdout.csv'));
  const rng = makeRng(seed);
  const picked = [];
  for (let digit = 0; digit < 10; digit++) picked.push(...rows.filter((r) => r.label === digit).slice(0, perDigit));
  return picked.map((r) => ({
    label: r.label,
    strokes: placeOnPad(digitStrokes(r.pixels), { height: 0.3 + 0.45 * rng(), rng, padPx }),
  }));
}

export async function frameRun({ perDigit = 1, rates = [1, 4], every = 4 } = {}) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  if (!existsSync(join(ROOT, 'build-wasm', 'digits_wasm.wasm'))) execFileSync('bash', ['scripts/build-wasm.sh'], { cwd: ROOT, stdio: 'inherit' });
  const dir = mkdtempSync(join(tmpdir(), 'digits-frame-'));
  let server, browser;
  try {
    log('building the site, starting Chromium');
    await buildSite({ root: ROOT, out: dir, quiet: true });
    server = await startServer({ root: dir, base: '/digits/', port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: VIEWPORT, bypassCSP: true });
    await context.route('**/*', (route) => serve(route, server.url));
    const page = await context.newPage();
    const problems = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    await page.goto(server.url);
    await page.waitForFunction(() => /784-\d+-10/.test(document.querySelector('#status').textContent), null, { timeout: 60_000 });
    if (!(await page.evaluate(() => crossOriginIsolated))) throw new Error('the bench page is not cross-origin isolated: timers would be coarse');

    const pad = await page.locator('#pad').boundingBox();
    const set = drawings({ perDigit, padPx: pad.height }); // a digit's units are the pad's height (web/pad.js), centred across
    await page.addScriptTag({ url: `${server.url}tfjs/tf.min.js` });
    await page.addScriptTag({ url: `${server.url}tfjs/tf-backend-wasm.min.js` });
    log('the page is ready; loading TF.js');
    const setup = await page.evaluate(benchSetup, { tfBase: `${server.url}tfjs/` });

    const cdp = await context.newCDPSession(page);
    const runs = [];
    for (const rate of rates) {
      await cdp.send('Emulation.setCPUThrottlingRate', { rate });
      // the page's frames first, from a collected heap: the paths' garbage would be collected
      // during the replay otherwise
      await cdp.send('HeapProfiler.collectGarbage');
      log(`CPU ${rate}x: the page's frames (${set.length} drawings)`);
      const frames = await replay(browser, page, cdp, pad, set);
      log(`CPU ${rate}x: the paths side by side`);
      const paths = await page.evaluate(timePaths, { set: set.map((d) => d.strokes), labels: set.map((d) => d.label), every });
      runs.push({ rate, paths, frames });
    }
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    if (problems.length) throw new Error(`the page reported: ${problems.join('; ')}`);
    return {
      chromium: browser.version(), viewport: VIEWPORT, padPx: `${pad.width}x${pad.height}`, drawings: set.length,
      events: set.reduce((n, d) => n + d.strokes.reduce((m, s) => m + s.length, 0), 0),
      ...setup, runs,
    };
  } finally {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Every response cross-origin isolated (COOP + COEP: fine-grained timers); TF.js's files from
// node_modules.
async function serve(route, base) {
  const url = route.request().url();
  const isolation = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const local = url.startsWith(`${base}tfjs/`) ? TF_FILES[url.slice(base.length + 5)] : null;
  if (local) {
    const type = MIME[local.slice(local.lastIndexOf('.'))] ?? 'application/octet-stream';
    return route.fulfill({ status: 200, body: readFileSync(local), headers: { 'content-type': type, ...isolation } });
  }
  const response = await route.fetch();
  return route.fulfill({ response, headers: { ...response.headers(), ...isolation } });
}

// In the page: the three paths' pieces, from the page's own modules (its assets folder).
async function benchSetup({ tfBase }) {
  const base = new URL('.', document.querySelector('script[type=module]').src);
  const [{ renderStrokes }, { preprocess }, { paintStrokes }, { Recognizer }, { default: factory }] = await Promise.all(
    ['strokes.js', 'preprocess.js', 'pad.js', 'recognizer.js', 'digits_wasm.js'].map((f) => import(new URL(f, base).href)));
  const wasm = await (await fetch(new URL('digits_wasm.wasm', base))).arrayBuffer();
  const rec = await Recognizer.create(factory, wasm);
  await rec.fetchModel(new URL('model/model.pack', base)); // the model as the site serves it

  // TF.js: the same network with the same weights (float32 .npy files exported by ours).
  const { tf } = window;
  tf.wasm.setWasmPaths(tfBase);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');
  await tf.ready();
  const npy = (bytes) => {
    const headerLength = bytes[8] | (bytes[9] << 8);
    return new Float32Array(bytes.slice(10 + headerLength).buffer);
  };
  const exported = rec.exportModel(4);
  const [W1, b1, W2, b2] = ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'].map((n) => npy(exported[n]));
  const H = b1.length;
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: H, activation: 'relu', inputShape: [784] }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  const transpose = (w, rows, cols) => {
    const t = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
    return t;
  };
  model.setWeights([tf.tensor2d(transpose(W1, H, 784), [784, H]), tf.tensor1d(b1), tf.tensor2d(transpose(W2, 10, H), [H, 10]), tf.tensor1d(b2)]);

  const image = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
  image.canvas.width = image.canvas.height = 280;
  const demo = document.createElement('canvas').getContext('2d');
  demo.canvas.width = demo.canvas.height = 280;
  const x = new Float32Array(784);
  let pixels = null;
  window.bench = {
    strokes: (strokes) => rec.predict(renderStrokes(strokes, x)).digit,
    // as web/pad.js imageData() did: repaint the strokes on a 280x280 canvas, read it back
    image: (strokes) => {
      image.clearRect(0, 0, 280, 280);
      paintStrokes(image, strokes, 280, '#000');
      return rec.predict(preprocess(image.getImageData(0, 0, 280, 280))).digit;
    },
    // preprocess alone, on the image the line above reads back (read before the timing starts)
    readImage: (strokes) => {
      image.clearRect(0, 0, 280, 280);
      paintStrokes(image, strokes, 280, '#000');
      pixels = image.getImageData(0, 0, 280, 280);
    },
    preprocess: () => {
      preprocess(pixels);
      return -1;
    },
    // a TF.js demo's canvas: white ink on black, already drawn by the time it reads it
    paintDemo: (strokes) => {
      demo.fillStyle = '#000';
      demo.fillRect(0, 0, 280, 280);
      paintStrokes(demo, strokes, 280, '#fff');
    },
    tfjs: () => {
      const probabilities = tf.tidy(() => {
        const pixels = tf.browser.fromPixels(demo.canvas, 1);
        const input = tf.image.resizeBilinear(pixels, [28, 28]).toFloat().div(255).reshape([1, 784]);
        return model.predict(input).dataSync();
      });
      let digit = 0;
      for (let k = 1; k < 10; k++) if (probabilities[k] > probabilities[digit]) digit = k;
      return digit;
    },
  };
  return { hidden: H, tfjs: { version: tf.version.tfjs, backend: tf.getBackend(), simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT') } };
}

// In the page: each path after every `every`-th pointer event of every drawing and at each
// stroke's end, each call timed on its own (µs), after a warm-up on the first drawings; and how
// many finished drawings each path reads right.
function timePaths({ set, labels, every }) {
  const { bench } = window;
  const prefixes = function* (strokes) {
    for (let s = 0; s < strokes.length; s++) {
      for (let n = 1; n <= strokes[s].length; n++) {
        if (n % every === 0 || n === strokes[s].length) yield [...strokes.slice(0, s), strokes[s].slice(0, n)];
      }
    }
  };
  const all = set.map((strokes) => [...prefixes(strokes)]);
  const names = ['strokes', 'image', 'preprocess', 'tfjs'];
  const prepare = { preprocess: bench.readImage, tfjs: bench.paintDemo };
  const times = Object.fromEntries(names.map((n) => [n, []]));
  const right = Object.fromEntries(names.map((n) => [n, 0]));
  const run = (frames, k, warm) => frames.forEach((strokes, i) => {
    for (const name of names) {
      prepare[name]?.(strokes);
      const t0 = performance.now();
      const digit = bench[name](strokes);
      const t = (performance.now() - t0) * 1000;
      if (warm) continue;
      times[name].push(t);
      if (i === frames.length - 1 && digit === labels[k]) right[name]++;
    }
  });
  all.slice(0, 2).forEach((frames, k) => run(frames, k, true));
  all.forEach((frames, k) => run(frames, k, false));
  return { ...times, right };
}

// Draws every drawing on the page's pad with the mouse (CDP input events, as a real mouse sends
// them), stroke by stroke, an event every 16 ms, under a Chrome trace; returns the animation
// frames' durations (µs: wall time, and the thread's CPU time), the garbage collections and the
// layouts forced inside frames.
async function replay(browser, page, cdp, pad, set) {
  const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
  const mouse = (type, p, buttons) => cdp.send('Input.dispatchMouseEvent', {
    type, x: pad.x + (pad.width - pad.height) / 2 + p.x * pad.height, y: pad.y + p.y * pad.height, button: 'left', buttons, clickCount: type === 'mouseMoved' ? 0 : 1,
  });
  await browser.startTracing(page, { categories: ['devtools.timeline'] });
  for (const { strokes } of set) {
    for (const stroke of strokes) {
      await mouse('mousePressed', stroke[0], 1);
      await sleep(16);
      for (const p of stroke.slice(1)) {
        await mouse('mouseMoved', p, 1);
        await sleep(16);
      }
      await mouse('mouseReleased', stroke[stroke.length - 1], 0);
      await sleep(16);
    }
    await page.keyboard.press('Escape');
    await sleep(32);
  }
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString());
  const main = mainThread(traceEvents);
  const frames = main.filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X');
  const inFrame = (e) => frames.some((f) => e.ts >= f.ts && e.ts < f.ts + f.dur);
  const gcs = main.filter((e) => /^(MinorGC|MajorGC|V8\.GC_SCAVENGER|V8\.GC_MARK_COMPACTOR)$/.test(e.name) && e.ph === 'X');
  const minor = gcs.filter((e) => /Minor|SCAVENGER/.test(e.name)), major = gcs.filter((e) => !/Minor|SCAVENGER/.test(e.name));
  return {
    us: frames.map((f) => f.dur),
    threadUs: frames.map((f) => f.tdur ?? NaN), // the thread's CPU time: wall time less what other processes took
    minorGc: { count: minor.length, inFrames: minor.filter(inFrame).length, maxUs: Math.max(0, ...minor.map((e) => e.dur)) },
    majorGc: { count: major.length, inFrames: major.filter(inFrame).length, maxUs: Math.max(0, ...major.map((e) => e.dur)) },
    forcedLayouts: main.filter((e) => (e.name === 'Layout' || e.name === 'UpdateLayoutTree') && inFrame(e)).length,
  };
}

// The events of the page's renderer main thread (the one that ran the animation frames).
function mainThread(events) {
  const counts = new Map();
  for (const e of events) if (e.name === 'FireAnimationFrame') counts.set(`${e.pid}:${e.tid}`, (counts.get(`${e.pid}:${e.tid}`) ?? 0) + 1);
  const [thread] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [''];
  return events.filter((e) => `${e.pid}:${e.tid}` === thread);
}

export const quantile = (values, q) => {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

export function frameTable(result) {
  const ms = (us) => (us / 1000).toFixed(us < 1000 ? 3 : 2);
  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const cell = (values) => `${ms(quantile(values, 0.5))} / ${ms(quantile(values, 0.9))} (${ms(mean(values))})`;
  const read = (r, name) => `${r.paths.right[name]}/${result.drawings}`;
  const rows = [
    ['the page\'s animation frame: pad painted, strokes -> input -> probabilities -> page updated', (r) => r.frames.us, () => ''],
    ['strokes: renderStrokes + predict (the page\'s path)', (r) => r.paths.strokes, (r) => read(r, 'strokes')],
    ['image: repaint 280x280 + getImageData + preprocess + predict', (r) => r.paths.image, (r) => read(r, 'image')],
    ['  of which preprocess(imageData) alone', (r) => r.paths.preprocess, () => ''],
    ['TF.js demo: fromPixels + resizeBilinear + predict + dataSync', (r) => r.paths.tfjs, (r) => read(r, 'tfjs')],
  ];
  const lines = [
    `Chromium ${result.chromium}, ${result.viewport.width}x${result.viewport.height}, pad ${result.padPx} CSS px; ` +
      `${result.drawings} hold-out digits as strokes, ${result.events} pointer events; network 784-${result.hidden}-10; ` +
      `TF.js ${result.tfjs.version} ${result.tfjs.backend}${result.tfjs.simd ? ' (SIMD)' : ''}`,
    '',
    `| ms per frame: median / 90th percentile (mean) | ${result.runs.map((r) => `CPU ${r.rate}x | read right`).join(' | ')} |`,
    `|---|${result.runs.map(() => '---:|---:').join('|')}|`,
    ...rows.map(([name, get, right]) => `| ${name} | ${result.runs.map((r) => `${cell(get(r))} | ${right(r)}`).join(' | ')} |`),
    '',
    ...result.runs.map((r) => `CPU ${r.rate}x: ${r.frames.us.length} animation frames, their thread's CPU time ` +
      `${ms(quantile(r.frames.threadUs, 0.5))} / ${ms(quantile(r.frames.threadUs, 0.9))} ms; garbage collections while drawing: ` +
      `${r.frames.minorGc.count} minor (${r.frames.minorGc.inFrames} inside a frame, longest ${ms(r.frames.minorGc.maxUs)} ms), ` +
      `${r.frames.majorGc.count} major (${r.frames.majorGc.inFrames} inside a frame); layouts forced inside frames: ${r.frames.forcedLayouts}`),
  ];
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const result = await frameRun({ perDigit: Number(arg('--digits') ?? 1) });
  console.log(frameTable(result));
}

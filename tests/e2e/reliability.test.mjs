// No lost work, in headless Chromium: a training worker that dies (an uncaught error, a silent end,
// a WebAssembly trap, memory that cannot grow) is reported in the words of docs/bad-input.md, the
// page keeps the model it had and reads drawings as before, and the next run works; Kaggle's
// full-size train.csv (42,000 rows, made from data/train.csv in a temporary folder) trains within
// the memory budget of docs/reliability.md. The deaths are brought about from outside, through
// Playwright's handle on the worker: the site has no test hooks. Screenshot to test-results/.
//
//   node --test tests/e2e/*.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DESKTOP, REPO, SEVEN, assertDocumented, drawWithMouse, launchSite, screenshot, useNewModel } from './browser.mjs';

const MB = 2 ** 20;
// The budget of a 42,000-row run (docs/reliability.md says what it measured).
const BUDGET = {
  wasm: 160 * MB,     // the worker's WebAssembly memory (its heap: data, model, training buffers)
  workerJs: 96 * MB,  // the worker's JavaScript heap and array buffers
  pageJs: 64 * MB,    // the page's JavaScript heap and array buffers
  renderer: 256 * MB, // growth of the peak resident memory of the page's renderer process (Linux)
};

let site, dir, smallCsv, kaggleCsv;
before(async () => {
  site = await launchSite();
  dir = mkdtempSync(join(tmpdir(), 'digits-reliability-'));
  const lines = readFileSync(join(REPO, 'data', 'train.csv'), 'utf8').split('\n');
  writeFileSync(smallCsv = join(dir, 'small.csv'), `${lines.slice(0, 601).join('\n')}\n`);
  writeFileSync(kaggleCsv = join(dir, 'train.csv'), kaggleSizeCsv(lines, 42000));
});
after(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A Kaggle train.csv of `rows` rows from the lines of data/train.csv: its rows, then the same
 * rows again shifted by a pixel (right, down, left, up, diagonally), until there are enough. */
function kaggleSizeCsv([header, ...lines], rows) {
  const data = lines.filter(Boolean);
  const shifts = [[0, 0], [1, 0], [0, 1], [-1, 0], [0, -1], [1, 1]];
  const out = [header];
  for (let i = 0; i < rows; i++) {
    const [dx, dy] = shifts[Math.floor(i / data.length) % shifts.length];
    const [label, ...pixels] = data[i % data.length].split(',');
    const moved = Array.from({ length: 784 }, (_, p) => {
      const x = (p % 28) - dx, y = Math.floor(p / 28) - dy;
      return x >= 0 && x < 28 && y >= 0 && y < 28 ? pixels[28 * y + x] : '0';
    });
    out.push(`${label},${moved.join(',')}`);
  }
  return `${out.join('\n')}\n`;
}

const text = (page, selector) => page.locator(selector).textContent();

async function setOptions(page, options) {
  for (const [name, value] of Object.entries(options)) await page.locator(`#train-form [name=${name}]`).fill(String(value));
}

function finished(page, timeout = 120_000) {
  return page.waitForFunction(() => !document.querySelector('#results').hidden ||
    !document.querySelector('#train-error').hidden || !document.querySelector('#data-error').hidden, null, { timeout });
}

// A page with a model trained here on a small CSV, and a 7 on the pad: what a death must not change.
async function pageWithTrainedModel() {
  const opened = await site.open(DESKTOP);
  const { page } = opened;
  await page.locator('#train-start:enabled').waitFor();
  await page.locator('#csv-file').setInputFiles(smallCsv);
  await page.locator('#data-summary').waitFor();
  await setOptions(page, { hidden: 16, epochs: 2 });
  await page.locator('#train-start').click();
  await finished(page);
  await useNewModel(page, '#train-choice');
  await drawWithMouse(page, SEVEN);
  const kept = { model: await text(page, '#model-name'), prediction: await text(page, '#prediction') };
  assert.match(kept.model, /^Model: trained here, 784-16-10, [\d.]+% validation \(.+\)$/);
  return { ...opened, kept };
}

async function assertModelKept(page, kept) {
  assert.equal(await text(page, '#model-name'), kept.model);
  assert.equal(await text(page, '#prediction'), kept.prediction);
  assert.equal(await page.locator('#train-start').isEnabled(), true);
  assert.equal(await page.locator('#train-cancel').isDisabled(), true);
}

// Ways to end the training worker from outside, while it trains (Playwright evaluates in it).
const DEATHS = {
  'a training worker that throws an uncaught error is reported': () => setTimeout(() => { throw new Error('simulated crash'); }),
  'a training worker that ends without a word is reported': () => setTimeout(() => self.close()),
  'a WebAssembly trap in the training worker is reported': () => {
    performance.now = () => { throw new WebAssembly.RuntimeError('unreachable'); };
  },
};

describe('no lost work', { timeout: 600_000 }, () => {
  for (const [name, kill] of Object.entries(DEATHS)) {
    test(name, async () => {
      const { page, context, problems, kept } = await pageWithTrainedModel();
      await setOptions(page, { hidden: 64, epochs: 200 });
      await page.locator('#train-start').click();
      const [worker] = page.workers(); // the one that trained the model
      await page.waitForFunction(() => /^Epoch/.test(document.querySelector('#train-text').textContent), null, { timeout: 60_000 });
      await worker.evaluate(kill);
      await page.locator('#train-error').waitFor({ timeout: 30_000 });
      const said = await text(page, '#train-error');
      console.log(`${name}: "${said}"`);
      assertDocumented(said, name);
      assert.equal(await text(page, '#train-text'), 'Stopped. The model in use did not change.');
      assert.equal(await page.locator('#train-bar').evaluate((bar) => bar.value), 0);
      await assertModelKept(page, kept);
      if (name.includes('uncaught')) {
        await page.waitForTimeout(300); // the bar's 0.15 s transition (document.getAnimations() does not list it)
        await screenshot(page, 'worker-stopped-desktop-light', page.locator('#train-form'));
      }

      // The next run starts a new worker, which loads the file again, and finishes.
      await setOptions(page, { hidden: 16, epochs: 1 });
      await page.locator('#train-start').click();
      await page.locator('#train-error').waitFor({ state: 'hidden' });
      await finished(page);
      assert.match(await text(page, '#train-text'), /^Done: 1 epoch in/);
      await context.close();
      // The uncaught error is also in the worker's console.
      assert.deepEqual(problems.filter((p) => !/simulated crash/.test(p)), []);
    });
  }

  test('a training worker whose memory cannot grow is reported', async () => {
    const { page, context, problems, kept } = await pageWithTrainedModel();
    // The browser refuses more memory, as at the 2 GB limit: Emscripten's malloc then fails.
    const [worker] = page.workers();
    await worker.evaluate(() => {
      WebAssembly.Memory.prototype.grow = () => { throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'); };
    });
    await setOptions(page, { hidden: 1024, batch: 1024, epochs: 1 });
    await page.locator('#train-start').click();
    await page.locator('#train-error').waitFor({ timeout: 30_000 });
    const said = await text(page, '#train-error');
    console.log(`memory that cannot grow: "${said}"`);
    assertDocumented(said, 'a training worker whose memory cannot grow is reported');
    await assertModelKept(page, kept);
    await setOptions(page, { hidden: 16, batch: 32 });
    await page.locator('#train-start').click();
    await page.locator('#train-error').waitFor({ state: 'hidden' });
    await finished(page);
    await useNewModel(page, '#train-choice');
    assert.match(await text(page, '#model-name'), /^Model: trained here, 784-16-10/);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a fine-tuning worker that ends without a word is reported', async () => {
    const { page, context, problems } = await site.open(DESKTOP);
    await page.waitForFunction(() => !/Loading/.test(document.querySelector('#mine-summary').textContent));
    await drawWithMouse(page, SEVEN);
    const kept = { model: await text(page, '#model-name'), prediction: await text(page, '#prediction') };
    await page.locator('#teach-keys [data-digit="7"]').click();
    await page.locator('#mine-list li').waitFor();
    const [worker] = await Promise.all([page.waitForEvent('worker'), page.locator('#finetune').click()]);
    await page.waitForFunction(() => /^(Epoch|Reading)/.test(document.querySelector('#finetune-text').textContent));
    await worker.evaluate(() => setTimeout(() => self.close()));
    await page.locator('#mine-error').waitFor({ timeout: 30_000 });
    assertDocumented(await text(page, '#mine-error'), 'a training worker that ends without a word is reported');
    assert.equal(await text(page, '#finetune-text'), 'Stopped. The model in use did not change.');
    assert.equal(await text(page, '#model-name'), kept.model);
    assert.equal(await page.locator('#finetune').isEnabled(), true);
    await drawWithMouse(page, SEVEN);
    assert.equal(await text(page, '#prediction'), kept.prediction);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('the WebAssembly memory may grow to 2 GB and no further', () => {
    const { maximum } = memoryLimits(readFileSync(join(REPO, 'build-wasm', 'digits_wasm.wasm')));
    assert.equal(maximum, 2048 * MB, '-sMAXIMUM_MEMORY in CMakeLists.txt');
  });

  test('Kaggle\'s full-size train.csv (42,000 rows) trains within the memory budget', async () => {
    const { page, context, problems } = await site.open(DESKTOP);
    await page.locator('#train-start:enabled').waitFor();
    const memory = await watchMemory(page, context);
    const t0 = Date.now();
    await page.locator('#csv-file').setInputFiles(kaggleCsv);
    await page.locator('#data-summary').waitFor({ timeout: 120_000 });
    assert.equal(await text(page, '#data-rows'),
      '42,000 rows: 37,794 to train on, 4,206 (10% of each digit) set aside to validate.');
    await setOptions(page, { epochs: 2 });
    await page.locator('#train-start').click();
    await finished(page, 180_000);
    assert.equal(await page.locator('#train-error').isHidden(), true, await text(page, '#train-error'));
    const accuracy = Number((await text(page, '#results-title')).match(/([\d.]+)% right/)[1]);
    const seconds = (Date.now() - t0) / 1000;
    const used = await memory.stop();
    const mb = (n) => (n == null ? 'n/a' : `${(n / MB).toFixed(1)} MB`);
    console.log(`42,000 rows (${mb(readFileSync(kaggleCsv).length)} CSV), 2 epochs of 784-256-10 in ${seconds.toFixed(1)} s, ` +
      `${accuracy}% validation: WebAssembly memory ${mb(used.wasm)}, worker JS ${mb(used.workerJs)}, ` +
      `page JS ${mb(used.pageJs)}, renderer peak +${mb(used.renderer)}`);
    assert.ok(accuracy >= 90, `validation accuracy ${accuracy}%`);
    assert.ok(used.wasm > 33 * MB, `the WebAssembly memory was not seen (${mb(used.wasm)}): 42,000 digits take 33 MB`);
    assert.ok(used.workerJs > 0 && used.pageJs > 0, 'the JavaScript heaps were not measured');
    for (const key of Object.keys(BUDGET)) {
      if (used[key] != null) assert.ok(used[key] <= BUDGET[key], `${key}: ${mb(used[key])} is over the budget of ${mb(BUDGET[key])}`);
    }
    await context.close();
    assert.deepEqual(problems, []);
  });
});

/**
 * Measures, until stop(), the peaks of: the WebAssembly memory of the page's workers (from the
 * `memory` their messages carry), the JavaScript heaps (used size plus array buffers) of the page
 * and of its workers (DevTools protocol, sampled every 100 ms), and on Linux the growth of the
 * peak resident memory (VmHWM) of Chromium's renderer processes. stop() -> { wasm, workerJs,
 * pageJs, renderer } in bytes (renderer null where there is no /proc).
 */
async function watchMemory(page, context) {
  await page.evaluate(() => {
    window.wasmPeak = 0;
    const Native = window.Worker;
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', ({ data }) => { window.wasmPeak = Math.max(window.wasmPeak, data?.memory ?? 0); });
      }
    };
  });
  const cdp = await context.newCDPSession(page);
  const workers = new Set(), answers = new Map();
  let nextId = 1;
  cdp.on('Target.attachedToTarget', ({ sessionId, targetInfo }) => targetInfo.type === 'worker' && workers.add(sessionId));
  cdp.on('Target.detachedFromTarget', ({ sessionId }) => workers.delete(sessionId));
  cdp.on('Target.receivedMessageFromTarget', ({ message }) => {
    const { id, result } = JSON.parse(message);
    answers.get(id)?.(result);
    answers.delete(id);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const inWorker = (sessionId, method) => new Promise((resolve) => {
    const id = nextId++;
    answers.set(id, resolve);
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) }).catch(() => resolve(null));
  });
  const js = (heap) => (heap ? heap.usedSize + (heap.backingStorageSize ?? 0) : 0);
  const peak = { workerJs: 0, pageJs: 0 };
  const renderersBefore = renderers();
  let running = true;
  const sampling = (async () => {
    while (running) {
      peak.pageJs = Math.max(peak.pageJs, js(await cdp.send('Runtime.getHeapUsage').catch(() => null)));
      for (const sessionId of workers) peak.workerJs = Math.max(peak.workerJs, js(await inWorker(sessionId, 'Runtime.getHeapUsage')));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await sampling;
      const wasm = await page.evaluate(() => window.wasmPeak);
      let renderer = null;
      if (renderersBefore) {
        renderer = 0;
        for (const [pid, hwm] of renderers()) renderer = Math.max(renderer, hwm - (renderersBefore.get(pid) ?? 0));
      }
      await cdp.detach();
      return { wasm, ...peak, renderer };
    },
  };
}

/** The initial and maximum size in bytes of the memory a .wasm module defines (its memory section). */
function memoryLimits(wasm) {
  let at = 8; // after the magic number and the version
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < wasm.length) {
    const id = wasm[at++], size = leb(), end = at + size;
    if (id === 5) {
      assert.equal(leb(), 1, 'one memory');
      const flags = wasm[at++], initial = leb() * 65536;
      return { initial, maximum: flags & 1 ? leb() * 65536 : null };
    }
    at = end;
  }
  return null; // the memory is imported
}

/** Chromium's renderer processes started by this test process: pid -> peak resident bytes (VmHWM);
 * null without /proc. */
function renderers() {
  if (!existsSync('/proc/self/status')) return null;
  const parent = new Map(), found = new Map();
  const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    try {
      parent.set(pid, readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
    } catch { /* it ended meanwhile */ }
  }
  const ours = (pid) => {
    for (let p = pid, depth = 0; p && p !== '0' && depth < 10; p = parent.get(p), depth++) if (p === String(process.pid)) return true;
    return false;
  };
  for (const pid of pids) {
    try {
      if (!ours(pid) || !readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      found.set(pid, Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/)[1]) * 1024);
    } catch { /* it ended meanwhile */ }
  }
  return found;
}

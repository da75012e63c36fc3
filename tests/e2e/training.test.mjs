// "Train your own" as a person uses it, in headless Chromium: choose or drop a CSV, see what it
// holds, train with live progress and chart, cancel, get the model into the recogniser and as a
// download, load model files, and keep drawing meanwhile. Small CSVs are cut from data/train.csv.
// Screenshots of the section go to test-results/.
//
//   node --test tests/e2e/*.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { TRAINING_DEFAULTS } from '../../web/defaults.js';
import { unzip } from '../../web/zip.js';
import { createRecognizer } from '../wasm/load.mjs';
import {
  DESKTOP, FLOWER, ONE, REPO, SEVEN, assertNotADigit, assertRecognised, drawWithMouse, inEveryLook, launchSite, screenshot,
  settle, teach, useNewModel,
} from './browser.mjs';

let site, dir;
const csv = {}; // name -> path of the test CSVs
const ROWS = 600;

before(async () => {
  site = await launchSite();
  dir = mkdtempSync(join(tmpdir(), 'digits-csv-'));
  const lines = readFileSync(join(REPO, 'data', 'train.csv'), 'utf8').split('\n');
  const small = `${lines.slice(0, ROWS + 1).join('\n')}\n`;
  const broken = lines.slice(0, ROWS + 1);
  const fields = broken[6].split(',');
  fields[299] = 'abc';
  broken[6] = fields.join(',');
  const files = {
    'small.csv': small,
    'small.csv.gz': gzipSync(small),
    'broken.csv': `${broken.join('\n')}\n`,
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(csv[name] = join(dir, name), content);
});

after(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const labelsOf = (path, n) => readFileSync(path, 'utf8').split('\n').slice(1, n + 1).map((l) => Number(l.split(',', 1)[0]));
// Rows of small.csv set aside to validate: a tenth of every digit, rounded up.
const validationRows = () => {
  const labels = labelsOf(csv['small.csv'], ROWS);
  return Array.from({ length: 10 }, (_, d) => Math.ceil(labels.filter((l) => l === d).length / 10)).reduce((a, b) => a + b);
};
const text = (page, selector) => page.locator(selector).textContent();

// A page whose training section is ready (it starts once the recogniser has its model).
async function openPage(options = DESKTOP) {
  const opened = await site.open(options);
  await opened.page.locator('#train-start:enabled').waitFor();
  return opened;
}

async function chooseCsv(page, path) {
  await page.locator('#csv-file').setInputFiles(path);
}

async function setOptions(page, options) {
  for (const [name, value] of Object.entries(options)) {
    if (name === 'augment' || name === 'outliers') await page.locator(`[name=${name}]`).setChecked(value);
    else await page.locator(`#train-form [name=${name}]`).fill(String(value));
  }
}

function waitForResults(page, timeout = 60_000) {
  return page.waitForFunction(() => !document.querySelector('#results').hidden ||
    !document.querySelector('#train-error').hidden || !document.querySelector('#data-error').hidden, null, { timeout });
}

// Records, in the page, every change of the progress line and bar and of the chart's pixels.
function watchProgress(page) {
  return page.evaluate(() => {
    const seen = (window.progressSeen = []);
    const chart = document.querySelector('#chart');
    new MutationObserver(() => seen.push({
      text: document.querySelector('#train-text').textContent,
      bar: document.querySelector('#train-bar').value,
      chart: chart.toDataURL().length + ':' + chart.toDataURL().slice(-64),
      at: performance.now(),
    })).observe(document.querySelector('#train-text'), { childList: true, characterData: true, subtree: true });
  });
}

describe('training in the page', { timeout: 600_000 }, () => {
  test('a chosen CSV (.gz) shows its rows, digits per class and first digits with their labels', async () => {
    const { page, context, problems } = await openPage();
    await chooseCsv(page, csv['small.csv.gz']);
    await page.locator('#data-summary').waitFor();
    const labels = labelsOf(csv['small.csv'], ROWS);
    const perClass = Array.from({ length: 10 }, (_, d) => labels.filter((l) => l === d).length);
    const validation = validationRows();
    assert.equal(await text(page, '#data-rows'),
      `${ROWS} rows: ${ROWS - validation} to train on, ${validation} (10% of each digit) set aside to validate.`);
    assert.deepEqual((await page.locator('#class-counts .value').allTextContents()).map(Number), perClass);
    assert.match(await text(page, '#data-name'), /^small\.csv\.gz: \d+ kB\.$/);
    const captions = await page.locator('#samples figcaption').allTextContents();
    assert.deepEqual(captions.map(Number), labels.slice(0, 30));
    const inked = await page.locator('#samples canvas').evaluateAll((canvases) => canvases.filter((c) =>
      c.getContext('2d').getImageData(0, 0, 28, 28).data.some((v, i) => i % 4 === 3 && v > 0)).length);
    assert.equal(inked, 30);
    assert.equal(await page.locator('#use-bundled').isVisible(), true);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('trains with live progress and chart, offers the new model beside the one in use, and downloads it', async () => {
    const { page, context, problems } = await openPage();
    await chooseCsv(page, csv['small.csv']);
    await page.locator('#data-summary').waitFor();
    await setOptions(page, { hidden: 64, epochs: 60, lr: 0.003, batch: 32, augment: false, outliers: false });
    await watchProgress(page);
    await page.locator('#train-start').click();
    assert.equal(await page.locator('#train-cancel').isEnabled(), true);
    await waitForResults(page);
    assert.equal(await page.locator('#train-error').isHidden(), true, await text(page, '#train-error'));

    const seen = await page.evaluate(() => window.progressSeen);
    const live = seen.filter((s) => /^Epoch \d+ of 60 · batch \d+ of \d+ · loss [\d.]+ · accuracy [\d.]+% · validation ([\d.]+%|–) · [\d,]+ samples\/s · (\d+ s left|finishing)$/.test(s.text));
    assert.ok(live.length >= 3, `progress shown ${live.length} times:\n${seen.map((s) => s.text).join('\n')}`);
    assert.ok(live.every((s, i) => !i || s.bar >= live[i - 1].bar), 'the progress bar went backwards');
    assert.ok(new Set(live.map((s) => s.chart)).size >= 3, 'the chart did not change while training');
    assert.match(await text(page, '#train-text'), /^Done: 60 epochs in [\d.]+ s, [\d.]+% of the validation digits right\.$/);

    // The recogniser uses it (as it chose, or when asked), and says so.
    const accuracy = (await text(page, '#results-title')).match(/([\d.]+)% right/)[1];
    await useNewModel(page, '#train-choice');
    assert.match(await text(page, '#model-name'), new RegExp(`^Model: trained here, 784-64-10, ${accuracy}% validation \\(.+\\)$`));
    assert.equal(await text(page, '#status'), `${(await text(page, '#model-name')).replace(/^Model: /, 'Model ')}.`);
    assert.equal(await page.locator('#train-choice .choice-text').innerText(), 'The recogniser above uses the new model, as you chose.');
    await drawWithMouse(page, ONE);
    assert.match(await text(page, '#prediction'), /^\d — \d{1,2}%$/);

    // Results: a full confusion matrix and the misclassified digits.
    const cells = await page.locator('#confusion td').allTextContents();
    assert.equal(cells.length, 100);
    const total = cells.reduce((n, c) => n + Number(c || 0), 0);
    const right = Array.from({ length: 10 }, (_, k) => Number(cells[11 * k] || 0)).reduce((a, b) => a + b, 0);
    assert.match(await text(page, '#results-text'), new RegExp(`^${right} of ${total} validation digits right, ${total - right} wrong`));
    assert.equal(await page.locator('#mistakes figure').count(), Math.min(48, total - right));
    for (const caption of await page.locator('#mistakes figcaption').allTextContents()) {
      const [truth, said] = caption.split('→');
      assert.notEqual(truth, said);
    }

    // The download: a .zip of the four .npy files and calibration.txt, which load and read digits
    // (on the top probability: this network never saw a non-digit).
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download').click()]);
    assert.equal(download.suggestedFilename(), 'digits-model-784-64-10.zip');
    const files = await unzip(readFileSync(await download.path()));
    assert.deepEqual(Object.keys(files), ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy', 'calibration.txt']);
    const rec = await createRecognizer(null);
    assert.equal(rec.loadModel(files), 64);
    assert.match(rec.calibration, /^score max-softmax\nthreshold [\d.]+\ntemperature [\d.]+\n$/m);

    // One click back to the default model.
    await page.locator('#use-default').click();
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);
    assert.equal(await page.locator('#use-default').isHidden(), true);
    assert.equal(await page.locator('#train-choice .choice-text').innerText(),
      'The recogniser above uses another model now. Use the new model again');
    await page.keyboard.press('Escape');
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('Cancel stops a run and leaves the model in use; the next run starts afresh', async () => {
    const { page, context, problems } = await openPage();
    await chooseCsv(page, csv['small.csv']);
    await page.locator('#data-summary').waitFor();
    await setOptions(page, { hidden: 256, epochs: 200, augment: true });
    await page.locator('#train-start').click();
    await page.waitForFunction(() => /^Epoch [2-9]/.test(document.querySelector('#train-text').textContent));
    // Every text the line shows from the click on, until two frames after it says Cancelled: no
    // progress may come after that.
    const shown = await page.evaluate(() => new Promise((done) => {
      const text = document.querySelector('#train-text'), seen = [];
      new MutationObserver(() => seen.push(text.textContent)).observe(text, { childList: true, characterData: true, subtree: true });
      document.querySelector('#train-cancel').click();
      const frame = (f) => requestAnimationFrame(f);
      const wait = () => (seen.some((t) => /^Cancelled/.test(t)) ? frame(() => frame(() => done(seen))) : frame(wait));
      frame(wait);
    }));
    const cancelled = shown.slice(shown.findIndex((t) => /^Cancelled/.test(t)));
    assert.ok(cancelled.length > 0 && cancelled.every((t) => t === 'Cancelled. The model in use did not change.'), shown.join('\n'));
    assert.equal(await text(page, '#train-text'), 'Cancelled. The model in use did not change.');
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);
    assert.equal(await page.locator('#results').isHidden(), true);
    assert.equal(await page.locator('#train-start').isEnabled(), true);
    assert.equal(await page.locator('#train-cancel').isDisabled(), true);
    // The worker is gone; the next run loads the same file again and finishes.
    await setOptions(page, { hidden: 16, epochs: 2, augment: false });
    await page.locator('#train-start').click();
    await waitForResults(page);
    await useNewModel(page, '#train-choice');
    assert.match(await text(page, '#model-name'), /^Model: trained here, 784-16-10, [\d.]+% validation \(.+\)$/);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a malformed CSV, dropped on the page, shows its error naming line and column; nothing changes', async () => {
    const { page, context, problems } = await openPage();
    await chooseCsv(page, csv['small.csv']);
    await page.locator('#data-summary').waitFor();
    const before = await text(page, '#data-rows');
    const bytes = [...readFileSync(csv['broken.csv'])];
    await page.evaluate((bytes) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], 'broken.csv', { type: 'text/csv' }));
      const zone = document.querySelector('#csv-drop');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    }, bytes);
    await page.locator('#data-error').waitFor();
    assert.equal(await text(page, '#data-error'),
      "broken.csv: line 7, column 300 (pixel298): 'abc' is not an integer. Nothing was loaded from it.");
    assert.equal(await text(page, '#data-rows'), before);
    assert.match(await text(page, '#data-name'), /^small\.csv:/);
    // The page keeps working: it still reads drawings, and trains on the data it had.
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);
    await setOptions(page, { hidden: 16, epochs: 1 });
    await page.locator('#train-start').click();
    await waitForResults(page);
    assert.match(await text(page, '#results-text'), new RegExp(`after 1 epoch of a 784-16-10 network on ${ROWS - validationRows()} training digits`));
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a bad option is named next to the form, and nothing starts', async () => {
    const { page, context, problems } = await openPage();
    await setOptions(page, { lr: 0 });
    await page.locator('#train-start').click();
    assert.equal(await text(page, '#train-error'), 'Learning rate must be a number from 0.00001 to 1, not 0.');
    assert.equal(await page.locator('[name=lr]').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#run').isHidden(), true);
    await setOptions(page, { lr: '', hidden: 5000 });
    await page.locator('#train-start').click();
    assert.equal(await text(page, '#train-error'), 'Hidden units must be a whole number from 1 to 1024, not 5000.');
    await page.locator('#train-defaults').click();
    assert.equal(await page.locator('[name=lr]').inputValue(), String(TRAINING_DEFAULTS.lr));
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('drawing is recognised while a run trains', async () => {
    const { page, context, problems } = await openPage();
    await chooseCsv(page, csv['small.csv']);
    await page.locator('#data-summary').waitFor();
    await setOptions(page, { hidden: 256, epochs: 200, augment: true });
    await page.locator('#train-start').click();
    await page.waitForFunction(() => /^Epoch/.test(document.querySelector('#train-text').textContent));
    for (const [digit, strokes] of [[7, SEVEN], [1, ONE]]) {
      await page.keyboard.press('Escape');
      await drawWithMouse(page, strokes);
      await assertRecognised(page, digit);
    }
    // Frames keep coming, and the run with them: the main thread is free.
    const epochs = await page.evaluate(() => new Promise((done) => {
      const epoch = () => Number(document.querySelector('#train-text').textContent.match(/^Epoch (\d+)/)?.[1]);
      const first = epoch();
      const tick = () => (epoch() > first ? done([first, epoch()]) : requestAnimationFrame(tick));
      requestAnimationFrame(tick);
    }));
    assert.ok(epochs[1] > epochs[0], `epochs ${epochs}`);
    assert.match(await text(page, '#train-text'), /^Epoch \d+ of 200/);
    await page.locator('#train-cancel').click();
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('model files load (the seed\'s float64 ones too); a bad file is named and the model stays', async () => {
    const { page, context, problems } = await openPage();
    const seed = ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'].map((n) => join(REPO, 'tests/c/fixtures/seed_model', n));
    await page.locator('#model-files').setInputFiles(seed);
    await page.waitForFunction(() => document.querySelector('#model-name').dataset.kind === 'files');
    const loaded = await text(page, '#model-name');
    assert.match(loaded, /^Model: loaded from files, 784-3-10 \(.+\)$/);
    await drawWithMouse(page, ONE);
    // a 3-unit network is rarely sure: without calibration.txt, below a top probability of 0.5 it is no digit
    assert.match(await text(page, '#prediction'), /^\d( — \d{1,2}%| best guess)$/);

    const bad = join(dir, 'W1.npy');
    writeFileSync(bad, 'not a numpy file');
    await page.locator('#model-files').setInputFiles([bad, ...seed.slice(1)]);
    await page.locator('#model-error').waitFor();
    assert.match(await text(page, '#model-error'), /^W1\.npy is not a \.npy file .+\. The model in use did not change\.$/);
    await page.locator('#model-files').setInputFiles(seed.slice(0, 2));
    await page.waitForFunction(() => /missing/.test(document.querySelector('#model-error').textContent));
    assert.match(await text(page, '#model-error'), /^W2\.npy, b2\.npy are missing \(got W1\.npy, b1\.npy\)/);
    assert.equal(await text(page, '#model-name'), loaded);
    await page.locator('#use-default').click();
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('the defaults reach 95% validation on the bundled data, and learn to say "that\'s not a digit"', async () => {
    const { page, context, problems } = await openPage();
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    assert.equal(await page.locator('[name=hidden]').inputValue(), String(TRAINING_DEFAULTS.hidden));
    assert.ok(!requests.some((u) => u.includes('.csv')), 'the bundled data was fetched before it was needed');
    const t0 = Date.now();
    await page.locator('#train-start').click();
    await waitForResults(page, 120_000);
    const seconds = (Date.now() - t0) / 1000;
    assert.equal(await page.locator('#train-error').isHidden(), true, await text(page, '#train-error'));
    assert.ok(requests.some((u) => u.endsWith('/data/train.csv.gz')) && requests.some((u) => u.endsWith('/data/holdout.csv.gz')));
    assert.match(await text(page, '#data-rows'), /^10,000 digits: 8,995 to train on, 1,005 held out to validate\.$/);
    const accuracy = Number((await text(page, '#results-title')).match(/([\d.]+)% right/)[1]);
    console.log(`default training on the bundled data: ${accuracy}% validation in ${seconds.toFixed(1)} s ` +
      `(${JSON.stringify(TRAINING_DEFAULTS)})`);
    assert.ok(accuracy >= 95, `validation accuracy ${accuracy}%`);

    // Trained with outliers by default: the model's calibration.txt scores logsumexp, and with it
    // the page says a drawn flower is no digit, while it still reads a drawn 7.
    assert.equal(await page.locator('[name=outliers]').isChecked(), true);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download').click()]);
    const files = await unzip(readFileSync(await download.path()));
    assert.match(new TextDecoder().decode(files['calibration.txt']), /^score logsumexp\nthreshold [\d.e-]+\ntemperature [\d.e-]+\n$/m);
    await useNewModel(page, '#train-choice');
    assert.match(await text(page, '#model-name'), /^Model: trained here, 784-256-10/);
    await drawWithMouse(page, FLOWER);
    await assertNotADigit(page);
    await page.keyboard.press('Escape');
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);

    // Fine-tuning it (on outliers too) keeps the score, its temperature and threshold fitted anew.
    await page.keyboard.press('Escape');
    await teach(page, SEVEN, 7);
    await page.locator('#finetune').click();
    await page.waitForFunction(() => /^Your 1 digit/.test(document.querySelector('#finetune-result').textContent) ||
      !document.querySelector('#mine-error').hidden, null, { timeout: 120_000 });
    assert.equal(await page.locator('#mine-error').isHidden(), true, await text(page, '#mine-error'));
    const [tunedZip] = await Promise.all([page.waitForEvent('download'), page.locator('#finetune-download').click()]);
    const tuned = new TextDecoder().decode((await unzip(readFileSync(await tunedZip.path())))['calibration.txt']);
    assert.match(tuned, /^score logsumexp$/m);
    assert.notEqual(tuned, new TextDecoder().decode(files['calibration.txt']));
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('the outlier glyphs are drawn with this browser\'s fonts, framed as drawings, the same for a seed', async () => {
    const { page, context, problems } = await openPage();
    const drawn = await page.evaluate(async (dir) => {
      const { CANVAS, glyphSpecs, renderGlyphs } = await import(`./${dir}/outlier-glyphs.js`);
      const draw = (seed) => renderGlyphs(glyphSpecs(200, seed), new OffscreenCanvas(CANVAS, CANVAS));
      const [a, b, c] = [draw(1), draw(1), draw(2)];
      const strongest = Array.from({ length: a.count }, (_, i) => Math.max(...a.pixels.subarray(i * 784, (i + 1) * 784)));
      return { count: a.count, same: a.pixels.join() === b.pixels.join(), other: a.pixels.join() !== c.pixels.join(), strongest };
    }, site.build.assetsDir);
    assert.ok(drawn.count >= 180, `${drawn.count} of 200 glyphs drawn`);
    assert.ok(drawn.same, 'the same seed drew other glyphs');
    assert.ok(drawn.other, 'another seed drew the same glyphs');
    assert.ok(drawn.strongest.every((v) => v === 255), 'a glyph is not framed as preprocess frames a drawing');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('screenshots of the section: desktop and phone, light and dark', async () => {
    await inEveryLook(openPage, async (page, { device, colorScheme }) => {
      await chooseCsv(page, csv['small.csv']);
      await page.locator('#data-summary').waitFor();
      await setOptions(page, { hidden: 64, epochs: 30, augment: false });
      await page.locator('#train-start').click();
      await waitForResults(page);
      await settle(page);
      return screenshot(page, `training-${device}-${colorScheme}`, page.locator('#train'));
    });
  });
});

// "Teach it your handwriting" as a person uses it, in headless Chromium: draw, press the digit it
// should have been, see it kept, delete one, export the CSV, fine-tune the model in use on them,
// reload and find them still there, delete them all. Screenshots go to test-results/.
//
//   node --test tests/e2e/*.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createTraining } from '../wasm/load.mjs';
import {
  DESKTOP, ONE, PHONE, REPO, SEVEN, ZERO, assertRecognised, drawWithMouse, inEveryLook, launchSite, screenshot, settle, teach,
  useNewModel, waitReady,
} from './browser.mjs';

let site;
before(async () => { site = await launchSite(); });
after(async () => { await site?.close(); });

const text = (page, selector) => page.locator(selector).textContent();
const captions = (page) => page.locator('#mine-list figcaption').allTextContents();
// A 4 drawn the way this person does: open at the top, like a tick with a long stem.
const FOUR = [[[0.35, 0.15], [0.3, 0.55], [0.7, 0.55]], [[0.6, 0.3], [0.6, 0.88]]];

async function openPage(options = DESKTOP) {
  const opened = await site.open(options);
  await opened.page.waitForFunction(() => !/Loading/.test(document.querySelector('#mine-summary').textContent));
  return opened;
}

describe('teaching it your handwriting', { timeout: 600_000 }, () => {
  test('a drawing is kept as the digit pressed, shown, deleted, exported, fine-tuned on, and kept across reloads', async () => {
    const { page, context, problems } = await openPage();
    assert.equal(await text(page, '#mine-summary'), 'None yet: draw a digit above, then press the digit it is.');
    assert.equal(await page.locator('#teach-keys button[data-digit]:enabled').count(), 0, 'the digit keys work without a drawing');
    for (const id of ['#finetune', '#mine-export', '#mine-clear']) assert.equal(await page.locator(id).isDisabled(), true, id);

    // Correct a prediction: it reads a 7; the person says it is a 1 (their 1 has a long flag).
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);
    const seen = await page.evaluate(() => [...document.querySelector('#seen').getContext('2d').getImageData(0, 0, 28, 28).data]
      .filter((_, i) => i % 4 === 3));
    await page.locator('#teach-keys [data-digit="1"]').click();
    await page.locator('#mine-list li').first().waitFor();
    await settle(page); // the pad clears at its next frame
    assert.equal(await text(page, '#teach-status'), 'Kept as a 1 (it read 7): 1 digit of yours below, to fine-tune on.');
    assert.equal(await text(page, '#prediction'), '—', 'the pad was not cleared for the next digit');
    assert.deepEqual(await captions(page), ['1']);
    // The tile shows the 28x28 image the network saw.
    const tile = await page.evaluate(() => [...document.querySelector('#mine-list canvas').getContext('2d').getImageData(0, 0, 28, 28).data]
      .filter((_, i) => i % 4 === 3));
    assert.deepEqual(tile, seen);

    await teach(page, ZERO, 0);
    await teach(page, FOUR, 4);
    await teach(page, ONE, 1);
    assert.deepEqual(await captions(page), ['1', '4', '0', '1'], 'newest first');
    assert.equal(await text(page, '#mine-summary'), '4 digits of yours, kept in this browser until you delete them.');
    assert.deepEqual((await page.locator('#mine-counts .value').allTextContents()).map(Number), [1, 2, 0, 0, 1, 0, 0, 0, 0, 0]);

    // Delete the 0.
    await page.locator('#mine-list li').nth(2).locator('button').click();
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 3);
    assert.deepEqual(await captions(page), ['1', '4', '1']);

    // Export: a Kaggle train.csv of the three, oldest first, that the C parser reads.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#mine-export').click()]);
    assert.equal(download.suggestedFilename(), 'my-digits.csv');
    const csv = readFileSync(await download.path());
    const training = await createTraining();
    const data = await training.parseCsv(csv, { name: 'my-digits.csv' });
    assert.deepEqual([...data.labels()], [1, 4, 1]);
    assert.deepEqual([...data.image(0)], seen.map((v) => v)); // the 7 kept as a 1, pixel for pixel
    data.free();

    // Fine-tune: progress, then the fine-tuned model beside the model in use on the same hold-out
    // digits; the recogniser uses it (by itself if it reads as many of them right, else when asked).
    await page.locator('#finetune').click();
    assert.equal(await page.locator('#finetune-cancel').isEnabled(), true);
    await page.waitForFunction(() => /^Your 3 digits/.test(document.querySelector('#finetune-result').textContent) ||
      !document.querySelector('#mine-error').hidden, null, { timeout: 120_000 });
    assert.equal(await page.locator('#mine-error').isHidden(), true, await text(page, '#mine-error'));
    assert.match(await text(page, '#finetune-text'), /^Done: 3 epochs over your digits and 8,995 bundled ones in [\d.]+ s\.$/);
    assert.match(await text(page, '#finetune-result'), /^Your 3 digits, the very ones it was tuned on: \d+% read right before, \d+% now\.$/);
    assert.equal(await text(page, '#finetune-choice caption'), 'Read right of the same 1,005 hold-out digits, which no training saw:');
    assert.match(await text(page, '#finetune-choice tbody tr:last-child th'), /^in use when it started: default 784-\d+-10$/);
    const chose = await useNewModel(page, '#finetune-choice');
    console.log(`fine-tuned on 3 digits: hold-out ${chose.right} right, the default ${chose.rightInUse}`);
    const tuned = await text(page, '#model-name');
    assert.match(tuned, /^Model: fine-tuned on 3 of your digits, 784-\d+-10, [\d.]+% hold-out \(.+\)$/);
    assert.equal(await page.evaluate(() => document.querySelector('#finetune-bar').value), 1);
    const [model] = await Promise.all([page.waitForEvent('download'), page.locator('#finetune-download').click()]);
    assert.match(model.suggestedFilename(), /^digits-model-784-\d+-10-fine-tuned\.zip$/);
    // The 7 that was taught as a 1 now reads as a 1.
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 1);
    await page.keyboard.press('Escape');
    await screenshot(page, 'teach-fine-tuned-desktop-light', page.locator('#mine'));

    // A reload keeps them (IndexedDB), in the same order, and the fine-tuned model in use.
    await page.reload();
    await waitReady(page);
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 3);
    assert.deepEqual(await captions(page), ['1', '4', '1']);
    assert.equal(await text(page, '#model-name'), tuned);

    // Delete all, after saying so.
    await page.locator('#mine-clear').click();
    assert.equal(await text(page, '#mine-confirm-text'), 'Delete all 3 digits of yours from this browser?');
    await page.locator('#mine-clear-no').click();
    assert.equal(await page.locator('#mine-list li').count(), 3);
    await page.locator('#mine-clear').click();
    await page.locator('#mine-clear-yes').click();
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 0);
    assert.equal(await text(page, '#mine-summary'), 'None yet: draw a digit above, then press the digit it is.');
    assert.equal(await page.locator('#mine-confirm').isHidden(), true);
    await page.reload();
    await waitReady(page);
    await page.waitForFunction(() => !/Loading/.test(document.querySelector('#mine-summary').textContent));
    assert.equal(await page.locator('#mine-list li').count(), 0);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('teaching is forgiving: the last digit kept can be taken back, a typed digit teaches, an undone stroke comes back', async () => {
    const { page, context, problems } = await openPage({ ...DESKTOP, viewport: { width: 1280, height: 900 } });
    const status = () => page.locator('#teach-status').innerText();
    const undo = page.locator('#teach-undo');
    const seen = () => page.evaluate(() => document.querySelector('#seen').toDataURL());
    // What the page promises: typing a digit teaches, Control+Y and Control+Shift+Z redo.
    const note = await text(page, '#pad-note');
    assert.match(note, /Typing a digit teaches the drawing as that digit\./);
    assert.match(note, /Control\+Shift\+Z or Control\+Y puts it back/);
    assert.equal(await page.locator('#teach-keys [data-digit="3"]').getAttribute('aria-keyshortcuts'), '3');

    // A wrong key: Undo, beside what it said, takes the digit back and puts the drawing on the pad again.
    await drawWithMouse(page, SEVEN);
    const drawn = await seen();
    await page.locator('#teach-keys [data-digit="1"]').click();
    await page.locator('#mine-list li').first().waitFor();
    await settle(page);
    assert.equal(await status(), 'Kept as a 1 (it read 7): 1 digit of yours below, to fine-tune on.');
    assert.equal(await undo.isVisible(), true);
    assert.equal(await undo.getAttribute('aria-label'), 'Undo: take back this 1');
    const [said, beside] = [await page.locator('#teach-status').boundingBox(), await undo.boundingBox()];
    const middle = beside.y + beside.height / 2; // on the status's last line, after its words
    assert.ok(middle > said.y + said.height / 2 - 2 && middle < said.y + said.height + 2 && beside.x > said.x,
      `Undo is not beside the status: ${JSON.stringify({ said, beside })}`);
    await screenshot(page, 'teach-undo-desktop', page.locator('#teach-keys'));
    await undo.click();
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 0);
    await settle(page);
    assert.equal(await status(), 'Taken back: the 1 is not kept, and the drawing is on the pad again.');
    assert.equal(await undo.isHidden(), true);
    await assertRecognised(page, 7);
    assert.equal(await seen(), drawn, 'the drawing that came back is not the one taught');

    // Typing the digit teaches it, as the keys under the answer do.
    await page.keyboard.press('7');
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 1);
    await settle(page);
    assert.deepEqual(await captions(page), ['7']);
    assert.equal(await status(), 'Kept as a 7, as it read it: 1 digit of yours below, to fine-tune on.');
    assert.equal(await text(page, '#prediction'), '—');
    // Ctrl+Z on the empty pad takes it back too.
    await page.keyboard.press('Control+z');
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 0);
    await settle(page);
    await assertRecognised(page, 7);
    await page.keyboard.press('7');
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 1);
    await settle(page);
    // With nothing on the pad, or in a form field, a digit key teaches nothing.
    await page.keyboard.press('4');
    await page.locator('#train-form [name=epochs]').fill('');
    await page.locator('#train-form [name=epochs]').type('5');
    await settle(page);
    assert.equal(await page.locator('#mine-list li').count(), 1);
    assert.equal(await page.locator('#train-form [name=epochs]').inputValue(), '5');

    // A new drawing clears what the last teaching said, and its Undo.
    await drawWithMouse(page, [FOUR[0]]);
    assert.equal(await status(), '');
    assert.equal(await undo.isHidden(), true);
    await page.keyboard.press('Control+z'); // undoes the stroke, not the teaching
    await settle(page);
    assert.equal(await page.locator('#mine-list li').count(), 1);

    // Redo: Ctrl+Shift+Z and Ctrl+Y bring back what Ctrl+Z took; a new stroke forgets it.
    await drawWithMouse(page, FOUR);
    const four = await seen();
    await page.keyboard.press('Control+z');
    await settle(page);
    const half = await seen();
    assert.notEqual(half, four);
    await page.keyboard.press('Control+Shift+Z');
    await settle(page);
    assert.equal(await seen(), four, 'Ctrl+Shift+Z did not bring the stroke back');
    await page.keyboard.press('Control+z');
    await page.keyboard.press('Control+z');
    await settle(page);
    assert.equal(await text(page, '#prediction'), '—');
    await page.keyboard.press('Control+y');
    await settle(page);
    assert.equal(await seen(), half);
    await page.keyboard.press('Control+y');
    await settle(page);
    assert.equal(await seen(), four, 'Ctrl+Y did not bring both strokes back');
    await page.keyboard.press('Control+z');
    await drawWithMouse(page, [[[0.2, 0.9], [0.8, 0.9]]]);
    const now = await seen();
    await page.keyboard.press('Control+y');
    await settle(page);
    assert.equal(await seen(), now, 'a stroke undone before a new one came back');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('on a phone, the Undo beside a kept digit is a finger-sized target that takes it back', async () => {
    const { page, context, problems } = await openPage({ ...PHONE, viewport: { width: 390, height: 844 } });
    await drawWithMouse(page, SEVEN);
    await page.locator('#teach-keys [data-digit="1"]').tap();
    await page.locator('#mine-list li').first().waitFor();
    await settle(page);
    const box = await page.locator('#teach-undo').boundingBox();
    assert.ok(box.width >= 44 && box.height >= 44, `Undo is ${box.width}×${box.height} px`);
    await screenshot(page, 'teach-undo-phone', page.locator('#teach-keys'));
    await page.locator('#teach-undo').tap();
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 0);
    await settle(page);
    await assertRecognised(page, 7);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('another open tab shows digits kept, deleted and cleared here, without a reload', async () => {
    const { page, context, problems } = await openPage();
    const other = await context.newPage();
    await other.goto(page.url());
    await waitReady(other);
    await other.waitForFunction(() => !/Loading/.test(document.querySelector('#mine-summary').textContent));
    await page.bringToFront(); // a tab in the background gets no animation frames: the pad would not draw
    await teach(page, SEVEN, 7);
    await teach(page, ZERO, 0);
    const soon = { timeout: 10_000 }; // a change shows in the other tab at once, not at its next reload
    await other.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 2, null, soon);
    assert.deepEqual(await captions(other), ['0', '7']);
    assert.equal(await text(other, '#mine-summary'), '2 digits of yours, kept in this browser until you delete them.');
    await other.bringToFront();
    await other.locator('#mine-list li').first().locator('button').click(); // delete the 0 over there
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 1, null, soon);
    assert.deepEqual(await captions(page), ['7']);
    await page.bringToFront();
    await page.locator('#mine-clear').click();
    await page.locator('#mine-clear-yes').click();
    await other.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 0, null, soon);
    assert.equal(await text(other, '#mine-summary'), 'None yet: draw a digit above, then press the digit it is.');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('a model trained on a CSV file is fine-tuned with that file\'s digits, and with the bundled ones once it is gone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'digits-teach-'));
    const file = join(dir, 'mine.csv');
    const lines = readFileSync(join(REPO, 'data', 'train.csv'), 'utf8').split('\n');
    writeFileSync(file, `${lines.slice(0, 601).join('\n')}\n`);
    const fineTuned = async () => {
      await page.locator('#finetune').click();
      await page.waitForFunction(() => /^Your \d+ digits/.test(document.querySelector('#finetune-result').textContent) ||
        !document.querySelector('#mine-error').hidden, null, { timeout: 120_000 });
      assert.equal(await page.locator('#mine-error').isHidden(), true, await text(page, '#mine-error'));
    };
    const { page, context, problems } = await openPage();
    try {
      await page.locator('#train-start:enabled').waitFor();
      await page.locator('#csv-file').setInputFiles(file);
      await page.locator('#train-form [name=hidden]').fill('64');
      await page.locator('#train-form [name=epochs]').fill('5');
      await page.locator('#train-start').click();
      await page.locator('#train-choice tbody tr').first().waitFor({ timeout: 120_000 });
      await useNewModel(page, '#train-choice');
      assert.match(await text(page, '#model-name'), /^Model: trained here/);
      await teach(page, SEVEN, 1);
      await teach(page, ONE, 1);

      await fineTuned();
      assert.match(await text(page, '#finetune-text'),
        /^Done: 3 epochs over your digits and 5\d\d of mine\.csv's \(the data the model was trained on\) in [\d.]+ s\.$/);
      assert.match(await text(page, '#finetune-choice caption'), /^Read right of the same \d+ validation digits of mine\.csv, set aside from its training:$/);
      await useNewModel(page, '#finetune-choice');
      assert.match(await text(page, '#model-name'), /^Model: fine-tuned on 2 of your digits, 784-64-10, [\d.]+% validation \(.+\)$/);

      // The fine-tuned model came from the file too; with the file gone, the bundled digits stand in, and it says so.
      rmSync(file);
      await fineTuned();
      assert.match(await text(page, '#finetune-text'),
        /^Done: 3 epochs over your digits and 8,995 bundled ones \(mine\.csv could not be read again \(.+\)\) in [\d.]+ s\.$/);
      assert.equal(await text(page, '#finetune-choice caption'), 'Read right of the same 1,005 hold-out digits, which no training saw:');
      await useNewModel(page, '#finetune-choice');
      assert.match(await text(page, '#model-name'), /^Model: fine-tuned on 2 of your digits, 784-64-10, [\d.]+% hold-out \(.+\)$/);
      await context.close();
      assert.deepEqual(problems, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Cancel stops fine-tuning at once and leaves the model in use', async () => {
    const { page, context, problems } = await openPage();
    await teach(page, SEVEN, 7);
    await page.locator('#finetune').click();
    await page.waitForFunction(() => /^(Epoch|Reading)/.test(document.querySelector('#finetune-text').textContent));
    await page.locator('#finetune-cancel').click();
    assert.equal(await text(page, '#finetune-text'), 'Cancelled. The model in use did not change.');
    assert.match(await text(page, '#model-name'), /^Model: default 784-\d+-10$/);
    assert.equal(await page.locator('#finetune').isEnabled(), true);
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('on a phone, the answer and the digit keys to correct it are on the first screen with the pad', async () => {
    const { page, context, problems } = await openPage(PHONE);
    await drawWithMouse(page, SEVEN);
    await assertRecognised(page, 7);
    const height = PHONE.viewport.height;
    const box = async (selector) => page.locator(selector).boundingBox();
    assert.equal(await page.evaluate(() => window.scrollY), 0, 'drawing did not scroll the page');
    for (const selector of ['#pad', '#prediction', '#teach-keys .keys']) {
      const b = await box(selector);
      assert.ok(b.y >= 0 && b.y + b.height <= height, `${selector} spans ${Math.round(b.y)}..${Math.round(b.y + b.height)} px: not all within the first ${height} px`);
    }
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('screenshots of the section: desktop and phone, light and dark', async () => {
    await inEveryLook(openPage, async (page, { device, colorScheme, options }) => {
      for (const [strokes, digit] of [[SEVEN, 1], [FOUR, 4], [ZERO, 0], [ONE, 1], [SEVEN, 7], [FOUR, 4]]) {
        if (options.hasTouch) await page.locator('#pad').scrollIntoViewIfNeeded();
        await teach(page, strokes, digit);
      }
      await drawWithMouse(page, SEVEN);
      await settle(page);
      return [await screenshot(page, `teach-${device}-${colorScheme}`),
        await screenshot(page, `teach-section-${device}-${colorScheme}`, page.locator('#mine'))];
    });
  });
});

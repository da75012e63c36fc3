// For everyone, in headless Chromium: an automated accessibility scan (axe-core) finds no serious
// or critical problem in either colour scheme, on a desktop and a phone, with every part of the
// page showing (a drawing, kept digits, a fine-tuning and a training run's results); the keyboard
// reaches every control, each showing where the focus is, and works them; screen readers hear what
// the network reads when a stroke ends, not while it is drawn.
//
//   node --test tests/e2e/*.test.mjs   (needs Debian's chromium, or CHROMIUM_PATH)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  DESKTOP, LOOKS, ONE, REPO, SEVEN, ZERO, axeViolations, drawWithMouse, launchSite, screenshot, settle, teach, useNewModel,
} from './browser.mjs';

let site, dir, smallCsv;
before(async () => {
  site = await launchSite();
  dir = mkdtempSync(join(tmpdir(), 'digits-a11y-'));
  smallCsv = join(dir, 'small.csv');
  writeFileSync(smallCsv, `${readFileSync(join(REPO, 'data', 'train.csv'), 'utf8').split('\n').slice(0, 301).join('\n')}\n`);
});
after(async () => {
  await site?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openPage(options = DESKTOP) {
  const opened = await site.open(options);
  await opened.page.locator('#train-start:enabled').waitFor();
  await opened.page.waitForFunction(() => !/Loading/.test(document.querySelector('#mine-summary').textContent));
  return opened;
}

// Every part of the page on show: kept digits, a fine-tuning's result, a training run's results
// (confusion matrix, misclassified digits), a drawing, and the banners.
async function showEverything(page) {
  await teach(page, SEVEN, 1);
  await teach(page, ZERO, 0);
  await page.locator('#finetune').click();
  await page.waitForFunction(() => /^Your/.test(document.querySelector('#finetune-result').textContent), null, { timeout: 120_000 });
  await page.locator('#csv-file').setInputFiles(smallCsv);
  await page.locator('#data-summary').waitFor();
  for (const [name, value] of [['hidden', 16], ['epochs', 2]]) await page.locator(`#train-form [name=${name}]`).fill(String(value));
  await page.locator('#train-start').click();
  await page.locator('#results').waitFor({ timeout: 120_000 });
  await useNewModel(page, '#train-choice'); // the fine-tuned model is then offered again
  await drawWithMouse(page, SEVEN);
  await page.evaluate(() => {
    document.querySelector('#update').hidden = false;
    document.querySelector('#mine-clear').click(); // the "delete all?" question
  });
  await settle(page);
}

// What has the focus, and whether it is visibly marked (an outline of 2 px or more, on it or, for
// a file input hidden in its label, on the label).
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  const marked = (node) => {
    const style = getComputedStyle(node);
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2 && style.visibility !== 'hidden';
  };
  const shown = el.type === 'file' ? el.closest('label') : el;
  const name = el.id ? `#${el.id}` : el.dataset.digit ? `key ${el.dataset.digit}` : el.dataset.id ? 'delete'
    : el.name ? `[name=${el.name}]` : el.className || el.tagName.toLowerCase();
  return { name, visible: marked(shown), inView: shown.getBoundingClientRect().height > 0 };
});

describe('for everyone', { timeout: 600_000 }, () => {
  for (const { colorScheme, device, options } of LOOKS) {
    test(`axe finds no serious or critical problem: ${colorScheme}, ${device}, everything showing`, async () => {
      const { page, context, problems } = await openPage(options);
      assert.deepEqual(await axeViolations(page), [], 'on the fresh page');
      await showEverything(page);
      const violations = await axeViolations(page);
      await screenshot(page, `a11y-${device}-${colorScheme}`, null, { fullPage: true });
      assert.deepEqual(violations, []);
      await context.close();
      assert.deepEqual(problems, []);
    });
  }

  test('Tab reaches every control in order, each with a visible focus mark', async () => {
    const { page, context, problems } = await openPage();
    await showEverything(page);
    await page.locator('#mine-clear-no').click();
    await page.evaluate(() => { document.querySelector('#update').hidden = true; });
    await page.locator('h1').evaluate((h1) => { h1.tabIndex = -1; h1.focus(); }); // start at the top
    const seen = [];
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (f.name === 'body' || seen.some((s) => s.name === f.name)) break;
      seen.push(f);
    }
    const names = seen.map((f) => f.name);
    const expected = ['#undo', '#clear', ...Array.from({ length: 10 }, (_, d) => `key ${d}`), '#use-default',
      'delete', '#finetune', '#mine-export', '#mine-clear', '#finetune-choice-use', '#finetune-download',
      '#csv-file', '#use-bundled', '[name=hidden]', '[name=epochs]', '[name=lr]', '[name=batch]', '[name=augment]',
      '[name=outliers]', '#train-start', '#train-defaults', 'matrix-wrap', '#download', '#model-files'];
    assert.deepEqual(names.filter((n) => n !== '#source'), expected);
    const unmarked = seen.filter((f) => !f.visible || !f.inView).map((f) => f.name);
    assert.deepEqual(unmarked, [], 'focused without a visible mark');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('the keyboard works the controls: teach a digit, move through and delete kept ones, export, fine-tune', async () => {
    const { page, context, problems } = await openPage();
    for (const [strokes, digit] of [[SEVEN, 7], [ONE, 1], [ZERO, 0]]) {
      await drawWithMouse(page, strokes);
      await page.locator('#undo').focus();
      for (let i = 0; i < 2 + digit; i++) await page.keyboard.press('Tab');
      assert.equal((await focused(page)).name, `key ${digit}`);
      await page.keyboard.press('Enter');
      await page.waitForFunction((d) => document.querySelector('#mine-list figcaption')?.textContent === String(d), digit);
      await settle(page); // the pad clears, and the keys go off, at its next frame
      assert.equal(await page.evaluate(() => document.activeElement.id), 'pad', 'the focus was lost with the disabled keys');
    }
    assert.deepEqual(await page.locator('#mine-list figcaption').allTextContents(), ['0', '1', '7']);

    // The list is one tab stop; arrows move, Delete deletes and the focus stays in the list.
    await page.locator('#use-default').evaluate((b) => { b.hidden = false; }); // a stop just before the list
    await page.locator('#use-default').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Delete this 0');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Delete this 1');
    await page.keyboard.press('End');
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Delete this 7');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('Delete');
    await page.waitForFunction(() => document.querySelectorAll('#mine-list li').length === 2);
    assert.deepEqual(await page.locator('#mine-list figcaption').allTextContents(), ['0', '7']);
    assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Delete this 7');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).name, '#finetune');
    await page.keyboard.press('Tab');
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    assert.equal(download.suggestedFilename(), 'my-digits.csv');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /^Your 2 digits/.test(document.querySelector('#finetune-result').textContent), null, { timeout: 120_000 });
    assert.equal(await page.evaluate(() => document.activeElement.id), 'finetune', 'the focus did not come back to Fine-tune');
    await context.close();
    assert.deepEqual(problems, []);
  });

  test('screen readers hear the digit and confidence once a stroke ends, not while it is drawn', async () => {
    const { page, context, problems } = await openPage();
    assert.equal(await page.locator('#prediction').getAttribute('aria-live'), null);
    assert.equal(await page.locator('#prediction').getAttribute('role'), null);
    assert.equal(await page.locator('#announce').getAttribute('aria-live'), 'polite');
    assert.match(await page.locator('#pad').getAttribute('aria-label'), /^Drawing pad/);
    assert.match(await page.evaluate(() => document.querySelector('#pad').getAttribute('aria-describedby')
      .split(' ').map((id) => document.getElementById(id).textContent).join(' ')), /announced/);
    await page.evaluate(() => {
      window.heard = [];
      const live = document.querySelector('#announce');
      new MutationObserver(() => window.heard.push(live.textContent.trim()))
        .observe(live, { childList: true, characterData: true, subtree: true });
    });
    await drawWithMouse(page, SEVEN);
    await page.waitForFunction(() => window.heard.length > 0);
    const predicted = (await page.locator('#prediction').textContent()).match(/^(\d) — (\d+%)$/);
    assert.deepEqual(await page.evaluate(() => window.heard), [`Reads ${predicted[1]}, ${predicted[2]} sure.`]);
    // Two strokes: one announcement each, at their ends.
    await page.keyboard.press('Escape');
    await drawWithMouse(page, [[[0.3, 0.2], [0.3, 0.8]], [[0.7, 0.2], [0.7, 0.8]]]);
    await page.locator('#undo').click();
    await settle(page);
    const heard = await page.evaluate(() => window.heard);
    assert.equal(heard[1], 'Pad cleared.');
    assert.equal(heard.length, 5, heard.join(' | '));
    assert.match(heard[4], /^Stroke undone\. Reads \d, \d+% sure\.$/);
    await context.close();
    assert.deepEqual(problems, []);
  });
});

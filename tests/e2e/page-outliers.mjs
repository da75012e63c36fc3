// Measures the page's own training with and without outlier exposure (docs/not-a-digit.md): trains
// in the page's worker in headless Chromium (the glyphs drawn with its fonts), on the bundled
// digits, then reads the non-digit sets of scripts/outlier-data.mjs with each model and its own
// calibration.txt. A measurement, not a test: it takes minutes.
//
//   node tests/e2e/page-outliers.mjs --data DIR [--hidden 64] [--epochs 10] [--seed 1] [--out DIR] [--only-outliers]
//                                    [--seen-fonts 'Liberation Sans,Liberation Serif,Liberation Serif Italic']
//   node tests/e2e/page-outliers.mjs --data DIR --evaluate MODEL_DIR[,MODEL_DIR...]   (no training)
//   DIR: where scripts/outlier-data.mjs wrote eval/nondigits.csv and eval/drawn-holdout.csv (and
//   DIR/holdout.csv, for --evaluate's accuracy)
// --seen-fonts: evaluation fonts the browser's generic families are on this system (Chromium on
// Debian with the fonts of outlier-data.mjs: serif, cursive and fantasy are Liberation Serif,
// sans-serif Liberation Sans), so the page trained on glyphs of theirs: also reported without them.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel, logitsOf } from '../../scripts/outlier-eval.mjs';
import { DESKTOP, launchSite } from './browser.mjs';

const { values: args } = parseArgs({
  options: {
    data: { type: 'string', default: 'data' }, hidden: { type: 'string', default: '64' },
    epochs: { type: 'string', default: '10' }, seed: { type: 'string', default: '1' },
    out: { type: 'string', default: '/tmp/page-outliers' }, 'only-outliers': { type: 'boolean', default: false },
    'seen-fonts': { type: 'string', default: 'Liberation Sans,Liberation Serif,Liberation Serif Italic' },
    evaluate: { type: 'string' },
  },
});

/** Trains in the page's worker; resolves to the result's files, accuracy, seconds and glyph count. */
async function trainInPage(page, assetsDir, options) {
  return page.evaluate(async ({ url, options }) => {
    const worker = new Worker(url, { type: 'module' });
    const ask = (message) => new Promise((resolve, reject) => {
      worker.onmessage = ({ data }) => {
        if (data.type === 'loaded' || data.type === 'result') resolve(data);
        else if (data.type === 'error' || data.type === 'stopped') reject(new Error(data.message));
      };
      worker.postMessage(message);
    });
    await ask({ type: 'load', id: 1, source: { kind: 'bundled' } });
    const { result } = await ask({ type: 'train', id: 2, options });
    worker.terminate();
    const files = Object.fromEntries(Object.entries(result.files).map(([name, bytes]) => [name, Array.from(bytes)]));
    return { files, valAccuracy: result.valAccuracy, seconds: result.seconds, outlierGlyphs: result.outlierGlyphs };
  }, { url: `${assetsDir}/worker.js`, options });
}

function calibration(text) {
  const get = (key) => new RegExp(`^\\s*${key}\\s+(\\S+)`, 'm').exec(text)[1];
  return { score: get('score'), threshold: Number(get('threshold')) };
}

/** Whether the model accepts each row of a CSV as a digit at its own calibration. */
function accepts(model, { score, threshold }, file) {
  return logitsOf(model, file).logits.map((z) => {
    const max = Math.max(...z), sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
    return (score === 'logsumexp' ? max + Math.log(sum) : 1 / sum) >= threshold;
  });
}

const share = (flags) => flags.filter(Boolean).length / flags.length;
const pct = (v) => `${(100 * v).toFixed(1)}%`;

/** Non-digits accepted, overall and per category of eval/nondigits-index.csv; then without the
 * glyphs of --seen-fonts. */
function nonDigits(flags) {
  const rows = fs.readFileSync(path.join(args.data, 'eval/nondigits-index.csv'), 'utf8').trim().split('\n').slice(1)
    .map((line) => line.split(','));
  const categories = rows.map((r) => r[1]), seen = new Set(args['seen-fonts'].split(',').filter(Boolean));
  const per = [...new Set(categories)].map((c) => `${c} ${pct(share(flags.filter((_, i) => categories[i] === c)))}`);
  const unseen = flags.filter((_, i) => !seen.has(rows[i][3]));
  const unseenGlyphs = flags.filter((_, i) => !seen.has(rows[i][3]) && rows[i][3] !== '');
  const seenGlyphs = flags.filter((_, i) => seen.has(rows[i][3]));
  return `${pct(share(flags))} (${per.join(', ')}); without the seen fonts ${pct(share(unseen))} of ${unseen.length} ` +
    `(their glyphs ${pct(share(seenGlyphs))}, the other fonts' ${pct(share(unseenGlyphs))})`;
}

/** The figures of the model in dir; run: what training said of it (or null: measured here). */
function report(dir, run, label) {
  const model = loadModel(dir), cal = calibration(fs.readFileSync(path.join(dir, 'calibration.txt'), 'utf8'));
  let accuracy = run?.valAccuracy;
  if (accuracy == null) {
    const { logits, labels } = logitsOf(model, path.join(args.data, 'holdout.csv'));
    accuracy = share(logits.map((z, i) => z.indexOf(Math.max(...z)) === labels[i]));
  }
  console.log([label, run ? `${run.seconds.toFixed(0)} s, glyphs ${run.outlierGlyphs}` : '',
    `hold-out accuracy ${(100 * accuracy).toFixed(2)}%`, `${cal.score} >= ${cal.threshold}`,
    `drawn hold-out accepted ${pct(share(accepts(model, cal, path.join(args.data, 'eval/drawn-holdout.csv'))))}`,
    `non-digits accepted ${nonDigits(accepts(model, cal, path.join(args.data, 'eval/nondigits.csv')))}`,
    `model in ${dir}`].filter(Boolean).join(' | '));
}

if (args.evaluate) {
  for (const dir of args.evaluate.split(',')) report(dir, null, dir);
  process.exit(0);
}

const site = await launchSite();
try {
  const { page } = await site.open(DESKTOP);
  const base = { hidden: Number(args.hidden), epochs: Number(args.epochs), seed: Number(args.seed) };
  for (const outliers of args['only-outliers'] ? [true] : [false, true]) {
    const run = await trainInPage(page, site.build.assetsDir, { ...base, outliers });
    const dir = path.join(args.out, outliers ? 'outliers' : 'plain');
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of Object.entries(run.files)) fs.writeFileSync(path.join(dir, name), Uint8Array.from(bytes));
    report(dir, run, `outliers ${outliers ? 'on ' : 'off'} | 784-${base.hidden}-10, ${base.epochs} epochs, seed ${base.seed}`);
  }
} finally {
  await site.close();
}

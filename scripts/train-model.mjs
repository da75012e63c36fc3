// Trains the default model from scratch with the recipe in scripts/recipe.mjs and documents it:
//   model/W1.npy b1.npy W2.npy b2.npy   the weights (float16 storage)
//   model/calibration.txt               "not a digit": score, threshold, temperature (src/calibration.h)
//   model/learning-curve.csv, .svg      loss and accuracy per epoch
//   model/README.md                     the command, the recipe, the figures
// Usage: npm run train:model   (node scripts/train-model.mjs [--out DIR])
// Needs the native build (scripts/build-native.sh) and the data (scripts/prepare-data.mjs); for
// the drawn-digit figure also the wasm build. Deterministic: the same recipe gives the same weights.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CALIBRATION, OUTLIER_FINETUNE, RECIPE, recipeArgs } from './recipe.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const digits = path.join(root, 'build', 'digits');
// 90% of data/train.csv; the other 10% (data/oe/calib.csv) is drawn as strokes to fit calibration.txt
const TRAIN_DATA = 'data/oe/fit.csv';
// The outlier files of the wide glyph set (docs/not-a-digit.md): the scripts/outlier-strokes.mjs
// --training option that makes each (after scripts/outlier-data.mjs --wide), and its glyphs.
const WIDE_OUTLIERS = {
  'strokes/outliers4.csv': { option: '--wide', glyphs: 'the letters and symbols of 9 more fonts and of wider Unicode ranges' },
  'strokes/outliers4sym.csv': { option: '--wide-symbols', glyphs: 'the symbols, not the letters, of 9 more fonts and of wider Unicode ranges' },
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', opts.capture ? 'pipe' : 'inherit', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${path.relative(root, cmd) || cmd} ${args.join(' ')} failed (exit ${r.status})`);
  return r.stdout;
}

export function parseEval(text) {
  const acc = /accuracy: ([\d.]+)% \((\d+) of (\d+)\)/.exec(text);
  if (!acc) throw new Error(`could not read the accuracy from:\n${text}`);
  const perClass = [...text.matchAll(/^ {2}(\d) +([\d.]+)% +(\d+)$/gm)].map((m) => ({ digit: +m[1], accuracy: +m[2], count: +m[3] }));
  const figure = (re) => { const m = re.exec(text); return m ? +m[1] : null; };
  return {
    accuracy: +acc[1], correct: +acc[2], total: +acc[3], perClass, text,
    rejected: figure(/^digits rejected: ([\d.]+)%/m), ece: figure(/^expected calibration error: ([\d.]+)%/m),
    calibration: /^not a digit: (.*?) \(/m.exec(text)?.[1] ?? null,
  };
}

// "Not a digit" on the sets of scripts/outlier-data.mjs (docs/not-a-digit.md), with the model's own
// calibration.txt; null when those sets are not there.
function notADigitFigures(modelDir) {
  if (!fs.existsSync(path.join(root, 'data', 'eval', 'nondigits.csv'))) return null;
  const out = run('node', [path.join(root, 'scripts', 'outlier-eval.mjs'), '--model', modelDir, '--own-calibration', '--json'], { capture: true });
  return JSON.parse(out);
}

export function learningCurveSvg(rows) {
  const W = 640, H = 290, L = 48, R = 48, T = 16, B = 58;
  const n = rows.length;
  const x = (e) => L + ((e - 1) / Math.max(1, n - 1)) * (W - L - R);
  const maxLoss = Math.max(...rows.map((r) => r.loss));
  const yLoss = (v) => T + (1 - v / maxLoss) * (H - T - B);
  const accLo = 0.9;
  const yAcc = (v) => T + (1 - (Math.max(v, accLo) - accLo) / (1 - accLo)) * (H - T - B);
  const line = (pts) => pts.map(([px, py], i) => `${i ? 'L' : 'M'}${px.toFixed(1)},${py.toFixed(1)}`).join('');
  const grid = [0.9, 0.92, 0.94, 0.96, 0.98, 1].map((v) =>
    `<line x1="${L}" x2="${W - R}" y1="${yAcc(v)}" y2="${yAcc(v)}" stroke="#ddd"/><text x="${W - R + 4}" y="${yAcc(v) + 4}" font-size="11">${(v * 100).toFixed(0)}%</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" fill="#333">
<rect width="100%" height="100%" fill="#fff"/>${grid}
<text x="${L - 6}" y="${T + 8}" font-size="11" text-anchor="end">${maxLoss.toFixed(2)}</text><text x="${L - 6}" y="${H - B}" font-size="11" text-anchor="end">0</text>
<text x="${(L + W - R) / 2}" y="${H - B + 18}" font-size="12" text-anchor="middle">epoch (1 to ${n})</text>
<path d="${line(rows.map((r) => [x(r.epoch), yLoss(r.loss)]))}" fill="none" stroke="#c0392b" stroke-width="1.5"/>
<path d="${line(rows.map((r) => [x(r.epoch), yAcc(r.train)]))}" fill="none" stroke="#7f8c8d" stroke-width="1.5"/>
<path d="${line(rows.map((r) => [x(r.epoch), yAcc(r.val)]))}" fill="none" stroke="#2563eb" stroke-width="2"/>
<text x="${L}" y="${H - 8}" font-size="12" fill="#c0392b">— training loss (left scale)</text>
<text x="${L + 175}" y="${H - 8}" font-size="12" fill="#7f8c8d">— accuracy on distorted training digits</text>
<text x="${L + 410}" y="${H - 8}" font-size="12" fill="#2563eb">— hold-out accuracy</text>
</svg>
`;
}

async function drawnFigures(modelDir) {
  if (!fs.existsSync(path.join(root, 'build-wasm', 'digits_wasm.wasm'))) return null;
  const { createRecognizer, readCsv } = await import('../tests/wasm/load.mjs');
  const { evaluateDrawn } = await import('../tests/wasm/drawn.mjs');
  const rec = await createRecognizer(modelDir);
  const rows = readCsv(path.join(root, 'data', 'holdout.csv'));
  return evaluateDrawn({
    digits: rows.map((r) => Float32Array.from(r.pixels, (v) => v / 255)),
    labels: rows.map((r) => r.label),
    predict: (x) => rec.predict(x).digit,
    seed: 1,
    count: 2 * rows.length,
  });
}

function readme({ command, seconds, result, drawn, sizes, curve, outliers }) {
  const pct = (v) => `${(100 * v).toFixed(2)}%`;
  const last = curve[curve.length - 1];
  const recipe = Object.entries(RECIPE).map(([k, v]) => `| \`--${k}\` | ${v} |`).join('\n');
  const finetune = Object.entries(OUTLIER_FINETUNE ?? {}).map(([k, v]) => `| \`--${k}\` | ${v} |`).join('\n');
  const total = Object.values(sizes).reduce((a, b) => a + b, 0);
  const wide = OUTLIER_FINETUNE && WIDE_OUTLIERS[OUTLIER_FINETUNE['outlier-data'].replace(/^data\//, '')];
  const weights = OUTLIER_FINETUNE ? OUTLIER_FINETUNE['outlier-weights'].split(',').map(Number) : [0];
  const external = `${weights[weights.length - 1]} of ${weights.reduce((a, b) => a + b, 0)}`;
  return `# The default model

784-${RECIPE.hidden}-10 (ReLU, softmax), trained by this project's own \`digits train\` on the
${result.trainRows} digits of \`data/oe/fit.csv\` (90% of each digit of \`data/train.csv\`), never on the
${result.total} digits of \`data/holdout.csv\`.${OUTLIER_FINETUNE ? ` Then ${OUTLIER_FINETUNE.epochs} epochs more from that model at a
learning rate of ${OUTLIER_FINETUNE.lr}, on the same digits and each of them traced to strokes and drawn as the page
reads them (\`${OUTLIER_FINETUNE.data}\`), with outlier exposure: non-digit images (glyphs of 39
fonts${wide ? ` and ${wide.glyphs},` : ''} as rendered and traced to strokes, and Fashion-MNIST clothes, \`${OUTLIER_FINETUNE['outlier-data']}\`:
\`node scripts/outlier-data.mjs${wide ? ' --wide' : ''}\`, \`node scripts/outlier-strokes.mjs --training${wide ? ` ${wide.option}` : ''}\`; random scribbles,
polygons, arcs, pictograms and digit fragments drawn in C) in every batch as an eleventh, background
class, ${OUTLIER_FINETUNE.outliers} per digit, so the network learns to say "not a digit"
([docs/not-a-digit.md](../docs/not-a-digit.md)).${OUTLIER_FINETUNE['teacher-weight'] !== undefined ? ` Each digit's target mixes its label with the first model's
probabilities at temperature ${OUTLIER_FINETUNE['teacher-temperature'] ?? 1} (weight ${OUTLIER_FINETUNE['teacher-weight']}, \`--teacher\`: distillation), so the
fine-tune keeps more of what the first training knew.` : ''}` : ''} The other 10% of each
digit, never trained on, fit \`calibration.txt\`: the threshold on the score below which a drawing is
"not a digit" accepts ${(100 * CALIBRATION.accept).toFixed(1)}% of them drawn as strokes and read as the page reads them
(\`${CALIBRATION.calibrate}\`, \`node scripts/outlier-strokes.mjs\`); the temperature of the
probabilities shown is fitted on them as they are and as drawn (\`${CALIBRATION['temperature-data']}\`). This file is written by \`npm run train:model\`; do not edit it by hand.

## Figures (measured on the stored float16 weights)

| what | figure |
|---|---|
| hold-out accuracy (\`digits eval --model model --data data/holdout.csv\`) | **${result.accuracy.toFixed(2)}%** (${result.correct} of ${result.total}) |
${drawn ? `| hold-out digits drawn on a 280×280 pad, through \`preprocess\` (the page's path for pictures and files; drawings go through their strokes, below) | ${pct(drawn.pageAccuracy)} |
| the same drawings, plain resize of the whole pad (no preprocessing) | ${pct(drawn.naiveAccuracy)} |
| the untouched hold-out digits, same run | ${pct(drawn.untouchedAccuracy)} |
` : ''}| files | ${Object.entries(sizes).map(([n, s]) => `${n} ${s.toLocaleString('en')} B`).join(', ')}; ${total.toLocaleString('en')} bytes in all |
| "not a digit" (\`calibration.txt\`: ${result.calibration}) | hold-out digits rejected ${result.rejected.toFixed(2)}%; expected calibration error ${result.ece.toFixed(2)}% |
${outliers ? `| hold-out digits traced to strokes and drawn on the pad twice each, read as the page reads them (\`renderStrokes\`) | read right ${pct(outliers.drawnAccuracy)}; **accepted as digits ${pct(outliers.digitsAcceptedDrawn)}** |
| ${outliers.nondigits.toLocaleString('en')} drawings that are no digit, as strokes: letters and symbols in 15 fonts no training used, traced; 29 families of shapes and scribbles drawn by \`scripts/outliers/shapes.mjs\`, which no training uses (the C pictograms draw some of the same things their own way: arrows, stars, ticks, crosses, trees, houses, hearts, faces) | **accepted as digits ${pct(outliers.nondigitsAccepted)}** (${Object.entries(outliers.categories).map(([k, v]) => `${k}s ${pct(v)}`).join(', ')}) |
| … at a threshold accepting exactly 98% of those drawn digits (for comparison) | ${pct(outliers.oracle98)} of the non-digits accepted |
| letters and symbols that read as digits (O, l, S, ...; not scored) | ${pct(outliers.digitlikeAccepted)} accepted |
` : `| … non-digits | not measured here: \`node scripts/outlier-data.mjs\` and \`node scripts/outlier-strokes.mjs\` make the sets ([docs/not-a-digit.md](../docs/not-a-digit.md)) |
`}| training time | ${Math.round(seconds)} s on ${os.cpus().length} × ${os.cpus()[0]?.model?.trim() ?? 'CPU'} (one thread) |
| last epoch | loss ${last.loss.toFixed(4)}, ${pct(last.train)} on distorted training digits, ${pct(last.val)} hold-out (float32) |

Per digit on the hold-out: ${result.perClass.map((c) => `${c.digit}: ${c.accuracy.toFixed(1)}%`).join(', ')}.

The recipe is also checked on other splits of the same 10,000 digits: see
[cross-validation.md](cross-validation.md) (\`npm run cross-validate\`).

## How to reproduce

\`\`\`
npm run train:model
\`\`\`

which runs (after building \`build/digits\`, preparing \`data/\` and making the sets of
[docs/not-a-digit.md](../docs/not-a-digit.md): \`node scripts/outlier-data.mjs\` needs Debian's font
packages and \`dataset-fashion-mnist\`, which \`bash scripts/setup.sh data\` installs; it names any that is missing):

\`\`\`
${command}
\`\`\`

The same seed gives the same weights, byte for byte.

## Recipe (\`scripts/recipe.mjs\`)

| option | value |
|---|---|
${recipe}

Adam with decoupled weight decay, cosine learning-rate decay to 2% of the peak, and every training
image distorted afresh each epoch (rotation, scale, shear, shift, elastic distortion after
Simard et al. 2003, stroke thickness; \`src/augment.c\`).
${finetune ? `
Then, from that model (\`OUTLIER_FINETUNE\`; the rest of the recipe as above):

| option | value |
|---|---|
${finetune}

\`--outliers ${OUTLIER_FINETUNE.outliers}\` adds that many non-digit images per digit to every batch; \`--outlier-weights\`
(scribble, strokes, polygon, arcs, pictogram, fragment, overlap, external) draws ${external} of
them from \`--outlier-data\` and the rest from the C generators of \`src/outlier.c\`;${OUTLIER_FINETUNE['outlier-mining'] ? ` \`--outlier-mining\`
draws ${OUTLIER_FINETUNE['outlier-mining']} times as many as a batch takes and trains on the most digit-like, the top
${+(100 * (OUTLIER_FINETUNE['outlier-mining-skip'] ?? 0)).toFixed(2)}% of them skipped (\`--outlier-mining-skip\`: those may be digits after all);` : ''} \`--background-logit 0\` makes them an eleventh class whose logit is the
constant 0, so the score of \`calibration.txt\` is logsumexp of the ten logits.
` : ''}
\`--grid-bits ${RECIPE['grid-bits']}\` saves W1 on the integer grid of \`src/quant.h\`: each hidden unit's 784 weights are
whole numbers up to ${2 ** (RECIPE['grid-bits'] - 1) - 1} times one power of two, moved there by half a step at most, less than
1/${2 ** (RECIPE['grid-bits'] - 1) - 1} of the unit's largest weight (the accuracy above is of these stored weights).
Float16 holds them exactly, so the files are ordinary weights for NumPy and every other tool; the
page recognises an 8-bit image with the first layer as exact integer sums in 16-bit SIMD
multiply-adds, faster than the float kernels, and downloads the model packed without loss in far
fewer bytes than the \`.npy\` files
(\`model.pack\`, [docs/model-pack.md](../docs/model-pack.md); sizes in \`docs/benchmarks.md\`).

## Learning curve

![learning curve](learning-curve.svg)

Per epoch in [learning-curve.csv](learning-curve.csv): loss and accuracy on the distorted training
digits, and hold-out accuracy (of the float32 weights during training).
`;
}

// The short table in the project README, between <!-- model:start --> and <!-- model:end -->.
function updateReadme({ result, drawn, sizes, outliers }) {
  const file = path.join(root, 'README.md');
  const text = fs.readFileSync(file, 'utf8');
  const start = '<!-- model:start -->', end = '<!-- model:end -->';
  const a = text.indexOf(start), b = text.indexOf(end);
  if (a < 0 || b < a) return;
  const pct = (v) => `${(100 * v).toFixed(2)}%`;
  const total = Object.values(sizes).reduce((x, y) => x + y, 0);
  const block = `${start}
The default model (784-${RECIPE.hidden}-10, ${(total / 1e6).toFixed(2)} MB of float16 \`.npy\` files) on the ${result.total}
held-out digits that no training saw (written by \`npm run train:model\`; details, learning curve
and cross-validation in [model/README.md](model/README.md)):

| | accuracy |
|---|---|
| held-out MNIST digits (\`digits eval --model model --data data/holdout.csv\`) | **${result.accuracy.toFixed(2)}%** |
${drawn ? `| the same digits drawn on a 280×280 pad at random sizes, positions and pens, through \`preprocess\` (the page's path for pictures and files) | **${pct(drawn.pageAccuracy)}** |
| those drawings with a plain resize of the whole pad instead (what many demos do) | ${pct(drawn.naiveAccuracy)} |
` : ''}${outliers ? `
Saying "not a digit" ([docs/not-a-digit.md](docs/not-a-digit.md)): drawn as strokes and read as the
page reads them, the model's threshold accepts ${pct(outliers.digitsAcceptedDrawn)} of those hold-out digits and
${pct(outliers.nondigitsAccepted)} of ${outliers.nondigits.toLocaleString('en')} drawings that are no digit (letters, symbols, shapes,
scribbles in fonts and shape families no training used); its probabilities' expected calibration error is
${result.ece.toFixed(2)}%.
` : ''}${end}`;
  fs.writeFileSync(file, text.slice(0, a) + block + text.slice(b + end.length));
}

// The data sets train:model needs beyond data/train.csv and data/holdout.csv: the training and
// calibration split, the outlier images and the stroke-drawn sets (docs/not-a-digit.md).
function prepareSets() {
  const missing = (files) => files.some((f) => !fs.existsSync(path.join(root, 'data', f)));
  run('node', [path.join(root, 'scripts', 'prepare-data.mjs')]);
  const finetuneSets = OUTLIER_FINETUNE ? [OUTLIER_FINETUNE.data, OUTLIER_FINETUNE['outlier-data']].map((f) => f.replace(/^data\//, '')) : [];
  const wide = finetuneSets.filter((f) => WIDE_OUTLIERS[f]).map((f) => WIDE_OUTLIERS[f].option);
  const wideGlyphs = wide.length ? ['outliers/glyphs-wide.csv', 'outliers/glyphs-wide-index.csv'] : [];
  if (missing(['oe/fit.csv', 'oe/calib.csv', 'eval/nondigits.csv', 'outliers/mix-more.csv', ...wideGlyphs])) {
    run('node', [path.join(root, 'scripts', 'outlier-data.mjs'), ...(wide.length ? ['--wide'] : [])]);
  }
  if (missing(['strokes/calib.csv', 'strokes/calib-both.csv', 'strokes/nondigits.csv', ...finetuneSets])) {
    run('node', [path.join(root, 'scripts', 'outlier-strokes.mjs'), '--training', ...wide]);
  }
}

// A learning curve (digits train --log), its epochs and seconds counted on from `after`'s last row.
function readCurve(file, after = null) {
  return fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).map((line) => {
    const [epoch, loss, train, val, lr, seconds] = line.split(',').map(Number);
    return { epoch: epoch + (after?.epoch ?? 0), loss, train, val, lr, seconds: seconds + (after?.seconds ?? 0) };
  });
}

async function main() {
  const outArg = process.argv.indexOf('--out');
  const out = path.resolve(outArg > 0 ? process.argv[outArg + 1] : path.join(root, 'model'));
  if (!fs.existsSync(digits)) run('bash', [path.join(root, 'scripts', 'build-native.sh')]);
  prepareSets();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'digits-model-'));
  const calib = recipeArgs(CALIBRATION);
  const first = OUTLIER_FINETUNE ? path.join(tmp, 'first') : tmp;
  const stages = [['train', '--data', TRAIN_DATA, '--val', 'data/holdout.csv', ...recipeArgs(), ...calib, '--out', first,
    '--log', path.join(tmp, 'learning-curve-1.csv')]];
  if (OUTLIER_FINETUNE) {
    // the fine-tune's teacher (distillation), when the recipe weighs one, is the model it starts from
    const teacher = OUTLIER_FINETUNE['teacher-weight'] !== undefined ? ['--teacher', first] : [];
    stages.push(['train', '--val', 'data/holdout.csv', '--init', first, ...teacher,
      ...recipeArgs({ ...RECIPE, hidden: false, ...OUTLIER_FINETUNE }), ...calib, '--out', tmp, '--log', path.join(tmp, 'learning-curve-2.csv')]);
  }
  const shown = (args) => `build/digits ${args.join(' ')}`.split(tmp).join('model').replace('model/first', 'first-model')
    .replace(/model\/learning-curve-\d\.csv/, 'model/learning-curve.csv');
  const command = stages.map(shown).join('\n');
  const start = Date.now();
  for (const args of stages) run(digits, args);
  const seconds = (Date.now() - start) / 1000;
  const result = parseEval(run(digits, ['eval', '--model', tmp, '--data', 'data/holdout.csv'], { capture: true }));
  result.trainRows = fs.readFileSync(path.join(root, TRAIN_DATA), 'utf8').trimEnd().split('\n').length - 1;
  const curve = readCurve(path.join(tmp, 'learning-curve-1.csv'));
  if (OUTLIER_FINETUNE) curve.push(...readCurve(path.join(tmp, 'learning-curve-2.csv'), curve[curve.length - 1]));
  fs.mkdirSync(out, { recursive: true });
  const sizes = {};
  for (const name of ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy']) {
    fs.copyFileSync(path.join(tmp, name), path.join(out, name));
    sizes[name] = fs.statSync(path.join(out, name)).size;
  }
  fs.copyFileSync(path.join(tmp, 'calibration.txt'), path.join(out, 'calibration.txt'));
  fs.writeFileSync(path.join(out, 'learning-curve.csv'),
    `epoch,loss,train_accuracy,val_accuracy,lr,seconds\n${curve.map((r) => [r.epoch, r.loss, r.train, r.val, r.lr, r.seconds.toFixed(2)].join(',')).join('\n')}\n`);
  fs.writeFileSync(path.join(out, 'learning-curve.svg'), learningCurveSvg(curve));
  const drawn = await drawnFigures(out);
  const outliers = notADigitFigures(out);
  fs.writeFileSync(path.join(out, 'README.md'), readme({ command, seconds, result, drawn, sizes, curve, outliers }));
  fs.rmSync(tmp, { recursive: true, force: true });
  if (path.resolve(out) === path.join(root, 'model')) updateReadme({ result, drawn, sizes, outliers });
  console.log(`hold-out accuracy ${result.accuracy.toFixed(2)}%${drawn ? `, drawn ${(100 * drawn.pageAccuracy).toFixed(2)}%` : ''}; wrote ${path.relative(process.cwd(), out)}/`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`train-model: ${e.message}`);
    process.exit(1);
  });
}

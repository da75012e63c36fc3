// Measures how well a model says "that's not a digit" (docs/not-a-digit.md), on the sets of
// scripts/outlier-data.mjs:
//   1. fits a temperature T on the calibration digits (data/oe/calib.csv: split off the training
//      data, never trained on), minimising their negative log-likelihood;
//   2. picks the threshold on the score that accepts --accept (default 99%) of the calibration
//      digits drawn on the pad (data/oe/calib-drawn.csv);
//   3. reports, with those: real digits accepted (hold-out drawn on the pad, and untouched),
//      non-digits accepted (overall, per category and per family), digit-like glyphs accepted
//      (not scored), hold-out accuracy, and the expected calibration error on the hold-out.
// Usage: node scripts/outlier-eval.mjs --model DIR [--score msp|energy|maxlogit] [--accept 0.99]
//        [--score-temperature fit|X] [--json] [--families] [--sets strokes|pixels]
//        node scripts/outlier-eval.mjs --model DIR --own-calibration [--json] [--families]
// --own-calibration: instead of steps 1 and 2, the score, threshold and temperature of the model's
// own calibration.txt (what the page and `digits eval` use).
// --sets strokes (the default): the drawn digits, calibration digits and non-digits as the page
// reads them, traced to strokes and rendered by renderStrokes (scripts/outlier-strokes.mjs);
// --sets pixels: the same drawn on a 280x280 canvas through preprocess (the page before strokes).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const data = (f) => path.join(root, 'data', f);

function half(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** A little-endian float .npy file as { shape, data: Float32Array }. */
export function readNpy(file) {
  const b = fs.readFileSync(file);
  const major = b[6], headerLen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8), start = major === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + headerLen);
  const descr = /'descr': *'([^']+)'/.exec(header)[1];
  const shape = /'shape': *\(([^)]*)\)/.exec(header)[1].split(',').filter((v) => v.trim()).map(Number);
  if (/True/.test(/'fortran_order': *(\w+)/.exec(header)[1])) throw new Error(`${file}: Fortran order`);
  const n = shape.reduce((a, c) => a * c, 1), off = start + headerLen, out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = descr === '<f2' ? half(b.readUInt16LE(off + 2 * i)) : descr === '<f4' ? b.readFloatLE(off + 4 * i) : b.readDoubleLE(off + 8 * i);
  }
  return { shape, data: out };
}

export function loadModel(dir) {
  const [W1, b1, W2, b2] = ['W1', 'b1', 'W2', 'b2'].map((n) => readNpy(path.join(dir, `${n}.npy`)).data);
  return { H: b1.length, W1, b1, W2, b2 };
}

/** Logits (10) of every row of a CSV (pixels 0..255), and its labels if it has them. */
export function logitsOf(model, file) {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const labelled = lines[0].startsWith('label'), { H, W1, b1, W2, b2 } = model;
  const logits = [], labels = [], z1 = new Float32Array(H);
  for (const line of lines.slice(1)) {
    const v = line.split(',').map(Number), px = labelled ? v.slice(1) : v;
    if (labelled) labels.push(v[0]);
    z1.set(b1);
    for (let k = 0; k < 784; k++) {
      if (!px[k]) continue;
      const x = px[k] / 255;
      for (let h = 0; h < H; h++) z1[h] += W1[h * 784 + k] * x;
    }
    const z = new Float64Array(10);
    for (let j = 0; j < 10; j++) {
      let s = b2[j];
      for (let h = 0; h < H; h++) if (z1[h] > 0) s += W2[j * H + h] * z1[h];
      z[j] = s;
    }
    logits.push(z);
  }
  return { logits, labels };
}

export function softmax(z, T = 1) {
  const m = Math.max(...z), e = z.map((v) => Math.exp((v - m) / T)), s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

const lse = (z, T) => { const m = Math.max(...z); return m + T * Math.log(z.reduce((a, v) => a + Math.exp((v - m) / T), 0)); };

/** Scores: higher = more digit-like. */
export const SCORES = {
  msp: (z, T) => Math.max(...softmax(z, T)),
  energy: (z, T) => lse(z, T), // minus the energy, T * logsumexp(z / T)
  maxlogit: (z) => Math.max(...z),
};

/** The temperature minimising the mean negative log-likelihood (golden-section search on log T). */
export function fitTemperature(logits, labels) {
  const nll = (T) => logits.reduce((a, z, i) => a - Math.log(Math.max(1e-300, softmax(z, T)[labels[i]])), 0) / logits.length;
  let lo = Math.log(0.05), hi = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 60; it++) {
    const a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    if (nll(Math.exp(a)) < nll(Math.exp(b))) hi = b; else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}

/** Expected calibration error: |accuracy - confidence| per bin of the top probability, weighted. */
export function ece(logits, labels, T, bins = 15) {
  const n = new Array(bins).fill(0), acc = new Array(bins).fill(0), conf = new Array(bins).fill(0);
  logits.forEach((z, i) => {
    const p = softmax(z, T), top = Math.max(...p), b = Math.min(bins - 1, Math.floor(top * bins));
    n[b]++; conf[b] += top; acc[b] += p.indexOf(top) === labels[i] ? 1 : 0;
  });
  return n.reduce((e, c, b) => e + (c ? Math.abs(acc[b] - conf[b]) : 0), 0) / logits.length;
}

/** The threshold accepting (at least) the fraction `accept` of these scores. */
export function thresholdFor(scores, accept) {
  const s = [...scores].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((1 - accept) * s.length))];
}

/** calibration.txt (src/calibration.h) as { score: 'msp' | 'energy', threshold, temperature }. */
function readCalibration(file) {
  const kv = Object.fromEntries(fs.readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim().split(/\s+/)).filter((p) => p.length === 2));
  return { score: kv.score === 'logsumexp' ? 'energy' : 'msp', threshold: +kv.threshold, temperature: +kv.temperature };
}

function readIndex(file) {
  return fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => {
    const [row, category, family] = l.split(',');
    return { row: +row, category, family };
  });
}

function main() {
  const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
  const dir = arg('--model', path.join(root, 'model')), scoreName = arg('--score', 'msp'), accept = +arg('--accept', '0.99');
  const own = process.argv.includes('--own-calibration') ? readCalibration(path.join(dir, 'calibration.txt')) : null;
  const model = loadModel(dir), score = SCORES[own ? own.score : scoreName];
  const calib = logitsOf(model, data('oe/calib.csv'));
  const T = own ? own.temperature : fitTemperature(calib.logits, calib.labels);
  // the score's own temperature: the fitted one, or a fixed one (the ranking depends on it)
  const TS = own ? 1 : arg('--score-temperature', 'fit') === 'fit' ? T : +arg('--score-temperature');
  const sets = arg('--sets', 'strokes') === 'pixels'
    ? { calib: 'oe/calib-drawn.csv', holdout: 'eval/drawn-holdout.csv', non: 'eval/nondigits.csv', like: 'eval/digitlike.csv' }
    : { calib: 'strokes/calib.csv', holdout: 'strokes/holdout.csv', non: 'strokes/nondigits.csv', like: 'strokes/digitlike.csv' };
  const calibDrawn = logitsOf(model, data(sets.calib));
  const threshold = own ? own.threshold : thresholdFor(calibDrawn.logits.map((z) => score(z, TS)), accept);
  const rate = (set) => set.logits.filter((z) => score(z, TS) >= threshold).length / set.logits.length;
  const hold = logitsOf(model, data('holdout.csv')), drawn = logitsOf(model, data(sets.holdout));
  const non = logitsOf(model, data(sets.non)), like = logitsOf(model, data(sets.like));
  const index = readIndex(data(sets.non.replace('.csv', '-index.csv')));
  const accuracy = hold.logits.filter((z, i) => z.indexOf(Math.max(...z)) === hold.labels[i]).length / hold.logits.length;
  const oracle = (fraction) => {
    const t = thresholdFor(drawn.logits.map((z) => score(z, TS)), fraction);
    return non.logits.filter((z) => score(z, TS) >= t).length / non.logits.length;
  };
  const groups = {};
  non.logits.forEach((z, i) => {
    for (const key of [index[i].category, `${index[i].category}/${index[i].family}`]) {
      groups[key] ??= { n: 0, accepted: 0 };
      groups[key].n++;
      groups[key].accepted += score(z, TS) >= threshold;
    }
  });
  const result = {
    model: path.relative(root, dir) || '.', score: own ? own.score : scoreName, temperature: T, scoreTemperature: TS, threshold, accept,
    holdoutAccuracy: accuracy, drawnAccuracy: drawn.logits.filter((z, i) => z.indexOf(Math.max(...z)) === drawn.labels[i]).length / drawn.logits.length,
    eceHoldout: ece(hold.logits, hold.labels, T), eceHoldoutT1: ece(hold.logits, hold.labels, 1),
    digitsAcceptedDrawn: rate(drawn), digitsAcceptedHoldout: rate(hold), calibAccepted: rate(calib),
    nondigits: non.logits.length, nondigitsAccepted: rate(non), digitlikeAccepted: rate(like),
    // for comparison only: thresholds that accept exactly 98% / 95% of the drawn hold-out
    oracle98: oracle(0.98), oracle95: oracle(0.95),
    categories: Object.fromEntries(Object.entries(groups).filter(([k]) => !k.includes('/')).map(([k, g]) => [k, g.accepted / g.n])),
  };
  if (process.argv.includes('--json')) { console.log(JSON.stringify(result)); return; }
  const pct = (v) => `${(100 * v).toFixed(2)}%`;
  console.log(own
    ? `model ${result.model}, its calibration.txt: score ${own.score} at T 1, threshold ${threshold.toFixed(4)}, temperature ${T.toFixed(3)}`
    : `model ${result.model}, score ${scoreName} at T ${TS.toFixed(3)}, fitted T ${T.toFixed(3)}, threshold ${threshold.toFixed(4)} (accepts ${pct(accept)} of drawn calibration digits)`);
  console.log(`hold-out accuracy ${pct(accuracy)}; ECE on the hold-out ${pct(result.eceHoldout)} (T = 1: ${pct(result.eceHoldoutT1)})`);
  console.log(`drawn hold-out accuracy ${pct(result.drawnAccuracy)}`);
  console.log(`real digits accepted: drawn hold-out ${pct(result.digitsAcceptedDrawn)}, untouched hold-out ${pct(result.digitsAcceptedHoldout)}`);
  console.log(`non-digits accepted: ${pct(result.nondigitsAccepted)} of ${non.logits.length}; ${Object.entries(result.categories).map(([k, v]) => `${k} ${pct(v)}`).join(', ')}; digit-like glyphs (not scored) ${pct(result.digitlikeAccepted)}`);
  console.log(`for comparison, at thresholds accepting 98% / 95% of the drawn hold-out itself: non-digits accepted ${pct(result.oracle98)} / ${pct(result.oracle95)}`);
  if (process.argv.includes('--families')) {
    for (const [k, g] of Object.entries(groups).filter(([k]) => k.includes('/')).sort((a, b) => b[1].accepted / b[1].n - a[1].accepted / a[1].n)) {
      if (g.accepted) console.log(`  ${k}: ${g.accepted} of ${g.n}`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

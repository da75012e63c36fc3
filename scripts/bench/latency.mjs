// latency.mjs: recognising one digit, as the page does on every stroke: our Recognizer.predict
// (web/recognizer.js over the page's wasm module, the default model packed as the site serves it) against TensorFlow.js-wasm's
// model.predict on a 1x784 tensor with the same weights, counting what a web developer's call
// costs: tensor creation, predict, dataSync(), the argmax and dispose. Both see the same real
// digits (data/holdout.csv), in the same order; calls alternate in blocks so that a busy machine
// slows both alike. Every call is timed on its own (performance.now()). Ours runs twice: as the
// page does (the integer first layer, src/quant.h, when the model is on the grid) and with the
// float kernels only.
//
//   latencyRun({ calls: 10000, warmup: 1000, blocks: 10, modelDir }) -> { hidden, ours, oursFloat, theirs, check, ... }
//   (modelDir: a folder of four .npy files, model/ by default)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModule, pageRecognizer, parseCsv, ROOT } from './ours.mjs';
import { median, summarize } from './stats.mjs';
import { denseModel, loadTf, setWeights, tfSetup } from './tf.mjs';

export async function latencyRun({ calls = 10000, warmup = 1000, blocks = 10, digits = 1000, modelDir } = {}) {
  const rec = await pageRecognizer(modelDir);
  const hidden = rec.hidden;

  const tf = await loadTf();
  const model = denseModel(tf, hidden);
  setWeights(tf, model, rec.exportModel(4));

  const mod = await loadModule(); // the page's module reads no CSV: the worker's does
  const data = parseCsv(mod, readFileSync(join(ROOT, 'data', 'holdout.csv')));
  const n = Math.min(digits, mod._dg_dataset_count(data));
  const px = mod._dg_dataset_pixels(data);
  const inputs = Array.from({ length: n }, (_, i) => Float32Array.from(mod.HEAPU8.subarray(px + i * 784, px + i * 784 + 784), (v) => v / 255));
  mod._dg_dataset_free(data);
  // The integer first layer's work grows with the pairs of neighbouring pixels (2j, 2j + 1) with ink.
  const inkedPairs = inputs.reduce((sum, x) => {
    let pairs = 0;
    for (let k = 0; k < 784; k += 2) pairs += x[k] !== 0 || x[k + 1] !== 0;
    return sum + pairs;
  }, 0) / n;

  // The same model in a second instance with the integer first layer dropped: the float kernels
  // any model off the grid (or an input that is not 8-bit) runs on.
  const floatRec = await pageRecognizer(modelDir);
  const integer = rec.integerFirstLayer;
  floatRec.integerFirstLayer = false;

  const ours = (x) => rec.predict(x);
  const oursFloat = (x) => floatRec.predict(x);
  const theirs = (x) => {
    const input = tf.tensor2d(x, [1, 784]);
    const output = model.predict(input);
    const probabilities = output.dataSync();
    input.dispose();
    output.dispose();
    let digit = 0;
    for (let k = 1; k < 10; k++) if (probabilities[k] > probabilities[digit]) digit = k;
    return { digit, probabilities };
  };

  // Same network: the same digit and (nearly) the same probabilities for every input.
  let maxAbsDiff = 0, agree = 0;
  for (const x of inputs) {
    const a = ours(x), b = theirs(x);
    agree += a.digit === b.digit;
    for (let k = 0; k < 10; k++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(a.probabilities[k] - b.probabilities[k]));
  }

  for (let i = 0; i < warmup; i++) { ours(inputs[i % n]); oursFloat(inputs[i % n]); theirs(inputs[i % n]); }
  const times = { ours: [], oursFloat: [], theirs: [] };
  const perBlock = Math.ceil(calls / blocks);
  let sink = 0;
  for (let b = 0; b < blocks; b++) {
    for (const [name, fn] of [['ours', ours], ['oursFloat', oursFloat], ['theirs', theirs]]) {
      const out = times[name];
      for (let i = 0; i < perBlock && out.length < calls; i++) {
        const x = inputs[(b * perBlock + i) % n];
        const t0 = performance.now();
        sink += fn(x).digit;
        out.push((performance.now() - t0) * 1000); // µs
      }
    }
  }
  model.dispose();
  rec.dispose();
  floatRec.dispose();
  const describe = (t) => {
    const sorted = [...t].sort((a, b) => a - b);
    return { ...summarize(t), p10: sorted[Math.floor(0.1 * t.length)], p90: sorted[Math.floor(0.9 * t.length)], mean: t.reduce((a, b) => a + b, 0) / t.length };
  };
  return {
    hidden, calls, warmup, digits: n, integer, inkedPairs,
    ours: describe(times.ours),
    oursFloat: describe(times.oursFloat),
    theirs: describe(times.theirs),
    speedup: median(times.theirs) / median(times.ours),
    speedupFloat: median(times.theirs) / median(times.oursFloat),
    check: { agree, of: n, maxAbsDiff },
    tf: tfSetup(tf),
    sink,
  };
}

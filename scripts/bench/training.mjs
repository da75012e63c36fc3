// training.mjs: training throughput (samples/s) of the same 784-H-10 network, batch 64, Adam
// lr 1e-3, on the same rows (data/train.csv), three ways:
//   - native C: scripts/bench/train_native.c (the Trainer API), compiled against src/ here;
//   - our WebAssembly module in Node: _dg_trainer_new / _dg_trainer_step, as web/training.js drives it;
//   - TensorFlow.js with its wasm backend in Node: model.fit (the Layers API) and a hand-written
//     loop (tf.gather + optimizer.minimize), each as a web developer would write it.
// Each run warms up first, then times whole epochs; one epoch = one sample of samples/s.
//
//   import { compileNative, nativeRun, oursRun, tfRun } from './training.mjs';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { trainerProgress } from '../../web/training.js';
import { cError } from '../../web/wasm.js';
import { parseCsv, loadModule, ROOT } from './ours.mjs';
import { shuffled } from './stats.mjs';
import { denseModel, loadTf, tfSetup } from './tf.mjs';

export const BATCH = 64;
export const LR = 1e-3;

/** The core's C sources, as CMakeLists.txt lists them (DIGITS_CORE_SOURCES). */
export function coreSources(root = ROOT) {
  const cmake = readFileSync(join(root, 'CMakeLists.txt'), 'utf8');
  const block = cmake.match(/set\(DIGITS_CORE_SOURCES([^)]*)\)/);
  if (!block) throw new Error('CMakeLists.txt has no set(DIGITS_CORE_SOURCES ...)');
  return block[1].split(/\s+/).filter(Boolean).map((s) => join(root, s));
}

/** CMake's Release flags for the core (-O3, C11 without extensions, -fno-math-errno), plus extra. */
export function nativeFlags(extra = []) {
  return ['-O3', '-std=c11', '-fno-math-errno', ...extra];
}

/** Compiles the driver; returns { binary, command }. */
export function compileNative(out, extra = [], root = ROOT) {
  const cc = process.env.CC || 'cc';
  const args = [...nativeFlags(extra), '-I', join(root, 'src'), ...coreSources(root),
    join(root, 'scripts', 'bench', 'train_native.c'), '-lm', '-o', out];
  execFileSync(cc, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return { binary: out, command: `${cc} ${nativeFlags(extra).join(' ')} -Isrc <core sources> scripts/bench/train_native.c -lm` };
}

/** Native: per hidden size, warmup epochs then `epochs` timed ones. */
export function nativeRun({ binary, csv, hiddens, warmup = 1, epochs = 3 }) {
  return hiddens.map((hidden) => {
    const out = execFileSync(binary, [csv, String(hidden), String(warmup), String(epochs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const r = JSON.parse(out.toString());
    const timed = r.epochSeconds.slice(r.warmupEpochs);
    return {
      hidden, rows: r.rows, meanInked: r.meanInked,
      samplesPerSec: timed.map((s) => r.rows / s),
    };
  });
}

/** Our wasm module in Node: the same Trainer through the exports the page's worker uses. */
export async function oursRun({ csv, hiddens, warmup = 1, epochs = 3, batchesPerCall = 1000 }) {
  const mod = await loadModule();
  const data = parseCsv(mod, readFileSync(csv));
  const rows = mod._dg_dataset_count(data);
  const results = [];
  for (const hidden of hiddens) {
    const model = mod._dg_model_new(hidden);
    mod._dg_model_init(model, 1);
    const trainer = mod._dg_trainer_new(model, data, warmup + epochs, BATCH, LR, 1, 0);
    if (!trainer) throw cError(mod);
    const seconds = [];
    for (let e = 0; e < warmup + epochs; e++) {
      const t0 = performance.now();
      for (;;) { // _dg_trainer_step returns at an epoch's end
        const more = mod._dg_trainer_step(trainer, batchesPerCall);
        if (more < 0) throw cError(mod);
        if (trainerProgress(mod, trainer).epochDone || !more) break;
      }
      seconds.push((performance.now() - t0) / 1000);
    }
    mod._dg_trainer_free(trainer);
    mod._dg_model_free(model);
    results.push({ hidden, rows, samplesPerSec: seconds.slice(warmup).map((s) => rows / s), batchesPerCall });
  }
  mod._dg_dataset_free(data);
  return results;
}

/** TensorFlow.js (wasm backend) in Node, on the same rows. variants: 'fit' and/or 'loop'.
 * measureBatches: time that many batches per sample instead of a whole epoch (quick runs). */
export async function tfRun({ csv, hiddens, epochs = 2, warmupBatches = 20, variants = ['fit', 'loop'], measureBatches = null }) {
  const tf = await loadTf();
  const mod = await loadModule(); // our parser, so both sides see exactly the same rows
  const data = parseCsv(mod, readFileSync(csv));
  const n = mod._dg_dataset_count(data);
  const pixels = mod.HEAPU8.subarray(mod._dg_dataset_pixels(data), mod._dg_dataset_pixels(data) + n * 784);
  const labels = mod.HEAPU8.slice(mod._dg_dataset_labels(data), mod._dg_dataset_labels(data) + n);
  const X = tf.tensor2d(Float32Array.from(pixels, (v) => v / 255), [n, 784]);
  const Y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
  mod._dg_dataset_free(data);
  const rows = measureBatches ? Math.min(n, measureBatches * BATCH) : n;
  const Xm = rows < n ? X.slice([0, 0], [rows, 784]) : X, Ym = rows < n ? Y.slice([0, 0], [rows, 10]) : Y;
  const Xw = X.slice([0, 0], [warmupBatches * BATCH, 784]), Yw = Y.slice([0, 0], [warmupBatches * BATCH, 10]);

  const results = [];
  for (const hidden of hiddens) {
    for (const variant of variants) {
      const seconds = [];
      if (variant === 'fit') {
        const model = denseModel(tf, hidden);
        model.compile({ optimizer: tf.train.adam(LR), loss: 'categoricalCrossentropy' });
        await model.fit(Xw, Yw, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 });
        for (let e = 0; e < epochs; e++) {
          const t0 = performance.now();
          await model.fit(Xm, Ym, { batchSize: BATCH, epochs: 1, shuffle: true, verbose: 0 });
          seconds.push((performance.now() - t0) / 1000);
        }
        model.dispose();
      } else {
        const W1 = tf.variable(tf.randomNormal([784, hidden], 0, Math.sqrt(2 / 784)));
        const b1 = tf.variable(tf.zeros([hidden]));
        const W2 = tf.variable(tf.randomNormal([hidden, 10], 0, Math.sqrt(2 / hidden)));
        const b2 = tf.variable(tf.zeros([10]));
        const optimizer = tf.train.adam(LR);
        const epoch = (count, seed) => {
          const order = Int32Array.from(shuffled(count, seed));
          for (let at = 0; at < count; at += BATCH) {
            tf.tidy(() => {
              const idx = tf.tensor1d(order.subarray(at, at + BATCH), 'int32');
              const xb = tf.gather(X, idx), yb = tf.gather(Y, idx);
              optimizer.minimize(() => tf.losses.softmaxCrossEntropy(yb, tf.relu(xb.matMul(W1).add(b1)).matMul(W2).add(b2)));
            });
          }
          W2.dataSync(); // the wasm backend is synchronous; this only makes sure
        };
        epoch(warmupBatches * BATCH, 99);
        for (let e = 0; e < epochs; e++) {
          const t0 = performance.now();
          epoch(rows, e + 1);
          seconds.push((performance.now() - t0) / 1000);
        }
        [W1, b1, W2, b2].forEach((v) => v.dispose());
        optimizer.dispose();
      }
      results.push({ hidden, variant, rows, samplesPerSec: seconds.map((s) => rows / s) });
    }
  }
  tf.dispose([X, Y, Xw, Yw, Xm, Ym]);
  return { setup: tfSetup(tf), results };
}

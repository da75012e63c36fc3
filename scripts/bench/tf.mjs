// tf.mjs: TensorFlow.js with its WebAssembly backend in Node, set up as the benchmarks compare
// against it: SIMD on (the backend's own feature test), threads off (Node has no
// cross-origin-isolated SharedArrayBuffer workers for it), the .wasm files read from
// node_modules/@tensorflow/tfjs-backend-wasm/dist/.
//
//   const tf = await loadTf();                    // the tfjs namespace, backend 'wasm' ready
//   const model = denseModel(tf, 128);            // 784 -> 128 ReLU -> 10 softmax, as ours
//   setWeights(tf, model, rec.exportModel(4));   // our model's float32 .npy files
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
let loaded = null;

export async function loadTf() {
  if (loaded) return loaded;
  const tf = await import('@tensorflow/tfjs');
  const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'))}/`);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  if (!(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');
  await tf.ready();
  loaded = tf;
  return tf;
}

/** What the backend runs with, for the report. */
export function tfSetup(tf) {
  return {
    backend: tf.getBackend(),
    simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
    threads: tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'),
    version: tf.version.tfjs,
  };
}

/** The same network as ours, with the Layers API as a web developer would build it. */
export function denseModel(tf, hidden) {
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: hidden, activation: 'relu', inputShape: [784] }));
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return model;
}

/** Loads our model's weights (its four float32 .npy files: W1 (H, 784), b1, W2 (10, H), b2) into it. */
export function setWeights(tf, model, files) {
  // A float32 .npy of version 1.0: the header's length at bytes 8-9, the data after it.
  const values = (bytes) => new Float32Array(bytes.slice(10 + (bytes[8] | (bytes[9] << 8))).buffer);
  const [W1, b1, W2, b2] = ['W1.npy', 'b1.npy', 'W2.npy', 'b2.npy'].map((name) => values(files[name]));
  const H = b1.length;
  const transpose = (w, rows, cols) => {
    const t = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
    return t;
  };
  // Dense kernels are (inputs, units): the transposes of W1 and W2.
  const weights = [
    tf.tensor2d(transpose(W1, H, 784), [784, H]), tf.tensor1d(b1),
    tf.tensor2d(transpose(W2, 10, H), [H, 10]), tf.tensor1d(b2),
  ];
  model.setWeights(weights);
  weights.forEach((w) => w.dispose());
}

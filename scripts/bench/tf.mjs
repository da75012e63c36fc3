// tf.mjs: TensorFlow.js with its WebAssembly backend in Node, set up as the benchmarks compare
// against it: SIMD on (the backend's own feature test), threads off (Node has no
// cross-origin-isolated SharedArrayBuffer workers for it), the .wasm files read from
// node_modules/@tensorflow/tfjs-backend-wasm/dist/.
//
//   const tf = await loadTf();                    // the tfjs namespace, backend 'wasm' ready
//   const model = denseModel(tf, 128);            // 784 -> 128 ReLU -> 10 softmax, as ours
//   setWeights(tf, model, params, 128);           // our Model's params (W1 | b1 | W2 | b2)
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

/** Loads our parameters (one Float32Array: W1 (H,784) | b1 (H) | W2 (10,H) | b2 (10)) into it. */
export function setWeights(tf, model, params, hidden) {
  const H = hidden;
  const W1 = params.subarray(0, H * 784), b1 = params.subarray(H * 784, H * 785);
  const W2 = params.subarray(H * 785, H * 795), b2 = params.subarray(H * 795, H * 795 + 10);
  const transpose = (w, rows, cols) => {
    const t = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
    return t;
  };
  // Dense kernels are (inputs, units): the transposes of our W1 and W2.
  const weights = [
    tf.tensor2d(transpose(W1, H, 784), [784, H]), tf.tensor1d(b1),
    tf.tensor2d(transpose(W2, 10, H), [H, 10]), tf.tensor1d(b2),
  ];
  model.setWeights(weights);
  weights.forEach((w) => w.dispose());
}

// app.js: the page. Wires the pad to the recogniser and shows what it reads: the digit and its
// confidence, a bar per digit, and the 28×28 image the network saw, and tells screen readers when
// a stroke ends; says which model is active (the default one, one trained or fine-tuned here, or
// one loaded from files); starts the "teach it your handwriting" section (web/teach-panel.js) and
// the training section (web/train-panel.js), which hand their models over through useModel(); and
// registers the service worker (sw.js, written by the site build) that keeps the page for offline use.
import { Pad } from './pad.js';
import { preprocess } from './preprocess.js';
import { $, drawDigit, inkColor, percent } from './ui.js';

const [undoButton, clearButton, sheet, hint, status] = ['#undo', '#clear', '#sheet', '#hint', '#status'].map($);
const prediction = $('#prediction');
const [digitText, confidenceText] = prediction.children;
const seen = $('#seen');
const bars = makeBars($('#bars'));
const announcer = $('#announce');

let recognizer = null;
let failed = false;
let defaultModel = null; // { files, shape }: the default model's .npy files, to switch back to
let current = null;      // what the pad shows: { x: the network's input, digit } or null
let announce = null;     // what to tell screen readers at the next update: 'stroke', 'undo', 'clear'
let teach = null;        // the TeachPanel, once loaded
let modelData = null;    // the data the model in use was trained on, null for the bundled digits (see useModel)
const pad = new Pad($('#pad'), {
  onChange: ({ strokeEnded }) => {
    if (strokeEnded) announce = 'stroke';
    update();
  },
});

const clearPad = () => { announce = 'clear'; pad.clear(); };
const undoStroke = () => { announce = 'undo'; pad.undo(); };
undoButton.addEventListener('click', undoStroke);
clearButton.addEventListener('click', clearPad);
addEventListener('keydown', (e) => {
  if (e.target.closest?.('input, textarea, select, [contenteditable]')) return;
  if (e.key === 'Escape') {
    if (!pad.isEmpty) clearPad();
  } else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    if (!pad.isEmpty) undoStroke();
  }
});

showSourceLink();
registerServiceWorker();
start();

async function start() {
  try {
    // Imported here rather than statically, so a failure shows on the page.
    const [{ Recognizer }, { default: createDigitsModule }, { fetchWasm }] =
      await Promise.all([import('./recognizer.js'), import('./digits_wasm.js'), import('./wasm.js')]);
    recognizer = await Recognizer.create(createDigitsModule, await fetchWasm(new URL('./digits_wasm.wasm', import.meta.url)));
  } catch (err) {
    return fail(`The recogniser (WebAssembly) could not be loaded: ${err.message}`);
  }
  try {
    await recognizer.loadModelFromUrl(new URL('./model/', import.meta.url).href);
  } catch (err) {
    recognizer = null;
    return fail(`The model could not be loaded: ${err.message.replace(/^could not load the model:\s*/i, '')}`);
  }
  defaultModel = { files: recognizer.exportModel(), shape: `784-${recognizer.hidden}-10` };
  showModel('default');
  update();
  $('#use-default').addEventListener('click', () => useModel(defaultModel.files, 'default'));
  try {
    const { TeachPanel } = await import('./teach-panel.js');
    teach = new TeachPanel({
      drawing: () => current,
      clearPad,
      currentModel: () => recognizer.exportModel(),
      modelData: () => modelData,
      useModel,
      say,
    });
    teach.setDrawing(current);
  } catch (err) {
    const box = $('#mine-error');
    box.textContent = `Teaching it your handwriting is not available: ${err.message}`;
    box.hidden = false;
  }
  try {
    const { TrainPanel } = await import('./train-panel.js');
    new TrainPanel({ useModel, say });
  } catch (err) {
    const box = $('#train-error');
    box.textContent = `Training in the browser is not available: ${err.message}`;
    box.hidden = false;
  }
}

// Makes the four .npy files the recogniser's model; throws (keeping the old model) if they are bad.
// kind: 'default', 'trained' (with accuracy, the validation accuracy), 'fine-tuned' (with accuracy,
// the accuracy on validation: 'hold-out' (the bundled one) or 'split' (part of the person's file),
// and count, the user's digits it was tuned on) or 'files'. data: the source the model was trained
// on ({ kind: 'file', file } or { kind: 'bundled' }; absent: the bundled digits, also for models of
// unknown origin), which fine-tuning mixes in.
function useModel(files, kind, { accuracy, count, data, validation } = {}) {
  recognizer.loadModel(files);
  modelData = data ?? null;
  showModel(kind, { accuracy, count, validation });
  update();
}

function showModel(kind, { accuracy, count, validation = 'hold-out' } = {}) {
  const shape = `784-${recognizer.hidden}-10`;
  const text = kind === 'default' ? `default ${shape}`
    : kind === 'trained' ? `trained here, ${shape}, ${(accuracy * 100).toFixed(1)}% validation`
      : kind === 'fine-tuned' ? `fine-tuned on ${count} of your digits, ${shape}, ${(accuracy * 100).toFixed(1)}% ` +
        (validation === 'hold-out' ? 'hold-out' : 'validation')
        : `loaded from files, ${shape}`;
  const name = $('#model-name');
  name.textContent = `Model: ${text}`;
  name.dataset.kind = kind;
  $('#use-default').hidden = kind === 'default';
  status.textContent = kind === 'default' ? `Default model, ${shape}.` : `Model ${text}.`;
  $('#how').textContent = `Your drawing is cropped, scaled to 20×20 and centred by its mass in a 28×28 image, ` +
    `as MNIST did, then a ${shape} network written in C runs on it in WebAssembly.`;
}

// Runs at most once per animation frame, after the pad repainted.
function update() {
  const empty = pad.isEmpty;
  // A button about to be disabled would drop the keyboard focus: give it to the pad instead.
  if (empty && [undoButton, clearButton].includes(document.activeElement)) $('#pad').focus();
  undoButton.disabled = clearButton.disabled = empty;
  sheet.classList.toggle('empty', empty);
  const x = empty ? null : preprocess(pad.imageData());
  showSeen(x);
  let result = null;
  if (empty || !recognizer) {
    showGuess(null, empty ? 'Draw a digit' : failed ? 'Nothing to read it with' : 'Loading…');
  } else {
    try {
      result = recognizer.predict(x);
      showGuess(result, 'Undo or clear to try another');
    } catch (err) {
      fail(`Recognition failed: ${err.message}`);
    }
  }
  current = x ? { x, digit: result?.digit ?? null } : null;
  teach?.setDrawing(current);
  if (announce) tell(announce, result, empty);
  announce = null;
}

// Tells screen readers what the network reads, when a stroke ends (not while it is drawn) and
// after an undo or a clear.
function tell(why, result, empty) {
  let text;
  if (empty) text = why === 'clear' ? 'Pad cleared.' : 'The pad is empty.';
  else if (!result) return;
  else text = `${why === 'undo' ? 'Stroke undone. ' : ''}Reads ${result.digit}, ${sure(result.probabilities[result.digit])} sure.`;
  say(text);
}

// Says text to screen readers (politely). The panels use it for a run's start and end: their
// progress lines change too often to be live regions.
function say(text) {
  // The same words twice in a row would not be announced again: make them differ invisibly.
  announcer.textContent = text === announcer.textContent ? `${text}\u00a0` : text;
}

function showGuess(result, text) {
  hint.textContent = text;
  prediction.classList.toggle('empty', !result);
  if (!result) {
    digitText.textContent = '—';
    confidenceText.textContent = '';
    delete prediction.dataset.digit;
  } else {
    const { digit, probabilities } = result;
    digitText.textContent = String(digit);
    confidenceText.textContent = ` — ${sure(probabilities[digit])}`;
    prediction.dataset.digit = String(digit);
  }
  bars.forEach((bar, k) => {
    const p = result ? result.probabilities[k] : 0;
    bar.fill.style.width = `${(p * 100).toFixed(1)}%`;
    bar.value.textContent = result ? sure(p) : '';
    bar.row.classList.toggle('top', result?.digit === k);
  });
}

// A model is never sure: show at most 99%.
function sure(p) {
  return percent(Math.min(p, 0.99), 0);
}

// The network's input, ink on paper, drawn pixel for pixel (CSS scales it up, pixelated).
function showSeen(x) {
  drawDigit(seen, x ? x.map((v) => Math.round(v * 255)) : new Uint8Array(784), inkColor(seen));
}

function makeBars(list) {
  return Array.from({ length: 10 }, (_, k) => {
    const row = document.createElement('li');
    row.innerHTML = `<span class="label">${k}</span><span class="track"><span class="fill"></span></span><span class="value"></span>`;
    list.append(row);
    return { row, fill: row.querySelector('.fill'), value: row.querySelector('.value') };
  });
}

// The service worker keeps the page's files for offline use. A new build's worker waits until the
// user reloads through the banner, so a page never runs on a mix of two builds' files.
function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return;
  const container = navigator.serviceWorker;
  let reloading = false, updateAsked = false;
  const offer = (worker) => {
    $('#update').hidden = false;
    $('#update-reload').onclick = () => {
      updateAsked = true;
      worker.postMessage({ type: 'skip-waiting' });
    };
  };
  container.addEventListener('controllerchange', () => {
    if (updateAsked && !reloading) {
      reloading = true;
      location.reload();
    }
  });
  container.register('./sw.js', { scope: './' }).then((registration) => {
    if (registration.waiting && container.controller) offer(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && container.controller) offer(worker);
      });
    });
  }, () => { /* no service worker (an unbuilt page, or blocked): the page works online as before */ });
  container.ready.then(() => { $('#offline').textContent = 'Works offline.'; });
}

function showSourceLink() {
  const url = document.querySelector('meta[name="source-url"]')?.content;
  if (!url) return;
  const link = $('#source');
  link.href = url;
  link.textContent = /^https:\/\/github\.com\//.test(url) ? 'Source on GitHub' : 'Source';
  link.hidden = false;
}

function fail(message) {
  failed = true;
  const box = $('#error');
  box.textContent = message;
  box.hidden = false;
  status.textContent = 'No model loaded.';
}

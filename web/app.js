// app.js: the page. Wires the pad to the recogniser and shows what it reads: the digit and its
// confidence, a bar per digit, and the 28×28 image the network saw, and tells screen readers when
// a stroke ends; says which model is active (the default one, one trained or fine-tuned here, or
// one loaded from files, and when) and keeps any but the default in this browser for the next visit
// (web/model-store.js); starts the "teach it your handwriting" section (web/teach-panel.js) and
// the training section (web/train-panel.js), which hand their models over through useModel(); and
// registers the service worker (sw.js, written by the site build) that keeps the page for offline use.
import { ModelStore } from './model-store.js';
import { Pad } from './pad.js';
import { NumberView } from './number-view.js';
import { renderStrokes, segmentStrokes, strokesBox, tooSmall } from './strokes.js';
import { $, el, gloss, inkColor, show } from './ui.js';

const [undoButton, clearButton, sheet, hint, status] = ['#undo', '#clear', '#sheet', '#hint', '#status'].map($);
const prediction = $('#prediction');
const [digitText, confidenceText] = prediction.children;
const seen = $('#seen').getContext('2d', { willReadFrequently: true }); // a small bitmap in memory: cheaper to write every frame
const seenImage = seen.createImageData(28, 28); // redrawn in place on every frame
let seenInk = null;                              // the ink's colour there, read once per colour scheme
const input = new Float32Array(784);             // the network's input, redrawn in place on every frame
const bars = makeBars($('#bars'));
const TOO_SMALL = 'Too small: draw it bigger'; // a tap, a tiny mark (web/strokes.js tooSmall)
const announcer = $('#announce');
// What screen readers hear before the reading, after an undo, a redo or a restore.
const ANNOUNCED = { undo: 'Stroke undone. ', redo: 'Stroke restored. ', restore: 'Drawing restored. ' };
const numberView = new NumberView({ list: $('#number'), boxes: $('#boxes'), onSelect: () => update() });
// A drawing the network judges no digit at all (Recognizer.predict's isDigit): its best guess is
// shown faintly, and the teach buttons still take the digit the person meant.
const NOT_A_DIGIT = 'That doesn\'t look like a digit';

let recognizer = null;
let failed = false;       // the recogniser or its model could not be loaded
let readFailed = false;   // reading the drawing on the pad failed (an error shown until it no longer holds)
let defaultModel = null; // { files, shape }: the default model's .npy files, to switch back to
let current = null;      // what the pad shows: { x: the network's input, digit } or null
let announce = null;     // what to tell screen readers at the next update: 'stroke', 'undo', 'clear'
let teach = null;        // the TeachPanel, once loaded
let modelData = null;    // the data the model in use was trained on, null for the bundled digits (see useModel)
let model = null;        // the model in use: { kind, accuracy, count, validation, when, version } (see useModel)
let modelVersion = 0;    // counts the models used, so that a panel can tell whether its model is still in use
const modelListeners = [];
let modelStore = null;   // where the model in use is kept (web/model-store.js), null if this browser cannot
let keeping = Promise.resolve(); // the last change to modelStore: they are made in order
let strokesSeen = 0;     // the pad's strokes at the last update: one more means the person drew
let strokeOpen = false;  // a stroke is being drawn: the number's cuts wait for it to end
const pad = new Pad($('#pad'), {
  area: sheet, // a stroke may start a little off the pad: the sheet reaches beyond it
  onChange: ({ strokeEnded }) => {
    const tap = tappedBox();
    if (tap >= 0 && strokeEnded) {
      pickByTap(tap);
      return;
    }
    // while a tap on a box is held, the number and the selected digit stay as they are: read
    // with the tap's dot, they would lose the pick for a moment
    if (tap >= 0) return;
    strokeOpen = !strokeEnded;
    if (strokeEnded) announce = 'stroke';
    update();
  },
});
// A tap on a digit's box, when the pad holds a number, picks that digit (as its button under the
// answer does) and leaves no ink. The digit whose box the last stroke, a tap, is in; or -1.
function tappedBox() {
  const strokes = pad.strokes, last = strokes[strokes.length - 1];
  if (!numberView.shown || !last || !tooSmall(strokesBox([last]))) return -1;
  return numberView.at(last[last.length - 1]);
}
function pickByTap(index) {
  const strokes = pad.strokes;
  pad.restore(strokes.slice(0, -1));
  numberView.pick(index, strokes.length - 1);
}
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  seenInk = null;
  update();
});

// Clears the pad; returns the strokes it had (restorePad shows them again).
const clearPad = () => {
  const strokes = pad.strokes;
  announce = 'clear';
  pad.clear();
  return strokes;
};
const restorePad = (strokes) => {
  strokesSeen = strokes.length; // not a new drawing: the one taken back
  announce = 'restore';
  pad.restore(strokes);
};
const undoStroke = () => { announce = 'undo'; pad.undo(); };
const redoStroke = () => { announce = 'redo'; pad.redo(); };
undoButton.addEventListener('click', undoStroke);
clearButton.addEventListener('click', clearPad);
// Drawing keeps the focus where it was (the pad stops the pointer's default): a form field left
// focused would take the keys meant for the drawing (a digit to teach it, Ctrl+Z), so it lets go.
sheet.addEventListener('pointerdown', () => {
  if (document.activeElement?.matches('input, textarea, select, [contenteditable]')) document.activeElement.blur();
});
addEventListener('keydown', (e) => {
  if (e.target.closest?.('input, textarea, select, [contenteditable]')) return;
  const key = e.key.toLowerCase(), command = (e.ctrlKey || e.metaKey) && !e.altKey;
  if (e.key === 'Escape') {
    if (!pad.isEmpty) clearPad();
  } else if (command && !e.shiftKey && key === 'z') {
    e.preventDefault();
    // On an empty pad just after a digit was taught, undo takes that back.
    if (!pad.isEmpty) undoStroke();
    else teach?.undoTeach();
  } else if (command && (e.shiftKey ? key === 'z' : key === 'y')) {
    e.preventDefault();
    if (pad.canRedo) redoStroke();
  } else if (/^[0-9]$/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey && current) {
    e.preventDefault();
    teach?.teach(Number(e.key)); // as the digit keys under the answer do
  }
});

showSourceLink();
registerServiceWorker();
start();

async function start() {
  const opening = ModelStore.open().catch(() => null); // meanwhile: the model kept from the last visit
  let loading; // the recogniser, until it has its model
  let modelFiles; // the model and its calibration, fetched while the WebAssembly arrives
  try {
    // Imported here rather than statically, so a failure shows on the page.
    const [{ Recognizer, fetchModelFiles }, { default: createDigitsModule }, { fetchWasm }] =
      await Promise.all([import('./recognizer.js'), import('./digits_recognizer.js'), import('./wasm.js')]);
    modelFiles = fetchModelFiles(new URL('./model/model.pack', import.meta.url));
    modelFiles.catch(() => {}); // its failure is told below, once the recogniser is there
    loading = await Recognizer.create(createDigitsModule, await fetchWasm(new URL('./digits_recognizer.wasm', import.meta.url)));
  } catch (err) {
    return fail(`The recogniser (WebAssembly) could not be loaded: ${offline(err) ?? err.message}`);
  }
  try {
    loading.loadFetchedModel(await modelFiles);
  } catch (err) {
    return fail(`The model could not be loaded: ${offline(err) ?? err.message}`);
  }
  // Only a recogniser with its model reads: what was drawn meanwhile is read now, and announced.
  recognizer = loading;
  if (!pad.isEmpty) announce = 'stroke';
  defaultModel = { files: recognizer.exportModel(), shape: `784-${recognizer.hidden}-10` };
  model = { kind: 'default', version: modelVersion };
  await restoreModel(opening);
  showModel(model);
  update();
  $('#use-default').addEventListener('click', () => useModel(defaultModel.files, 'default'));
  // What the panels need of the model in use: to fine-tune it, to compare a new one with it, and
  // to know when it changes.
  const inUse = {
    currentModel: () => recognizer.exportModel(),
    modelInUse: () => ({ version: model.version, name: describeModel(model) }),
    onModelChange: (listener) => modelListeners.push(listener),
  };
  try {
    const { TeachPanel } = await import('./teach-panel.js');
    teach = new TeachPanel({
      drawing: () => current,
      // a corrected digit of a number stays on the pad with the others
      clearPad: () => (numberView.shown ? pad.strokes : clearPad()),
      restorePad,
      modelData: () => modelData,
      useModel,
      say,
      ...inUse,
    });
    teach.setDrawing(current);
  } catch (err) {
    const box = $('#mine-error');
    box.textContent = `Teaching it your handwriting is not available: ${err.message}`;
    box.hidden = false;
  }
  try {
    const { TrainPanel } = await import('./train-panel.js');
    new TrainPanel({ useModel, say, ...inUse });
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
// unknown origin), which fine-tuning mixes in. when: when it was made (now, unless restored).
// Any model but the default is kept in this browser for the next visit; the default deletes it.
// Returns the model's version (see modelInUse).
function useModel(files, kind, { accuracy, count, data, validation, when = Date.now() } = {}) {
  recognizer.loadModel(files);
  modelData = data ?? null;
  model = { kind, accuracy, count, validation, when, version: ++modelVersion };
  showModel(model);
  show($('#model-note'), null);
  keepModel(kind === 'default' ? null : { files: recognizer.exportModel(), kind, accuracy, count, validation, when });
  update();
  for (const listener of modelListeners) listener(model);
  return model.version;
}

// Keeps record in the store for the next visit (null: deletes what is kept), saying so if it cannot.
function keepModel(record) {
  const store = modelStore;
  keeping = keeping.then(async () => {
    if (!store) {
      if (record) show($('#model-note'), 'This model will be gone when the page closes: this browser does not let the page keep it.');
      return;
    }
    try {
      await (record ? store.save(record) : store.clear());
    } catch (err) {
      show($('#model-note'), record ? `This model could not be kept for your next visit (${err.message}).`
        : `The model kept from before could not be deleted (${err.message}): a reload may bring it back.`);
    }
  });
}

// Uses the model kept from the last visit, if any. One that cannot be read or used is deleted,
// and the default model stays, saying so. A store that does not answer within a few seconds is
// given up for this visit: the page does not wait for it any longer.
async function restoreModel(opening) {
  const giveUp = new Promise((resolve) => setTimeout(resolve, 3000, { store: null, record: null }));
  const read = opening.then(async (store) => {
    try {
      return { store, record: await store?.load() ?? null };
    } catch (error) {
      return { store, record: null, error };
    }
  });
  const { store, record, error } = await Promise.race([read, giveUp]);
  modelStore = store;
  try {
    if (error) throw error;
    if (!record) return;
    recognizer.loadModel(record.files); // throws, keeping the default, if the files are bad
  } catch (err) {
    store.clear().catch(() => {});
    show($('#model-note'), `The model you used last time could not be read again (${err.message}), so the ` +
      'default model is in use.');
    return;
  }
  const { kind, accuracy, count, validation, when } = record;
  model = { kind, accuracy, count, validation, when, version: ++modelVersion };
}

// How the page names a model (see useModel): 'default 784-600-10', 'trained here, 784-64-10, 97.6%
// validation (Dec 7, 2026, 3:50 PM)', ...
function describeModel({ kind, accuracy, count, validation = 'hold-out', when }) {
  const shape = `784-${recognizer.hidden}-10`;
  if (kind === 'default') return `default ${shape}`;
  const made = ` (${new Date(when).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })})`;
  return (kind === 'trained' ? `trained here, ${shape}, ${(accuracy * 100).toFixed(1)}% validation`
    : kind === 'fine-tuned' ? `fine-tuned on ${count} of your digits, ${shape}, ${(accuracy * 100).toFixed(1)}% ` +
      (validation === 'hold-out' ? 'hold-out' : 'validation')
      : `loaded from files, ${shape}`) + made;
}

function showModel(model) {
  const { kind } = model;
  const shape = `784-${recognizer.hidden}-10`;
  const text = describeModel(model);
  const name = $('#model-name');
  name.replaceChildren(...gloss(`Model: ${text}`));
  name.dataset.kind = kind;
  $('#use-default').hidden = kind === 'default';
  status.textContent = kind === 'default' ? `Default model, ${shape}.` : `Model ${text}.`;
  $('#how').textContent = `Your strokes are drawn again in a 20×20 box with a pen in proportion to the digit, ` +
    `and centred by their mass in a 28×28 image, as MNIST prepared its digits; then a ${shape} network ` +
    `(784 pixels in, ${recognizer.hidden} hidden units, 10 digits out) written in C runs on it in WebAssembly.`;
}

// Runs at most once per animation frame, after the pad repainted.
function update() {
  const empty = pad.isEmpty;
  // A button about to be disabled would drop the keyboard focus: give it to the pad instead.
  if (empty && [undoButton, clearButton].includes(document.activeElement)) $('#pad').focus();
  if (undoButton.disabled !== empty) undoButton.disabled = clearButton.disabled = empty;
  sheet.classList.toggle('empty', empty);
  // A tap or a tiny mark has no shape to read: the page says so instead of guessing.
  const small = !empty && tooSmall(strokesBox(pad.strokes));
  if (pad.strokeCount > strokesSeen) teach?.drawingStarted();
  strokesSeen = pad.strokeCount;
  // one stroke still being drawn is read as one digit: a number written in one stroke is cut when
  // the stroke ends, and the frames while drawing skip the segmentation
  const firstStroke = strokeOpen && pad.strokeCount === 1;
  if (!empty && !small && recognizer && !firstStroke && showNumber()) return;
  numberView.hide();
  const x = empty ? null : renderStrokes(pad.strokes, input);
  showSeen(x);
  let result = null;
  if (empty || small || !recognizer) {
    showGuess(null, empty ? 'Draw a digit' : small ? TOO_SMALL : failed ? 'Nothing to read it with' : 'Loading the model…');
  } else {
    try {
      result = read(x);
      showGuess(result, result.isDigit ? 'Undo or clear to try another' : NOT_A_DIGIT);
    } catch (err) {
      showGuess(null, 'Undo or clear to try another');
      readError(`Recognition failed: ${err.message}`);
    }
  }
  if (result || empty) readError(null); // an error about a drawing holds only while it is there
  if (prediction.dataset.number) prediction.style.removeProperty('--chars');
  delete prediction.dataset.number;
  current = x && !small ? { x, digit: result?.digit ?? null } : null;
  teach?.setDrawing(current);
  if (announce) tell(announce, result, empty, small);
  announce = null;
}

// The network's reading of x, the page's input. A frame whose input and model are those of the last
// reading (a stroke's end, a move that changed no pixel) gives that reading again without the network.
const lastInput = new Float32Array(784);
let lastReading = null; // { version: the model's, result }
function read(x) {
  if (lastReading?.version === modelVersion && sameValues(x, lastInput)) return lastReading.result;
  lastReading = null; // until the reading below succeeds
  const result = recognizer.predict(x);
  lastInput.set(x);
  lastReading = { version: modelVersion, result };
  return result;
}

function sameValues(a, b) {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// When the pad holds more than one digit: reads them all in one call and shows the number, each
// digit (web/number-view.js) and, in the bars and the image the network saw, the selected one.
// Returns false, changing nothing, for one digit.
function showNumber() {
  let groups, inputs, results;
  try {
    // the network picks the cuts of touching digits once a stroke ends; while it is drawn, every
    // frame takes the cuts by shape alone, which cost a fraction of the network's reading
    const read = strokeOpen ? undefined : (xs) => recognizer.predictBatch(xs);
    groups = segmentStrokes(pad.strokes, { read });
    if (groups.length < 2) return false;
    inputs = groups.map((g) => renderStrokes(g.strokes));
    results = recognizer.predictBatch(inputs);
  } catch (err) {
    readError(`Recognition failed: ${err.message}`);
    return false;
  }
  readError(null);
  const last = pad.strokes[pad.strokes.length - 1];
  const selected = numberView.selected(groups.length, pad.strokeCount, groups.findIndex((g) => g.strokes.includes(last)));
  const digits = groups.map((g, i) => ({ x: inputs[i], box: g.box, digit: results[i].digit, probability: results[i].probabilities[results[i].digit], isDigit: results[i].isDigit }));
  numberView.show(digits, selected, pad.strokeCount);
  const number = digits.map((d) => d.digit).join('');
  const guesses = digits.filter((d) => d.isDigit === false).length;
  showSeen(inputs[selected]);
  showGuess(results[selected], guesses === 0 ? 'Pick a digit to see it; press the right key to correct it'
    : guesses === 1 ? 'The faint one doesn\'t look like a digit' : 'The faint ones don\'t look like digits', digits);
  if (prediction.dataset.number?.length !== number.length) prediction.style.setProperty('--chars', number.length);
  prediction.dataset.number = number;
  current = { x: inputs[selected], digit: results[selected].digit };
  teach?.setDrawing(current);
  if (announce) {
    const each = digits.map((d) => d.isDigit === false ? `no digit (best guess ${d.digit})` : `${d.digit}, ${sure(d.probability)}`).join('; ');
    say(`${ANNOUNCED[announce] ?? ''}${guesses === 0 ? `Reads the number ${number}`
      : `${guesses === 1 ? 'One part doesn\'t' : `${guesses} parts don't`} look like a digit. Reads`}: ${each} sure.`);
  }
  announce = null;
  return true;
}

// Tells screen readers what the network reads, when a stroke ends (not while it is drawn) and
// after an undo or a clear.
function tell(why, result, empty, small) {
  let text;
  if (empty) text = why === 'clear' ? 'Pad cleared.' : 'The pad is empty.';
  else if (small) text = 'Too small to read: draw the digit bigger.';
  else if (!result && !recognizer && !failed) text = 'Loading the model: the drawing is read when it arrives.';
  else if (!result) return;
  else text = result.isDigit ? `${ANNOUNCED[why] ?? ''}Reads ${result.digit}, ${sure(result.probabilities[result.digit])} sure.`
    : `${ANNOUNCED[why] ?? ''}${NOT_A_DIGIT}; best guess ${result.digit}.`;
  say(text);
}

// Says text to screen readers (politely). The panels use it for a run's start and end: their
// progress lines change too often to be live regions.
function say(text) {
  // The same words twice in a row would not be announced again: make them differ invisibly.
  announcer.textContent = text === announcer.textContent ? `${text}\u00a0` : text;
}

// Runs on every frame while drawing: it touches the page only where what it shows changes, and
// the bars move by a transform, so the page is not laid out again for them. `number`: the digits of
// a number on the pad, shown instead of the one digit `result` (the selected one) reads.
function showGuess(result, text, number = null) {
  setText(hint, text);
  prediction.classList.toggle('empty', !result);
  prediction.classList.toggle('not-digit', result?.isDigit === false);
  hint.classList.toggle('not-digit', result?.isDigit === false || number?.some((d) => d.isDigit === false) === true);
  const digit = result ? String(result.digit) : null;
  if (number) showDigits(number);
  else setText(digitText, digit ?? '—');
  setText(confidenceText, !result || number ? '' : result.isDigit ? ` — ${sure(result.probabilities[result.digit])}` : ' best guess');
  if (digit === null) delete prediction.dataset.digit;
  else if (prediction.dataset.digit !== digit) prediction.dataset.digit = digit;
  bars.forEach((bar, k) => {
    const p = result ? result.probabilities[k] : 0;
    const width = Math.round(p * 200) / 2; // percent of the track, in steps of about a pixel
    if (bar.width !== width) {
      bar.width = width;
      bar.fill.style.transform = `translateX(${width - 100}%)`;
    }
    const value = result ? percentage(p) : null;
    if (bar.value !== value) {
      bar.value = value;
      writeText(bar.text, value === null ? '' : `${value}%`);
    }
    const top = result?.digit === k;
    if (bar.top !== top) {
      bar.top = top;
      bar.row.classList.toggle('top', top);
    }
  });
}

// A number's digits as the big reading: a part judged no digit is its best guess, shown faintly.
function showDigits(digits) {
  const key = digits.map((d) => d.isDigit === false ? `(${d.digit})` : d.digit).join('');
  if (!key.includes('(')) return setText(digitText, key);
  if (shownText.get(digitText) === key) return;
  shownText.set(digitText, key);
  digitText.replaceChildren(...digits.map((d) => d.isDigit === false ? Object.assign(el('span', String(d.digit)), { className: 'best-guess' }) : String(d.digit)));
}

const shownText = new WeakMap(); // element -> the text setText gave it (showDigits: its key)
function setText(element, text) {
  if (shownText.get(element) === text) return;
  shownText.set(element, text);
  writeText(element, text);
}

// Changes an element's text in its text node where it has one: cheaper than replacing the node,
// and the same to a person and to a screen reader.
function writeText(element, text) {
  const node = element.firstChild;
  if (text && node && node === element.lastChild && node.nodeType === Node.TEXT_NODE) node.data = text;
  else element.textContent = text;
}

// A model is never sure: show at most 99%.
function percentage(p) {
  return Math.round(Math.min(p, 0.99) * 100);
}

function sure(p) {
  return `${percentage(p)}%`;
}

// The network's input, ink on paper, drawn pixel for pixel (CSS scales it up, pixelated). The ink's
// colour is written once per colour scheme and each pixel's ink as its alpha; the canvas is written
// only when a pixel changed (a frame that moved no ink leaves it as it is).
function showSeen(x) {
  const { data } = seenImage;
  let changed = !seenInk;
  if (!seenInk) {
    seenInk = inkColor(seen.canvas);
    for (let p = 0; p < data.length; p += 4) data.set(seenInk, p);
  }
  for (let i = 0, p = 3; i < 784; i++, p += 4) {
    const alpha = x ? Math.round(x[i] * 255) : 0;
    if (data[p] !== alpha) {
      data[p] = alpha;
      changed = true;
    }
  }
  if (changed) seen.putImageData(seenImage, 0, 0);
}

function makeBars(list) {
  return Array.from({ length: 10 }, (_, k) => {
    const row = document.createElement('li');
    row.innerHTML = `<span class="label">${k}</span><span class="track"><span class="fill"></span></span><span class="value"></span>`;
    list.append(row);
    // what the row shows: the fill's width (percent), the value (percent, null for none), the top mark
    return { row, fill: row.querySelector('.fill'), text: row.querySelector('.value'), width: 0, value: null, top: false };
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

// What to say when err is the browser's word for a download that never arrived ("Failed to fetch",
// "NetworkError…", "Load failed"), else undefined.
function offline(err) {
  if (!/failed to fetch|networkerror|load failed/i.test(err.message)) return undefined;
  return 'the connection failed before it arrived. Reload the page to try again.';
}

// The recogniser or its model could not be loaded: nothing will read the drawings.
function fail(message) {
  failed = true;
  show($('#error'), message);
  status.textContent = 'No model loaded.';
}

// Shows (or, given null, clears) an error about reading the drawing on the pad; the model stays.
function readError(message) {
  if (failed || (!message && !readFailed)) return;
  readFailed = Boolean(message);
  show($('#error'), message);
}

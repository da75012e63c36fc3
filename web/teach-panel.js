// teach-panel.js: "Teach it your handwriting". The digit keys under the answer keep what is on the
// pad (the 28×28 image the network saw) as the digit the user says it is, and clear the pad for
// the next one (typing the digit does the same, see app.js); the last one kept can be taken back
// ("Undo" beside what it says, or Ctrl+Z on the empty pad), which puts the drawing back on the pad.
// The section below shows these digits (how many of each, and each one, newest
// first, to delete), exports them as a Kaggle CSV, and fine-tunes the model in use on them mixed
// with the data that model was trained on (the bundled digits, or the person's CSV file), in a
// worker of its own (web/trainer-client.js, Training.fineTune in web/training.js). They are kept in
// IndexedDB (web/samples.js) until the user deletes them. A fine-tuned model is shown beside the
// model in use on the same held-out digits, and used if it is at least as good (web/model-choice.js).
//
//   const teach = new TeachPanel({ drawing, clearPad, restorePad, currentModel, modelInUse, onModelChange,
//                                  modelData, useModel, say });
//   teach.setDrawing(current)   // app.js, on every update: { x: Float32Array(784), digit } or null
//   teach.drawingStarted()      // app.js: a stroke was drawn; what the last teaching said goes
//   teach.undoTeach()           // takes the last digit kept back, if it is still offered
//   // drawing() -> the same; clearPad() clears the pad, returning its strokes; restorePad(strokes)
//   // shows them again; currentModel() -> the recogniser's four .npy files; modelInUse() -> { name,
//   // version }; onModelChange(listener); modelData() -> the data it was trained on, { kind: 'file',
//   // file }, or { kind: 'bundled' } or null for the bundled digits; useModel(files, 'fine-tuned',
//   // { accuracy, count, data, validation }) switches the recogniser (see app.js);
//   // say(text) tells screen readers (the progress line is not a live region: it changes too often)
import { BUNDLED_SOURCE, FINETUNE_DEFAULTS } from './defaults.js';
import { ModelChoice } from './model-choice.js';
import { SampleStore, packSamples, samplesToCsv, toPixels } from './samples.js';
import { TrainerClient } from './trainer-client.js';
import {
  $, download, drawDigit, el, everyFrame, formatBytes, formatDuration, inkColor, makeCounts, makeTile, number, percent,
  plural, setCounts, show,
} from './ui.js';
import { zip } from './zip.js';

export class TeachPanel {
  #drawing;
  #clearPad;
  #restorePad;
  #currentModel;
  #modelInUse;
  #choice;
  #taught = null;       // the last digit kept, while it can be taken back: { id, digit, strokes }
  #teaching = false;    // a digit is being kept: a second key press does not keep the drawing twice
  #modelData;
  #say;
  #store = null;
  #samples = [];        // oldest first
  #items = new Map();   // sample id -> its <li> in the list
  #keys;
  #counts;
  #list = $('#mine-list');
  #client = new TrainerClient();
  #running = false;
  #tuningOn = null;     // the data the running fine-tuning mixes in (see modelData)
  #result = null;       // the last fine-tuning's result, for the download
  #progress = everyFrame((m) => this.#renderProgress(m));
  #ready;               // settles once the saved digits are shown
  // Other tabs of this page keep digits in the same IndexedDB: each change is announced, and the
  // other tabs read the list again.
  #channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('digits-samples') : null;

  constructor({
    drawing, clearPad, restorePad, currentModel, modelInUse, onModelChange, modelData = () => null, useModel, say = () => {},
  }) {
    this.#say = say;
    this.#drawing = drawing;
    this.#clearPad = clearPad;
    this.#restorePad = restorePad;
    this.#currentModel = currentModel;
    this.#modelInUse = modelInUse;
    this.#choice = new ModelChoice($('#finetune-choice'), {
      useModel, onModelChange, onError: (message) => show($('#mine-error'), message),
    });
    this.#modelData = modelData;
    this.#keys = [...document.querySelectorAll('#teach-keys button[data-digit]')];
    this.#counts = makeCounts($('#mine-counts'));

    for (const key of this.#keys) {
      const { digit } = key.dataset;
      key.addEventListener('click', () => this.teach(Number(digit)));
      key.setAttribute('aria-keyshortcuts', digit);
      key.title = `Teach it that this is a ${digit} (key ${digit})`;
    }
    $('#teach-undo').addEventListener('click', () => this.undoTeach());
    this.#list.addEventListener('click', (e) => {
      const button = e.target.closest('button[data-id]');
      if (button) this.remove(Number(button.dataset.id));
    });
    this.#list.addEventListener('keydown', (e) => this.#rove(e));
    this.#list.addEventListener('focusin', (e) => {
      if (e.target.matches('button[data-id]')) this.#setRovingStop(e.target);
    });
    $('#mine-export').addEventListener('click', () => this.exportCsv());
    $('#mine-clear').addEventListener('click', () => this.#askToClear());
    $('#mine-clear-no').addEventListener('click', () => this.#closeConfirm($('#mine-clear')));
    $('#mine-clear-yes').addEventListener('click', () => this.clear());
    $('#finetune').addEventListener('click', () => this.fineTune());
    $('#finetune-cancel').addEventListener('click', () => this.#client.cancel());
    $('#finetune-download').addEventListener('click', () => this.#download());
    this.#ready = this.#open();
    this.#channel?.addEventListener('message', () => this.#ready.then(() => this.#reload()));
  }

  /** Tells the other tabs that the kept digits changed (only a shared store is worth telling). */
  #announce() {
    if (this.#store?.persistent) this.#channel?.postMessage('changed');
  }

  /** The pad changed: the digit keys work only when there is a drawing. */
  setDrawing(drawing) {
    const off = !drawing;
    if (off && this.#keys.includes(document.activeElement)) $('#pad').focus(); // a disabled key drops the focus
    for (const key of this.#keys) if (key.disabled !== off) key.disabled = off; // every frame: write only a change
  }

  /** A new drawing started: what the last teaching said, and its Undo, go. */
  drawingStarted() {
    this.#setStatus('');
  }

  // Says text under the digit keys; with `taught`, offers to take that digit back.
  #setStatus(text, taught = null) {
    this.#taught = taught;
    if ($('#teach-status').textContent !== text) $('#teach-status').textContent = text;
    const undo = $('#teach-undo');
    if (!taught && document.activeElement === undo) $('#pad').focus(); // a hidden button drops the focus
    undo.hidden = !taught;
    if (taught) undo.setAttribute('aria-label', `Undo: take back this ${taught.digit}`);
  }

  /** Keeps the drawing on the pad as `digit`, and clears the pad for the next one. */
  async teach(digit) {
    const drawing = this.#drawing();
    if (!drawing || this.#teaching) return;
    this.#teaching = true;
    let sample;
    try {
      await this.#ready;
      sample = await this.#store.add({ label: digit, pixels: toPixels(drawing.x) });
    } catch (err) {
      this.#setStatus(`It could not be kept: ${err.message}.`);
      return;
    } finally {
      this.#teaching = false;
    }
    this.#samples.push(sample);
    this.#list.prepend(this.#item(sample));
    this.#refresh();
    this.#announce();
    const read = drawing.digit == null ? '' : drawing.digit === digit ? ', as it read it' : ` (it read ${drawing.digit})`;
    const strokes = this.#clearPad();
    this.#setStatus(`Kept as a ${digit}${read}: ${plural(this.#samples.length, 'digit')} of yours ` +
      'below, to fine-tune on.', { id: sample.id, digit, strokes });
  }

  /** Takes back the last digit kept (if still offered): deletes it and puts its drawing back on the pad. */
  async undoTeach() {
    const taught = this.#taught;
    if (!taught) return;
    const focus = document.activeElement === $('#teach-undo');
    this.#setStatus('');
    if (!(await this.remove(taught.id))) return;
    this.#restorePad(taught.strokes);
    this.#setStatus(`Taken back: the ${taught.digit} is not kept, and the drawing is on the pad again.`);
    if (focus) $('#pad').focus();
  }

  /** Deletes a kept digit; resolves to whether it was deleted. */
  async remove(id) {
    const index = this.#samples.findIndex((s) => s.id === id);
    if (index < 0) return false;
    const item = this.#items.get(id);
    const next = item.nextElementSibling ?? item.previousElementSibling;
    const hadFocus = item.contains(document.activeElement);
    try {
      await this.#store.delete(id);
    } catch (err) {
      show($('#mine-error'), `That digit could not be deleted: ${err.message}.`);
      return false;
    }
    if (this.#taught?.id === id) this.#setStatus('');
    this.#samples.splice(index, 1);
    this.#items.delete(id);
    item.remove();
    this.#refresh();
    this.#announce();
    if (hadFocus) (next?.querySelector('button') ?? $('#mine-summary')).focus();
    return true;
  }

  async clear() {
    try {
      await this.#store.clear();
    } catch (err) {
      return show($('#mine-error'), `Your digits could not be deleted: ${err.message}.`);
    }
    const n = this.#samples.length;
    this.#samples = [];
    this.#items.clear();
    this.#list.replaceChildren();
    this.#refresh();
    this.#announce();
    this.#closeConfirm($('#mine-summary'));
    this.#setStatus(`${plural(n, 'digit')} of yours deleted.`);
  }

  exportCsv() {
    if (!this.#samples.length) return;
    download([samplesToCsv(this.#samples)], 'my-digits.csv', 'text/csv');
  }

  /** Fine-tunes the model in use on the kept digits; the recogniser switches to the result. */
  async fineTune() {
    if (this.#running || !this.#samples.length) return;
    const samples = this.#samples.slice();
    const data = this.#tuningOn = this.#modelData() ?? BUNDLED_SOURCE;
    show($('#mine-error'), null);
    $('#finetune-result').textContent = '';
    $('#finetune-more').hidden = true;
    this.#choice.clear();
    const inUse = this.#modelInUse();
    this.#setRunning(true);
    $('#finetune-run').hidden = false;
    $('#finetune-bar').removeAttribute('value');
    $('#finetune-text').textContent = 'Starting…';
    this.#say('Fine-tuning started.');
    try {
      const result = await this.#client.fineTune(
        { model: this.#currentModel(), samples: packSamples(samples), options: FINETUNE_DEFAULTS, data },
        (message) => this.#progress.show(message),
      );
      this.#finish(result, inUse);
    } catch (err) {
      this.#progress.cancel();
      $('#finetune-bar').value = 0;
      const cancelled = err.name === 'AbortError';
      $('#finetune-text').textContent = `${cancelled ? 'Cancelled' : 'Stopped'}. The model in use did not change.`;
      this.#say(`Fine-tuning ${cancelled ? 'cancelled' : 'stopped'}. The model in use did not change.`);
      if (!cancelled) show($('#mine-error'), err.name === 'WorkerStopped' ? err.message : `Fine-tuning failed: ${err.message}`);
    } finally {
      this.#setRunning(false);
    }
  }

  /** The worker mixed in this.#tuningOn, what the model was trained on, unless it fell back to the
   * bundled digits (result.base.fallback says why). inUse: the model tuned ({ name }), the one in use
   * when it started. */
  #finish(result, inUse) {
    this.#result = result;
    this.#progress.cancel();
    $('#finetune-bar').value = 1;
    const { personal, validationBefore, valAccuracy, validationCount, options, seconds, base, hidden } = result;
    const data = this.#tuningOn, fromFile = data.kind === 'file' && !base.fallback;
    const mixed = fromFile ? `${number(result.baseCount)} of ${base.name}'s (the data the model was trained on)`
      : `${number(result.baseCount)} bundled ones${base.fallback ? ` (${base.fallback})` : ''}`;
    $('#finetune-text').textContent = `Done: ${plural(options.epochs, 'epoch')} over your digits and ${mixed} ` +
      `in ${seconds.toFixed(1)} s.`;
    // The digits it was tuned on say how well it learnt them, not how it reads new ones: the choice
    // is made on held-out digits that no training saw.
    $('#finetune-result').textContent = `Your ${plural(personal.count, 'digit')}, the very ones it was tuned on: ` +
      `${percent(personal.before, 0)} read right before, ${percent(personal.after, 0)} now.`;
    this.#choice.offer({
      files: result.files, kind: 'fine-tuned',
      about: { accuracy: valAccuracy, count: personal.count, data: fromFile ? data : BUNDLED_SOURCE, validation: base.validation },
      name: `784-${hidden}-10, fine-tuned on ${plural(personal.count, 'digit')} of yours`, accuracy: valAccuracy,
      inUse: { name: inUse.name, accuracy: validationBefore }, count: validationCount,
      digits: fromFile ? `validation digits of ${base.name}, set aside from its training` : 'hold-out digits, which no training saw',
    });
    this.#say(`Fine-tuning done. ${this.#choice.text}`);
    $('#finetune-more').hidden = false;
  }

  #renderProgress(m) {
    if (!this.#running) return;
    const file = this.#tuningOn?.kind === 'file' ? this.#tuningOn.file.name : null;
    if (m.type === 'parse') {
      const of = m.total ? ` of ${formatBytes(m.total)}` : '';
      $('#finetune-text').textContent = (m.name === file ? `Reading ${m.name} again, the data the model was trained on`
        : `Reading the bundled digits (${m.name})`) + `: ${formatBytes(m.bytes)}${of}`;
      return;
    }
    const p = m.progress;
    $('#finetune-bar').value = p.step / p.steps;
    $('#finetune-text').textContent = [
      `Epoch ${p.epoch} of ${p.epochs}`, `batch ${number(p.batch)} of ${number(p.batches)}`,
      `${file ? 'validation' : 'hold-out'} ${p.valAccuracy == null ? '–' : percent(p.valAccuracy)}`,
      p.eta == null ? '' : p.step === p.steps ? 'finishing' : `${formatDuration(p.eta)} left`,
    ].filter(Boolean).join(' · ');
  }

  #download() {
    if (!this.#result) return;
    download([zip(this.#result.files)], `digits-model-784-${this.#result.hidden}-10-fine-tuned.zip`, 'application/zip');
  }

  // ---- the kept digits ----

  async #open() {
    try {
      this.#store = await SampleStore.open();
    } catch {
      this.#store = SampleStore.inMemory();
    }
    await this.#reload();
  }

  /** Reads the kept digits from the store and shows them (at start, and when another tab changed them). */
  async #reload() {
    try {
      this.#samples = await this.#store.all();
    } catch (err) {
      show($('#mine-error'), `Your digits could not be read: ${err.message}.`);
    }
    const hadFocus = this.#list.contains(document.activeElement);
    this.#items.clear();
    this.#list.replaceChildren(...this.#samples.map((s) => this.#item(s)).reverse());
    this.#refresh();
    if (hadFocus) $('#mine-summary').focus();
  }

  #item(sample) {
    const li = el('li');
    const tile = makeTile();
    drawDigit(tile.canvas, sample.pixels, inkColor(this.#list));
    tile.caption.textContent = String(sample.label);
    const button = el('button');
    button.type = 'button';
    button.className = 'delete';
    button.dataset.id = String(sample.id);
    button.tabIndex = -1;
    button.setAttribute('aria-label', `Delete this ${sample.label}`);
    button.title = `Delete this ${sample.label}`;
    button.innerHTML = '<svg viewBox="0 0 12 12" aria-hidden="true"><path d="M3 3l6 6M9 3l-6 6"/></svg>';
    li.append(tile.figure, button);
    this.#items.set(sample.id, li);
    return li;
  }

  #refresh() {
    const n = this.#samples.length;
    const perClass = new Array(10).fill(0);
    for (const s of this.#samples) perClass[s.label]++;
    const kept = this.#store?.persistent === false ? ' They will be gone when this page closes: this browser does not let it keep them.' : '';
    $('#mine-summary').textContent = n === 0
      ? `None yet: draw a digit above, then press the digit it is.${kept}`
      : `${plural(n, 'digit')} of yours, kept in this browser until you delete them.${kept}`;
    $('#mine-content').hidden = n === 0;
    setCounts(this.#counts, perClass);
    $('#finetune').disabled = this.#running || n === 0;
    $('#mine-export').disabled = $('#mine-clear').disabled = n === 0;
    if (n === 0) this.#closeConfirm();
    // One tab stop for the whole list (arrow keys move within it): the focused button, else the newest.
    const inList = this.#list.contains(document.activeElement) && document.activeElement.matches('button');
    const stop = inList ? document.activeElement : this.#list.querySelector('button');
    if (stop) this.#setRovingStop(stop);
  }

  #setRovingStop(button) {
    for (const b of this.#list.querySelectorAll('button[tabindex="0"]')) if (b !== button) b.tabIndex = -1;
    button.tabIndex = 0;
  }

  // Arrow keys, Home and End move between the delete buttons; Delete and Backspace press one.
  #rove(e) {
    const buttons = [...this.#list.querySelectorAll('button[data-id]')];
    const at = buttons.indexOf(e.target);
    if (at < 0) return;
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      this.remove(Number(e.target.dataset.id));
      return;
    }
    const perRow = Math.max(1, buttons.filter((b) => b.offsetTop === buttons[0].offsetTop).length);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, ArrowDown: at + perRow, ArrowUp: at - perRow, Home: 0, End: buttons.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const target = buttons[Math.min(buttons.length - 1, Math.max(0, to))];
    this.#setRovingStop(target);
    target.focus();
  }

  #askToClear() {
    $('#mine-confirm-text').textContent = `Delete all ${plural(this.#samples.length, 'digit')} of yours from this browser?`;
    $('#mine-confirm').hidden = false;
    $('#mine-clear-no').focus();
  }

  #closeConfirm(focus) {
    $('#mine-confirm').hidden = true;
    focus?.focus();
  }

  #setRunning(running) {
    this.#running = running;
    $('#finetune').disabled = running || !this.#samples.length;
    $('#finetune-cancel').disabled = !running;
    $('#mine').classList.toggle('running', running);
    if (running) $('#finetune-cancel').focus({ preventScroll: true });
    else if (document.activeElement === $('#finetune-cancel') || document.activeElement === document.body) {
      $('#finetune').focus({ preventScroll: true });
    }
  }
}

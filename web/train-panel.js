// train-panel.js: the "Train your own" section. Chooses the data (the bundled digits, or a CSV
// picked or dropped), shows what it holds, trains in the worker (web/trainer-client.js) with live
// progress and a chart, then shows how it does on the validation digits beside the model in use on
// the same digits, and hands it to the recogniser if it is at least as good (web/model-choice.js);
// also loads a model from .npy/.zip files. The recogniser is only touched when a run finishes or a
// model loads successfully. DOM is built once and updated in place.
//
//   new TrainPanel({ useModel, currentModel, modelInUse, onModelChange, say })   // from app.js:
//     useModel(files, kind, { accuracy, data }) throws, keeping the old model; currentModel() -> its
//     four .npy files; modelInUse() -> { name, version }; onModelChange(listener); say(text) tells
//     screen readers
import { Chart } from './chart.js';
import {
  BUNDLED_SOURCE as BUNDLED, TRAINING_DEFAULTS, TRAINING_LIMITS, VALIDATION_FRACTION, checkTrainingOptions,
} from './defaults.js';
import { ModelChoice } from './model-choice.js';
import { modelFilesFrom, plainModelError } from './models.js';
import { TrainerClient } from './trainer-client.js';
import {
  $, download, drawDigit, el, everyFrame, formatBytes, formatDuration, gloss, inkColor, makeCounts, makeTile, number,
  percent, plural, sentence, setCounts, show,
} from './ui.js';
import { zip } from './zip.js';

const SAMPLES = 30;

export class TrainPanel {
  #useModel;
  #currentModel;
  #modelInUse;
  #choice;
  #say;
  #client = new TrainerClient();
  #source = BUNDLED;      // what Start trains on
  #bundledInfo = null;    // the bundled data's summary, once loaded
  #bundledHtml = $('#data-name').innerHTML; // the page's words for the bundled data
  #running = false;
  #result = null;
  #progress = everyFrame((p) => this.#renderProgress(p));
  #chart;
  #counts;
  #samples;
  #confusion;

  constructor({ useModel, currentModel, modelInUse, onModelChange, say = () => {} }) {
    this.#useModel = useModel;
    this.#currentModel = currentModel;
    this.#modelInUse = modelInUse;
    this.#choice = new ModelChoice($('#train-choice'), {
      useModel, onModelChange, onError: (message) => show($('#train-error'), message),
    });
    this.#say = say;
    this.form = $('#train-form');
    this.#chart = new Chart($('#chart'));
    this.#counts = makeCounts($('#class-counts'));
    this.#samples = makeTiles($('#samples'), SAMPLES);
    this.#confusion = makeConfusion($('#confusion'));
    this.#fillForm(TRAINING_DEFAULTS);

    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.start();
    });
    this.form.addEventListener('input', (e) => {
      e.target.removeAttribute('aria-invalid');
      e.target.removeAttribute('aria-describedby');
    });
    $('#train-cancel').addEventListener('click', () => this.#client.cancel());
    $('#train-defaults').addEventListener('click', () => this.#fillForm(TRAINING_DEFAULTS));
    $('#csv-file').addEventListener('change', (e) => {
      const [file] = e.target.files;
      e.target.value = '';
      if (file) this.chooseCsv(file);
    });
    $('#use-bundled').addEventListener('click', () => this.#setSource(BUNDLED, this.#bundledInfo));
    $('#model-files').addEventListener('change', (e) => {
      const files = [...e.target.files];
      e.target.value = '';
      if (files.length) this.loadModel(files);
    });
    $('#download').addEventListener('click', () => this.#download());
    this.#acceptDrops();
    $('#train-start').disabled = false;
  }

  /** Parses a CSV in the worker and shows what it holds; on failure the data chosen before stays. */
  async chooseCsv(file) {
    if (this.#running) return;
    const source = { kind: 'file', file };
    this.#setRunning(true);
    show($('#data-error'), null);
    try {
      const info = await this.#client.load(source, (m) => this.#showParse(m));
      this.#setSource(source, info);
    } catch (err) {
      if (err.name !== 'AbortError') show($('#data-error'), `${err.message}. Nothing was loaded from it.`);
    } finally {
      $('#load-meter').hidden = true;
      this.#setRunning(false);
    }
  }

  /** Loads a model from .npy / .zip files; on failure the model in use stays. */
  async loadModel(files) {
    const box = $('#model-error');
    show(box, null);
    show($('#model-loaded'), null);
    const names = files.map((f) => f.name).join(', ');
    try {
      this.#useModel(await modelFilesFrom(files), 'files');
    } catch (err) {
      show(box, `${plainModelError(err.message)}. The model in use did not change.`);
      return;
    }
    show($('#model-loaded'), `Loaded ${names}.`);
    this.#say(`Model loaded from ${names}. The recogniser now uses it.`);
  }

  async start() {
    if (this.#running) return;
    show($('#train-error'), null);
    show($('#data-error'), null);
    let options;
    try {
      options = this.#readForm();
    } catch (err) {
      return show($('#train-error'), err.message);
    }
    this.#setRunning(true);
    $('#run').hidden = false;
    $('#results').hidden = true;
    this.#choice.clear();
    this.#revealRun();
    this.#chart.reset(options.epochs);
    this.#progress.cancel();
    this.#setBar($('#train-bar'), null);
    $('#train-text').textContent = 'Preparing the data…';
    this.#say('Training started.');
    const source = this.#source;
    try {
      if (this.#client.source !== source) {
        let info;
        try {
          info = await this.#client.load(source, (m) => this.#showParse(m));
        } catch (err) {
          if (err.name !== 'AbortError') show($('#data-error'), sentence(err.message));
          throw Object.assign(err, { shown: true });
        } finally {
          $('#load-meter').hidden = true;
        }
        this.#setSource(source, info);
        this.#revealRun(); // the data's summary above may have pushed them down
      }
      $('#train-text').textContent = 'Starting…';
      const inUse = this.#modelInUse();
      const result = await this.#client.train(options, (m) => this.#showProgress(m.progress), this.#currentModel());
      this.#finish(result, source, inUse);
    } catch (err) {
      this.#progress.cancel();
      if (err.name === 'AbortError') {
        $('#train-text').textContent = 'Cancelled. The model in use did not change.';
      } else {
        $('#train-text').textContent = 'Stopped. The model in use did not change.';
        if (!err.shown) show($('#train-error'), err.message);
      }
      this.#say($('#train-text').textContent);
      this.#setBar($('#train-bar'), 0);
    } finally {
      this.#setRunning(false);
    }
  }

  /** source: the data trained on, which fine-tuning the model mixes in later; inUse: the model in
   * use when the run started ({ name }), which result.compared measured on the same digits. */
  #finish(result, source, inUse) {
    this.#result = result;
    this.#progress.cancel();
    this.#setBar($('#train-bar'), 1);
    const { valAccuracy, validationCount, wrongCount, options, seconds } = result;
    $('#train-text').textContent = `Done: ${plural(options.epochs, 'epoch')} in ${seconds.toFixed(1)} s, ` +
      `${percent(valAccuracy)} of the validation digits right.`;
    this.#choice.offer({
      files: result.files, kind: 'trained', about: { accuracy: valAccuracy, data: source },
      name: `784-${options.hidden}-10, trained here`, accuracy: valAccuracy,
      inUse: { name: inUse.name, accuracy: result.compared }, count: validationCount,
      digits: source.kind === 'bundled' ? 'hold-out digits, which no training saw'
        : `validation digits of ${source.file.name}, set aside from this training`,
    });
    this.#say(`Training done: ${percent(valAccuracy)} of the validation digits right. ${this.#choice.text}`);
    $('#results-title').textContent = `Validation: ${percent(valAccuracy)} right`;
    $('#results-text').replaceChildren(...gloss(`${number(validationCount - wrongCount)} of ${number(validationCount)} ` +
      `validation digits right, ${number(wrongCount)} wrong, after ${plural(options.epochs, 'epoch')} of a ` +
      `784-${options.hidden}-10 network on ${number(result.trainCount)} training digits.`));
    this.#showConfusion(result.confusion);
    this.#showMistakes(result.misclassified, wrongCount);
    $('#results').hidden = false;
  }

  // ---- data ----

  #setSource(source, info) {
    this.#source = source;
    if (source.kind === 'bundled') {
      if (info) this.#bundledInfo = info;
      $('#data-name').innerHTML = this.#bundledHtml;
      $('#data-name .when').hidden = Boolean(info);
    } else {
      $('#data-name').replaceChildren(el('strong', source.file.name), `: ${formatBytes(source.file.size)}.`);
    }
    $('#use-bundled').hidden = source.kind === 'bundled';
    $('#data-summary').hidden = !info;
    if (info) this.#showSummary(info);
  }

  #showSummary(info) {
    $('#data-rows').textContent = info.validation === 'hold-out'
      ? `${number(info.count)} digits: ${number(info.trainCount)} to train on, ${number(info.validationCount)} held out to validate.`
      : `${number(info.count)} rows: ${number(info.trainCount)} to train on, ${number(info.validationCount)} ` +
        `(${Math.round(VALIDATION_FRACTION * 100)}% of each digit) set aside to validate.`;
    setCounts(this.#counts, info.perClass);
    const ink = inkColor($('#samples'));
    this.#samples.forEach((tile, i) => {
      const sample = info.samples[i];
      tile.figure.hidden = !sample;
      if (!sample) return;
      drawDigit(tile.canvas, sample.pixels, ink);
      tile.caption.textContent = sample.label ?? '?';
    });
  }

  #showParse({ part, name, bytes, total, rows, done }) {
    const meter = $('#load-meter');
    meter.hidden = false;
    this.#setBar($('#load-bar'), total ? bytes / total : null);
    const amount = total ? `${formatBytes(bytes)} of ${formatBytes(total)}` : formatBytes(bytes);
    $('#load-text').textContent = `${done ? 'Read' : 'Reading'} ${name}${part === 'validation' ? ' (validation)' : ''}: ` +
      `${amount}, ${number(rows)} rows`;
  }

  // ---- training ----

  // Throws, naming the first bad field, what it must hold and what it holds.
  #readForm() {
    const values = {};
    for (const [key, { min, max, label }] of Object.entries(TRAINING_LIMITS)) {
      const field = this.form.elements[key];
      const value = field.value.trim() === '' ? NaN : Number(field.value);
      try {
        values[key] = value;
        checkTrainingOptions({ [key]: value });
      } catch {
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-describedby', 'train-error');
        field.focus();
        const wanted = `${key === 'lr' ? 'a number' : 'a whole number'} from ${min} to ${max}`;
        const got = field.validity.badInput ? ': what it holds is not a number'
          : Number.isNaN(value) ? ': the field is empty' : `, not ${field.value.trim()}`;
        throw new Error(sentence(`${label} must be ${wanted}${got}`));
      }
    }
    values.augment = this.form.elements.augment.checked;
    values.outliers = this.form.elements.outliers.checked;
    return checkTrainingOptions(values);
  }

  #fillForm(values) {
    for (const [key, { min, max, step }] of Object.entries(TRAINING_LIMITS)) {
      const field = this.form.elements[key];
      Object.assign(field, { min, max, step: key === 'lr' ? 'any' : step, value: String(values[key]) });
      field.removeAttribute('aria-invalid');
      field.removeAttribute('aria-describedby');
    }
    this.form.elements.augment.checked = values.augment;
    this.form.elements.outliers.checked = values.outliers;
  }

  #showProgress(p) {
    if (!this.#running) return;
    if (p.recent) this.#chart.add(p.recent);
    if (p.epochDone) this.#chart.addEpoch({ epoch: p.epoch, valAccuracy: p.valAccuracy });
    this.#progress.show(p);
  }

  #renderProgress(q) {
    if (!this.#running) return;
    this.#setBar($('#train-bar'), q.step / q.steps);
    const parts = [
      `Epoch ${q.epoch} of ${q.epochs}`, `batch ${number(q.batch)} of ${number(q.batches)}`,
      `loss ${q.loss.toFixed(3)}`, `accuracy ${percent(q.accuracy)}`,
      `validation ${q.valAccuracy == null ? '–' : percent(q.valAccuracy)}`,
      `${number(Math.round(q.samplesPerSec))} samples/s`,
      q.eta == null ? '' : q.step === q.steps ? 'finishing' : `${formatDuration(q.eta)} left`,
    ];
    $('#train-text').textContent = parts.filter(Boolean).join(' · ');
  }

  // On a small screen the progress and the chart start below the window: bring them into view,
  // centred, with room for the progress line to grow.
  #revealRun() {
    const { top, bottom } = $('#run').getBoundingClientRect();
    if (top < 0 || bottom > innerHeight) $('#run').scrollIntoView({ block: 'center' });
  }

  #setRunning(running) {
    this.#running = running;
    $('#train-start').disabled = running;
    $('#train-cancel').disabled = !running;
    for (const field of this.form.querySelectorAll('.fields input, .check input')) field.disabled = running;
    $('#csv-file').disabled = running;
    $('#use-bundled').disabled = running;
    $('#csv-drop').classList.toggle('disabled', running);
    $('#train').classList.toggle('running', running);
  }

  #setBar(bar, fraction) {
    if (fraction == null) bar.removeAttribute('value');
    else bar.value = Math.min(1, Math.max(0, fraction));
  }

  // ---- results ----

  #showConfusion(matrix) {
    const most = Math.max(1, ...matrix.flatMap((row, r) => row.filter((_, c) => c !== r)));
    const diag = Math.max(1, ...matrix.map((row, r) => row[r]));
    matrix.forEach((row, r) => row.forEach((n, c) => {
      const cell = this.#confusion[r][c];
      cell.textContent = n ? String(n) : '';
      cell.style.setProperty('--a', (r === c ? 0.15 + (0.6 * n) / diag : n ? 0.2 + (0.6 * n) / most : 0).toFixed(3));
      cell.title = `true ${r}, said ${c}: ${n}`;
    }));
  }

  #showMistakes(mistakes, wrongCount) {
    $('#mistakes-title').textContent = wrongCount === 0 ? 'No validation digit was misclassified'
      : `Misclassified: ${mistakes.length < wrongCount ? `the first ${mistakes.length} of ${number(wrongCount)}` : number(wrongCount)}` +
        ' (true digit → what the network said)';
    const box = $('#mistakes');
    const ink = inkColor(box);
    box.replaceChildren(...mistakes.map((m) => {
      const tile = makeTile();
      drawDigit(tile.canvas, m.pixels, ink);
      tile.caption.textContent = `${m.label}→${m.predicted}`;
      tile.figure.title = `validation row ${m.index + 1}: a ${m.label}, read as ${m.predicted}`;
      return tile.figure;
    }));
  }

  #download() {
    if (!this.#result) return;
    download([zip(this.#result.files)], `digits-model-784-${this.#result.hidden}-10.zip`, 'application/zip');
  }

  // ---- drag and drop: CSV files to the data, .npy/.zip files to the model, wherever they land ----

  #acceptDrops() {
    const zones = [$('#csv-drop'), $('#model-drop')];
    const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes('Files');
    addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      zones.forEach((zone) => zone.classList.toggle('over', zone.contains(e.target)));
    });
    addEventListener('dragleave', (e) => {
      if (!e.relatedTarget) zones.forEach((zone) => zone.classList.remove('over'));
    });
    addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      zones.forEach((zone) => zone.classList.remove('over'));
      this.#route([...e.dataTransfer.files]);
    });
  }

  #route(files) {
    const model = files.filter((f) => /\.(npy|zip)$|^calibration\.txt$/i.test(f.name));
    const other = files.filter((f) => !model.includes(f));
    if (model.length && !other.length) return this.loadModel(model);
    if (other.length === 1 && !model.length) {
      if (this.#running) return show($('#data-error'), 'A run is in progress: cancel it, or wait, before choosing other data.');
      return this.chooseCsv(other[0]);
    }
    show($('#data-error'), 'Drop one CSV file (data), or the model files W1.npy, b1.npy, W2.npy, b2.npy (or a .zip of them).');
  }
}

// ---- building blocks ----

function makeTiles(box, n) {
  return Array.from({ length: n }, () => {
    const tile = makeTile();
    box.append(tile.figure);
    return tile;
  });
}

// An 11x11 table: a header row and column of digits, then the counts; returns the 10x10 cells.
function makeConfusion(table) {
  const head = table.createTHead().insertRow();
  head.append(el('th', ''));
  for (let c = 0; c < 10; c++) head.append(Object.assign(el('th', String(c)), { scope: 'col' }));
  const body = table.createTBody();
  return Array.from({ length: 10 }, (_, r) => {
    const row = body.insertRow();
    row.append(Object.assign(el('th', String(r)), { scope: 'row' }));
    return Array.from({ length: 10 }, (_, c) => {
      const cell = row.insertCell();
      cell.className = r === c ? 'right' : 'wrong';
      return cell;
    });
  });
}

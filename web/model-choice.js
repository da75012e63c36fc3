// model-choice.js: after a run (web/train-panel.js, web/teach-panel.js), the new model beside the
// model in use on the same held-out digits, and the choice between them. The recogniser switches to
// the new model by itself only when it reads at least as many of those digits right; otherwise the
// model in use stays and the new one is offered ("Use it anyway"). What it says follows the model
// in use as it changes later (switching back to the default, loading another), so it never claims
// a model is in use that is not.
//
//   const choice = new ModelChoice(box, { useModel, onModelChange, onError });   // box: an empty element
//   choice.offer({ files, kind, about, name, accuracy, inUse: { name, accuracy }, count, digits })
//     files, kind, about: for useModel(files, kind, about) (web/app.js); name: the new model's name;
//     accuracy, inUse.accuracy: each one's share of the `count` held-out digits right; digits: what
//     those digits are, as the table's caption says them ('hold-out digits, which no training saw')
//   choice.clear()
import { el, number, percent } from './ui.js';

export class ModelChoice {
  #useModel;
  #onError;
  #offer = null;   // { files, kind, about, worse }
  #version = null; // the new model's version while the recogniser uses it (see useModel)
  #table;
  #text = el('span');
  #button = el('button');

  constructor(box, { useModel, onModelChange, onError }) {
    this.#useModel = useModel;
    this.#onError = onError;
    this.#table = el('table');
    this.#table.className = 'compare';
    const line = el('p');
    line.className = 'choice-text';
    line.setAttribute('role', 'status');
    if (box.id) this.#button.id = `${box.id}-use`;
    this.#button.type = 'button';
    this.#button.className = 'link';
    this.#button.hidden = true;
    this.#button.addEventListener('click', () => this.#use());
    line.append(this.#text, ' ', this.#button);
    box.replaceChildren(this.#table, line);
    this.box = box;
    box.hidden = true;
    onModelChange(({ version }) => {
      if (this.#version !== null && version !== this.#version) this.#version = null;
      this.#show();
    });
  }

  /** Shows the two models side by side and switches to the new one if it is at least as good. */
  offer({ files, kind, about, name, accuracy, inUse, count, digits }) {
    const right = Math.round(accuracy * count), rightInUse = Math.round(inUse.accuracy * count);
    this.#offer = { files, kind, about, worse: right < rightInUse };
    this.#version = null;
    const row = (cells, tag = 'td') => {
      const tr = el('tr');
      tr.append(...cells.map((text, i) => Object.assign(el(i ? tag : 'th', text), i ? {} : { scope: 'row' })));
      return tr;
    };
    this.#table.replaceChildren(el('caption', `Read right of the same ${number(count)} ${digits}:`), el('tbody'));
    this.#table.tBodies[0].append(
      row([`new: ${name}`, `${percent(accuracy)} (${number(right)})`]),
      row([`in use when it started: ${inUse.name}`, `${percent(inUse.accuracy)} (${number(rightInUse)})`]));
    this.box.hidden = false;
    if (!this.#offer.worse) this.#use();
    this.#show();
  }

  clear() {
    this.#offer = null;
    this.#version = null;
    this.box.hidden = true;
  }

  /** What the choice says now: the new model in use, or why not, and the button to use it. */
  get text() {
    return `${this.#text.textContent}${this.#button.hidden ? '' : ` ${this.#button.textContent}`}`;
  }

  #use() {
    const offer = this.#offer;
    if (!offer) return;
    try {
      this.#version = this.#useModel(offer.files, offer.kind, offer.about);
    } catch (err) {
      this.#onError(`The new model could not be used: ${err.message}`);
    }
    this.#show();
  }

  #show() {
    const offer = this.#offer;
    if (!offer) return;
    const using = this.#version !== null;
    this.#text.textContent = using
      ? (offer.worse ? 'The recogniser above uses the new model, as you chose.'
        : 'It reads at least as many of them right, so the recogniser above now uses it.')
      : offer.used ? 'The recogniser above uses another model now.'
        : 'The model in use reads more of them right, so it stays in use.';
    offer.used ||= using;
    this.#button.hidden = using;
    this.#button.textContent = offer.used ? 'Use the new model again' : 'Use the new model anyway';
  }
}

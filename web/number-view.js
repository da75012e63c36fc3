// number-view.js: a number on the pad. When the pad holds more than one digit (web/strokes.js
// segmentStrokes), the page reads them all in one call and this view shows each: a box around it on
// the pad, and a button with the 28x28 image the network saw, the digit it read and how sure it is.
// One digit is selected, the last one drawn unless the person picks another (its button, or a tap on
// its box on the pad): the page's bars, its "what it sees" image and the teaching keys are about
// that one.
//
//   const view = new NumberView({ list, boxes, onSelect })   // list: an <ol>; boxes: the overlay on the pad
//   view.selected(count, strokeCount, last)  // -> the index to show: the picked one while the strokes
//                                             // stay as they were, else `last` (the last drawn)
//   view.show(digits, selected, strokeCount)  // digits: [{ x, box (pad units), digit, probability, isDigit }]
//                                             // (isDigit false: shown faintly, as a best guess)
//   view.at({ x, y })                         // -> the index of the shown digit whose box holds the
//                                             // point (pad units), or -1: a tap there picks it
//   view.shown                                // whether a number is shown
//   view.hide()
import { drawDigit, el, inkColor } from './ui.js';

const PEN_MARGIN = 0.045; // the pad's pen reaches this far beyond a stroke's points (pad units)

export class NumberView {
  #list;
  #boxes;
  #onSelect;
  #items = [];   // [{ item, button, prefix, canvas, digit, confidence, box }], reused from frame to frame
  #picked = null; // { index, strokeCount }: the digit the person picked, while the strokes stay
  #shownBoxes = [];   // the shown digits' boxes, pad units
  #ink = null;

  constructor({ list, boxes, onSelect }) {
    this.#list = list;
    this.#boxes = boxes;
    this.#onSelect = onSelect;
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => { this.#ink = null; });
  }

  get shown() { return !this.#list.hidden; }

  /** The digit to show, of `count`: the one picked while the strokes are as they were, else `last`. */
  selected(count, strokeCount, last) {
    const picked = this.#picked;
    if (picked && picked.strokeCount === strokeCount && picked.index < count) return picked.index;
    this.#picked = null;
    return Math.min(Math.max(0, last), count - 1);
  }

  /** Picks digit `index` (the strokes being strokeCount many), and tells the page. */
  pick(index, strokeCount) {
    this.#picked = { index, strokeCount };
    this.#onSelect(index);
  }

  /** The index of the shown digit whose box on the pad (as drawn, pen included) holds p, or -1. */
  at(p) {
    if (!this.shown) return -1;
    return this.#shownBoxes.findIndex(({ x0, y0, x1, y1 }) =>
      p.x >= x0 - PEN_MARGIN && p.x <= x1 + PEN_MARGIN && p.y >= y0 - PEN_MARGIN && p.y <= y1 + PEN_MARGIN);
  }

  show(digits, selected, strokeCount) {
    this.#ink ??= inkColor(this.#list);
    this.#shownBoxes = digits.map((d) => d.box);
    while (this.#items.length < digits.length) this.#items.push(this.#make(this.#items.length));
    this.#items.forEach((it, i) => {
      const d = digits[i];
      it.item.hidden = it.box.hidden = !d;
      if (!d) return;
      it.strokeCount = strokeCount;
      // a digit the stroke being drawn did not touch keeps its image and its box from the last frame
      let changed = it.ink !== this.#ink;
      for (let k = 0; k < 784; k++) {
        const v = Math.round(d.x[k] * 255);
        if (it.pixels[k] !== v) { it.pixels[k] = v; changed = true; }
      }
      if (changed) drawDigit(it.canvas, it.pixels, this.#ink);
      it.ink = this.#ink;
      // shown on every frame while a number is drawn: the page is written only where it changes
      const digit = String(d.digit), confidence = `${Math.round(Math.min(d.probability, 0.99) * 100)}%`;
      if (it.digit.textContent !== digit) it.digit.textContent = digit;
      if (it.confidence.textContent !== confidence) it.confidence.textContent = confidence;
      it.button.classList.toggle('not-digit', d.isDigit === false);
      // a screen reader hears a best guess as one, not as a digit read
      const prefix = `Digit ${i + 1}: ${d.isDigit === false ? 'no digit, best guess ' : ''}`;
      if (it.prefix.textContent !== prefix) it.prefix.textContent = prefix;
      if (it.button.getAttribute('aria-pressed') !== String(i === selected)) it.button.setAttribute('aria-pressed', String(i === selected));
      const { x0, y0, x1, y1 } = d.box, was = it.shownBox;
      // pad units are the pad's height, across as down (web/pad.js): cqh of the boxes' overlay
      if (!was || was.x0 !== x0 || was.y0 !== y0 || was.x1 !== x1 || was.y1 !== y1) {
        it.shownBox = { x0, y0, x1, y1 };
        Object.assign(it.box.style, {
          left: `${(x0 - PEN_MARGIN) * 100}cqh`, top: `${(y0 - PEN_MARGIN) * 100}cqh`,
          width: `${(x1 - x0 + 2 * PEN_MARGIN) * 100}cqh`, height: `${(y1 - y0 + 2 * PEN_MARGIN) * 100}cqh`,
        });
      }
      it.box.classList.toggle('selected', i === selected);
    });
    this.#list.hidden = this.#boxes.hidden = false;
  }

  hide() {
    if (this.shown || !this.#boxes.hidden) this.#list.hidden = this.#boxes.hidden = true; // runs every frame: write only a change
    this.#picked = null;
  }

  #make(index) {
    const item = el('li');
    const button = el('button');
    button.type = 'button';
    const canvas = el('canvas');
    canvas.width = canvas.height = 28;
    canvas.setAttribute('aria-hidden', 'true');
    const digit = el('span');
    digit.className = 'number-digit';
    const confidence = el('span');
    confidence.className = 'number-confidence';
    // read as "Digit 1: 2, 99% sure" (or "Digit 1: no digit, best guess 2, 40% sure")
    const hidden = (text) => Object.assign(el('span', text), { className: 'sr-only' });
    const prefix = hidden(`Digit ${index + 1}: `);
    button.append(canvas, prefix, digit, hidden(', '), confidence, hidden(' sure'));
    item.append(button);
    this.#list.append(item);
    const box = el('div');
    box.className = 'number-box';
    this.#boxes.append(box);
    // pixels, ink, shownBox: what its image and its box on the pad show, to write only a change
    const it = { item, button, prefix, canvas, digit, confidence, box, strokeCount: 0, pixels: new Uint8ClampedArray(784), ink: null, shownBox: null };
    button.addEventListener('click', () => this.pick(index, it.strokeCount));
    return it;
  }
}

// ui.js: small DOM building blocks shared by the page (web/app.js) and its panels
// (web/train-panel.js, web/teach-panel.js): elements, messages and glosses of jargon, numbers and sizes, digit tiles and
// drawing, bars of counts per digit, downloads, and progress shown at most once a frame.

export const $ = (selector) => document.querySelector(selector);
export const number = (n) => n.toLocaleString('en-US');
export const percent = (p, digits = 1) => `${(p * 100).toFixed(digits)}%`;

export function el(tag, text) {
  const node = document.createElement(tag);
  if (text != null) node.textContent = text;
  return node;
}

/** A message as a sentence: a capital first letter and a full stop. */
export function sentence(text) {
  const t = text.trim();
  return `${t[0].toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? '' : '.'}`;
}

// Words a newcomer may not know, and what they mean (shown on hover and to screen readers).
const GLOSSES = [
  [/\b784-(\d+)-10\b/, (m) => `784 inputs (the 28×28 pixels), ${m[1]} hidden units, 10 outputs (one per digit)`],
  [/\bhold-out\b/, () => 'the held-out digits: set aside, never trained on, to measure it fairly'],
  [/\bvalidation\b/, () => 'measured on digits set aside, never trained on'],
];

/** text as nodes for an element: the first network shape and bit of jargon of each kind in it an
 * <abbr> that explains it. */
export function gloss(text) {
  const nodes = [];
  let rest = text;
  let glosses = GLOSSES;
  for (;;) {
    const hits = glosses.map((g) => [rest.match(g[0]), g]).filter(([m]) => m);
    if (!hits.length) break;
    const [m, g] = hits.reduce((a, b) => (b[0].index < a[0].index ? b : a));
    const abbr = el('abbr', m[0]);
    abbr.title = g[1](m);
    nodes.push(rest.slice(0, m.index), abbr);
    rest = rest.slice(m.index + m[0].length);
    glosses = glosses.filter((other) => other !== g);
  }
  nodes.push(rest);
  return nodes.filter((n) => n !== '');
}

/** Shows a message in box, or hides the box when message is empty. */
export function show(box, message) {
  box.hidden = !message;
  box.textContent = message ?? '';
}

/** Ten bars in list (an <ol>), one per digit: { row, fill, value } to update in place (setCounts). */
export function makeCounts(list) {
  return Array.from({ length: 10 }, (_, digit) => {
    const row = el('li');
    row.innerHTML = '<span class="value"></span><span class="track"><span class="fill"></span></span>' +
      `<span class="label">${digit}</span>`;
    list.append(row);
    return { row, fill: row.querySelector('.fill'), value: row.querySelector('.value') };
  });
}

export function setCounts(bars, perClass) {
  const most = Math.max(1, ...perClass);
  bars.forEach((bar, digit) => {
    const n = perClass[digit];
    bar.fill.style.height = `${(100 * n) / most}%`;
    bar.value.textContent = n >= 10000 ? `${Math.round(n / 1000)}k` : String(n); // narrow columns: no commas
    bar.row.title = `${number(n)} × ${digit}`;
  });
}

/** A figure with a 28x28 canvas and a caption. */
export function makeTile(tag = 'figure') {
  const figure = el(tag);
  const canvas = el('canvas');
  canvas.width = canvas.height = 28;
  const caption = el('figcaption');
  figure.append(canvas, caption);
  return { figure, canvas, caption };
}

/** The page's ink colour (its --ink custom property at node) as [r, g, b]. */
export function inkColor(node) {
  const m = getComputedStyle(node).getPropertyValue('--ink').match(/[\da-f]{2}/gi);
  return m && m.length >= 3 ? m.slice(0, 3).map((h) => parseInt(h, 16)) : [24, 24, 28];
}

/** 784 pixels (0..255) as ink on a transparent 28x28 canvas (CSS gives it paper and scales it up). */
export function drawDigit(canvas, pixels, ink) {
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(28, 28);
  const { data } = image, [r, g, b] = ink;
  for (let i = 0, p = 0; i < 784; i++, p += 4) { // plain writes: the page draws these on every frame of a number
    data[p] = r;
    data[p + 1] = g;
    data[p + 2] = b;
    data[p + 3] = pixels[i];
  }
  ctx.putImageData(image, 0, 0);
}

/** Offers bytes (a Blob's parts) as a file download named `name`. */
export function download(parts, name, type) {
  const link = el('a');
  link.href = URL.createObjectURL(new Blob(parts, { type }));
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** A size in bytes as people read it: "512 B", "38 kB", "1.5 MB". */
export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Shows the newest of many updates at most once an animation frame: show(value) asks for it,
 * render(value) draws it at the next frame; cancel() drops what is waiting.
 */
export function everyFrame(render) {
  let latest = null, frame = 0;
  return {
    show(value) {
      latest = value;
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        const value = latest;
        latest = null;
        if (value) render(value);
      });
    },
    cancel() {
      cancelAnimationFrame(frame);
      frame = 0;
      latest = null;
    },
  };
}

export function plural(n, word) {
  return `${number(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function formatDuration(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

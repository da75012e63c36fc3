#!/usr/bin/env node
// numbers.mjs: does the page read whole numbers? Numbers of 2 to 6 digits built from the hold-out
// digits (data/holdout.csv, never trained on) as strokes (tests/wasm/stroked.mjs: thinned to their
// centre lines, traced), each digit at its own random size, baseline and slant, with random gaps,
// written on a pad three times as wide as tall and sampled as a pointer reports them (a point every
// 3 CSS px, at whole pixels, on a 900x300 px pad). Read by the default model through
//   - the page's path: segmentStrokes then renderStrokes (web/strokes.js), one predictBatch call;
//   - the image path: the strokes painted on a 900x300 image (a pen a tenth of the digits' height),
//     segment (web/preprocess.js), one predictBatch call.
// Two sets: "separate" (gaps of 0.1 to 0.6 of the digits' height between the ink of neighbours)
// and "touching" (neighbours' ink boxes overlap by 0 to 0.15 of the height). A number is read right
// when it is cut into as many digits as it has and each reads right; a digit is read right when
// its number was cut into the right count and it reads right. Seeded: the same run, the same table.
//
//   node scripts/bench/numbers.mjs [--count N per length and set] [--seed S] [--lengths 2,3,...]
import path from 'node:path';
import { createRecognizer, readCsv, root } from '../../tests/wasm/load.mjs';
import { digitStrokes, makeRng } from '../../tests/wasm/stroked.mjs';
import { toImageData } from '../../tests/wasm/drawn.mjs';
import { segment } from '../../web/preprocess.js';
import { rasterise, renderStrokes, segmentStrokes } from '../../web/strokes.js';

export const LENGTHS = [2, 3, 4, 5, 6];
const PAD_W = 900, PAD_H = 300; // CSS px; pad units are CSS px / PAD_H (height 1, width 3)
const STEP = 3; // CSS px between pointer events

/** Random numbers of `length` hold-out digits: [{ labels, strokes (pad units) }]. */
export function makeNumbers({ digits, length, count, touching, rng }) {
  const numbers = [];
  for (let n = 0; n < count; n++) {
    const picks = Array.from({ length }, () => digits[Math.floor(rng() * digits.length)]);
    const base = 0.3 + rng() * 0.4; // the number's height, pad units
    let cursor = 0;
    const placed = picks.map(({ strokes }) => {
      const height = base * (0.75 + rng() * 0.5);
      const slant = -0.1 + rng() * 0.35; // x moves by -slant * y: a forward slant when positive
      const drop = (rng() - 0.5) * 0.16 * base; // the baseline's wander
      const gap = touching ? -rng() * 0.15 * base : (0.1 + rng() * 0.5) * base;
      const shaped = shape(strokes, height, slant);
      const box = boxOf(shaped);
      const dx = (cursor === 0 ? 0 : cursor + gap) - box.x0, dy = -box.y1 + drop;
      cursor = box.x1 + dx;
      return shaped.map((s) => s.map(([x, y]) => [x + dx, y + dy]));
    });
    // fit the number on the pad: a margin of 0.05, scaled down if it is too wide
    const all = placed.flat();
    const box = boxOf(placed.flat(1));
    const scale = Math.min(1, (PAD_W / PAD_H - 0.1) / (box.x1 - box.x0), 0.9 / (box.y1 - box.y0));
    const ox = 0.05 + rng() * Math.max(0, PAD_W / PAD_H - 0.1 - (box.x1 - box.x0) * scale);
    const oy = 0.05 + rng() * Math.max(0, 0.9 - (box.y1 - box.y0) * scale);
    void all;
    const strokes = placed.flat(1).map((s) => sample(s.map(([x, y]) => [(x - box.x0) * scale + ox, (y - box.y0) * scale + oy])));
    numbers.push({ labels: picks.map((d) => d.label), strokes });
  }
  return numbers;
}

// Strokes in 28 px units -> `height` tall (centre lines), slanted, top-left at the origin.
function shape(strokes, height, slant) {
  const b = boxOf(strokes);
  const s = height / Math.max(b.y1 - b.y0, 1e-9);
  return strokes.map((st) => st.map(([x, y]) => {
    const py = (y - b.y0) * s;
    return [(x - b.x0) * s - slant * (py - height / 2), py];
  }));
}

function boxOf(strokes) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const s of strokes) for (const [x, y] of s) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { x0, y0, x1, y1 };
}

// A point every STEP CSS px along the polyline, at whole CSS pixels, as pad points { x, y }.
function sample(points) {
  const px = points.map(([x, y]) => [x * PAD_H, y * PAD_H]);
  const out = [px[0]];
  let carry = 0;
  for (let i = 1; i < px.length; i++) {
    const [ax, ay] = px[i - 1], [bx, by] = px[i];
    const d = Math.hypot(bx - ax, by - ay);
    let t = STEP - carry;
    while (t <= d) {
      out.push([ax + ((bx - ax) * t) / d, ay + ((by - ay) * t) / d]);
      t += STEP;
    }
    carry = d - (t - STEP);
  }
  out.push(px[px.length - 1]);
  return out.map(([x, y]) => ({ x: Math.round(x) / PAD_H, y: Math.round(y) / PAD_H }));
}

/** The strokes painted on a PAD_W x PAD_H image with a pen a tenth of the digits' height. */
export function numberImage(strokes, height) {
  const cover = rasterise(strokes, new Float32Array(PAD_W * PAD_H), PAD_W, PAD_H,
    { scale: PAD_H, dx: 0, dy: 0, radius: Math.max(1.5, (0.1 * height * PAD_H) / 2) });
  return toImageData(cover, PAD_W, PAD_H, 'black-on-white', [0, 0, 0]);
}

/** Reads the numbers through both paths: { strokes: tally, image: tally }, tally per length. */
export function readNumbers(rec, numbers) {
  const tally = () => ({ numbers: 0, exact: 0, counted: 0, digits: 0, right: 0 });
  const out = { strokes: tally(), image: tally() };
  for (const { labels, strokes } of numbers) {
    const groups = segmentStrokes(strokes);
    score(out.strokes, labels, rec.predictBatch(groups.map((g) => renderStrokes(g.strokes))));
    const height = Math.max(...groups.map((g) => g.box.y1 - g.box.y0), 0.1);
    score(out.image, labels, rec.predictBatch(segment(numberImage(strokes, height)).map((d) => d.x)));
  }
  return out;
}

function score(t, labels, results) {
  t.numbers++;
  t.digits += labels.length;
  if (results.length !== labels.length) return;
  t.counted++;
  const right = results.filter((r, i) => r.digit === labels[i]).length;
  t.right += right;
  if (right === labels.length) t.exact++;
}

async function main() {
  const args = process.argv.slice(2);
  const option = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const count = option('count', 1000), seed = option('seed', 1);
  const lengths = args.includes('--lengths') ? args[args.indexOf('--lengths') + 1].split(',').map(Number) : LENGTHS;
  const rows = readCsv(path.join(root, 'data', 'holdout.csv'));
  const digits = rows.map(({ label, pixels }) => ({ label, strokes: digitStrokes(pixels) }));
  const rec = await createRecognizer();
  const pct = (a, b) => `${((100 * a) / b).toFixed(2)}%`;
  console.log(`${count} numbers of each length from the ${digits.length} hold-out digits, seed ${seed}\n`);
  console.log('| set | digits | path | read exactly | cut into the right count | digits read right |');
  console.log('|---|---:|---|---:|---:|---:|');
  for (const touching of [false, true]) {
    for (const length of lengths) {
      const numbers = makeNumbers({ digits, length, count, touching, rng: makeRng(seed * 1000 + length + (touching ? 100 : 0)) });
      const r = readNumbers(rec, numbers);
      for (const [name, t] of [['strokes (the page)', r.strokes], ['image (segment)', r.image]]) {
        console.log(`| ${touching ? 'touching' : 'separate'} | ${length} | ${name} | ${pct(t.exact, t.numbers)} | ${pct(t.counted, t.numbers)} | ${pct(t.right, t.digits)} |`);
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

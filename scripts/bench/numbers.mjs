#!/usr/bin/env node
// numbers.mjs: does the page read whole numbers? Numbers of 2 to 6 digits built from the hold-out
// digits (data/holdout.csv, never trained on), each digit at its own random size (0.75 to 1.25 of
// the number's height, itself 0.3 to 0.7 of the pad), baseline (+-8% of the height) and slant (a
// shear of up to 0.15 either way, on top of the writer's own), with random gaps, on a pad three
// times as wide as tall (900x300 CSS px); these ranges are STYLE, and --style wide draws another
// hand (WIDE). Two instruments:
//   - pixels: each digit's 28x28 pixels upscaled onto the pad (bilinear, a soft pen edge, as
//     tests/wasm/drawn.mjs draws one digit), read by segment (web/preprocess.js);
//   - strokes: each digit thinned to its centre lines and traced (tests/wasm/stroked.mjs), sampled
//     as a pointer reports them (a point every 3 CSS px, at whole pixels), read as the page reads
//     them: segmentStrokes, renderStrokes (web/strokes.js). Tracing loses some digits' shape: one
//     digit alone reads about 2 points worse this way than from its pixels.
// Both read every number with one predictBatch call of the default model (--model: another). Two sets: "separate"
// (gaps of 0.1 to 0.6 of the height between neighbours' ink boxes) and "touching" (neighbours'
// boxes overlap by 0 to 0.15 of the height). A number is read exactly when it is cut into as many
// digits as it has and each reads right; a digit is read right when its number was cut into the
// right count and it reads right (the last column: of the digits of numbers cut right). Seeded: the same command gives the same table.
//
// The network chooses the cuts of touching digits (groups.js chooseRuns), as on the page; with
// --shape-only the cuts are made by shape alone.
//
//   node scripts/bench/numbers.mjs [--count N per length and set] [--seed S] [--lengths 2,3,...]
//                                  [--sets separate,touching] [--shape-only]
//                                  [--paths pixels,strokes] [--style default|wide]
//                                  [--joined: the strokes' numbers written without lifting the pen]
//                                  [--model DIR: another model than model/, with its calibration.txt]
import path from 'node:path';
import { createRecognizer, readCsv, root } from '../../tests/wasm/load.mjs';
import { digitStrokes, makeRng, resample } from '../../tests/wasm/stroked.mjs';
import { bilinear, digitBox, smoothstep, toImageData } from '../../tests/wasm/drawn.mjs';
import { segment } from '../../web/preprocess.js';
import { renderStrokes, segmentStrokes } from '../../web/strokes.js';

export const LENGTHS = [2, 3, 4, 5, 6];
const PAD_W = 900, PAD_H = 300; // CSS px; pad units are CSS px / PAD_H (height 1, width 3)
const STEP = 3; // CSS px between pointer events
// How numbers are drawn (--style wide switches to WIDE): the number's height (pad units), each digit's
// size (a share of it), the largest shear added to a digit's own slant either way (0.15: 8.5
// degrees), the baseline's wander (a share of the height, either way), and the gaps between
// neighbours' ink boxes (separate) and their overlap (touching), shares of the height.
export const STYLE = { height: [0.3, 0.7], size: [0.75, 1.25], slant: 0.15, drop: 0.08, gap: [0.1, 0.6], touch: [0, 0.15] };
// Another hand: smaller and larger numbers, more varied sizes, more slant, tighter and wider gaps,
// deeper overlaps.
export const WIDE = { height: [0.2, 0.85], size: [0.6, 1.4], slant: 0.3, drop: 0.15, gap: [0.04, 0.9], touch: [0, 0.25] };
const pick = (rng, [lo, hi]) => lo + rng() * (hi - lo);

/**
 * Random numbers of `length` hold-out digits: [{ labels, strokes (pad units), owners (each stroke's
 * digit) }]; with `joined`, written without lifting the pen between digits.
 */
export function makeNumbers({ digits, length, count, touching, rng, style = STYLE, joined = false }) {
  const numbers = [];
  for (let n = 0; n < count; n++) {
    const picks = Array.from({ length }, () => digits[Math.floor(rng() * digits.length)]);
    const base = pick(rng, style.height); // the number's height, pad units
    let cursor = 0;
    const placed = picks.map(({ strokes }) => {
      const height = base * pick(rng, style.size);
      const slant = (rng() - 0.5) * 2 * style.slant; // x moves by -slant * y: a forward slant when positive
      const drop = (rng() - 0.5) * 2 * style.drop * base; // the baseline's wander
      const gap = (touching ? -pick(rng, style.touch) : pick(rng, style.gap)) * base;
      const shaped = shape(strokes, height, slant);
      const box = boxOf(shaped);
      const dx = (cursor === 0 ? 0 : cursor + gap) - box.x0, dy = -box.y1 + drop;
      cursor = box.x1 + dx;
      return shaped.map((s) => s.map(([x, y]) => [x + dx, y + dy]));
    });
    // fit the number on the pad: a margin of 0.05, scaled down if it is too wide
    const box = boxOf(placed.flat(1));
    const scale = Math.min(1, (PAD_W / PAD_H - 0.1) / (box.x1 - box.x0), 0.9 / (box.y1 - box.y0));
    const ox = 0.05 + rng() * Math.max(0, PAD_W / PAD_H - 0.1 - (box.x1 - box.x0) * scale);
    const oy = 0.05 + rng() * Math.max(0, 0.9 - (box.y1 - box.y0) * scale);
    // with `joined`, the pen is not lifted between digits: each digit's last stroke runs on, by a
    // straight line, into the next digit's first (that stroke counts as the earlier digit's)
    const lines = [], owners = [];
    placed.forEach((shaped, i) => shaped.forEach((s, k) => {
      if (joined && i > 0 && k === 0) lines[lines.length - 1] = lines[lines.length - 1].concat(s);
      else { lines.push(s); owners.push(i); }
    }));
    const strokes = lines.map((s) => sample(s.map(([x, y]) => [(x - box.x0) * scale + ox, (y - box.y0) * scale + oy])));
    numbers.push({ labels: picks.map((d) => d.label), strokes, owners });
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
  return resample(points.map(([x, y]) => [x * PAD_H, y * PAD_H]), STEP).map(([x, y]) => ({ x: Math.round(x) / PAD_H, y: Math.round(y) / PAD_H }));
}

/**
 * Random numbers of `length` hold-out digits drawn from their pixels (as tests/wasm/drawn.mjs draws
 * one digit: bilinear upscaling, a soft pen edge at half the grey ramp), at the same random sizes,
 * slants, baselines and gaps as makeNumbers: [{ labels, image }] on a PAD_W x PAD_H pad.
 */
export function makePixelNumbers({ rows, length, count, touching, rng, style = STYLE }) {
  const numbers = [];
  for (let n = 0; n < count; n++) {
    const picks = Array.from({ length }, () => rows[Math.floor(rng() * rows.length)]);
    const base = pick(rng, style.height);
    let cursor = 0;
    // each digit: pad units of the number = (u - b.x0) * s - slant * (py - height / 2) + dx, py + dy
    const maps = picks.map(({ pixels }) => {
      const digit = Float32Array.from(pixels, (v) => v / 255);
      const b = digitBox(digit);
      const height = base * pick(rng, style.size);
      const slant = (rng() - 0.5) * 2 * style.slant;
      const drop = (rng() - 0.5) * 2 * style.drop * base;
      const gap = (touching ? -pick(rng, style.touch) : pick(rng, style.gap)) * base;
      const s = height / (b.y1 - b.y0);
      const w = (b.x1 - b.x0) * s;
      const left = Math.min(-slant * (-height / 2), -slant * (height / 2));
      const right = w + Math.max(-slant * (-height / 2), -slant * (height / 2));
      const dx = (cursor === 0 ? 0 : cursor + gap) - left, dy = -height + drop;
      cursor = right + dx;
      return { digit, b, s, slant, height, dx, dy };
    });
    const bx0 = Math.min(...maps.map((m) => m.dx - Math.abs(m.slant) * m.height)), bx1 = cursor;
    const by0 = Math.min(...maps.map((m) => m.dy)), by1 = Math.max(...maps.map((m) => m.dy + m.height));
    const scale = Math.min(1, (PAD_W / PAD_H - 0.1) / (bx1 - bx0), 0.9 / (by1 - by0));
    const ox = 0.05 + rng() * Math.max(0, PAD_W / PAD_H - 0.1 - (bx1 - bx0) * scale);
    const oy = 0.05 + rng() * Math.max(0, 0.9 - (by1 - by0) * scale);
    const place = { bx0, by0, scale, ox, oy };
    const cover = new Float32Array(PAD_W * PAD_H);
    for (const m of maps) paintDigit(cover, m, place);
    // each digit drawn alone where it stands in the number, on request (for checking what a cut gives)
    const alone = (i) => toImageData(paintDigit(new Float32Array(PAD_W * PAD_H), maps[i], place), PAD_W, PAD_H, 'black-on-white', [0, 0, 0]);
    numbers.push({ labels: picks.map((d) => d.label), image: toImageData(cover, PAD_W, PAD_H, 'black-on-white', [0, 0, 0]), alone });
  }
  return numbers;
}

// Paints one digit of makePixelNumbers (m: its map into the number, place: the number's on the pad)
// onto cover, keeping the darker ink where digits meet; returns cover.
function paintDigit(cover, m, { bx0, by0, scale, ox, oy }) {
  // the pad pixels this digit can reach, then each one mapped back into the digit's 28x28
  const X0 = ((m.dx - Math.abs(m.slant) * m.height - bx0) * scale + ox) * PAD_H, X1 = ((m.dx + (m.b.x1 - m.b.x0 + 1) * m.s + Math.abs(m.slant) * m.height - bx0) * scale + ox) * PAD_H;
  const Y0 = ((m.dy - m.s - by0) * scale + oy) * PAD_H, Y1 = ((m.dy + m.height + m.s - by0) * scale + oy) * PAD_H;
  for (let py = Math.max(0, Math.floor(Y0)); py < Math.min(PAD_H, Math.ceil(Y1)); py++) {
    const y = ((py + 0.5) / PAD_H - oy) / scale + by0 - m.dy; // the digit's py
    const v = y / m.s + m.b.y0 - 0.5;
    for (let px = Math.max(0, Math.floor(X0)); px < Math.min(PAD_W, Math.ceil(X1)); px++) {
      const x = ((px + 0.5) / PAD_H - ox) / scale + bx0 - m.dx + m.slant * (y - m.height / 2);
      const u = x / m.s + m.b.x0 - 0.5;
      const ink = smoothstep(0.35, 0.65, bilinear(m.digit, u, v));
      if (ink > cover[py * PAD_W + px]) cover[py * PAD_W + px] = ink;
    }
  }
  return cover;
}

/** Reads numbers drawn as strokes (makeNumbers) as the page does (the network choosing the cuts unless `shapeOnly`): a tally. */
export function readNumbers(rec, numbers, { shapeOnly = false } = {}) {
  const t = tally();
  const read = shapeOnly ? null : (xs) => rec.predictBatch(xs);
  for (const { labels, strokes } of numbers) {
    score(t, labels, rec.predictBatch(segmentStrokes(strokes, { read }).map((g) => renderStrokes(g.strokes))));
  }
  return t;
}

/** Reads numbers drawn from pixels (makePixelNumbers) through segment (the network choosing the cuts unless `shapeOnly`): a tally. */
export function readPixelNumbers(rec, numbers, { shapeOnly = false } = {}) {
  const t = tally();
  const read = shapeOnly ? null : (xs) => rec.predictBatch(xs);
  for (const { labels, image } of numbers) score(t, labels, rec.predictBatch(segment(image, { read }).map((d) => d.x)));
  return t;
}

function tally() {
  return { numbers: 0, exact: 0, counted: 0, digits: 0, right: 0, countedDigits: 0 };
}

function score(t, labels, results) {
  t.numbers++;
  t.digits += labels.length;
  if (results.length !== labels.length) return;
  t.counted++;
  t.countedDigits += labels.length;
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
  const sets = args.includes('--sets') ? args[args.indexOf('--sets') + 1].split(',') : ['separate', 'touching'];
  const shapeOnly = args.includes('--shape-only'), joined = args.includes('--joined');
  const paths = args.includes('--paths') ? args[args.indexOf('--paths') + 1].split(',') : ['pixels', 'strokes'];
  const style = args.includes('--style') && args[args.indexOf('--style') + 1] === 'wide' ? WIDE : STYLE;
  const rows = readCsv(path.join(root, 'data', 'holdout.csv'));
  const digits = rows.map(({ label, pixels }) => ({ label, strokes: digitStrokes(pixels) }));
  const modelDir = args.includes('--model') ? path.resolve(args[args.indexOf('--model') + 1]) : path.join(root, 'model');
  const rec = await createRecognizer(modelDir);
  const pct = (a, b) => `${((100 * a) / b).toFixed(2)}%`;
  console.log(`${count} numbers of each length from the ${digits.length} hold-out digits, seed ${seed}, style ${JSON.stringify(style)}, model ${path.relative(root, modelDir) || '.'}\n`);
  console.log('| set | digits | path | read exactly | cut into the right count | digits read right | … of the numbers cut right |');
  console.log('|---|---:|---|---:|---:|---:|---:|');
  for (const touching of [false, true].filter((t) => sets.includes(t ? 'touching' : 'separate'))) {
    for (const length of lengths) {
      const rng = () => makeRng(seed * 1000 + length + (touching ? 100 : 0));
      const rowsOut = [];
      if (paths.includes('pixels')) rowsOut.push(['pixels, segment', readPixelNumbers(rec, makePixelNumbers({ rows, length, count, touching, rng: rng(), style }), { shapeOnly })]);
      if (paths.includes('strokes')) rowsOut.push(['strokes, segmentStrokes (the page)', readNumbers(rec, makeNumbers({ digits, length, count, touching, rng: rng(), style, joined }), { shapeOnly })]);
      for (const [name, t] of rowsOut) {
        console.log(`| ${touching ? 'touching' : 'separate'} | ${length} | ${name} | ${pct(t.exact, t.numbers)} | ${pct(t.counted, t.numbers)} | ${pct(t.right, t.digits)} | ${pct(t.right, t.countedDigits)} |`);
      }
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

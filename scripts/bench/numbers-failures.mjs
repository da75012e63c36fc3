#!/usr/bin/env node
// numbers-failures.mjs: where a path misreads numbers: the strokes' (segmentStrokes, the page's) or,
// with --paths pixels, the pixels' (segment). Each number of scripts/bench/numbers.mjs is read as
// that path reads it, and each number not read exactly is put in one class:
//   split:   a digit's ink went to two or more digits read (which digit: by label)
//   merged:  two or more digits' ink went to one digit read (which pairs)
//   misread: cut right (each digit read holds one digit's ink, at least PURE of it), read wrong;
//            "alone" when the digit drawn alone (its own strokes) also reads wrong: the tracing or
//            the network, not the cut
// A point's digit is known from the stroke it came from (makeNumbers' owners); a pixel's from the
// digit drawn alone where it stands in the number (ink of at least 0.5 in a digit read's box). On the
// pixels' path a split digit is also read alone (preprocess of it alone): "split, judged no digit
// alone" when that reads it right but the network judges it no digit (then chooseRuns' cost of a
// piece judged no digit outweighed the whole's reading), "split, read right alone" and "split,
// misread alone" otherwise.
//
//   node scripts/bench/numbers-failures.mjs [--count N] [--seed S] [--length L] [--touching]
//                                           [--shape-only] [--show K] [--style default|wide]
//                                           [--paths strokes|pixels] [--model DIR]
import path from 'node:path';
import { createRecognizer, readCsv, root } from '../../tests/wasm/load.mjs';
import { digitStrokes, makeRng } from '../../tests/wasm/stroked.mjs';
import { inkMap, preprocess, segment } from '../../web/preprocess.js';
import { renderStrokes, segmentStrokes } from '../../web/strokes.js';
import { makeNumbers, makePixelNumbers, STYLE, WIDE } from './numbers.mjs';

const PURE = 0.9; // a digit read is one digit's when at least this share of its points are

export function classify(rec, number, { shapeOnly = false } = {}) {
  const { labels, strokes, owners } = number;
  const owner = new Map();
  strokes.forEach((s, i) => s.forEach((p) => owner.set(p, owners[i])));
  const read = shapeOnly ? null : (xs) => rec.predictBatch(xs);
  const groups = segmentStrokes(strokes, { read });
  const results = rec.predictBatch(groups.map((g) => renderStrokes(g.strokes)));
  // counts[g][d]: points of digit d in group g
  const counts = groups.map((g) => {
    const c = new Array(labels.length).fill(0);
    for (const s of g.strokes) for (const p of s) c[owner.get(p)]++;
    return c;
  });
  const total = labels.map((_, d) => counts.reduce((sum, c) => sum + c[d], 0));
  const split = labels.map((_, d) => counts.filter((c) => c[d] >= 0.1 * total[d]).length > 1);
  const merged = counts.map((c) => c.map((v, d) => (v >= 0.1 * total[d] ? d : -1)).filter((d) => d >= 0));
  const pure = groups.length === labels.length && counts.every((c, g) => c[g] >= PURE * c.reduce((a, b) => a + b, 0));
  const exact = groups.length === labels.length && results.every((r, i) => r.digit === labels[i]);
  if (exact) return { kind: 'exact' };
  if (pure) {
    const wrong = results.map((r, i) => i).filter((i) => results[i].digit !== labels[i]);
    const alone = wrong.map((i) => rec.predict(renderStrokes(strokes.filter((_, s) => owners[s] === i))).digit !== labels[i]);
    return { kind: alone.every(Boolean) ? 'misread alone' : 'misread in the number', labels, read: results.map((r) => r.digit), wrong };
  }
  if (split.some(Boolean)) return { kind: 'split', labels, digits: labels.filter((_, d) => split[d]), read: results.map((r) => r.digit) };
  return { kind: 'merged', labels, pairs: merged.filter((m) => m.length > 1).map((m) => m.map((d) => labels[d]).join('')), read: results.map((r) => r.digit) };
}

/** classify for a number drawn from pixels (makePixelNumbers), read by segment. */
export function classifyPixels(rec, number, { shapeOnly = false } = {}) {
  const { labels, image, alone } = number;
  const read = shapeOnly ? null : (xs) => rec.predictBatch(xs);
  const digits = segment(image, { read });
  const results = rec.predictBatch(digits.map((d) => d.x));
  if (digits.length === labels.length && results.every((r, i) => r.digit === labels[i])) return { kind: 'exact' };
  // counts[g][d]: pixels of digit d (drawn alone, ink >= 0.5) inside digit g's box
  const inks = labels.map((_, d) => inkMap(alone(d)));
  const counts = digits.map(({ box }) => inks.map((ink) => {
    let n = 0;
    for (let y = box.y; y < box.y + box.height; y++) for (let x = box.x; x < box.x + box.width; x++) if (ink[y * image.width + x] >= 0.5) n++;
    return n;
  }));
  const total = inks.map((ink) => ink.reduce((n, v) => n + (v >= 0.5), 0));
  const show = (r) => `${r.digit} ${Math.max(...r.probabilities).toFixed(3)}${r.isDigit ? '' : ' no digit'}`;
  const readings = results.map(show);
  const split = labels.map((_, d) => counts.filter((c) => c[d] >= 0.1 * total[d]).length > 1);
  const merged = counts.map((c) => c.map((v, d) => (v >= 0.1 * total[d] ? d : -1)).filter((d) => d >= 0));
  const pure = digits.length === labels.length && counts.every((c, g) => c[g] >= PURE * c.reduce((a, b) => a + b, 0));
  if (pure) {
    const wrong = results.map((r, i) => i).filter((i) => results[i].digit !== labels[i]);
    const misread = wrong.map((i) => rec.predict(preprocess(alone(i))).digit !== labels[i]);
    return { kind: misread.every(Boolean) ? 'misread alone' : 'misread in the number', labels, read: readings, wrong };
  }
  if (split.some(Boolean)) {
    const d = split.indexOf(true), whole = rec.predict(preprocess(alone(d)));
    const kind = whole.digit !== labels[d] ? 'split, misread alone' : whole.isDigit ? 'split, read right alone' : 'split, judged no digit alone';
    return { kind, labels, digits: labels.filter((_, k) => split[k]), read: readings, alone: show(whole) };
  }
  return { kind: 'merged', labels, pairs: merged.filter((m) => m.length > 1).map((m) => m.map((d) => labels[d]).join('')), read: readings };
}

async function main() {
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
  const count = option('count', 500), seed = option('seed', 1), length = option('length', 4), show = option('show', 0);
  const touching = args.includes('--touching'), shapeOnly = args.includes('--shape-only');
  const style = args.includes('--style') && args[args.indexOf('--style') + 1] === 'wide' ? WIDE : STYLE;
  const pixels = args.includes('--paths') && args[args.indexOf('--paths') + 1] === 'pixels';
  const modelDir = args.includes('--model') ? path.resolve(args[args.indexOf('--model') + 1]) : path.join(root, 'model');
  const rows = readCsv(path.join(root, 'data', 'holdout.csv'));
  const rec = await createRecognizer(modelDir);
  const rng = makeRng(seed * 1000 + length + (touching ? 100 : 0));
  const numbers = pixels
    ? makePixelNumbers({ rows, length, count, touching, rng, style })
    : makeNumbers({ digits: rows.map(({ label, pixels: p }) => ({ label, strokes: digitStrokes(p) })), length, count, touching, rng, style });
  const kinds = new Map(), which = new Map(), shown = [];
  numbers.forEach((n, i) => {
    const c = (pixels ? classifyPixels : classify)(rec, n, { shapeOnly });
    kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    for (const key of c.digits ?? c.pairs ?? []) which.set(`${c.kind} ${key}`, (which.get(`${c.kind} ${key}`) ?? 0) + 1);
    if (c.kind !== 'exact' && shown.length < show) shown.push({ i, ...c });
  });
  console.log(`${count} ${touching ? 'touching' : 'separate'} numbers of ${length} digits from ${pixels ? 'pixels' : 'strokes'}, seed ${seed}${shapeOnly ? ', shape only' : ''}${style === WIDE ? ', style wide' : ''}, model ${path.relative(root, modelDir) || '.'}`);
  for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${v}`);
  console.log('  by digit:', [...which].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', '));
  for (const s of shown) console.log(JSON.stringify(s));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

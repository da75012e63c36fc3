#!/usr/bin/env node
// numbers-failures.mjs: where the strokes' path (segmentStrokes, the page's) misreads numbers.
// Each number of scripts/bench/numbers.mjs drawn as strokes is read as the page reads it, and each
// number not read exactly is put in one class:
//   split:   a digit's ink went to two or more digits read (which digit: by label)
//   merged:  two or more digits' ink went to one digit read (which pairs)
//   misread: cut right (each digit read holds one digit's ink, at least PURE of it), read wrong;
//            "alone" when the digit drawn alone (its own strokes) also reads wrong: the tracing or
//            the network, not the cut
// A point's digit is known from the stroke it came from (makeNumbers' owners).
//
//   node scripts/bench/numbers-failures.mjs [--count N] [--seed S] [--length L] [--touching]
//                                           [--shape-only] [--show K] [--style default|wide]
import path from 'node:path';
import { createRecognizer, readCsv, root } from '../../tests/wasm/load.mjs';
import { digitStrokes, makeRng } from '../../tests/wasm/stroked.mjs';
import { renderStrokes, segmentStrokes } from '../../web/strokes.js';
import { makeNumbers, STYLE, WIDE } from './numbers.mjs';

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

async function main() {
  const args = process.argv.slice(2);
  const option = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
  const count = option('count', 500), seed = option('seed', 1), length = option('length', 4), show = option('show', 0);
  const touching = args.includes('--touching'), shapeOnly = args.includes('--shape-only');
  const style = args.includes('--style') && args[args.indexOf('--style') + 1] === 'wide' ? WIDE : STYLE;
  const rows = readCsv(path.join(root, 'data', 'holdout.csv'));
  const digits = rows.map(({ label, pixels }) => ({ label, strokes: digitStrokes(pixels) }));
  const rec = await createRecognizer();
  const numbers = makeNumbers({ digits, length, count, touching, rng: makeRng(seed * 1000 + length + (touching ? 100 : 0)), style });
  const kinds = new Map(), which = new Map(), shown = [];
  numbers.forEach((n, i) => {
    const c = classify(rec, n, { shapeOnly });
    kinds.set(c.kind, (kinds.get(c.kind) ?? 0) + 1);
    for (const key of c.digits ?? c.pairs ?? []) which.set(`${c.kind} ${key}`, (which.get(`${c.kind} ${key}`) ?? 0) + 1);
    if (c.kind !== 'exact' && shown.length < show) shown.push({ i, ...c });
  });
  console.log(`${count} ${touching ? 'touching' : 'separate'} numbers of ${length} digits, seed ${seed}${shapeOnly ? ', shape only' : ''}${style === WIDE ? ', style wide' : ''}`);
  for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`  ${k}: ${v}`);
  console.log('  by digit:', [...which].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}: ${v}`).join(', '));
  for (const s of shown) console.log(JSON.stringify(s));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

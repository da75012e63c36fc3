// Digits as strokes (a module for tests and benchmarks, not a test itself).
//
// MNIST digits thinned to their centre lines and traced into polylines, as a pen would have drawn
// them; then placed on the pad at any height, sampled the way pointer events arrive (a point every
// few CSS pixels, at whole pixels) and read through either of the page's two paths:
//   - the old page's: a fixed pen (0.075 of the pad) painted on a 280x280 image, then preprocess;
//   - the strokes': renderStrokes (web/strokes.js), a pen proportional to the digit.
// Everything is deterministic: the same digit gives the same strokes, a seed the same placements.
//
//   digitStrokes(pixels)                 Uint8Array(784) 0..255 -> [[x, y], ...] strokes, 28x28 units
//   placeOnPad(strokes, { height, rng }) -> pad strokes [{ x, y }] (what web/pad.js keeps)
//   padImageData(padStrokes)             -> the 280x280 image the old pad.imageData() gave
//   readAtHeights(...)                   -> accuracy per height, both paths
import { preprocess } from '../../web/preprocess.js';
import { rasterise, renderStrokes } from '../../web/strokes.js';
import { makeRng, toImageData } from './drawn.mjs';

export { makeRng };

const UP = 4; // the digit is thinned at 4x its 28 px: 112x112
const THRESHOLD = 0.4; // ink at least this strong is part of the digit
const SPUR = 1.5; // a free branch shorter than this (28 px units) is a thinning artefact
export const PAD_PX = 300; // the pad's CSS width on a phone and, near enough, on a desktop (320)
export const POINTER_STEP = 3; // CSS px between successive pointer events
export const OLD_PEN = 0.075; // the old pen, a fraction of the pad (web/pad.js before strokes.js)
export const OLD_SIZE = 280; // the image the old path read

/** A 28x28 digit (0..255) as strokes: polylines of [x, y] in pixel units (pixel i spans [i, i+1)). */
export function digitStrokes(pixels) {
  const n = 28 * UP;
  const bits = new Uint8Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) bits[y * n + x] = bilinear(pixels, (x + 0.5) / UP - 0.5, (y + 0.5) / UP - 0.5) >= THRESHOLD * 255 ? 1 : 0;
  }
  thin(bits, n);
  const paths = trace(bits, n).map((path) => smooth(path).map(([x, y]) => [(x + 0.5) / UP, (y + 0.5) / UP]));
  const long = paths.filter((p) => pathLength(p) >= SPUR);
  return long.length ? long : paths.slice(0, 1);
}

/**
 * Strokes in 28 px units placed on the pad so that their centre lines are `height` (pad units)
 * tall, at a random place (rng) or centred; then sampled as a pointer reports them on a pad
 * padPx CSS px wide: a point every `step` px along each stroke, at whole pixels.
 */
export function placeOnPad(strokes, { height, rng = null, padPx = PAD_PX, step = POINTER_STEP }) {
  const all = strokes.flat();
  const x0 = Math.min(...all.map((p) => p[0])), x1 = Math.max(...all.map((p) => p[0]));
  const y0 = Math.min(...all.map((p) => p[1])), y1 = Math.max(...all.map((p) => p[1]));
  let scale = height / Math.max(y1 - y0, 1e-9);
  if ((x1 - x0) * scale > 0.9) scale = 0.9 / (x1 - x0); // a wide digit still fits
  const w = (x1 - x0) * scale, h = (y1 - y0) * scale;
  const margin = 0.05;
  const ox = margin + (rng ? rng() : 0.5) * Math.max(0, 1 - 2 * margin - w);
  const oy = margin + (rng ? rng() : 0.5) * Math.max(0, 1 - 2 * margin - h);
  return strokes.map((stroke) => {
    const px = stroke.map(([x, y]) => [((x - x0) * scale + ox) * padPx, ((y - y0) * scale + oy) * padPx]);
    return resample(px, step).map(([x, y]) => ({ x: Math.round(x) / padPx, y: Math.round(y) / padPx }));
  });
}

/** What the old page read: the strokes painted with the fixed pen, black on transparent, 280x280. */
export function padImageData(padStrokes, size = OLD_SIZE) {
  const cover = rasterise(padStrokes, new Float32Array(size * size), size, size,
    { scale: size, dx: 0, dy: 0, radius: (OLD_PEN * size) / 2 });
  return toImageData(cover, size, size, 'colour-on-transparent', [0, 0, 0]);
}

/**
 * Accuracy of predict(x) -> digit over the digits (rows of { label, strokes }) drawn at each
 * height, through the old page's path (old) and the strokes' (new). Each digit gets the same random
 * place at every height (seeded), so the heights differ by size alone. With read(x) -> { digit,
 * isDigit } in place of predict, each row also gives the share of the strokes' drawings accepted
 * as digits (accepted).
 */
export function readAtHeights({ digits, predict, read = null, heights, seed = 1, old = true }) {
  const readOf = read ?? ((x) => ({ digit: predict(x), isDigit: true }));
  const result = heights.map((height) => ({ height, old: 0, new: 0, accepted: 0, count: 0 }));
  const x = new Float32Array(784);
  const rng = makeRng(seed);
  for (const { label, strokes } of digits) {
    const place = [rng(), rng()];
    for (const r of result) {
      let k = 0;
      const pad = placeOnPad(strokes, { height: r.height, rng: () => place[k++] });
      r.count++;
      const reading = readOf(renderStrokes(pad, x));
      if (reading.digit === label) r.new++;
      if (reading.isDigit) r.accepted++;
      if (old && readOf(preprocess(padImageData(pad))).digit === label) r.old++;
    }
  }
  return result.map((r) => ({ height: r.height, count: r.count, new: r.new / r.count, old: old ? r.old / r.count : null,
    accepted: read ? r.accepted / r.count : null }));
}

// Points every `step` along the polyline (its ends included).
export function resample(points, step) {
  if (points.length < 2) return points.slice();
  const out = [points[0]];
  let carry = 0; // distance walked since the last point out
  for (let i = 1; i < points.length; i++) {
    const [ax, ay] = points[i - 1], [bx, by] = points[i];
    const d = Math.hypot(bx - ax, by - ay);
    let t = step - carry;
    while (t <= d) {
      out.push([ax + ((bx - ax) * t) / d, ay + ((by - ay) * t) / d]);
      t += step;
    }
    carry = d - (t - step);
  }
  const last = points[points.length - 1];
  const end = out[out.length - 1];
  if (Math.hypot(last[0] - end[0], last[1] - end[1]) > 1e-9) out.push(last);
  return out;
}

function pathLength(path) {
  let sum = 0;
  for (let i = 1; i < path.length; i++) sum += Math.hypot(path[i][0] - path[i - 1][0], path[i][1] - path[i - 1][1]);
  return sum;
}

function bilinear(pixels, u, v) {
  const x = Math.floor(u), y = Math.floor(v);
  const fx = u - x, fy = v - y;
  const at = (i, j) => (i >= 0 && i < 28 && j >= 0 && j < 28 ? pixels[j * 28 + i] : 0);
  return (at(x, y) * (1 - fx) + at(x + 1, y) * fx) * (1 - fy) + (at(x, y + 1) * (1 - fx) + at(x + 1, y + 1) * fx) * fy;
}

// The 8 neighbours in order around the pixel: N, NE, E, SE, S, SW, W, NW.
const AROUND = [[0, -1], [1, -1], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1]];

// Zhang-Suen thinning, in place: the binary image becomes its one-pixel-wide centre lines.
function thin(bits, n) {
  const at = (x, y) => (x >= 0 && x < n && y >= 0 && y < n ? bits[y * n + x] : 0);
  for (let changed = true; changed;) {
    changed = false;
    for (const pass of [0, 1]) {
      const remove = [];
      for (let y = 0; y < n; y++) {
        for (let x = 0; x < n; x++) {
          if (!bits[y * n + x]) continue;
          const p = AROUND.map(([dx, dy]) => at(x + dx, y + dy)); // p2..p9
          const b = p.reduce((s, v) => s + v, 0);
          if (b < 2 || b > 6) continue;
          let a = 0;
          for (let k = 0; k < 8; k++) if (!p[k] && p[(k + 1) % 8]) a++;
          if (a !== 1) continue;
          const [p2, , p4, , p6, , p8] = p;
          if (pass === 0 ? p2 * p4 * p6 || p4 * p6 * p8 : p2 * p4 * p8 || p2 * p6 * p8) continue;
          remove.push(y * n + x);
        }
      }
      for (const i of remove) bits[i] = 0;
      if (remove.length) changed = true;
    }
  }
}

// The skeleton as polylines of pixel positions. Each walk starts at a free end if one is left
// (else anywhere: a loop), goes on through unvisited pixels, turning as little as it can, and is
// joined to skeleton pixels already walked at its start and end, so branches meet their stem.
function trace(bits, n) {
  const visited = new Uint8Array(n * n);
  const neighbours = (i) => {
    const x = i % n, y = (i - x) / n;
    const out = [];
    for (const [dx, dy] of AROUND) {
      const u = x + dx, v = y + dy;
      if (u >= 0 && u < n && v >= 0 && v < n && bits[v * n + u]) out.push(v * n + u);
    }
    return out;
  };
  const pixels = [];
  for (let i = 0; i < n * n; i++) if (bits[i]) pixels.push(i);
  const paths = [];
  for (;;) {
    const left = pixels.filter((i) => !visited[i]);
    if (!left.length) break;
    const start = left.find((i) => neighbours(i).filter((j) => !visited[j]).length <= 1) ?? left[0];
    const path = [];
    const joined = neighbours(start).find((j) => visited[j]);
    if (joined !== undefined) path.push(joined);
    let cur = start, prev = joined ?? -1;
    for (;;) {
      visited[cur] = 1;
      path.push(cur);
      const next = neighbours(cur).filter((j) => !visited[j]);
      if (!next.length) {
        const end = neighbours(cur).find((j) => visited[j] && j !== prev && !path.slice(-3).includes(j));
        if (end !== undefined) path.push(end);
        break;
      }
      prev = cur;
      cur = next.length === 1 ? next[0] : straightest(cur, path, next, n);
    }
    paths.push(path.map((i) => [i % n, Math.floor(i / n)]));
  }
  return paths;
}

// Of the candidates, the one that keeps the walk's direction (over its last few pixels) best.
function straightest(cur, path, candidates, n) {
  const from = path[Math.max(0, path.length - 4)];
  const cx = cur % n, cy = Math.floor(cur / n);
  const dx = cx - (from % n), dy = cy - Math.floor(from / n);
  let best = candidates[0], bestScore = -Infinity;
  for (const c of candidates) {
    const ux = (c % n) - cx, uy = Math.floor(c / n) - cy;
    const score = (dx * ux + dy * uy) / (Math.hypot(dx, dy) * Math.hypot(ux, uy) || 1);
    if (score > bestScore) { best = c; bestScore = score; }
  }
  return best;
}

// A moving average over 7 pixels (ends kept), then a point every pixel at most.
function smooth(path) {
  const r = 3;
  const out = path.map(([x, y], i) => {
    if (i === 0 || i === path.length - 1) return [x, y];
    const lo = Math.max(0, i - r), hi = Math.min(path.length - 1, i + r);
    let sx = 0, sy = 0;
    for (let k = lo; k <= hi; k++) { sx += path[k][0]; sy += path[k][1]; }
    return [sx / (hi - lo + 1), sy / (hi - lo + 1)];
  });
  return out.filter((p, i) => i === 0 || i === out.length - 1 || i % 2 === 0);
}

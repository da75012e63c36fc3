// The pad's strokes as geometry, and the 28x28 image the network sees drawn straight from them.
//
//   strokes: an array of strokes, each an array of points { x, y } in pad units (web/pad.js);
//            any subset of a drawing's strokes works the same (one digit of a number)
//   strokeBox(stroke)              -> { x0, y0, x1, y1 }, the points' box in pad units, or null
//   strokesBox(strokes)            -> the box of all their points, or null when there are none
//   tooSmall(box)                  -> true when a drawing this size is too small to read
//   renderStrokes(strokes, out?)   -> out, a Float32Array(784): the network's input
//   segmentStrokes(strokes, { read }?) -> [{ strokes, box }]: the digits of a number, left to right
//   rasterise(strokes, out, width, height, { scale, dx, dy, radius }) -> out: anti-aliased ink
//
// renderStrokes prepares a drawing as MNIST prepared its digits (the conventions are stated in
// web/preprocess.js: longer side 20 px keeping the aspect ratio, centre of mass moved to the pixel
// (14, 14) by whole pixels, strongest ink 1.0, 8-bit levels), but from the strokes rather than from
// pixels, and with a pen PEN pixels wide in the 20 px box whatever size the drawing has. A digit
// drawn small therefore reads exactly as the same digit drawn large, where a pen of fixed width on
// the pad turns it into a blob once scaled to 20 px. It reads no pixels, and given `out` it
// allocates only its box per call, whatever the number of points: it is the page's per-frame path.
//
// The path through a stroke's points is the one the pad paints: quadratic curves through the
// midpoints of successive points, a straight last piece, round caps and joins; a single point is a
// dot as wide as the pen.

import { chooseRuns, cutCandidates, cutColumns, groupParts, MAX_DIGITS, mayBeSeveral } from './groups.js';

export const SIZE = 28; // the network's input is SIZE x SIZE
export const BOX = 20; // the drawing's longer side, in pixels, between the pen's edges (half-strength ink)
export const CENTRE = 14; // where the centre of mass goes, in index coordinates
// The pen's width in pixels of the 28x28 frame: MNIST's strokes are about this wide in their
// 20 px box (measured where the ink is half strength; this width gives MNIST's mean ink per digit).
export const PEN = 2.6;
// A drawing whose longer side is below this (pad units: 12 CSS px on a phone's pad) is a tap or a
// tiny mark, not a digit: smaller than that, a pointer's whole-pixel steps and a finger's wobble
// are a large part of the shape, and reading falls off (scripts/bench/sizes.mjs measures it).
export const MIN_SIZE = 0.04;

// Curves are cut into straight pieces that stray at most this far from them (output pixels); points
// nearer than MIN_PIECE to the last one kept are skipped (at most this much detail is lost).
const TOLERANCE = 0.1;
const MIN_PIECE = 0.25;

const scratch = new Float32Array(SIZE * SIZE);

/** The box of one stroke's points (pad units; x1, y1 inclusive: a point has an empty box), or null. */
export function strokeBox(stroke) {
  return strokesBox([stroke]);
}

/** The box of all the strokes' points, or null when there are none. Non-finite points are ignored. */
export function strokesBox(strokes) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const stroke of strokes) {
    for (const p of stroke) {
      if (!(Number.isFinite(p.x) && Number.isFinite(p.y))) continue;
      if (p.x < x0) x0 = p.x;
      if (p.x > x1) x1 = p.x;
      if (p.y < y0) y0 = p.y;
      if (p.y > y1) y1 = p.y;
    }
  }
  return x0 <= x1 ? { x0, y0, x1, y1 } : null;
}

/** Whether a drawing with this box (strokesBox) is too small to read: no box, or a tiny one. */
export function tooSmall(box) {
  return !box || Math.max(box.x1 - box.x0, box.y1 - box.y0) < MIN_SIZE;
}

/** The strokes as the network's 28x28 input (see the top of the file); all zeros for no points. */
export function renderStrokes(strokes, out = new Float32Array(SIZE * SIZE)) {
  out.fill(0);
  const box = strokesBox(strokes);
  if (!box) return out;
  const w = box.x1 - box.x0, h = box.y1 - box.y0;
  const longer = Math.max(w, h);
  const scale = longer > 0 ? (BOX - PEN) / longer : 0;
  // The ink's soft edge reaches half a pixel beyond the pen: the image starts there.
  const edge = PEN / 2 + 0.5;
  draw(strokes, scratch, SIZE, SIZE, scale, edge - box.x0 * scale, edge - box.y0 * scale, PEN / 2);

  let mass = 0, sx = 0, sy = 0, max = 0;
  for (let y = 0, i = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++, i++) {
      const v = scratch[i];
      mass += v;
      sx += v * x;
      sy += v * y;
      if (v > max) max = v;
    }
  }
  if (!(max > 0)) return out;
  const width = Math.ceil(w * scale + 2 * edge), height = Math.ceil(h * scale + 2 * edge);
  const shiftX = clamp(Math.round(CENTRE - sx / mass), 0, SIZE - width);
  const shiftY = clamp(Math.round(CENTRE - sy / mass), 0, SIZE - height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      out[(y + shiftY) * SIZE + x + shiftX] = Math.round((255 * scratch[y * SIZE + x]) / max) / 255;
    }
  }
  return out;
}

// Two strokes touch when their points come within this share of the tallest stroke's height: the
// pen came back to ink it left (pointer events arrive a few pixels apart).
const TOUCH = 0.06;
const TOUCH_POINTS = 512;
// How much wider a digit's ink is than its strokes' centre lines, for its height: the pen
// renderStrokes draws with (PEN in a box whose longer side is BOX), which is MNIST's.
const INK = PEN / (BOX - PEN);
// Strokes side by side share at least this much of the shorter one's height: one above the other,
// they are one digit (a number is written left to right).
const BESIDE = 0.5;
// A too-wide group's ink per column is measured over this many columns across it.
const COLUMNS = 64;

/**
 * The digits of a number drawn as strokes, left to right: [{ strokes, box }], each digit's strokes
 * (for renderStrokes; a subset of the pad's, in their order, or pieces of them when a stroke ran
 * through two digits) and their box (strokesBox). Strokes are grouped into digits by web/groups.js,
 * the same rule segment (web/preprocess.js) applies to blobs of ink; a group too wide for one digit
 * is cut at the columns where its strokes run least, its strokes cut there into pieces. Given
 * `read` (the network: inputs -> [{ probabilities, isDigit }], as Recognizer.predictBatch), the
 * candidate cuts are read in one call and the surest reading decides (groups.js chooseRuns): cuts
 * across a group that may be digits that touch, and cuts between a group's strokes where those on
 * each side were drawn together and lie side by side (neighbours that overlap). One digit gives one
 * element holding the same strokes; no points give [].
 */
export function segmentStrokes(strokes, { read = null } = {}) {
  const parts = [], from = [];
  strokes.forEach((stroke, i) => {
    const box = strokeBox(stroke);
    if (box) { parts.push(box); from.push(i); }
  });
  const reach = TOUCH * Math.max(0, ...parts.map((b) => b.y1 - b.y0));
  const known = new Map(); // i * parts.length + j -> whether strokes i and j touch: each pair is compared once
  const touch = (i, j) => {
    const key = Math.min(i, j) * parts.length + Math.max(i, j);
    if (!known.has(key)) known.set(key, strokesTouch(strokes[from[i]], strokes[from[j]], parts[i], parts[j], reach));
    return known.get(key);
  };
  const groups = groupParts(parts, touch, INK);
  const tallest = Math.max(0, ...groups.map((g) => g.y1 - g.y0));
  // Each group as atoms: its strokes, or their pieces between the columns where it may be cut; the
  // atoms between two of the default cuts make one digit (`digit`).
  const atoms = [];
  groups.forEach((g, i) => {
    const members = g.members.map((m) => strokes[from[m]]);
    const width = g.x1 - g.x0, height = g.y1 - g.y0;
    const cuttable = g.wide || (read && mayBeSeveral(g, tallest, INK));
    if (!cuttable && read && members.length > 1) {
      // its strokes left to right by their middles, cut where the strokes on one side were all
      // drawn before those on the other (a digit is finished before the next is begun): the network
      // decides whether they are one digit or neighbours that overlap or touch (a 1 under a 7's bar)
      const order = g.members.slice().sort((p, q) => parts[p].x0 + parts[p].x1 - (parts[q].x0 + parts[q].x1) || p - q);
      for (const block of strokeBlocks(order, parts)) {
        const pieces = block.slice().sort((p, q) => p - q).map((m) => strokes[from[m]]);
        atoms.push({ group: i, digit: `${i}`, rank: Math.min(...block), strokes: pieces, ...strokesBox(pieces) });
      }
      return;
    }
    if (!cuttable) {
      atoms.push({ group: i, digit: `${i}`, rank: 0, strokes: members, x0: g.x0, y0: g.y0, x1: g.x1, y1: g.y1 });
      return;
    }
    const profile = strokeProfile(members, g);
    const fixed = g.wide ? cutColumns(profile, width, height) : [];
    const columns = [...new Set([0, ...fixed, ...(read ? cutCandidates(profile, width, height) : []), COLUMNS])].sort((a, b) => a - b);
    const at = (c) => (c === 0 ? -Infinity : c === COLUMNS ? Infinity : g.x0 + (c * width) / COLUMNS);
    for (let j = 0; j + 1 < columns.length; j++) {
      const pieces = members.flatMap((stroke) => piecesWithin(stroke, at(columns[j]), at(columns[j + 1])));
      if (pieces.length) atoms.push({ group: i, digit: `${i}.${fixed.filter((c) => c <= columns[j]).length}`, rank: j, strokes: pieces, ...strokesBox(pieces) });
    }
  });
  const digitOf = (a, b) => {
    const run = atoms.slice(a, b), pieces = run.slice().sort((p, q) => p.rank - q.rank).flatMap((t) => t.strokes); // the pad's order
    return { strokes: pieces, box: b === a + 1 ? { x0: run[0].x0, y0: run[0].y0, x1: run[0].x1, y1: run[0].y1 } : strokesBox(pieces) };
  };
  const runs = chooseRuns(atoms, { read, input: (a, b) => renderStrokes(digitOf(a, b).strokes) });
  return runs.slice(0, MAX_DIGITS).map(([a, b]) => digitOf(a, b));
}

// The stroke indices in `order` (left to right; `boxes` their boxes) cut into blocks where the
// strokes left of the cut were all drawn before those right of it, or all after, and lie beside
// them, not above or below (they share at least BESIDE of the shorter side's height): runs of
// consecutive blocks are the ways a group's strokes may be shared between neighbouring digits.
function strokeBlocks(order, boxes) {
  const span = (list) => [Math.min(...list.map((m) => boxes[m].y0)), Math.max(...list.map((m) => boxes[m].y1))];
  const blocks = [[order[0]]];
  for (let k = 1; k < order.length; k++) {
    const left = order.slice(0, k), right = order.slice(k);
    const [ly0, ly1] = span(left), [ry0, ry1] = span(right);
    const beside = Math.min(ly1, ry1) - Math.max(ly0, ry0) >= BESIDE * Math.min(ly1 - ly0, ry1 - ry0);
    const apart = Math.max(...left) < Math.min(...right) || Math.min(...left) > Math.max(...right);
    if (apart && beside) blocks.push([order[k]]);
    else blocks[blocks.length - 1].push(order[k]);
  }
  return blocks;
}

// Whether strokes a and b (boxes ba, bb) come within `reach` of each other, point to point. At
// most TOUCH_POINTS points of each are compared, evenly spread: bounded time for any stroke.
function strokesTouch(a, b, ba, bb, reach) {
  if (ba.x0 - reach > bb.x1 || bb.x0 - reach > ba.x1 || ba.y0 - reach > bb.y1 || bb.y0 - reach > ba.y1) return false;
  const strideA = Math.ceil(a.length / TOUCH_POINTS), strideB = Math.ceil(b.length / TOUCH_POINTS);
  const r2 = reach * reach;
  for (let i = 0; i < a.length; i += strideA) {
    const p = a[i];
    if (p.x < bb.x0 - reach || p.x > bb.x1 + reach || p.y < bb.y0 - reach || p.y > bb.y1 + reach) continue;
    for (let j = 0; j < b.length; j += strideB) {
      const dx = p.x - b[j].x, dy = p.y - b[j].y;
      if (dx * dx + dy * dy <= r2) return true;
    }
  }
  return false;
}

// The strokes' length per column, COLUMNS columns across the box.
function strokeProfile(strokes, box) {
  const profile = new Float64Array(COLUMNS);
  const column = (box.x1 - box.x0) / COLUMNS;
  for (const stroke of strokes) {
    for (let i = 1; i < stroke.length; i++) {
      const a = stroke[i - 1], b = stroke[i];
      const length = Math.hypot(b.x - a.x, b.y - a.y);
      if (!Number.isFinite(length)) continue;
      const steps = Math.min(COLUMNS, Math.ceil(Math.abs(b.x - a.x) / column)) + 1;
      for (let k = 0; k < steps; k++) {
        const x = a.x + ((b.x - a.x) * (k + 0.5)) / steps;
        profile[clamp(Math.floor((x - box.x0) / column), 0, COLUMNS - 1)] += length / steps;
      }
    }
  }
  return profile;
}

// The runs of a stroke's points with x0 <= x < x1, each a stroke.
function piecesWithin(stroke, x0, x1) {
  const pieces = [];
  let run = null;
  for (const p of stroke) {
    if (p.x >= x0 && p.x < x1) (run ??= []).push(p);
    else if (run) { pieces.push(run); run = null; }
  }
  if (run) pieces.push(run);
  return pieces;
}

/**
 * Draws the strokes into out (width x height, row-major, cleared first) with a round pen of the
 * given radius: a point p of a stroke lands at (p.x * scale + dx, p.y * scale + dy), in pixel
 * units where pixel (i, j) covers [i, i+1) x [j, j+1). Each pixel gets the ink of the nearest
 * stroke, anti-aliased over one pixel: 1 within radius - 0.5 of the path, 0 beyond radius + 0.5.
 */
export function rasterise(strokes, out, width, height, { scale, dx, dy, radius }) {
  draw(strokes, out, width, height, scale, dx, dy, radius);
  return out;
}

// Nothing is allocated per point: each stroke's path is cut into straight pieces whose ends go to
// `vertices` (x, y pairs, reused, grown when a stroke needs more), and the pieces are drawn by a
// function that takes only integers and arrays (a number that is not an integer, handed to a
// function, may be boxed on the heap).
let vertices = new Float64Array(2048);
const pen = new Float64Array(1); // the radius, for segment()

function draw(strokes, out, width, height, scale, dx, dy, radius) {
  out.fill(0, 0, width * height);
  pen[0] = radius;
  for (let s = 0; s < strokes.length; s++) {
    const n = flatten(strokes[s], scale, dx, dy);
    for (let i = 0; i + 1 < n; i++) segment(out, width, height, vertices, 2 * i, pen);
  }
}

// Writes the stroke's path into `vertices`, in pixel units: the first point, the curves cut into
// pieces (points nearer than MIN_PIECE to the last one kept skipped), and the last point, always
// (twice the same point for a single one: a dot). Returns the number of vertices.
function flatten(stroke, scale, dx, dy) {
  let v = vertices;
  let n = 0, seen = 0; // vertices written; finite points seen
  let px = 0, py = 0, cx = 0, cy = 0, lx = 0, ly = 0; // previous point; curve start; last vertex
  for (let i = 0; i < stroke.length; i++) {
    if (2 * (n + 18) > v.length) { // room for what one point can add: 16 pieces, and the last
      vertices = new Float64Array(2 * v.length);
      vertices.set(v);
      v = vertices;
    }
    const p = stroke[i];
    if (!(Number.isFinite(p.x) && Number.isFinite(p.y))) continue;
    const x = p.x * scale + dx, y = p.y * scale + dy;
    if (seen === 0) {
      v[0] = lx = cx = x;
      v[1] = ly = cy = y;
      n = 1;
    } else if (seen >= 2) {
      // a curve from (cx, cy) with control point (px, py) to the midpoint of (px, py) and (x, y),
      // cut into as many pieces as keep it within TOLERANCE: a quadratic's largest distance from
      // its chord is |a - 2c + b| / 4, and m pieces divide that by m^2
      const mx = (px + x) / 2, my = (py + y) / 2;
      const ex = cx - 2 * px + mx, ey = cy - 2 * py + my;
      const deviation = Math.sqrt(ex * ex + ey * ey) / 4;
      const m = deviation > TOLERANCE ? Math.min(16, Math.ceil(Math.sqrt(deviation / TOLERANCE))) : 1;
      for (let j = 1; j <= m; j++) {
        const t = j / m, u = 1 - t;
        const qx = u * u * cx + 2 * t * u * px + t * t * mx, qy = u * u * cy + 2 * t * u * py + t * t * my;
        if ((qx - lx) * (qx - lx) + (qy - ly) * (qy - ly) < MIN_PIECE * MIN_PIECE) continue;
        v[2 * n] = lx = qx;
        v[2 * n + 1] = ly = qy;
        n++;
      }
      cx = mx;
      cy = my;
    }
    px = x;
    py = y;
    seen++;
  }
  if (seen === 0) return 0;
  v[2 * n] = px; // the straight last piece
  v[2 * n + 1] = py;
  return n + 1;
}

// The piece from vertex k to the next (v[k..k+3]) with round ends, radius pen[0]: each pixel in
// reach takes max(its ink, the piece's coverage). The maximum over the pieces is the coverage by
// the distance to the whole path, so joins and overlaps never darken.
function segment(out, width, height, v, k, pen) {
  const ax = v[k], ay = v[k + 1], bx = v[k + 2], by = v[k + 3];
  const reach = pen[0] + 0.5;
  const i0 = Math.max(0, Math.ceil(Math.min(ax, bx) - reach - 0.5));
  const i1 = Math.min(width - 1, Math.floor(Math.max(ax, bx) + reach - 0.5));
  const j0 = Math.max(0, Math.ceil(Math.min(ay, by) - reach - 0.5));
  const j1 = Math.min(height - 1, Math.floor(Math.max(ay, by) + reach - 0.5));
  const ux = bx - ax, uy = by - ay;
  const length2 = ux * ux + uy * uy;
  const inverse = length2 > 0 ? 1 / length2 : 0;
  const reach2 = reach * reach;
  for (let j = j0; j <= j1; j++) {
    const qy = j + 0.5 - ay;
    const row = j * width;
    for (let i = i0; i <= i1; i++) {
      const qx = i + 0.5 - ax;
      let t = (qx * ux + qy * uy) * inverse;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = qx - t * ux, ey = qy - t * uy;
      const d2 = ex * ex + ey * ey;
      if (d2 >= reach2) continue;
      const c = reach - Math.sqrt(d2);
      const ink = c > 1 ? 1 : c;
      if (ink > out[row + i]) out[row + i] = ink;
    }
  }
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

// The pad's strokes as geometry, and the 28x28 image the network sees drawn straight from them.
//
//   strokes: an array of strokes, each an array of points { x, y } in pad units (web/pad.js);
//            any subset of a drawing's strokes works the same (one digit of a number)
//   strokeBox(stroke)              -> { x0, y0, x1, y1 }, the points' box in pad units, or null
//   strokesBox(strokes)            -> the box of all their points, or null when there are none
//   tooSmall(box)                  -> true when a drawing this size is too small to read
//   renderStrokes(strokes, out?)   -> out, a Float32Array(784): the network's input
//   rasterise(strokes, out, width, height, { scale, dx, dy, radius }) -> out: anti-aliased ink
//
// renderStrokes prepares a drawing as MNIST prepared its digits (the conventions are stated in
// web/preprocess.js: longer side 20 px keeping the aspect ratio, centre of mass moved to the pixel
// (14, 14) by whole pixels, strongest ink 1.0, 8-bit levels), but from the strokes rather than from
// pixels, and with a pen PEN pixels wide in the 20 px box whatever size the drawing has. A digit
// drawn small therefore reads exactly as the same digit drawn large, where a pen of fixed width on
// the pad turns it into a blob once scaled to 20 px. It reads no pixels and allocates nothing per
// call when given `out`: it is the page's per-frame path.
//
// The path through a stroke's points is the one the pad paints: quadratic curves through the
// midpoints of successive points, a straight last piece, round caps and joins; a single point is a
// dot as wide as the pen.

export const SIZE = 28; // the network's input is SIZE x SIZE
export const BOX = 20; // the drawing's longer side, in pixels, ink included
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
  rasterise(strokes, scratch, SIZE, SIZE, { scale, dx: edge - box.x0 * scale, dy: edge - box.y0 * scale, radius: PEN / 2 });

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

/**
 * Draws the strokes into out (width x height, row-major, cleared first) with a round pen of the
 * given radius: a point p of a stroke lands at (p.x * scale + dx, p.y * scale + dy), in pixel
 * units where pixel (i, j) covers [i, i+1) x [j, j+1). Each pixel gets the ink of the nearest
 * stroke, anti-aliased over one pixel: 1 within radius - 0.5 of the path, 0 beyond radius + 0.5.
 */
export function rasterise(strokes, out, width, height, { scale, dx, dy, radius }) {
  out.fill(0, 0, width * height);
  const pen = { out, width, height, radius, x: 0, y: 0 };
  for (const stroke of strokes) {
    let n = 0; // finite points seen
    let px = 0, py = 0, cx = 0, cy = 0; // the previous point; the curve's start
    for (const p of stroke) {
      if (!(Number.isFinite(p.x) && Number.isFinite(p.y))) continue;
      const x = p.x * scale + dx, y = p.y * scale + dy;
      if (n === 0) {
        moveTo(pen, x, y);
        cx = x; cy = y;
      } else if (n >= 2) {
        // a curve from (cx, cy) with control point (px, py) to the midpoint of (px, py) and (x, y)
        const mx = (px + x) / 2, my = (py + y) / 2;
        curveTo(pen, cx, cy, px, py, mx, my);
        cx = mx; cy = my;
      }
      px = x; py = y;
      n++;
    }
    if (n === 0) continue;
    lineTo(pen, px, py, true); // the straight last piece, or the dot of a single point
  }
  return out;
}

function moveTo(pen, x, y) {
  pen.x = x;
  pen.y = y;
}

// Cuts the curve into as many straight pieces as keep it within TOLERANCE of them: a quadratic's
// largest distance from its chord is |a - 2c + b| / 4, and n pieces divide that by n^2.
function curveTo(pen, ax, ay, cx, cy, bx, by) {
  const ex = ax - 2 * cx + bx, ey = ay - 2 * cy + by;
  const deviation = Math.sqrt(ex * ex + ey * ey) / 4;
  const n = deviation > TOLERANCE ? Math.min(16, Math.ceil(Math.sqrt(deviation / TOLERANCE))) : 1;
  for (let k = 1; k <= n; k++) {
    const t = k / n, u = 1 - t;
    lineTo(pen, u * u * ax + 2 * t * u * cx + t * t * bx, u * u * ay + 2 * t * u * cy + t * t * by, false);
  }
}

function lineTo(pen, x, y, last) {
  const ddx = x - pen.x, ddy = y - pen.y;
  if (!last && ddx * ddx + ddy * ddy < MIN_PIECE * MIN_PIECE) return;
  segment(pen.out, pen.width, pen.height, pen.x, pen.y, x, y, pen.radius);
  pen.x = x;
  pen.y = y;
}

// One straight piece with round ends: each pixel in reach takes max(its ink, the piece's coverage).
// The maximum over the pieces is the coverage by the distance to the whole path, so joins and
// overlaps never darken.
function segment(out, width, height, ax, ay, bx, by, radius) {
  const reach = radius + 0.5;
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
      const v = c > 1 ? 1 : c;
      if (v > out[row + i]) out[row + i] = v;
    }
  }
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

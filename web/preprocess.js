// Canvas pixels -> the 28x28 model input, the way MNIST prepared its digits.
//
//   preprocess(imageData) -> Float32Array(784), row-major, 0 = background, 1 = ink.
//   segment(imageData, { read }?) -> [{ x: Float32Array(784), box }]: each digit of a number, left to right
//
// imageData is { width, height, data: Uint8ClampedArray RGBA } of any size, as
// canvas getImageData returns it. Pure (its only import is web/groups.js): runs in the browser and in Node.
//
// The steps, each exported so it can be tested on its own:
//   inkMap        RGBA -> ink 0..1 per pixel, whatever the canvas convention
//   boundingBox   the box around the ink, ignoring faint pixels and small specks
//   resampleArea  exact pixel-coverage (box filter) resampling, up or down
//   centreOfMass  ink-weighted mean position, pixel (i, j) has its centre at (i, j)
//   naiveResize   the whole pad area-resized to 28x28: the baseline tests compare against
//
// Conventions (checked against the MNIST digits: every one of them has its centre of mass
// within [13.5, 14.5] on both axes, mean (14.0, 14.0), and a maximum of exactly 1.0):
//   - the digit is scaled so its longer side is 20 px, keeping the aspect ratio;
//   - it is shifted by whole pixels so its centre of mass, in index coordinates, is the
//     pixel (14, 14): shift = round(14 - com). Whole pixels keep the resampled edges crisp
//     (a sub-pixel shift would blur them), and this is what MNIST did;
//   - the result is divided by its maximum, so the strongest strokes are 1.0 like MNIST's,
//     whatever the pen's colour or width, and however much the downscaling thinned it;
//   - and rounded to 8-bit levels (multiples of 1/255), as MNIST's pixels are: an 8-bit image
//     lets the recogniser run its first layer in exact integer arithmetic (src/quant.h).

import { chooseRuns, cutCandidates, cutColumns, groupParts, MAX_DIGITS, mayBeSeveral } from './groups.js';

export const SIZE = 28; // the model's input is SIZE x SIZE
export const BOX = 20; // the digit's longer side, in pixels, inside the frame
export const CENTRE = 14; // where the centre of mass goes, in index coordinates

// Pixels with at least this much ink take part in finding the digit's bounding box;
// fainter ones (anti-aliased fringes, paper noise) are kept in the output but cannot
// stretch the box.
export const BOX_THRESHOLD = 0.2;
// A connected blob of ink lighter than this fraction of the heaviest blob is a speck:
// it neither stretches the box nor reaches the output.
export const SPECK_FRACTION = 0.02;
// Ink weaker than this is background noise and is dropped from the output.
export const NOISE_FLOOR = 0.04;

// Buffers kept from one call to the next (they only grow, up to RETAIN pixels): preprocess then
// allocates nothing per pixel, and nothing but its result once they fit the images it is given.
const RETAIN = 1 << 22;
let kept = { ink: new Float32Array(0), labels: new Int32Array(0), stack: new Int32Array(0), tmp: new Float64Array(0) };
const scratch = (name, n, Type) => {
  if (kept[name].length >= n) return kept[name];
  const buffer = new Type(n);
  if (n <= RETAIN) kept = { ...kept, [name]: buffer };
  return buffer;
};

// RGBA -> Float32Array(width*height) of ink 0..1, row-major.
// The background is what the border of the canvas mostly shows:
//   - a mostly transparent border: the canvas is transparent and the ink, whatever its
//     colour, is the pixel's alpha;
//   - otherwise the background is the border's median colour and the ink is each pixel's
//     RGB distance from it (composited over that background, so stray transparent pixels
//     count as background), divided by the largest distance any colour could have.
// Dark on light, light on dark, and coloured pens on either all come out the same way, and
// an anti-aliased edge pixel gets its coverage (the distance is linear in the blend).
export function inkMap(imageData) {
  const ink = new Float32Array(imageData.width * imageData.height);
  inkInto(imageData, ink, BOX_THRESHOLD);
  return ink;
}

// inkMap into `ink`, in one pass that also finds the box { x0, y0, x1, y1 } (exclusive) of the
// pixels with ink >= threshold; null when there are none.
function inkInto({ width, height, data }, ink, threshold) {
  if (width * height === 0) return null;
  const { transparent, total, background } = borderColours(width, height, data);
  const alphaOnly = transparent * 2 > total;
  const [r0, g0, b0] = background;
  const perFar = 1 / Math.hypot(Math.max(r0, 255 - r0), Math.max(g0, 255 - g0), Math.max(b0, 255 - b0));
  let x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (let y = 0, i = 0, p = 0; y < height; y++) {
    let first = -1, last = -1;
    for (let x = 0; x < width; x++, i++, p += 4) {
      let v = 0;
      if (alphaOnly) {
        v = data[p + 3] / 255;
      } else {
        const dr = data[p] - r0, dg = data[p + 1] - g0, db = data[p + 2] - b0;
        if ((dr | dg | db) !== 0) {
          const a = data[p + 3];
          const d = Math.sqrt(dr * dr + dg * dg + db * db) * perFar;
          v = Math.min(1, a === 255 ? d : (d * a) / 255);
        }
      }
      ink[i] = v;
      if (v >= threshold) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first >= 0) {
      if (first < x0) x0 = first;
      if (last >= x1) x1 = last + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  return x1 > x0 ? { x0, y0, x1, y1 } : null;
}

// The border's pixels: how many are mostly transparent (alpha < 128), how many there are, and
// the median colour of the others ([255, 255, 255] for none).
function borderColours(width, height, data) {
  const counts = new Uint32Array(3 * 256);
  let transparent = 0, total = 0;
  const add = (i) => {
    total++;
    if (data[4 * i + 3] < 128) { transparent++; return; }
    for (let c = 0; c < 3; c++) counts[c * 256 + data[4 * i + c]]++;
  };
  for (let x = 0; x < width; x++) {
    add(x);
    if (height > 1) add((height - 1) * width + x);
  }
  for (let y = 1; y < height - 1; y++) {
    add(y * width);
    if (width > 1) add(y * width + width - 1);
  }
  const opaque = total - transparent;
  const median = (c) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) {
      seen += counts[c * 256 + v];
      if (2 * seen > opaque) return v;
    }
    return 255;
  };
  return { transparent, total, background: [median(0), median(1), median(2)] };
}

// The bounding box of the ink: { x0, y0, x1, y1 } (x1, y1 exclusive), or null if there is
// no ink. Only pixels with ink >= threshold count, grouped into 8-connected blobs; blobs
// whose ink mass is below speckFraction of the heaviest blob's are specks and are ignored.
// `keep`, if given (Uint8Array(width*height)), is set to 1 on the pixels of the blobs kept.
export function boundingBox(ink, width, height, options = {}) {
  const { threshold = BOX_THRESHOLD, speckFraction = SPECK_FRACTION, keep = null } = options;
  if (keep) keep.fill(0);
  let x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (ink[i] < threshold) continue;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      y1 = y + 1;
    }
  }
  if (x1 <= x0) return null;
  const blobs = findBlobs(ink, width, { x0, y0, x1, y1 }, threshold, speckFraction);
  if (keep) {
    const w = x1 - x0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) keep[y * width + x] = blobs.kept[blobs.labels[(y - y0) * w + x - x0]];
    }
  }
  return blobs.box;
}

// Labels the pixels with ink >= threshold inside `win` (a box holding all of them) into
// 8-connected blobs and keeps those at least speckFraction as heavy as the heaviest. Returns
// { box: the kept blobs' box, labels: Int32Array over win (row-major, 0 = not ink, k = blob k),
// kept: Uint8Array, 1 for a kept blob's label, masses: blob k's ink, boxes: blob k's box as
// x0, y0, x1, y1 at 4k.. (win's coordinates) }; labels is a reused buffer.
function findBlobs(ink, width, win, threshold, speckFraction) {
  const w = win.x1 - win.x0, h = win.y1 - win.y0, n = w * h;
  const labels = scratch('labels', n, Int32Array);
  const stack = scratch('stack', n, Int32Array);
  labels.fill(0, 0, n);
  const masses = [0];
  const boxes = [0, 0, 0, 0];
  for (let start = 0; start < n; start++) {
    if (labels[start] !== 0) continue;
    const sy = (start / w) | 0;
    if (ink[(win.y0 + sy) * width + win.x0 + start - sy * w] < threshold) continue;
    const k = masses.length;
    let mass = 0;
    let x0 = w, y0 = h, x1 = 0, y1 = 0;
    let top = 0;
    stack[top++] = start;
    labels[start] = k;
    while (top > 0) {
      const i = stack[--top];
      const y = (i / w) | 0;
      const x = i - y * w;
      const row = (win.y0 + y) * width + win.x0;
      mass += ink[row + x];
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y >= y1) y1 = y + 1;
      const left = x > 0, right = x < w - 1;
      for (let dy = y > 0 ? -1 : 0, end = y < h - 1 ? 1 : 0; dy <= end; dy++) {
        const j = i + dy * w, r = row + dy * width + x;
        if (left && labels[j - 1] === 0 && ink[r - 1] >= threshold) { labels[j - 1] = k; stack[top++] = j - 1; }
        if (labels[j] === 0 && ink[r] >= threshold) { labels[j] = k; stack[top++] = j; }
        if (right && labels[j + 1] === 0 && ink[r + 1] >= threshold) { labels[j + 1] = k; stack[top++] = j + 1; }
      }
    }
    masses.push(mass);
    boxes.push(x0, y0, x1, y1);
  }

  let heaviest = 0;
  for (const m of masses) if (m > heaviest) heaviest = m;
  const kept = new Uint8Array(masses.length);
  let box = null;
  for (let k = 1; k < masses.length; k++) {
    if (masses[k] < speckFraction * heaviest) continue;
    kept[k] = 1;
    const x0 = boxes[4 * k], y0 = boxes[4 * k + 1], x1 = boxes[4 * k + 2], y1 = boxes[4 * k + 3];
    box = box
      ? { x0: Math.min(box.x0, x0 + win.x0), y0: Math.min(box.y0, y0 + win.y0), x1: Math.max(box.x1, x1 + win.x0), y1: Math.max(box.y1, y1 + win.y0) }
      : { x0: x0 + win.x0, y0: y0 + win.y0, x1: x1 + win.x0, y1: y1 + win.y0 };
  }
  return { box, labels, kept, masses, boxes };
}

// Area (box-filter) resampling: the source rectangle box = { x0, y0, x1, y1 } is mapped onto
// [0, outW) x [0, outH) of the destination, whose sizes may be fractional; the returned
// { data: Float32Array, width: ceil(outW), height: ceil(outH) } holds, in each destination
// pixel, the mean of the source over the area that pixel covers (outside the box counts as
// 0, so a partly covered last column gets its coverage). Exact for any scale, up or down,
// and mass-preserving: sum(dst) = sum(src in box) * (outW / boxW) * (outH / boxH).
export function resampleArea(src, srcW, srcH, box, outW, outH) {
  const data = new Float32Array(Math.ceil(outW) * Math.ceil(outH));
  return resampleInto(src, srcW, box, outW, outH, data);
}

// resampleArea into `data` (at least ceil(outW) * ceil(outH) long).
function resampleInto(src, srcW, box, outW, outH, data) {
  const { x0, y0, x1, y1 } = box;
  const dstW = Math.ceil(outW);
  const dstH = Math.ceil(outH);
  const wx = coverageWeights(x1 - x0, outW, dstW);
  const wy = coverageWeights(y1 - y0, outH, dstH);

  // horizontal pass: each source row of the box -> dstW columns
  const rows = y1 - y0;
  const tmp = scratch('tmp', rows * dstW, Float64Array);
  for (let y = 0; y < rows; y++) {
    const row = (y0 + y) * srcW + x0;
    for (let i = 0; i < dstW; i++) {
      const first = row + wx.first[i];
      let sum = 0;
      for (let k = wx.start[i]; k < wx.start[i + 1]; k++) sum += wx.weights[k] * src[first + k - wx.start[i]];
      tmp[y * dstW + i] = sum;
    }
  }
  // vertical pass
  for (let j = 0; j < dstH; j++) {
    for (let i = 0; i < dstW; i++) {
      const first = wy.first[j] - wy.start[j];
      let sum = 0;
      for (let k = wy.start[j]; k < wy.start[j + 1]; k++) sum += wy.weights[k] * tmp[(first + k) * dstW + i];
      data[j * dstW + i] = sum;
    }
  }
  return { data, width: dstW, height: dstH };
}

// For each of dstN destination pixels i, the source pixels it covers and their weights, when
// srcN source pixels are stretched onto outN (maybe fractional) destination pixels: pixel i
// covers the source first[i] + (0 .. start[i+1] - start[i]) with weights[start[i] ..].
// Destination pixel i covers source [i, i+1) / scale; each weight is the overlap times scale.
function coverageWeights(srcN, outN, dstN) {
  const scale = outN / srcN;
  const first = new Int32Array(dstN);
  const start = new Int32Array(dstN + 1);
  const weights = new Float64Array(srcN + 2 * dstN);
  let k = 0;
  for (let i = 0; i < dstN; i++) {
    const a = i / scale;
    const b = Math.min(srcN, (i + 1) / scale);
    first[i] = Math.floor(a);
    start[i] = k;
    const last = Math.min(srcN, Math.ceil(b)); // exclusive
    for (let x = first[i]; x < last; x++) weights[k++] = Math.max(0, Math.min(b, x + 1) - Math.max(a, x)) * scale;
  }
  start[dstN] = k;
  return { first, start, weights };
}

// Ink-weighted mean position { x, y, mass }, in index coordinates (pixel (i, j) has its
// centre at (i, j)). With no ink (mass 0) the position is the middle of the image.
export function centreOfMass(values, width, height) {
  let mass = 0, sx = 0, sy = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x];
      mass += v;
      sx += v * x;
      sy += v * y;
    }
  }
  if (!(mass > 0)) return { x: (width - 1) / 2, y: (height - 1) / 2, mass: 0 };
  return { x: sx / mass, y: sy / mass, mass };
}

// The whole pipeline; see the top of the file. Only the ink's box is worked on after the first
// pass, and the buffers are reused.
export function preprocess(imageData) {
  const { width } = imageData;
  const ink = scratch('ink', width * imageData.height, Float32Array);
  const strong = inkInto(imageData, ink, BOX_THRESHOLD);
  if (!strong) return new Float32Array(SIZE * SIZE);
  const { box, labels, kept } = findBlobs(ink, width, strong, BOX_THRESHOLD, SPECK_FRACTION);

  // the digit alone: specks and background noise removed, soft edges kept
  const w = strong.x1 - strong.x0;
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0, i = y * width + x; x < box.x1; x++, i++) {
      const v = ink[i];
      if (v < NOISE_FLOOR || (v >= BOX_THRESHOLD && !kept[labels[(y - strong.y0) * w + x - strong.x0]])) ink[i] = 0;
    }
  }

  return digitInput(ink, width, box);
}

// The steps after the ink is cleaned: the digit in `box` of src (srcW wide) scaled so its longer
// side is BOX, shifted so its centre of mass is at CENTRE, divided by its maximum, 8-bit levels.
function digitInput(src, srcW, box) {
  const out = new Float32Array(SIZE * SIZE);
  const bw = box.x1 - box.x0;
  const bh = box.y1 - box.y0;
  const scale = BOX / Math.max(bw, bh);
  const digit = resampleInto(src, srcW, box, bw * scale, bh * scale, new Float32Array(Math.ceil(bw * scale) * Math.ceil(bh * scale)));

  const com = centreOfMass(digit.data, digit.width, digit.height);
  const dx = clamp(Math.round(CENTRE - com.x), 0, SIZE - digit.width);
  const dy = clamp(Math.round(CENTRE - com.y), 0, SIZE - digit.height);

  let max = 0;
  for (let i = 0; i < digit.width * digit.height; i++) if (digit.data[i] > max) max = digit.data[i];
  if (!(max > 0)) return out;
  for (let y = 0; y < digit.height; y++) {
    for (let x = 0; x < digit.width; x++) {
      out[(y + dy) * SIZE + x + dx] = Math.round(255 * Math.min(1, digit.data[y * digit.width + x] / max)) / 255;
    }
  }
  return out;
}

// segment refuses images larger than this (64 MB of ink map, and as much again for the labels).
export const MAX_PIXELS = 1 << 24;

/**
 * The digits on a pad, left to right: [{ x: Float32Array(784), box: { x, y, width, height } }],
 * x prepared as preprocess prepares a single digit (the same x when the pad holds one digit), box
 * in the image's pixels around the digit's ink. [] for an empty pad. The blobs of ink that
 * preprocess keeps are grouped into digits by web/groups.js; a group too wide for one digit is cut
 * where its columns hold least ink. Given `read` (the network: inputs -> [{ probabilities,
 * isDigit }], as Recognizer.predictBatch), the candidate cuts of wide groups and the joins of
 * overlapping neighbours (ink that broke apart) are read in one call and the surest reading decides (groups.js chooseRuns). Each
 * digit keeps its own blobs' ink and the faint edge pixels in its box that do not touch another
 * digit's ink. Time and memory grow with the pixels alone. Throws a RangeError for an image of
 * more than MAX_PIXELS pixels.
 */
export function segment(imageData, { read = null } = {}) {
  const { width, height } = imageData;
  if (width * height > MAX_PIXELS) {
    throw new RangeError(`segment reads images of up to ${MAX_PIXELS} pixels; this one is ${width}x${height}`);
  }
  const ink = scratch('ink', width * height, Float32Array);
  const win = inkInto(imageData, ink, BOX_THRESHOLD);
  if (!win) return [];
  const { labels, kept, masses, boxes } = findBlobs(ink, width, win, BOX_THRESHOLD, SPECK_FRACTION);
  const w = win.x1 - win.x0, h = win.y1 - win.y0;

  const blobs = [], parts = []; // the kept blobs' labels and boxes (win's coordinates)
  for (let k = 1; k < masses.length; k++) {
    if (!kept[k]) continue;
    blobs.push(k);
    parts.push({ x0: boxes[4 * k], y0: boxes[4 * k + 1], x1: boxes[4 * k + 2], y1: boxes[4 * k + 3], mass: masses[k] });
  }
  const groups = groupParts(parts);
  const groupOf = new Int32Array(masses.length).fill(-1); // blob label -> group
  groups.forEach((g, i) => g.members.forEach((m) => { groupOf[blobs[m]] = i; }));
  const tallest = Math.max(0, ...groups.map((g) => g.y1 - g.y0));

  // Each group as atoms: column ranges [c0, c1) of win, several where the group may be cut; the
  // atoms between two of the default cuts make one digit (`digit`).
  let atoms = [];
  const first = [];
  groups.forEach((g, i) => {
    first.push(atoms.length);
    const cuttable = g.wide || (read && mayBeSeveral(g, tallest));
    const profile = cuttable ? groupProfile(ink, width, win, labels, groupOf, g, i) : null;
    const fixed = g.wide ? cutColumns(profile, g.x1 - g.x0, g.y1 - g.y0).map((c) => g.x0 + c) : [];
    const extra = cuttable && read ? cutCandidates(profile, g.x1 - g.x0, g.y1 - g.y0).map((c) => g.x0 + c) : [];
    const edges = [...new Set([g.x0, ...fixed, ...extra, g.x1])].sort((a, b) => a - b);
    for (let j = 0; j + 1 < edges.length; j++) {
      const digit = `${i}.${fixed.filter((c) => c <= edges[j]).length}`;
      atoms.push({ group: i, c0: edges[j], c1: edges[j + 1], digit, x0: w, y0: h, x1: 0, y1: 0 });
    }
  });

  // owner: 1 + the atom each strong pixel belongs to, 0 for none (a speck's); and each atom's box
  const owner = scratch('stack', w * h, Int32Array); // findBlobs is done with its stack
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i++) {
      const g = labels[i] ? groupOf[labels[i]] : -1;
      if (g < 0) { owner[i] = 0; continue; }
      let d = first[g];
      while (x >= atoms[d].c1) d++;
      owner[i] = d + 1;
      const atom = atoms[d];
      if (x < atom.x0) atom.x0 = x;
      if (x >= atom.x1) atom.x1 = x + 1;
      if (y < atom.y0) atom.y0 = y;
      if (y >= atom.y1) atom.y1 = y + 1;
    }
  }
  // atoms without ink (a cut through empty columns) are dropped
  if (atoms.some((a) => a.x1 <= a.x0)) {
    const renumber = new Int32Array(atoms.length + 1);
    let n = 0;
    atoms.forEach((a, k) => { renumber[k + 1] = a.x1 > a.x0 ? ++n : 0; });
    for (let i = 0; i < w * h; i++) owner[i] = renumber[owner[i]];
    atoms = atoms.filter((a) => a.x1 > a.x0);
  }

  // atoms a..b-1 as one digit: its box (win's coordinates) and its input
  const inputs = new Map();
  const digitOf = (a, b) => {
    const key = a * (atoms.length + 1) + b;
    if (inputs.has(key)) return inputs.get(key);
    const run = atoms.slice(a, b);
    const x0 = Math.min(...run.map((t) => t.x0)), x1 = Math.max(...run.map((t) => t.x1));
    const y0 = Math.min(...run.map((t) => t.y0)), y1 = Math.max(...run.map((t) => t.y1));
    const bw = x1 - x0, bh = y1 - y0;
    const own = new Float32Array(bw * bh);
    for (let y = y0, o = 0; y < y1; y++) {
      for (let x = x0, i = y * w + x; x < x1; x++, i++, o++) {
        const v = ink[(win.y0 + y) * width + win.x0 + x];
        const mine = v >= BOX_THRESHOLD ? owner[i] > a && owner[i] <= b : v >= NOISE_FLOOR && !touchesOther(owner, w, h, x, y, a + 1, b);
        own[o] = mine ? v : 0;
      }
    }
    const digit = { x: digitInput(own, bw, { x0: 0, y0: 0, x1: bw, y1: bh }), box: { x: win.x0 + x0, y: win.y0 + y0, width: bw, height: bh } };
    inputs.set(key, digit);
    return digit;
  };
  const runs = chooseRuns(atoms, { read, input: (a, b) => digitOf(a, b).x, join: true });
  return runs.slice(0, MAX_DIGITS).map(([a, b]) => digitOf(a, b));
}

// Group g's (index i of segment) ink per column of its box.
function groupProfile(ink, width, win, labels, groupOf, g, i) {
  const w = win.x1 - win.x0;
  const profile = new Float64Array(g.x1 - g.x0);
  for (let y = g.y0; y < g.y1; y++) {
    for (let x = g.x0; x < g.x1; x++) {
      const label = labels[y * w + x];
      if (label && groupOf[label] === i) profile[x - g.x0] += ink[(win.y0 + y) * width + win.x0 + x];
    }
  }
  return profile;
}

// Whether a pixel next to (x, y) (8-connected, inside w x h) is strong ink owned by none of lo..hi.
function touchesOther(owner, w, h, x, y, lo, hi) {
  for (let j = Math.max(0, y - 1); j <= Math.min(h - 1, y + 1); j++) {
    for (let i = Math.max(0, x - 1); i <= Math.min(w - 1, x + 1); i++) {
      const o = owner[j * w + i];
      if (o !== 0 && (o < lo || o > hi)) return true;
    }
  }
  return false;
}

// The baseline: the whole pad area-resized to 28x28 (stretched if it is not square), with
// the same ink convention and nothing else: no crop, no centring, no normalisation.
export function naiveResize(imageData) {
  const { width, height } = imageData;
  if (width === 0 || height === 0) return new Float32Array(SIZE * SIZE);
  const ink = inkMap(imageData);
  return resampleArea(ink, width, height, { x0: 0, y0: 0, x1: width, y1: height }, SIZE, SIZE).data;
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

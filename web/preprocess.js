// Canvas pixels -> the 28x28 model input, the way MNIST prepared its digits.
//
//   preprocess(imageData) -> Float32Array(784), row-major, 0 = background, 1 = ink.
//
// imageData is { width, height, data: Uint8ClampedArray RGBA } of any size, as
// canvas getImageData returns it. Pure, no dependencies: runs in the browser and in Node.
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
  const { width, height, data } = imageData;
  const n = width * height;
  const ink = new Float32Array(n);
  if (n === 0) return ink;

  const border = borderIndices(width, height);
  let transparent = 0;
  for (const i of border) if (data[4 * i + 3] < 128) transparent++;

  if (transparent * 2 > border.length) {
    for (let i = 0; i < n; i++) ink[i] = data[4 * i + 3] / 255;
    return ink;
  }

  const opaque = border.filter((i) => data[4 * i + 3] >= 128);
  const bg = [0, 1, 2].map((c) => median(opaque.map((i) => data[4 * i + c])));
  const [r0, g0, b0] = bg;
  const perFar = 1 / Math.hypot(Math.max(r0, 255 - r0), Math.max(g0, 255 - g0), Math.max(b0, 255 - b0));
  for (let i = 0, p = 0; i < n; i++, p += 4) {
    const dr = data[p] - r0, dg = data[p + 1] - g0, db = data[p + 2] - b0;
    const a = data[p + 3];
    const d = Math.sqrt(dr * dr + dg * dg + db * db) * perFar;
    ink[i] = Math.min(1, a === 255 ? d : (d * a) / 255);
  }
  return ink;
}

// The bounding box of the ink: { x0, y0, x1, y1 } (x1, y1 exclusive), or null if there is
// no ink. Only pixels with ink >= threshold count, grouped into 8-connected blobs; blobs
// whose ink mass is below speckFraction of the heaviest blob's are specks and are ignored.
// `keep`, if given (Uint8Array(width*height)), is set to 1 on the pixels of the blobs kept.
export function boundingBox(ink, width, height, options = {}) {
  const { threshold = BOX_THRESHOLD, speckFraction = SPECK_FRACTION, keep = null } = options;
  const n = width * height;
  const label = new Int32Array(n); // 0 = not ink, k = blob k (1-based)
  const stack = new Int32Array(n);
  const masses = [0];
  const boxes = [null];
  for (let start = 0; start < n; start++) {
    if (label[start] !== 0 || ink[start] < threshold) continue;
    const k = masses.length;
    let mass = 0;
    let x0 = width, y0 = height, x1 = 0, y1 = 0;
    let top = 0;
    stack[top++] = start;
    label[start] = k;
    while (top > 0) {
      const i = stack[--top];
      const y = (i / width) | 0;
      const x = i - y * width;
      mass += ink[i];
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y >= y1) y1 = y + 1;
      const left = x > 0, right = x < width - 1;
      for (let j = y > 0 ? i - width : i, end = y < height - 1 ? i + width : i; j <= end; j += width) {
        if (left && label[j - 1] === 0 && ink[j - 1] >= threshold) { label[j - 1] = k; stack[top++] = j - 1; }
        if (label[j] === 0 && ink[j] >= threshold) { label[j] = k; stack[top++] = j; }
        if (right && label[j + 1] === 0 && ink[j + 1] >= threshold) { label[j + 1] = k; stack[top++] = j + 1; }
      }
    }
    masses.push(mass);
    boxes.push({ x0, y0, x1, y1 });
  }
  if (masses.length === 1) return null;

  let heaviest = 0;
  for (const m of masses) if (m > heaviest) heaviest = m;
  const kept = masses.map((m, k) => k > 0 && m >= speckFraction * heaviest);
  let box = null;
  for (let k = 1; k < masses.length; k++) {
    if (!kept[k]) continue;
    const b = boxes[k];
    box = box
      ? { x0: Math.min(box.x0, b.x0), y0: Math.min(box.y0, b.y0), x1: Math.max(box.x1, b.x1), y1: Math.max(box.y1, b.y1) }
      : { ...b };
  }
  if (keep) for (let i = 0; i < n; i++) keep[i] = kept[label[i]] ? 1 : 0;
  return box;
}

// Area (box-filter) resampling: the source rectangle box = { x0, y0, x1, y1 } is mapped onto
// [0, outW) x [0, outH) of the destination, whose sizes may be fractional; the returned
// { data: Float32Array, width: ceil(outW), height: ceil(outH) } holds, in each destination
// pixel, the mean of the source over the area that pixel covers (outside the box counts as
// 0, so a partly covered last column gets its coverage). Exact for any scale, up or down,
// and mass-preserving: sum(dst) = sum(src in box) * (outW / boxW) * (outH / boxH).
export function resampleArea(src, srcW, srcH, box, outW, outH) {
  const { x0, y0, x1, y1 } = box;
  const dstW = Math.ceil(outW);
  const dstH = Math.ceil(outH);
  const wx = coverageWeights(x1 - x0, outW, dstW);
  const wy = coverageWeights(y1 - y0, outH, dstH);

  // horizontal pass: each source row of the box -> dstW columns
  const rows = y1 - y0;
  const tmp = new Float64Array(rows * dstW);
  for (let y = 0; y < rows; y++) {
    const row = (y0 + y) * srcW + x0;
    for (let i = 0; i < dstW; i++) {
      const { first, weights } = wx[i];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * src[row + first + k];
      tmp[y * dstW + i] = sum;
    }
  }
  // vertical pass
  const data = new Float32Array(dstW * dstH);
  for (let j = 0; j < dstH; j++) {
    const { first, weights } = wy[j];
    for (let i = 0; i < dstW; i++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k] * tmp[(first + k) * dstW + i];
      data[j * dstW + i] = sum;
    }
  }
  return { data, width: dstW, height: dstH };
}

// For each of dstN destination pixels, the source pixels it covers and their weights, when
// srcN source pixels are stretched onto outN (maybe fractional) destination pixels.
// Destination pixel i covers source [i, i+1) / scale; each weight is the overlap times scale.
function coverageWeights(srcN, outN, dstN) {
  const scale = outN / srcN;
  const result = [];
  for (let i = 0; i < dstN; i++) {
    const a = i / scale;
    const b = Math.min(srcN, (i + 1) / scale);
    const first = Math.floor(a);
    const last = Math.min(srcN, Math.ceil(b)); // exclusive
    const weights = [];
    for (let x = first; x < last; x++) weights.push(Math.max(0, Math.min(b, x + 1) - Math.max(a, x)) * scale);
    result.push({ first, weights: Float64Array.from(weights) });
  }
  return result;
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

// The whole pipeline; see the top of the file.
export function preprocess(imageData) {
  const out = new Float32Array(SIZE * SIZE);
  const { width, height } = imageData;
  const ink = inkMap(imageData);
  const keep = new Uint8Array(width * height);
  const box = boundingBox(ink, width, height, { keep });
  if (!box) return out;

  // the digit alone: specks and background noise removed, soft edges kept
  for (let y = box.y0; y < box.y1; y++) {
    for (let i = y * width + box.x0; i < y * width + box.x1; i++) {
      if (ink[i] < NOISE_FLOOR || (ink[i] >= BOX_THRESHOLD && !keep[i])) ink[i] = 0;
    }
  }

  const bw = box.x1 - box.x0;
  const bh = box.y1 - box.y0;
  const scale = BOX / Math.max(bw, bh);
  const digit = resampleArea(ink, width, height, box, bw * scale, bh * scale);

  const com = centreOfMass(digit.data, digit.width, digit.height);
  const dx = clamp(Math.round(CENTRE - com.x), 0, SIZE - digit.width);
  const dy = clamp(Math.round(CENTRE - com.y), 0, SIZE - digit.height);

  let max = 0;
  for (const v of digit.data) if (v > max) max = v;
  if (!(max > 0)) return out;
  for (let y = 0; y < digit.height; y++) {
    for (let x = 0; x < digit.width; x++) {
      out[(y + dy) * SIZE + x + dx] = Math.round(255 * Math.min(1, digit.data[y * digit.width + x] / max)) / 255;
    }
  }
  return out;
}

// The baseline: the whole pad area-resized to 28x28 (stretched if it is not square), with
// the same ink convention and nothing else: no crop, no centring, no normalisation.
export function naiveResize(imageData) {
  const { width, height } = imageData;
  if (width === 0 || height === 0) return new Float32Array(SIZE * SIZE);
  const ink = inkMap(imageData);
  return resampleArea(ink, width, height, { x0: 0, y0: 0, x1: width, y1: height }, SIZE, SIZE).data;
}

function borderIndices(width, height) {
  const indices = [];
  for (let x = 0; x < width; x++) {
    indices.push(x);
    if (height > 1) indices.push((height - 1) * width + x);
  }
  for (let y = 1; y < height - 1; y++) {
    indices.push(y * width);
    if (width > 1) indices.push(y * width + width - 1);
  }
  return indices;
}

// The median of byte values (0..255), 255 for none.
function median(values) {
  if (values.length === 0) return 255;
  const counts = new Uint32Array(256);
  for (const v of values) counts[v]++;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += counts[v];
    if (2 * seen > values.length) return v;
  }
  return 255;
}

function clamp(v, lo, hi) {
  return Math.min(hi, Math.max(lo, v));
}

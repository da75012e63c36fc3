// outlier-glyphs.js: letters and symbols drawn with the browser's own fonts, as 28x28 images of
// things that are not digits, for training in the page with outlier exposure (src/outlier.h: the
// worker hands them to C as its external images). Nothing is downloaded: the generic font
// families (serif, sans-serif, ...) are whatever fonts this system has.
//
//   const specs = glyphSpecs(3000, seed);               // what to draw: the same for a seed
//   const { pixels, count } = renderGlyphs(specs, new OffscreenCanvas(CANVAS, CANVAS));
//   // pixels: count * 784 bytes (0..255), each image framed by web/preprocess.js as a drawing is
//
// The characters are those of scripts/outliers/glyphs.mjs (LETTERS and SYMBOLS), without the ones
// handwriting confuses with a digit (O as 0, l as 1, S as 5, ...): a shape that is a digit must not
// be taught as a non-digit. Which font draws them depends on the system, so the images are the
// same for a seed on one browser and system, not everywhere.
import { preprocess, SIZE } from './preprocess.js';
import { mulberry32 } from './random.js';

export const OUTLIER_CHARACTERS = Object.freeze([
  ...'ACEFHKLMNPRTUVWXYacdefhkmnprtuvwxy',
  ...'+-=×÷%#@&?*~^<>{}$€£¥§¶©®™→←↑↓★☆♥♦♣♠✓✗☺♪♫ΩπΣµλΔ',
]);

export const GLYPH_FAMILIES = Object.freeze(['serif', 'sans-serif', 'monospace', 'cursive', 'fantasy']);

/** A glyph's tile on the canvas: large enough that the 20-pixel frame is a downscale. */
export const PAD = 64;
/** The canvas renderGlyphs draws on: GRID x GRID tiles. */
export const GRID = 8;
export const CANVAS = GRID * PAD;

/** count glyphs to draw: every character about equally often, in a random family, weight and
 * style, `size` (the longer side, in canvas pixels), placed at x, y (0..1 of the room left),
 * rotated by `angle` and slanted by `shear` (radians), and thickened by an outline `pen` pixels
 * wide (0: none), all drawn from a seeded generator. */
export function glyphSpecs(count, seed = 1) {
  const rng = mulberry32(seed);
  const pick = (list) => list[Math.floor(rng() * list.length)];
  return Array.from({ length: count }, (_, i) => ({
    char: OUTLIER_CHARACTERS[i % OUTLIER_CHARACTERS.length],
    family: pick(GLYPH_FAMILIES),
    weight: rng() < 0.3 ? 'bold' : 'normal',
    style: rng() < 0.25 ? 'italic' : 'normal',
    size: PAD * (0.4 + 0.5 * rng()),
    x: rng(),
    y: rng(),
    angle: (rng() - 0.5) * 0.4,
    shear: (rng() - 0.5) * 0.5,
    pen: rng() < 0.4 ? PAD * 0.01 * (1 + 3 * rng()) : 0,
  }));
}

/**
 * Draws every spec on `canvas` (an OffscreenCanvas or a canvas element, CANVAS x CANVAS: GRID x GRID
 * tiles of PAD pixels, read back once per GRID * GRID glyphs, as reading a canvas is what costs)
 * and takes each tile through preprocess, as the page takes a picture. Glyphs no font of this
 * system has (drawn as the empty box a browser shows instead) and glyphs that leave no ink are
 * left out. Returns { pixels: Uint8Array(count * 784), count } (count 0 where the canvas has no 2d
 * context).
 */
export function renderGlyphs(specs, canvas) {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) return { pixels: new Uint8Array(0), count: 0 }; // a canvas that cannot draw here
  const pixels = new Uint8Array(specs.length * SIZE * SIZE);
  const tile = { width: PAD, height: PAD, data: new Uint8ClampedArray(PAD * PAD * 4) };
  const missing = new Map(); // font -> the metrics of a character no font has
  let count = 0;
  for (let first = 0; first < specs.length; first += GRID * GRID) {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, CANVAS, CANVAS);
    const drawn = specs.slice(first, first + GRID * GRID).map((s, i) => drawGlyph(ctx, s, i, missing));
    const all = ctx.getImageData(0, 0, CANVAS, CANVAS).data;
    drawn.forEach((ok, i) => {
      if (!ok) return;
      const x0 = (i % GRID) * PAD, y0 = Math.floor(i / GRID) * PAD;
      for (let y = 0; y < PAD; y++) {
        const row = ((y0 + y) * CANVAS + x0) * 4;
        tile.data.set(all.subarray(row, row + PAD * 4), y * PAD * 4);
      }
      const input = preprocess(tile);
      const out = pixels.subarray(count * input.length, (count + 1) * input.length);
      let ink = 0;
      for (let k = 0; k < input.length; k++) ink |= out[k] = Math.round(input[k] * 255);
      if (ink) count++;
    });
  }
  return { pixels: pixels.slice(0, count * SIZE * SIZE), count };
}

// Draws spec s in tile i of the canvas, clipped to it; false if no font has its character.
function drawGlyph(ctx, s, i, missing) {
  const font = `${s.style} ${s.weight} 100px ${s.family}`;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.font = font;
  if (!missing.has(font)) missing.set(font, signature(ctx.measureText('\u{10FFFD}')));
  const m = ctx.measureText(s.char);
  if (signature(m) === missing.get(font)) return false;
  const w = m.actualBoundingBoxLeft + m.actualBoundingBoxRight, h = m.actualBoundingBoxAscent + m.actualBoundingBoxDescent;
  if (!(w > 0 && h > 0)) return false;
  const x0 = (i % GRID) * PAD, y0 = Math.floor(i / GRID) * PAD;
  const k = s.size / Math.max(w, h), margin = 4;
  const room = (len) => Math.max(0, PAD - len * k - 2 * margin);
  ctx.save();
  ctx.beginPath();
  ctx.rect(x0, y0, PAD, PAD);
  ctx.clip();
  ctx.translate(x0 + margin + s.x * room(w) + (w * k) / 2, y0 + margin + s.y * room(h) + (h * k) / 2);
  ctx.transform(1, 0, Math.tan(s.shear), 1, 0, 0);
  ctx.rotate(s.angle);
  ctx.scale(k, k);
  const x = (m.actualBoundingBoxLeft - m.actualBoundingBoxRight) / 2;
  const y = (m.actualBoundingBoxAscent - m.actualBoundingBoxDescent) / 2;
  ctx.fillStyle = ctx.strokeStyle = '#000';
  ctx.fillText(s.char, x, y);
  if (s.pen > 0) {
    ctx.lineWidth = s.pen / k;
    ctx.lineJoin = 'round';
    ctx.strokeText(s.char, x, y);
  }
  ctx.restore();
  return true;
}

function signature(m) {
  const { width, actualBoundingBoxLeft: l, actualBoundingBoxRight: r, actualBoundingBoxAscent: a, actualBoundingBoxDescent: d } = m;
  return [width, l, r, a, d].join();
}

// A consistent personal handwriting style, made from MNIST digits (a module for tests, not a test):
// someone who writes with a heavy marker and a strong forward slant. Each digit is drawn on the
// 280x280 pad (tests/wasm/drawn.mjs) with a thick hard pen, leaned over by a shear of about 45°,
// and read back through the page's preprocess(), so the result is the 28x28 image the network
// would see of that person's drawing. Everything random comes from a seed.
//
//   const rng = makeRng(1);
//   styledDigit(row.pixels, rng)   // Uint8Array(784) 0..255 -> Float32Array(784) 0..1
//   pickPerDigit(rows, 20, rng)    // 20 rows of each digit, chosen at random
import { PAD, drawCoverage, makeRng, toImageData } from './drawn.mjs';
import { preprocess } from '../../web/preprocess.js';

export { makeRng };

export const STYLE = Object.freeze({
  slant: 1.0,      // horizontal shift per unit of height (tan of 45°), top to the right
  slantJitter: 0.1, // ± this much from one drawing to the next
  thicken: 10,     // pen widening on the 280 px pad, px each side (MNIST's strokes are ~20 px there)
  height: 190,     // the digit's height on the pad, px
});

/** The styled drawing of one 28x28 digit (pixels 0..255), as the network's Float32Array(784) input. */
export function styledDigit(pixels, rng, style = STYLE) {
  const digit = Float32Array.from(pixels, (v) => v / 255);
  const cover = drawCoverage(digit, {
    height: style.height, x: 0.5, y: 0.5, pen: 'hard', threshold: 0.4, thicken: style.thicken,
  });
  const slant = style.slant + style.slantJitter * (2 * rng() - 1);
  const leaned = new Float32Array(PAD * PAD);
  for (let y = 0; y < PAD; y++) {
    const shift = Math.round(slant * (PAD / 2 - y)); // rows above the middle move right
    for (let x = 0; x < PAD; x++) {
      const from = x - shift;
      if (from >= 0 && from < PAD) leaned[y * PAD + x] = cover[y * PAD + from];
    }
  }
  return preprocess(toImageData(leaned, PAD, PAD, 'black-on-white'));
}

/** `perDigit` rows of each digit 0..9 (rows: { label, pixels }), chosen at random without repeats. */
export function pickPerDigit(rows, perDigit, rng) {
  const picked = [];
  for (let digit = 0; digit < 10; digit++) {
    const pool = rows.filter((r) => r.label === digit);
    for (let i = pool.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    if (pool.length < perDigit) throw new Error(`only ${pool.length} rows of the digit ${digit}`);
    picked.push(...pool.slice(0, perDigit));
  }
  return picked;
}

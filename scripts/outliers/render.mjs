// Draws non-digits on a 280x280 canvas in headless Chromium, as the page would show them, and
// takes each through the page's own preprocess (web/preprocess.js, loaded into the same page).
//
//   const r = await openRenderer(fonts);   // fonts: [{ family, file }] loaded by @font-face
//   const images = await r.render(specs);  // one Uint8Array(784) per spec (null: glyph missing)
//   await r.close();
//
// A spec is either
//   { kind: 'glyph', family, char, size, x, y, angle, convention, colour }
//       the character filled in that font, its longer side `size` px, slanted by `angle`
//       radians, placed at x, y (0..1) in the room left on the pad;
//   { kind: 'strokes', strokes, width, filled, convention, colour }
//       strokes in pad units (0..1), painted as web/pad.js paints them (round caps and joins,
//       quadratic curves through the midpoints), `width` the pen in pad units; `filled` fills
//       the outline instead.
// convention: one of tests/wasm/drawn.mjs's CONVENTIONS; colour: [r, g, b] of the ink.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ORIGIN = 'http://render.invalid';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic', '--font-render-hinting=none'];

const PAGE = `<!doctype html><meta charset="utf-8"><body><script type="module">
import { preprocess } from '${ORIGIN}/web/preprocess.js';
const PAD = 280;
const canvas = document.createElement('canvas');
canvas.width = canvas.height = PAD;
const ctx = canvas.getContext('2d', { willReadFrequently: true });

function begin(convention, colour) {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, PAD, PAD);
  let ink = 'rgb(' + colour.join(',') + ')';
  if (convention === 'black-on-white') { ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, PAD, PAD); ink = '#000'; }
  else if (convention === 'white-on-black') { ctx.fillStyle = '#000'; ctx.fillRect(0, 0, PAD, PAD); ink = '#fff'; }
  ctx.fillStyle = ctx.strokeStyle = ink;
}

function glyphMissing(family, char) {
  ctx.font = '100px "' + family + '", serif';
  const a = ctx.measureText(char).width;
  ctx.font = '100px "' + family + '", monospace';
  return a !== ctx.measureText(char).width; // the fallback font drew it
}

function drawGlyph(s) {
  if (glyphMissing(s.family, s.char)) return false;
  ctx.font = '200px "' + s.family + '"';
  const m = ctx.measureText(s.char);
  const w = m.actualBoundingBoxLeft + m.actualBoundingBoxRight, h = m.actualBoundingBoxAscent + m.actualBoundingBoxDescent;
  if (!(w > 0 && h > 0)) return false;
  const k = s.size / Math.max(w, h), margin = 6;
  const room = (len) => Math.max(0, PAD - len * k - 2 * margin);
  const cx = margin + s.x * room(w) + (w * k) / 2, cy = margin + s.y * room(h) + (h * k) / 2;
  ctx.translate(cx, cy);
  ctx.rotate(s.angle);
  ctx.scale(k, k);
  ctx.fillText(s.char, -(m.actualBoundingBoxRight - m.actualBoundingBoxLeft) / 2, (m.actualBoundingBoxAscent - m.actualBoundingBoxDescent) / 2);
  return true;
}

function drawStrokes(s) {
  ctx.lineWidth = s.width * PAD;
  ctx.lineCap = ctx.lineJoin = 'round';
  for (const stroke of s.strokes) {
    const pts = stroke.map(([x, y]) => ({ x: x * PAD, y: y * PAD }));
    ctx.beginPath();
    if (pts.length === 1) {
      ctx.arc(pts[0].x, pts[0].y, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.moveTo(pts[0].x, pts[0].y);
    for (let i = 1; i < pts.length - 1; i++) {
      ctx.quadraticCurveTo(pts[i].x, pts[i].y, (pts[i].x + pts[i + 1].x) / 2, (pts[i].y + pts[i + 1].y) / 2);
    }
    ctx.lineTo(pts[pts.length - 1].x, pts[pts.length - 1].y);
    if (s.filled) { ctx.closePath(); ctx.fill(); } else ctx.stroke();
  }
  return true;
}

window.renderBatch = (specs) => {
  const out = new Uint8Array(specs.length * 785); // a flag byte (1 = drawn) then 784 pixels
  specs.forEach((s, i) => {
    begin(s.convention, s.colour);
    if (!(s.kind === 'glyph' ? drawGlyph(s) : drawStrokes(s))) return;
    const x = preprocess(ctx.getImageData(0, 0, PAD, PAD));
    let inked = 0;
    for (let k = 0; k < 784; k++) { out[i * 785 + 1 + k] = Math.round(x[k] * 255); inked |= out[i * 785 + 1 + k]; }
    out[i * 785] = inked ? 1 : 0;
  });
  let bin = '';
  for (let i = 0; i < out.length; i += 8192) bin += String.fromCharCode(...out.subarray(i, i + 8192));
  return btoa(bin);
};
window.ready = Promise.all([...document.fonts].map((f) => f.load()));
</script>`;

export async function openRenderer(fonts = []) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const page = await browser.newPage();
  await page.route(`${ORIGIN}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: PAGE });
    if (url.pathname.startsWith('/web/')) {
      return route.fulfill({ contentType: 'text/javascript', body: fs.readFileSync(path.join(root, url.pathname)) });
    }
    const font = fonts[Number(url.pathname.replace('/font/', ''))];
    if (font) return route.fulfill({ contentType: 'font/ttf', body: fs.readFileSync(font.file) });
    return route.fulfill({ status: 404, body: 'not found' });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => typeof window.renderBatch === 'function');
  const failed = await page.evaluate(async (list) => {
    const bad = [];
    for (const [i, f] of list.entries()) {
      try {
        document.fonts.add(await new FontFace(f.family, `url(/font/${i})`).load());
      } catch (e) {
        bad.push(i);
      }
    }
    return bad;
  }, fonts.map((f) => ({ family: f.family })));
  if (failed.length) {
    await browser.close();
    throw new Error(`Chromium could not load ${failed.map((i) => fonts[i].file).join(', ')}`);
  }
  return {
    async render(specs, batch = 200) {
      const images = [];
      for (let i = 0; i < specs.length; i += batch) {
        const b64 = await page.evaluate((s) => window.renderBatch(s), specs.slice(i, i + batch));
        const bytes = Buffer.from(b64, 'base64');
        for (let k = 0; k < Math.min(batch, specs.length - i); k++) {
          images.push(bytes[k * 785] ? new Uint8Array(bytes.subarray(k * 785 + 1, (k + 1) * 785)) : null);
        }
      }
      return images;
    },
    close: () => browser.close(),
  };
}

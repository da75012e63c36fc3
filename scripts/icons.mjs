// The site's PNG icons (192 and 512 px, for installing the page as an app), drawn from web/icon.svg
// by the site build (scripts/build-site.mjs): no image tools needed, and one source for the icon.
// The SVG must stay as simple as it is: one rounded <rect> (the paper) and <path>s stroked with
// round caps and joins, made of M, L, H, V (and their relative forms) commands.
//
//   import { iconPng } from './icons.mjs';
//   iconPng(svgText, 192)  // -> Buffer: an RGBA PNG, anti-aliased (4x4 samples a pixel)
import { deflateSync } from 'node:zlib';

/** The SVG's shapes: { size, rect: { w, h, rx, fill }, strokes: [{ points, width, color }] }. */
export function parseIcon(svg) {
  const attr = (tag, name) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
  const viewBox = attr(svg.match(/<svg[^>]*>/)[0], 'viewBox').split(/\s+/).map(Number);
  const rectTag = svg.match(/<rect[^>]*>/)?.[0];
  if (!rectTag) throw new Error('icon.svg: no <rect>');
  const rect = { w: Number(attr(rectTag, 'width')), h: Number(attr(rectTag, 'height')), rx: Number(attr(rectTag, 'rx') ?? 0), fill: rgb(attr(rectTag, 'fill')) };
  const strokes = [...svg.matchAll(/<path[^>]*>/g)].map(([tag]) => ({
    points: pathPoints(attr(tag, 'd')), width: Number(attr(tag, 'stroke-width')), color: rgb(attr(tag, 'stroke')),
  }));
  return { size: viewBox[2], rect, strokes };
}

function pathPoints(d) {
  const points = [];
  let x = 0, y = 0;
  for (const [, cmd, args] of d.matchAll(/([MLHVmlhv])([^MLHVmlhv]*)/g)) {
    const n = args.trim().split(/[\s,]+/).filter(Boolean).map(Number);
    const rel = cmd === cmd.toLowerCase();
    const step = 'MLml'.includes(cmd) ? 2 : 1;
    for (let i = 0; i < n.length; i += step) {
      const c = cmd.toUpperCase();
      if (c === 'M' || c === 'L') [x, y] = rel ? [x + n[i], y + n[i + 1]] : [n[i], n[i + 1]];
      else if (c === 'H') x = rel ? x + n[i] : n[i];
      else y = rel ? y + n[i] : n[i];
      points.push([x, y]);
    }
  }
  if (points.length < 2) throw new Error(`icon.svg: the path '${d}' has fewer than two points`);
  return points;
}

function rgb(hex) {
  const m = /^#([\da-f]{6})$/i.exec(hex ?? '');
  if (!m) throw new Error(`icon.svg: colour '${hex}' is not #rrggbb`);
  return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
}

/** The icon drawn at `px` x `px` as a PNG. */
export function iconPng(svg, px) {
  const { size, rect, strokes } = parseIcon(svg);
  const scale = size / px, S = 4;
  const rgba = Buffer.alloc(px * px * 4);
  for (let py = 0; py < px; py++) {
    for (let qx = 0; qx < px; qx++) {
      let paper = 0;
      const ink = new Array(strokes.length).fill(0);
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const x = (qx + (sx + 0.5) / S) * scale, y = (py + (sy + 0.5) / S) * scale;
          if (!inRoundedRect(x, y, rect)) continue;
          paper++;
          strokes.forEach((s, k) => { if (distanceToPolyline(x, y, s.points) <= s.width / 2) ink[k]++; });
        }
      }
      // The strokes over the paper, each sample counted once for the topmost stroke that covers it.
      let color = rect.fill, cover = paper / (S * S);
      strokes.forEach((s, k) => {
        const t = paper ? ink[k] / paper : 0;
        color = color.map((c, i) => c + (s.color[i] - c) * t);
      });
      const at = 4 * (py * px + qx);
      rgba[at] = Math.round(color[0]);
      rgba[at + 1] = Math.round(color[1]);
      rgba[at + 2] = Math.round(color[2]);
      rgba[at + 3] = Math.round(cover * 255);
    }
  }
  return encodePng(rgba, px, px);
}

function inRoundedRect(x, y, { w, h, rx }) {
  if (x < 0 || y < 0 || x > w || y > h) return false;
  const cx = Math.min(Math.max(x, rx), w - rx), cy = Math.min(Math.max(y, rx), h - rx);
  return (x - cx) ** 2 + (y - cy) ** 2 <= rx * rx;
}

function distanceToPolyline(x, y, points) {
  let best = Infinity;
  for (let i = 1; i < points.length; i++) {
    const [ax, ay] = points[i - 1], [bx, by] = points[i];
    const dx = bx - ax, dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
    best = Math.min(best, Math.hypot(x - ax - t * dx, y - ay - t * dy));
  }
  return best;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** 8-bit RGBA pixels as a PNG (no filtering: icons are small). */
export function encodePng(rgba, width, height) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method variants, no interlace
  const rows = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) rgba.copy(rows, y * (1 + width * 4) + 1, y * width * 4, (y + 1) * width * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

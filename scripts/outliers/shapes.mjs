// Non-digit drawings for the evaluation set: shapes, pictograms and scribbles as a person
// draws them on the pad, as strokes (lists of points) in a unit frame [-1, 1]² (y down).
//
//   SHAPE_FAMILIES            { name: (rng) => { strokes, filled } }, every family a drawing
//                             nobody reads as a digit (see docs/not-a-digit.md for the rule)
//   handDrawn(shape, rng)     the shape placed on the pad (pad units 0..1) with a hand's wobble,
//                             a random size, position and slant
//
// None of these families is generated for training (src/outlier.c draws random strokes,
// random irregular polygons, arcs and digit fragments instead), so the figures measured on
// them say how the rejection generalises to drawings it never saw.

const TAU = 2 * Math.PI;

function poly(points, closed = false) {
  return closed ? [...points, points[0]] : points;
}

function regular(n, r = 1, phase = -Math.PI / 2, cx = 0, cy = 0) {
  return Array.from({ length: n }, (_, i) => [cx + r * Math.cos(phase + (TAU * i) / n), cy + r * Math.sin(phase + (TAU * i) / n)]);
}

function ellipse(cx, cy, rx, ry, from = 0, to = TAU, steps = 40) {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const a = from + ((to - from) * i) / steps;
    return [cx + rx * Math.cos(a), cy + ry * Math.sin(a)];
  });
}

function line(a, b) {
  return [a, b];
}

const between = (rng, lo, hi) => lo + rng() * (hi - lo);
const pick = (rng, list) => list[Math.floor(rng() * list.length)];

export const SHAPE_FAMILIES = {
  triangle: (rng) => ({ strokes: [poly(regular(3, 1, -Math.PI / 2 + between(rng, -0.3, 0.3)), true)] }),
  square: (rng) => {
    const a = between(rng, 0.6, 1);
    return { strokes: [poly([[-1, -a], [1, -a], [1, a], [-1, a]], true)] };
  },
  diamond: () => ({ strokes: [poly([[0, -1], [0.7, 0], [0, 1], [-0.7, 0]], true)] }),
  pentagon: (rng) => ({ strokes: [poly(regular(5, 1, between(rng, 0, 1)), true)] }), // more sides read as a 0
  star: (rng) => {
    if (rng() < 0.5) { // pentagram in one stroke
      const v = regular(5);
      return { strokes: [[v[0], v[2], v[4], v[1], v[3], v[0]]] };
    }
    const n = pick(rng, [5, 6]), inner = between(rng, 0.35, 0.5);
    const pts = Array.from({ length: 2 * n }, (_, i) => {
      const r = i % 2 ? inner : 1, a = -Math.PI / 2 + (Math.PI * i) / n;
      return [r * Math.cos(a), r * Math.sin(a)];
    });
    return { strokes: [poly(pts, true)] };
  },
  spiral: (rng) => {
    const turns = between(rng, 2, 3.5), dir = rng() < 0.5 ? 1 : -1, steps = 120;
    return { strokes: [Array.from({ length: steps + 1 }, (_, i) => {
      const t = i / steps, a = dir * TAU * turns * t;
      return [t * Math.cos(a), t * Math.sin(a)];
    })] };
  },
  zigzag: (rng) => {
    const n = 4 + Math.floor(rng() * 5), h = between(rng, 0.3, 0.7);
    return { strokes: [Array.from({ length: n + 1 }, (_, i) => [-1 + (2 * i) / n, i % 2 ? h : -h])] };
  },
  plus: () => ({ strokes: [line([0, -1], [0, 1]), line([-1, 0], [1, 0])] }),
  cross: () => ({ strokes: [line([-1, -1], [1, 1]), line([1, -1], [-1, 1])] }),
  check: (rng) => ({ strokes: [[[-1, between(rng, -0.1, 0.2)], [-0.35, 0.8], [1, -1]]] }),
  smiley: (rng) => ({
    strokes: [ellipse(0, 0, 1, 1), [[-0.35, -0.3]], [[0.35, -0.3]], ellipse(0, 0.05, 0.55, 0.45, 0.2 * Math.PI, 0.8 * Math.PI, 16)],
  }),
  house: (rng) => {
    const strokes = [poly([[-0.8, -0.1], [0.8, -0.1], [0.8, 1], [-0.8, 1]], true), [[-1, 0], [0, -1], [1, 0]]];
    if (rng() < 0.6) strokes.push([[-0.2, 1], [-0.2, 0.45], [0.2, 0.45], [0.2, 1]]);
    return { strokes };
  },
  heart: () => ({ strokes: [Array.from({ length: 61 }, (_, i) => {
    const t = (TAU * i) / 60;
    const x = 16 * Math.sin(t) ** 3, y = 13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t);
    return [x / 17, -y / 17];
  })] }),
  arrow: (rng) => {
    const a = (TAU * Math.floor(rng() * 8)) / 8, c = Math.cos(a), s = Math.sin(a);
    const tip = [c, s], tail = [-c, -s], h = 0.45;
    const side = (sign) => [c - h * Math.cos(a - sign * 0.6), s - h * Math.sin(a - sign * 0.6)];
    return { strokes: [line(tail, tip), [side(1), tip, side(-1)]] };
  },
  wave: (rng) => {
    const periods = between(rng, 1.5, 3), amp = between(rng, 0.25, 0.5);
    return { strokes: [Array.from({ length: 61 }, (_, i) => [-1 + i / 30, amp * Math.sin((TAU * periods * i) / 60)])] };
  },
  lightning: () => ({ strokes: [poly([[0.2, -1], [-0.45, 0.1], [0.05, 0.1], [-0.25, 1], [0.5, -0.2], [0, -0.2], [0.35, -1]], true)] }),
  hash: () => ({ strokes: [line([-0.35, -1], [-0.45, 1]), line([0.45, -1], [0.35, 1]), line([-1, -0.35], [1, -0.35]), line([-1, 0.35], [1, 0.35])] }),
  sun: (rng) => {
    const rays = 6 + Math.floor(rng() * 5);
    const strokes = [ellipse(0, 0, 0.45, 0.45)];
    for (let i = 0; i < rays; i++) {
      const a = (TAU * i) / rays;
      strokes.push(line([0.62 * Math.cos(a), 0.62 * Math.sin(a)], [Math.cos(a), Math.sin(a)]));
    }
    return { strokes };
  },
  flower: (rng) => {
    const petals = 5 + Math.floor(rng() * 3);
    const pts = Array.from({ length: 121 }, (_, i) => {
      const a = (TAU * i) / 120, r = 0.35 + 0.65 * Math.abs(Math.sin((petals * a) / 2));
      return [r * Math.cos(a), r * Math.sin(a)];
    });
    return { strokes: [pts, ellipse(0, 0, 0.2, 0.2, 0, TAU, 16)] };
  },
  stickFigure: () => ({ strokes: [ellipse(0, -0.75, 0.25, 0.25, 0, TAU, 20), line([0, -0.5], [0, 0.3]), line([-0.6, -0.2], [0.6, -0.2]),
    [[-0.45, 1], [0, 0.3], [0.45, 1]]] }),
  cloud: () => {
    const bumps = [[-0.6, 0.1, 0.4], [-0.15, -0.25, 0.5], [0.45, -0.1, 0.45], [0.7, 0.25, 0.3]];
    const strokes = bumps.map(([x, y, r]) => ellipse(x, y, r, r, Math.PI * 0.95, Math.PI * 2.05, 20));
    strokes.push(line([-1, 0.45], [1, 0.45]));
    return { strokes };
  },
  tree: () => ({ strokes: [poly([[0, -1], [0.7, 0.4], [-0.7, 0.4]], true), [[-0.15, 0.4], [-0.15, 1], [0.15, 1], [0.15, 0.4]]] }),
  fish: () => ({ strokes: [ellipse(-0.2, 0, 0.65, 0.4), poly([[0.45, 0], [1, -0.45], [1, 0.45]], true), [[-0.5, -0.1]]] }),
  envelope: () => ({ strokes: [poly([[-1, -0.65], [1, -0.65], [1, 0.65], [-1, 0.65]], true), [[-1, -0.65], [0, 0.1], [1, -0.65]]] }),
  moon: () => ({ strokes: [[...ellipse(0, 0, 1, 1, 0.3 * Math.PI, 1.7 * Math.PI, 30), ...ellipse(0.55, 0, 0.75, 0.8, 1.45 * Math.PI, 0.55 * Math.PI, 30)]] }),
  // filled shapes, as a paint bucket or a thick marker leaves them
  filledTriangle: () => ({ strokes: [regular(3)], filled: true }),
  filledSquare: () => ({ strokes: [[[-1, -1], [1, -1], [1, 1], [-1, 1]]], filled: true }),
  filledStar: () => ({ strokes: [Array.from({ length: 10 }, (_, i) => {
    const r = i % 2 ? 0.42 : 1, a = -Math.PI / 2 + (Math.PI * i) / 5;
    return [r * Math.cos(a), r * Math.sin(a)];
  })], filled: true }),
  filledHeart: () => ({ strokes: [Array.from({ length: 60 }, (_, i) => {
    const t = (TAU * i) / 60;
    return [16 * Math.sin(t) ** 3 / 17, -(13 * Math.cos(t) - 5 * Math.cos(2 * t) - 2 * Math.cos(3 * t) - Math.cos(4 * t)) / 17];
  })], filled: true }),
  // scribbles
  tangle: (rng) => {
    const pts = [];
    let x = 0, y = 0, a = rng() * TAU;
    for (let i = 0; i < 90; i++) {
      a += between(rng, -0.7, 0.7);
      x += 0.12 * Math.cos(a);
      y += 0.12 * Math.sin(a);
      if (Math.hypot(x, y) > 1) a += Math.PI; // stay in the frame: turn back
      pts.push([x, y]);
    }
    return { strokes: [pts] };
  },
  hatching: (rng) => {
    const n = 5 + Math.floor(rng() * 6), pts = [];
    for (let i = 0; i < n; i++) {
      const y = -1 + (2 * i) / (n - 1);
      pts.push(i % 2 ? [1, y + 0.1] : [-1, y]);
    }
    return { strokes: [pts] };
  },
  loops: (rng) => { // a run of cursive loops, "llll" or "eeee"
    const n = 3 + Math.floor(rng() * 4), pts = [];
    for (let i = 0; i <= n * 24; i++) {
      const t = i / 24, a = TAU * t;
      pts.push([-1 + (2 * t) / n + 0.35 * Math.sin(a) / n * 2, 0.5 - 0.9 * (1 - Math.cos(a)) / 2 * between(rng, 0.95, 1.05)]);
    }
    return { strokes: [pts] };
  },
  crossedOut: (rng) => {
    const strokes = [];
    const n = 3 + Math.floor(rng() * 3);
    for (let i = 0; i < n; i++) strokes.push(line([-1, -0.8 + (1.6 * i) / (n - 1)], [1, -0.8 + (1.6 * i) / (n - 1) + between(rng, -0.2, 0.2)]));
    strokes.push(line([-1, 1], [1, -1]));
    return { strokes };
  },
};

// The shape on the pad: slanted by up to 20°, stretched by up to 25%, given a hand's wobble
// (a smooth random displacement of up to 2% of its size), scaled to 60..260 px of the 280 px
// pad and put anywhere on it. Returns { strokes (pad units), filled, width (pad units) }.
export function handDrawn(shape, rng, { pad = 280 } = {}) {
  const angle = between(rng, -0.35, 0.35), c = Math.cos(angle), s = Math.sin(angle);
  const sx = between(rng, 0.8, 1.25), sy = between(rng, 0.8, 1.25);
  const phases = [0, 1, 2, 3].map(() => rng() * TAU), wobble = between(rng, 0.005, 0.02);
  const freq = between(rng, 1.5, 3.5);
  const moved = shape.strokes.map((stroke) => resample(stroke, 0.03).map(([x, y]) => {
    const wx = wobble * (Math.sin(freq * x + phases[0]) + Math.sin(freq * 1.7 * y + phases[1]));
    const wy = wobble * (Math.sin(freq * y + phases[2]) + Math.sin(freq * 1.3 * x + phases[3]));
    const u = sx * (x + wx), v = sy * (y + wy);
    return [c * u - s * v, s * u + c * v];
  }));
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const st of moved) for (const [x, y] of st) {
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  const size = between(rng, 60, 260) / pad; // the longer side, pad units
  const scale = size / Math.max(x1 - x0, y1 - y0, 1e-6);
  // the pad's pen is 0.075; a pen much wider than a tenth of the drawing fills it in (a blob,
  // which is no drawing of the shape any more)
  const width = Math.min(between(rng, 0.04, 0.09), 0.12 * size);
  const margin = width / 2 + 0.01;
  const w = (x1 - x0) * scale, h = (y1 - y0) * scale;
  const ox = margin + rng() * Math.max(0, 1 - w - 2 * margin), oy = margin + rng() * Math.max(0, 1 - h - 2 * margin);
  const strokes = moved.map((st) => st.map(([x, y]) => [ox + (x - x0) * scale, oy + (y - y0) * scale]));
  return { strokes, filled: !!shape.filled, width };
}

// Points along a polyline no further apart than step (a single point stays one point).
function resample(stroke, step) {
  if (stroke.length < 2) return stroke;
  const out = [stroke[0]];
  for (let i = 1; i < stroke.length; i++) {
    const [ax, ay] = stroke[i - 1], [bx, by] = stroke[i];
    const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay) / step));
    for (let k = 1; k <= n; k++) out.push([ax + ((bx - ax) * k) / n, ay + ((by - ay) * k) / n]);
  }
  return out;
}

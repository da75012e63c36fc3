// pad.js: the drawing pad. Pointer Events (mouse, touch, pen) make strokes; the pad keeps
// them as lists of points in pad units (the pad's height is 1, across as down, so a wide pad keeps
// a digit's shape and any size or pixel density redraws them the same) and paints them like a thick marker: round caps and joins, quadratic
// curves through the midpoints of successive points (web/strokes.js draws the same path for the
// network).
//
//   const pad = new Pad(canvas, { onChange, area });
//       onChange({ strokeEnded }) runs at most once per frame; strokeEnded: a stroke ended since
//       the last. area (default: the canvas) is an element around the canvas: a stroke may start
//       anywhere on it, and its points are kept up to its edges (outside 0..1 beyond the canvas),
//       so a digit begun just off the pad, or one that leaves it and comes back, stays whole.
//       The area needs `touch-action: none` for fingers, as the canvas has.
//   pad.undo(); pad.redo(); pad.clear(); pad.isEmpty; pad.strokeCount; pad.canRedo
//       redo() puts back the last stroke undo() took; a new stroke or a clear forgets them
//   pad.restore(strokes)                // shows these strokes again (as pad.strokes gave them)
//   pad.strokes                         // the strokes, [[{ x, y }, ...], ...]: read, do not change
//   paintStrokes(ctx, strokes, size, color)   // paints strokes on a canvas `size` pixels tall

const PEN_WIDTH = 0.075; // fraction of the pad's height: a marker that reads well on the screen
const MIN_STEP = 0.002;  // ignore moves shorter than this (pad units)

export class Pad {
  #canvas;
  #ctx;
  #onChange;
  #strokes = [];
  #undone = [];      // strokes undo() took, the last one first to come back
  #pointerId = null; // the pointer drawing the current stroke, if any
  #rect = null;      // the pad's client rect, taken when a stroke starts
  #bounds = null;    // where points are kept, in pad units: the area's rect, taken with #rect
  #area;
  #color = null;     // the ink's colour, read once per colour scheme
  // What the canvas shows: these strokes, at this size and colour, the last one up to its curve `next`.
  #painted = { strokes: null, size: 0, wide: 0, color: '', count: 0, last: null, next: 0 };
  #frame = 0;
  #ended = false;    // a stroke ended since the last onChange

  constructor(canvas, { onChange = () => {}, area = canvas } = {}) {
    this.#canvas = canvas;
    this.#ctx = canvas.getContext('2d');
    this.#onChange = onChange;
    this.#area = area;
    area.addEventListener('pointerdown', (e) => this.#down(e));
    canvas.addEventListener('pointermove', (e) => this.#move(e));
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      canvas.addEventListener(type, (e) => this.#up(e));
    }
    new ResizeObserver(() => this.#resize()).observe(canvas);
    addEventListener('resize', () => this.#resize()); // also fires on zoom: devicePixelRatio changed
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      this.#color = null;
      this.#schedule();
    });
    this.#resize();
  }

  get isEmpty() { return this.#strokes.length === 0; }
  get strokeCount() { return this.#strokes.length; }
  get strokes() { return this.#strokes; }
  get canRedo() { return this.#undone.length > 0; }

  clear() {
    this.restore([]);
  }

  restore(strokes) {
    this.#strokes = strokes.slice();
    this.#undone = [];
    this.#pointerId = null;
    this.#schedule();
  }

  undo() {
    const stroke = this.#strokes.pop();
    if (stroke) this.#undone.push(stroke);
    this.#pointerId = null;
    this.#schedule();
  }

  redo() {
    const stroke = this.#undone.pop();
    if (!stroke) return;
    this.#strokes.push(stroke);
    this.#pointerId = null;
    this.#schedule();
  }

  #down(e) {
    if (this.#pointerId !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.#canvas.setPointerCapture(e.pointerId);
    this.#pointerId = e.pointerId;
    this.#undone = [];
    const rect = this.#canvas.getBoundingClientRect();
    const area = this.#area.getBoundingClientRect();
    this.#rect = rect;
    this.#bounds = {
      x0: (area.left - rect.left) / rect.height, x1: (area.right - rect.left) / rect.height,
      y0: (area.top - rect.top) / rect.height, y1: (area.bottom - rect.top) / rect.height,
    };
    this.#strokes.push([this.#point(e)]);
    this.#schedule();
  }

  #move(e) {
    if (e.pointerId !== this.#pointerId) return;
    const stroke = this.#strokes[this.#strokes.length - 1];
    const events = e.getCoalescedEvents?.() ?? [];
    for (const ev of events.length ? events : [e]) {
      const p = this.#point(ev), last = stroke[stroke.length - 1];
      if (Math.hypot(p.x - last.x, p.y - last.y) >= MIN_STEP) stroke.push(p);
    }
    this.#schedule();
  }

  #up(e) {
    if (e.pointerId !== this.#pointerId) return;
    this.#pointerId = null;
    this.#ended = true;
    this.#schedule();
  }

  // The pointer in pad units, kept within the area: a stroke dragged far off the pad runs along
  // the area's edge rather than stretching the digit across the page.
  #point(e) {
    const { x0, y0, x1, y1 } = this.#bounds;
    const x = (e.clientX - this.#rect.left) / this.#rect.height, y = (e.clientY - this.#rect.top) / this.#rect.height;
    return { x: Math.min(x1, Math.max(x0, x)), y: Math.min(y1, Math.max(y0, y)) };
  }

  #resize() {
    const { width, height } = this.#canvas.getBoundingClientRect();
    const w = Math.max(1, Math.round(width * devicePixelRatio)), h = Math.max(1, Math.round(height * devicePixelRatio));
    if (this.#canvas.width !== w) this.#canvas.width = w;
    if (this.#canvas.height !== h) this.#canvas.height = h;
    this.#schedule();
  }

  // Paints what changed. While a stroke is drawn that is only what it gained (the canvas keeps the
  // rest); after anything else (an undo, a clear, a new size or colour), everything again.
  #paint() {
    const ctx = this.#ctx, size = this.#canvas.height, wide = this.#canvas.width, strokes = this.#strokes, was = this.#painted;
    this.#color ??= getComputedStyle(this.#canvas).color;
    const grown = was.strokes === strokes && was.size === size && was.wide === wide && was.color === this.#color &&
      was.count <= strokes.length && (was.count === 0 || strokes[was.count - 1] === was.last);
    let next = was.next;
    if (grown) {
      if (was.count > 0) next = paintStroke(ctx, was.last, size, was.next);
    } else {
      ctx.clearRect(0, 0, wide, size);
      penStyle(ctx, size, this.#color);
    }
    for (let i = grown ? was.count : 0; i < strokes.length; i++) next = paintStroke(ctx, strokes[i], size);
    Object.assign(was, { strokes, size, wide, color: this.#color, count: strokes.length, last: strokes[strokes.length - 1], next });
  }

  // Repaint and tell the listener, once per animation frame at most.
  #schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#paint();
      const strokeEnded = this.#ended;
      this.#ended = false;
      this.#onChange({ strokeEnded });
    });
  }
}

/** Paints strokes (pad units) on a canvas `size` pixels tall with the pad's pen, in `color`. */
export function paintStrokes(ctx, strokes, size, color) {
  penStyle(ctx, size, color);
  for (const stroke of strokes) paintStroke(ctx, stroke, size);
}

function penStyle(ctx, size, color) {
  ctx.lineWidth = PEN_WIDTH * size;
  ctx.lineCap = ctx.lineJoin = 'round';
  ctx.strokeStyle = ctx.fillStyle = color;
}

// Paints a stroke's path on a canvas `size` pixels tall: from the first point, a quadratic curve through
// the midpoint of each two successive points, then a straight last piece; a single point is a dot.
// With `from` > 1 only the curves from point `from` on, and the last piece: a stroke drawn frame by
// frame adds only what it gained (the last piece painted before stays under the new curves, within
// their bend over one step of the pointer). Returns the `from` that paints what comes next.
function paintStroke(ctx, stroke, size, from = 0) {
  const n = stroke.length, first = stroke[0], last = stroke[n - 1];
  ctx.beginPath();
  if (n === 1) {
    ctx.arc(first.x * size, first.y * size, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    return 0;
  }
  if (from <= 1) {
    ctx.moveTo(first.x * size, first.y * size);
    from = 1;
  } else {
    const p = stroke[from - 1], q = stroke[from];
    ctx.moveTo(((p.x + q.x) / 2) * size, ((p.y + q.y) / 2) * size);
  }
  for (let i = from; i < n - 1; i++) {
    const p = stroke[i], q = stroke[i + 1];
    ctx.quadraticCurveTo(p.x * size, p.y * size, ((p.x + q.x) / 2) * size, ((p.y + q.y) / 2) * size);
  }
  ctx.lineTo(last.x * size, last.y * size);
  ctx.stroke();
  return n - 1;
}

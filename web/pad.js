// pad.js: the drawing pad. Pointer Events (mouse, touch, pen) make strokes; the pad keeps
// them as lists of points in pad units (0..1, so any size or pixel density redraws them the
// same) and paints them like a thick marker: round caps and joins, quadratic curves through
// the midpoints of successive points.
//
//   const pad = new Pad(canvas, { onChange });   // onChange({ strokeEnded }) runs at most once per
//                                                // frame; strokeEnded: a stroke ended since the last
//   pad.undo(); pad.clear(); pad.isEmpty; pad.strokeCount
//   pad.imageData(280)                           // the strokes alone, black on transparent

const PEN_WIDTH = 0.075; // fraction of the pad's size: MNIST-like strokes after scaling to 20×20
const MIN_STEP = 0.002;  // ignore moves shorter than this (pad units)

export class Pad {
  #canvas;
  #ctx;
  #onChange;
  #strokes = [];
  #pointerId = null; // the pointer drawing the current stroke, if any
  #rect = null;      // the pad's client rect, taken when a stroke starts
  #frame = 0;
  #ended = false;    // a stroke ended since the last onChange
  #scratch = null;   // offscreen canvas for imageData()

  constructor(canvas, { onChange = () => {} } = {}) {
    this.#canvas = canvas;
    this.#ctx = canvas.getContext('2d');
    this.#onChange = onChange;
    canvas.addEventListener('pointerdown', (e) => this.#down(e));
    canvas.addEventListener('pointermove', (e) => this.#move(e));
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      canvas.addEventListener(type, (e) => this.#up(e));
    }
    new ResizeObserver(() => this.#resize()).observe(canvas);
    addEventListener('resize', () => this.#resize()); // also fires on zoom: devicePixelRatio changed
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.#schedule());
    this.#resize();
  }

  get isEmpty() { return this.#strokes.length === 0; }
  get strokeCount() { return this.#strokes.length; }

  clear() {
    this.#strokes = [];
    this.#pointerId = null;
    this.#schedule();
  }

  undo() {
    this.#strokes.pop();
    this.#pointerId = null;
    this.#schedule();
  }

  // The strokes drawn black on a transparent size×size canvas: the same image on every
  // screen, whatever the pad's CSS size or devicePixelRatio.
  imageData(size = 280) {
    if (!this.#scratch) {
      const canvas = document.createElement('canvas');
      this.#scratch = canvas.getContext('2d', { willReadFrequently: true });
    }
    const ctx = this.#scratch;
    ctx.canvas.width = ctx.canvas.height = size; // also clears it
    paint(ctx, this.#strokes, size, '#000');
    return ctx.getImageData(0, 0, size, size);
  }

  #down(e) {
    if (this.#pointerId !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.#canvas.setPointerCapture(e.pointerId);
    this.#pointerId = e.pointerId;
    this.#rect = this.#canvas.getBoundingClientRect();
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

  #point(e) {
    return { x: (e.clientX - this.#rect.left) / this.#rect.width, y: (e.clientY - this.#rect.top) / this.#rect.height };
  }

  #resize() {
    const { width } = this.#canvas.getBoundingClientRect();
    const size = Math.max(1, Math.round(width * devicePixelRatio));
    if (this.#canvas.width !== size) this.#canvas.width = this.#canvas.height = size;
    this.#schedule();
  }

  // Repaint and tell the listener, once per animation frame at most.
  #schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      const { width } = this.#canvas;
      this.#ctx.clearRect(0, 0, width, width);
      paint(this.#ctx, this.#strokes, width, getComputedStyle(this.#canvas).color);
      const strokeEnded = this.#ended;
      this.#ended = false;
      this.#onChange({ strokeEnded });
    });
  }
}

function paint(ctx, strokes, size, color) {
  ctx.lineWidth = PEN_WIDTH * size;
  ctx.lineCap = ctx.lineJoin = 'round';
  ctx.strokeStyle = ctx.fillStyle = color;
  for (const stroke of strokes) {
    const pts = stroke.map((p) => ({ x: p.x * size, y: p.y * size }));
    ctx.beginPath();
    if (pts.length === 1) {
      ctx.arc(pts[0].x, pts[0].y, ctx.lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.moveTo(pts[0].x, pts[0].y);
    for (let i = 1; i < pts.length - 1; i++) {
      const mid = { x: (pts[i].x + pts[i + 1].x) / 2, y: (pts[i].y + pts[i + 1].y) / 2 };
      ctx.quadraticCurveTo(pts[i].x, pts[i].y, mid.x, mid.y);
    }
    const last = pts[pts.length - 1];
    ctx.lineTo(last.x, last.y);
    ctx.stroke();
  }
}

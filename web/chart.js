// chart.js: the live training chart, drawn on one canvas and updated in place: the training loss
// (left axis) and the training and validation accuracy (right axis) against epochs. Colours come
// from the canvas's CSS custom properties (--loss, --train, --val, --grid, --axis), so it follows
// the page's light and dark schemes.
//
//   const chart = new Chart(canvas);
//   chart.reset(epochs);
//   chart.add({ x, loss, accuracy });          // x: epochs done (fractional), several times an epoch
//   chart.addEpoch({ epoch, valAccuracy });    // one validation point per epoch
//   // redraws at most once per animation frame, and when resized or the colour scheme changes

export class Chart {
  #canvas;
  #ctx;
  #epochs = 1;
  #points = [];
  #epochPoints = [];
  #frame = 0;

  constructor(canvas) {
    this.#canvas = canvas;
    this.#ctx = canvas.getContext('2d');
    new ResizeObserver(() => this.#schedule()).observe(canvas);
    matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => this.#schedule());
    this.#schedule();
  }

  reset(epochs) {
    this.#epochs = Math.max(1, epochs);
    this.#points = [];
    this.#epochPoints = [];
    this.#schedule();
  }

  add(point) {
    if (Number.isFinite(point.loss) && Number.isFinite(point.accuracy)) this.#points.push(point);
    this.#schedule();
  }

  addEpoch(point) {
    this.#epochPoints.push(point);
    this.#schedule();
  }

  get pointCount() { return this.#points.length + this.#epochPoints.length; }

  #schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#draw();
    });
  }

  #draw() {
    const canvas = this.#canvas, ctx = this.#ctx;
    const { width: cssWidth, height: cssHeight } = canvas.getBoundingClientRect();
    if (!cssWidth || !cssHeight) return;
    const dpr = devicePixelRatio || 1;
    const w = Math.round(cssWidth * dpr), h = Math.round(cssHeight * dpr);
    if (canvas.width !== w || canvas.height !== h) { canvas.width = w; canvas.height = h; }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssWidth, cssHeight);

    const style = getComputedStyle(canvas);
    const color = (name) => style.getPropertyValue(name).trim() || style.color;
    const font = `11px ${style.fontFamily}`;
    const pad = { left: 44, right: 40, top: 10, bottom: 24 };
    const plot = { x: pad.left, y: pad.top, w: cssWidth - pad.left - pad.right, h: cssHeight - pad.top - pad.bottom };

    // Scales: the first half epoch's points (a fresh network's big losses and coin-toss accuracy)
    // do not set the ranges once later points exist; they run off the plot, clipped.
    const settled = this.#points.some((p) => p.x >= 0.5) ? this.#points.filter((p) => p.x >= 0.5) : this.#points;
    const lossMax = LOSS_TOPS.find((top) => settled.every((p) => p.loss <= top)) ?? LOSS_TOPS[LOSS_TOPS.length - 1];
    const accuracies = [...settled.map((p) => p.accuracy), ...this.#epochPoints.map((p) => p.valAccuracy)];
    const accMin = ACC_BOTTOMS.find((bottom) => accuracies.every((a) => a >= bottom)) ?? 0;
    const X = (x) => plot.x + (x / this.#epochs) * plot.w;
    const yLoss = (v) => plot.y + plot.h - (v / lossMax) * plot.h;
    const yAcc = (v) => plot.y + plot.h - ((v - accMin) / (1 - accMin)) * plot.h;

    // Grid and axes: five horizontal lines, shared by both scales.
    ctx.font = font;
    ctx.lineWidth = 1;
    ctx.strokeStyle = color('--grid');
    ctx.fillStyle = color('--axis');
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const y = Math.round(plot.y + (plot.h * i) / 4) + 0.5;
      ctx.beginPath();
      ctx.moveTo(plot.x, y);
      ctx.lineTo(plot.x + plot.w, y);
      ctx.stroke();
      ctx.textAlign = 'right';
      ctx.fillText(format(lossMax * (1 - i / 4)), plot.x - 6, y);
      ctx.textAlign = 'left';
      ctx.fillText(`${Math.round((1 - (i / 4) * (1 - accMin)) * 100)}%`, plot.x + plot.w + 6, y);
    }
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText('epoch', 0, plot.y + plot.h + 6);
    ctx.textAlign = 'center';
    const every = Math.max(1, Math.ceil(this.#epochs / Math.max(2, Math.floor(plot.w / 36))));
    for (let e = 0; e <= this.#epochs; e += every) ctx.fillText(String(e), X(e), plot.y + plot.h + 6);

    ctx.save();
    ctx.beginPath();
    ctx.rect(plot.x - 4, plot.y - 4, plot.w + 8, plot.h + 8);
    ctx.clip();
    line(ctx, this.#points.map((p) => [X(p.x), yLoss(p.loss)]), color('--loss'), 2);
    line(ctx, this.#points.map((p) => [X(p.x), yAcc(p.accuracy)]), color('--train'), 1.5);
    const val = this.#epochPoints.map((p) => [X(p.epoch), yAcc(p.valAccuracy)]);
    line(ctx, val, color('--val'), 2);
    ctx.fillStyle = color('--val');
    for (const [x, y] of val) {
      ctx.beginPath();
      ctx.arc(x, y, 3, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.restore();
  }
}

// Tops of the loss axis and bottoms of the accuracy axis: each splits into four round steps.
const LOSS_TOPS = [0.2, 0.4, 0.8, 1.2, 2, 2.4, 4, 8, 20];
const ACC_BOTTOMS = [0.8, 0.6, 0.2, 0];

function line(ctx, points, color, width) {
  if (points.length < 2) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.lineJoin = ctx.lineCap = 'round';
  ctx.beginPath();
  points.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.stroke();
}

function format(v) {
  return v === 0 ? '0' : v >= 1 ? String(Math.round(v * 10) / 10) : String(Math.round(v * 100) / 100);
}

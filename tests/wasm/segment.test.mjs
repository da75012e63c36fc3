// The digits of a number: segment (web/preprocess.js, images), segmentStrokes (web/strokes.js, the
// pad's strokes) and the grouping rule they share (web/groups.js), on hand-made drawings.
// Run: node --test tests/wasm/segment.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRuns, cutColumns, groupParts, MAX_DIGITS } from '../../web/groups.js';
import { MAX_PIXELS, preprocess, segment } from '../../web/preprocess.js';
import { rasterise, renderStrokes, segmentStrokes, strokesBox } from '../../web/strokes.js';

// Strokes from [x, y] pairs (a digit in a unit box), scaled by s and moved by (dx, dy).
const place = (list, { s = 1, dx = 0, dy = 0 } = {}) => list.map((stroke) => stroke.map(([x, y]) => ({ x: x * s + dx, y: y * s + dy })));
const circle = (cx, cy, rx, ry, n = 24) => Array.from({ length: n + 1 }, (_, i) => [cx + rx * Math.cos((2 * Math.PI * i) / n), cy + ry * Math.sin((2 * Math.PI * i) / n)]);
const FOUR = [[[0.6, 0], [0.05, 0.65], [0.95, 0.65]], [[0.7, 0.25], [0.7, 1]]]; // the stem apart from the rest
const SEVEN = [[[0, 0], [0.9, 0], [0.4, 1]], [[0.35, 0.5], [0.85, 0.5]]]; // a crossbar of its own
const DOTTED_ONE = Array.from({ length: 7 }, (_, i) => [[0.5, i / 6]]); // seven taps in a column
const EIGHT = [circle(0.5, 0.22, 0.3, 0.22), circle(0.5, 0.75, 0.35, 0.25)]; // loops that do not meet
const ONE = [[[0.5, 0], [0.5, 1]]];
const ZERO = [circle(0.5, 0.5, 0.45, 0.5)];

// The strokes painted black on white, w x h pixels, pad unit = h pixels, a pen `pen` pixels wide.
function image(strokes, { w = 600, h = 200, pen = 10 } = {}) {
  const cover = rasterise(strokes, new Float32Array(w * h), w, h, { scale: h, dx: 0, dy: 0, radius: pen / 2 });
  const data = new Uint8ClampedArray(4 * w * h).fill(255);
  cover.forEach((c, i) => data.fill(Math.round(255 * (1 - c)), 4 * i, 4 * i + 3));
  return { width: w, height: h, data };
}

// Both paths read the strokes: how many digits each finds, and the boxes' left edges in order.
function both(strokes, options) {
  const fromImage = segment(image(strokes, options));
  const fromStrokes = segmentStrokes(strokes);
  return { image: fromImage, strokes: fromStrokes };
}

function assertLeftToRight(boxes) {
  for (let i = 1; i < boxes.length; i++) assert.ok(boxes[i - 1] < boxes[i], `digit ${i} starts left of digit ${i - 1}: ${boxes}`);
}

test('an empty pad has no digits', () => {
  assert.deepEqual(segment(image([])), []);
  assert.deepEqual(segment({ width: 0, height: 0, data: new Uint8ClampedArray(0) }), []);
  assert.deepEqual(segmentStrokes([]), []);
  assert.deepEqual(segmentStrokes([[{ x: NaN, y: 0 }]]), []);
});

test('one digit is one element: the same input as preprocess, the same strokes as the pad', () => {
  for (const strokes of [place(FOUR, { s: 0.8, dx: 1, dy: 0.1 }), place(SEVEN, { s: 0.6, dx: 2, dy: 0.2 }), place(ZERO, { s: 0.5, dx: 0.3, dy: 0.3 })]) {
    const pad = image(strokes);
    const [digit, ...rest] = segment(pad);
    assert.equal(rest.length, 0);
    assert.deepEqual(digit.x, preprocess(pad));
    const [group, ...others] = segmentStrokes(strokes);
    assert.equal(others.length, 0);
    assert.deepEqual(group.strokes, strokes);
    assert.deepEqual(renderStrokes(group.strokes), renderStrokes(strokes));
  }
});

test('the box is the digit in pad pixels', () => {
  const strokes = place(ONE, { s: 0.5, dx: 1, dy: 0.2 }); // x = 250 px, y from 40 to 140 px, pen 10 px
  const [{ box }] = segment(image(strokes));
  assert.ok(Math.abs(box.x - 245) <= 1 && Math.abs(box.width - 10) <= 2, JSON.stringify(box));
  assert.ok(Math.abs(box.y - 35) <= 1 && Math.abs(box.height - 110) <= 2, JSON.stringify(box));
});

test('ink that belongs together stays together: two-stroke 4, crossbar 7, dotted 1, an 8 whose loops do not meet', () => {
  for (const [name, digit] of [['4', FOUR], ['7', SEVEN], ['dotted 1', DOTTED_ONE], ['8', EIGHT]]) {
    const strokes = place(digit, { s: 0.7, dx: 1.2, dy: 0.15 });
    const { image: fromImage, strokes: fromStrokes } = both(strokes, { pen: 8 });
    assert.equal(fromImage.length, 1, `${name} from the image`);
    assert.equal(fromStrokes.length, 1, `${name} from the strokes`);
    assert.equal(fromStrokes[0].strokes.length, digit.length, name);
  }
});

test('a number: each digit its own element, left to right, whatever order it was drawn in', () => {
  // "4710" drawn right to left, each digit's strokes in turn
  const strokes = [
    ...place(ZERO, { s: 0.6, dx: 2.3, dy: 0.2 }), ...place(ONE, { s: 0.6, dx: 1.5, dy: 0.2 }),
    ...place(SEVEN, { s: 0.6, dx: 0.85, dy: 0.2 }), ...place(FOUR, { s: 0.6, dx: 0.1, dy: 0.2 }),
  ];
  const { image: fromImage, strokes: fromStrokes } = both(strokes, { w: 600, h: 200, pen: 8 });
  assert.equal(fromImage.length, 4);
  assert.equal(fromStrokes.length, 4);
  assertLeftToRight(fromImage.map((d) => d.box.x));
  assertLeftToRight(fromStrokes.map((d) => d.box.x0));
  // each element is that digit alone
  assert.deepEqual(fromStrokes.map((d) => d.strokes.length), [2, 2, 1, 1]);
  const sevenAlone = segment(image(place(SEVEN, { s: 0.6, dx: 0.85, dy: 0.2 }), { w: 600, h: 200, pen: 8 }));
  assert.deepEqual(fromImage[1].x, sevenAlone[0].x);
});

test('digits of very different sizes are both read', () => {
  const strokes = [...place(FOUR, { s: 0.9, dx: 0.1, dy: 0.05 }), ...place(ONE, { s: 0.25, dx: 1.3, dy: 0.7 })];
  const { image: fromImage, strokes: fromStrokes } = both(strokes, { pen: 6 });
  assert.equal(fromImage.length, 2);
  assert.equal(fromStrokes.length, 2);
  assert.ok(fromImage[1].box.height < fromImage[0].box.height / 2);
});

test('stray specks are not digits', () => {
  const specks = [[[2.4, 0.1]], [[2.9, 0.9]], [[0.05, 0.95], [0.06, 0.95]]];
  const strokes = [...place(SEVEN, { s: 0.7, dx: 0.4, dy: 0.15 }), ...place(ZERO, { s: 0.7, dx: 1.4, dy: 0.15 }), ...place(specks)];
  const { image: fromImage, strokes: fromStrokes } = both(strokes, { pen: 8 });
  assert.equal(fromImage.length, 2);
  assert.equal(fromStrokes.length, 2);
  assert.deepEqual(fromStrokes.map((d) => d.strokes.length), [2, 1]);
});

test('digits that touch are cut where too wide for one digit', () => {
  // "00" whose loops touch (wide loops: the pair's ink is 2.1 times as wide as tall): one blob of
  // ink, and one stroke through both
  const pair = [circle(0.36, 0.5, 0.36, 0.32, 32), circle(1.08, 0.5, 0.36, 0.32, 32)].map((c) => c.map(([x, y]) => [x + 0.2, y]));
  const [digits] = [segment(image(place(pair), { w: 400, h: 100, pen: 6 }))];
  assert.equal(digits.length, 2);
  assert.ok(digits[0].box.x + digits[0].box.width <= digits[1].box.x + 4, JSON.stringify(digits.map((d) => d.box)));
  const oneStroke = [[...pair[0], ...pair[1]].map(([x, y]) => ({ x, y }))];
  const groups = segmentStrokes(oneStroke);
  assert.equal(groups.length, 2);
  assert.ok(groups[0].box.x1 < 1.1 && groups[1].box.x0 > 0.8, JSON.stringify(groups.map((g) => g.box)));
});

test('the shared rule: joins by horizontal overlap, drops specks, cuts at the column with least ink', () => {
  const box = (x0, x1, y0 = 0, y1 = 1) => ({ x0, y0, x1, y1 });
  // a bar over a stem (overlap 100% of the narrower), a digit beside them, a speck far right
  assert.deepEqual(groupParts([box(0, 1, 0, 0.1), box(0.5, 0.6), box(1.5, 2.2), box(3, 3.05, 0.5, 0.55)]).map((g) => g.members), [[0, 1], [2]]);
  // overlap less than half the narrower: two digits
  assert.equal(groupParts([box(0, 0.6), box(0.5, 1.1)]).length, 2);
  // a group too wide for one digit is marked; a flat one is not (it is a bar, not digits)
  assert.deepEqual(groupParts([box(0, 2.5)]).map((g) => g.wide), [true]);
  assert.deepEqual(groupParts([box(0, 1), box(1.2, 2.0, 0.5, 0.6)]).map((g) => g.wide), [false, false]);
  // two digits' worth of columns, the least ink at column 6
  assert.deepEqual(cutColumns([5, 5, 4, 6, 5, 3, 1, 2, 4, 5, 5, 6], 1.4, 1), [6]);
  assert.deepEqual(cutColumns([1], 1.4, 1), []);
});

test('bad input stays bounded: a huge pad is refused, a pad full of ink or of noise gives at most MAX_DIGITS', () => {
  assert.throws(() => segment({ width: MAX_PIXELS + 1, height: 1, data: new Uint8ClampedArray(4) }), /up to \d+ pixels/);
  const w = 2000, h = 500;
  const full = new Uint8ClampedArray(4 * w * h).fill(255);
  for (let y = 1; y < h - 1; y++) full.fill(0, 4 * (y * w + 1), 4 * (y * w + w - 1)); // black inside a white border
  for (let i = 3; i < full.length; i += 4) full[i] = 255;
  const fromFull = segment({ width: w, height: h, data: full });
  assert.ok(fromFull.length >= 1 && fromFull.length <= MAX_DIGITS, `${fromFull.length} digits`);
  let seed = 7;
  const noise = new Uint8ClampedArray(4 * w * h).fill(255);
  for (let i = 0; i < w * h; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    if (seed % 7 === 0) noise.fill(0, 4 * i, 4 * i + 3);
  }
  const fromNoise = segment({ width: w, height: h, data: noise });
  assert.ok(fromNoise.length <= MAX_DIGITS, `${fromNoise.length} digits`);
  for (const d of [...fromFull, ...fromNoise]) assert.equal(d.x.length, 784);
  // thousands of taps and long strokes
  const taps = Array.from({ length: 5000 }, (_, i) => [{ x: (i % 100) / 30, y: Math.floor(i / 100) / 50 }]);
  const long = Array.from({ length: 50 }, (_, k) => Array.from({ length: 2000 }, (_, i) => ({ x: k / 15 + Math.sin(i) * 0.05, y: i / 2000 })));
  for (const strokes of [taps, long, [...taps, ...long]]) {
    const groups = segmentStrokes(strokes);
    assert.ok(groups.length <= MAX_DIGITS, `${groups.length} digits`);
    for (const g of groups) assert.ok(strokesBox(g.strokes));
  }
});

test('the network decides the cuts: the runs whose readings are surest together are kept', () => {
  const atom = (x0, x1, group, digit) => ({ x0, x1, y0: 0, y1: 1, group, digit });
  // one group of three slices, by shape one digit (a pair 1.5 times as wide as tall)
  const atoms = [atom(0, 0.5, 0, 'a'), atom(0.5, 0.8, 0, 'a'), atom(0.8, 1.5, 0, 'a')];
  assert.deepEqual(chooseRuns(atoms), [[0, 3]], 'without the network: the default');
  // the reader is sure of the pieces [0, 2) and [2, 3), unsure of the whole and of the rest
  const sure = new Set(['0,2', '2,3']);
  const asked = [];
  const input = (a, b) => { asked.push(`${a},${b}`); return `${a},${b}`; };
  const read = (xs) => xs.map((x) => ({ probabilities: sure.has(x) ? [0.99, 0.01, 0] : [0.5, 0.3, 0.2], isDigit: true }));
  assert.deepEqual(chooseRuns(atoms, { read, input }), [[0, 2], [2, 3]]);
  assert.ok(asked.includes('0,3') && asked.includes('0,1'), asked.join(' '));
  // a sure whole beats two sure pieces: each further digit costs
  sure.add('0,3');
  assert.deepEqual(chooseRuns(atoms, { read, input }), [[0, 3]]);
  // a piece judged no digit loses to a whole that is one
  const noDigit = (xs) => xs.map((x) => ({ probabilities: [0.99, 0.01], isDigit: x === '0,3' }));
  assert.deepEqual(chooseRuns(atoms, { read: noDigit, input }), [[0, 3]]);
  // groups side by side are never joined, even when the reader is surer of them together; groups
  // that overlap are, then, when joins are asked for (ink broken apart in an image)
  const surest = (xs) => xs.map((x) => ({ probabilities: x === '0,2' ? [1, 0] : [0.9, 0.1], isDigit: true }));
  assert.deepEqual(chooseRuns([atom(0, 1, 0, 'a'), atom(1.1, 2, 1, 'b')], { read: surest, input, join: true }), [[0, 1], [1, 2]]);
  assert.deepEqual(chooseRuns([atom(0, 1, 0, 'a'), atom(0.7, 1.5, 1, 'b')], { read: surest, input, join: true }), [[0, 2]]);
  assert.deepEqual(chooseRuns([atom(0, 1, 0, 'a'), atom(0.7, 1.5, 1, 'b')], { read: surest, input }), [[0, 1], [1, 2]]);
});

test('a fragment beside a digit, not above it, joins the digit when it is near', () => {
  const box = (x0, x1, y0 = 0, y1 = 1) => ({ x0, y0, x1, y1 });
  // an 8 and its little tail just right of it, then a digit farther on
  assert.deepEqual(groupParts([box(0, 0.7), box(0.74, 0.8, 0.5, 0.75), box(1.2, 1.9)]).map((g) => g.members), [[0, 1], [2]]);
  // a small digit far from the others stays a digit
  assert.equal(groupParts([box(0, 0.7), box(1.0, 1.1, 0.5, 0.9), box(1.4, 2.1)]).length, 3);
});

test('a flag drawn apart from its digit joins it: gaps are measured between the ink, not the centre lines', () => {
  // a 5 whose flag starts a fifth of its height right of its body (less than a pen's width of ink
  // apart on the pad), then a 1 farther on
  const five = [[[0.05, 0.05], [0.05, 0.45], [0.35, 0.4], [0.6, 0.6], [0.6, 0.85], [0.35, 1], [0, 0.9]], [[0.8, 0.05], [1.2, 0.05]]];
  const strokes = [...place(five, { s: 0.5, dx: 0.3, dy: 0.2 }), ...place(ONE, { s: 0.5, dx: 1.2, dy: 0.2 })];
  const digits = segmentStrokes(strokes);
  assert.deepEqual(digits.map((d) => d.strokes.length), [2, 1]);
  // the same flag nearer the 1 than the 5 goes to the 1: it joins the nearest
  const far = [...place([five[0]], { s: 0.5, dx: 0.3, dy: 0.2 }), ...place([five[1]], { s: 0.5, dx: 0.55, dy: 0.2 }), ...place(ONE, { s: 0.5, dx: 0.95, dy: 0.2 })];
  assert.deepEqual(segmentStrokes(far).map((d) => d.strokes.length), [1, 2]);
});

test('the network is not offered a flat piece as a digit: a bar cut off a digit is part of it', () => {
  const atom = (x0, x1, y0, y1) => ({ x0, x1, y0, y1, group: 0, digit: 'a' });
  // a 4 1.3 times as wide as tall: the left end of its bar, then the rest; the reader is surer of
  // the pieces than of the whole
  const atoms = [atom(0, 0.18, 0.4, 0.5), atom(0.18, 1.3, 0, 1)];
  const read = (xs) => xs.map((x) => ({ probabilities: x === '0,2' ? [0.4, 0.3, 0.3] : [0.99, 0.01, 0], isDigit: true }));
  assert.deepEqual(chooseRuns(atoms, { read, input: (a, b) => `${a},${b}` }), [[0, 2]]);
});

test('the network cuts a touching pair that shape alone leaves whole: "00" in one stroke', async () => {
  const { createRecognizer } = await import('./load.mjs');
  const rec = await createRecognizer();
  const read = (xs) => rec.predictBatch(xs);
  // two loops joined by the pen, 1.4 times as wide as tall: not wide enough to be cut by shape
  const loop = circle(0.3, 0.5, 0.3, 0.5);
  const strokes = place([[...loop, ...loop.map(([x, y]) => [x + 0.8, y])]], { s: 0.5, dx: 0.3, dy: 0.25 });
  assert.equal(segmentStrokes(strokes).length, 1);
  const digits = segmentStrokes(strokes, { read });
  assert.equal(digits.length, 2);
  assert.deepEqual(read(digits.map((d) => renderStrokes(d.strokes))).map((r) => r.digit), [0, 0]);
});

test('segment with the network: one digit stays one, the same input as preprocess', async () => {
  const { createRecognizer } = await import('./load.mjs');
  const rec = await createRecognizer();
  const read = (xs) => rec.predictBatch(xs);
  for (const strokes of [place(ZERO, { s: 0.8, dx: 0.6, dy: 0.1 }), place(FOUR, { s: 0.8, dx: 1, dy: 0.1 })]) {
    const pad = image(strokes);
    assert.deepEqual(segment(pad, { read }).map((d) => d.x), [preprocess(pad)]);
  }
});

test('the network cuts between strokes that shape keeps together: a 1 tucked under a 7\'s bar', async () => {
  const { createRecognizer } = await import('./load.mjs');
  const rec = await createRecognizer();
  const read = (xs) => rec.predictBatch(xs);
  // "71": the 1 stands under the end of the 7's bar, so the shared rule joins them by overlap;
  // drawn 1 first
  const seven = [[[0, 0], [0.7, 0], [0.25, 1]]];
  const one = [[[0.72, 0.05], [0.7, 1]]];
  const strokes = [...place(one, { s: 0.6, dx: 0.5, dy: 0.2 }), ...place(seven, { s: 0.6, dx: 0.5, dy: 0.2 })];
  assert.equal(segmentStrokes(strokes).length, 1);
  const digits = segmentStrokes(strokes, { read });
  assert.deepEqual(digits.map((d) => d.strokes), [strokes[1], strokes[0]].map((s) => [s]));
  assert.deepEqual(read(digits.map((d) => renderStrokes(d.strokes))).map((r) => r.digit), [7, 1]);
  // a digit of several strokes stays one, its strokes in the pad's order: a two-stroke 4, a 7 and
  // its crossbar, an 8 whose loops do not meet
  for (const [label, digit] of [[4, FOUR], [7, SEVEN], [8, EIGHT]]) {
    const drawn = place(digit, { s: 0.6, dx: 0.8, dy: 0.2 });
    const [whole, ...rest] = segmentStrokes(drawn, { read });
    assert.equal(rest.length, 0, `${label}`);
    assert.deepEqual(whole.strokes, drawn);
    assert.equal(read([renderStrokes(whole.strokes)])[0].digit, label);
  }
});

test('a run of atoms is as wide as its leftmost and rightmost ink, whichever atom holds them', () => {
  // atoms in order of their middles: a wide flat stroke (a bar) over a narrow tall one; the first
  // alone is too flat to offer, and the pair spans from the bar's left end: 2.5 wide, 1 tall
  const atoms = [{ x0: 0, x1: 2.5, y0: 0, y1: 0.1, group: 0, digit: 'a' }, { x0: 1.2, x1: 1.3, y0: 0, y1: 1, group: 0, digit: 'a' }, { x0: 0.1, x1: 2.45, y0: 0.2, y1: 1, group: 0, digit: 'a' }];
  const asked = [];
  const read = (xs) => xs.map(() => ({ probabilities: [0.9, 0.1], isDigit: true }));
  chooseRuns(atoms, { read, input: (a, b) => { asked.push(`${a},${b}`); return `${a},${b}`; } });
  // [0, 2) is 2.5 wide for 1 tall: more than MAX_ASPECT, never offered; [1, 3) starts at 0.1
  assert.ok(!asked.includes('0,2') && !asked.includes('1,3'), asked.join(' '));
});

test('strokes are shared between neighbouring digits only where each digit\'s strokes were drawn together', () => {
  // three overlapping strokes, one group by shape; a reader sure of any piece and judging the whole
  // (asked first) no digit
  const [left, middle, right] = place([[[0, 0], [0.4, 1]], [[0.2, 0], [0.6, 1]], [[0.4, 0], [0.8, 1]]], { s: 0.5, dx: 0.5, dy: 0.2 });
  const asked = [];
  const read = (xs) => { asked.push(xs.length); return xs.map((_, k) => ({ probabilities: [0.99, 0.01], isDigit: k > 0 })); };
  // drawn left to right: the network may cut after the first stroke or after the second
  const inOrder = segmentStrokes([left, middle, right], { read });
  assert.equal(inOrder.length, 2);
  assert.equal(asked.pop(), 6); // [0,3), then [0,1) [0,2) [1,2) [1,3) [2,3)
  // the middle stroke drawn last: it was not drawn with the right one alone, nor with the left one
  // alone, so the only cut left is after the left stroke (the middle and right strokes together)
  const outOfOrder = segmentStrokes([left, right, middle], { read });
  assert.deepEqual(outOfOrder.map((d) => d.strokes), [[left], [right, middle]]);
  assert.equal(asked.pop(), 3);
});

test('strokes one above the other are never shared between digits', () => {
  // a 4 traced as its top and its bottom, drawn in turn; the reader is sure of any piece and judges
  // the whole no digit: no cut is offered, and the network is not even asked
  const [top, bottom] = place([[[0.3, 0], [0.8, 0.5]], [[0.6, 0.4], [0, 1]]], { s: 0.5, dx: 0.5, dy: 0.2 });
  let asked = 0;
  const read = (xs) => { asked += xs.length; return xs.map((_, k) => ({ probabilities: [0.99, 0.01], isDigit: k > 0 })); };
  assert.deepEqual(segmentStrokes([top, bottom], { read }).map((d) => d.strokes), [[top, bottom]]);
  assert.equal(asked, 0);
});

test('a piece is judged flat against its own digit, not against the tallest digit of the number', () => {
  // a tall digit, then a small one (0.45 as tall) drawn as two strokes side by side that the
  // reader reads surely apart and unsurely together: the small one's pieces are offered, and cut
  const atom = (x0, x1, y0, y1, group) => ({ x0, x1, y0, y1, group, digit: `${group}` });
  const atoms = [atom(0, 0.6, 0, 1, 0), atom(1, 1.3, 0.55, 1, 1), atom(1.3, 1.6, 0.55, 1, 1)];
  const read = (xs) => xs.map((x) => ({ probabilities: x === '1,3' ? [0.3, 0.3, 0.4] : [0.99, 0.01, 0], isDigit: true }));
  assert.deepEqual(chooseRuns(atoms, { read, input: (a, b) => `${a},${b}` }), [[0, 1], [1, 2], [2, 3]]);
  // the same pieces as flat as the fifth of their digit's height stay whole
  const flat = [atom(0, 0.6, 0, 1, 0), atom(1, 1.3, 0.55, 0.6, 1), atom(1.3, 1.6, 0.55, 1, 1)];
  assert.deepEqual(chooseRuns(flat, { read, input: (a, b) => `${a},${b}` }), [[0, 1], [1, 3]]);
});

// Which pieces of ink make one digit: the rule shared by the image path (segment in
// web/preprocess.js, whose pieces are connected blobs of ink) and the strokes' path (segmentStrokes
// in web/strokes.js, whose pieces are the pad's strokes). Pure, no dependencies.
//
//   groupParts(parts, touch?, pen?)
//                                parts: [{ x0, y0, x1, y1, mass? }] in any one unit; touch(i, j):
//                                whether parts i and j touch (for pieces that may: strokes); pen:
//                                how much wider the ink is than the parts' boxes, as a share of the
//                                tallest group's height (0 for blobs of ink, whose boxes hold it; a
//                                pen's width for strokes, whose boxes are their centre lines')
//                                -> [{ members: [part indices, ascending], x0, y0, x1, y1, wide }], left
//                                   to right; wide: too wide for one digit (digits that touch), to be cut
//   mayBeSeveral(group, tallest, pen?)
//                                -> whether a group may be digits that touch: the network is asked
//   cutColumns(profile, width, height)
//                                -> where to cut a too-wide group: column indices into profile (ink
//                                   per column across the group), ascending; columns before a cut
//                                   go left of it
//   cutCandidates(profile, width, height)
//                                -> cutColumns' cuts for one digit fewer, as many, and one more
//                                   (at least one cut), merged: where a too-wide group may be cut
//   chooseRuns(atoms, { read, input, join })
//                                -> [[a, b), ...]: atoms (pieces of ink left to right, each a whole
//                                   group or a slice of one, { x0, y0, x1, y1, group, digit }) joined into
//                                   digits: by default the atoms of each `digit` together; with
//                                   read (the network: inputs -> [{ probabilities, isDigit }]) and
//                                   input(a, b) (atoms a..b-1 as one digit's 28x28 input), the
//                                   runs the network reads most surely
//
// A number is written left to right, so pieces that lie one above the other belong together: the
// two strokes of a 4 or a 5, a 7 and its crossbar, the dots of a dotted 1, the loops of an 8 that
// barely touch. Two pieces join when their horizontal extents overlap by at least OVERLAP of the
// narrower one's width, or when they touch and together are no wider than TOUCH_ASPECT times
// their height (the pieces of a digit traced in several strokes, where the pen came back to the ink
// it left); joined pieces are one piece for the next comparison, until none joins.
// A group less than FRAGMENT as tall as the tallest is part of a digit (a bar, a flag, a loop's
// end) and joins the group it overlaps most horizontally, if any (boxes that meet count); what is
// then left and is much smaller than the largest digit is a speck (a tap, a dot, a slip). A group
// as tall as a digit but more than MAX_ASPECT times as wide as tall is more than one digit: wide.
// Gaps and shapes are those of the ink, as a person and the network see it: a stroke's box is its
// centre line's, and its ink reaches half a pen further (`pen`), so a flag drawn a little apart
// from its digit is as near to it on the pad as in a picture of the same digit.

// The share of the narrower piece's width that another piece must cover to join it.
export const OVERLAP = 0.5;
// A group less tall than this share of the tallest group is part of a digit, not a digit.
export const FRAGMENT = 0.5;
// A group whose longer side is below this share of the largest group's longer side is a speck.
export const SPECK_SIZE = 0.2;
// A fragment (a group less than FRAGMENT as tall as the tallest) that overlaps no group joins the
// nearest one when the gap between them is at most this share of the tallest group's height: the
// tail of an 8 or the flag of a 1 that the pen lifted from.
export const NEAR = 0.12;
// A group wider than this many times its height is more than one digit (touching digits): the
// widest 1% of MNIST's hold-out digits, traced to their centre lines, are 1.5 times as wide as tall,
// and a forward slant widens a digit further; a digit wrongly cut costs more than a pair left whole.
export const MAX_ASPECT = 2;
// Touching pieces join when together they are at most this wide for their height: wider, they are
// more likely two digits that touch (nine in ten MNIST digits are at most 1.1 times as wide as tall).
export const TOUCH_ASPECT = 1.1;
// A digit's width over height in a run of touching digits (its ink with a pen, and its share of
// the contact): how many digits a too-wide group holds.
export const DIGIT_ASPECT = 0.9;
// Bounds that keep time and memory in check for any input (a pad of noise, a pad full of ink):
// only the MAX_PARTS heaviest pieces are grouped, and at most MAX_DIGITS digits are read.
export const MAX_PARTS = 256;
export const MAX_DIGITS = 16;

/** Groups the parts into digits, left to right; see the top of the file. */
export function groupParts(parts, touch = null, pen = 0) {
  const weight = (p) => p.mass ?? (p.x1 - p.x0) + (p.y1 - p.y0);
  let order = parts.map((_, i) => i);
  if (order.length > MAX_PARTS) order = order.sort((a, b) => weight(parts[b]) - weight(parts[a]) || a - b).slice(0, MAX_PARTS);
  let groups = order.map((i) => ({ members: [i], x0: parts[i].x0, y0: parts[i].y0, x1: parts[i].x1, y1: parts[i].y1 }));
  for (let joined = true; joined;) {
    joined = false;
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        if (!overlaps(groups[a], groups[b]) && !(touch && touching(groups[a], groups[b], touch))) continue;
        groups[a] = join(groups[a], groups[b]);
        groups.splice(b, 1);
        joined = true;
        b = a; // the grown group may now reach pieces it missed
      }
    }
  }
  const tallest = Math.max(0, ...groups.map((g) => g.y1 - g.y0));
  groups = joinFragments(groups, tallest, pen);
  const size = (g) => Math.max(g.x1 - g.x0, g.y1 - g.y0);
  const largest = Math.max(0, ...groups.map(size));
  groups = groups.filter((g) => size(g) >= SPECK_SIZE * largest);
  if (groups.length > MAX_DIGITS) groups = groups.sort((a, b) => size(b) - size(a)).slice(0, MAX_DIGITS);
  for (const g of groups) {
    g.members.sort((a, b) => a - b);
    g.wide = g.y1 - g.y0 >= FRAGMENT * tallest && g.x1 - g.x0 + pen * tallest > MAX_ASPECT * (g.y1 - g.y0 + pen * tallest);
  }
  return groups.sort((a, b) => a.x0 + a.x1 - (b.x0 + b.x1));
}

/**
 * Whether a group (of groupParts, with its `tallest` group's height and `pen`) may be digits that
 * touch: as tall as a digit and its ink at least SPLIT_ASPECT times as wide as tall. The network
 * then decides whether it is cut (chooseRuns).
 */
export function mayBeSeveral(g, tallest, pen = 0) {
  const ink = pen * tallest;
  return g.y1 - g.y0 >= FRAGMENT * tallest && g.x1 - g.x0 + ink >= SPLIT_ASPECT * (g.y1 - g.y0 + ink);
}

/**
 * Where to cut a too-wide group of `width` by `height` (same unit) whose ink per column is
 * profile (any number of equal columns across the width): into as many digits as a digit's width
 * fits (DIGIT_ASPECT), each cut within a third of a digit of where an even split would put it, at
 * the column whose ink, plus the group's mean column ink times the square of its distance from
 * there (in thirds of a digit), is least: a thin join near the even split wins, and a loop's thin
 * top and bottom far from it do not. Returns the cut columns, ascending; [] when there is no room.
 */
export function cutColumns(profile, width, height, count = digitCount(width, height)) {
  const n = profile.length;
  const k = Math.min(MAX_DIGITS, Math.max(2, count));
  if (n < k) return [];
  let mean = 0;
  for (const v of profile) mean += v / n;
  const cuts = [];
  const reach = n / k / 3;
  for (let i = 1; i < k; i++) {
    const even = (i * n) / k;
    let best = -1, least = Infinity;
    for (let c = Math.max(cuts.length ? cuts[cuts.length - 1] + 1 : 1, Math.ceil(even - reach)); c <= Math.min(n - 1, Math.floor(even + reach)); c++) {
      const cost = profile[c] + mean * ((c - even) / reach) ** 2;
      if (cost < least) { best = c; least = cost; }
    }
    if (best > 0) cuts.push(best);
  }
  return cuts;
}

// How many digits a run of touching digits `width` by `height` holds.
function digitCount(width, height) {
  return Math.round(width / (DIGIT_ASPECT * Math.max(height, 1e-9)));
}

/** The cuts cutColumns makes for one digit fewer, as many and one more, merged, ascending. */
export function cutCandidates(profile, width, height) {
  const k = Math.max(2, digitCount(width, height));
  const cuts = new Set();
  for (const count of [k - 1, k, k + 1]) if (count >= 2) for (const c of cutColumns(profile, width, height, count)) cuts.add(c);
  return [...cuts].sort((a, b) => a - b);
}

// A group at least this many times as wide as tall may be two digits that touch: the network is
// asked whether cutting it reads better (MAX_ASPECT is where it must be cut).
export const SPLIT_ASPECT = 1.2;
// Runs of at most this many atoms are read as one digit; at most MAX_RUNS runs are read per call.
const MAX_RUN = 4;
const MAX_RUNS = 96;
// What a piece the network judges no digit costs, in log-probability: a sure reading of a digit
// beats it. The judgment is what tells two touching digits read as one from one digit (the network
// often reads such a pair surely as a single digit), and 3 is about its weight of evidence: the
// threshold rejects about one digit in fifty and nine in ten drawings that are no digit. It is a
// step, not graded by how far the score falls short of the threshold: touching digits merged into
// one fall just short, nearer the threshold than the whole digits it wrongly rejects, so a cost
// that shrinks near the threshold lets the merged pairs through first.
const NOT_A_DIGIT = 3;
// What each further digit costs, in log-probability: a cut must read clearly surer than the whole.
const PIECE = 0.5;
// With `join`, neighbouring groups whose horizontal extents overlap by at least this share of the
// narrower one's width may be one digit whose ink broke apart (the network decides): a thin pen's
// ink breaks in an image, where a pad's strokes do not (its pieces are strokes, which the overlap
// rule joins), and there neighbouring digits that touch overlap this much more often.
const JOIN = 0.2;

/**
 * The atoms joined into digits (see the top of the file): runs [a, b) of consecutive atoms,
 * left to right, covering them all. Without `read`, the atoms of each `digit` make one digit. With
 * it, the candidates are the runs of atoms no wider than MAX_ASPECT times their height and at least
 * FRAGMENT as tall as their group (a flat piece is part of a digit, a bar's end), each of one
 * group or, with `join`, joining groups that overlap by JOIN (and the default runs); the network reads them all
 * in one call, and the runs whose log-probabilities of their top digits (NOT_A_DIGIT less for a piece judged no
 * digit) sum highest are kept: two touching digits read better cut than whole, one digit better
 * whole than cut.
 */
export function chooseRuns(atoms, { read = null, input = null, join = false } = {}) {
  const defaults = [];
  atoms.forEach((atom, i) => {
    if (i === 0 || atom.digit !== atoms[i - 1].digit) defaults.push([i, i + 1]);
    else defaults[defaults.length - 1][1] = i + 1;
  });
  if (!read || !input) return defaults;
  const runs = defaults.map(([a, b]) => ({ a, b }));
  const known = new Set(defaults.map(([a, b]) => a * (atoms.length + 1) + b));
  // each group's height: a run less than FRAGMENT as tall as its group is part of a digit
  const span = new Map();
  for (const t of atoms) {
    const [y0, y1] = span.get(t.group) ?? [t.y0, t.y1];
    span.set(t.group, [Math.min(y0, t.y0), Math.max(y1, t.y1)]);
  }
  const height = (g) => span.get(g)[1] - span.get(g)[0];
  for (let a = 0; a < atoms.length; a++) {
    let x0 = atoms[a].x0, x1 = atoms[a].x1, y0 = atoms[a].y0, y1 = atoms[a].y1, tallest = height(atoms[a].group);
    for (let b = a + 1; b <= Math.min(atoms.length, a + MAX_RUN); b++) {
      if (b > a + 1) {
        const next = atoms[b - 1];
        const prev = atoms[b - 2];
        if (next.group !== prev.group && !(join && Math.min(prev.x1, next.x1) - Math.max(prev.x0, next.x0) >= JOIN * Math.min(prev.x1 - prev.x0, next.x1 - next.x0))) break;
        x0 = Math.min(x0, next.x0); x1 = Math.max(x1, next.x1); y0 = Math.min(y0, next.y0); y1 = Math.max(y1, next.y1);
        tallest = Math.max(tallest, height(next.group));
      }
      if (x1 - x0 > MAX_ASPECT * (y1 - y0) || y1 - y0 < FRAGMENT * tallest || known.has(a * (atoms.length + 1) + b)) continue;
      known.add(a * (atoms.length + 1) + b);
      runs.push({ a, b });
    }
  }
  if (runs.length === defaults.length || runs.length > MAX_RUNS) return defaults;
  const results = read(runs.map(({ a, b }) => input(a, b)));
  // best[b]: the highest score of atoms 0..b-1 cut into runs, and the run that ends it
  const best = Array.from({ length: atoms.length + 1 }, () => ({ score: -Infinity, run: null }));
  best[0].score = 0;
  const order = runs.map((run, i) => ({ ...run, score: runScore(results[i]) })).sort((p, q) => p.b - q.b || p.a - q.a);
  for (const run of order) {
    const score = best[run.a].score + run.score - PIECE;
    if (score > best[run.b].score) best[run.b] = { score, run };
  }
  if (!(best[atoms.length].score > -Infinity)) return defaults;
  const chosen = [];
  for (let b = atoms.length; b > 0; b = best[b].run.a) chosen.unshift([best[b].run.a, b]);
  return chosen;
}

function runScore({ probabilities, isDigit }) {
  return Math.log(Math.max(1e-9, Math.max(...probabilities))) - (isDigit === false ? NOT_A_DIGIT : 0);
}

// Whether the horizontal extents of a and b overlap by at least OVERLAP of the narrower one's width.
function overlaps(a, b) {
  const overlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  return overlap >= 0 && overlap >= OVERLAP * Math.min(a.x1 - a.x0, b.x1 - b.x0);
}

// Each group less than FRAGMENT as tall as `tallest`, shortest first, joined to the other group whose
// horizontal extent overlaps its own most (meeting counts), or failing that the nearest one within
// NEAR of the tallest's height, if one is.
function joinFragments(groups, tallest, pen) {
  const order = groups.filter((g) => g.y1 - g.y0 < FRAGMENT * tallest).sort((a, b) => (a.y1 - a.y0) - (b.y1 - b.y0));
  for (const fragment of order) {
    const at = groups.indexOf(fragment);
    if (at < 0) continue; // another fragment joined it already
    let best = -1, most = -(NEAR + pen) * tallest; // a gap is a negative overlap; a pen's width of it is ink
    groups.forEach((g, i) => {
      const overlap = Math.min(g.x1, fragment.x1) - Math.max(g.x0, fragment.x0);
      if (i !== at && overlap >= most && (best < 0 || overlap > most)) { best = i; most = overlap; }
    });
    if (best < 0) continue;
    groups[best] = join(groups[best], fragment);
    groups.splice(at, 1);
  }
  return groups;
}

// Whether a and b touch (a part of each does) and together are at most TOUCH_ASPECT as wide as tall.
function touching(a, b, touch) {
  const width = Math.max(a.x1, b.x1) - Math.min(a.x0, b.x0), height = Math.max(a.y1, b.y1) - Math.min(a.y0, b.y0);
  return width <= TOUCH_ASPECT * height && a.members.some((i) => b.members.some((j) => touch(i, j)));
}

function join(a, b) {
  return {
    members: a.members.concat(b.members),
    x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1),
  };
}

/* outlier.c: non-digit images for outlier exposure (see outlier.h for the contract).
 *
 * Drawn kinds are made as geometry first (points of strokes in any frame), then framed like
 * web/preprocess.js frames a drawing: scaled so the ink's box, pen included, is 20 pixels on
 * its longer side, rendered with a round anti-aliased pen (coverage = pen radius + 0.5 minus the
 * distance to the stroke, clamped to 0..1), and shifted by whole pixels to put the centre of
 * mass at (14, 14). Image kinds (fragments, overlaps) are built on a larger canvas and framed
 * the same way by area sampling. */
#include "outlier.h"

#include <math.h>
#include <string.h>

#include "error.h"

#define SIDE 28
#define PIXELS (SIDE * SIDE)
#define BOX 20.0f           /* the ink's longer side after framing, as preprocess makes it */
#define CENTRE 14           /* where the centre of mass goes */
#define INK 0.2f            /* ink at least this strong counts for the bounding box */
#define CANVAS 46           /* overlap canvas: a digit and another offset by up to 9 px each way */
#define MAX_POINTS 256
#define MAX_STROKES 4
#define TRIES 16            /* a shape that fails the checks is drawn again, up to this often */

const char *const OUTLIER_KIND_NAMES[OUTLIER_KINDS] = {"scribble", "strokes", "polygon",  "arcs",
                                                        "pictogram", "fragment", "overlap", "external"};

/* Scratch layout, in floats. */
enum {
    SCR_CANVAS = 0,                   /* CANVAS^2 */
    SCR_IMG = SCR_CANVAS + CANVAS * CANVAS, /* PIXELS: a digit or an external image */
    SCR_AUG = SCR_IMG + PIXELS,       /* augment_scratch_floats() */
};

OutlierConfig outlier_defaults(void) {
    OutlierConfig c = {.augment = augment_defaults(), .mining = 1};
    for (int k = 0; k < OUTLIER_EXTERNAL; k++) c.weight[k] = 1.0f;
    c.weight[OUTLIER_EXTERNAL] = (float)OUTLIER_EXTERNAL;
    return c;
}

int outlier_config_check(const OutlierConfig *c, DigitsError *err) {
    if (!(c->share >= 0.0f && c->share <= 16.0f))
        return error_set(err, "outlier share %g must be 0..16 outliers per digit", (double)c->share);
    for (int k = 0; k < OUTLIER_KINDS; k++)
        if (!(c->weight[k] >= 0.0f && c->weight[k] <= 1e6f))
            return error_set(err, "outlier weight %g of %s must be 0..1000000", (double)c->weight[k], OUTLIER_KIND_NAMES[k]);
    if (c->external && c->external->n == 0) return error_set(err, "the outlier image set is empty");
    if (augment_check(&c->augment, err)) return -1;
    if (!(c->background_logit >= -100.0f && c->background_logit <= 100.0f))
        return error_set(err, "background logit %g must be -100..100", (double)c->background_logit);
    if (!(c->energy_weight >= 0.0f && c->energy_weight <= 100.0f))
        return error_set(err, "energy weight %g must be 0..100", (double)c->energy_weight);
    if (!(c->energy_in >= -100.0f && c->energy_in <= 100.0f && c->energy_out >= -100.0f && c->energy_out <= 100.0f))
        return error_set(err, "energy margins %g (digits) and %g (outliers) must be -100..100", (double)c->energy_in,
                         (double)c->energy_out);
    if (c->energy_out > c->energy_in)
        return error_set(err, "the outliers' energy margin %g must not be above the digits' %g", (double)c->energy_out,
                         (double)c->energy_in);
    if (c->mining < 1 || c->mining > 64) return error_set(err, "outlier mining %d must be 1..64 candidates per outlier", c->mining);
    if (!(c->mining_skip >= 0.0f && c->mining_skip <= 1.0f - 1.0f / (float)c->mining))
        return error_set(err, "outlier mining skip %g must be 0..%g (1 - 1/mining: enough candidates must stay)",
                         (double)c->mining_skip, 1.0 - 1.0 / c->mining);
    if (c->energy_weight > 0.0f && c->share <= 0.0f)
        return error_set(err, "the energy hinge needs outlier exposure (an outlier share above 0)");
    return 0;
}

size_t outlier_scratch_floats(void) { return SCR_AUG + augment_scratch_floats(); }

static float between(Rng *rng, float lo, float hi) { return lo + (hi - lo) * rng_uniform(rng); }

/* ---- geometry ---- */

typedef struct {
    float x[MAX_POINTS], y[MAX_POINTS];
    int n;                   /* points in all */
    int end[MAX_STROKES];    /* stroke s is points (s ? end[s - 1] : 0) .. end[s] - 1 */
    int strokes;
    int filled;              /* fill the outline of stroke 0 instead of drawing it */
} Path;

static void path_begin(Path *p) { p->n = p->strokes = p->filled = 0; }

static void path_add(Path *p, float x, float y) {
    if (p->n >= MAX_POINTS || p->strokes >= MAX_STROKES) return;
    p->x[p->n] = x, p->y[p->n] = y;
    p->n++;
}

/* Ends the stroke made of the points added since the last path_end. */
static void path_end(Path *p) {
    if (p->strokes < MAX_STROKES) p->end[p->strokes++] = p->n;
}

static int stroke_first(const Path *p, int s) { return s == 0 ? 0 : p->end[s - 1]; }

/* Image of a round pen of radius r along segment (ax, ay)-(bx, by), max-combined into img. */
static void draw_segment(float *img, float ax, float ay, float bx, float by, float r) {
    float dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    int x0 = (int)floorf((ax < bx ? ax : bx) - r - 1.0f), x1 = (int)floorf((ax > bx ? ax : bx) + r + 2.0f);
    int y0 = (int)floorf((ay < by ? ay : by) - r - 1.0f), y1 = (int)floorf((ay > by ? ay : by) + r + 2.0f);
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > SIDE - 1) x1 = SIDE - 1;
    if (y1 > SIDE - 1) y1 = SIDE - 1;
    for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
            float px = (float)x - ax, py = (float)y - ay;
            float t = len2 > 0.0f ? (px * dx + py * dy) / len2 : 0.0f;
            t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
            float ex = px - t * dx, ey = py - t * dy;
            float cover = r + 0.5f - sqrtf(ex * ex + ey * ey);
            cover = cover < 0.0f ? 0.0f : cover > 1.0f ? 1.0f : cover;
            if (cover > img[y * SIDE + x]) img[y * SIDE + x] = cover;
        }
    }
}

/* 1 if (x, y) is inside the polygon of points i0 .. i1 - 1 (even-odd rule). */
static int inside(const Path *p, int i0, int i1, float x, float y) {
    int in = 0;
    for (int i = i0, j = i1 - 1; i < i1; j = i++) {
        if ((p->y[i] > y) != (p->y[j] > y) &&
            x < p->x[j] + (p->x[i] - p->x[j]) * (y - p->y[j]) / (p->y[i] - p->y[j]))
            in = !in;
    }
    return in;
}

/* Fills stroke 0's outline into img, 4 x 4 samples a pixel. */
static void fill_outline(float *img, const Path *p) {
    int i1 = p->end[0];
    for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
            int hits = 0;
            for (int sy = 0; sy < 4; sy++)
                for (int sx = 0; sx < 4; sx++)
                    hits += inside(p, 0, i1, (float)x - 0.375f + 0.25f * (float)sx, (float)y - 0.375f + 0.25f * (float)sy);
            float cover = (float)hits / 16.0f;
            if (cover > img[y * SIDE + x]) img[y * SIDE + x] = cover;
        }
    }
}

/* Shifts img by whole pixels so its centre of mass lands on (CENTRE, CENTRE), as far as the ink's
 * box allows, and scales it so the strongest ink is 1 (preprocess's last steps). */
static void centre_and_normalise(float *img, float *tmp) {
    float m = 0.0f, mx = 0.0f, my = 0.0f, top = 0.0f;
    int x0 = SIDE, y0 = SIDE, x1 = -1, y1 = -1;
    for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
            float v = img[y * SIDE + x];
            m += v, mx += v * (float)x, my += v * (float)y;
            if (v > top) top = v;
            if (v > 0.0f) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
        }
    }
    if (!(m > 0.0f)) return;
    int dx = (int)floorf((float)CENTRE - mx / m + 0.5f), dy = (int)floorf((float)CENTRE - my / m + 0.5f);
    if (dx < -x0) dx = -x0;
    if (dx > SIDE - 1 - x1) dx = SIDE - 1 - x1;
    if (dy < -y0) dy = -y0;
    if (dy > SIDE - 1 - y1) dy = SIDE - 1 - y1;
    memset(tmp, 0, PIXELS * sizeof *tmp);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) tmp[(y + dy) * SIDE + x + dx] = img[y * SIDE + x] / top;
    memcpy(img, tmp, PIXELS * sizeof *img);
}

/* Renders the path framed as preprocess frames a drawing, with a pen of radius r (pixels of the
 * framed image). tmp: PIXELS floats. */
static void render_path(float *img, const Path *p, float r, float *tmp) {
    int n = p->n;
    float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
    for (int i = 0; i < n; i++) {
        if (p->x[i] < x0) x0 = p->x[i];
        if (p->x[i] > x1) x1 = p->x[i];
        if (p->y[i] < y0) y0 = p->y[i];
        if (p->y[i] > y1) y1 = p->y[i];
    }
    if (p->filled) r = 0.0f;
    float extent = (x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0);
    float scale = extent > 0.0f ? (BOX - 2.0f * r) / extent : 1.0f;
    float ox = 0.5f * ((float)(SIDE - 1) - scale * (x0 + x1)), oy = 0.5f * ((float)(SIDE - 1) - scale * (y0 + y1));
    Path q = *p;
    for (int i = 0; i < n; i++) q.x[i] = ox + scale * p->x[i], q.y[i] = oy + scale * p->y[i];
    memset(img, 0, PIXELS * sizeof *img);
    if (q.filled) {
        fill_outline(img, &q);
    } else {
        for (int s = 0; s < q.strokes; s++) {
            int a = stroke_first(&q, s), b = q.end[s];
            if (b - a == 1) draw_segment(img, q.x[a], q.y[a], q.x[a], q.y[a], r);
            for (int i = a + 1; i < b; i++) draw_segment(img, q.x[i - 1], q.y[i - 1], q.x[i], q.y[i], r);
        }
    }
    centre_and_normalise(img, tmp);
}

/* A unit vector at a uniformly random angle. */
static void random_direction(Rng *rng, float *dx, float *dy) { augment_sin_cos(360.0f * rng_uniform(rng), dy, dx); }

/* Chaikin's corner cutting, twice: a smooth curve through the control polygon's neighbourhood. */
static void add_smooth(Path *p, const float *cx, const float *cy, int n) {
    float ax[64], ay[64], bx[128], by[128];
    int m = 0;
    for (int i = 0; i + 1 < n; i++) {
        ax[m] = 0.75f * cx[i] + 0.25f * cx[i + 1], ay[m++] = 0.75f * cy[i] + 0.25f * cy[i + 1];
        ax[m] = 0.25f * cx[i] + 0.75f * cx[i + 1], ay[m++] = 0.25f * cy[i] + 0.75f * cy[i + 1];
    }
    int k = 0;
    for (int i = 0; i + 1 < m; i++) {
        bx[k] = 0.75f * ax[i] + 0.25f * ax[i + 1], by[k++] = 0.75f * ay[i] + 0.25f * ay[i + 1];
        bx[k] = 0.25f * ax[i] + 0.75f * ax[i + 1], by[k++] = 0.25f * ay[i] + 0.75f * ay[i + 1];
    }
    for (int i = 0; i < k; i++) path_add(p, bx[i], by[i]);
    path_end(p);
}

/* One or two random walks of 6 to 14 steps turning 40 to 140 degrees at every vertex, smoothed. */
static void scribble(Path *p, Rng *rng) {
    int strokes = 1 + (int)rng_below(rng, 2);
    for (int s = 0; s < strokes; s++) {
        float cx[16], cy[16];
        int n = 6 + (int)rng_below(rng, 9);
        float heading = 360.0f * rng_uniform(rng);
        cx[0] = between(rng, -1.0f, 1.0f), cy[0] = between(rng, -1.0f, 1.0f);
        for (int i = 1; i < n; i++) {
            float turn = between(rng, 40.0f, 140.0f);
            heading += rng_uniform(rng) < 0.5f ? turn : -turn;
            float sn, cs;
            augment_sin_cos(heading, &sn, &cs);
            float step = between(rng, 0.5f, 1.2f);
            cx[i] = cx[i - 1] + step * cs, cy[i] = cy[i - 1] + step * sn;
        }
        add_smooth(p, cx, cy, n);
    }
}

/* Three to six straight segments in one to three strokes, each turn at least 30 degrees. */
static void straight_strokes(Path *p, Rng *rng) {
    int segments = 3 + (int)rng_below(rng, 4), strokes = 1 + (int)rng_below(rng, 3);
    if (strokes > segments) strokes = segments;
    for (int s = 0; s < strokes; s++) {
        int mine = segments / strokes + (s < segments % strokes);
        float x = between(rng, -1.0f, 1.0f), y = between(rng, -1.0f, 1.0f), heading = 360.0f * rng_uniform(rng);
        path_add(p, x, y);
        for (int i = 0; i < mine; i++) {
            if (i > 0) heading += (rng_uniform(rng) < 0.5f ? 1.0f : -1.0f) * between(rng, 30.0f, 160.0f);
            float sn, cs;
            augment_sin_cos(heading, &sn, &cs);
            float len = between(rng, 0.6f, 1.6f);
            x += len * cs, y += len * sn;
            path_add(p, x, y);
        }
        path_end(p);
    }
}

/* 3 to 6 vertices at jittered angles, radii in [0.3, 1] with the smallest at most half the largest. */
static void polygon(Path *p, Rng *rng) {
    int n = 3 + (int)rng_below(rng, 4);
    float phase = 360.0f * rng_uniform(rng), r[6], rmax = 0.0f, rmin = 1.0f;
    for (int i = 0; i < n; i++) {
        r[i] = between(rng, 0.3f, 1.0f);
        if (r[i] > rmax) rmax = r[i];
        if (r[i] < rmin) rmin = r[i];
    }
    if (rmin > 0.5f * rmax) r[rng_below(rng, (uint32_t)n)] = 0.5f * rmax * between(rng, 0.6f, 1.0f);
    for (int i = 0; i <= n; i++) {
        int k = i % n;
        float angle = phase + 360.0f * ((float)k + between(rng, -0.3f, 0.3f) * (i < n)) / (float)n, sn, cs;
        if (i == n) { /* close on the first point exactly */
            path_add(p, p->x[0], p->y[0]);
            break;
        }
        augment_sin_cos(angle, &sn, &cs);
        path_add(p, r[k] * cs, r[k] * sn);
    }
    p->filled = rng_uniform(rng) < 0.3f;
    path_end(p);
}

/* Two or three elliptic arcs of 60 to 200 degrees, centres anywhere in [-1, 1]^2. */
static void arcs(Path *p, Rng *rng) {
    int n = 2 + (int)rng_below(rng, 2);
    for (int a = 0; a < n; a++) {
        float cx = between(rng, -1.0f, 1.0f), cy = between(rng, -1.0f, 1.0f);
        float rx = between(rng, 0.3f, 1.0f), ry = between(rng, 0.3f, 1.0f);
        float tilt_s, tilt_c;
        random_direction(rng, &tilt_c, &tilt_s);
        float start = 360.0f * rng_uniform(rng), span = between(rng, 60.0f, 200.0f);
        enum { STEPS = 16 };
        for (int i = 0; i <= STEPS; i++) {
            float sn, cs;
            augment_sin_cos(start + span * (float)i / (float)STEPS, &sn, &cs);
            float ex = rx * cs, ey = ry * sn;
            path_add(p, cx + tilt_c * ex - tilt_s * ey, cy + tilt_s * ex + tilt_c * ey);
        }
        path_end(p);
    }
}

/* ---- pictograms: signs and pictures a person might draw instead of a digit ---- */

/* Adds the points (x[i], y[i]) as one stroke, each moved by up to `wobble` either way (a hand). */
static void add_wobbly(Path *p, const float *x, const float *y, int n, float wobble, Rng *rng) {
    for (int i = 0; i < n; i++) path_add(p, x[i] + between(rng, -wobble, wobble), y[i] + between(rng, -wobble, wobble));
    path_end(p);
}

/* Adds the points of an elliptic arc from angle a0 to a1 (degrees) to the current stroke. */
static void add_arc(Path *p, float cx, float cy, float rx, float ry, float a0, float a1) {
    enum { STEPS = 24 };
    for (int i = 0; i <= STEPS; i++) {
        float sn, cs;
        augment_sin_cos(a0 + (a1 - a0) * (float)i / (float)STEPS, &sn, &cs);
        path_add(p, cx + rx * cs, cy + ry * sn);
    }
}

/* An arrow: a shaft with a V-shaped head, sometimes one at each end. */
static void arrow(Path *p, Rng *rng) {
    float h = between(rng, 0.35f, 0.7f), w = between(rng, 0.3f, 0.6f), wb = 0.04f;
    float shaft_x[2] = {0.0f, 0.0f}, shaft_y[2] = {1.0f, -1.0f};
    float head_x[3] = {-w, 0.0f, w}, head_y[3] = {-1.0f + h, -1.0f, -1.0f + h};
    add_wobbly(p, shaft_x, shaft_y, 2, wb, rng);
    add_wobbly(p, head_x, head_y, 3, wb, rng);
    if (rng_uniform(rng) < 0.3f) {
        float tail_y[3] = {1.0f - h, 1.0f, 1.0f - h};
        add_wobbly(p, head_x, tail_y, 3, wb, rng);
    }
}

/* A curly brace, "{" or "}". */
static void brace(Path *p, Rng *rng) {
    float s = rng_uniform(rng) < 0.5f ? 1.0f : -1.0f, d = between(rng, 0.45f, 0.7f), m = between(rng, -0.2f, 0.2f);
    float x[9] = {d, 0.05f, 0.0f, 0.0f, -d, 0.0f, 0.0f, 0.05f, d}, y[9] = {-1.0f, -0.95f, -0.7f, m - 0.15f, m, m + 0.15f, 0.7f, 0.95f, 1.0f};
    float cx[9], cy[9];
    for (int i = 0; i < 9; i++) cx[i] = s * x[i] + between(rng, -0.03f, 0.03f), cy[i] = y[i] + between(rng, -0.03f, 0.03f);
    add_smooth(p, cx, cy, 9);
}

/* A five-pointed star, as an outline or as a pentagram. */
static void star(Path *p, Rng *rng) {
    float x[11], y[11], inner = between(rng, 0.35f, 0.5f), phase = between(rng, -100.0f, -80.0f);
    int pentagram = rng_uniform(rng) < 0.4f, n = pentagram ? 5 : 10;
    for (int i = 0; i < n; i++) {
        float sn, cs, r = (!pentagram && i % 2) ? inner : 1.0f;
        augment_sin_cos(phase + (pentagram ? 144.0f : 36.0f) * (float)i, &sn, &cs);
        x[i] = r * cs, y[i] = r * sn;
    }
    x[n] = x[0], y[n] = y[0];
    add_wobbly(p, x, y, n + 1, 0.04f, rng);
}

/* A mark: a tick, a cross, a plus or an asterisk. */
static void mark(Path *p, Rng *rng) {
    int which = (int)rng_below(rng, 4);
    if (which == 0) {
        float x[3] = {-0.8f, -0.3f, 0.8f}, y[3] = {between(rng, -0.1f, 0.2f), 0.7f, -1.0f};
        add_wobbly(p, x, y, 3, 0.05f, rng);
        return;
    }
    int lines = which == 3 ? 3 : 2;
    float phase = which == 1 ? 45.0f : 0.0f;
    for (int i = 0; i < lines; i++) {
        float sn, cs;
        augment_sin_cos(phase + 180.0f * (float)i / (float)lines + between(rng, -8.0f, 8.0f), &sn, &cs);
        float x[2] = {-cs, cs}, y[2] = {-sn, sn};
        add_wobbly(p, x, y, 2, 0.05f, rng);
    }
}

/* A fir tree (a triangle on a trunk) or a house (a square under a roof). */
static void building(Path *p, Rng *rng) {
    if (rng_uniform(rng) < 0.5f) {
        float w = between(rng, 0.5f, 0.8f), t = between(rng, 0.1f, 0.2f);
        float x[4] = {0.0f, w, -w, 0.0f}, y[4] = {-1.0f, 0.45f, 0.45f, -1.0f};
        float tx[4] = {-t, -t, t, t}, ty[4] = {0.45f, 1.0f, 1.0f, 0.45f};
        add_wobbly(p, x, y, 4, 0.04f, rng);
        add_wobbly(p, tx, ty, 4, 0.03f, rng);
    } else {
        float w = between(rng, 0.6f, 0.9f), e = between(rng, -0.5f, -0.2f);
        float x[5] = {-w, -w, w, w, -w}, y[5] = {e, 1.0f, 1.0f, e, e};
        float rx[3] = {-w - 0.1f, 0.0f, w + 0.1f}, ry[3] = {e + 0.05f, -1.0f, e + 0.05f};
        add_wobbly(p, x, y, 5, 0.04f, rng);
        add_wobbly(p, rx, ry, 3, 0.04f, rng);
    }
}

/* A heart outline: two lobes meeting in a point. */
static void heart(Path *p, Rng *rng) {
    float r = between(rng, 0.45f, 0.55f), tip = between(rng, 0.8f, 1.0f);
    for (int side = -1; side <= 1; side += 2) { /* each lobe, and on down to the tip */
        add_arc(p, (float)side * r, -0.4f, r, r * between(rng, 0.8f, 1.1f), side < 0 ? 0.0f : 180.0f, side < 0 ? -200.0f : 380.0f);
        path_add(p, 0.0f, tip);
        path_end(p);
    }
}

/* A face: a round outline with two eyes and a mouth (never an empty loop, which is a 0). */
static void face(Path *p, Rng *rng) {
    add_arc(p, 0.0f, 0.0f, 1.0f, between(rng, 0.85f, 1.1f), 0.0f, 360.0f);
    path_end(p);
    float e = between(rng, 0.25f, 0.4f), ey = between(rng, -0.45f, -0.25f);
    float lx[2] = {-e, -e}, rx[2] = {e, e}, y[2] = {ey - 0.08f, ey + 0.08f};
    add_wobbly(p, lx, y, 2, 0.02f, rng);
    add_wobbly(p, rx, y, 2, 0.02f, rng);
    float smile = rng_uniform(rng) < 0.7f ? 1.0f : -1.0f;
    add_arc(p, 0.0f, smile > 0.0f ? 0.1f : 0.65f, 0.45f, 0.3f, smile > 0.0f ? 20.0f : 200.0f, smile > 0.0f ? 160.0f : 340.0f);
    path_end(p);
}

/* Turns every point of the path by `degrees` about the origin. */
static void path_rotate(Path *p, float degrees) {
    float sn, cs;
    augment_sin_cos(degrees, &sn, &cs);
    for (int i = 0; i < p->n; i++) {
        float x = p->x[i], y = p->y[i];
        p->x[i] = cs * x - sn * y, p->y[i] = sn * x + cs * y;
    }
}

/* One of the pictograms above, upright give or take 15 degrees (arrows, stars and marks at any
 * angle, braces also on their side). */
static void pictogram(Path *p, Rng *rng) {
    int family = (int)rng_below(rng, 7);
    float turn = between(rng, -15.0f, 15.0f);
    if (family == 0) arrow(p, rng), turn = 360.0f * rng_uniform(rng);
    else if (family == 1) brace(p, rng), turn += rng_uniform(rng) < 0.25f ? 90.0f : 0.0f;
    else if (family == 2) star(p, rng), turn = 72.0f * rng_uniform(rng);
    else if (family == 3) mark(p, rng), turn = rng_uniform(rng) < 0.5f ? turn : 360.0f * rng_uniform(rng);
    else if (family == 4) building(p, rng);
    else if (family == 5) heart(p, rng);
    else face(p, rng);
    path_rotate(p, turn);
}

/* ---- images built from digits ---- */

static void digit_floats(float *img, const Dataset *d, size_t row) {
    const uint8_t *px = d->pixels + row * DATASET_PIXELS;
    for (int k = 0; k < PIXELS; k++) img[k] = (float)px[k] * (1.0f / 255.0f);
}

/* Frames the ink of src (w x h) into img (28 x 28) as preprocess does: its box (pixels of at
 * least INK) scaled to BOX on the longer side by area sampling (4 x 4 bilinear samples a pixel),
 * centred by mass, strongest ink 1. tmp: PIXELS floats. Leaves img blank if src has no ink. */
static void frame_image(float *img, const float *src, int w, int h, float *tmp) {
    int x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (src[y * w + x] >= INK) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
    memset(img, 0, PIXELS * sizeof *img);
    if (x1 < 0) return;
    float bw = (float)(x1 - x0 + 1), bh = (float)(y1 - y0 + 1);
    float scale = BOX / (bw > bh ? bw : bh); /* framed pixels per source pixel */
    float ox = 0.5f * ((float)SIDE - scale * bw), oy = 0.5f * ((float)SIDE - scale * bh);
    for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
            float sum = 0.0f;
            for (int sy = 0; sy < 4; sy++) {
                for (int sx = 0; sx < 4; sx++) {
                    /* the sample's place in the source, pixel centres at whole numbers */
                    float u = (float)x0 + ((float)x + 0.125f + 0.25f * (float)sx - ox) / scale - 0.5f;
                    float v = (float)y0 + ((float)y + 0.125f + 0.25f * (float)sy - oy) / scale - 0.5f;
                    if (u < -1.0f || v < -1.0f || u >= (float)w || v >= (float)h) continue;
                    int iu = (int)floorf(u), iv = (int)floorf(v);
                    float fu = u - (float)iu, fv = v - (float)iv, s = 0.0f;
                    for (int j = 0; j < 2; j++)
                        for (int i = 0; i < 2; i++) {
                            int xx = iu + i, yy = iv + j;
                            if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                            s += src[yy * w + xx] * (i ? fu : 1.0f - fu) * (j ? fv : 1.0f - fv);
                        }
                    sum += s;
                }
            }
            img[y * SIDE + x] = sum / 16.0f;
        }
    }
    centre_and_normalise(img, tmp);
}

/* A digit's four 14 x 14 quarters put in a random order other than their own: the pieces of a
 * digit, scattered. (One side of a cut through a digit is too often a digit itself: half a 7 is a
 * 7, half a 0 a C, half a 1 a 1.) */
static void fragment(float *img, const Dataset *digits, Rng *rng, float *scratch) {
    float *canvas = scratch + SCR_CANVAS, *digit = scratch + SCR_IMG;
    digit_floats(digit, digits, rng_below(rng, (uint32_t)digits->n));
    int order[4] = {0, 1, 2, 3};
    do {
        for (int i = 3; i > 0; i--) {
            int j = (int)rng_below(rng, (uint32_t)(i + 1)), t = order[i];
            order[i] = order[j], order[j] = t;
        }
    } while (order[0] == 0 && order[1] == 1 && order[2] == 2);
    for (int q = 0; q < 4; q++) {
        int sx = (order[q] % 2) * 14, sy = (order[q] / 2) * 14, dx = (q % 2) * 14, dy = (q / 2) * 14;
        for (int y = 0; y < 14; y++)
            for (int x = 0; x < 14; x++) canvas[(dy + y) * SIDE + dx + x] = digit[(sy + y) * SIDE + sx + x];
    }
    frame_image(img, canvas, SIDE, SIDE, digit);
}

/* Two digits with different labels, the second offset by 4 to 9 pixels in a random direction. */
static void overlap(float *img, const Dataset *digits, Rng *rng, float *scratch) {
    float *canvas = scratch + SCR_CANVAS, *digit = scratch + SCR_IMG;
    size_t a = rng_below(rng, (uint32_t)digits->n), b;
    do b = rng_below(rng, (uint32_t)digits->n); while (digits->labels[b] == digits->labels[a]);
    float ux, uy;
    random_direction(rng, &ux, &uy);
    float dist = between(rng, 4.0f, 9.0f);
    int dx = (int)floorf(dist * ux + 0.5f), dy = (int)floorf(dist * uy + 0.5f);
    int base = (CANVAS - SIDE) / 2;
    memset(canvas, 0, CANVAS * CANVAS * sizeof *canvas);
    digit_floats(digit, digits, a);
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) canvas[(base + y) * CANVAS + base + x] = digit[y * SIDE + x];
    digit_floats(digit, digits, b);
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            float *c = canvas + (base + dy + y) * CANVAS + base + dx + x;
            if (digit[y * SIDE + x] > *c) *c = digit[y * SIDE + x];
        }
    frame_image(img, canvas, CANVAS, CANVAS, digit);
}

/* ---- the public functions ---- */

static int digits_usable(const Dataset *d) {
    if (!d || d->n < 2 || !d->labels) return 0;
    for (size_t i = 1; i < d->n; i++)
        if (d->labels[i] != d->labels[0]) return 1;
    return 0;
}

static int kind_usable(const OutlierConfig *cfg, const Dataset *digits, int k) {
    if (!(cfg->weight[k] > 0.0f)) return 0;
    if (k == OUTLIER_FRAGMENT || k == OUTLIER_OVERLAP) return digits_usable(digits);
    if (k == OUTLIER_EXTERNAL) return cfg->external && cfg->external->n > 0;
    return 1;
}

int outlier_pick(const OutlierConfig *cfg, const Dataset *digits, Rng *rng) {
    float total = 0.0f;
    for (int k = 0; k < OUTLIER_KINDS; k++)
        if (kind_usable(cfg, digits, k)) total += cfg->weight[k];
    if (!(total > 0.0f)) return -1;
    float u = total * rng_uniform(rng);
    int last = -1;
    for (int k = 0; k < OUTLIER_KINDS; k++) {
        if (!kind_usable(cfg, digits, k)) continue;
        last = k;
        if (u < cfg->weight[k]) return k;
        u -= cfg->weight[k];
    }
    return last; /* rounding left u at the very top */
}

float outlier_spread(const float *img) {
    double m = 0, mx = 0, my = 0;
    for (int k = 0; k < PIXELS; k++) m += img[k], mx += img[k] * (k % SIDE), my += img[k] * (k / SIDE);
    if (!(m > 0)) return 0.0f;
    double cx = mx / m, cy = my / m, sxx = 0, syy = 0, sxy = 0;
    for (int k = 0; k < PIXELS; k++) {
        double dx = k % SIDE - cx, dy = k / SIDE - cy;
        sxx += img[k] * dx * dx, syy += img[k] * dy * dy, sxy += img[k] * dx * dy;
    }
    double half = 0.5 * (sxx + syy), d = sqrt(0.25 * (sxx - syy) * (sxx - syy) + sxy * sxy);
    return half + d > 0 ? (float)((half - d) / (half + d)) : 0.0f;
}

void outlier_draw(float *out, OutlierKind kind, const OutlierConfig *cfg, const Dataset *digits, Rng *rng,
                  float *scratch) {
    float *tmp = scratch + SCR_IMG;
    if (kind == OUTLIER_EXTERNAL) {
        const Dataset *e = cfg->external;
        digit_floats(tmp, e, rng_below(rng, (uint32_t)e->n));
        augment_image(out, tmp, &cfg->augment, rng, scratch + SCR_AUG);
        return;
    }
    for (int attempt = 0; attempt < TRIES; attempt++) {
        if (kind == OUTLIER_FRAGMENT) {
            fragment(out, digits, rng, scratch);
        } else if (kind == OUTLIER_OVERLAP) {
            overlap(out, digits, rng, scratch);
        } else {
            Path p;
            path_begin(&p);
            if (kind == OUTLIER_SCRIBBLE) scribble(&p, rng);
            else if (kind == OUTLIER_STROKES) straight_strokes(&p, rng);
            else if (kind == OUTLIER_POLYGON) polygon(&p, rng);
            else if (kind == OUTLIER_ARCS) arcs(&p, rng);
            else pictogram(&p, rng);
            render_path(out, &p, between(rng, 0.6f, 1.8f), tmp);
        }
        if (outlier_spread(out) >= OUTLIER_MIN_SPREAD) return;
    }
    /* Rare (a fragment of a 1, say): a filled polygon instead, which is never a bar. */
    do {
        Path p;
        path_begin(&p);
        polygon(&p, rng);
        p.filled = 1;
        render_path(out, &p, 0.0f, tmp);
    } while (outlier_spread(out) < OUTLIER_MIN_SPREAD);
}

int outlier_image(float *out, const OutlierConfig *cfg, const Dataset *digits, Rng *rng, float *scratch) {
    int kind = outlier_pick(cfg, digits, rng);
    if (kind >= 0) outlier_draw(out, (OutlierKind)kind, cfg, digits, rng, scratch);
    return kind;
}

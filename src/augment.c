/* augment.c: random distortions of 28x28 digit images (see augment.h for the contract).
 *
 * Two stages; a stage whose strengths are all zero is skipped and leaves the image exactly as
 * it was.
 *
 *   1. Geometry, resampled once. Output pixel p = (x, y) reads the input at
 *          src(p) = c + B (p - c - t) + d(p)
 *      by bilinear interpolation, zero outside the frame.
 *        c     the ink's centre of mass ((13.5, 13.5) for an empty image): rotating and scaling
 *              about it keep a digit where it is, wherever its ink sits.
 *        B     the inverse of A = R(angle) H(shear) S(scale * aspect, scale / aspect), where
 *              H(k) maps x += k * y and the aspect jitter lies in [1 - scale/2, 1 + scale/2].
 *        t     the shift, uniform per axis over the part of [-translate, translate] that keeps
 *              the ink's bounding box (pixels above 0.1), once mapped by A, elastic_alpha pixels
 *              inside the frame; if none does, the shift that centres the overflow. So a digit
 *              moves towards the side that has room and is not cut off.
 *        d(p)  the elastic field of Simard, Steinkraus & Platt (2003), made cheap: instead of
 *              smoothing per-pixel noise with a Gaussian, independent uniform values in [-1, 1]
 *              on a coarse grid are interpolated by a cubic B-spline. With grid spacing
 *              h = sqrt(3) sigma the field's correlation length matches Gaussian smoothing with
 *              sigma (the B-spline's autocorrelation has standard deviation sqrt(2/3) h, the
 *              Gaussian-smoothed noise's sqrt(2) sigma). The spline weights are normalised so
 *              that each pixel's displacement has standard deviation exactly elastic_alpha
 *              along each axis, fading linearly to 0 over the TAPER pixels next to the frame's
 *              edge so strokes are not pushed out of it. At sigma 4.5 that is a 7 x 7 grid:
 *              ~100 random numbers and ~8k multiply-adds per image, against ~1600 and ~60k for
 *              a separable Gaussian truncated at 2.5 sigma. (Simard's alpha = 34, sigma = 4, on
 *              a unit-sum Gaussian, is elastic_alpha ~ 1.4 here.)
 *   2. Stroke thickness, by a random amount u in [-thickness, thickness] pixels: each whole
 *      pixel is a grey-scale dilation (u > 0, max) or erosion (u < 0, min) over a 3x3 cross,
 *      then a 3x3 square, alternating (together an octagon, close to a disc); the fractional
 *      rest blends linearly between the last two results. Then, with thicken, the same
 *      dilation again by u in [0, thicken]: only bolder (a small digit drawn with a wide pen).
 *
 * Only +, -, *, /, sqrtf and floorf, all exactly rounded (sin and cos are polynomials here), so
 * the same seed gives the same image native or wasm, given the same FMA contraction (none in
 * ISO C mode with GCC, none without FMA instructions). */
#include "augment.h"

#include <math.h>
#include <string.h>

#include "digits.h"

#define SIDE 28
#define PIXELS (SIDE * SIDE)
#define PAD 2                      /* zero border around the input for branch-free sampling */
#define PAD_SIDE (SIDE + 2 * PAD)
#define TAPER 3.0f                 /* the elastic field fades to 0 over this many pixels at the edge */
#define MAX_NODES 32               /* control points per axis: spacing >= 1 needs <= 31 */

/* Scratch layout, in floats. */
enum {
    SCR_PAD = 0,                               /* PAD_SIDE^2: padded input / morphology */
    SCR_DX = SCR_PAD + PAD_SIDE * PAD_SIDE,    /* PIXELS: x displacement */
    SCR_DY = SCR_DX + PIXELS,                  /* PIXELS: y displacement */
    SCR_GX = SCR_DY + PIXELS,                  /* MAX_NODES^2: x control values */
    SCR_GY = SCR_GX + MAX_NODES * MAX_NODES,   /* MAX_NODES^2: y control values */
    SCR_RX = SCR_GY + MAX_NODES * MAX_NODES,   /* SIDE * MAX_NODES: x control values, rows done */
    SCR_RY = SCR_RX + SIDE * MAX_NODES,        /* SIDE * MAX_NODES: y control values, rows done */
    SCR_W = SCR_RY + SIDE * MAX_NODES,         /* SIDE * 4: spline weights per coordinate */
    SCR_TOTAL = SCR_W + SIDE * 4
};

AugmentConfig augment_defaults(void) {
    return (AugmentConfig){.rotate = 12.0f, .scale = 0.12f, .shear = 0.2f, .translate = 2.5f, .elastic_alpha = 1.2f,
                           .elastic_sigma = 4.5f, .thickness = 0.5f}; /* thicken 0: off */
}

static int geometry_is_identity(const AugmentConfig *c) {
    return c->rotate == 0.0f && c->scale == 0.0f && c->shear == 0.0f && c->translate == 0.0f &&
           c->elastic_alpha == 0.0f;
}

int augment_check(const AugmentConfig *c, DigitsError *err) {
    const struct { const char *name; float value; } fields[] = {
        {"rotate", c->rotate}, {"scale", c->scale}, {"shear", c->shear}, {"translate", c->translate},
        {"elastic alpha", c->elastic_alpha}, {"elastic sigma", c->elastic_sigma}, {"thickness", c->thickness},
        {"thicken", c->thicken}};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (!(fields[i].value >= 0.0f && fields[i].value <= 1000.0f))
            return error_set(err, "augmentation %s %g must be 0..1000", fields[i].name, (double)fields[i].value);
    return 0;
}

/* elastic_sigma is a shape, not a strength: with elastic_alpha = 0 it does nothing. */
int augment_is_identity(const AugmentConfig *cfg) {
    return geometry_is_identity(cfg) && cfg->thickness == 0.0f && cfg->thicken == 0.0f;
}

size_t augment_scratch_floats(void) { return SCR_TOTAL; }

/* Uniform in [-1, 1). */
static float rng_signed(Rng *rng) { return 2.0f * rng_uniform(rng) - 1.0f; }

/* Fills a and b (n each) with uniform noise in [-1, 1), two numbers per rng_u64. */
static void fill_noise(float *a, float *b, int n, Rng *rng) {
    const float unit = 1.0f / 8388608.0f; /* 2^-23: 24-bit integers to [0, 2) */
    for (int i = 0; i < n; i++) {
        uint64_t r = rng_u64(rng);
        a[i] = (float)(r >> 40) * unit - 1.0f;
        b[i] = (float)((r >> 8) & 0xFFFFFFu) * unit - 1.0f;
    }
}

/* Cubic B-spline over a grid of n nodes, spacing h, centred on the frame: for each coordinate
 * v = 0..27, first[v] is the first of its 4 nodes and w[4v .. 4v+3] their weights, scaled so
 * the squares sum to 1, times a taper from 0 at the frame's edge to 1 at TAPER pixels in.
 * Returns n. */
static int spline_grid(float h, int *first, float *w) {
    float half = 0.5f * (float)(SIDE - 1);
    int n = (int)((float)(SIDE - 1) / h) + 4;
    if (n > MAX_NODES) n = MAX_NODES;
    for (int v = 0; v < SIDE; v++) {
        float u = ((float)v - half) / h + 0.5f * (float)(n - 1); /* >= 1 by the choice of n */
        int k = (int)u;
        float t = u - (float)k, s = 1.0f - t;
        int j = k - 1;
        if (j < 0) j = 0;
        if (j > n - 4) j = n - 4;
        float b0 = s * s * s, b1 = 3.0f * t * t * t - 6.0f * t * t + 4.0f;
        float b2 = -3.0f * t * t * t + 3.0f * t * t + 3.0f * t + 1.0f, b3 = t * t * t;
        float edge = (float)(v < SIDE - 1 - v ? v : SIDE - 1 - v); /* pixels to the frame's edge */
        float taper = edge < TAPER ? edge / TAPER : 1.0f;
        float norm = taper / sqrtf(b0 * b0 + b1 * b1 + b2 * b2 + b3 * b3);
        first[v] = j;
        w[4 * v + 0] = b0 * norm;
        w[4 * v + 1] = b1 * norm;
        w[4 * v + 2] = b2 * norm;
        w[4 * v + 3] = b3 * norm;
    }
    return n;
}

/* dx, dy (28,28): a smooth random displacement field whose value at every pixel at least
 * TAPER pixels from the edge has standard deviation alpha along each axis. */
static void elastic_field(float *dx, float *dy, float alpha, float sigma, Rng *rng, float *scratch) {
    float *gx = scratch + SCR_GX, *gy = scratch + SCR_GY; /* (n,n) control values */
    float *rx = scratch + SCR_RX, *ry = scratch + SCR_RY; /* (28,n) after the y pass */
    float *w = scratch + SCR_W;                           /* (28,4) spline weights */
    int first[SIDE];
    float h = 1.7320508f * sigma; /* sqrt(3) sigma */
    if (!(h >= 1.0f)) h = 1.0f;
    int n = spline_grid(h, first, w);
    fill_noise(gx, gy, n * n, rng);
    /* Uniform noise has variance 1/3 and the weights' squares sum to 1 along each axis. */
    float gain = alpha * 1.7320508f;
    for (int y = 0; y < SIDE; y++) {
        const float *wy = w + 4 * y;
        const float *ax = gx + first[y] * n, *ay = gy + first[y] * n;
        for (int j = 0; j < n; j++) {
            rx[y * n + j] = gain * (wy[0] * ax[j] + wy[1] * ax[n + j] + wy[2] * ax[2 * n + j] + wy[3] * ax[3 * n + j]);
            ry[y * n + j] = gain * (wy[0] * ay[j] + wy[1] * ay[n + j] + wy[2] * ay[2 * n + j] + wy[3] * ay[3 * n + j]);
        }
    }
    for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
            const float *wx = w + 4 * x;
            const float *ax = rx + y * n + first[x], *ay = ry + y * n + first[x];
            dx[y * SIDE + x] = wx[0] * ax[0] + wx[1] * ax[1] + wx[2] * ax[2] + wx[3] * ax[3];
            dy[y * SIDE + x] = wx[0] * ay[0] + wx[1] * ay[1] + wx[2] * ay[2] + wx[3] * ay[3];
        }
    }
}

/* Where the ink is: its centre of mass (the frame's centre if there is none) and the bounding
 * box box = {x0, y0, x1, y1} of the pixels above INK_LEVEL (the whole frame if none). */
#define INK_LEVEL 0.1f
typedef struct {
    float cx, cy;
    int box[4];
} Ink;

static Ink find_ink(const float *img) {
    Ink k = {0.5f * (float)(SIDE - 1), 0.5f * (float)(SIDE - 1), {SIDE, SIDE, -1, -1}};
    float m = 0.0f, mx = 0.0f, my = 0.0f;
    for (int y = 0; y < SIDE; y++) {
        float row = 0.0f, rowx = 0.0f;
        for (int x = 0; x < SIDE; x++) {
            float v = img[y * SIDE + x];
            row += v;
            rowx += (float)x * v;
            if (v > INK_LEVEL) {
                if (x < k.box[0]) k.box[0] = x;
                if (x > k.box[2]) k.box[2] = x;
                if (y < k.box[1]) k.box[1] = y;
                k.box[3] = y;
            }
        }
        m += row;
        mx += rowx;
        my += (float)y * row;
    }
    if (m > 1e-6f) {
        k.cx = mx / m;
        k.cy = my / m;
    }
    if (k.box[2] < 0) k.box[0] = k.box[1] = 0, k.box[2] = k.box[3] = SIDE - 1;
    return k;
}

/* A shift in [-limit, limit], u in [0, 1), restricted as far as possible to keep [lo, hi]
 * (the ink's extent after the linear part of the map) at least margin inside [0, 27]. */
static float shift_within(float u, float limit, float lo, float hi, float margin) {
    float a = margin - lo, b = (float)(SIDE - 1) - margin - hi; /* the shifts that fit */
    if (a < -limit) a = -limit;
    if (b > limit) b = limit;
    if (a > b) { /* nothing fits: the shift that overflows both sides equally, within the limit */
        float mid = 0.5f * (margin - lo + (float)(SIDE - 1) - margin - hi);
        return mid < -limit ? -limit : mid > limit ? limit : mid;
    }
    return a + u * (b - a);
}

/* Padded coordinate of a source coordinate, clamped to [0, PAD_SIDE - 1.5] where everything
 * outside (-1, 28) reads only zeros; NaN also lands on 0. */
static float pad_coord(float v) {
    float p = v + (float)PAD;
    p = p > 0.0f ? p : 0.0f;
    return p < (float)PAD_SIDE - 1.5f ? p : (float)PAD_SIDE - 1.5f;
}

/* A polynomial: libm's sinf and cosf may round differently across platforms, and the same seed
 * must give the same image in wasm. */
void augment_sin_cos(float degrees, float *sin_out, float *cos_out) {
    float d = degrees - 360.0f * floorf(degrees / 360.0f); /* [0, 360] */
    if (!(d >= 0.0f && d <= 360.0f)) d = 0.0f;             /* an infinite or NaN angle */
    int quadrant = (int)(d / 90.0f + 0.5f);                 /* 0..4 */
    float x = (d - 90.0f * (float)quadrant) * (DIGITS_PI / 180.0f); /* [-pi/4, pi/4] */
    float x2 = x * x;
    float s = x * (1.0f - x2 / 6.0f * (1.0f - x2 / 20.0f * (1.0f - x2 / 42.0f * (1.0f - x2 / 72.0f))));
    float c = 1.0f - x2 / 2.0f * (1.0f - x2 / 12.0f * (1.0f - x2 / 30.0f * (1.0f - x2 / 56.0f * (1.0f - x2 / 90.0f))));
    switch (quadrant & 3) {
    case 0: *sin_out = s, *cos_out = c; break;
    case 1: *sin_out = c, *cos_out = -s; break;
    case 2: *sin_out = -s, *cos_out = -c; break;
    default: *sin_out = -c, *cos_out = s; break;
    }
}

/* out = in resampled by a random affine map about the ink's centre plus an elastic field. */
static void geometry(float *out, const float *in, const AugmentConfig *cfg, Rng *rng, float *scratch) {
    float *pad = scratch + SCR_PAD, *dx = scratch + SCR_DX, *dy = scratch + SCR_DY;

    float angle = cfg->rotate * rng_signed(rng); /* degrees */
    float s = 1.0f + cfg->scale * rng_signed(rng);
    float aspect = 1.0f + 0.5f * cfg->scale * rng_signed(rng);
    float shear = cfg->shear * rng_signed(rng);
    float ux = rng_uniform(rng), uy = rng_uniform(rng); /* the shift, drawn below */
    /* Strengths beyond 1 could flip or collapse the image; keep both axes' factors >= 0.1. */
    float sx = s * aspect, sy = s / aspect;
    if (!(sx >= 0.1f)) sx = 0.1f;
    if (!(sy >= 0.1f)) sy = 0.1f;

    /* B = S^-1 H^-1 R^T with R^T = [co si; -si co], H^-1 = [1 -k; 0 1], S^-1 = diag(1/sx, 1/sy). */
    float si, co;
    augment_sin_cos(angle, &si, &co);
    float b00 = (co + shear * si) / sx, b01 = (si - shear * co) / sx;
    float b10 = -si / sy, b11 = co / sy;

    if (cfg->elastic_alpha != 0.0f) {
        elastic_field(dx, dy, cfg->elastic_alpha, cfg->elastic_sigma, rng, scratch);
    } else {
        memset(dx, 0, PIXELS * sizeof *dx);
        memset(dy, 0, PIXELS * sizeof *dy);
    }

    /* The shift is uniform over the part of [-translate, translate] that keeps the ink's
     * bounding box, rotated, sheared and scaled, elastic_alpha (one standard deviation of the
     * elastic field) inside the frame, so the digit is moved, not cut. A = B^-1. */
    Ink ink = find_ink(in);
    float cx = ink.cx, cy = ink.cy, tx = 0.0f, ty = 0.0f;
    if (cfg->translate != 0.0f) {
        float det = b00 * b11 - b01 * b10;
        float a00 = b11 / det, a01 = -b01 / det, a10 = -b10 / det, a11 = b00 / det;
        float lo_x = 1e30f, hi_x = -1e30f, lo_y = 1e30f, hi_y = -1e30f;
        for (int corner = 0; corner < 4; corner++) {
            float vx = (float)ink.box[corner & 1 ? 2 : 0] - cx, vy = (float)ink.box[corner & 2 ? 3 : 1] - cy;
            float mx = a00 * vx + a01 * vy, my = a10 * vx + a11 * vy;
            if (mx < lo_x) lo_x = mx;
            if (mx > hi_x) hi_x = mx;
            if (my < lo_y) lo_y = my;
            if (my > hi_y) hi_y = my;
        }
        float limit = fabsf(cfg->translate), margin = fabsf(cfg->elastic_alpha);
        tx = shift_within(ux, limit, cx + lo_x, cx + hi_x, margin);
        ty = shift_within(uy, limit, cy + lo_y, cy + hi_y, margin);
    }

    memset(pad, 0, PAD_SIDE * PAD_SIDE * sizeof *pad);
    for (int y = 0; y < SIDE; y++) memcpy(pad + (y + PAD) * PAD_SIDE + PAD, in + y * SIDE, SIDE * sizeof *in);

    for (int y = 0; y < SIDE; y++) {
        float vy = (float)y - cy - ty;
        float row_x = cx + b01 * vy, row_y = cy + b11 * vy;
        for (int x = 0; x < SIDE; x++) {
            float vx = (float)x - cx - tx;
            float px = pad_coord(row_x + b00 * vx + dx[y * SIDE + x]);
            float py = pad_coord(row_y + b10 * vx + dy[y * SIDE + x]);
            int ix = (int)px, iy = (int)py; /* px, py >= 0: truncation is floor */
            float fx = px - (float)ix, fy = py - (float)iy;
            const float *p = pad + iy * PAD_SIDE + ix;
            float top = p[0] + fx * (p[1] - p[0]);
            float bottom = p[PAD_SIDE] + fx * (p[PAD_SIDE + 1] - p[PAD_SIDE]);
            out[y * SIDE + x] = top + fy * (bottom - top);
        }
    }
}

static float maxf(float a, float b) { return a > b ? a : b; }
static float minf(float a, float b) { return a < b ? a : b; }

/* out = grey-scale dilation (grow: max) or erosion (min) of img (28,28) over a 3x3 cross or a
 * 3x3 square; pixels beyond the frame do not count. pad: PAD_SIDE^2 floats. */
static void morph_step(float *out, const float *img, int grow, int square, float *pad) {
    const int P = PAD_SIDE;
    float outside = grow ? 0.0f : 3.0e38f; /* neutral for max of values >= 0, and for min */
    for (int i = 0; i < P * P; i++) pad[i] = outside;
    for (int y = 0; y < SIDE; y++) memcpy(pad + (y + PAD) * P + PAD, img + y * SIDE, SIDE * sizeof *img);
    for (int y = 0; y < SIDE; y++) {
        const float *c = pad + (y + PAD) * P + PAD, *up = c - P, *down = c + P;
        float *o = out + y * SIDE;
        if (grow) {
            for (int x = 0; x < SIDE; x++) {
                float v = maxf(maxf(c[x], maxf(c[x - 1], c[x + 1])), maxf(up[x], down[x]));
                if (square) v = maxf(v, maxf(maxf(up[x - 1], up[x + 1]), maxf(down[x - 1], down[x + 1])));
                o[x] = v;
            }
        } else {
            for (int x = 0; x < SIDE; x++) {
                float v = minf(minf(c[x], minf(c[x - 1], c[x + 1])), minf(up[x], down[x]));
                if (square) v = minf(v, minf(minf(up[x - 1], up[x + 1]), minf(down[x - 1], down[x + 1])));
                o[x] = v;
            }
        }
    }
}

/* img (28,28) thickened (amount > 0) or thinned (amount < 0) by |amount| pixels, at most 28.
 * tmp: PIXELS floats, pad: PAD_SIDE^2 floats. */
static void thickness(float *img, float amount, float *tmp, float *pad) {
    int grow = amount > 0.0f;
    float left = fabsf(amount);
    if (left > (float)SIDE) left = (float)SIDE; /* 28 steps reach every pixel already */
    for (int step = 0; left > 0.0f; step++) {
        morph_step(tmp, img, grow, step & 1, pad);
        float f = left < 1.0f ? left : 1.0f;
        for (int i = 0; i < PIXELS; i++) img[i] += f * (tmp[i] - img[i]);
        left -= 1.0f;
    }
}

void augment_image(float *out, const float *in, const AugmentConfig *cfg, Rng *rng, float *scratch) {
    if (augment_is_identity(cfg)) {
        memcpy(out, in, PIXELS * sizeof *out);
        return;
    }
    if (geometry_is_identity(cfg))
        memcpy(out, in, PIXELS * sizeof *out);
    else
        geometry(out, in, cfg, rng, scratch);
    if (cfg->thickness != 0.0f)
        thickness(out, cfg->thickness * rng_signed(rng), scratch + SCR_DX, scratch + SCR_PAD);
    if (cfg->thicken != 0.0f) thickness(out, cfg->thicken * rng_uniform(rng), scratch + SCR_DX, scratch + SCR_PAD);
    for (int i = 0; i < PIXELS; i++) {
        float v = out[i];
        out[i] = v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f; /* NaN becomes 0 */
    }
}

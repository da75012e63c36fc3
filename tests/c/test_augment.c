/* test_augment.c: the distortions against hand-computable behaviour.
 *
 * Most geometry checks feed ramps: bilinear interpolation reproduces a linear function
 * exactly, so augmenting x/27 (or y/27) with thickness off gives back, pixel by pixel, the x
 * (or y) coordinate each output pixel read from. The test then checks that map directly:
 * a rotation is orthonormal, a shear moves rows sideways, the elastic field has the documented
 * spread. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "augment.h"
#include "check.h"
#include "rng.h"

#define SIDE 28
#define PIXELS (SIDE * SIDE)

static float scratch[8192];

static AugmentConfig all_off(void) {
    AugmentConfig c;
    memset(&c, 0, sizeof c);
    c.elastic_sigma = 4.5f; /* a shape, not a strength: still identity */
    return c;
}

static void augment_seeded(float *out, const float *in, const AugmentConfig *cfg, uint64_t seed) {
    Rng rng;
    rng_seed(&rng, seed);
    augment_image(out, in, cfg, &rng, scratch);
}

static float clamp01(float v) { return v < 0.0f ? 0.0f : v > 1.0f ? 1.0f : v; }

/* Distance from (px, py) to the segment (ax, ay)-(bx, by). */
static float segment_distance(float px, float py, float ax, float ay, float bx, float by) {
    float vx = bx - ax, vy = by - ay;
    float t = ((px - ax) * vx + (py - ay) * vy) / (vx * vx + vy * vy);
    t = t < 0.0f ? 0.0f : t > 1.0f ? 1.0f : t;
    float dx = px - (ax + t * vx), dy = py - (ay + t * vy);
    return sqrtf(dx * dx + dy * dy);
}

/* A "7" drawn MNIST-style: strokes ~3 px wide with soft edges; the pixels above 0.1 span
 * rows 5..22 and columns 7..20, as MNIST fits its digits into the central 20x20. */
static void draw_seven(float *img) {
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            float d1 = segment_distance((float)x, (float)y, 8.5f, 6.5f, 19.5f, 6.5f);
            float d2 = segment_distance((float)x, (float)y, 19.5f, 6.5f, 12.0f, 21.0f);
            img[y * SIDE + x] = clamp01(1.6f - (d1 < d2 ? d1 : d2));
        }
}

/* A ring of radius 8 about the frame's centre, ~3 px wide, within rows and columns 5..22. */
static void draw_ring(float *img) {
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            float r = sqrtf(((float)x - 13.5f) * ((float)x - 13.5f) + ((float)y - 13.5f) * ((float)y - 13.5f));
            img[y * SIDE + x] = clamp01(1.6f - fabsf(r - 8.0f));
        }
}

/* A solid disc of radius 7 about (13.5, 13.5), with a smooth 3-px edge. */
static void draw_disc(float *img) {
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            float r = sqrtf(((float)x - 13.5f) * ((float)x - 13.5f) + ((float)y - 13.5f) * ((float)y - 13.5f));
            float t = clamp01((8.5f - r) / 3.0f);
            img[y * SIDE + x] = t * t * (3.0f - 2.0f * t);
        }
}

static void draw_ramp(float *img, int along_x) {
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) img[y * SIDE + x] = (float)(along_x ? x : y) / 27.0f;
}

static double mass(const float *img) {
    double m = 0.0;
    for (int i = 0; i < PIXELS; i++) m += img[i];
    return m;
}

static void centre_of_mass(const float *img, double *cx, double *cy) {
    double m = 0.0, mx = 0.0, my = 0.0;
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            m += img[y * SIDE + x];
            mx += x * (double)img[y * SIDE + x];
            my += y * (double)img[y * SIDE + x];
        }
    *cx = mx / m;
    *cy = my / m;
}

static float max_abs_diff(const float *a, const float *b) {
    float worst = 0.0f;
    for (int i = 0; i < PIXELS; i++) worst = fmaxf(worst, fabsf(a[i] - b[i]));
    return worst;
}

/* The source map of one augmentation (thickness must be off), read through the ramps, as the
 * affine fit src = (ox + jxx x + jxy y, oy + jyx x + jyy y) over the pixels in [lo, hi]^2,
 * from finite differences at the centre; *misfit is the worst deviation from that fit. The
 * x ramp and the y ramp have different centres of mass, so the offsets are for each ramp's. */
typedef struct {
    double ox, oy, jxx, jxy, jyx, jyy, misfit;
} SourceMap;

static SourceMap source_map(const AugmentConfig *cfg, uint64_t seed, int lo, int hi) {
    static float ramp_x[PIXELS], ramp_y[PIXELS], sx[PIXELS], sy[PIXELS];
    draw_ramp(ramp_x, 1);
    draw_ramp(ramp_y, 0);
    augment_seeded(sx, ramp_x, cfg, seed);
    augment_seeded(sy, ramp_y, cfg, seed);
    SourceMap m;
    int c = (lo + hi) / 2;
#define SX(x, y) (27.0 * sx[(y) * SIDE + (x)])
#define SY(x, y) (27.0 * sy[(y) * SIDE + (x)])
    m.jxx = (SX(hi, c) - SX(lo, c)) / (hi - lo);
    m.jxy = (SX(c, hi) - SX(c, lo)) / (hi - lo);
    m.jyx = (SY(hi, c) - SY(lo, c)) / (hi - lo);
    m.jyy = (SY(c, hi) - SY(c, lo)) / (hi - lo);
    m.ox = SX(c, c) - m.jxx * c - m.jxy * c;
    m.oy = SY(c, c) - m.jyx * c - m.jyy * c;
    m.misfit = 0.0;
    for (int y = lo; y <= hi; y++)
        for (int x = lo; x <= hi; x++) {
            m.misfit = fmax(m.misfit, fabs(SX(x, y) - (m.ox + m.jxx * x + m.jxy * y)));
            m.misfit = fmax(m.misfit, fabs(SY(x, y) - (m.oy + m.jyx * x + m.jyy * y)));
        }
#undef SX
#undef SY
    return m;
}

/* Checks that the map fixes the ramps' centres of mass (the ink's centre), to tol pixels. */
static int fixes_the_centres_of_mass(const SourceMap *m, double tol) {
    static float ramp[PIXELS];
    double cx, cy;
    draw_ramp(ramp, 1);
    centre_of_mass(ramp, &cx, &cy);
    int ok = fabs(m->ox + m->jxx * cx + m->jxy * cy - cx) <= tol;
    draw_ramp(ramp, 0);
    centre_of_mass(ramp, &cx, &cy);
    return ok && fabs(m->oy + m->jyx * cx + m->jyy * cy - cy) <= tol;
}

/* Grey-scale dilation (grow) or erosion over the 3x3 cross, ignoring pixels beyond the frame. */
static void cross_morph(float *out, const float *in, int grow) {
    static const int NX[5] = {0, -1, 1, 0, 0}, NY[5] = {0, 0, 0, -1, 1};
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            float v = in[y * SIDE + x];
            for (int k = 1; k < 5; k++) {
                int xx = x + NX[k], yy = y + NY[k];
                if (xx < 0 || xx >= SIDE || yy < 0 || yy >= SIDE) continue;
                float n = in[yy * SIDE + xx];
                v = grow ? fmaxf(v, n) : fminf(v, n);
            }
            out[y * SIDE + x] = v;
        }
}

TEST(all_strengths_zero_should_copy_the_input_exactly) {
    float in[PIXELS], out[PIXELS];
    Rng rng;
    rng_seed(&rng, 5);
    for (int i = 0; i < PIXELS; i++) in[i] = rng_uniform(&rng);
    AugmentConfig cfg = all_off();
    CHECK(augment_is_identity(&cfg));
    augment_seeded(out, in, &cfg, 1);
    CHECK(memcmp(out, in, sizeof in) == 0);
    AugmentConfig defaults = augment_defaults();
    CHECK(!augment_is_identity(&defaults));
}

TEST(each_distortion_alone_should_change_the_image_and_be_off_at_zero) {
    float in[PIXELS], out[PIXELS];
    draw_seven(in);
    AugmentConfig defaults = augment_defaults();
    const float *strength = &defaults.rotate;
    /* rotate, scale, shear, translate, elastic_alpha, (elastic_sigma: not a strength), thickness */
    const int fields[6] = {0, 1, 2, 3, 4, 6};
    for (int f = 0; f < 6; f++) {
        AugmentConfig cfg = all_off();
        float *field = &cfg.rotate + fields[f];
        *field = strength[fields[f]];
        CHECK(*field != 0.0f && !augment_is_identity(&cfg));
        augment_seeded(out, in, &cfg, 3);
        CHECK(max_abs_diff(out, in) > 0.05f);
        *field = 0.0f;
        CHECK(augment_is_identity(&cfg));
        augment_seeded(out, in, &cfg, 3);
        CHECK(memcmp(out, in, sizeof in) == 0);
    }
}

TEST(outputs_should_stay_within_0_and_1_for_random_inputs_and_strong_settings) {
    const AugmentConfig strong[] = {
        {180.0f, 0.9f, 2.0f, 10.0f, 5.0f, 1.0f, 3.0f, 2.0f},
        {30.0f, 0.3f, 0.5f, 3.0f, 3.0f, 0.0f, 1.5f, 0.0f},          /* sigma 0: the roughest field */
        {1000.0f, 1000.0f, 1000.0f, 1000.0f, 1000.0f, 1000.0f, 1000.0f, 1000.0f}, /* train.c's limits */
        {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 4.0f, 1000.0f, 0.0f},
    };
    float in[PIXELS], out[PIXELS];
    Rng noise;
    rng_seed(&noise, 11);
    for (size_t s = 0; s < sizeof strong / sizeof strong[0]; s++) {
        Rng rng;
        rng_seed(&rng, 100 + s);
        for (int trial = 0; trial < 50; trial++) {
            for (int i = 0; i < PIXELS; i++) {
                float u = rng_uniform(&noise);
                in[i] = trial % 2 ? u : (u < 0.5f ? 0.0f : 1.0f); /* grey noise, then binary */
            }
            augment_image(out, in, &strong[s], &rng, scratch);
            for (int i = 0; i < PIXELS; i++) CHECK(out[i] >= 0.0f && out[i] <= 1.0f);
        }
    }
}

TEST(an_empty_image_should_stay_empty) {
    float in[PIXELS] = {0}, out[PIXELS];
    AugmentConfig cfg = augment_defaults();
    cfg.elastic_alpha = 3.0f;
    cfg.thickness = 2.0f;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        augment_seeded(out, in, &cfg, seed);
        CHECK(memcmp(out, in, sizeof in) == 0);
    }
}

TEST(the_same_seed_should_give_the_same_output_and_another_seed_a_different_one) {
    float in[PIXELS], a[PIXELS], b[PIXELS], c[PIXELS];
    draw_seven(in);
    AugmentConfig cfg = augment_defaults();
    augment_seeded(a, in, &cfg, 42);
    augment_seeded(b, in, &cfg, 42);
    augment_seeded(c, in, &cfg, 43);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(max_abs_diff(a, c) > 0.05f);
    /* Consecutive calls on one Rng draw fresh distortions. */
    Rng rng;
    rng_seed(&rng, 42);
    augment_image(a, in, &cfg, &rng, scratch);
    augment_image(b, in, &cfg, &rng, scratch);
    CHECK(max_abs_diff(a, b) > 0.05f);
}

TEST(translation_alone_should_shift_the_image_by_at_most_translate_pixels) {
    float in[PIXELS], out[PIXELS], expected[PIXELS];
    draw_seven(in);
    double cx, cy;
    centre_of_mass(in, &cx, &cy);
    AugmentConfig cfg = all_off();
    cfg.translate = 2.0f;
    double largest = 0.0;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        augment_seeded(out, in, &cfg, seed);
        /* A bilinear shift keeps the mass and moves the centre of mass by exactly the shift. */
        CHECK_NEAR(mass(out), mass(in), 1e-3);
        double ox, oy;
        centre_of_mass(out, &ox, &oy);
        double tx = ox - cx, ty = oy - cy;
        CHECK(fabs(tx) <= 2.0 + 1e-4 && fabs(ty) <= 2.0 + 1e-4);
        largest = fmax(largest, fmax(fabs(tx), fabs(ty)));
        /* ... and it is the hand-computed bilinear shift: out(x, y) = in(x - tx, y - ty). */
        for (int y = 0; y < SIDE; y++)
            for (int x = 0; x < SIDE; x++) {
                double sx = x - tx, sy = y - ty;
                int x0 = (int)floor(sx), y0 = (int)floor(sy);
                double fx = sx - x0, fy = sy - y0, v = 0.0;
                for (int j = 0; j < 2; j++)
                    for (int i = 0; i < 2; i++) {
                        int xx = x0 + i, yy = y0 + j;
                        if (xx < 0 || xx >= SIDE || yy < 0 || yy >= SIDE) continue;
                        v += (i ? fx : 1 - fx) * (j ? fy : 1 - fy) * in[yy * SIDE + xx];
                    }
                expected[y * SIDE + x] = (float)v;
            }
        CHECK(max_abs_diff(out, expected) < 1e-4f);
    }
    CHECK(largest > 1.0); /* the shifts use the range */
}

TEST(rotation_alone_should_turn_about_the_ink_centre_of_mass) {
    AugmentConfig cfg = all_off();
    cfg.rotate = 12.0f;
    double largest = 0.0;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        SourceMap m = source_map(&cfg, seed, 7, 20);
        CHECK(m.misfit < 1e-3);
        /* The map is a rotation: orthonormal, determinant 1, by at most 12 degrees. */
        CHECK_NEAR(m.jxx * m.jxx + m.jyx * m.jyx, 1.0, 1e-4);
        CHECK_NEAR(m.jxy * m.jxy + m.jyy * m.jyy, 1.0, 1e-4);
        CHECK_NEAR(m.jxx * m.jxy + m.jyx * m.jyy, 0.0, 1e-4);
        CHECK_NEAR(m.jxx * m.jyy - m.jxy * m.jyx, 1.0, 1e-4);
        double degrees = atan2(m.jyx, m.jxx) * 180.0 / 3.14159265358979;
        CHECK(fabs(degrees) <= 12.0 + 1e-3);
        largest = fmax(largest, fabs(degrees));
        CHECK(fixes_the_centres_of_mass(&m, 0.01));
    }
    CHECK(largest > 6.0);

    /* Any angle, in every quadrant (a small window: the ramps must cover every source). */
    cfg.rotate = 180.0f;
    int quadrants[4] = {0};
    for (uint64_t seed = 1; seed <= 40; seed++) {
        SourceMap m = source_map(&cfg, seed, 13, 18);
        CHECK(m.misfit < 1e-3);
        CHECK_NEAR(m.jxx * m.jxx + m.jyx * m.jyx, 1.0, 1e-4);
        CHECK_NEAR(m.jxx * m.jxy + m.jyx * m.jyy, 0.0, 1e-4);
        CHECK_NEAR(m.jxx * m.jyy - m.jxy * m.jyx, 1.0, 1e-4);
        quadrants[(m.jxx > 0) * 2 + (m.jyx > 0)]++;
    }
    for (int q = 0; q < 4; q++) CHECK(quadrants[q] > 0);

    /* On a digit: the ink's mass and centre stay put. */
    cfg.rotate = 12.0f;
    float in[PIXELS], out[PIXELS];
    draw_seven(in);
    double cx, cy;
    centre_of_mass(in, &cx, &cy);
    for (uint64_t seed = 1; seed <= 30; seed++) {
        augment_seeded(out, in, &cfg, seed);
        CHECK_NEAR(mass(out) / mass(in), 1.0, 0.01);
        double ox, oy;
        centre_of_mass(out, &ox, &oy);
        CHECK(hypot(ox - cx, oy - cy) < 0.5);
    }
}

TEST(rotation_should_leave_a_centred_disc_a_disc) {
    float in[PIXELS], out[PIXELS];
    draw_disc(in);
    AugmentConfig cfg = all_off();
    cfg.rotate = 180.0f;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        augment_seeded(out, in, &cfg, seed);
        /* Bilinear interpolation errs by up to max |f''| / 8 ~ 0.08 on the 3-px edge. */
        CHECK(max_abs_diff(out, in) < 0.08f);
    }
}

TEST(scale_alone_should_resize_about_the_ink_centre_within_the_range) {
    AugmentConfig cfg = all_off();
    cfg.scale = 0.12f;
    /* Per axis: scale in [0.88, 1.12] times aspect in [0.94, 1.06] (x) or its inverse (y). */
    const double lo = 0.88 / 1.06 - 1e-4, hi = 1.12 * 1.06 + 1e-4;
    int grew = 0, shrank = 0, stretched = 0;
    float in[PIXELS], out[PIXELS];
    draw_ring(in);
    for (uint64_t seed = 1; seed <= 30; seed++) {
        SourceMap m = source_map(&cfg, seed, 8, 19);
        CHECK(m.misfit < 1e-3);
        CHECK(fabs(m.jxy) < 1e-4 && fabs(m.jyx) < 1e-4);
        double fx = 1.0 / m.jxx, fy = 1.0 / m.jyy; /* the source map is the inverse */
        CHECK(fx >= lo && fx <= hi && fy >= lo && fy <= hi);
        /* The aspect jitter: x and y factors differ by aspect^2, in [0.94^2, 1.06^2]. */
        CHECK(fx / fy >= 0.94 * 0.94 - 1e-4 && fx / fy <= 1.06 * 1.06 + 1e-4);
        stretched += fabs(fx / fy - 1.0) > 0.06;
        CHECK(fixes_the_centres_of_mass(&m, 0.01));
        /* The ring's ink scales with the area, give or take bilinear blur. */
        augment_seeded(out, in, &cfg, seed);
        CHECK_NEAR(mass(out) / mass(in), fx * fy, 0.02);
        grew += fx * fy > 1.05;
        shrank += fx * fy < 0.95;
    }
    CHECK(grew > 0 && shrank > 0 && stretched > 0);
}

TEST(shear_alone_should_slide_rows_sideways_in_proportion_to_height) {
    AugmentConfig cfg = all_off();
    cfg.shear = 0.25f;
    float in[PIXELS], out[PIXELS];
    draw_seven(in);
    double largest = 0.0;
    for (uint64_t seed = 1; seed <= 30; seed++) {
        SourceMap m = source_map(&cfg, seed, 7, 20);
        CHECK(m.misfit < 1e-3);
        /* src = (x - k (y - cy), y): rows stay rows, each slides by k times its height. */
        CHECK_NEAR(m.jxx, 1.0, 1e-4);
        CHECK_NEAR(m.jyx, 0.0, 1e-4);
        CHECK_NEAR(m.jyy, 1.0, 1e-4);
        CHECK(fabs(m.jxy) <= 0.25 + 1e-4);
        largest = fmax(largest, fabs(m.jxy));
        CHECK(fixes_the_centres_of_mass(&m, 0.01));
        /* So every row keeps its ink. */
        augment_seeded(out, in, &cfg, seed);
        for (int y = 0; y < SIDE; y++) {
            double before = 0.0, after = 0.0;
            for (int x = 0; x < SIDE; x++) before += in[y * SIDE + x], after += out[y * SIDE + x];
            CHECK_NEAR(after, before, 1e-3);
        }
    }
    CHECK(largest > 0.12);
}

/* Over many seeds: the RMS of the elastic displacement, and of its change between
 * neighbouring pixels, along x and y, over the pixels in [5, 22]^2. */
static void elastic_stats(float alpha, float sigma, double *rms, double *step_rms, double *mean) {
    AugmentConfig cfg = all_off();
    cfg.elastic_alpha = alpha;
    cfg.elastic_sigma = sigma;
    static float ramp_x[PIXELS], ramp_y[PIXELS], sx[PIXELS], sy[PIXELS];
    draw_ramp(ramp_x, 1);
    draw_ramp(ramp_y, 0);
    double sum = 0.0, sum_sq = 0.0, step_sq = 0.0;
    long n = 0, steps = 0;
    for (uint64_t seed = 1; seed <= 200; seed++) {
        augment_seeded(sx, ramp_x, &cfg, seed);
        augment_seeded(sy, ramp_y, &cfg, seed);
        for (int y = 5; y <= 22; y++)
            for (int x = 5; x <= 22; x++) {
                double dx = 27.0 * sx[y * SIDE + x] - x, dy = 27.0 * sy[y * SIDE + x] - y;
                sum += dx + dy;
                sum_sq += dx * dx + dy * dy;
                n += 2;
                if (x < 22) {
                    double ex = 27.0 * sx[y * SIDE + x + 1] - (x + 1), ey = 27.0 * sy[y * SIDE + x + 1] - y;
                    step_sq += (ex - dx) * (ex - dx) + (ey - dy) * (ey - dy);
                    steps += 2;
                }
            }
    }
    *mean = sum / n;
    *rms = sqrt(sum_sq / n);
    *step_rms = sqrt(step_sq / steps);
}

TEST(elastic_displacements_should_be_smooth_with_standard_deviation_alpha) {
    double rms, step, mean;
    elastic_stats(1.0f, 4.5f, &rms, &step, &mean);
    CHECK_NEAR(rms, 1.0, 0.08);
    CHECK(fabs(mean) < 0.08);
    /* As smooth as Gaussian-smoothed noise of that sigma, whose neighbours differ by
     * sqrt(2 (1 - exp(-1 / (4 sigma^2)))) alpha: 0.157 at sigma 4.5, 0.665 at sigma 1
     * (white noise: 1.41). */
    CHECK_NEAR(step, 0.157, 0.025);
    double rough_rms, rough_step;
    elastic_stats(1.0f, 1.0f, &rough_rms, &rough_step, &mean);
    CHECK_NEAR(rough_rms, 1.0, 0.08);
    CHECK_NEAR(rough_step, 0.665, 0.1);
    elastic_stats(0.5f, 4.5f, &rms, &step, &mean);
    CHECK_NEAR(rms, 0.5, 0.04);
}

TEST(default_distortions_should_keep_a_centred_digit_inside_the_frame) {
    float in[PIXELS], out[PIXELS];
    AugmentConfig cfg = augment_defaults();
    for (int shape = 0; shape < 2; shape++) {
        if (shape == 0) draw_seven(in);
        else draw_ring(in);
        Rng rng;
        rng_seed(&rng, 9);
        double edge_sum = 0.0, ratio_sum = 0.0;
        const int trials = 1000;
        for (int trial = 0; trial < trials; trial++) {
            augment_image(out, in, &cfg, &rng, scratch);
            /* A stroke cut by the frame runs into the outermost pixels: they stay nearly empty. */
            double edge = 0.0;
            for (int y = 0; y < SIDE; y++)
                for (int x = 0; x < SIDE; x++)
                    if (x == 0 || y == 0 || x == SIDE - 1 || y == SIDE - 1) edge += out[y * SIDE + x];
            CHECK(edge < 0.02 * mass(out));
            edge_sum += edge / mass(out);
            ratio_sum += mass(out) / mass(in);
        }
        CHECK(edge_sum / trials < 0.001);
        CHECK_NEAR(ratio_sum / trials, 1.0, 0.05); /* thickening and thinning balance out */
    }
}

TEST(translation_should_move_ink_that_touches_an_edge_away_from_it) {
    float seven[PIXELS], in[PIXELS] = {0}, out[PIXELS];
    draw_seven(seven);
    for (int y = 0; y < SIDE; y++) /* 7 pixels left: its ink above 0.1 starts at column 1 */
        for (int x = 0; x + 7 < SIDE; x++) in[y * SIDE + x] = seven[y * SIDE + x + 7];
    double cx, cy;
    centre_of_mass(in, &cx, &cy);
    AugmentConfig cfg = all_off();
    cfg.translate = 2.5f;
    double rightmost = 0.0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        augment_seeded(out, in, &cfg, seed);
        double ox, oy;
        centre_of_mass(out, &ox, &oy);
        CHECK(ox - cx >= -1.0 - 1e-4 && ox - cx <= 2.5 + 1e-4); /* never more than 1 px left */
        CHECK(mass(out) > 0.99 * mass(in));
        rightmost = fmax(rightmost, ox - cx);
    }
    CHECK(rightmost > 1.5);
}

TEST(thickness_alone_should_blend_towards_one_dilation_or_erosion) {
    float in[PIXELS], out[PIXELS], grown[PIXELS], thinned[PIXELS];
    draw_seven(in);
    cross_morph(grown, in, 1);
    cross_morph(thinned, in, 0);
    const float strengths[2] = {1.0f, 0.3f};
    for (int k = 0; k < 2; k++) {
        AugmentConfig cfg = all_off();
        cfg.thickness = strengths[k];
        int thicker = 0, thinner = 0;
        for (uint64_t seed = 1; seed <= 40; seed++) {
            augment_seeded(out, in, &cfg, seed);
            /* out = in + f (target - in) with target the dilation or the erosion and f in
             * [0, thickness]: read f at the pixel that changes most, then check every pixel. */
            int up = mass(out) > mass(in);
            const float *target = up ? grown : thinned;
            int most = 0;
            for (int i = 0; i < PIXELS; i++)
                if (fabsf(target[i] - in[i]) > fabsf(target[most] - in[most])) most = i;
            float f = (out[most] - in[most]) / (target[most] - in[most]);
            CHECK(f >= 0.0f && f <= strengths[k] + 1e-5f);
            for (int i = 0; i < PIXELS; i++) CHECK_NEAR(out[i], in[i] + f * (target[i] - in[i]), 1e-5);
            thicker += up && f > 0.5f * strengths[k];
            thinner += !up && f > 0.5f * strengths[k];
        }
        CHECK(thicker > 0 && thinner > 0);
    }
}

TEST(thickness_above_one_pixel_should_reach_beyond_one_dilation_and_erosion) {
    float in[PIXELS], out[PIXELS], grown[PIXELS], thinned[PIXELS];
    draw_ring(in);
    cross_morph(grown, in, 1);
    cross_morph(thinned, in, 0);
    AugmentConfig cfg = all_off();
    cfg.thickness = 2.5f;
    int beyond_grown = 0, beyond_thinned = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        augment_seeded(out, in, &cfg, seed);
        beyond_grown += mass(out) > 1.1 * mass(grown);
        beyond_thinned += mass(out) < 0.9 * mass(thinned);
    }
    CHECK(beyond_grown > 0 && beyond_thinned > 0);
}

/* thicken only ever makes strokes bolder: out = in + f (dilation - in), f in [0, thicken], and
 * over seeds both a little and almost the whole step. */
TEST(thicken_alone_should_only_make_strokes_bolder) {
    float in[PIXELS], out[PIXELS], grown[PIXELS];
    draw_seven(in);
    cross_morph(grown, in, 1);
    AugmentConfig cfg = all_off();
    cfg.thicken = 1.0f;
    CHECK(!augment_is_identity(&cfg));
    float least = 1.0f, most_f = 0.0f;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        augment_seeded(out, in, &cfg, seed);
        int most = 0;
        for (int i = 0; i < PIXELS; i++)
            if (grown[i] - in[i] > grown[most] - in[most]) most = i;
        float f = (out[most] - in[most]) / (grown[most] - in[most]);
        CHECK(f >= 0.0f && f <= 1.0f + 1e-5f);
        for (int i = 0; i < PIXELS; i++) CHECK_NEAR(out[i], in[i] + f * (grown[i] - in[i]), 1e-5);
        least = fminf(least, f), most_f = fmaxf(most_f, f);
    }
    CHECK(least < 0.25f && most_f > 0.75f);
    cfg.thicken = -1.0f;
    DigitsError err;
    CHECK(augment_check(&cfg, &err) == -1);
    CHECK_CONTAINS(err.msg, "augmentation thicken -1 must be 0..1000");
}

TEST(augment_should_write_no_scratch_beyond_its_advertised_size) {
    size_t n = augment_scratch_floats();
    CHECK(n > 0 && n + 64 <= sizeof scratch / sizeof scratch[0]);
    for (size_t i = 0; i < n + 64; i++) scratch[i] = -7.0f;
    float in[PIXELS], out[PIXELS];
    draw_seven(in);
    const AugmentConfig configs[] = {augment_defaults(), {30.0f, 0.5f, 1.0f, 5.0f, 5.0f, 0.0f, 3.0f, 1.0f}};
    for (int c = 0; c < 2; c++) {
        Rng rng;
        rng_seed(&rng, 1);
        augment_image(out, in, &configs[c], &rng, scratch);
    }
    for (size_t i = n; i < n + 64; i++) CHECK(scratch[i] == -7.0f);
}

static const TestCase TESTS[] = {
    T(all_strengths_zero_should_copy_the_input_exactly),
    T(each_distortion_alone_should_change_the_image_and_be_off_at_zero),
    T(outputs_should_stay_within_0_and_1_for_random_inputs_and_strong_settings),
    T(an_empty_image_should_stay_empty),
    T(the_same_seed_should_give_the_same_output_and_another_seed_a_different_one),
    T(translation_alone_should_shift_the_image_by_at_most_translate_pixels),
    T(rotation_alone_should_turn_about_the_ink_centre_of_mass),
    T(rotation_should_leave_a_centred_disc_a_disc),
    T(scale_alone_should_resize_about_the_ink_centre_within_the_range),
    T(shear_alone_should_slide_rows_sideways_in_proportion_to_height),
    T(elastic_displacements_should_be_smooth_with_standard_deviation_alpha),
    T(default_distortions_should_keep_a_centred_digit_inside_the_frame),
    T(translation_should_move_ink_that_touches_an_edge_away_from_it),
    T(thickness_alone_should_blend_towards_one_dilation_or_erosion),
    T(thickness_above_one_pixel_should_reach_beyond_one_dilation_and_erosion),
    T(thicken_alone_should_only_make_strokes_bolder),
    T(augment_should_write_no_scratch_beyond_its_advertised_size),
};

TEST_MAIN(TESTS)

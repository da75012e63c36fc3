/* outlier.h: seeded, on-the-fly 28x28 images that are NOT digits, for outlier exposure
 * (Hendrycks, Mazeika & Dietterich 2019): training adds them to every batch as an eleventh class
 * whose logit is a constant (nn.h's NN_BACKGROUND), so that a low logsumexp of the ten logits can
 * say "that's not a digit" (calibration.h).
 *
 * Every image is framed as web/preprocess.js frames a drawing: the ink's bounding box scaled so
 * its longer side is 20 pixels, then shifted by whole pixels to put the centre of mass at
 * (14, 14); the strongest ink is 1. So the network cannot tell outliers from digits by where
 * or how large they sit, only by their shape.
 *
 * What the generators avoid (a shape that is a digit must not be taught as a non-digit):
 *   - a single straight stroke (a 1): strokes have at least three segments at angles of 30
 *     degrees or more to each other, scribbles turn at every vertex, and every generated image
 *     has ink spread in two directions (its second moments' smaller eigenvalue is at least
 *     OUTLIER_MIN_SPREAD of the larger);
 *   - a closed round loop (a 0): polygons have 3 to 6 vertices at radii varying by at least
 *     half of the largest, arcs span at most 200 degrees each, a pictogram's round outline (a
 *     face) always has something inside it;
 *   - a whole digit: fragments shuffle a digit's quarters (one side of a cut is too often a
 *     digit still); overlaps draw two different digits offset by 4 to 9 pixels.
 * Images are 784 floats in 0..1, row-major, 0 = background. Randomness comes from the caller's
 * Rng, so the same seed gives the same images, native or wasm (only +, -, *, /, sqrtf, floorf
 * and the polynomial sine of augment.h). */
#ifndef DIGITS_OUTLIER_H
#define DIGITS_OUTLIER_H

#include <stddef.h>

#include "augment.h"
#include "dataset.h"
#include "rng.h"

typedef enum {
    OUTLIER_SCRIBBLE, /* one or two smooth random curves */
    OUTLIER_STROKES,  /* three to six straight segments in one to three strokes */
    OUTLIER_POLYGON,  /* an irregular polygon of 3 to 6 vertices, outlined or filled */
    OUTLIER_ARCS,     /* two or three elliptic arcs of 60 to 200 degrees, anywhere */
    OUTLIER_PICTOGRAM, /* a hand-drawn sign or picture: arrow, brace, star, mark, tree or house,
                          heart, face */
    OUTLIER_FRAGMENT, /* a training digit's quarters, shuffled */
    OUTLIER_OVERLAP,  /* two different training digits over each other, offset */
    OUTLIER_EXTERNAL, /* an image of a caller-given set (rendered glyphs, Fashion-MNIST), distorted */
    OUTLIER_KINDS
} OutlierKind;

extern const char *const OUTLIER_KIND_NAMES[OUTLIER_KINDS]; /* "scribble", "strokes", ... */

/* The smaller second moment of an image's ink, as a fraction of the larger, below which the ink
 * is a bar (a 1; 95% of MNIST's 1s are below it, 95% of every other digit above); no generated
 * outlier is. */
#define OUTLIER_MIN_SPREAD 0.1f

typedef struct {
    float share;                 /* outliers per digit in a training batch (0 = off) */
    float background_logit;      /* the eleventh class's logit: digits and outliers alike are
                                    trained by the cross-entropy of that 11-way softmax */
    /* The energy hinge (Liu et al. 2020), on top of the cross-entropy: with E = logsumexp of
     * the ten logits (the score; higher = more digit-like), each digit row adds
     * energy_weight * max(0, energy_in - E)^2 and each outlier row
     * energy_weight * max(0, E - energy_out)^2, pushing the digits' low-score tail up and the
     * most digit-like outliers down. energy_weight 0 = off. */
    float energy_weight;
    float energy_in, energy_out; /* the margins, energy_out <= energy_in */
    /* Outlier mining (Chen et al. 2021, ATOM): draw mining times as many outliers as a batch
     * takes, score them with the network being trained, and keep the most digit-like (highest
     * logsumexp), after skipping the top mining_skip fraction of the candidates (which may be
     * digits after all). mining 1 = keep every outlier drawn. */
    int mining;
    float mining_skip; /* 0 .. 1 - 1/mining */
    float weight[OUTLIER_KINDS]; /* relative frequency of each kind (0 = never) */
    AugmentConfig augment;       /* distortions of the external images */
    const Dataset *external;     /* borrowed: images of non-digits (labels ignored), or NULL */
} OutlierConfig;

/* Off (share 0); when turned on, background logit 0, every generated kind equally often, external
 * images as often as all generated kinds together, distorted with augment_defaults(). */
OutlierConfig outlier_defaults(void);

/* 0 if every field is sensible; -1 with err naming the bad one. */
int outlier_config_check(const OutlierConfig *cfg, DigitsError *err);

/* Floats of scratch memory outlier_image needs. */
size_t outlier_scratch_floats(void);

/* A random kind by weight among those that can be drawn: fragments and overlaps need digits
 * (labelled, with at least two different labels), external images need cfg->external. -1 if
 * no kind can be drawn. */
int outlier_pick(const OutlierConfig *cfg, const Dataset *digits, Rng *rng);

/* Writes one outlier of the given kind to out (784). digits: the training digits for fragments
 * and overlaps (it must suit the kind, see outlier_pick). scratch: outlier_scratch_floats(). */
void outlier_draw(float *out, OutlierKind kind, const OutlierConfig *cfg, const Dataset *digits, Rng *rng,
                  float *scratch);

/* outlier_pick then outlier_draw; returns the kind drawn, or -1 (out untouched) if none can be. */
int outlier_image(float *out, const OutlierConfig *cfg, const Dataset *digits, Rng *rng, float *scratch);

/* The smaller second moment of the ink of img (784) about its centre of mass, as a fraction of the
 * larger (0 for a straight bar, 1 for ink spread alike in every direction); 0 for no ink. */
float outlier_spread(const float *img);

#endif

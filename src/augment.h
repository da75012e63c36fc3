/* augment.h: random distortions of 28x28 digit images, applied on the fly during training.
 *
 * Each distortion has a strength; all off (identity) at zero. Images are 784 floats in 0..1,
 * row-major, 0 = background. Randomness comes from the caller's seeded Rng, so the same seed
 * gives the same distortions, native or wasm. Rotation, scale and shear act about the ink's
 * centre of mass; the geometry is resampled once (bilinear, zero outside the frame), then the
 * strokes are thickened or thinned. */
#ifndef DIGITS_AUGMENT_H
#define DIGITS_AUGMENT_H

#include <stddef.h>

#include "error.h"
#include "rng.h"

typedef struct {
    float rotate;        /* max rotation, degrees (uniform in [-rotate, rotate]) */
    float scale;         /* max relative scale change: factor in [1 - scale, 1 + scale], times an
                            aspect jitter in [1 - scale/2, 1 + scale/2] (x: *, y: /) */
    float shear;         /* max horizontal shear factor (x += shear * (y - centre)) */
    float translate;     /* max shift in pixels along each axis; within that, the shift keeps
                            the ink inside the frame where it can */
    float elastic_alpha; /* elastic distortion (Simard et al. 2003): standard deviation of each
                            pixel's displacement along each axis, pixels, fading to 0 at the
                            frame's edge (Simard's alpha 34 on a unit-sum Gaussian of sigma 4 is
                            ~1.4 here; above ~1.5 digits start to look wrong) */
    float elastic_sigma; /* smoothness of the elastic field: the Gaussian sigma, pixels, whose
                            correlation length it matches (e.g. 4); a shape, not a strength */
    float thickness;     /* max stroke-thickness change in pixels: thicken or thin by up to this */
    float thicken;       /* then thicken by up to this many pixels more (uniform in [0, thicken]):
                            strokes as bold as a small digit drawn with a wide pen */
} AugmentConfig;

/* The strengths the default model is trained with. */
AugmentConfig augment_defaults(void);

/* 0 if every strength is a number in 0..1000; otherwise -1 with err naming it
 * ("augmentation rotate -1 must be 0..1000"). */
int augment_check(const AugmentConfig *cfg, DigitsError *err);

/* 1 if every strength is zero (augment_image then copies its input). */
int augment_is_identity(const AugmentConfig *cfg);

/* Floats of scratch memory augment_image needs. */
size_t augment_scratch_floats(void);

/* Writes a randomly distorted copy of in (784) to out (784); out must not alias in.
 * Values stay in 0..1. scratch holds augment_scratch_floats() floats. No allocation. */
void augment_image(float *out, const float *in, const AugmentConfig *cfg, Rng *rng, float *scratch);

/* sin and cos of an angle in degrees, to ~1e-7, with the same bits on every platform (the
 * generators of outlier.h share it). */
void augment_sin_cos(float degrees, float *sin_out, float *cos_out);

#endif

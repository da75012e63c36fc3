/* model_io.h: a Model to and from the four .npy files W1.npy, b1.npy, W2.npy, b2.npy.
 *
 * Shapes: W1 (H, 784), b1 (H, 1) or (H,), W2 (10, H), b2 (10, 1) or (10,); float16, float32 or
 * float64 read (the seed project's float64 files load as they are); float32 or float16 written.
 * The files hold W1 as (H, 784); the model in memory as (784, H) (nn.h): loading and saving
 * transpose it. In memory only: the browser hands us bytes. Native file wrappers live in files.h. */
#ifndef DIGITS_MODEL_IO_H
#define DIGITS_MODEL_IO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "nn.h"
#include "npy.h"

/* The file names, in NnTensor order: "W1.npy", "b1.npy", "W2.npy", "b2.npy". */
extern const char *const MODEL_FILE_NAMES[NN_TENSORS];

/* Builds a new model from the four files' bytes (bufs[NN_W1] .. bufs[NN_B2]). The hidden size
 * comes from W1's shape and every other shape must agree. On success *m is a freshly allocated
 * model (free with nn_model_free); on failure *m is left zeroed and err names the file and the
 * problem, e.g. "W2.npy: shape (10, 64) does not match the expected (10, 128)". */
int model_from_npy(Model *m, const uint8_t *const bufs[NN_TENSORS], const size_t lens[NN_TENSORS],
                   DigitsError *err);

/* Bytes of tensor t written as dtype (NPY_F32 or NPY_F16). */
size_t model_npy_size(const Model *m, NnTensor t, NpyDtype dtype);

/* Writes tensor t as a .npy into out (cap bytes); returns bytes written, 0 if cap is too small. */
size_t model_to_npy(const Model *m, NnTensor t, NpyDtype dtype, uint8_t *out, size_t cap);

#endif

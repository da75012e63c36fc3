/* pack.h: a model in few bytes and back, losslessly: the packed model that the page downloads
 * instead of the four .npy files (the format: docs/model-pack.md).
 *
 *   size_t n; uint8_t *bytes = pack_encode(&model, &n, &err); // malloc'd (free it); NULL: out of memory
 *   pack_decode(&model, bytes, n, "model.pack", &err);         // 0, or -1 with err naming the problem
 *
 * Every float32 value comes back exactly, the sign of a zero included. Each tensor takes the
 * smallest of three forms that keeps it so: float32, float16 (when every value is one), or, for
 * W1, each unit's 784 weights as whole numbers times one power of two (a model on the integer
 * grid of quant.h is so), the numbers range-coded (coder.h) with probabilities that follow the
 * size of their neighbours in the unit's 28x28 image. A checksum over the whole file finds a
 * damaged or cut download. */
#ifndef DIGITS_PACK_H
#define DIGITS_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "nn.h"

/* m as a packed model: its bytes (the caller frees them) and their count in *len; NULL with err set
 * only when out of memory. */
uint8_t *pack_encode(const Model *m, size_t *len, DigitsError *err);

/* CRC-32 of n bytes as zlib, PNG and gzip compute it: the packed model's last four bytes hold it for
 * all the others. */
uint32_t pack_checksum(const uint8_t *p, size_t n);

/* A new model from a packed model's bytes. On success *m is freshly allocated (free with
 * nn_model_free); on failure *m is left zeroed and err says what is wrong, after `name` (may be
 * NULL), e.g. "model.pack: its checksum does not match: the file is damaged or cut short". */
int pack_decode(Model *m, const uint8_t *buf, size_t len, const char *name, DigitsError *err);

#endif

/* coder.h: an adaptive binary range coder, the one of LZMA: each bit is coded with a probability
 * that learns from the bits coded with it before, so a stream of predictable bits costs close to
 * its entropy. The caller chooses which probability codes which bit (the context), and must make
 * the same choices when decoding.
 *
 *   CoderProb p = CODER_PROB_INIT;                  // one per context, encoder and decoder alike
 *   CoderWriter w; coder_writer_init(&w);
 *   coder_put(&w, &p, 1); ...
 *   size_t n; uint8_t *bytes = coder_writer_finish(&w, &n); // malloc'd (free it); NULL: out of memory
 *
 *   CoderReader r; coder_reader_init(&r, bytes, n);
 *   int bit = coder_get(&r, &p); ...                 // never reads past bytes[n - 1]
 *   coder_reader_done(&r)                            // 1: exactly the n bytes were needed
 */
#ifndef DIGITS_CODER_H
#define DIGITS_CODER_H

#include <stddef.h>
#include <stdint.h>

typedef uint16_t CoderProb;        /* the probability of a 0 bit, in 1/2048 */
#define CODER_PROB_INIT 1024       /* one half */

typedef struct {
    uint8_t *buf;                  /* the bytes so far (malloc'd, grows) */
    size_t len, cap;
    uint64_t low;                  /* the interval [low, low + range), 33 bits with its carry */
    uint32_t range;
    uint8_t cache;                 /* the byte held back until no carry can reach it */
    uint64_t pending;              /* how many bytes wait: cache and pending - 1 bytes of 0xff */
    int out_of_memory;
} CoderWriter;

void coder_writer_init(CoderWriter *w);
void coder_put(CoderWriter *w, CoderProb *p, int bit);
/* Ends the stream: returns its bytes (the caller frees them) and their count in *len, or NULL
 * when memory ran out on the way. The writer is left empty either way. */
uint8_t *coder_writer_finish(CoderWriter *w, size_t *len);
void coder_writer_free(CoderWriter *w); /* for a writer abandoned before finishing */

typedef struct {
    const uint8_t *buf;
    size_t len, pos;
    uint32_t range, code;
    int overrun;                   /* 1 once a byte past the end was wanted (it reads as 0) */
} CoderReader;

void coder_reader_init(CoderReader *r, const uint8_t *buf, size_t len);
int coder_get(CoderReader *r, CoderProb *p);
/* 1 when the bits decoded so far were the whole stream: no byte past its end was wanted, none is
 * left over, and its first byte is the 0 every encoder writes. */
int coder_reader_done(const CoderReader *r);

#endif

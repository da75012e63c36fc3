/* coder.c: the adaptive binary range coder of LZMA (see coder.h). */
#include "coder.h"

#include <stdlib.h>
#include <string.h>

enum {
    PROB_BITS = 11,       /* probabilities in 1/2048 */
    ADAPT = 5,            /* each bit moves its probability 1/32 of the way to where it points */
    TOP = 1 << 24,        /* the range is renormalised, a byte at a time, while below this */
};

void coder_writer_init(CoderWriter *w) {
    memset(w, 0, sizeof *w);
    w->range = 0xffffffffu;
    w->pending = 1;
}

static void emit(CoderWriter *w, uint8_t byte) {
    if (w->out_of_memory) return;
    if (w->len == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 4096;
        uint8_t *grown = realloc(w->buf, cap);
        if (!grown) {
            w->out_of_memory = 1;
            return;
        }
        w->buf = grown, w->cap = cap;
    }
    w->buf[w->len++] = byte;
}

/* Moves low's top byte out. It cannot be written while a carry may still reach it: a run of 0xff
 * bytes waits (pending) until the carry is known. */
static void shift_low(CoderWriter *w) {
    if ((uint32_t)w->low < 0xff000000u || (w->low >> 32) != 0) {
        uint8_t carry = (uint8_t)(w->low >> 32), byte = w->cache;
        do {
            emit(w, (uint8_t)(byte + carry));
            byte = 0xff;
        } while (--w->pending != 0);
        w->cache = (uint8_t)(w->low >> 24);
    }
    w->pending++;
    w->low = (w->low & 0x00ffffffu) << 8;
}

void coder_put(CoderWriter *w, CoderProb *p, int bit) {
    uint32_t bound = (w->range >> PROB_BITS) * *p;
    if (!bit) {
        w->range = bound;
        *p = (CoderProb)(*p + (((1u << PROB_BITS) - *p) >> ADAPT));
    } else {
        w->low += bound;
        w->range -= bound;
        *p = (CoderProb)(*p - (*p >> ADAPT));
    }
    while (w->range < TOP) {
        w->range <<= 8;
        shift_low(w);
    }
}

uint8_t *coder_writer_finish(CoderWriter *w, size_t *len) {
    for (int i = 0; i < 5; i++) shift_low(w); /* low's four bytes, and the carry byte before them */
    uint8_t *buf = w->out_of_memory ? NULL : w->buf;
    *len = buf ? w->len : 0;
    if (!buf) free(w->buf);
    memset(w, 0, sizeof *w);
    return buf;
}

void coder_writer_free(CoderWriter *w) {
    free(w->buf);
    memset(w, 0, sizeof *w);
}

static uint8_t next_byte(CoderReader *r) {
    if (r->pos < r->len) return r->buf[r->pos++];
    r->overrun = 1;
    return 0;
}

void coder_reader_init(CoderReader *r, const uint8_t *buf, size_t len) {
    memset(r, 0, sizeof *r);
    r->buf = buf, r->len = len;
    r->range = 0xffffffffu;
    for (int i = 0; i < 5; i++) r->code = r->code << 8 | next_byte(r); /* the first byte, 0, falls out */
}

int coder_get(CoderReader *r, CoderProb *p) {
    uint32_t bound = (r->range >> PROB_BITS) * *p;
    int bit;
    if (r->code < bound) {
        r->range = bound;
        *p = (CoderProb)(*p + (((1u << PROB_BITS) - *p) >> ADAPT));
        bit = 0;
    } else {
        r->code -= bound;
        r->range -= bound;
        *p = (CoderProb)(*p - (*p >> ADAPT));
        bit = 1;
    }
    while (r->range < TOP) {
        r->range <<= 8;
        r->code = r->code << 8 | next_byte(r);
    }
    return bit;
}

int coder_reader_done(const CoderReader *r) {
    return !r->overrun && r->pos == r->len && r->len > 0 && r->buf[0] == 0;
}

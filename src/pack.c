/* pack.c: see pack.h; the format byte by byte is in docs/model-pack.md. */
#include "pack.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "coder.h"
#include "npy.h"

enum { VERSION = 1, HEADER = 7, CHECKSUM = 4 };
enum { FORM_F32 = 1, FORM_F16 = 2, FORM_WHOLE = 3 };
enum { MAX_LENGTH = 15 }; /* bit length of the largest whole number: |q| <= 32767 */

static const uint8_t MAGIC[4] = {'D', 'G', 'P', 'K'};
static const char *const NAMES[NN_TENSORS] = {"W1", "b1", "W2", "b2"};

/* ---- the tensors in the files' order: W1 (H, 784), b1 (H), W2 (10, H), b2 (10) ---- */

static size_t tensor_count(int H, NnTensor t) {
    return t == NN_W1 ? (size_t)H * NN_INPUTS : t == NN_B1 ? (size_t)H : t == NN_W2 ? (size_t)H * NN_OUTPUTS : NN_OUTPUTS;
}

/* Value i of tensor t in the files' order (memory holds W1 transposed: nn.h). */
static float *value_at(const Model *m, NnTensor t, size_t i) {
    if (t != NN_W1) return nn_tensor(m, t) + i;
    return m->W1 + (i % NN_INPUTS) * (size_t)m->hidden + i / NN_INPUTS;
}

static int same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

/* The reflected polynomial 0xedb88320, a byte at a time from a table made on the stack. */
uint32_t pack_checksum(const uint8_t *p, size_t n) {
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

static void put_u16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put_u32(uint8_t *p, uint32_t v) { put_u16(p, v & 0xffff), put_u16(p + 2, v >> 16); }
static uint32_t get_u16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t get_u32(const uint8_t *p) { return get_u16(p) | get_u16(p + 2) << 16; }

/* ---- whole numbers: W1's units as q 2^e, range-coded ---- */

/* The probabilities, shared by all units: a number's bit length in unary, by the size of its
 * neighbours; its sign, by theirs; the bits below its leading one, by length and position. */
typedef struct {
    CoderProb length[MAX_LENGTH + 1][MAX_LENGTH];
    CoderProb sign[9], zero_sign;
    CoderProb bits[MAX_LENGTH + 1][MAX_LENGTH];
} Contexts;

static void probs_init(CoderProb *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = CODER_PROB_INIT;
}

static void contexts_init(Contexts *c) {
    probs_init(&c->length[0][0], sizeof c->length / sizeof c->length[0][0]);
    probs_init(c->sign, sizeof c->sign / sizeof c->sign[0]);
    probs_init(&c->zero_sign, 1);
    probs_init(&c->bits[0][0], sizeof c->bits / sizeof c->bits[0][0]);
}

static int bit_length(uint32_t a) {
    int n = 0;
    for (; a; a >>= 1) n++;
    return n;
}

static int sign_of(int32_t v) { return (v > 0) - (v < 0); }

/* Pixel k's neighbours already coded in the unit's 28x28 image (q: its numbers so far): their size
 * (the bit length of 2|left| + 2|up| + |up-left| + |up-right|) and their signs (left, up). */
static int length_context(const int32_t *q, int k) {
    int r = k / 28, c = k % 28;
    uint32_t s = 0;
    if (c > 0) s += 2u * (uint32_t)abs(q[k - 1]);
    if (r > 0) {
        s += 2u * (uint32_t)abs(q[k - 28]);
        if (c > 0) s += (uint32_t)abs(q[k - 29]);
        if (c < 27) s += (uint32_t)abs(q[k - 27]);
    }
    int n = bit_length(s);
    return n < MAX_LENGTH ? n : MAX_LENGTH;
}

static int sign_context(const int32_t *q, int k) {
    int left = k % 28 ? sign_of(q[k - 1]) : 0, up = k >= 28 ? sign_of(q[k - 28]) : 0;
    return (left + 1) * 3 + up + 1;
}

/* Unit h's weights as whole numbers q times 2^e, if they are (|q| <= 32767, every value exact). */
static int unit_as_whole(const Model *m, int h, int32_t *q, int *e) {
    int lowest = INT32_MAX; /* the exponent of the lowest set bit of any weight */
    for (int k = 0; k < NN_INPUTS; k++) {
        float w = m->W1[(size_t)k * m->hidden + h];
        if (!isfinite(w)) return 0;
        if (w == 0.0f) continue;
        int x;
        uint32_t mantissa = (uint32_t)ldexpf(fabsf(frexpf(w, &x)), 24); /* |w| = mantissa 2^(x - 24), exactly */
        int low = x - 24;
        for (; !(mantissa & 1); mantissa >>= 1) low++;
        if (low < lowest) lowest = low;
    }
    *e = lowest == INT32_MAX ? 0 : lowest;
    if (*e < -128 || *e > 127) return 0;
    for (int k = 0; k < NN_INPUTS; k++) {
        float w = m->W1[(size_t)k * m->hidden + h], a = ldexpf(fabsf(w), -*e);
        if (a > 32767.0f || !same_bits(copysignf(ldexpf(a, *e), w), w)) return 0;
        q[k] = (int32_t)a * (w < 0.0f ? -1 : 1);
    }
    return 1;
}

static void put_whole(CoderWriter *w, Contexts *c, const int32_t *q, int k, int negative) {
    uint32_t a = (uint32_t)abs(q[k]);
    int n = bit_length(a), ctx = length_context(q, k);
    for (int i = 0; i < MAX_LENGTH; i++) {
        coder_put(w, &c->length[ctx][i], n > i);
        if (n <= i) break;
    }
    coder_put(w, n ? &c->sign[sign_context(q, k)] : &c->zero_sign, negative);
    for (int b = n - 2; b >= 0; b--) coder_put(w, &c->bits[n][b], (a >> b) & 1);
}

/* Decodes pixel k's number into q[k]; returns whether it is negative (a zero may be: -0). */
static int get_whole(CoderReader *r, Contexts *c, int32_t *q, int k) {
    int n = 0, ctx = length_context(q, k);
    while (n < MAX_LENGTH && coder_get(r, &c->length[ctx][n])) n++;
    int negative = coder_get(r, n ? &c->sign[sign_context(q, k)] : &c->zero_sign);
    uint32_t a = n ? 1 : 0;
    for (int b = n - 2; b >= 0; b--) a = a << 1 | (uint32_t)coder_get(r, &c->bits[n][b]);
    q[k] = negative ? -(int32_t)a : (int32_t)a;
    return negative;
}

/* W1's units as whole numbers: H exponent bytes into exponents, the coded numbers returned
 * (malloc'd, *len bytes); NULL with *whole = 0 when some unit is not whole numbers, NULL with
 * *whole = 1 when out of memory. */
static uint8_t *encode_whole(const Model *m, uint8_t *exponents, size_t *len, int *whole) {
    int32_t q[NN_INPUTS];
    *whole = 0;
    for (int h = 0; h < m->hidden; h++) {
        int e;
        if (!unit_as_whole(m, h, q, &e)) return NULL;
        exponents[h] = (uint8_t)(int8_t)e;
    }
    *whole = 1;
    Contexts c;
    contexts_init(&c);
    CoderWriter w;
    coder_writer_init(&w);
    for (int h = 0; h < m->hidden; h++) {
        int e;
        unit_as_whole(m, h, q, &e);
        for (int k = 0; k < NN_INPUTS; k++) put_whole(&w, &c, q, k, signbit(m->W1[(size_t)k * m->hidden + h]) != 0);
    }
    return coder_writer_finish(&w, len);
}

static int decode_whole(Model *m, const uint8_t *exponents, const uint8_t *coded, size_t len, DigitsError *err) {
    Contexts c;
    contexts_init(&c);
    CoderReader r;
    coder_reader_init(&r, coded, len);
    int32_t q[NN_INPUTS];
    for (int h = 0; h < m->hidden; h++) {
        int e = (int8_t)exponents[h];
        for (int k = 0; k < NN_INPUTS; k++) {
            int negative = get_whole(&r, &c, q, k);
            float a = (float)abs(q[k]), v = ldexpf(a, e);
            if (!isfinite(v) || ldexpf(v, -e) != a)
                return error_set(err, "W1, unit %d: %d times 2^%d is not a float32 number", h, q[k], e);
            m->W1[(size_t)k * m->hidden + h] = negative ? -v : v;
        }
    }
    if (!coder_reader_done(&r))
        return error_set(err, "W1: its %zu bytes of whole numbers %s", len,
                         r.overrun ? "end too early" : "do not end where the numbers do");
    return 0;
}

/* ---- encoding ---- */

static int all_float16(const Model *m, NnTensor t) {
    size_t n = tensor_count(m->hidden, t);
    for (size_t i = 0; i < n; i++) {
        float v = *value_at(m, t, i);
        if (!same_bits(npy_half_to_float(npy_float_to_half(v)), v)) return 0;
    }
    return 1;
}

/* Writes tensor t's values in form FORM_F32 or FORM_F16 at p; returns the bytes written. */
static size_t put_floats(uint8_t *p, const Model *m, NnTensor t, int form) {
    size_t n = tensor_count(m->hidden, t);
    for (size_t i = 0; i < n; i++) {
        float v = *value_at(m, t, i);
        uint32_t bits;
        memcpy(&bits, &v, sizeof bits);
        if (form == FORM_F16) put_u16(p + 2 * i, npy_float_to_half(v));
        else put_u32(p + 4 * i, bits);
    }
    return n * (form == FORM_F16 ? 2 : 4);
}

uint8_t *pack_encode(const Model *m, size_t *len, DigitsError *err) {
    int H = m->hidden, forms[NN_TENSORS], whole;
    size_t coded_len = 0, size = HEADER + CHECKSUM;
    uint8_t *exponents = malloc((size_t)H), *coded = exponents ? encode_whole(m, exponents, &coded_len, &whole) : NULL;
    if (!exponents || (whole && !coded)) {
        free(exponents);
        error_set(err, "out of memory packing a 784-%d-10 model", H);
        return NULL;
    }
    for (int t = 0; t < NN_TENSORS; t++) {
        forms[t] = t == NN_W1 && coded ? FORM_WHOLE : all_float16(m, (NnTensor)t) ? FORM_F16 : FORM_F32;
        size += 1 + (forms[t] == FORM_WHOLE ? (size_t)H + 4 + coded_len : tensor_count(H, (NnTensor)t) * (forms[t] == FORM_F16 ? 2 : 4));
    }
    uint8_t *out = malloc(size), *p = out;
    if (!out) {
        free(exponents), free(coded);
        error_set(err, "out of memory packing a 784-%d-10 model", H);
        return NULL;
    }
    memcpy(p, MAGIC, 4);
    p[4] = VERSION;
    put_u16(p + 5, (uint32_t)H);
    p += HEADER;
    for (int t = 0; t < NN_TENSORS; t++) {
        *p++ = (uint8_t)forms[t];
        if (forms[t] != FORM_WHOLE) {
            p += put_floats(p, m, (NnTensor)t, forms[t]);
            continue;
        }
        memcpy(p, exponents, (size_t)H);
        put_u32(p + H, (uint32_t)coded_len);
        memcpy(p + H + 4, coded, coded_len);
        p += (size_t)H + 4 + coded_len;
    }
    put_u32(p, pack_checksum(out, size - CHECKSUM));
    free(exponents), free(coded);
    *len = size;
    return out;
}

/* ---- decoding ---- */

/* Reads tensor t in form FORM_F32 or FORM_F16 from p (n bytes there); 0 or -1 with err set. */
static int get_floats(Model *m, NnTensor t, int form, const uint8_t *p, size_t n, DigitsError *err) {
    size_t count = tensor_count(m->hidden, t), width = form == FORM_F16 ? 2 : 4;
    if (n < count * width) return error_set(err, "%s: %zu bytes of values where %zu are needed", NAMES[t], n, count * width);
    for (size_t i = 0; i < count; i++) {
        float v;
        if (form == FORM_F16) {
            v = npy_half_to_float((uint16_t)get_u16(p + 2 * i));
        } else {
            uint32_t bits = get_u32(p + 4 * i);
            memcpy(&v, &bits, sizeof v);
        }
        if (!isfinite(v)) return error_set(err, "%s: value %zu is %s", NAMES[t], i, isnan(v) ? "NaN" : "infinite");
        *value_at(m, t, i) = v;
    }
    return 0;
}

/* The tensors, from p (n bytes up to the checksum), into m; 0 or -1 with err set. */
static int get_tensors(Model *m, const uint8_t *p, size_t n, DigitsError *err) {
    const uint8_t *end = p + n;
    for (int i = 0; i < NN_TENSORS; i++) {
        NnTensor t = (NnTensor)i;
        if (p == end) return error_set(err, "the file ends before %s", NAMES[t]);
        int form = *p++;
        if (form == FORM_F32 || form == FORM_F16) {
            if (get_floats(m, t, form, p, (size_t)(end - p), err)) return -1;
            p += tensor_count(m->hidden, t) * (form == FORM_F16 ? 2 : 4);
        } else if (form == FORM_WHOLE && t == NN_W1) {
            size_t H = (size_t)m->hidden;
            if ((size_t)(end - p) < H + 4) return error_set(err, "W1: the file ends in its exponents");
            size_t len = get_u32(p + H);
            if (len > (size_t)(end - p) - H - 4)
                return error_set(err, "W1: %zu bytes of whole numbers announced, %zu there", len, (size_t)(end - p) - H - 4);
            if (decode_whole(m, p, p + H + 4, len, err)) return -1;
            p += H + 4 + len;
        } else if (form == FORM_WHOLE) {
            return error_set(err, "%s: only W1 may be stored as whole numbers (form 3)", NAMES[t]);
        } else {
            return error_set(err, "%s: unknown form %d (1: float32, 2: float16, 3: whole numbers)", NAMES[t], form);
        }
    }
    if (p != end) return error_set(err, "%zu byte(s) between the model's end and its checksum", (size_t)(end - p));
    return 0;
}

int pack_decode(Model *m, const uint8_t *buf, size_t len, const char *name, DigitsError *err) {
    memset(m, 0, sizeof *m);
    const char *sep = name ? ": " : "";
    name = name ? name : "";
    if (len < 4 || memcmp(buf, MAGIC, 4) != 0)
        return error_set(err, "%s%snot a packed model (it does not start with DGPK)", name, sep);
    if (len < HEADER + CHECKSUM) return error_set(err, "%s%sonly %zu bytes: cut short", name, sep, len);
    if (buf[4] != VERSION)
        return error_set(err, "%s%spacked model version %d, but this program reads version %d", name, sep, buf[4], VERSION);
    if (get_u32(buf + len - CHECKSUM) != pack_checksum(buf, len - CHECKSUM))
        return error_set(err, "%s%sits checksum does not match: the file is damaged or cut short", name, sep);
    int H = (int)get_u16(buf + 5);
    DigitsError why;
    Model tmp;
    if (nn_model_alloc(&tmp, H, &why) || get_tensors(&tmp, buf + HEADER, len - HEADER - CHECKSUM, &why)) {
        nn_model_free(&tmp);
        return error_set(err, "%s%s%s", name, sep, why.msg);
    }
    *m = tmp;
    return 0;
}

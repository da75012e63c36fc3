/* calibration.c: see calibration.h. */
#include "calibration.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE_BYTES 65536 /* a calibration file is a few lines; more is not one */

static const char *const KEYS[] = {"score", "threshold", "temperature"};
enum { KEY_SCORE, KEY_THRESHOLD, KEY_TEMPERATURE, KEYS_COUNT };

Calibration calibration_default(void) {
    return (Calibration){.score = CALIBRATION_MAX_SOFTMAX, .threshold = 0.5f, .temperature = 1.0f};
}

const char *calibration_score_name(CalibrationScore score) {
    return score == CALIBRATION_LOGSUMEXP ? "logsumexp" : "max-softmax";
}

int calibration_check(const Calibration *c, DigitsError *err) {
    if (c->score != CALIBRATION_LOGSUMEXP && c->score != CALIBRATION_MAX_SOFTMAX)
        return error_set(err, "unknown score %d", (int)c->score);
    if (!isfinite(c->threshold)) return error_set(err, "threshold %g is not a finite number", (double)c->threshold);
    if (c->score == CALIBRATION_MAX_SOFTMAX && !(c->threshold >= 0.0f && c->threshold <= 1.0f))
        return error_set(err, "threshold %g is outside 0..1, the range of the max-softmax score", (double)c->threshold);
    if (!(c->temperature >= CALIBRATION_MIN_TEMPERATURE && c->temperature <= CALIBRATION_MAX_TEMPERATURE))
        return error_set(err, "temperature %g must be a number from %g to %g", (double)c->temperature,
                         (double)CALIBRATION_MIN_TEMPERATURE, (double)CALIBRATION_MAX_TEMPERATURE);
    return 0;
}

/* ---- the file ---- */

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* The number in the whole of token (NUL-terminated), or NAN if it is not one. */
static float number(const char *token) {
    char *end;
    double v = strtod(token, &end);
    return end != token && *end == '\0' && isfinite(v) ? (float)v : NAN;
}

/* One line's key and value (both NUL-terminated copies), or -1 with err saying what is wrong. */
static int split_line(const char *line, size_t len, char *key, char *value, size_t cap, DigitsError *err) {
    const char *p = line, *end = line + len;
    while (p < end && is_space(*p)) p++;
    const char *k = p;
    while (p < end && !is_space(*p)) p++;
    size_t klen = (size_t)(p - k);
    while (p < end && is_space(*p)) p++;
    const char *v = p;
    while (p < end && !is_space(*p)) p++;
    size_t vlen = (size_t)(p - v);
    while (p < end && is_space(*p)) p++;
    if (vlen == 0 || p < end || klen >= cap || vlen >= cap)
        return error_set(err, "expected 'key value', found '%.*s'", (int)(len < 60 ? len : 60), line);
    memcpy(key, k, klen), key[klen] = '\0';
    memcpy(value, v, vlen), value[vlen] = '\0';
    return 0;
}

/* Stores one key's value into c; -1 with err for a bad value. */
static int set_value(Calibration *c, int key, const char *value, DigitsError *err) {
    if (key == KEY_SCORE) {
        if (!strcmp(value, "logsumexp")) c->score = CALIBRATION_LOGSUMEXP;
        else if (!strcmp(value, "max-softmax")) c->score = CALIBRATION_MAX_SOFTMAX;
        else return error_set(err, "unknown score '%s' (expected logsumexp or max-softmax)", value);
    } else if (key == KEY_THRESHOLD) {
        c->threshold = number(value);
        if (isnan(c->threshold)) return error_set(err, "threshold '%s' is not a finite number", value);
    } else {
        c->temperature = number(value);
        if (!(c->temperature >= CALIBRATION_MIN_TEMPERATURE && c->temperature <= CALIBRATION_MAX_TEMPERATURE))
            return error_set(err, "temperature '%s' must be a number from %g to %g", value,
                             (double)CALIBRATION_MIN_TEMPERATURE, (double)CALIBRATION_MAX_TEMPERATURE);
    }
    return 0;
}

/* Reads the lines into out; -1 with err naming the line (not yet the file). */
static int parse_lines(Calibration *out, const char *text, size_t len, DigitsError *err) {
    Calibration c = calibration_default();
    int seen[KEYS_COUNT] = {0};
    size_t start = 0;
    for (int line = 1; start < len; line++) {
        const char *eol = memchr(text + start, '\n', len - start);
        size_t end = eol ? (size_t)(eol - text) : len, stop = end;
        for (size_t i = start; i < end && stop == end; i++) {
            if (text[i] == '#') stop = i;
            else if (text[i] == '\0' || ((unsigned char)text[i] < 32 && text[i] != '\t' && text[i] != '\r'))
                return error_set(err, "line %d: binary data (a calibration file is text)", line);
        }
        while (stop > start && (is_space(text[stop - 1]) || text[stop - 1] == '\r')) stop--;
        size_t first = start;
        while (first < stop && is_space(text[first])) first++;
        start = end + 1;
        if (first == stop) continue; /* blank, or a comment */
        char key[64], value[64];
        DigitsError why;
        if (split_line(text + first, stop - first, key, value, sizeof key, &why))
            return error_set(err, "line %d: %s", line, why.msg);
        int k = 0;
        while (k < KEYS_COUNT && strcmp(KEYS[k], key)) k++;
        if (k == KEYS_COUNT)
            return error_set(err, "line %d: unknown key '%s' (expected score, threshold and temperature)", line, key);
        if (seen[k]) return error_set(err, "line %d: %s is given twice (first on line %d)", line, key, seen[k]);
        seen[k] = line;
        if (set_value(&c, k, value, &why)) return error_set(err, "line %d: %s", line, why.msg);
    }
    for (int k = 0; k < KEYS_COUNT; k++)
        if (!seen[k]) return error_set(err, "no %s line (expected score, threshold and temperature)", KEYS[k]);
    if (calibration_check(&c, err)) return -1;
    *out = c;
    return 0;
}

int calibration_parse(Calibration *c, const char *text, size_t len, const char *name, DigitsError *err) {
    DigitsError why;
    if (len > MAX_FILE_BYTES)
        error_set(&why, "%zu bytes is too large for a calibration file (a few lines)", len);
    else if (parse_lines(c, text, len, &why) == 0)
        return 0;
    return error_set(err, "%s: %.200s", name, why.msg);
}

size_t calibration_format(const Calibration *c, char *out, size_t cap) {
    /* %.9g: nine significant digits give back every float exactly */
    int n = snprintf(out, cap,
                     "# digits: how this model says \"not a digit\" (docs/not-a-digit.md); NumPy users can ignore it\n"
                     "score %s\n"
                     "threshold %.9g\n"
                     "temperature %.9g\n",
                     calibration_score_name(c->score), (double)c->threshold, (double)c->temperature);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* ---- scores and probabilities ---- */

/* The largest of z, and sum_j e^(z_j - top) / t over the ten. */
static float exp_sum(const float z[NN_OUTPUTS], float t, float *top) {
    *top = z[nn_argmax(z, NN_OUTPUTS)];
    float sum = 0.0f;
    for (int j = 0; j < NN_OUTPUTS; j++) sum += expf((z[j] - *top) / t);
    return sum;
}

float calibration_score(CalibrationScore score, const float z[NN_OUTPUTS]) {
    float top, sum = exp_sum(z, 1.0f, &top);
    return score == CALIBRATION_LOGSUMEXP ? top + logf(sum) : 1.0f / sum;
}

void calibration_probabilities(const Calibration *c, const float z[NN_OUTPUTS], float probs[NN_OUTPUTS]) {
    float top = z[nn_argmax(z, NN_OUTPUTS)], sum = 0.0f; /* exp_sum's, each exponential taken once */
    for (int j = 0; j < NN_OUTPUTS; j++) sum += probs[j] = expf((z[j] - top) / c->temperature);
    for (int j = 0; j < NN_OUTPUTS; j++) probs[j] /= sum;
}

/* ---- fitting ---- */

/* Mean negative log-likelihood of the labels under softmax(Z / t). */
static double nll(const float *Z, const uint8_t *labels, size_t n, double t) {
    double total = 0.0;
    for (size_t i = 0; i < n; i++) {
        const float *z = Z + i * NN_OUTPUTS;
        double top = z[nn_argmax(z, NN_OUTPUTS)], sum = 0.0;
        for (int j = 0; j < NN_OUTPUTS; j++) sum += exp((z[j] - top) / t);
        total += log(sum) - (z[labels[i]] - top) / t;
    }
    return total / (double)n;
}

float calibration_fit_temperature(const float *Z, const uint8_t *labels, size_t n) {
    const double golden = 0.6180339887498949;
    double lo = log(0.05), hi = log(20.0);
    for (int i = 0; i < 60; i++) {
        double a = hi - golden * (hi - lo), b = lo + golden * (hi - lo);
        if (nll(Z, labels, n, exp(a)) < nll(Z, labels, n, exp(b))) hi = b;
        else lo = a;
    }
    return (float)exp(0.5 * (lo + hi));
}

static int ascending(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

float calibration_threshold(float *scores, size_t n, float accept) {
    qsort(scores, n, sizeof *scores, ascending);
    /* rejecting the floor((1 - accept) n) lowest accepts at least accept n; the slack absorbs
     * accept's float rounding (0.8f is 0.800000012) */
    size_t rejected = (size_t)floor((1.0 - (double)accept) * (double)n + 1e-6 * (double)n);
    return scores[rejected < n ? rejected : n - 1];
}

/* The logits of every row of d into Z (n * 10), a chunk of rows at a time. */
static int dataset_logits(float *Z, const Model *m, const Dataset *d, DigitsError *err) {
    enum { CHUNK = 256 };
    Activations a = {0};
    float *X = malloc((size_t)CHUNK * NN_INPUTS * sizeof *X);
    int status = X ? nn_activations_alloc(&a, CHUNK, m->hidden, err) : error_set(err, "out of memory for calibration");
    for (size_t first = 0; first < d->n && status == 0; first += CHUNK) {
        int rows = d->n - first < CHUNK ? (int)(d->n - first) : CHUNK;
        for (size_t k = 0; k < (size_t)rows * NN_INPUTS; k++) X[k] = (float)d->pixels[first * NN_INPUTS + k] * (1.0f / 255.0f);
        nn_forward(&a, m, X, rows);
        for (int b = 0; b < rows && status == 0; b++)
            if (!nn_outputs_finite(a.A2 + (size_t)b * NN_OUTPUTS))
                status = error_set(err, "calibration digit %zu: the model's outputs overflow", first + (size_t)b + 1);
        memcpy(Z + first * NN_OUTPUTS, a.Z2, (size_t)rows * NN_OUTPUTS * sizeof *Z);
    }
    nn_activations_free(&a);
    free(X);
    return status;
}

int calibration_fit(Calibration *c, const Model *m, const Dataset *d, CalibrationScore score, float accept,
                    DigitsError *err) {
    if (!d || d->n == 0 || !d->labels) return error_set(err, "calibration needs labelled digits");
    if (!(accept > 0.0f && accept <= 1.0f))
        return error_set(err, "the share of digits to accept, %g, must be in (0, 1]", (double)accept);
    float *Z = malloc(d->n * NN_OUTPUTS * sizeof *Z), *scores = malloc(d->n * sizeof *scores);
    int status = Z && scores ? dataset_logits(Z, m, d, err) : error_set(err, "out of memory for calibration");
    if (status == 0) {
        for (size_t i = 0; i < d->n; i++) scores[i] = calibration_score(score, Z + i * NN_OUTPUTS);
        /* a hair below the chosen score: the recogniser's integer first layer may round the last
         * bits differently from the float pass here, and must still accept that digit */
        float t = calibration_threshold(scores, d->n, accept);
        t -= 1e-6f * (fabsf(t) > 1.0f ? fabsf(t) : 1.0f);
        Calibration fitted = {.score = score, .temperature = calibration_fit_temperature(Z, d->labels, d->n),
                              .threshold = score == CALIBRATION_MAX_SOFTMAX && t < 0.0f ? 0.0f : t};
        status = calibration_check(&fitted, err);
        if (status == 0) *c = fitted;
    }
    free(Z), free(scores);
    return status;
}

double calibration_ece(const float *probs, const uint8_t *labels, size_t n) {
    double count[CALIBRATION_ECE_BINS] = {0}, correct[CALIBRATION_ECE_BINS] = {0}, confidence[CALIBRATION_ECE_BINS] = {0};
    for (size_t i = 0; i < n; i++) {
        const float *p = probs + i * NN_OUTPUTS;
        int digit = nn_argmax(p, NN_OUTPUTS), bin = (int)(p[digit] * CALIBRATION_ECE_BINS);
        bin = bin < CALIBRATION_ECE_BINS ? bin : CALIBRATION_ECE_BINS - 1;
        count[bin] += 1.0, correct[bin] += digit == labels[i], confidence[bin] += p[digit];
    }
    double ece = 0.0;
    for (int b = 0; b < CALIBRATION_ECE_BINS; b++) ece += fabs(correct[b] - confidence[b]);
    return n ? ece / (double)n : 0.0;
}

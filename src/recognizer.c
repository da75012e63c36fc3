/* recognizer.c: see recognizer.h. */
#include "recognizer.h"

#include <stdlib.h>
#include <string.h>

#include "quant.h"

struct Recognizer {
    Model model;
    Calibration calibration;
    QuantW1 quant;   /* quant.pairs is NULL when the first layer runs in floats */
    Activations act; /* one image's */
};

Recognizer *recognizer_new(Model *m, DigitsError *err) {
    Recognizer *r = calloc(1, sizeof *r);
    if (!r) {
        nn_model_free(m);
        error_set(err, "out of memory");
        return NULL;
    }
    r->model = *m;
    memset(m, 0, sizeof *m);
    r->calibration = calibration_default();
    if (nn_activations_alloc(&r->act, 1, r->model.hidden, err) || quant_new(&r->quant, &r->model, err) < 0) {
        recognizer_free(r);
        return NULL;
    }
    return r;
}

void recognizer_free(Recognizer *r) {
    if (!r) return;
    nn_model_free(&r->model);
    quant_free(&r->quant);
    nn_activations_free(&r->act);
    free(r);
}

int recognizer_predict(Recognizer *r, const float *x, Reading *out, DigitsError *err) {
    /* An 8-bit image needs no other check: quant_hidden_layer has read every pixel as a level. */
    if (r->quant.pairs && quant_hidden_layer(r->act.Z1, &r->quant, r->model.b1, x)) {
        nn_forward_logits(&r->act, &r->model, NULL);
    } else {
        if (nn_check_input(x, err)) return -1;
        nn_forward_logits(&r->act, &r->model, x);
    }
    /* finite logits give finite probabilities (the softmax subtracts the largest); any other overflows */
    if (!nn_outputs_finite(r->act.Z2))
        return error_set(err, "the model's outputs overflow for this input (its weights are too large to give probabilities)");
    const Calibration *c = &r->calibration;
    memcpy(out->logits, r->act.Z2, sizeof out->logits);
    calibration_probabilities(c, out->logits, out->probabilities);
    out->score = calibration_score(c->score, out->logits);
    out->is_digit = out->score >= c->threshold;
    out->digit = nn_argmax(out->logits, NN_OUTPUTS);
    return out->digit;
}

int recognizer_predict_batch(Recognizer *r, const float *X, int n, Reading *out, DigitsError *err) {
    for (int i = 0; i < n; i++) {
        DigitsError why;
        if (recognizer_predict(r, X + (size_t)i * NN_INPUTS, out + i, &why) < 0)
            return error_set(err, "image %d: %.200s", i, why.msg);
    }
    return 0;
}

int recognizer_set_calibration(Recognizer *r, const Calibration *c, DigitsError *err) {
    if (calibration_check(c, err)) return -1;
    r->calibration = *c;
    return 0;
}

const Calibration *recognizer_calibration(const Recognizer *r) { return &r->calibration; }

const Model *recognizer_model(const Recognizer *r) { return &r->model; }

int recognizer_uses_integers(const Recognizer *r) { return r->quant.pairs != NULL; }

void recognizer_drop_integers(Recognizer *r) { quant_free(&r->quant); }

int recognizer_integer_layer(Recognizer *r, const float *x, float *z1) {
    return r->quant.pairs ? quant_hidden_layer(z1, &r->quant, r->model.b1, x) : 0;
}

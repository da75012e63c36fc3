/* train.h: minibatch training of a Model, evaluation, and batch prediction.
 *
 * Training reads top to bottom: for each batch, forward -> zero_grad -> backward -> update.
 * Two ways to drive it:
 *   - train_run(): the whole run, calling back after every batch and every epoch (CLI);
 *   - Trainer + train_step(): one batch per call, for callers that must return to an event
 *     loop between batches (the browser worker). */
#ifndef DIGITS_TRAIN_H
#define DIGITS_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "augment.h"
#include "dataset.h"
#include "error.h"
#include "nn.h"
#include "outlier.h"

typedef enum { OPT_SGD = 0, OPT_ADAM = 1 } Optimizer;
typedef enum { LR_CONSTANT = 0, LR_COSINE = 1 } LrSchedule;

typedef struct {
    int epochs;           /* passes over the training data */
    int batch;            /* minibatch size */
    float lr;             /* peak learning rate */
    float lr_final;       /* cosine schedule: learning rate at the very end (fraction of lr) */
    int warmup_epochs;    /* linear warm-up from lr/10 to lr; 0 = none */
    LrSchedule schedule;
    Optimizer optimizer;  /* OPT_SGD: momentum SGD; OPT_ADAM: Adam(W) */
    float momentum;       /* SGD momentum, or Adam beta1 */
    float beta2;          /* Adam beta2 */
    float weight_decay;   /* decoupled weight decay on W1 and W2 (not biases), per step, x lr */
    uint64_t seed;        /* shuffling and augmentation */
    AugmentConfig augment;
    OutlierConfig outliers; /* outlier exposure (outlier.h): outliers.share non-digits per digit
                               added to every batch, labelled NN_BACKGROUND; share 0 = off */
    /* Distillation ("learning without forgetting", for fine-tuning): each digit row's target
     * becomes (1 - teacher_weight) one-hot(label) + teacher_weight q, q the teachers'
     * probabilities at teacher_temperature on the same (augmented) image, averaged over the
     * teacher_count models at teacher (an ensemble). Outlier rows keep theirs. teacher NULL =
     * off; any hidden sizes; borrowed, they must outlive the run. */
    const Model *teacher;
    int teacher_count;         /* >= 1 when teacher is set */
    float teacher_weight;      /* 0..1 */
    float teacher_temperature; /* > 0; 1 = the teacher's own probabilities */
    size_t teacher_rows;       /* > 0: only the first teacher_rows rows of the training data get
                                  the teacher's target (plain digits before their traced copies);
                                  0 = every digit row */
} TrainConfig;

/* Sensible defaults: Adam, lr 1e-3 with cosine decay, batch 64, 10 epochs, no augmentation, no
 * outliers, no teacher. */
TrainConfig train_defaults(void);

/* Checks every field; returns -1 with a message naming the bad one ("learning rate 0 must be > 0"). */
int train_config_check(const TrainConfig *cfg, DigitsError *err);

/* The progress of a run: where it is, and counts and sums since its start. Whoever shows a rate
 * (the loss of the last epoch or window, samples per second) computes it from differences of
 * the sums.
 * TRAIN_PROGRESS_FIELDS lists the fields once; every one is a double (counts are exact to 2^53),
 * so that JavaScript reads the struct by those names (wasm.c: dg_trainer_progress_fields). */
#define TRAIN_PROGRESS_FIELDS(X)                                                                  \
    X(epoch)        /* 1-based epoch of the last step */                                          \
    X(epochs)       /* in the run */                                                              \
    X(batch)        /* 1-based batch of the last step within its epoch */                         \
    X(batches)      /* per epoch */                                                               \
    X(step)         /* batches done */                                                            \
    X(steps)        /* in the run */                                                              \
    X(epoch_done)   /* 1 when the last step closed an epoch */                                    \
    X(lr)           /* learning rate of the last step */                                          \
    X(samples)      /* trained on since the start */                                              \
    X(loss_sum)     /* their batches' mean losses (outliers' rows too), summed per digit */       \
    X(correct)      /* of them, classified right by the weights before each step (augmented) */   \
    X(seconds)      /* spent in train_step */                                                     \
    X(val_accuracy) /* train_run: after an epoch, on the validation data; otherwise -1 */

typedef struct {
#define TRAIN_PROGRESS_FIELD(name) double name;
    TRAIN_PROGRESS_FIELDS(TRAIN_PROGRESS_FIELD)
#undef TRAIN_PROGRESS_FIELD
} TrainProgress;

/* Called after each batch (at an epoch's end with val_accuracy set, when there is validation
 * data); return non-zero to stop the run. */
typedef int (*TrainCallback)(const TrainProgress *p, void *user);

/* Trains m in place (it must already be initialised, e.g. nn_model_init_he, or hold a model to
 * fine-tune) on train (which must have labels). val may be NULL. Returns 0 when the run
 * completes or the callback stopped it; -1 with err set on bad arguments, out of memory, or
 * divergence (a non-finite loss): then m holds the weights of the last good epoch. */
int train_run(Model *m, const Dataset *train, const Dataset *val, const TrainConfig *cfg,
              TrainCallback cb, void *user, DigitsError *err);

/* The run one batch at a time, for callers that return to an event loop between batches. */
typedef struct Trainer Trainer;

/* Borrows m and train (both must outlive the trainer). The trainer works on its own copy of the
 * weights and writes them back into m at the end of every epoch (and on divergence, the last
 * good epoch's), so m always holds a whole epoch's result. */
Trainer *train_new(Model *m, const Dataset *train, const TrainConfig *cfg, DigitsError *err);
void train_free(Trainer *t); /* NULL-safe */

/* Runs one batch. Returns 1 if more batches remain, 0 when the run is complete, -1 on
 * divergence (m restored to the last good epoch, err set). */
int train_step(Trainer *t, DigitsError *err);

/* The run's progress after the last step; valid as long as t. */
const TrainProgress *train_progress(const Trainer *t);

/* Fraction of d's rows that m classifies correctly; if confusion is not NULL it receives the
 * 10x10 counts (row = true label, column = prediction). -1 with err set on failure. */
float train_evaluate(const Model *m, const Dataset *d, int *confusion, DigitsError *err);

/* Predicted digit for every row of d into labels (d->n bytes); if probs is not NULL it receives
 * the 10 probabilities of every row (d->n * 10 floats). */
int train_predict_dataset(const Model *m, const Dataset *d, uint8_t *labels, float *probs, DigitsError *err);

/* Distillation's part of a batch (TrainConfig.teacher), for B digit rows: A2 (B, 10) holds the
 * probabilities the loss sees (softmax, or the background class's 11-way ones), Zt (K, B, 10) the
 * logits of K >= 1 teachers, one (B, 10) block each, Y (B) the labels, use (B) which rows take
 * the teacher's target (NULL: all; the others keep their label's and add nothing). The loss against the
 * target t = (1 - w) e_y + w q, q the mean over the teachers of softmax(Zt_k / temperature), is -sum_j t_j log A2_j; its gradient by the logits, A2 - t, is
 * what nn_backward computes for label y from A2 + w (e_y - q): A2 is shifted so. Returns the sum
 * over the rows of that loss minus their label's cross-entropy -log A2_y (add it, divided by the
 * batch's rows, to nn_cross_entropy's mean for the batch's loss). */
double train_distill(float *A2, const float *Zt, int K, const uint8_t *Y, const uint8_t *use, int B, float w,
                     float temperature);

/* The energy hinge's part of a batch (OutlierConfig.energy_weight), for rows rows: Z2 (rows, 10)
 * the logits, Y (rows) the labels (NN_BACKGROUND for outliers), A2 (rows, 10) the probabilities the
 * loss sees. With E = logsumexp(z), a digit row's loss is w max(0, in - E)^2 and an outlier row's
 * w max(0, E - out)^2; their gradient by the logits, dL/dE softmax(z), is added to A2 so that
 * nn_backward's A2 - target includes it. Returns the sum of the rows' losses (divide it by the
 * batch's rows, as nn_cross_entropy's mean). */
double train_energy_hinge(float *A2, const float *Z2, const uint8_t *Y, int rows, float w, float in, float out);

/* Outlier mining's choice (OutlierConfig.mining): sorts the n candidates' scores in ranked,
 * highest first (ties by row), and returns where the K kept start: after the top skip fraction
 * (floor(skip n)), but never so far that fewer than K remain. */
typedef struct {
    float score; /* logsumexp of the candidate's logits */
    int row;     /* the candidate's index */
} TrainRanked;
int train_mine(TrainRanked *ranked, int n, int K, float skip);

/* Current clock in seconds (monotonic); the only platform-specific piece. */
double train_clock(void);

#endif

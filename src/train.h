/* train.h: minibatch training of a Model, evaluation, and batch prediction.
 *
 * Training reads top to bottom: for each batch, forward -> zero_grad -> backward -> update.
 * Two ways to drive it:
 *   - train_run(): the whole run, calling back after every batch and every epoch (CLI);
 *   - Trainer + trainer_step(): one batch per call, for callers that must return to an event
 *     loop between batches (the browser worker). */
#ifndef DIGITS_TRAIN_H
#define DIGITS_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "augment.h"
#include "dataset.h"
#include "error.h"
#include "nn.h"

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
} TrainConfig;

/* Sensible defaults: Adam, lr 1e-3 with cosine decay, batch 64, 10 epochs, no augmentation. */
TrainConfig train_defaults(void);

/* Checks every field; returns -1 with a message naming the bad one ("learning rate 0 must be > 0"). */
int train_config_check(const TrainConfig *cfg, DigitsError *err);

typedef struct {
    int epoch, epochs;         /* 1-based current epoch */
    int batch, batches;        /* 1-based batch within the epoch, and batches per epoch */
    long long step, steps;     /* batches done in all, and in the whole run */
    float lr;                  /* learning rate of the last step */
    float loss;                /* mean training loss over this epoch so far */
    float accuracy;            /* training accuracy over this epoch so far (on augmented data) */
    float val_accuracy;        /* after an epoch with validation data; otherwise -1 */
    double seconds;            /* time spent in training so far */
    double samples_per_sec;    /* throughput over the run so far */
    int epoch_done;            /* 1 when this report closes an epoch */
} TrainProgress;

/* Called after each batch and at the end of each epoch; return non-zero to stop the run. */
typedef int (*TrainCallback)(const TrainProgress *p, void *user);

/* Trains m in place (it must already be initialised, e.g. model_init_he, or hold a model to
 * fine-tune) on train (which must have labels). val may be NULL. Returns 0 when the run
 * completes or the callback stopped it; -1 with err set on bad arguments, out of memory, or
 * divergence (a non-finite loss): then m holds the weights of the last good epoch. */
int train_run(Model *m, const Dataset *train, const Dataset *val, const TrainConfig *cfg,
              TrainCallback cb, void *user, DigitsError *err);

typedef struct Trainer Trainer;

/* Borrows m and train (both must outlive the trainer). The trainer works on its own copy of the
 * weights and writes them back into m at the end of every epoch (and on divergence, the last
 * good epoch's), so m always holds a whole epoch's result. */
Trainer *trainer_new(Model *m, const Dataset *train, const TrainConfig *cfg, DigitsError *err);
void trainer_free(Trainer *t);

/* Runs one batch. Returns 1 if more batches remain, 0 when the run is complete, -1 on
 * divergence (m restored to the last good epoch, err set). *p receives the progress. */
int trainer_step(Trainer *t, TrainProgress *p, DigitsError *err);

/* Fraction of d's rows that m classifies correctly; if confusion is not NULL it receives the
 * 10x10 counts (row = true label, column = prediction). -1 with err set on failure. */
float evaluate(const Model *m, const Dataset *d, int *confusion, DigitsError *err);

/* Predicted digit for every row of d into labels (d->n bytes); if probs is not NULL it receives
 * the 10 probabilities of every row (d->n * 10 floats). */
int predict_dataset(const Model *m, const Dataset *d, uint8_t *labels, float *probs, DigitsError *err);

/* Current clock in seconds (monotonic); the only platform-specific piece. */
double train_clock(void);

#endif

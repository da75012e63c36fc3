/* files.h: thin native-only wrappers that read and write files for the in-memory parsers.
 * Not part of the WebAssembly build (the browser hands the core bytes, not paths). */
#ifndef DIGITS_FILES_H
#define DIGITS_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "calibration.h"
#include "dataset.h"
#include "error.h"
#include "nn.h"
#include "npy.h"

/* Reads a whole file into a malloc'd buffer the caller frees. Errors name the path. */
int files_read(const char *path, uint8_t **buf, size_t *len, DigitsError *err);

/* Writes len bytes to path via a temporary file renamed into place, so a failed write never
 * leaves a half-written file where a good one was. */
int files_write(const char *path, const uint8_t *buf, size_t len, DigitsError *err);

/* Creates dir if it does not exist (one level). */
int files_ensure_dir(const char *dir, DigitsError *err);

/* Checks, without creating anything, that files_ensure_dir(dir) and writing files into dir should work:
 * dir is a writable directory, or does not exist and its parent is one. Fails with the message
 * files_ensure_dir or files_write would give, so a long run can refuse to start rather than fail at the end. */
int files_check_dir(const char *dir, DigitsError *err);

/* Loads dir/W1.npy .. dir/b2.npy into a freshly allocated model (see model_from_npy). */
int files_load_model(Model *m, const char *dir, DigitsError *err);

/* Saves the four files into dir (created if missing) as float32 or float16. All four are encoded
 * before any is written: a model holding a NaN or an infinity (or, as float16, a value beyond
 * +-65504) is refused, naming the file, and leaves dir as it was. */
int files_save_model(const Model *m, const char *dir, NpyDtype dtype, DigitsError *err);

/* Reads dir/calibration.txt (calibration.h) into *c. A model without the file gets
 * calibration_default() and 0; a file that exists but cannot be read or parsed is an error naming
 * it and the line ("model/calibration.txt: line 2: ..."), *c unchanged. */
int files_load_calibration(Calibration *c, const char *dir, DigitsError *err);

/* Whether dir holds a calibration.txt (without it, files_load_calibration gives the default). */
int files_has_calibration(const char *dir);

/* Writes dir/calibration.txt (dir must exist). */
int files_save_calibration(const Calibration *c, const char *dir, DigitsError *err);

/* Called while a CSV file streams in; bytes read so far of total. */
typedef void (*CsvFileProgress)(uint64_t bytes, uint64_t total, size_t rows, void *user);

/* Streams a Kaggle CSV file through the parser in 1 MiB chunks; errors start with the path. */
int files_load_csv(Dataset *out, const char *path, CsvFileProgress progress, void *user, DigitsError *err);

#endif

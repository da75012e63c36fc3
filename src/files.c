#define _POSIX_C_SOURCE 200809L
#include "files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_io.h"

int files_read(const char *path, uint8_t **buf, size_t *len, DigitsError *err) {
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    uint8_t *data = malloc(cap);
    while (data) {
        n += fread(data + n, 1, cap - n, f);
        if (n < cap) break;
        if (cap > SIZE_MAX / 2) { free(data); data = NULL; break; }
        uint8_t *bigger = realloc(data, cap * 2);
        if (!bigger) { free(data); data = NULL; break; }
        data = bigger;
        cap *= 2;
    }
    int failed = !data || ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        return error_set(err, "%s: %s", path, data ? "read error" : "out of memory reading the file");
    }
    *buf = data;
    *len = n;
    return 0;
}

int files_write(const char *path, const uint8_t *buf, size_t len, DigitsError *err) {
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp) return error_set(err, "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        error_set(err, "%s: cannot write: %s", path, strerror(errno));
        free(tmp);
        return -1;
    }
    int ok = fwrite(buf, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        error_set(err, "%s: cannot write: %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int files_ensure_dir(const char *dir, DigitsError *err) {
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (S_ISDIR(st.st_mode)) return 0;
        return error_set(err, "%s: exists and is not a directory", dir);
    }
    if (mkdir(dir, 0777) != 0) return error_set(err, "%s: cannot create directory: %s", dir, strerror(errno));
    return 0;
}

int files_check_dir(const char *dir, DigitsError *err) {
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) return error_set(err, "%s: exists and is not a directory", dir);
        if (access(dir, W_OK | X_OK) != 0) return error_set(err, "%s: cannot write: %s", dir, strerror(errno));
        return 0;
    }
    if (errno != ENOENT) return error_set(err, "%s: cannot create directory: %s", dir, strerror(errno));
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/') n--; /* "a/b/" is "a/b" */
    while (n > 0 && dir[n - 1] != '/') n--; /* the parent is what comes before the last '/' */
    char *parent = malloc(n + 2);
    if (!parent) return error_set(err, "out of memory");
    if (n == 0) {
        strcpy(parent, ".");
    } else {
        memcpy(parent, dir, n);
        parent[n] = '\0';
    }
    int ok = stat(parent, &st) == 0;
    if (ok && !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        ok = 0;
    }
    if (ok && access(parent, W_OK | X_OK) != 0) ok = 0;
    int why = errno;
    free(parent);
    return ok ? 0 : error_set(err, "%s: cannot create directory: %s", dir, strerror(why));
}

static char *join(const char *dir, const char *name) {
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (!p) return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

int files_load_model(Model *m, const char *dir, DigitsError *err) {
    uint8_t *bufs[NN_TENSORS] = {0};
    size_t lens[NN_TENSORS] = {0};
    int status = 0;
    memset(m, 0, sizeof *m);
    for (int t = 0; t < NN_TENSORS && status == 0; t++) {
        char *path = join(dir, MODEL_FILE_NAMES[t]);
        status = path ? files_read(path, &bufs[t], &lens[t], err) : error_set(err, "out of memory");
        free(path);
    }
    if (status == 0) {
        DigitsError inner;
        status = model_from_npy(m, (const uint8_t *const *)bufs, lens, &inner);
        if (status) error_set(err, "%s/%s", dir, inner.msg);
    }
    for (int t = 0; t < NN_TENSORS; t++) free(bufs[t]);
    return status;
}

int files_save_model(const Model *m, const char *dir, NpyDtype dtype, DigitsError *err) {
    /* All four files are encoded before any is written, so a model that cannot be encoded leaves
     * an existing model in dir whole rather than a mix of old and new files. */
    uint8_t *bufs[NN_TENSORS] = {0};
    size_t sizes[NN_TENSORS] = {0};
    int status = 0;
    for (int t = 0; t < NN_TENSORS && status == 0; t++) {
        sizes[t] = model_npy_size(m, (NnTensor)t, dtype);
        bufs[t] = sizes[t] ? malloc(sizes[t]) : NULL;
        if (!bufs[t]) status = error_set(err, "out of memory");
        else if (model_to_npy(m, (NnTensor)t, dtype, bufs[t], sizes[t]) != sizes[t])
            status = error_set(err, "%s/%s: cannot be saved: it holds a NaN or infinite value%s", dir,
                               MODEL_FILE_NAMES[t], dtype == NPY_F16 ? ", or one beyond float16's +-65504 (save as f32)" : "");
    }
    if (status == 0) status = files_ensure_dir(dir, err);
    for (int t = 0; t < NN_TENSORS && status == 0; t++) {
        char *path = join(dir, MODEL_FILE_NAMES[t]);
        status = path ? files_write(path, bufs[t], sizes[t], err) : error_set(err, "out of memory");
        free(path);
    }
    for (int t = 0; t < NN_TENSORS; t++) free(bufs[t]);
    return status;
}

int files_load_calibration(Calibration *c, const char *dir, DigitsError *err) {
    char *path = join(dir, CALIBRATION_FILE_NAME);
    if (!path) return error_set(err, "out of memory");
    uint8_t *buf = NULL;
    size_t len = 0;
    int status = 0;
    if (access(path, F_OK) != 0 && errno == ENOENT) *c = calibration_default();
    else if ((status = files_read(path, &buf, &len, err)) == 0)
        status = calibration_parse(c, (const char *)buf, len, path, err);
    free(buf);
    free(path);
    return status;
}

int files_has_calibration(const char *dir) {
    char *path = join(dir, CALIBRATION_FILE_NAME);
    int there = path && access(path, F_OK) == 0;
    free(path);
    return there;
}

int files_save_calibration(const Calibration *c, const char *dir, DigitsError *err) {
    char text[CALIBRATION_TEXT_MAX];
    size_t len = calibration_format(c, text, sizeof text);
    if (!len) return error_set(err, "%s/%s: cannot be formatted", dir, CALIBRATION_FILE_NAME);
    char *path = join(dir, CALIBRATION_FILE_NAME);
    int status = path ? files_write(path, (const uint8_t *)text, len, err) : error_set(err, "out of memory");
    free(path);
    return status;
}

int files_load_csv(Dataset *out, const char *path, CsvFileProgress progress, void *user, DigitsError *err) {
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, "%s: cannot open: %s", path, strerror(errno));
    uint64_t total = 0;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 0) total = (uint64_t)st.st_size;
    enum { CHUNK = 1 << 20 };
    uint8_t *chunk = malloc(CHUNK);
    DigitsError inner;
    CsvParser *p = chunk ? csv_parser_new(&inner) : NULL;
    if (!p) {
        free(chunk);
        fclose(f);
        return error_set(err, "%s: out of memory", path);
    }
    int status = 0;
    size_t n;
    while (status == 0 && (n = fread(chunk, 1, CHUNK, f)) > 0) {
        status = csv_feed(p, chunk, n, &inner);
        if (progress && status == 0) progress(csv_bytes(p), total, csv_rows(p), user);
    }
    if (status == 0 && ferror(f)) status = error_set(&inner, "read error: %s", strerror(errno));
    if (status == 0) status = csv_finish(p, out, &inner);
    if (status) error_set(err, "%s: %s", path, inner.msg);
    csv_parser_free(p);
    free(chunk);
    fclose(f);
    return status;
}

/* replay.c: runs a fuzz harness without libFuzzer, over files and directories of inputs.
 *
 *   fuzz_csv_replay tests/fuzz/corpus/csv tests/fuzz/regressions/csv one-more-file
 *
 * Every file (directories: every regular file in them, in name order, not recursive) is fed to
 * LLVMFuzzerTestOneInput once. A broken property aborts, as under the fuzzer. Exits 0 after at
 * least one input, 1 if an argument cannot be read or no input was found. This is how the seed
 * corpus and every kept crasher run as ctest tests, in the plain build and under the sanitizers. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"

static int read_file(const char *path, uint8_t **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap) break;
        uint8_t *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    int failed = !buf || ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return -1;
    }
    *data = buf;
    *size = n;
    return 0;
}

static int run_file(const char *path) {
    uint8_t *data;
    size_t size;
    if (read_file(path, &data, &size)) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    /* An exactly-sized copy, as libFuzzer passes it, so the sanitizers see any over-read. */
    uint8_t *exact = fuzz_copy(data, size);
    free(data);
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    LLVMFuzzerTestOneInput(exact, size);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Runs every regular file in dir; returns the count, or -1. */
static int run_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open directory %s\n", dir);
        return -1;
    }
    char **paths = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.') continue;
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        char *path = malloc(len);
        FUZZ_CHECK(path != NULL);
        snprintf(path, len, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(paths, cap * sizeof *paths);
            FUZZ_CHECK(grown != NULL);
            paths = grown;
        }
        paths[n++] = path;
    }
    closedir(d);
    if (n) qsort(paths, n, sizeof *paths, by_name);
    int status = 0;
    for (size_t i = 0; i < n; i++) {
        if (run_file(paths[i])) status = -1;
        free(paths[i]);
    }
    free(paths);
    return status ? -1 : (int)n;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    int total = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s does not exist\n", argv[i]);
            failed = 1;
        } else if (S_ISDIR(st.st_mode)) {
            int n = run_dir(argv[i]);
            if (n < 0) failed = 1;
            else total += n;
        } else if (run_file(argv[i])) {
            failed = 1;
        } else {
            total++;
        }
    }
    if (total == 0) fprintf(stderr, "replay: no inputs found\n");
    printf("replayed %d inputs%s\n", total, failed ? ", some could not be read" : "");
    return failed || total == 0 ? 1 : 0;
}

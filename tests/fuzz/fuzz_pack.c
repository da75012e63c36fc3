/* fuzz_pack.c: the packed-model decoder (src/pack.c) on arbitrary bytes.
 *
 * Input: a packed model without its last four bytes, the checksum, which the harness appends
 * itself, so that every mutation reaches the parser rather than stopping at the checksum.
 * Properties:
 *   - pack_decode either fails with a printable message naming the file, the model zeroed, or
 *     gives a model with finite weights;
 *   - such a model packs again and decodes to the same bits (the bytes may differ: the encoder
 *     picks each tensor's smallest form);
 *   - with any byte of the sealed input changed, the checksum refuses it. */
#include "fuzz.h"

#include <math.h>

#include "pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *sealed = malloc(size + 4);
    FUZZ_CHECK(sealed != NULL);
    if (size) memcpy(sealed, data, size);
    uint32_t crc = pack_checksum(data, size);
    for (int i = 0; i < 4; i++) sealed[size + i] = (uint8_t)(crc >> (8 * i));

    Model m;
    DigitsError err = {{0}};
    int rc = pack_decode(&m, sealed, size + 4, "x.pack", &err);
    FUZZ_CHECK(rc == 0 || rc == -1);
    if (rc) {
        FUZZ_CHECK(fuzz_message_ok(err.msg, sizeof err.msg));
        FUZZ_CHECK(strncmp(err.msg, "x.pack: ", 8) == 0);
        FUZZ_CHECK(m.params == NULL && m.hidden == 0);
        free(sealed);
        return 0;
    }
    for (size_t i = 0; i < m.count; i++) FUZZ_CHECK(isfinite(m.params[i]));

    size_t len;
    uint8_t *again = pack_encode(&m, &len, &err);
    FUZZ_CHECK(again != NULL);
    Model back;
    FUZZ_CHECK(pack_decode(&back, again, len, "x.pack", &err) == 0);
    FUZZ_CHECK(back.hidden == m.hidden && memcmp(back.params, m.params, m.count * sizeof *m.params) == 0);
    nn_model_free(&back);
    free(again);

    sealed[size / 2] ^= 0x01; /* one bit off: the checksum no longer matches */
    Model spoilt;
    FUZZ_CHECK(pack_decode(&spoilt, sealed, size + 4, "x.pack", &err) == -1);
    FUZZ_CHECK(strstr(err.msg, "checksum does not match") != NULL || strstr(err.msg, "not a packed model") != NULL ||
               strstr(err.msg, "version") != NULL);
    nn_model_free(&m);
    free(sealed);
    return 0;
}

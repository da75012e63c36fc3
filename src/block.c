#include "block.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t block_layout(void *base, const BlockPart *parts, int n) {
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        const BlockPart *p = &parts[i];
        if (total > SIZE_MAX - BLOCK_ALIGN || (p->size && p->count > (SIZE_MAX - BLOCK_ALIGN - total) / p->size))
            return SIZE_MAX;
        if (base) {
            void *start = (char *)base + total;
            memcpy(p->at, &start, sizeof start); /* object pointers share one representation */
        }
        total += (p->count * p->size + BLOCK_ALIGN - 1) / BLOCK_ALIGN * BLOCK_ALIGN;
    }
    return total;
}

void *block_alloc(const BlockPart *parts, int n) {
    size_t size = block_layout(NULL, parts, n);
    void *base = size == SIZE_MAX ? NULL : malloc(size ? size : 1);
    if (base) block_layout(base, parts, n);
    return base;
}

/* block.h: several arrays in one allocation.
 *
 * A table of parts (which pointer to set, how many elements of what size) is laid out by one
 * function that both sizes the block and carves it, so the size and the layout cannot disagree:
 *
 *   BlockPart parts[] = {{&a->Z1, n, sizeof(float)}, {&a->idx, m, sizeof(int)}};
 *   void *block = block_alloc(parts, BLOCK_COUNT(parts)); // one malloc; free(block) releases every part
 *
 * Each part starts at a multiple of BLOCK_ALIGN bytes from the block's start. */
#ifndef DIGITS_BLOCK_H
#define DIGITS_BLOCK_H

#include <stddef.h>

#define BLOCK_ALIGN 64

/* The number of parts in a table (an array, not a pointer), so that adding a part cannot leave a
 * count behind. */
#define BLOCK_COUNT(parts) ((int)(sizeof(parts) / sizeof *(parts)))

typedef struct {
    void *at;     /* the address of the pointer to set, e.g. &a->Z1 (any object pointer type) */
    size_t count; /* elements */
    size_t size;  /* bytes per element */
} BlockPart;

/* The block's size in bytes for these parts (SIZE_MAX if it overflows). When base is not NULL,
 * also points each part's pointer at its place in base. */
size_t block_layout(void *base, const BlockPart *parts, int n);

/* malloc of block_layout's size, carved; NULL when out of memory (no pointer is set then). */
void *block_alloc(const BlockPart *parts, int n);

#endif

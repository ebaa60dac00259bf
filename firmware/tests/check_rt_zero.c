/* rt_zero, crt0's .bss clearing: the DMA clears whole 1 KiB rows, stores
   the rest. Every size around the row and the DMA threshold, in L2 and in
   L1, must come out all zero with the guard words around it untouched;
   and crt0 must have cleared this program's 64 KiB .bss with one DMA
   transfer (the DMA has done exactly one before main). */
#include <stdio.h>
#include <string.h>

#include "ortigia/dma.h"
#include "ortigia/rt.h"

#define WORDS (66 * 256 + 8)
static uint32_t l2_buf[WORDS + 2];
static uint32_t l1_buf[4 * 256 + 8 + 2] __attribute__((section(".l1bss")));

static int check(uint32_t *buf, uint32_t words)
{
    for (uint32_t i = 0; i < words + 2; i++)
        buf[i] = 0xA5A5A5A5u ^ i;
    rt_zero(buf + 1, buf + 1 + words);
    if (buf[0] != 0xA5A5A5A5u || buf[words + 1] != (0xA5A5A5A5u ^ (words + 1))) {
        printf("FAIL: %lu words: a guard word changed\n", (unsigned long)words);
        return 1;
    }
    for (uint32_t i = 1; i <= words; i++)
        if (buf[i]) {
            printf("FAIL: %lu words: word %lu is 0x%lx\n", (unsigned long)words,
                   (unsigned long)i, (unsigned long)buf[i]);
            return 1;
        }
    return 0;
}

int main(void)
{
    uint32_t before = rt_dma_done_count();
    if (before != 1) {
        printf("FAIL: crt0 used %lu DMA transfers for .bss, expected 1\n", (unsigned long)before);
        return 1;
    }
    static const uint32_t sizes[] = {0, 1, 255, 256, 257, 1023, 1024, 1025, 4 * 256 + 7,
                                     66 * 256, WORDS};
    for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        if (check(l2_buf, sizes[k]))
            return 1;
    for (uint32_t w = 1020; w <= 4 * 256 + 8; w++)
        if (check(l1_buf, w))
            return 1;
    printf("PASS\n");
    return 0;
}

/* Runtime of compiled NPU steps (ortigia/nn_npu.h). */
#include "ortigia/nn_npu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ortigia/nn_kernel.h"

void nn_npu_finish(void)
{
    rt_npu_wait_idle();
    uint32_t err = rt_npu_error();
    if (err) {
        printf("nn: the NPU refused a job: error %u\n", (unsigned)err);
        exit(NN_EXIT_NPU_ERROR);
    }
}

void nn_npu_tail(uint8_t *y, uint32_t count, const uint8_t *tab)
{
    /* Whole words (four bytes a load and a store) shared among the cores,
     * the bytes before the first aligned word and after the last by core 0. */
    uint32_t head = (uint32_t)(-(uintptr_t)y & 3u);
    if (head > count)
        head = count;
    uint32_t words = (count - head) >> 2, b, e;
    uint32_t *w = (uint32_t *)(void *)(y + head);
    nn_part(words, &b, &e);
    for (uint32_t i = b; i < e; i++) {
        uint32_t v = w[i];
        w[i] = (uint32_t)tab[v & 255u] | (uint32_t)tab[(v >> 8) & 255u] << 8 |
               (uint32_t)tab[(v >> 16) & 255u] << 16 | (uint32_t)tab[v >> 24] << 24;
    }
    if (rt_core_id() == 0) {
        for (uint32_t i = 0; i < head; i++)
            y[i] = tab[y[i]];
        for (uint32_t i = head + 4 * words; i < count; i++)
            y[i] = tab[y[i]];
    }
}

void nn_npu_tail_i32(int32_t *y, const uint8_t *x, uint32_t count, const int32_t *tab)
{
    uint32_t b, e;
    nn_part(count, &b, &e);
    for (uint32_t i = b; i < e; i++)
        y[i] = tab[x[i]];
}

void nn_copy_share(uint8_t *dst, const uint8_t *src, uint32_t count)
{
    /* whole words a core, so that the shares stay as aligned as the buffers */
    uint32_t b, e;
    nn_part((count + 3) >> 2, &b, &e);
    b <<= 2;
    e = e << 2 < count ? e << 2 : count;
    if (b < e)
        memcpy(dst + b, src + b, e - b);
}

/*
 * The cluster DMA from firmware (ortigia/dma.h): 1-D copies of odd sizes
 * and alignments with untouched guard bytes, 2-D gathers and scatters
 * (negative and zero strides), eight transfers in flight, ids, STATUS,
 * WAIT and DONE_COUNT, a transfer overlapping computation, every kind of
 * bad descriptor, all cores using the DMA at once, and the timing of a
 * 4 KiB copy against models/dma/dma.h. Exit code 0 and "PASS", or the
 * number of the first failing check.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ortigia/cluster.h"
#include "ortigia/dma.h"
#include "ortigia/rt.h"

#define L1_SIZE (256u * 1024u)

static uint8_t src[40 * 1024] __attribute__((aligned(4)));      /* L2 */
static uint8_t back[4096] __attribute__((aligned(4)));          /* L2 */
static uint8_t dst[40 * 1024] __attribute__((section(".l1bss"), aligned(4)));

static int fail(int number, const char *what)
{
    printf("FAIL %d: %s\n", number, what);
    return number;
}

static void fill(uint8_t *p, unsigned n, unsigned seed)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31u + seed);
}

/* 1-D copies L2 -> L1: bit-exact, guard bytes around them untouched. */
static int one_dimensional(void)
{
    static const unsigned sizes[] = {1, 3, 4, 100, 4096};
    static const unsigned offsets[] = {0, 1, 3};
    fill(src, sizeof src, 7);
    for (unsigned s = 0; s < 5; s++) {
        for (unsigned o = 0; o < 3; o++) {
            unsigned n = sizes[s], off = offsets[o];
            memset(dst, 0xEE, n + 16);
            uint32_t id = rt_dma_copy(dst + 8 + off, src + off * 5, n);
            if (id == RT_DMA_FAILED)
                return fail(1, "1-D copy refused");
            rt_dma_wait(id);
            if (memcmp(dst + 8 + off, src + off * 5, n) != 0)
                return fail(2, "1-D copy data");
            for (unsigned i = 0; i < 8 + off; i++)
                if (dst[i] != 0xEE)
                    return fail(3, "1-D copy wrote before the destination");
            for (unsigned i = 8 + off + n; i < n + 16; i++)
                if (dst[i] != 0xEE)
                    return fail(4, "1-D copy wrote after the destination");
        }
    }
    return 0;
}

/* 2-D: gather 5 rows of 12 bytes (source stride 40) into a dense block,
   scatter it back with a destination stride, rows in reverse order with a
   negative stride, and one row broadcast with a zero source stride. */
static int two_dimensional(void)
{
    fill(src, 1024, 3);
    memset(dst, 0, 256);
    rt_dma_wait(rt_dma_copy_2d(dst, src + 17, 12, 5, 12, 40));
    for (unsigned r = 0; r < 5; r++)
        if (memcmp(dst + r * 12, src + 17 + r * 40, 12) != 0)
            return fail(10, "2-D gather");
    memset(back, 0x55, 512);
    rt_dma_wait(rt_dma_copy_2d(back + 3, dst, 12, 5, 50, 12));
    for (unsigned r = 0; r < 5; r++) {
        if (memcmp(back + 3 + r * 50, dst + r * 12, 12) != 0)
            return fail(11, "2-D scatter");
        for (unsigned i = 12; i < 50 && r < 4; i++)
            if (back[3 + r * 50 + i] != 0x55)
                return fail(12, "2-D scatter wrote between rows");
    }
    /* Rows in reverse: row r of the destination is row 4 - r of the source. */
    rt_dma_wait(rt_dma_copy_2d(dst + 100 + 4 * 16, src, 16, 5, -16, 16));
    for (unsigned r = 0; r < 5; r++)
        if (memcmp(dst + 100 + (4 - r) * 16, src + r * 16, 16) != 0)
            return fail(13, "2-D negative stride");
    rt_dma_wait(rt_dma_copy_2d(dst + 200, src + 64, 8, 4, 8, 0));
    for (unsigned r = 0; r < 4; r++)
        if (memcmp(dst + 200 + r * 8, src + 64, 8) != 0)
            return fail(14, "2-D zero source stride (broadcast)");
    return 0;
}

/* Eight transfers in flight: consecutive ids, STATUS bits, completion in
   order, DONE_COUNT. */
static int outstanding(void)
{
    fill(src, 8 * 1024, 11);
    uint32_t done0 = rt_dma_done_count();
    uint32_t id[8];
    for (unsigned i = 0; i < 8; i++) {
        id[i] = rt_dma_copy(dst + i * 1024, src + i * 1024, 1024);
        if (id[i] == RT_DMA_FAILED || (i && id[i] != id[i - 1] + 1))
            return fail(20, "ids of queued transfers");
    }
    if (!rt_dma_busy(id[7]))
        return fail(21, "the last of eight transfers is not in flight");
    rt_dma_wait(id[3]);
    if (rt_dma_busy(id[0]) || rt_dma_busy(id[3]))
        return fail(22, "transfers before the waited one still busy");
    if (!rt_dma_busy(id[7]))
        return fail(23, "FIFO order: the last one should still be busy");
    rt_dma_wait(id[7]);
    if (ORT_REG32(ORT_DMA_REG(STATUS)) != 0)
        return fail(24, "STATUS not 0 after the last transfer");
    if (rt_dma_done_count() - done0 != 8)
        return fail(25, "DONE_COUNT");
    if (memcmp(dst, src, 8 * 1024) != 0)
        return fail(26, "data of the queued transfers");
    return 0;
}

/* A 32 KiB transfer (4096 cycles at 8 B/cycle) while the core computes for
   about as long: the total is well under the sum. */
static int overlap(void)
{
    fill(src, 32 * 1024, 5);
    uint32_t t0 = rt_cycles();
    uint32_t id = rt_dma_copy(dst, src, 32 * 1024);
    uint32_t t_push = rt_cycles() - t0;
    volatile uint32_t acc = 0; /* in L2: about 38 cycles an iteration */
    uint32_t c0 = rt_cycles();
    for (unsigned i = 0; i < 100; i++)
        acc += i * i;
    uint32_t compute = rt_cycles() - c0;
    rt_dma_wait(id);
    uint32_t total = rt_cycles() - t0;
    uint32_t transfer = 32 * 1024 / 8;
    printf("overlap: push %lu cycles, compute %lu, transfer >= %lu, total %lu\n",
           (unsigned long)t_push, (unsigned long)compute, (unsigned long)transfer,
           (unsigned long)total);
    if (t_push > 40)
        return fail(30, "push did not return at once");
    if (total >= transfer + compute)
        return fail(31, "transfer and compute did not overlap");
    if (total < transfer)
        return fail(32, "the transfer finished faster than the bandwidth allows");
    if (memcmp(dst, src, 32 * 1024) != 0)
        return fail(33, "data of the overlapped transfer");
    return 0;
}

/* Bad descriptors: refused with the error code (and address), nothing
   written, the error register cleared by reading it. */
static int bad_descriptors(void)
{
    uint8_t *l1_end = (uint8_t *)(uintptr_t)(ORT_L1_BASE + L1_SIZE);
    memset(dst, 0xAB, 64);
    uint32_t errors0 = rt_dma_done_count();
    struct {
        void *d;
        const void *s;
        uint32_t len, rows;
        int32_t dstride, sstride;
        uint32_t error, addr;
    } cases[] = {
        {dst, src, 0, 1, 0, 0, RT_DMA_ERR_ZERO_SIZE, 0},
        {dst, src, 16, 0, 16, 16, RT_DMA_ERR_ZERO_SIZE, 0},
        {dst, (void *)0x30000000u, 16, 1, 0, 0, RT_DMA_ERR_SRC, 0x30000000u},
        {(void *)0x30000000u, src, 16, 1, 0, 0, RT_DMA_ERR_DST, 0x30000000u},
        {l1_end - 8, src, 16, 1, 0, 0, RT_DMA_ERR_DST, (uint32_t)(uintptr_t)(l1_end - 8)},
        {dst, src, 0x10000, 0x10000, 0, 0, RT_DMA_ERR_OVERFLOW, 0},
        {dst + 8, dst, 16, 1, 0, 0, RT_DMA_ERR_OVERLAP, 0},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t id = rt_dma_copy_2d(cases[i].d, cases[i].s, cases[i].len, cases[i].rows,
                                     cases[i].dstride, cases[i].sstride);
        if (id != RT_DMA_FAILED)
            return fail(40 + (int)i, "a bad descriptor was accepted");
        uint32_t addr = rt_dma_error_addr();
        uint32_t err = rt_dma_error();
        if (err != cases[i].error) {
            printf("case %u: error %lu, expected %lu\n", i, (unsigned long)err,
                   (unsigned long)cases[i].error);
            return fail(40 + (int)i, "wrong error code");
        }
        if (cases[i].addr && addr != cases[i].addr)
            return fail(40 + (int)i, "wrong error address");
        if (rt_dma_error() != 0)
            return fail(40 + (int)i, "reading ERROR did not clear it");
    }
    for (unsigned i = 0; i < 64; i++)
        if (dst[i] != 0xAB)
            return fail(49, "a refused transfer wrote data");
    if (rt_dma_done_count() != errors0)
        return fail(49, "a refused transfer completed");
    return 0;
}

/* Every core copies its own 2 KiB slice and checks it. */
static volatile int core_failed;

static void per_core(void *arg)
{
    (void)arg;
    unsigned id = rt_core_id();
    uint32_t t = rt_dma_copy(dst + id * 2048, src + id * 2048, 2048);
    rt_dma_wait(t);
    if (t == RT_DMA_FAILED || memcmp(dst + id * 2048, src + id * 2048, 2048) != 0)
        core_failed = (int)id + 1;
}

static int all_cores(void)
{
    fill(src, 16 * 2048, 9);
    memset(dst, 0, 16 * 2048);
    rt_fork(0, per_core, 0);
    if (core_failed)
        return fail(50, "a core's transfer");
    return 0;
}

/* A 4 KiB L2 -> L1 copy: push + 2 + L2 latency (15) + 4096 / 8 beats. */
static int timing(void)
{
    fill(src, 4096, 1);
    uint32_t t0 = rt_cycles();
    uint32_t id = rt_dma_copy(dst, src, 4096);
    rt_dma_wait(id);
    uint32_t t = rt_cycles() - t0;
    uint32_t model = 2 + 15 + 4096 / 8;
    printf("4 KiB L2 -> L1: %lu cycles from mcycle to mcycle (transfer %lu by the model)\n",
           (unsigned long)t, (unsigned long)model);
    if (t < model || t > model + 32) /* + programming, push, wait, csr reads */
        return fail(60, "timing of a 4 KiB copy");
    return 0;
}

int main(void)
{
    printf("check_dma\n");
    int r;
    if ((r = one_dimensional()) || (r = two_dimensional()) || (r = outstanding()) ||
        (r = overlap()) || (r = bad_descriptors()) || (r = all_cores()) || (r = timing()))
        return r;
    printf("PASS\n");
    return 0;
}

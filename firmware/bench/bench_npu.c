/*
 * NPU throughput: a 1x1 convolution of 64x64 pixels, 256 -> 256 channels
 * (int8, 8-bit weights, 8-bit scale, bias, 8-bit output: 268 M MACs), on
 * the N-EUREKA NPU through its driver (ortigia/npu.h), with the weights in
 * the L1 TCDM and in the weight memory (with and without CONF0[10]
 * prefetch), beside the 8-core int8 matmul kernel on the same GEMM
 * (M = 4096 pixels, K = 256, N = 256). Prints cycles and MAC/cycle.
 *
 * The whole input (1 MiB) and output (1 MiB) do not fit in the 256 KiB L1,
 * so the layer runs as it would under a tiler: bands of 6 output rows (the
 * NPU's spatial subtile; the last band has 4), each band as two jobs of 36
 * and 28 columns (6 + 5 spatial subtiles, as many as one 64-column job
 * has). One input and one output buffer of 6x36 pixels are reused by every
 * job: the NPU's timing does not depend on the values, and no DMA moves
 * data between bands, so the figures are the NPU's compute with its
 * operands already in L1 (the cluster figure is measured the same way).
 * Jobs go through the driver's two contexts: the core programs job N+1
 * while job N runs (ACQUIRE sleeps while both are taken).
 *
 * The last job (the 4x28 corner, both remainders) is checked bit for bit
 * against ort_npu_ref_run after every timed sequence; a mismatch or a
 * refused job exits with 1. BENCH_NPU_BANDS (default 11, the whole image)
 * runs only the last bands, for a quick test.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ortigia/cluster.h"
#include "ortigia/kernels.h"
#include "ortigia/npu.h"
#include "ortigia/rt.h"
#include "../../models/npu/npu_ref.h"

#ifndef BENCH_NPU_BANDS
#define BENCH_NPU_BANDS 11
#endif

#define IMG 64          /* pixels per side */
#define CIN 256
#define COUT 256
#define BAND_ROWS 6     /* the NPU's spatial subtile */
#define TILE_W 36       /* left job's columns; the right job has IMG - TILE_W */
#define BANDS ((IMG + BAND_ROWS - 1) / BAND_ROWS)
#define W_BYTES (COUT * CIN) /* encoded 1x1 weights, 8 bits: as many bytes as int8 */
/* The last job, the one checked: the last band's right half. */
#define CORNER_H (IMG - (BANDS - 1) * BAND_ROWS)
#define CORNER_W (IMG - TILE_W)

#if BENCH_NPU_BANDS < 1 || BENCH_NPU_BANDS > BANDS
#error "BENCH_NPU_BANDS must be 1..11"
#endif

/* L1: one job's input and output and, in case (a), the encoded weights (64
   KiB); the cluster kernel reuses them as A, C and Bt. 172 KiB in all. */
static int8_t in_tile[BAND_ROWS * TILE_W * CIN] __attribute__((section(".l1bss"), aligned(32)));
static uint8_t out_tile[BAND_ROWS * TILE_W * COUT] __attribute__((section(".l1bss"), aligned(32)));
static uint8_t w_l1[W_BYTES] __attribute__((section(".l1bss"), aligned(32)));
static uint8_t scale_l1[COUT] __attribute__((section(".l1bss"), aligned(4)));
static int32_t bias_l1[COUT] __attribute__((section(".l1bss"), aligned(4)));
/* Case (b): the weights in the weight memory, over the NPU's own port. */
static uint8_t w_wmem[W_BYTES] __attribute__((section(".wmem"), aligned(32)));

/* L2: the int8 weights and the reference's inputs and output. */
static int8_t w[COUT * CIN];
static uint32_t scale[COUT];
static int32_t bias[COUT];
static uint8_t expect[CORNER_H * CORNER_W * COUT];

static uint32_t seed = 2024;
static uint32_t next(void) { return seed = seed * 1664525u + 1013904223u; }

/* The layer of an h x wd job; the strides are the dense ones of its buffer.
   Shift 18 leaves about 3% of the outputs saturated with these random
   operands, so the check compares real values, not mostly clipped ones. */
static struct ort_npu_layer tile_layer(unsigned h, unsigned wd, int prefetch)
{
    struct ort_npu_layer l = {
        .mode = ORT_NPU_MODE_1X1, .h_in = h, .w_in = wd, .cin = CIN, .cout = COUT,
        .qw = 8, .wmin = -128, .signed_in = 1, .norm_quant = 1, .scale_bits = 8,
        .bias = 1, .shift = 18, .relu = 0, .out_bits = 8, .prefetch = prefetch != 0,
    };
    return l;
}

/* The jobs of the image in order: band by band, left then right; the last
   BENCH_NPU_BANDS bands only, so that the checked corner job always runs. */
struct job {
    uint32_t regs[ORT_NPU_JOB_REGS];
};
static struct job jobs[2 * BANDS];
static unsigned njobs;

static unsigned band_rows(unsigned b) { return b + 1 < BANDS ? BAND_ROWS : IMG - b * BAND_ROWS; }

static void make_jobs(int wmem, int prefetch)
{
    struct ort_npu_addrs a = {
        .weights = wmem ? (uint32_t)(uintptr_t)w_wmem - ORT_WMEM_BASE : (uint32_t)(uintptr_t)w_l1,
        .in = (uint32_t)(uintptr_t)in_tile, .out = (uint32_t)(uintptr_t)out_tile,
        .scale = (uint32_t)(uintptr_t)scale_l1, .bias = (uint32_t)(uintptr_t)bias_l1,
        .wmem = wmem != 0,
    };
    njobs = 0;
    for (unsigned b = BANDS - BENCH_NPU_BANDS; b < BANDS; b++)
        for (unsigned half = 0; half < 2; half++) {
            struct ort_npu_layer l =
                tile_layer(band_rows(b), half ? IMG - TILE_W : TILE_W, prefetch);
            ort_npu_layer_regs(&l, &a, jobs[njobs++].regs);
        }
}

/* Run every job; the cycles from the first ACQUIRE to the last completion.
   queued: through both contexts (a job is programmed while the one before
   runs); else one at a time, each waited for before the next. */
static uint32_t run_jobs(int queued)
{
    uint32_t t0 = rt_cycles();
    for (unsigned j = 0; j < njobs; j++) {
        rt_npu_run(jobs[j].regs);
        if (!queued)
            rt_npu_wait_idle();
    }
    rt_npu_wait_idle();
    return rt_cycles() - t0;
}

/* The reference of the corner job, its output channels split over the cores
   (32 each with 8), as the host reference is slow on one simulated core. */
static void ref_part(void *arg)
{
    (void)arg;
    unsigned cores = rt_team_size(), id = rt_core_id();
    unsigned per = (COUT + cores - 1) / cores, c0 = id * per;
    if (c0 >= COUT)
        return;
    struct ort_npu_layer l = tile_layer(CORNER_H, CORNER_W, 0);
    l.cout = COUT - c0 < per ? COUT - c0 : per;
    l.out_pixel_stride = COUT; /* the slice's channels in the whole output */
    ort_npu_ref_run(&l, (const uint8_t *)in_tile, w + (size_t)c0 * CIN, scale + c0, bias + c0,
                    NULL, expect + c0);
}

static int check_corner(const char *name)
{
    uint32_t err = rt_npu_error();
    if (err) {
        printf("FAIL %s: the NPU refused a job (error %lu)\n", name, (unsigned long)err);
        return 1;
    }
    for (unsigned i = 0; i < sizeof expect; i++)
        if (out_tile[i] != expect[i]) {
            printf("FAIL %s: corner job byte %u is %u, the reference says %u\n", name, i,
                   out_tile[i], expect[i]);
            return 1;
        }
    return 0;
}

/* MACs of the bands run: every output pixel of them, CIN x COUT each. */
static double run_macs(void)
{
    unsigned rows = 0;
    for (unsigned b = BANDS - BENCH_NPU_BANDS; b < BANDS; b++)
        rows += band_rows(b);
    return (double)rows * IMG * CIN * COUT;
}

static int bench_npu(const char *where, int wmem, int prefetch, int queued)
{
    make_jobs(wmem, prefetch);
    memset(out_tile, 0, sizeof out_tile);
    uint32_t c = run_jobs(queued);
    char name[120];
    snprintf(name, sizeof name, "weights in %s%s%s", where, prefetch ? ", prefetch" : "",
             queued ? "" : ", one job at a time");
    printf("NPU 1x1 %ux%ux%u->%u%s, %s: %lu cycles, %.1f MAC/cycle\n", IMG, IMG, CIN, COUT,
           BENCH_NPU_BANDS < BANDS ? " (last bands only)" : "", name, (unsigned long)c,
           run_macs() / c);
    return check_corner(name);
}

/* The cluster kernel on the same GEMM: C (pixels x COUT) = A (pixels x
   CIN) x Bt^T, A in in_tile, Bt = the int8 weights [cout][cin] in w_l1 (the
   NPU's encoded weights are done with), C in out_tile. */
static unsigned tile_m;
static const struct k_requant rq = {77, 1 << 12, 13};
static void cluster_tile(void *arg)
{
    (void)arg;
    k_matmul_i8(in_tile, (const int8_t *)w_l1, (int8_t *)out_tile, tile_m, COUT, CIN, &rq);
}

/* Rows of the last tile run, every 7th (each core computed some), against
   the 1-core reference. */
static int check_cluster(const char *name)
{
    int8_t row[COUT];
    for (unsigned m = 0; m < tile_m; m += 7) {
        k_matmul_i8_ref(in_tile + m * CIN, (const int8_t *)w_l1, row, 1, COUT, CIN, &rq);
        if (memcmp(row, out_tile + m * COUT, COUT) != 0) {
            printf("FAIL cluster, %s: row %u of the last tile differs from the reference\n",
                   name, m);
            return 1;
        }
    }
    return 0;
}

/* The GEMM on every core, timed from the first fork to the last join, in
   tiles of `slice` rows, or (slice 0) the NPU's jobs (their pixels as rows:
   per-core row counts of 27, 21, 18 and 14, which leave rows outside the
   kernel's 4-row blocks). */
static int bench_cluster(unsigned slice)
{
    unsigned cores = rt_num_cores();
    unsigned rows = (unsigned)(run_macs() / (CIN * COUT));
    uint32_t t0 = rt_cycles();
    if (slice) {
        for (unsigned m = 0; m < rows; m += slice) {
            tile_m = rows - m < slice ? rows - m : slice;
            rt_fork(cores, cluster_tile, 0);
        }
    } else {
        for (unsigned b = BANDS - BENCH_NPU_BANDS; b < BANDS; b++)
            for (unsigned half = 0; half < 2; half++) {
                tile_m = band_rows(b) * (half ? IMG - TILE_W : TILE_W);
                rt_fork(cores, cluster_tile, 0);
            }
    }
    uint32_t c = rt_cycles() - t0;
    char name[80];
    if (slice)
        snprintf(name, sizeof name, "in slices of %u rows", slice);
    else
        snprintf(name, sizeof name, "in the NPU's %u jobs", njobs);
    printf("cluster %u cores, int8 matmul kernel on the same GEMM (M=%u pixels, K=%u, N=%u, "
           "operands in L1) %s: %lu cycles, %.1f MAC/cycle\n",
           cores, rows, CIN, COUT, name, (unsigned long)c, run_macs() / c);
    return check_cluster(name);
}

int main(void)
{
    for (unsigned i = 0; i < sizeof in_tile; i++)
        in_tile[i] = (int8_t)(next() >> 24);
    for (unsigned i = 0; i < COUT * CIN; i++)
        w[i] = (int8_t)(next() >> 24);
    for (unsigned c = 0; c < COUT; c++) {
        scale[c] = 1 + (next() >> 24) % 255;
        scale_l1[c] = (uint8_t)scale[c];
        bias[c] = bias_l1[c] = (int32_t)(next() % 200001) - 100000;
    }
    struct ort_npu_layer l = tile_layer(BAND_ROWS, IMG, 0);
    if (ort_npu_weight_bytes(&l) != W_BYTES || !ort_npu_encode_weights(&l, w, w_l1)) {
        printf("FAIL: the weights do not encode into %u bytes\n", W_BYTES);
        return 1;
    }
    /* Copied, not encoded twice: the encoder's bit-by-bit loops take tens
       of millions of cycles on a simulated core, a copy a fraction. */
    memcpy(w_wmem, w_l1, W_BYTES);
    rt_fork(0, ref_part, 0);

    printf("NPU 1x1 %ux%ux%u->%u int8 (8-bit weights, scale, bias, 8-bit out): %u of %u bands "
           "of %u output rows, %u jobs of at most %ux%u pixels reusing one L1 input and output "
           "buffer (no DMA between jobs), two contexts queued\n",
           IMG, IMG, CIN, COUT, BENCH_NPU_BANDS, BANDS, BAND_ROWS, 2 * BENCH_NPU_BANDS,
           BAND_ROWS, TILE_W);
    /* With the weights in L1, prefetch should change nothing (npu.h: the
       streamer is shared); the second line shows it. */
    if (bench_npu("L1", 0, 0, 1) || bench_npu("L1", 0, 1, 1) || bench_npu("wmem", 1, 0, 1) ||
        bench_npu("wmem", 1, 1, 1) || bench_npu("wmem", 1, 1, 0))
        return 1;
    memcpy(w_l1, w, sizeof w);
    /* 128 rows: 16 a core with 8, whole 4-row blocks (bench_matmul's 64-row
       shape: 8 a core). */
    return bench_cluster(128) || bench_cluster(0);
}

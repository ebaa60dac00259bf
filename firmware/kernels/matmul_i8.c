/*
 * int8 matrix products with int32 accumulation (see ortigia/kernels.h).
 *
 * The parallel kernels give each core of the team a contiguous block of
 * output rows. Their inner loop is a 4 x 4 register block: four rows of A
 * against four rows of Bt, 4 bytes of K per step: 8 post-increment loads
 * and 16 pv.sdotsp.b (64 MACs) in 24 instructions, in a hardware loop (no
 * loop overhead), ordered so that no load is used by the next instruction;
 * 2 x 4 blocks take the remaining pairs of rows.
 * Cores start at different column blocks so that they do not read the same
 * L1 banks in lock step. Shapes that do not fill a block (odd rows, N not a
 * multiple of 4, K not a multiple of 4 or unaligned rows) take a one-output
 * path with the same arithmetic.
 */
#include <stddef.h>
#include <string.h>

#include "ortigia/cluster.h"
#include "ortigia/dma.h"
#include "ortigia/kernels.h"
#include "ortigia/nn_kernel.h"
#include "xpulp.h"

static int32_t dot_i8(const int8_t *a, const int8_t *b, unsigned k)
{
    int32_t acc = 0;
    for (unsigned i = 0; i < k; i++)
        acc += (int32_t)a[i] * (int32_t)b[i];
    return acc;
}

/* Rows [first, last) of `rows` for this core of the team. */
static void my_rows(unsigned rows, unsigned *first, unsigned *last)
{
    unsigned cores = rt_team_size(), id = rt_core_id();
    unsigned chunk = (rows + cores - 1) / cores;
    unsigned f = id * chunk;
    *first = f < rows ? f : rows;
    *last = f + chunk < rows ? f + chunk : rows;
}

/* ---- references ------------------------------------------------------------ */

void k_matmul_i8_ref(const int8_t *A, const int8_t *Bt, int8_t *C, unsigned M, unsigned N,
                     unsigned K, const struct k_requant *rq)
{
    for (unsigned m = 0; m < M; m++)
        for (unsigned n = 0; n < N; n++)
            C[m * N + n] = k_requantize(dot_i8(A + m * K, Bt + n * K, K), rq);
}

void k_gemv_i8_ref(const int8_t *W, const int8_t *x, int8_t *y, unsigned N, unsigned K,
                   const struct k_requant *rq)
{
    for (unsigned n = 0; n < N; n++)
        y[n] = k_requantize(dot_i8(W + n * K, x, K), rq);
}

/* ---- SIMD building blocks -------------------------------------------------- */

/* Requantization parameters kept in registers (the asm blocks clobber
   memory, which would reload them from the struct every time). */
struct rq_regs {
    uint32_t mul, add;
    unsigned shift;
};

/* Requantize with p.mac and p.clip (same result as k_requantize). */
static inline int8_t requant(int32_t acc, struct rq_regs q)
{
    int32_t v = xp_mac((int32_t)q.add, acc, (int32_t)q.mul) >> q.shift;
    return (int8_t)xp_clip(v, 8);
}

static inline struct rq_regs rq_load(const struct k_requant *rq)
{
    struct rq_regs q = {(uint32_t)rq->mul, (uint32_t)rq->add, rq->shift};
    return q;
}

/* One dot product of k bytes: SIMD over the aligned words, then bytes. */
static int32_t dot_simd(const int8_t *a, const int8_t *b, unsigned k)
{
    int32_t acc = 0;
    unsigned i = 0;
    if ((((uintptr_t)a | (uintptr_t)b) & 3) == 0) {
        const void *pa = a, *pb = b;
        for (; i + 4 <= k; i += 4)
            acc = xp_sdotsp_b(acc, xp_lw_pi(&pa), xp_lw_pi(&pb));
    }
    for (; i < k; i++)
        acc += (int32_t)a[i] * (int32_t)b[i];
    return acc;
}

/* acc[r][c] = dot(a_r, b_c) over k4 words, r < 2, c < 4 (all rows aligned):
   the register-blocked kernel generated networks use too. */
static void block_2x4(const int8_t *a0, const int8_t *a1, const int8_t *b0, size_t bstride,
                      unsigned k4, int32_t acc[2][4])
{
    nn_mm2x4_i8_i8(a0, a1, b0, bstride, k4, &acc[0][0]);
}

/*
 * acc[r][c] = dot(a_r, b_c) over k4 words, r, c < 4; the rows of A and of
 * Bt are `stride` bytes apart. One pointer per operand walks the four rows
 * with register post-increments (+stride three times, then back to the
 * next word of row 0): 8 loads and 16 pv.sdotsp.b (64 MACs) per step, in
 * 24 instructions with no load used by the next instruction. The sums are
 * outputs only (zeroed in the asm): the asm has at most 30 operands.
 */
static inline __attribute__((always_inline)) void
block_4x4(const int8_t *a, const int8_t *b, size_t stride, unsigned k4, int8_t *c, size_t ldc,
          struct rq_regs rq)
{
    const void *pa = a, *pb = b;
    int32_t back = 4 - 3 * (int32_t)stride;
    int32_t s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33;
#define LW_STEP(rd, p) ".insn r 0x0B, 7, 0x10, " rd ", %[" p "], %[st]\n"
#define LW_BACK(rd, p) ".insn r 0x0B, 7, 0x10, " rd ", %[" p "], %[back]\n"
#define SDOT(s, x, y) ".insn r 0x57, 1, 0x5C, %[" s "], " x ", " y "\n"
    __asm__ volatile(
        XP_ASM_BEGIN
        "li %[s00], 0\n li %[s01], 0\n li %[s02], 0\n li %[s03], 0\n"
        "li %[s10], 0\n li %[s11], 0\n li %[s12], 0\n li %[s13], 0\n"
        "li %[s20], 0\n li %[s21], 0\n li %[s22], 0\n li %[s23], 0\n"
        "li %[s30], 0\n li %[s31], 0\n li %[s32], 0\n li %[s33], 0\n"
        XP_LP_SETUP(0, "%[k4]", 24)
        LW_STEP("t0", "pb")      /* b0 */
        LW_STEP("t2", "pa")      /* a0 */
        LW_STEP("t3", "pa")      /* a1 */
        LW_STEP("t4", "pa")      /* a2 */
        SDOT("s00", "t2", "t0")
        LW_BACK("t5", "pa")      /* a3 */
        SDOT("s10", "t3", "t0")
        LW_STEP("t1", "pb")      /* b1 */
        SDOT("s20", "t4", "t0")
        SDOT("s30", "t5", "t0")
        SDOT("s01", "t2", "t1")
        LW_STEP("t0", "pb")      /* b2 */
        SDOT("s11", "t3", "t1")
        SDOT("s21", "t4", "t1")
        SDOT("s31", "t5", "t1")
        LW_BACK("t1", "pb")      /* b3 */
        SDOT("s02", "t2", "t0")
        SDOT("s12", "t3", "t0")
        SDOT("s22", "t4", "t0")
        SDOT("s32", "t5", "t0")
        SDOT("s03", "t2", "t1")
        SDOT("s13", "t3", "t1")
        SDOT("s23", "t4", "t1")
        SDOT("s33", "t5", "t1")
        XP_ASM_END
        : [s00] "=&r"(s00), [s01] "=&r"(s01), [s02] "=&r"(s02), [s03] "=&r"(s03),
          [s10] "=&r"(s10), [s11] "=&r"(s11), [s12] "=&r"(s12), [s13] "=&r"(s13),
          [s20] "=&r"(s20), [s21] "=&r"(s21), [s22] "=&r"(s22), [s23] "=&r"(s23),
          [s30] "=&r"(s30), [s31] "=&r"(s31), [s32] "=&r"(s32), [s33] "=&r"(s33),
          [pa] "+r"(pa), [pb] "+r"(pb)
        : [k4] "r"(k4), [st] "r"(stride), [back] "r"(back)
        : "t0", "t1", "t2", "t3", "t4", "t5", "memory");
#undef LW_STEP
#undef LW_BACK
#undef SDOT
    /* Straight from the registers to C: no array, no loop. */
    c[0] = requant(s00, rq), c[1] = requant(s01, rq), c[2] = requant(s02, rq), c[3] = requant(s03, rq);
    c += ldc;
    c[0] = requant(s10, rq), c[1] = requant(s11, rq), c[2] = requant(s12, rq), c[3] = requant(s13, rq);
    c += ldc;
    c[0] = requant(s20, rq), c[1] = requant(s21, rq), c[2] = requant(s22, rq), c[3] = requant(s23, rq);
    c += ldc;
    c[0] = requant(s30, rq), c[1] = requant(s31, rq), c[2] = requant(s32, rq), c[3] = requant(s33, rq);
}

/* acc[c] = dot(x, w_c) over k4 words, c < 4: x is loaded once per step. */
static void block_1x4(const int8_t *x, const int8_t *w0, size_t wstride, unsigned k4,
                      int32_t acc[4])
{
    nn_mm1x4_i8_i8(x, w0, wstride, k4, acc);
}

/*
 * Rows [m0, m1) and columns [0, N) of C (row stride ldc) from A (M x K,
 * rows from m0) and Bt (N x K): the work of one core.
 */
static void matmul_rows(const int8_t *A, const int8_t *Bt, int8_t *C, unsigned m0, unsigned m1,
                        unsigned N, unsigned K, size_t ldc, const struct k_requant *rqp)
{
    const struct rq_regs rq = rq_load(rqp);
    int blocked = K >= 4 && (K & 3) == 0 && (((uintptr_t)A | (uintptr_t)Bt) & 3) == 0;
    unsigned quads = blocked ? N / 4 : 0;
    unsigned m = m0;
    for (; blocked && m + 4 <= m1; m += 4) {
        const int8_t *a0 = A + (size_t)m * K;
        unsigned q = quads ? (rt_core_id() * 3u) % quads : 0;
        for (unsigned i = 0; i < quads; i++, q = q + 1 == quads ? 0 : q + 1)
            block_4x4(a0, Bt + (size_t)q * 4 * K, K, K / 4, C + (size_t)m * ldc + q * 4, ldc,
                      rq);
        for (unsigned r = 0; r < 4; r++)
            for (unsigned n = quads * 4; n < N; n++)
                C[(size_t)(m + r) * ldc + n] =
                    requant(dot_simd(a0 + (size_t)r * K, Bt + (size_t)n * K, K), rq);
    }
    for (; blocked && m + 2 <= m1; m += 2) {
        const int8_t *a0 = A + (size_t)m * K, *a1 = a0 + K;
        /* Start at a different column block on each core (bank spreading). */
        unsigned q = quads ? (rt_core_id() * 3u) % quads : 0;
        for (unsigned i = 0; i < quads; i++, q = q + 1 == quads ? 0 : q + 1) {
            int32_t acc[2][4];
            block_2x4(a0, a1, Bt + (size_t)q * 4 * K, K, K / 4, acc);
            int8_t *c0 = C + (size_t)m * ldc + q * 4, *c1 = c0 + ldc;
            for (unsigned j = 0; j < 4; j++) {
                c0[j] = requant(acc[0][j], rq);
                c1[j] = requant(acc[1][j], rq);
            }
        }
        for (unsigned n = quads * 4; n < N; n++) {
            C[(size_t)m * ldc + n] = requant(dot_simd(a0, Bt + (size_t)n * K, K), rq);
            C[(size_t)(m + 1) * ldc + n] = requant(dot_simd(a1, Bt + (size_t)n * K, K), rq);
        }
    }
    for (; m < m1; m++)
        for (unsigned n = 0; n < N; n++)
            C[(size_t)m * ldc + n] =
                requant(dot_simd(A + (size_t)m * K, Bt + (size_t)n * K, K), rq);
}

/* Rows [n0, n1) of y = W x. */
static void gemv_rows(const int8_t *W, const int8_t *x, int8_t *y, unsigned n0, unsigned n1,
                      unsigned K, const struct k_requant *rqp)
{
    const struct rq_regs rq = rq_load(rqp);
    int blocked = K >= 4 && (K & 3) == 0 && (((uintptr_t)W | (uintptr_t)x) & 3) == 0;
    unsigned n = n0;
    for (; blocked && n + 4 <= n1; n += 4) {
        int32_t acc[4];
        block_1x4(x, W + (size_t)n * K, K, K / 4, acc);
        for (unsigned j = 0; j < 4; j++)
            y[n + j] = requant(acc[j], rq);
    }
    for (; n < n1; n++)
        y[n] = requant(dot_simd(W + (size_t)n * K, x, K), rq);
}

/* ---- operands in L1 -------------------------------------------------------- */

void k_matmul_i8(const int8_t *A, const int8_t *Bt, int8_t *C, unsigned M, unsigned N,
                 unsigned K, const struct k_requant *rq)
{
    unsigned first, last;
    my_rows(M, &first, &last);
    /* Even blocks of rows per core keep the 2-row blocks whole. */
    matmul_rows(A, Bt, C, first, last, N, K, N, rq);
}

void k_gemv_i8(const int8_t *W, const int8_t *x, int8_t *y, unsigned N, unsigned K,
               const struct k_requant *rq)
{
    unsigned first, last;
    my_rows(N, &first, &last);
    gemv_rows(W, x, y, first, last, K, rq);
}

/* ---- operands in L2: double-buffered DMA ----------------------------------- */

/* Bytes of Bt rows (or W rows) per tile, given the L1 workspace. */
static unsigned tile_rows(size_t work_bytes, size_t fixed, unsigned row_bytes, unsigned out_row,
                          unsigned total)
{
    if (work_bytes <= fixed)
        return 0;
    size_t per = 2u * row_bytes + 2u * out_row; /* two input buffers, two output buffers */
    size_t t = (work_bytes - fixed) / per;
    t &= ~(size_t)3; /* whole 4-column blocks */
    if (t == 0)
        t = (work_bytes - fixed) / per;
    return t > total ? total : (unsigned)t;
}

static uint8_t *align4(uint8_t *p) { return (uint8_t *)(((uintptr_t)p + 3) & ~(uintptr_t)3); }

/* Start the DMA of tile t (rows [t * tn, ...) of the N x K matrix `src`)
   into `dst`, its rows K-padded to kpad bytes. */
static uint32_t start_tile(int8_t *dst, const int8_t *src, unsigned t, unsigned tn, unsigned N,
                           unsigned K, size_t kpad)
{
    unsigned n0 = t * tn, rows = N - n0 < tn ? N - n0 : tn;
    return rt_dma_copy_2d(dst, src + (size_t)n0 * K, K, rows, (int32_t)kpad, (int32_t)K);
}

int k_matmul_i8_dma(const int8_t *A, const int8_t *Bt, int8_t *C, unsigned M, unsigned N,
                    unsigned K, const struct k_requant *rq, void *l1_work, size_t work_bytes)
{
    size_t kpad = (K + 3) & ~3u;
    size_t a_bytes = (size_t)M * kpad;
    unsigned tn = tile_rows(work_bytes, a_bytes + 12, (unsigned)kpad, M, N);
    if (tn == 0)
        return -1;
    uint8_t *p = align4(l1_work);
    int8_t *a_l1 = (int8_t *)p;
    p = align4(p + a_bytes);
    int8_t *b_l1[2], *c_l1[2];
    for (int i = 0; i < 2; i++) {
        b_l1[i] = (int8_t *)p;
        p = align4(p + (size_t)tn * kpad);
    }
    for (int i = 0; i < 2; i++) {
        c_l1[i] = (int8_t *)p;
        p = align4(p + (size_t)M * tn);
    }
    unsigned tiles = (N + tn - 1) / tn;
    unsigned first, last;
    my_rows(M, &first, &last);
    int leader = rt_core_id() == 0;
    uint32_t in_id = 0, out_id[2] = {RT_DMA_FAILED, RT_DMA_FAILED};
    if (leader) {
        /* A and Bt rows land K-padded so every row is word aligned; the
           DMA never writes the padding, so zero it once. */
        if (kpad != K)
            memset(a_l1, 0, (size_t)(c_l1[0] - a_l1));
        uint32_t a_id = rt_dma_copy_2d(a_l1, A, K, M, (int32_t)kpad, (int32_t)K);
        in_id = start_tile(b_l1[0], Bt, 0, tn, N, K, kpad);
        rt_dma_wait(a_id);
        rt_dma_wait(in_id);
    }
    rt_barrier();
    for (unsigned t = 0; t < tiles; t++) {
        unsigned n0 = t * tn, cols = N - n0 < tn ? N - n0 : tn;
        if (leader && t + 1 < tiles)
            in_id = start_tile(b_l1[(t + 1) & 1], Bt, t + 1, tn, N, K, kpad);
        matmul_rows(a_l1, b_l1[t & 1], c_l1[t & 1], first, last, cols, (unsigned)kpad, cols, rq);
        rt_barrier(); /* tile t computed */
        if (leader) {
            out_id[t & 1] =
                rt_dma_copy_2d(C + n0, c_l1[t & 1], cols, M, (int32_t)N, (int32_t)cols);
            if (t >= 1) /* the output buffer of tile t + 1 is free again */
                rt_dma_wait(out_id[(t + 1) & 1]);
            if (t + 1 < tiles) /* the input of tile t + 1 has arrived */
                rt_dma_wait(in_id);
        }
        rt_barrier();
    }
    if (leader)
        for (int i = 0; i < 2; i++)
            if (out_id[i] != RT_DMA_FAILED)
                rt_dma_wait(out_id[i]);
    rt_barrier();
    return 0;
}

int k_gemv_i8_dma(const int8_t *W, const int8_t *x, int8_t *y, unsigned N, unsigned K,
                  const struct k_requant *rq, void *l1_work, size_t work_bytes)
{
    size_t kpad = (K + 3) & ~3u;
    unsigned tn = tile_rows(work_bytes, kpad + (size_t)N + 12, (unsigned)kpad, 0, N);
    if (tn == 0)
        return -1;
    uint8_t *p = align4(l1_work);
    int8_t *x_l1 = (int8_t *)p;
    p = align4(p + kpad);
    int8_t *y_l1 = (int8_t *)p;
    p = align4(p + N);
    int8_t *w_l1[2];
    for (int i = 0; i < 2; i++) {
        w_l1[i] = (int8_t *)p;
        p = align4(p + (size_t)tn * kpad);
    }
    unsigned tiles = (N + tn - 1) / tn;
    int leader = rt_core_id() == 0;
    uint32_t in_id = 0;
    if (leader) {
        if (kpad != K) /* zero the padding of x (and of the W rows) once */
            memset(x_l1, 0, (size_t)((int8_t *)p - x_l1));
        uint32_t x_id = rt_dma_copy(x_l1, x, K);
        in_id = start_tile(w_l1[0], W, 0, tn, N, K, kpad);
        rt_dma_wait(x_id);
        rt_dma_wait(in_id);
    }
    rt_barrier();
    for (unsigned t = 0; t < tiles; t++) {
        unsigned n0 = t * tn, rows = N - n0 < tn ? N - n0 : tn;
        if (leader && t + 1 < tiles)
            in_id = start_tile(w_l1[(t + 1) & 1], W, t + 1, tn, N, K, kpad);
        unsigned first, last;
        my_rows(rows, &first, &last);
        gemv_rows(w_l1[t & 1], x_l1, y_l1 + n0, first, last, (unsigned)kpad, rq);
        if (leader && t + 1 < tiles)
            rt_dma_wait(in_id);
        rt_barrier();
    }
    if (leader)
        rt_dma_wait(rt_dma_copy(y, y_l1, N));
    rt_barrier();
    return 0;
}

/*
 * Compute-bound benchmark: repeated 64x64 int32 matrix multiplications
 * (loads, mul, add: the inner loop of many kernels) and table-driven
 * CRC-32 over a 64 KiB buffer (byte loads, shifts, table lookups). About
 * 200 million instructions in all. Prints a checksum of the results, the
 * retired instructions and cycles (minstret/mcycle) and exits with 0; a
 * result that fails its cross-check exits with 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ortigia/rt.h"

#define N 64
#define MM_ROUNDS 80
#define CRC_BYTES (64 * 1024)
#define CRC_ROUNDS 100

static int32_t mat_a[N][N], mat_b[N][N], mat_c[N][N];
static uint8_t buffer[CRC_BYTES];
static uint32_t crc_table[256];

static uint32_t rng = 0x2545f491u;

static uint32_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

/* C = A * B, the classic i-j-k order (a row of A times a column of B). */
static void matmul(int32_t c[N][N], const int32_t a[N][N], const int32_t b[N][N])
{
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) {
            int32_t sum = 0;
            for (int k = 0; k < N; k++)
                sum += a[i][k] * b[k][j];
            c[i][j] = sum;
        }
    }
}

/* One row of C recomputed in i-k-j order, as a cross-check. */
static int check_row(int i)
{
    int32_t row[N];
    memset(row, 0, sizeof row);
    for (int k = 0; k < N; k++) {
        int32_t aik = mat_a[i][k];
        for (int j = 0; j < N; j++)
            row[j] = (int32_t)((uint32_t)row[j] + (uint32_t)aik * (uint32_t)mat_b[k][j]);
    }
    return memcmp(row, mat_c[i], sizeof row) == 0;
}

static uint32_t crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    while (n--)
        crc = (crc >> 8) ^ crc_table[(crc ^ *p++) & 0xffu];
    return ~crc;
}

int main(void)
{
    printf("bench_compute: %d x %dx%d int32 matmul, CRC-32 over %d x %d KiB\n", MM_ROUNDS, N, N,
           CRC_ROUNDS, CRC_BYTES / 1024);
    uint32_t instret0 = rt_instret(), cycle0 = rt_cycles();

    /* Small values keep the products meaningful (they wrap anyway). */
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            mat_a[i][j] = (int32_t)(next_random() % 201u) - 100;
            mat_b[i][j] = (int32_t)(next_random() % 201u) - 100;
        }

    uint32_t mm_sum = 0;
    int bad = 0;
    for (int r = 0; r < MM_ROUNDS; r++) {
        matmul(mat_c, (const int32_t(*)[N])mat_a, (const int32_t(*)[N])mat_b);
        if (r % 16 == 0 && !check_row(r % N))
            bad++;
        /* Fold the result into A so each round computes something new. */
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                mm_sum = (mm_sum << 1 | mm_sum >> 31) ^ (uint32_t)mat_c[i][j];
                mat_a[i][j] = (int32_t)(((uint32_t)mat_c[i][j] >> 7) % 201u) - 100;
            }
    }
    printf("matmul: checksum %08x, C[0][0]=%ld C[63][63]=%ld\n", (unsigned)mm_sum,
           (long)mat_c[0][0], (long)mat_c[N - 1][N - 1]);

    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int b = 0; b < 8; b++)
            c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        crc_table[i] = c;
    }
    if (crc32(0, (const uint8_t *)"123456789", 9) != 0xCBF43926u)
        bad++;
    for (size_t i = 0; i < sizeof buffer; i++)
        buffer[i] = (uint8_t)(next_random() >> 24);
    uint32_t crc = 0;
    for (int r = 0; r < CRC_ROUNDS; r++) {
        crc = crc32(crc, buffer, sizeof buffer);
        buffer[(size_t)r * 613u % sizeof buffer] ^= (uint8_t)crc; /* vary the input */
    }
    printf("crc32: %08x\n", (unsigned)crc);

    uint32_t instret = rt_instret() - instret0, cycles = rt_cycles() - cycle0;
    printf("checksum: %08x\n", (unsigned)(mm_sum ^ crc));
    printf("instret: %lu cycles: %lu\n", (unsigned long)instret, (unsigned long)cycles);
    if (bad) {
        printf("FAIL: %d cross-checks failed\n", bad);
        return 1;
    }
    return 0;
}

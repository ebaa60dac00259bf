/*
 * Differential test: checksums. CRC-32 (bitwise, byte table, nibble table
 * and slice-by-4, which must all agree), CRC-32C, CRC-16/CCITT-FALSE and
 * XMODEM, Adler-32 and FNV-1a over standard check strings and generated
 * data. Shift/xor/table-lookup heavy; the check values of "123456789" are
 * verified, so a wrong result also shows as a non-zero exit code.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define CRC32_POLY 0xEDB88320u  /* reflected 0x04C11DB7 */
#define CRC32C_POLY 0x82F63B78u /* reflected 0x1EDC6F41 */

static uint32_t crc32_table[4][256];
static uint32_t crc32_nibble[16];
static uint32_t crc32c_table[256];
static uint16_t crc16_table[256];

static void make_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i, k = i;
        for (int b = 0; b < 8; b++) {
            c = (c & 1u) ? (c >> 1) ^ CRC32_POLY : c >> 1;
            k = (k & 1u) ? (k >> 1) ^ CRC32C_POLY : k >> 1;
        }
        crc32_table[0][i] = c;
        crc32c_table[i] = k;
        uint16_t r = (uint16_t)(i << 8);
        for (int b = 0; b < 8; b++)
            r = (r & 0x8000u) ? (uint16_t)((r << 1) ^ 0x1021u) : (uint16_t)(r << 1);
        crc16_table[i] = r;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 4; t++)
            crc32_table[t][i] =
                (crc32_table[t - 1][i] >> 8) ^ crc32_table[0][crc32_table[t - 1][i] & 0xffu];
    for (uint32_t i = 0; i < 16; i++) {
        uint32_t c = i;
        for (int b = 0; b < 4; b++)
            c = (c & 1u) ? (c >> 1) ^ CRC32_POLY : c >> 1;
        crc32_nibble[i] = c;
    }
}

/* All CRC-32 variants take and return the raw register (pre/post
 * inversion done by the caller), so they can be chained over chunks. */
static uint32_t crc32_bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n--) {
        crc ^= *p++;
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (CRC32_POLY & (0u - (crc & 1u)));
    }
    return crc;
}

static uint32_t crc32_bytewise(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n--)
        crc = (crc >> 8) ^ crc32_table[0][(crc ^ *p++) & 0xffu];
    return crc;
}

static uint32_t crc32_nibblewise(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n--) {
        crc ^= *p++;
        crc = (crc >> 4) ^ crc32_nibble[crc & 15u];
        crc = (crc >> 4) ^ crc32_nibble[crc & 15u];
    }
    return crc;
}

/* Slice-by-4: word loads once the pointer is aligned. */
static uint32_t crc32_slice4(uint32_t crc, const uint8_t *p, size_t n)
{
    while (n && ((uintptr_t)p & 3u)) {
        crc = (crc >> 8) ^ crc32_table[0][(crc ^ *p++) & 0xffu];
        n--;
    }
    while (n >= 4) {
        uint32_t w; /* little-endian; p is aligned here, so this is one lw */
        memcpy(&w, __builtin_assume_aligned(p, 4), 4);
        crc ^= w;
        crc = crc32_table[3][crc & 0xffu] ^ crc32_table[2][(crc >> 8) & 0xffu] ^
              crc32_table[1][(crc >> 16) & 0xffu] ^ crc32_table[0][crc >> 24];
        p += 4;
        n -= 4;
    }
    while (n--)
        crc = (crc >> 8) ^ crc32_table[0][(crc ^ *p++) & 0xffu];
    return crc;
}

static uint32_t crc32(const void *p, size_t n)
{
    return ~crc32_bytewise(0xffffffffu, p, n);
}

static uint32_t crc32c(const uint8_t *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    while (n--)
        crc = (crc >> 8) ^ crc32c_table[(crc ^ *p++) & 0xffu];
    return ~crc;
}

/* CRC-16 with polynomial 0x1021, not reflected: CCITT-FALSE starts at
 * 0xFFFF, XMODEM at 0. */
static uint16_t crc16_bitwise(uint16_t crc, const uint8_t *p, size_t n)
{
    while (n--) {
        crc ^= (uint16_t)(*p++ << 8);
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
    return crc;
}

static uint16_t crc16_table_driven(uint16_t crc, const uint8_t *p, size_t n)
{
    while (n--)
        crc = (uint16_t)((crc << 8) ^ crc16_table[((crc >> 8) ^ *p++) & 0xffu]);
    return crc;
}

static uint32_t adler32(uint32_t adler, const uint8_t *p, size_t n)
{
    uint32_t a = adler & 0xffffu, b = adler >> 16;
    while (n) {
        /* 5552 bytes keep b below 2^32 before the modulo (zlib's NMAX). */
        size_t chunk = n < 5552 ? n : 5552;
        n -= chunk;
        while (chunk--) {
            a += *p++;
            b += a;
        }
        a %= 65521u;
        b %= 65521u;
    }
    return (b << 16) | a;
}

static uint32_t fnv1a32(const uint8_t *p, size_t n)
{
    uint32_t h = 0x811c9dc5u;
    while (n--) {
        h ^= *p++;
        h *= 0x01000193u;
    }
    return h;
}

static uint64_t fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (n--) {
        h ^= *p++;
        h *= 0x100000001b3ull;
    }
    return h;
}

#define DATA_SIZE 20000
static uint8_t data[DATA_SIZE + 8] __attribute__((aligned(4)));

static void generate(uint32_t seed)
{
    uint32_t x = seed;
    for (size_t i = 0; i < sizeof data; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        data[i] = (uint8_t)(x >> 11);
    }
}

static int failures;

static void expect(const char *what, uint32_t got, uint32_t want)
{
    int ok = got == want;
    printf("%-28s %08x %s\n", what, (unsigned)got, ok ? "ok" : "MISMATCH");
    if (!ok) {
        printf("  expected %08x\n", (unsigned)want);
        failures++;
    }
}

static void test_check_values(void)
{
    printf("== check values of \"123456789\"\n");
    const uint8_t *s = (const uint8_t *)"123456789";
    expect("crc32 bitwise", ~crc32_bitwise(~0u, s, 9), 0xCBF43926u);
    expect("crc32 bytewise", ~crc32_bytewise(~0u, s, 9), 0xCBF43926u);
    expect("crc32 nibblewise", ~crc32_nibblewise(~0u, s, 9), 0xCBF43926u);
    expect("crc32 slice-by-4", ~crc32_slice4(~0u, s, 9), 0xCBF43926u);
    expect("crc32c", crc32c(s, 9), 0xE3069283u);
    expect("crc16/ccitt-false bitwise", crc16_bitwise(0xffff, s, 9), 0x29B1u);
    expect("crc16/ccitt-false table", crc16_table_driven(0xffff, s, 9), 0x29B1u);
    expect("crc16/xmodem", crc16_table_driven(0, s, 9), 0x31C3u);
    expect("adler32", adler32(1, s, 9), 0x091E01DEu);
    expect("adler32 Wikipedia", adler32(1, (const uint8_t *)"Wikipedia", 9), 0x11E60398u);
    expect("fnv1a32 empty", fnv1a32(s, 0), 0x811c9dc5u);
    expect("fnv1a32 a", fnv1a32((const uint8_t *)"a", 1), 0xe40c292cu);
    expect("fnv1a32 foobar", fnv1a32((const uint8_t *)"foobar", 6), 0xbf9cf968u);
    uint64_t f = fnv1a64((const uint8_t *)"foobar", 6);
    expect("fnv1a64 foobar (hi)", (uint32_t)(f >> 32), 0x85944171u);
    expect("fnv1a64 foobar (lo)", (uint32_t)f, 0xf73967e8u);
    expect("crc32 empty", crc32(s, 0), 0);
    expect("crc32 quick brown fox",
           crc32("The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
}

/* Every implementation over every prefix length and misalignment. */
static void test_agreement(void)
{
    printf("== implementations agree\n");
    generate(0x12345678u);
    unsigned bad = 0;
    uint32_t h = 0;
    for (size_t off = 0; off < 4; off++) {
        for (size_t n = 0; n <= 300; n += (n < 40 ? 1 : 13)) {
            const uint8_t *p = data + off;
            uint32_t a = crc32_bitwise(~0u, p, n), b = crc32_bytewise(~0u, p, n);
            uint32_t c = crc32_nibblewise(~0u, p, n), d = crc32_slice4(~0u, p, n);
            uint16_t e = crc16_bitwise(0xffff, p, n), f = crc16_table_driven(0xffff, p, n);
            if (a != b || a != c || a != d || e != f)
                bad++;
            h = h * 0x01000193u ^ a ^ ((uint32_t)e << 7);
        }
    }
    printf("prefix sweep: hash=%08x disagreements=%u\n", (unsigned)h, bad);
    if (bad)
        failures++;
}

static void test_generated(void)
{
    printf("== generated data\n");
    static const uint32_t seeds[] = {1u, 0x9e3779b9u, 0xdeadbeefu, 0x0badf00du};
    static const size_t lengths[] = {1, 7, 64, 255, 1000, 4096, DATA_SIZE};
    for (unsigned s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        generate(seeds[s]);
        printf("seed %08x: bytes %02x %02x %02x %02x ...\n", (unsigned)seeds[s], data[0], data[1],
               data[2], data[3]);
        for (unsigned l = 0; l < sizeof lengths / sizeof lengths[0]; l++) {
            size_t n = lengths[l];
            uint64_t f64 = fnv1a64(data, n);
            printf("  n=%5u crc32=%08x crc32c=%08x crc16=%04x adler=%08x fnv=%08x fnv64=%08x%08x\n",
                   (unsigned)n, (unsigned)~crc32_slice4(~0u, data, n), (unsigned)crc32c(data, n),
                   crc16_table_driven(0xffff, data, n), (unsigned)adler32(1, data, n),
                   (unsigned)fnv1a32(data, n), (unsigned)(f64 >> 32), (unsigned)f64);
        }
        /* Chunked computation equals one-shot. */
        uint32_t crc = ~0u, ad = 1;
        uint16_t c16 = 0xffff;
        size_t pos = 0, chunk = 1;
        while (pos < DATA_SIZE) {
            size_t n = chunk < DATA_SIZE - pos ? chunk : DATA_SIZE - pos;
            crc = (chunk & 1) ? crc32_bytewise(crc, data + pos, n) : crc32_slice4(crc, data + pos, n);
            c16 = crc16_bitwise(c16, data + pos, n);
            ad = adler32(ad, data + pos, n);
            pos += n;
            chunk = chunk * 3 + 1;
        }
        int ok = ~crc == crc32(data, DATA_SIZE) &&
                 c16 == crc16_table_driven(0xffff, data, DATA_SIZE) &&
                 ad == adler32(1, data, DATA_SIZE);
        printf("  chunked: %s\n", ok ? "ok" : "MISMATCH");
        if (!ok)
            failures++;
    }
}

/* CRC properties: appending the little-endian CRC gives the residue, and
 * single-bit errors are always detected. */
static void test_properties(void)
{
    printf("== properties\n");
    generate(0xc0ffee11u);
    uint32_t c = crc32(data, 1000);
    data[1000] = (uint8_t)c;
    data[1001] = (uint8_t)(c >> 8);
    data[1002] = (uint8_t)(c >> 16);
    data[1003] = (uint8_t)(c >> 24);
    expect("crc32 residue", crc32(data, 1004), 0x2144DF1Cu);
    expect("crc32 register residue", crc32_bytewise(~0u, data, 1004), 0xDEBB20E3u);
    unsigned undetected = 0;
    uint32_t h = 0;
    for (unsigned bit = 0; bit < 1000 * 8; bit += 37) {
        data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        uint32_t d = crc32(data, 1000);
        undetected += d == c;
        h += d;
        data[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    printf("single-bit flips: undetected=%u sum=%08x\n", undetected, (unsigned)h);
    if (undetected)
        failures++;
    printf("table samples: %08x %08x %08x %08x crc16 %04x %04x\n", (unsigned)crc32_table[0][1],
           (unsigned)crc32_table[0][128], (unsigned)crc32_table[3][255],
           (unsigned)crc32c_table[77], crc16_table[1], crc16_table[200]);
}

int main(void)
{
    printf("diff_crc\n");
    make_tables();
    test_check_values();
    test_agreement();
    test_generated();
    test_properties();
    printf("failures: %d\n", failures);
    printf("done\n");
    return failures ? 1 : 0;
}

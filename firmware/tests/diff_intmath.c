/*
 * Differential test: integer arithmetic. Run on Ortigia and on QEMU, the
 * outputs must be identical. Covers the M extension (mul, mulh, mulhsu,
 * mulhu, div, divu, rem, remu, with the RISC-V edge cases of division by
 * zero and signed overflow), libgcc's 64-bit multiply/divide, a prime
 * sieve, gcd, integer and fixed-point square roots and bit manipulation.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Operands mixing signs, powers of two and the extreme values. */
static const uint32_t ops[] = {
    0u,          1u,          2u,          3u,          7u,          0x10u,
    0x7fu,       0xffu,       0x1234u,     0xffffu,     0x10000u,    0x12345678u,
    0x7fffffffu, 0x80000000u, 0x80000001u, 0xfffffffeu, 0xffffffffu, 0xdeadbeefu,
    0xcafef00du, 0x0badc0deu, 0x55555555u, 0xaaaaaaaau, 0xfffffff9u, 0x00010001u,
};
#define NOPS (sizeof ops / sizeof ops[0])

/* volatile keeps the compiler from folding the operations away. */
static volatile uint32_t vsink;

static uint32_t vol(uint32_t x)
{
    volatile uint32_t v = x;
    return v;
}

/* The M-extension instructions themselves: their RISC-V semantics are
 * defined for every input (C's are not for x/0 and INT_MIN/-1). */
#define ASM_RR(name)                                                                               \
    static inline uint32_t asm_##name(uint32_t a, uint32_t b)                                      \
    {                                                                                              \
        uint32_t r;                                                                                \
        __asm__ volatile(#name " %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));                          \
        return r;                                                                                  \
    }
ASM_RR(div)
ASM_RR(divu)
ASM_RR(rem)
ASM_RR(remu)
ASM_RR(mulh)
ASM_RR(mulhsu)
ASM_RR(mulhu)
#undef ASM_RR

/* Folds values into one checksum (order-sensitive). */
static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;
    return h ^ (h >> 15);
}

static void test_mul(void)
{
    printf("== multiply\n");
    uint32_t h = 0x811c9dc5u;
    unsigned bad = 0;
    for (unsigned i = 0; i < NOPS; i++) {
        for (unsigned j = 0; j < NOPS; j++) {
            uint32_t a = vol(ops[i]), b = vol(ops[j]);
            int64_t ss = (int64_t)(int32_t)a * (int32_t)b;
            uint64_t uu = (uint64_t)a * b;
            int64_t su = (int64_t)(int32_t)a * (int64_t)(uint64_t)b;
            uint32_t lo = a * b;
            uint32_t hs = (uint32_t)((uint64_t)ss >> 32);
            uint32_t hu = (uint32_t)(uu >> 32);
            uint32_t hsu = (uint32_t)((uint64_t)su >> 32);
            /* The C forms compile to mul/mulh*; cross-check with asm. */
            if (hs != asm_mulh(a, b) || hu != asm_mulhu(a, b) || hsu != asm_mulhsu(a, b))
                bad++;
            h = mix(h, lo);
            h = mix(h, hs);
            h = mix(h, hu);
            h = mix(h, hsu);
            if (i % 4 == 1 && j % 5 == 2)
                printf("mul %08x %08x: lo=%08x h=%08x hu=%08x hsu=%08x\n", (unsigned)a,
                       (unsigned)b, (unsigned)lo, (unsigned)hs, (unsigned)hu, (unsigned)hsu);
        }
    }
    printf("mul checksum %08x, C/asm mismatches %u\n", (unsigned)h, bad);
}

static void test_div(void)
{
    printf("== divide\n");
    uint32_t h = 0x811c9dc5u;
    for (unsigned i = 0; i < NOPS; i++) {
        for (unsigned j = 0; j < NOPS; j++) {
            uint32_t a = vol(ops[i]), b = vol(ops[j]);
            uint32_t q = asm_div(a, b), r = asm_rem(a, b);
            uint32_t qu = asm_divu(a, b), ru = asm_remu(a, b);
            h = mix(mix(mix(mix(h, q), r), qu), ru);
            /* Where C defines the result, it must agree with the asm. */
            if (b != 0) {
                if (a / b != qu || a % b != ru)
                    printf("divu mismatch %08x %08x\n", (unsigned)a, (unsigned)b);
                if (!(a == 0x80000000u && b == 0xffffffffu)) {
                    int32_t sa = (int32_t)a, sb = (int32_t)b;
                    if ((uint32_t)(sa / sb) != q || (uint32_t)(sa % sb) != r)
                        printf("div mismatch %08x %08x\n", (unsigned)a, (unsigned)b);
                }
            }
            if (j % 6 == 3 && i % 3 == 0)
                printf("div %08x %08x: q=%08x r=%08x qu=%08x ru=%08x\n", (unsigned)a, (unsigned)b,
                       (unsigned)q, (unsigned)r, (unsigned)qu, (unsigned)ru);
        }
    }
    printf("div checksum %08x\n", (unsigned)h);

    /* The architecturally defined corner cases. */
    uint32_t zero = vol(0), m1 = vol(0xffffffffu), imin = vol(0x80000000u);
    printf("7/0: div=%08x rem=%08x divu=%08x remu=%08x\n", (unsigned)asm_div(vol(7), zero),
           (unsigned)asm_rem(vol(7), zero), (unsigned)asm_divu(vol(7), zero),
           (unsigned)asm_remu(vol(7), zero));
    printf("-7/0: div=%08x rem=%08x\n", (unsigned)asm_div(vol(0xfffffff9u), zero),
           (unsigned)asm_rem(vol(0xfffffff9u), zero));
    printf("INT_MIN/-1: div=%08x rem=%08x divu=%08x remu=%08x\n", (unsigned)asm_div(imin, m1),
           (unsigned)asm_rem(imin, m1), (unsigned)asm_divu(imin, m1), (unsigned)asm_remu(imin, m1));

    /* Truncation toward zero with every sign combination. */
    static const int32_t sa[] = {7, -7, 100, -100, 1, -1, 2147483647, -2147483647};
    static const int32_t sb[] = {2, -2, 3, -3, 7, -7, 10000, -1};
    for (unsigned i = 0; i < 8; i++) {
        int32_t a = (int32_t)vol((uint32_t)sa[i]);
        for (unsigned j = 0; j < 8; j += 3) {
            int32_t b = (int32_t)vol((uint32_t)sb[j]);
            printf("%ld / %ld = %ld rem %ld\n", (long)a, (long)b, (long)(a / b), (long)(a % b));
        }
    }
}

static uint32_t gcd(uint32_t a, uint32_t b)
{
    while (b != 0) {
        uint32_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Binary (Stein's) gcd: shifts and subtractions only. */
static uint32_t gcd_binary(uint32_t a, uint32_t b)
{
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    unsigned shift = 0;
    while (((a | b) & 1u) == 0) {
        a >>= 1;
        b >>= 1;
        shift++;
    }
    while ((a & 1u) == 0)
        a >>= 1;
    do {
        while ((b & 1u) == 0)
            b >>= 1;
        if (a > b) {
            uint32_t t = a;
            a = b;
            b = t;
        }
        b -= a;
    } while (b != 0);
    return a << shift;
}

static void test_gcd(void)
{
    printf("== gcd\n");
    static const uint32_t pairs[][2] = {
        {12, 18},       {17, 5},          {0, 9},          {1071, 462},
        {1u << 30, 6},  {0xffffffffu, 3}, {832040, 514229}, {123456789, 987654321},
        {360, 1000000}, {4294967291u, 65521}, {2310, 30030}, {1000000007u, 998244353u},
    };
    for (unsigned i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        uint32_t a = vol(pairs[i][0]), b = vol(pairs[i][1]);
        uint32_t g = gcd(a, b), g2 = gcd_binary(a, b);
        uint64_t lcm = g ? (uint64_t)(a / g) * b : 0;
        printf("gcd(%u,%u)=%u binary=%u lcm=%08x%08x\n", (unsigned)a, (unsigned)b, (unsigned)g,
               (unsigned)g2, (unsigned)(lcm >> 32), (unsigned)lcm);
    }
    /* Count coprime pairs in a square: about 6/pi^2 of them. */
    unsigned coprime = 0;
    for (uint32_t a = 1; a <= 120; a++)
        for (uint32_t b = 1; b <= 120; b++)
            coprime += gcd_binary(a, b) == 1;
    printf("coprime pairs in 1..120: %u\n", coprime);
}

#define SIEVE_N 30000
static uint8_t composite[SIEVE_N + 1];

static void test_primes(void)
{
    printf("== primes\n");
    memset(composite, 0, sizeof composite);
    composite[0] = composite[1] = 1;
    for (uint32_t i = 2; i * i <= SIEVE_N; i++)
        if (!composite[i])
            for (uint32_t j = i * i; j <= SIEVE_N; j += i)
                composite[j] = 1;
    unsigned count = 0;
    uint32_t sum = 0, last = 0, twins = 0;
    for (uint32_t i = 2; i <= SIEVE_N; i++) {
        if (!composite[i]) {
            count++;
            sum += i;
            if (i >= 2 && !composite[i - 2])
                twins++;
            last = i;
        }
    }
    printf("primes <= %d: count=%u sum=%u largest=%u twin pairs=%u\n", SIEVE_N, count,
           (unsigned)sum, (unsigned)last, (unsigned)twins);
    printf("first primes:");
    unsigned shown = 0;
    for (uint32_t i = 2; shown < 25; i++)
        if (!composite[i]) {
            printf(" %u", (unsigned)i);
            shown++;
        }
    printf("\n");
    /* Trial division must agree with the sieve on a sample. */
    unsigned disagree = 0;
    for (uint32_t n = 29000; n <= SIEVE_N; n++) {
        int prime = n >= 2;
        for (uint32_t d = 2; d * d <= n; d++)
            if (n % d == 0) {
                prime = 0;
                break;
            }
        disagree += prime != !composite[n];
    }
    printf("trial division disagreements: %u\n", disagree);
}

/* Bitwise integer square root: floor(sqrt(x)). */
static uint32_t isqrt32(uint32_t x)
{
    uint32_t res = 0, bit = 1u << 30;
    while (bit > x)
        bit >>= 2;
    while (bit != 0) {
        if (x >= res + bit) {
            x -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return res;
}

static uint32_t isqrt64(uint64_t x)
{
    uint64_t res = 0, bit = (uint64_t)1 << 62;
    while (bit > x)
        bit >>= 2;
    while (bit != 0) {
        if (x >= res + bit) {
            x -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return (uint32_t)res;
}

/* Newton's method in integers, as a cross-check. */
static uint32_t isqrt_newton(uint32_t x)
{
    if (x < 2)
        return x;
    uint32_t r = x / 2 + 1, y = (r + x / r) / 2;
    while (y < r) {
        r = y;
        y = (r + x / r) / 2;
    }
    return r;
}

static void test_sqrt(void)
{
    printf("== square roots\n");
    static const uint32_t xs[] = {0, 1, 2, 3, 4, 15, 16, 17, 99, 100, 65535, 65536,
                                  1000000, 0x7fffffffu, 0xfffffffeu, 0xffffffffu};
    for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        uint32_t x = vol(xs[i]);
        printf("isqrt(%u)=%u newton=%u\n", (unsigned)x, (unsigned)isqrt32(x),
               (unsigned)isqrt_newton(x));
    }
    /* 16.16 fixed point: sqrt(v) = isqrt(v << 16). */
    for (uint32_t v = 1; v <= 10; v++) {
        uint32_t fx = v << 16;
        uint32_t s = isqrt64((uint64_t)fx << 16);
        uint32_t frac = (uint32_t)(((uint64_t)(s & 0xffffu) * 1000000u) >> 16);
        printf("sqrt(%u) = %u.%06u (0x%08x)\n", (unsigned)v, (unsigned)(s >> 16), (unsigned)frac,
               (unsigned)s);
    }
    unsigned bad = 0;
    uint32_t acc = 0;
    for (uint32_t x = 0; x < 200000; x += 7) {
        uint32_t r = isqrt32(x);
        acc += r;
        if ((uint64_t)r * r > x || (uint64_t)(r + 1) * (r + 1) <= x || r != isqrt_newton(x))
            bad++;
    }
    printf("isqrt sweep: sum=%u bad=%u\n", (unsigned)acc, bad);
}

static unsigned popcount_loop(uint32_t x)
{
    unsigned n = 0;
    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}

static unsigned popcount_swar(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (x * 0x01010101u) >> 24;
}

static unsigned clz_loop(uint32_t x)
{
    unsigned n = 0;
    if (x == 0)
        return 32;
    while (!(x & 0x80000000u)) {
        x <<= 1;
        n++;
    }
    return n;
}

static unsigned ctz_loop(uint32_t x)
{
    unsigned n = 0;
    if (x == 0)
        return 32;
    while (!(x & 1u)) {
        x >>= 1;
        n++;
    }
    return n;
}

static uint32_t rotl(uint32_t x, unsigned r)
{
    r &= 31;
    return r ? (x << r) | (x >> (32 - r)) : x;
}

static uint32_t rotr(uint32_t x, unsigned r)
{
    r &= 31;
    return r ? (x >> r) | (x << (32 - r)) : x;
}

static uint32_t bitrev(uint32_t x)
{
    x = ((x >> 1) & 0x55555555u) | ((x & 0x55555555u) << 1);
    x = ((x >> 2) & 0x33333333u) | ((x & 0x33333333u) << 2);
    x = ((x >> 4) & 0x0f0f0f0fu) | ((x & 0x0f0f0f0fu) << 4);
    x = ((x >> 8) & 0x00ff00ffu) | ((x & 0x00ff00ffu) << 8);
    return (x >> 16) | (x << 16);
}

static void test_bits(void)
{
    printf("== bit tricks\n");
    for (unsigned i = 0; i < NOPS; i += 2) {
        uint32_t x = vol(ops[i]);
        printf("%08x: pop=%u/%u/%d clz=%u/%d ctz=%u rotl7=%08x rotr13=%08x rev=%08x sra4=%08x\n",
               (unsigned)x, popcount_loop(x), popcount_swar(x), __builtin_popcount(x),
               clz_loop(x), x ? __builtin_clz(x) : 32, ctz_loop(x), (unsigned)rotl(x, 7),
               (unsigned)rotr(x, 13), (unsigned)bitrev(x), (unsigned)((int32_t)x >> 4));
    }
    unsigned bad = 0;
    uint32_t h = 0, x = 0x9e3779b9u;
    for (unsigned i = 0; i < 3000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        unsigned s = vol(i) & 31;
        if (popcount_loop(x) != popcount_swar(x) || rotr(rotl(x, s), s) != x ||
            bitrev(bitrev(x)) != x || clz_loop(x) != (unsigned)(x ? __builtin_clz(x) : 32) ||
            ctz_loop(x) != (unsigned)(x ? __builtin_ctz(x) : 32))
            bad++;
        /* Variable shifts use only the low 5 bits of the amount. */
        h = mix(h, x << s);
        h = mix(h, x >> s);
        h = mix(h, (uint32_t)((int32_t)x >> s));
        h = mix(h, (x & 0xffffu) | (x >> 16));
    }
    printf("bit sweep: checksum=%08x bad=%u\n", (unsigned)h, bad);
}

static uint32_t powmod(uint32_t b, uint32_t e, uint32_t m)
{
    uint64_t r = 1, base = b % m;
    while (e) {
        if (e & 1u)
            r = r * base % m;
        base = base * base % m;
        e >>= 1;
    }
    return (uint32_t)r;
}

static void print64(const char *name, uint64_t v)
{
    printf("%s = %08x%08x\n", name, (unsigned)(v >> 32), (unsigned)v);
}

static void test_64bit(void)
{
    printf("== 64-bit\n");
    volatile uint64_t va = 0x123456789abcdef0ull, vb = 0x0fedcba987654321ull;
    uint64_t a = va, b = vb;
    print64("a+b", a + b);
    print64("a-b", a - b);
    print64("b-a", b - a);
    print64("a*b", a * b);
    print64("a/b", a / b);
    print64("a%b", a % b);
    print64("a/12345", a / 12345u);
    print64("a%12345", a % 12345u);
    print64("a<<17", a << 17);
    print64("a>>45", a >> 45);
    int64_t sa = -(int64_t)a, sb = (int64_t)b;
    print64("-a/b", (uint64_t)(sa / sb));
    print64("-a%b", (uint64_t)(sa % sb));
    print64("-a>>9", (uint64_t)(sa >> 9));
    print64("-a*7", (uint64_t)(sa * 7));
    print64("-a/-1000", (uint64_t)(sa / -1000));

    /* 20! fits in 64 bits. */
    uint64_t f = 1;
    for (uint32_t i = 1; i <= 20; i++) {
        f *= i;
        if (i % 5 == 0) {
            char name[8];
            snprintf(name, sizeof name, "%u!", (unsigned)i);
            print64(name, f);
        }
    }
    /* Digits of 20! by repeated 64-bit division. */
    char digits[24];
    int nd = 0;
    for (uint64_t t = f; t; t /= 10)
        digits[nd++] = (char)('0' + (int)(t % 10));
    printf("20! = ");
    while (nd > 0)
        putchar(digits[--nd]);
    printf("\n");

    printf("3^1000000 mod 1e9+7 = %u\n", (unsigned)powmod(3, 1000000, 1000000007u));
    printf("2^(p-1) mod p (p=998244353) = %u\n", (unsigned)powmod(2, 998244352u, 998244353u));
    printf("7^123456789 mod 4294967291 = %u\n", (unsigned)powmod(7, 123456789u, 4294967291u));

    /* Longest Collatz chain below 20000, with 64-bit values. */
    uint32_t best = 0, best_n = 0;
    for (uint32_t n = 1; n < 20000; n++) {
        uint64_t v = n;
        uint32_t len = 1;
        while (v != 1) {
            v = (v & 1) ? 3 * v + 1 : v >> 1;
            len++;
        }
        if (len > best) {
            best = len;
            best_n = n;
        }
    }
    printf("collatz: longest chain below 20000 starts at %u, length %u\n", (unsigned)best_n,
           (unsigned)best);

    /* An LCG over 64 bits, folded to 32. */
    uint64_t s = 1;
    uint32_t h = 0;
    for (unsigned i = 0; i < 1000; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        h = mix(h, (uint32_t)(s >> 33));
        if ((s >> 60) != 0)
            h = mix(h, (uint32_t)(s / 1000003u));
    }
    printf("lcg64 checksum %08x, state ", (unsigned)h);
    print64("s", s);
}

int main(void)
{
    printf("diff_intmath\n");
    test_mul();
    test_div();
    test_gcd();
    test_primes();
    test_sqrt();
    test_bits();
    test_64bit();
    vsink = 0;
    printf("done\n");
    return 0;
}

/*
 * Self-checking test of the A extension (Ortigia only): an atomic add
 * built from lr.w/sc.w, the store-conditional failure rules a single hart
 * can observe, and every AMO (amoswap, amoadd, amoand, amoor, amoxor,
 * amomin, amomax, amominu, amomaxu) against a C model over operand pairs
 * chosen around the signed/unsigned boundaries, including rd = x0, rd =
 * rs2 and the .aq/.rl orderings. Exit code 0 and "PASS" on success;
 * otherwise the number of the first failing check.
 */
#include <stdint.h>
#include <stdio.h>

static volatile uint32_t cell __attribute__((aligned(8)));
/* Far from each other, so they are in different reservation sets whatever
 * their granularity (up to 4 KiB). */
static volatile uint32_t pool[2048] __attribute__((aligned(64)));

static int fail(int check, const char *what, uint32_t got, uint32_t want)
{
    printf("FAIL check %d: %s: got 0x%08x, expected 0x%08x\n", check, what, (unsigned)got,
           (unsigned)want);
    return check;
}

/* Atomic add from lr/sc; returns the old value, counts sc attempts. */
static uint32_t sc_attempts;

static uint32_t lrsc_fetch_add(volatile uint32_t *p, uint32_t inc)
{
    uint32_t old, tmp, fails = 0;
    __asm__ volatile("1: lr.w %0, (%3)\n"
                     "   add %1, %0, %4\n"
                     "   sc.w %1, %1, (%3)\n"
                     "   beqz %1, 2f\n"
                     "   addi %2, %2, 1\n"
                     "   j 1b\n"
                     "2:\n"
                     : "=&r"(old), "=&r"(tmp), "+r"(fails)
                     : "r"(p), "r"(inc)
                     : "memory");
    sc_attempts += fails + 1;
    return old;
}

/* Compare-and-swap from lr/sc: 1 if *p was expected and is now desired. */
static int lrsc_cas(volatile uint32_t *p, uint32_t expected, uint32_t desired)
{
    uint32_t cur, rc;
    __asm__ volatile("1: lr.w.aq %0, (%2)\n"
                     "   bne %0, %3, 2f\n"
                     "   sc.w.rl %1, %4, (%2)\n"
                     "   bnez %1, 1b\n"
                     "2:\n"
                     : "=&r"(cur), "=&r"(rc)
                     : "r"(p), "r"(expected), "r"(desired)
                     : "memory");
    return cur == expected;
}

enum amo { SWAP, ADD, AND, OR, XOR, MIN, MAX, MINU, MAXU, NAMO };
static const char *const amo_names[] = {"amoswap", "amoadd", "amoand", "amoor", "amoxor",
                                        "amomin",  "amomax", "amominu", "amomaxu"};

#define AMO_FN(name, insn)                                                                         \
    static uint32_t name(volatile uint32_t *p, uint32_t v)                                         \
    {                                                                                              \
        uint32_t old;                                                                              \
        __asm__ volatile(insn " %0, %2, (%1)" : "=r"(old) : "r"(p), "r"(v) : "memory");            \
        return old;                                                                                \
    }
AMO_FN(do_swap, "amoswap.w")
AMO_FN(do_add, "amoadd.w")
AMO_FN(do_and, "amoand.w")
AMO_FN(do_or, "amoor.w")
AMO_FN(do_xor, "amoxor.w")
AMO_FN(do_min, "amomin.w")
AMO_FN(do_max, "amomax.w")
AMO_FN(do_minu, "amominu.w")
AMO_FN(do_maxu, "amomaxu.w")
AMO_FN(do_add_aq, "amoadd.w.aq")
AMO_FN(do_xor_rl, "amoxor.w.rl")
AMO_FN(do_maxu_aqrl, "amomaxu.w.aqrl")

static uint32_t (*const amo_fns[NAMO])(volatile uint32_t *, uint32_t) = {
    do_swap, do_add, do_and, do_or, do_xor, do_min, do_max, do_minu, do_maxu,
};

static uint32_t model(enum amo op, uint32_t m, uint32_t v)
{
    switch (op) {
    case SWAP: return v;
    case ADD: return m + v;
    case AND: return m & v;
    case OR: return m | v;
    case XOR: return m ^ v;
    case MIN: return (int32_t)m < (int32_t)v ? m : v;
    case MAX: return (int32_t)m > (int32_t)v ? m : v;
    case MINU: return m < v ? m : v;
    case MAXU: return m > v ? m : v;
    default: return 0;
    }
}

static const uint32_t values[] = {
    0u,          1u,          2u,          0x7ffffffeu, 0x7fffffffu, 0x80000000u,
    0x80000001u, 0xfffffffeu, 0xffffffffu, 0x12345678u, 0xedcba987u, 0x0000ffffu,
};
#define NVALUES (sizeof values / sizeof values[0])

static int run(void)
{
    /* 1: lr/sc atomic add, sequentially: exact result, no spurious
     * failures on a single hart without interference (allow a few). */
    cell = 0;
    sc_attempts = 0;
    uint32_t expect_old = 0;
    for (uint32_t k = 1; k <= 1000; k++) {
        uint32_t old = lrsc_fetch_add(&cell, k);
        if (old != expect_old)
            return fail(1, "lr/sc fetch-add old value", old, expect_old);
        expect_old += k;
    }
    if (cell != 500500u)
        return fail(1, "lr/sc fetch-add sum", cell, 500500u);
    printf("lr/sc add: sum %u in %u sc attempts\n", (unsigned)cell, (unsigned)sc_attempts);
    if (sc_attempts > 1000 + 10)
        return fail(1, "sc attempts for 1000 adds", sc_attempts, 1000);
    /* Wrap-around. */
    cell = 0xfffffff0u;
    lrsc_fetch_add(&cell, 0x20u);
    if (cell != 0x10u)
        return fail(1, "lr/sc fetch-add wrap", cell, 0x10u);

    /* 2: lr/sc compare-and-swap. */
    cell = 5;
    if (!lrsc_cas(&cell, 5, 9) || cell != 9)
        return fail(2, "cas 5->9", cell, 9);
    if (lrsc_cas(&cell, 5, 11) || cell != 9)
        return fail(2, "cas with a stale expected value", cell, 9);

    /* 3: sc.w writes 0 to rd on success and stores; lr.w returns the value. */
    uint32_t lv, rc;
    cell = 0x11111111u;
    __asm__ volatile("lr.w %0, (%2)\n"
                     "sc.w %1, %3, (%2)\n"
                     : "=&r"(lv), "=&r"(rc)
                     : "r"(&cell), "r"(0x22222222u)
                     : "memory");
    if (lv != 0x11111111u)
        return fail(3, "lr.w value", lv, 0x11111111u);
    if (rc != 0 || cell != 0x22222222u)
        return fail(3, "sc.w right after lr.w", rc, 0);

    /* 4: a second sc.w without a new lr.w fails (the reservation was
     * consumed) and does not store; rd is non-zero. */
    __asm__ volatile("lr.w %0, (%2)\n"
                     "sc.w %1, %3, (%2)\n"
                     "sc.w %1, %4, (%2)\n"
                     : "=&r"(lv), "=&r"(rc)
                     : "r"(&cell), "r"(0x33333333u), "r"(0x44444444u)
                     : "memory");
    if (rc == 0 || cell != 0x33333333u)
        return fail(4, "sc.w without a reservation", cell, 0x33333333u);

    /* 5: sc.w to an address outside the reservation set fails. */
    volatile uint32_t *reserved = &pool[0], *elsewhere = &pool[1024];
    *reserved = 0x33333333u;
    *elsewhere = 0xabababab;
    __asm__ volatile("lr.w %0, (%2)\n"
                     "sc.w %1, %4, (%3)\n"
                     : "=&r"(lv), "=&r"(rc)
                     : "r"(reserved), "r"(elsewhere), "r"(0x55555555u)
                     : "memory");
    if (rc == 0 || *elsewhere != 0xabababab)
        return fail(5, "sc.w to another address", *elsewhere, 0xabababab);
    /* ...and that failed sc also ended the reservation. */
    __asm__ volatile("sc.w %0, %2, (%1)\n"
                     : "=&r"(rc)
                     : "r"(reserved), "r"(0x66666666u)
                     : "memory");
    if (rc == 0 || *reserved != 0x33333333u)
        return fail(5, "sc.w after a failed sc.w", *reserved, 0x33333333u);

    /* 6: every AMO over every operand pair: old value in rd, the model's
     * result in memory. */
    unsigned tested = 0;
    for (int op = 0; op < NAMO; op++) {
        for (unsigned i = 0; i < NVALUES; i++) {
            for (unsigned j = 0; j < NVALUES; j++) {
                cell = values[i];
                uint32_t old = amo_fns[op](&cell, values[j]);
                uint32_t want = model((enum amo)op, values[i], values[j]);
                if (old != values[i] || cell != want) {
                    printf("%s mem=%08x rs2=%08x: old=%08x mem=%08x, want %08x\n", amo_names[op],
                           (unsigned)values[i], (unsigned)values[j], (unsigned)old,
                           (unsigned)cell, (unsigned)want);
                    return 6;
                }
                tested++;
            }
        }
        cell = 0x80000000u;
        uint32_t old = amo_fns[op](&cell, 0x7fffffffu);
        printf("%-8s mem=80000000 rs2=7fffffff -> old=%08x mem=%08x\n", amo_names[op],
               (unsigned)old, (unsigned)cell);
    }
    printf("%u AMO cases ok\n", tested);

    /* 7: the ordering variants behave like the plain ones. */
    cell = 10;
    if (do_add_aq(&cell, 5) != 10 || cell != 15)
        return fail(7, "amoadd.w.aq", cell, 15);
    if (do_xor_rl(&cell, 0xff) != 15 || cell != 0xf0)
        return fail(7, "amoxor.w.rl", cell, 0xf0);
    if (do_maxu_aqrl(&cell, 0xffffff00u) != 0xf0 || cell != 0xffffff00u)
        return fail(7, "amomaxu.w.aqrl", cell, 0xffffff00u);

    /* 8: rd = x0 discards the old value; rd = rs2 gets the old value
     * while memory gets rs2's original value. */
    cell = 100;
    __asm__ volatile("amoadd.w zero, %1, (%0)" ::"r"(&cell), "r"(23u) : "memory");
    if (cell != 123)
        return fail(8, "amoadd.w with rd = x0", cell, 123);
    uint32_t r = 0xbeefu;
    __asm__ volatile("amoswap.w %0, %0, (%1)" : "+r"(r) : "r"(&cell) : "memory");
    if (r != 123 || cell != 0xbeefu)
        return fail(8, "amoswap.w with rd = rs2", r, 123);
    r = 0x0f;
    __asm__ volatile("amoor.w %0, %0, (%1)" : "+r"(r) : "r"(&cell) : "memory");
    if (r != 0xbeefu || cell != 0xbeefu)
        return fail(8, "amoor.w with rd = rs2", r, 0xbeefu);

    /* 9: AMOs and lr/sc on neighbouring words do not disturb each other. */
    static volatile uint32_t arr[4] __attribute__((aligned(16)));
    for (int k = 0; k < 4; k++)
        arr[k] = 0x01010101u * (uint32_t)(k + 1);
    do_add(&arr[1], 1);
    do_swap(&arr[2], 0);
    lrsc_fetch_add(&arr[3], 0x10);
    if (arr[0] != 0x01010101u || arr[1] != 0x02020203u || arr[2] != 0 || arr[3] != 0x04040414u)
        return fail(9, "neighbouring words", arr[0] ^ arr[1] ^ arr[2] ^ arr[3],
                    0x01010101u ^ 0x02020203u ^ 0 ^ 0x04040414u);

    /* 10: an AMO-based spinlock and ticket counter, in sequence. */
    static volatile uint32_t lock, next_ticket, serving;
    for (int k = 0; k < 50; k++) {
        while (do_swap(&lock, 1) != 0)
            ;
        uint32_t t = do_add(&next_ticket, 1);
        if (t != (uint32_t)k || serving != t)
            return fail(10, "ticket order", t, (uint32_t)k);
        do_add(&serving, 1);
        do_swap(&lock, 0);
    }
    if (lock != 0 || next_ticket != 50 || serving != 50)
        return fail(10, "lock released, 50 tickets", next_ticket, 50);
    return 0;
}

int main(void)
{
    printf("check_atomics\n");
    int r = run();
    if (r == 0)
        printf("PASS\n");
    return r;
}

/*
 * Self-checking test of the cluster (Ortigia only): fork/join on every
 * core, barriers, the mutex, software events and L1 bank conflicts as the
 * performance counters see them. Exit code 0 and "PASS", or the number of
 * the first failing check.
 */
#include <stdint.h>
#include <stdio.h>

#include "ortigia/cluster.h"

#define MAX_CORES 16
#define ROUNDS 10
#define INCREMENTS 50

static int fail(int check, const char *what, uint32_t got, uint32_t want)
{
    printf("FAIL check %d: %s: got %u, expected %u\n", check, what, (unsigned)got,
           (unsigned)want);
    return check;
}

static inline uint32_t tcdm_stalls(void)
{
    uint32_t v;
    __asm__ volatile("csrr %0, 0xB04" : "=r"(v)); /* mhpmcounter4 */
    return v;
}

/* Shared state lives in L1, where the cores' accesses contend. */
static volatile uint32_t seen[MAX_CORES] __attribute__((section(".l1bss")));
static volatile uint32_t counter __attribute__((section(".l1bss")));
static volatile uint32_t arrivals[ROUNDS] __attribute__((section(".l1bss")));
static volatile uint32_t bad_rounds __attribute__((section(".l1bss")));
static volatile uint32_t probe_words[128] __attribute__((section(".l1bss"), aligned(256)));
static volatile uint32_t probe_stalls[2] __attribute__((section(".l1bss")));

static void record_id(void *arg)
{
    (void)arg;
    seen[rt_core_id()] = rt_core_id() + 100;
}

/* Each round every core counts itself in, then, after the barrier, checks
   that all have: a barrier that let a core through early fails it. */
static void barrier_rounds(void *arg)
{
    unsigned n = *(unsigned *)arg;
    for (unsigned r = 0; r < ROUNDS; r++) {
        rt_mutex_lock();
        arrivals[r]++;
        rt_mutex_unlock();
        rt_barrier();
        if (arrivals[r] != n) {
            rt_mutex_lock();
            bad_rounds++;
            rt_mutex_unlock();
        }
        rt_barrier();
    }
}

static void count_under_mutex(void *arg)
{
    (void)arg;
    for (int i = 0; i < INCREMENTS; i++) {
        rt_mutex_lock();
        uint32_t v = counter; /* read-modify-write: wrong without the mutex */
        counter = v + 1;
        rt_mutex_unlock();
    }
}

/* Cores 0 and 1 leave the barrier at the same cycle and issue eight loads
   each, to the same bank or to different banks. */
static void bank_probe(void *arg)
{
    unsigned other_word = *(unsigned *)arg;
    unsigned id = rt_core_id();
    volatile uint32_t *p = id == 0 ? &probe_words[0] : &probe_words[other_word];
    rt_barrier();
    uint32_t before = tcdm_stalls();
    __asm__ volatile("lw t0, 0(%0)\n lw t0, 0(%0)\n lw t0, 0(%0)\n lw t0, 0(%0)\n"
                     "lw t0, 0(%0)\n lw t0, 0(%0)\n lw t0, 0(%0)\n lw t0, 0(%0)\n"
                     :
                     : "r"(p)
                     : "t0", "memory");
    probe_stalls[id] = tcdm_stalls() - before;
}

static int run(void)
{
    unsigned n = rt_num_cores();
    if (n < 2 || n > MAX_CORES)
        return fail(1, "core count", n, 8);

    rt_fork(0, record_id, 0);
    for (unsigned i = 0; i < n; i++)
        if (seen[i] != i + 100)
            return fail(2, "core ran the forked function", seen[i], i + 100);
    if (rt_team_size() != 1)
        return fail(3, "team size after the join", rt_team_size(), 1);

    /* A fork to fewer cores leaves the others alone. */
    for (unsigned i = 0; i < n; i++)
        seen[i] = 0;
    rt_fork(3, record_id, 0);
    for (unsigned i = 0; i < n; i++)
        if (seen[i] != (i < 3 ? i + 100 : 0))
            return fail(4, "fork to three cores", seen[i], i < 3 ? i + 100 : 0);

    rt_fork(0, barrier_rounds, &n);
    for (unsigned r = 0; r < ROUNDS; r++)
        if (arrivals[r] != n)
            return fail(5, "arrivals per barrier round", arrivals[r], n);
    if (bad_rounds)
        return fail(6, "cores released before all arrived", bad_rounds, 0);

    rt_fork(0, count_under_mutex, 0);
    if (counter != n * INCREMENTS)
        return fail(7, "increments under the mutex", counter, n * INCREMENTS);

    if (rt_mutex_trylock() != 1)
        return fail(8, "trylock of a free mutex", 0, 1);
    if (rt_mutex_trylock() != 0)
        return fail(9, "trylock of a held mutex", 1, 0);
    rt_mutex_unlock();

    /* A software event to ourselves is pending until consumed. */
    rt_event_send(1u << 0, 3);
    if (rt_event_wait(RT_EVENT_SW(3)) != RT_EVENT_SW(3))
        return fail(10, "software event 3", 0, RT_EVENT_SW(3));

    /* Bank conflicts: 64 words apart is the same bank (up to 64 banks), one
       word apart a different one. The core simulated second waits for the
       loads the first one made in the same cycles: 8 cycles in all (more
       when a scheduling slice ends inside the probe); none otherwise. The
       test suite checks the exact split for the default configuration. */
    unsigned same_bank = 64, other_bank = 1;
    rt_fork(2, bank_probe, &same_bank);
    uint32_t same0 = probe_stalls[0], same1 = probe_stalls[1];
    rt_fork(2, bank_probe, &other_bank);
    uint32_t other = probe_stalls[0] + probe_stalls[1];
    printf("bank probe: same bank %u + %u stall cycles, other bank %u + %u\n", (unsigned)same0,
           (unsigned)same1, (unsigned)probe_stalls[0], (unsigned)probe_stalls[1]);
    uint32_t same = same0 + same1;
    if (same < 8)
        return fail(11, "TCDM stalls, two cores on one bank", same, 8);
    if (other != 0)
        return fail(12, "TCDM stalls, two cores on two banks", other, 0);
    return 0;
}

int main(void)
{
    printf("check_cluster\n");
    int r = run();
    if (r == 0)
        printf("PASS\n");
    return r;
}

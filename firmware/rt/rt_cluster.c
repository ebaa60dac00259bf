/*
 * Fork/join over the event unit: core 0 publishes the work in `team`, sets
 * the barrier to the team's cores and raises software event 0 on the
 * workers; everyone runs the function and meets at the hardware barrier.
 */
#include "ortigia/cluster.h"

struct team {
    void (*fn)(void *);
    void *arg;
    unsigned cores;
};

static volatile struct team team = {0, 0, 1};

/* Core 0 runs forked work on its own L1 stack, as the workers do, so
   kernels find their locals in single-cycle memory (crt0.S, sections.ld). */
void rt_call_on_stack(void (*fn)(void *), void *arg, void *stack_top);
extern char __l1_stack_core0_top[];

unsigned rt_team_size(void) { return team.cores; }

void rt_fork(unsigned cores, void (*fn)(void *), void *arg)
{
    unsigned n = rt_num_cores();
    if (cores == 0 || cores > n)
        cores = n;
    team.fn = fn;
    team.arg = arg;
    team.cores = cores;
    ORT_REG32(ORT_EU_REG(BAR_MASK)) = (1u << cores) - 1;
    if (cores > 1)
        rt_event_send(((1u << cores) - 1) & ~1u, 0);
    rt_call_on_stack(fn, arg, __l1_stack_core0_top);
    rt_barrier();
    team.cores = 1;
    ORT_REG32(ORT_EU_REG(BAR_MASK)) = (1u << n) - 1;
}

void rt_worker_main(void)
{
    unsigned id = rt_core_id();
    for (;;) {
        rt_event_wait(RT_EVENT_SW(0));
        if (id < team.cores) {
            team.fn(team.arg);
            rt_barrier();
        }
    }
}

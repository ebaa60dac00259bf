/* Core 0 waits at the barrier for all cores, but no work was forked to the
   others, which wait for it: every core sleeps and nothing can wake one. */
#include <stdio.h>

#include "ortigia/cluster.h"

int main(void)
{
    printf("core 0 alone at the barrier\n");
    rt_barrier();
    printf("not reached\n");
    return 0;
}

/* A program of one's own, built outside the tree with `ortigia cc`
   (tests/fw/cc_outside_tree.sh): fork on every core, count them; with
   -DBOOM an assert fails and the run ends with 134. */
#include <assert.h>
#include <stdio.h>
#include "ortigia/cluster.h"
static volatile int hits[8];
static void work(void *arg) { (void)arg; hits[rt_core_id()] = 1; }
int main(void)
{
    rt_fork(0, work, 0);
    int n = 0;
    for (int i = 0; i < 8; i++) n += hits[i];
    printf("cores %d\n", n);
#ifdef BOOM
    assert(n == 3);
#endif
    return n == 8 ? 0 : 1;
}

/* Sleeps in wfi with no interrupt that could wake it: the simulator must
   report a deadlock (exit status 5) instead of hanging. */
#include <stdio.h>

int main(void)
{
    printf("waiting for an interrupt that never comes\n");
    __asm__ volatile("wfi");
    printf("not reached\n");
    return 0;
}

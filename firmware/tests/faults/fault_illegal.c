/* Executes an illegal instruction with no trap handler installed: the
   simulator must stop with a fault report (exit status 3). */
#include <stdio.h>

int main(void)
{
    printf("about to execute an illegal instruction\n");
    __asm__ volatile(".word 0xffffffff");
    printf("not reached\n");
    return 0;
}

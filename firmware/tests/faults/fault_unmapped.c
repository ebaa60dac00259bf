/* A store to an address where nothing is mapped: fault, exit status 3. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    printf("storing to 0x30000000\n");
    *(volatile uint32_t *)0x30000000u = 1;
    printf("not reached\n");
    return 0;
}

/* The smallest useful program: prints a greeting and exits with 0. */
#include <stdio.h>

int main(void)
{
    printf("Hello from Ortigia!\n");
    return 0;
}

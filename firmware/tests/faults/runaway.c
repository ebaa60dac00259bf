/* Never ends: only --max-cycles stops it (exit status 4). */
#include <stdio.h>

int main(void)
{
    printf("spinning forever\n");
    for (volatile unsigned i = 0;; i++)
        ;
    return 0;
}

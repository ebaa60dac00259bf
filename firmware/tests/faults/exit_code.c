/* Exits with code 42 after some output: the process exit status must be 42. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    printf("exiting with 42\n");
    exit(42);
}

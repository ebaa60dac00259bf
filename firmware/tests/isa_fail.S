/*
 * Deliberately failing assembly test (riscv-tests `tohost` convention):
 * tests 1 and 2 pass, test 3 expects a wrong sum, so the run must end
 * with tohost = (3 << 1) | 1 = 7, which the simulator reports as a
 * failure of test 3. Test 4 is never reached.
 */
#include "isa_test.h"

    TEST_BEGIN

    TEST 1
    li      a0, 20
    addi    a0, a0, 22
    EXPECT  a0, 42

    TEST_RR 2, add, 3, 1, 2

    TEST 3                      /* wrong on purpose: 1 + 1 is not 3 */
    li      a0, 1
    addi    a0, a0, 1
    EXPECT  a0, 3

    TEST 4
    j       pass

    TEST_END

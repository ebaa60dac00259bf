/*
 * Differential test: recursion. Calls, returns and stack traffic: naive and
 * memoized fibonacci, Ackermann, towers of Hanoi, n-queens, permutations,
 * mutual recursion, a recursive-descent expression evaluator, a recursive
 * flood fill and one deep recursion (2000 frames) whose stack use is
 * measured. Functions are kept out of line (noipa) and the deep recursion
 * is not a tail call, so the calls really happen.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define NOIPA __attribute__((noipa))

/* Keeps a value opaque so recursive calls cannot be turned into loops. */
#define OPAQUE(v) __asm__ volatile("" : "+r"(v))

static uint32_t calls;

static NOIPA uint32_t fib(uint32_t n)
{
    calls++;
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

static uint32_t memo[48];

static NOIPA uint32_t fib_memo(uint32_t n)
{
    calls++;
    if (n < 2)
        return n;
    if (memo[n])
        return memo[n];
    return memo[n] = fib_memo(n - 1) + fib_memo(n - 2);
}

static void test_fib(void)
{
    printf("== fibonacci\n");
    for (uint32_t n = 0; n <= 24; n += 3) {
        calls = 0;
        uint32_t f = fib(n);
        printf("fib(%u) = %u, %u calls\n", (unsigned)n, (unsigned)f, (unsigned)calls);
    }
    memset(memo, 0, sizeof memo);
    calls = 0;
    printf("fib_memo(47) = %u, %u calls\n", (unsigned)fib_memo(47), (unsigned)calls);
}

static uint32_t max_depth, depth;

static NOIPA uint32_t ackermann(uint32_t m, uint32_t n)
{
    calls++;
    if (++depth > max_depth)
        max_depth = depth;
    uint32_t r;
    if (m == 0)
        r = n + 1;
    else if (n == 0)
        r = ackermann(m - 1, 1);
    else
        r = ackermann(m - 1, ackermann(m, n - 1));
    depth--;
    return r;
}

static void test_ackermann(void)
{
    printf("== ackermann\n");
    for (uint32_t m = 0; m <= 3; m++) {
        for (uint32_t n = 0; n <= (m < 3 ? 4u : 3u); n++) {
            calls = max_depth = depth = 0;
            uint32_t a = ackermann(m, n);
            printf("A(%u,%u) = %u, %u calls, depth %u\n", (unsigned)m, (unsigned)n, (unsigned)a,
                   (unsigned)calls, (unsigned)max_depth);
        }
    }
}

/* Towers of Hanoi with real pegs, so every move is checked for legality. */
static uint8_t pegs[3][24];
static int heights[3];
static uint32_t moves, illegal;
static int print_moves;

static void move_disk(int from, int to)
{
    uint8_t disk = pegs[from][--heights[from]];
    if (heights[to] > 0 && pegs[to][heights[to] - 1] < disk)
        illegal++;
    pegs[to][heights[to]++] = disk;
    moves++;
    if (print_moves)
        printf("  move disk %u from %c to %c\n", disk, 'A' + from, 'A' + to);
}

static NOIPA void hanoi(int n, int from, int to, int via)
{
    if (n == 0)
        return;
    hanoi(n - 1, from, via, to);
    move_disk(from, to);
    hanoi(n - 1, via, to, from);
}

static void test_hanoi(void)
{
    printf("== hanoi\n");
    for (int n = 1; n <= 18; n++) {
        heights[0] = n;
        heights[1] = heights[2] = 0;
        for (int d = 0; d < n; d++)
            pegs[0][d] = (uint8_t)(n - d);
        moves = illegal = 0;
        print_moves = n <= 3;
        hanoi(n, 0, 2, 1);
        int done = heights[2] == n && heights[0] == 0 && pegs[2][0] == n;
        printf("hanoi(%d): %u moves, %u illegal, %s\n", n, (unsigned)moves, (unsigned)illegal,
               done ? "solved" : "NOT SOLVED");
    }
}

/* N-queens by backtracking with column/diagonal masks. */
static int queen_col[8];
static int first_solution[8];
static int have_first;

static NOIPA uint32_t queens(int n, int row, uint32_t cols, uint32_t d1, uint32_t d2)
{
    if (row == n) {
        if (!have_first) {
            memcpy(first_solution, queen_col, sizeof queen_col);
            have_first = 1;
        }
        return 1;
    }
    uint32_t count = 0;
    for (int c = 0; c < n; c++) {
        uint32_t bc = 1u << c, b1 = 1u << (row + c), b2 = 1u << (row - c + n);
        if ((cols & bc) || (d1 & b1) || (d2 & b2))
            continue;
        queen_col[row] = c;
        count += queens(n, row + 1, cols | bc, d1 | b1, d2 | b2);
    }
    return count;
}

static void test_queens(void)
{
    printf("== n-queens\n");
    for (int n = 1; n <= 8; n++) {
        have_first = 0;
        uint32_t count = queens(n, 0, 0, 0, 0);
        printf("queens(%d) = %u", n, (unsigned)count);
        if (have_first) {
            printf(", first:");
            for (int r = 0; r < n; r++)
                printf(" %c%d", 'a' + first_solution[r], r + 1);
        }
        printf("\n");
    }
}

/* Permutations by swapping, in the order the recursion produces them. */
static uint32_t perm_count, perm_hash;
static int perm_print;

static NOIPA void permute(char *s, int k, int n)
{
    if (k == n) {
        perm_count++;
        for (int i = 0; i < n; i++)
            perm_hash = perm_hash * 31u + (uint8_t)s[i];
        if (perm_print)
            printf(" %s", s);
        return;
    }
    for (int i = k; i < n; i++) {
        char t = s[k];
        s[k] = s[i];
        s[i] = t;
        permute(s, k + 1, n);
        s[i] = s[k];
        s[k] = t;
    }
}

/* Distinct permutations of a multiset, in lexicographic order. */
static NOIPA void permute_unique(const char *sorted, int n, uint8_t *used, char *out, int k)
{
    if (k == n) {
        out[n] = '\0';
        perm_count++;
        if (perm_print)
            printf(" %s", out);
        return;
    }
    for (int i = 0; i < n; i++) {
        if (used[i] || (i > 0 && sorted[i] == sorted[i - 1] && !used[i - 1]))
            continue;
        used[i] = 1;
        out[k] = sorted[i];
        permute_unique(sorted, n, used, out, k + 1);
        used[i] = 0;
    }
}

static void test_permutations(void)
{
    printf("== permutations\n");
    char s[12];
    strcpy(s, "abcd");
    perm_count = perm_hash = 0;
    perm_print = 1;
    printf("abcd:");
    permute(s, 0, 4);
    printf("\n%u permutations, string back to %s\n", (unsigned)perm_count, s);
    perm_print = 0;
    for (int n = 5; n <= 8; n++) {
        memcpy(s, "abcdefgh", (size_t)n);
        s[n] = '\0';
        perm_count = perm_hash = 0;
        permute(s, 0, n);
        printf("%d letters: %u permutations, hash %08x\n", n, (unsigned)perm_count,
               (unsigned)perm_hash);
    }
    static const char *const multisets[] = {"aabc", "aabb", "aaabbc", "abbccc"};
    for (unsigned m = 0; m < 4; m++) {
        uint8_t used[8] = {0};
        char out[8];
        perm_count = 0;
        perm_print = m < 2;
        printf("%s:", multisets[m]);
        permute_unique(multisets[m], (int)strlen(multisets[m]), used, out, 0);
        printf("%s%u distinct\n", perm_print ? " -> " : " ", (unsigned)perm_count);
    }
}

/* Mutual recursion: parity and Hofstadter's female/male sequences. */
static NOIPA int is_odd(uint32_t n);

static NOIPA int is_even(uint32_t n)
{
    if (n == 0)
        return 1;
    return is_odd(n - 1);
}

static NOIPA int is_odd(uint32_t n)
{
    if (n == 0)
        return 0;
    return is_even(n - 1);
}

static NOIPA uint32_t hof_m(uint32_t n);

static NOIPA uint32_t hof_f(uint32_t n)
{
    calls++;
    return n == 0 ? 1 : n - hof_m(hof_f(n - 1));
}

static NOIPA uint32_t hof_m(uint32_t n)
{
    calls++;
    return n == 0 ? 0 : n - hof_f(hof_m(n - 1));
}

static void test_mutual(void)
{
    printf("== mutual recursion\n");
    printf("parity:");
    for (uint32_t n = 0; n < 300; n += 37)
        printf(" %u:%s", (unsigned)n, is_even(n) ? "even" : (is_odd(n) ? "odd" : "?"));
    printf("\n");
    printf("F:");
    for (uint32_t n = 0; n < 20; n++)
        printf(" %u", (unsigned)hof_f(n));
    printf("\nM:");
    for (uint32_t n = 0; n < 20; n++)
        printf(" %u", (unsigned)hof_m(n));
    calls = 0;
    uint32_t f = hof_f(25);
    printf("\nF(25) = %u with %u calls\n", (unsigned)f, (unsigned)calls);
}

/* Recursive-descent evaluator: expr := term {(+|-) term};
 * term := unary {(*|/|%) unary}; unary := -unary | primary;
 * primary := number | '(' expr ')'. */
static const char *pos;
static int parse_error;

static NOIPA int32_t parse_expr(void);

static void skip_spaces(void)
{
    while (*pos == ' ')
        pos++;
}

static NOIPA int32_t parse_primary(void)
{
    skip_spaces();
    if (*pos == '(') {
        pos++;
        int32_t v = parse_expr();
        skip_spaces();
        if (*pos == ')')
            pos++;
        else
            parse_error = 1;
        return v;
    }
    if (*pos < '0' || *pos > '9') {
        parse_error = 1;
        return 0;
    }
    int32_t v = 0;
    while (*pos >= '0' && *pos <= '9')
        v = v * 10 + (*pos++ - '0');
    return v;
}

static NOIPA int32_t parse_unary(void)
{
    skip_spaces();
    if (*pos == '-') {
        pos++;
        return -parse_unary();
    }
    return parse_primary();
}

static NOIPA int32_t parse_term(void)
{
    int32_t v = parse_unary();
    for (;;) {
        skip_spaces();
        char op = *pos;
        if (op != '*' && op != '/' && op != '%')
            return v;
        pos++;
        int32_t r = parse_unary();
        if (op == '*')
            v *= r;
        else if (r == 0)
            parse_error = 2;
        else if (op == '/')
            v /= r;
        else
            v %= r;
    }
}

static NOIPA int32_t parse_expr(void)
{
    int32_t v = parse_term();
    for (;;) {
        skip_spaces();
        char op = *pos;
        if (op != '+' && op != '-')
            return v;
        pos++;
        int32_t r = parse_term();
        v = op == '+' ? v + r : v - r;
    }
}

static void test_parser(void)
{
    printf("== expression evaluator\n");
    static const char *const exprs[] = {
        "1 + 2 * 3",
        "(1 + 2) * 3",
        "100 / 7 % 4 - -3",
        "-(-(-(5)))",
        "2 * (3 + (4 * (5 + (6 * (7 + 8)))))",
        "((((((((((((((((((((42))))))))))))))))))))",
        "1000 - 999 - 1 + 17 * -17 / 3",
        "7 / (3 - 3)",
        "(1 + 2",
    };
    for (unsigned i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        pos = exprs[i];
        parse_error = 0;
        int32_t v = parse_expr();
        if (*pos != '\0' && !parse_error)
            parse_error = 3;
        printf("%s = %ld%s\n", exprs[i], (long)v,
               parse_error ? (parse_error == 2 ? " (division by zero)" : " (syntax error)") : "");
    }
}

/* Recursive flood fill over a small maze. */
static char grid[12][25] = {
    "########################",
    "#......#.......#.......#",
    "#.####.#.#####.#.#####.#",
    "#.#....#.#...#...#...#.#",
    "#.#.####.#.#.#####.#.#.#",
    "#.#......#.#.......#...#",
    "#.########.#########.###",
    "#..........#.....#.....#",
    "##########.#.###.#.###.#",
    "#..........#...#...#...#",
    "#.##############.#######",
    "########################",
};

static NOIPA uint32_t fill(int r, int c)
{
    if (r < 0 || r >= 12 || c < 0 || c >= 24 || grid[r][c] != '.')
        return 0;
    grid[r][c] = 'o';
    return 1 + fill(r + 1, c) + fill(r - 1, c) + fill(r, c + 1) + fill(r, c - 1);
}

static void test_fill(void)
{
    printf("== flood fill\n");
    printf("filled %u cells from (1,1)\n", (unsigned)fill(1, 1));
    for (int r = 0; r < 12; r++)
        printf("%s\n", grid[r]);
}

/* Deep recursion: 2000 frames of 16 bytes (ra and one saved register);
 * the stack use is measured from the stack pointer. */
static uintptr_t deepest_sp;

static inline uintptr_t read_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mv %0, sp" : "=r"(sp));
    return sp;
}

static NOIPA uint32_t deep(uint32_t n, uint32_t acc)
{
    uint32_t local = acc ^ n; /* needed after the call: a saved register */
    if (n == 0) {
        deepest_sp = read_sp();
        return local;
    }
    uint32_t r = deep(n - 1, acc * 3u + n);
    OPAQUE(r);
    return r + local;
}

/* Catalan numbers by the recursive convolution (memoized). */
static uint32_t catalan_memo[20];

static NOIPA uint32_t catalan(uint32_t n)
{
    if (n == 0)
        return 1;
    if (catalan_memo[n])
        return catalan_memo[n];
    uint32_t s = 0;
    for (uint32_t i = 0; i < n; i++)
        s += catalan(i) * catalan(n - 1 - i);
    return catalan_memo[n] = s;
}

static void test_deep(void)
{
    printf("== deep recursion\n");
    uintptr_t top_sp = read_sp();
    uint32_t r = deep(2000, 1);
    uint32_t used = (uint32_t)(top_sp - deepest_sp);
    printf("deep(2000) = %08x, stack used %u bytes (about %u per frame)\n",
           (unsigned)r, (unsigned)used, (unsigned)(used / 2000));
    printf("stack below 48 KiB: %s\n", used < 48u * 1024u ? "yes" : "NO");
    printf("catalan:");
    for (uint32_t n = 0; n < 18; n++)
        printf(" %u", (unsigned)catalan(n));
    printf("\n");
}

int main(void)
{
    printf("diff_recursion\n");
    test_fib();
    test_ackermann();
    test_hanoi();
    test_queens();
    test_permutations();
    test_mutual();
    test_parser();
    test_fill();
    test_deep();
    printf("done\n");
    return 0;
}

/*
 * Differential test: sorting. Arrays filled by an xorshift generator are
 * sorted by insertion sort, quicksort, merge sort, heapsort and picolibc's
 * qsort; all must agree and be sorted. Prints checksums and samples.
 * Memory-heavy: loads, stores, branches, calls through function pointers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 4096

static int32_t input[MAXN];
static int32_t work[MAXN];
static int32_t reference[MAXN];
static int32_t scratch[MAXN]; /* merge sort buffer */

static uint32_t rng_state;

static uint32_t xorshift32(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static void insertion_sort(int32_t *a, int n)
{
    for (int i = 1; i < n; i++) {
        int32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

/* Swaps and qsort comparisons done by the current sorter. */
static uint32_t op_count;

static void swap32(int32_t *a, int32_t *b)
{
    op_count++;
    int32_t t = *a;
    *a = *b;
    *b = t;
}

/* Quicksort with median-of-three and Hoare partitioning; recursion only on
 * the smaller side so the stack stays logarithmic. Small ranges go to
 * insertion sort. */
static void quicksort(int32_t *a, int lo, int hi)
{
    while (hi - lo > 12) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] < a[lo])
            swap32(&a[mid], &a[lo]);
        if (a[hi] < a[lo])
            swap32(&a[hi], &a[lo]);
        if (a[hi] < a[mid])
            swap32(&a[hi], &a[mid]);
        int32_t pivot = a[mid];
        int i = lo - 1, j = hi + 1;
        for (;;) {
            do
                i++;
            while (a[i] < pivot);
            do
                j--;
            while (a[j] > pivot);
            if (i >= j)
                break;
            swap32(&a[i], &a[j]);
        }
        if (j - lo < hi - j) {
            quicksort(a, lo, j);
            lo = j + 1;
        } else {
            quicksort(a, j + 1, hi);
            hi = j;
        }
    }
    insertion_sort(a + lo, hi - lo + 1);
}

static void merge_sort_rec(int32_t *a, int32_t *tmp, int lo, int hi)
{
    if (hi - lo < 2)
        return;
    int mid = lo + (hi - lo) / 2;
    merge_sort_rec(a, tmp, lo, mid);
    merge_sort_rec(a, tmp, mid, hi);
    if (a[mid - 1] <= a[mid])
        return;
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < hi)
        tmp[k++] = a[j++];
    memcpy(a + lo, tmp + lo, (size_t)(hi - lo) * sizeof a[0]);
}

/* Bottom-up merge sort, alternating between the two buffers. */
static void merge_sort_bottom_up(int32_t *a, int32_t *tmp, int n)
{
    int32_t *src = a, *dst = tmp;
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n;
            int hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = src[j] < src[i] ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        int32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, (size_t)n * sizeof a[0]);
}

static void sift_down(int32_t *a, int root, int n)
{
    for (;;) {
        int child = 2 * root + 1;
        if (child >= n)
            return;
        if (child + 1 < n && a[child + 1] > a[child])
            child++;
        if (a[root] >= a[child])
            return;
        swap32(&a[root], &a[child]);
        root = child;
    }
}

static void heapsort32(int32_t *a, int n)
{
    for (int i = n / 2 - 1; i >= 0; i--)
        sift_down(a, i, n);
    for (int end = n - 1; end > 0; end--) {
        swap32(&a[0], &a[end]);
        sift_down(a, 0, end);
    }
}

static int cmp_int32(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    op_count++;
    return (a > b) - (a < b);
}

/* Shell sort with Ciura's gaps. */
static void shell_sort(int32_t *a, int n)
{
    static const int gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
    for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        int gap = gaps[g];
        for (int i = gap; i < n; i++) {
            int32_t v = a[i];
            int j = i;
            while (j >= gap && a[j - gap] > v) {
                a[j] = a[j - gap];
                j -= gap;
            }
            a[j] = v;
        }
    }
}

/* LSD radix sort (counting sort per byte) on the sign-flipped keys. */
static void radix_sort(int32_t *a, int32_t *tmp, int n)
{
    static uint32_t count[256];
    int32_t *src = a, *dst = tmp;
    for (unsigned shift = 0; shift < 32; shift += 8) {
        memset(count, 0, sizeof count);
        for (int i = 0; i < n; i++)
            count[(((uint32_t)src[i] ^ 0x80000000u) >> shift) & 0xffu]++;
        uint32_t sum = 0;
        for (int b = 0; b < 256; b++) {
            uint32_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (int i = 0; i < n; i++)
            dst[count[(((uint32_t)src[i] ^ 0x80000000u) >> shift) & 0xffu]++] = src[i];
        int32_t *t = src;
        src = dst;
        dst = t;
    }
    /* Four passes: the result is back in a. */
}

static int is_sorted(const int32_t *a, int n)
{
    for (int i = 1; i < n; i++)
        if (a[i - 1] > a[i])
            return 0;
    return 1;
}

static uint32_t checksum(const int32_t *a, int n)
{
    uint32_t h = 0x811c9dc5u;
    for (int i = 0; i < n; i++) {
        h ^= (uint32_t)a[i];
        h *= 0x01000193u;
        h = (h << 5) | (h >> 27);
    }
    return h;
}

/* The multiset must be preserved: order-independent sum and xor. */
static void fingerprint(const int32_t *a, int n, uint32_t *sum, uint32_t *x)
{
    uint32_t s = 0, xx = 0;
    for (int i = 0; i < n; i++) {
        s += (uint32_t)a[i] * 2654435761u;
        xx ^= (uint32_t)a[i];
    }
    *sum = s;
    *x = xx;
}

enum fill { FILL_RANDOM, FILL_SMALL_RANGE, FILL_SORTED, FILL_REVERSED, FILL_SAWTOOTH, FILL_EQUAL };
static const char *const fill_names[] = {"random", "small-range", "sorted",
                                         "reversed", "sawtooth", "equal"};

static void fill(int32_t *a, int n, enum fill kind)
{
    for (int i = 0; i < n; i++) {
        switch (kind) {
        case FILL_RANDOM:
            a[i] = (int32_t)xorshift32();
            break;
        case FILL_SMALL_RANGE:
            a[i] = (int32_t)(xorshift32() % 17u) - 8;
            break;
        case FILL_SORTED:
            a[i] = i * 3 - 1000;
            break;
        case FILL_REVERSED:
            a[i] = (n - i) * 7;
            break;
        case FILL_SAWTOOTH:
            a[i] = (i % 37) * ((i & 1) ? -1 : 1);
            break;
        case FILL_EQUAL:
            a[i] = 42;
            break;
        }
    }
}

typedef void (*sorter)(int32_t *a, int n);

static void s_insertion(int32_t *a, int n) { insertion_sort(a, n); }
static void s_quick(int32_t *a, int n)
{
    if (n > 0)
        quicksort(a, 0, n - 1);
}
static void s_merge(int32_t *a, int n) { merge_sort_rec(a, scratch, 0, n); }
static void s_merge_bu(int32_t *a, int n) { merge_sort_bottom_up(a, scratch, n); }
static void s_heap(int32_t *a, int n) { heapsort32(a, n); }
static void s_qsort(int32_t *a, int n) { qsort(a, (size_t)n, sizeof a[0], cmp_int32); }
static void s_shell(int32_t *a, int n) { shell_sort(a, n); }
static void s_radix(int32_t *a, int n) { radix_sort(a, scratch, n); }

static const struct {
    const char *name;
    sorter fn;
    int max_n; /* insertion sort is quadratic: keep it to smaller arrays */
} sorters[] = {
    {"insertion", s_insertion, 1024}, {"quick", s_quick, MAXN},   {"merge", s_merge, MAXN},
    {"merge-bu", s_merge_bu, MAXN},   {"heap", s_heap, MAXN},     {"qsort", s_qsort, MAXN},
    {"shell", s_shell, MAXN},         {"radix", s_radix, MAXN},
};
#define NSORTERS (sizeof sorters / sizeof sorters[0])

static int failures;

static void run_case(int n, enum fill kind, uint32_t seed)
{
    rng_state = seed;
    fill(input, n, kind);
    uint32_t in_sum, in_xor;
    fingerprint(input, n, &in_sum, &in_xor);

    /* The reference is qsort's result. */
    memcpy(reference, input, (size_t)n * sizeof input[0]);
    s_qsort(reference, n);
    uint32_t ref_ck = checksum(reference, n);

    printf("n=%d %s seed=%08x: input ck=%08x sorted ck=%08x", n, fill_names[kind],
           (unsigned)seed, (unsigned)checksum(input, n), (unsigned)ref_ck);
    if (n > 0)
        printf(" min=%ld med=%ld max=%ld", (long)reference[0], (long)reference[n / 2],
               (long)reference[n - 1]);
    printf("\n");

    for (unsigned s = 0; s < NSORTERS; s++) {
        if (n > sorters[s].max_n)
            continue;
        memcpy(work, input, (size_t)n * sizeof input[0]);
        op_count = 0;
        sorters[s].fn(work, n);
        uint32_t sum, x;
        fingerprint(work, n, &sum, &x);
        int ok = is_sorted(work, n) && sum == in_sum && x == in_xor &&
                 memcmp(work, reference, (size_t)n * sizeof work[0]) == 0;
        if (!ok)
            failures++;
        printf("  %-9s %s ops=%u ck=%08x\n", sorters[s].name, ok ? "ok" : "FAIL",
               (unsigned)op_count, (unsigned)checksum(work, n));
    }
}

/* Sorting records by key with a stable algorithm keeps equal keys in
 * input order. */
struct rec {
    uint16_t key;
    uint16_t seq;
};

static struct rec recs[600], rtmp[600];

static void stable_merge(struct rec *a, struct rec *tmp, int lo, int hi)
{
    if (hi - lo < 2)
        return;
    int mid = (lo + hi) / 2;
    stable_merge(a, tmp, lo, mid);
    stable_merge(a, tmp, mid, hi);
    int i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        tmp[k++] = a[j].key < a[i].key ? a[j++] : a[i++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < hi)
        tmp[k++] = a[j++];
    for (k = lo; k < hi; k++)
        a[k] = tmp[k];
}

static void test_stability(void)
{
    rng_state = 0x2545f491u;
    for (int i = 0; i < 600; i++) {
        recs[i].key = (uint16_t)(xorshift32() % 20u);
        recs[i].seq = (uint16_t)i;
    }
    stable_merge(recs, rtmp, 0, 600);
    int stable = 1;
    for (int i = 1; i < 600; i++)
        if (recs[i - 1].key > recs[i].key ||
            (recs[i - 1].key == recs[i].key && recs[i - 1].seq > recs[i].seq))
            stable = 0;
    printf("stable merge of 600 records: %s; first:", stable ? "stable" : "UNSTABLE");
    for (int i = 0; i < 8; i++)
        printf(" %u/%u", recs[i].key, recs[i].seq);
    printf(" last: %u/%u\n", recs[599].key, recs[599].seq);
    if (!stable)
        failures++;
}

/* Binary search over the sorted reference. */
static void test_search(void)
{
    rng_state = 0x1234567u;
    int n = 2000;
    fill(reference, n, FILL_RANDOM);
    s_qsort(reference, n);
    unsigned found = 0, missing = 0;
    uint32_t poshash = 0;
    for (int q = 0; q < 3000; q++) {
        int32_t key = (q & 1) ? reference[(xorshift32() % (uint32_t)n)] : (int32_t)xorshift32();
        int lo = 0, hi = n;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (reference[mid] < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && reference[lo] == key)
            found++;
        else
            missing++;
        const int32_t *b = bsearch(&key, reference, (size_t)n, sizeof key, cmp_int32);
        if ((b != NULL) != (lo < n && reference[lo] == key))
            failures++;
        poshash = poshash * 31u + (uint32_t)lo;
    }
    printf("binary search: found=%u missing=%u poshash=%08x\n", found, missing, (unsigned)poshash);
}

int main(void)
{
    printf("diff_sort\n");
    static const int sizes[] = {0, 1, 2, 3, 5, 8, 13, 31, 64, 100, 257, 1000, 1024, 4096};
    uint32_t seed = 0x9e3779b9u;
    for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        seed = seed * 1664525u + 1013904223u;
        run_case(sizes[i], FILL_RANDOM, seed | 1u);
    }
    for (int k = FILL_SMALL_RANGE; k <= FILL_EQUAL; k++) {
        run_case(500, (enum fill)k, 0xabcdef01u + (uint32_t)k);
        run_case(3000, (enum fill)k, 0x13572468u + (uint32_t)k);
    }

    /* A few elements of a big random sort, as a spot check. */
    rng_state = 0xdeadbeefu;
    fill(work, MAXN, FILL_RANDOM);
    s_merge(work, MAXN);
    printf("sorted sample:");
    for (int i = 0; i < MAXN; i += MAXN / 8)
        printf(" %ld", (long)work[i]);
    printf("\n");

    test_stability();
    test_search();

    printf("failures: %d\n", failures);
    printf("done\n");
    return failures ? 1 : 0;
}

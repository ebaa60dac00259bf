/*
 * Static memory planning: buffers with lifetimes [first, last] (step
 * indices, inclusive) get offsets in one arena such that buffers alive at
 * the same step never overlap. Greedy interval packing: largest first,
 * each at the lowest aligned offset free for its whole lifetime. The
 * report gives the arena's peak and its lower bound, the largest sum of
 * live bytes at any step: no placement can do better.
 */
#ifndef ORTIGIA_COMPILER_MEMPLAN_H
#define ORTIGIA_COMPILER_MEMPLAN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ort_buffer {
    int64_t size;
    int first, last;  /* steps using it */
    int64_t offset;   /* set by ort_memplan */
};

/* Places bufs[0..n); returns the arena's size (peak); *lower_bound. */
int64_t ort_memplan(struct ort_buffer *bufs, int n, int64_t align, int64_t *lower_bound);

#ifdef __cplusplus
}
#endif

#endif

#include "memplan.h"

#include <stdlib.h>

static int64_t align_up(int64_t v, int64_t a) { return (v + a - 1) / a * a; }

static const struct ort_buffer *sort_base;

static int by_size_desc(const void *a, const void *b)
{
    const struct ort_buffer *x = &sort_base[*(const int *)a], *y = &sort_base[*(const int *)b];
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    if (x->first != y->first)
        return x->first < y->first ? -1 : 1;
    return *(const int *)a - *(const int *)b; /* stable: the same plan every time */
}

int64_t ort_memplan(struct ort_buffer *bufs, int n, int64_t align, int64_t *lower_bound)
{
    int *order = malloc(sizeof *order * (size_t)(n ? n : 1));
    int *placed = malloc(sizeof *placed * (size_t)(n ? n : 1));
    int n_placed = 0, last_step = 0;
    for (int i = 0; i < n; i++) {
        order[i] = i;
        if (bufs[i].last > last_step)
            last_step = bufs[i].last;
    }
    sort_base = bufs;
    qsort(order, (size_t)n, sizeof *order, by_size_desc);
    int64_t peak = 0;
    for (int k = 0; k < n; k++) {
        struct ort_buffer *b = &bufs[order[k]];
        int64_t size = align_up(b->size, align);
        /* Candidate offsets: 0 and the end of every placed buffer whose
         * lifetime overlaps; the lowest that collides with none wins. */
        int64_t best = -1;
        for (int c = -1; c < n_placed; c++) {
            int64_t at = 0;
            if (c >= 0) {
                const struct ort_buffer *o = &bufs[placed[c]];
                if (o->last < b->first || o->first > b->last)
                    continue;
                at = align_up(o->offset + o->size, align);
            }
            if (best >= 0 && at >= best)
                continue;
            int ok = 1;
            for (int j = 0; j < n_placed && ok; j++) {
                const struct ort_buffer *o = &bufs[placed[j]];
                if (o->last < b->first || o->first > b->last)
                    continue;
                ok = at + size <= o->offset || at >= o->offset + align_up(o->size, align);
            }
            if (ok)
                best = at;
        }
        b->offset = best;
        placed[n_placed++] = order[k];
        if (best + size > peak)
            peak = best + size;
    }
    int64_t bound = 0;
    for (int s = 0; s <= last_step; s++) {
        int64_t live = 0;
        for (int i = 0; i < n; i++)
            if (bufs[i].first <= s && s <= bufs[i].last)
                live += align_up(bufs[i].size, align);
        if (live > bound)
            bound = live;
    }
    *lower_bound = bound;
    free(order);
    free(placed);
    return peak;
}

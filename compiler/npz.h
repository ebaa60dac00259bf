/*
 * NumPy arrays: .npy inside .npz (a zip archive, entries stored or
 * deflated), read into int64 values and written back. Every test vector
 * Ortigia reads is integer; float arrays are accepted when every value is
 * an integer (Deeploy stores some integers as float32).
 */
#ifndef ORTIGIA_COMPILER_NPZ_H
#define ORTIGIA_COMPILER_NPZ_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "ir.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ort_array {
    char name[256];            /* entry name without ".npy" */
    enum ort_dtype dtype;      /* element type in the file */
    struct ort_shape shape;
    int64_t *data;             /* ort_shape_count(&shape) values */
};

struct ort_npz {
    struct ort_array *arrays;
    int n;
    char *source;              /* the file, for messages (set by ort_npz_read; may be NULL) */
};

/* Reads `path`; on error fills d (naming the file and entry) and returns -1. */
int ort_npz_read(const char *path, struct ort_npz *out, struct ort_diag *d);
/* Writes the arrays as int64 .npy entries, stored (not compressed). */
int ort_npz_write(const char *path, const struct ort_npz *npz, struct ort_diag *d);
void ort_npz_free(struct ort_npz *npz);
/* The array named `name`, or NULL. */
const struct ort_array *ort_npz_find(const struct ort_npz *npz, const char *name);

/* One .npy image (bytes) parsed into `out` (out->name untouched). */
int ort_npy_parse(const unsigned char *buf, size_t len, struct ort_array *out, const char *where,
                  struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif

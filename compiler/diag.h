/*
 * Error reporting for the compiler (and reading a file whole): a function that fails fills a
 * struct ort_diag with one message naming the problem and where it is (the
 * file, the node, the tensor) and returns -1 (or NULL). The CLI prints it
 * and exits with status 2.
 */
#ifndef ORTIGIA_COMPILER_DIAG_H
#define ORTIGIA_COMPILER_DIAG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ort_diag {
    char msg[1024];
};

/* Sets the message (printf format); returns -1 so callers can
 * `return ort_fail(d, ...)`. `d` may be NULL. */
int ort_fail(struct ort_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The whole file at `path` (malloc'ed, *len bytes), or NULL with d
 * naming the file and the problem. */
unsigned char *ort_read_file(const char *path, size_t *len, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif

/*
 * Error reporting for the compiler: a function that fails fills a
 * struct ort_diag with one message naming the problem and where it is (the
 * file, the node, the tensor) and returns -1 (or NULL). The CLI prints it
 * and exits with status 2.
 */
#ifndef ORTIGIA_COMPILER_DIAG_H
#define ORTIGIA_COMPILER_DIAG_H

#ifdef __cplusplus
extern "C" {
#endif

struct ort_diag {
    char msg[1024];
};

/* Sets the message (printf format); returns -1 so callers can
 * `return ort_fail(d, ...)`. `d` may be NULL. */
int ort_fail(struct ort_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif

#endif

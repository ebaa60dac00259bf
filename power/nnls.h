/*
 * Non-negative least squares: min ||A x - b||_2 subject to x >= 0, by
 * Lawson and Hanson's active-set method ("Solving Least Squares Problems",
 * 1974, chapter 23, algorithm NNLS). For ortigia power-fit, whose unknowns
 * (energies per event, background and leakage powers) cannot be negative.
 * Plain C, deterministic (no randomness, a fixed order of operations).
 */
#ifndef ORTIGIA_NNLS_H
#define ORTIGIA_NNLS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A is m x n, row-major (A[i * n + j]); b has m entries; x receives n.
   *residual (may be NULL) receives ||A x - b||_2. False when memory runs
   out or the iterations do not converge (3 n outer steps, a bound the
   method never needs in exact arithmetic); x then holds the last iterate. */
bool ort_nnls(const double *A, const double *b, size_t m, size_t n, double *x,
              double *residual);

/* Unconstrained least squares over the columns `cols` (p of them) of A
   (m x n, row-major): z[k] is the coefficient of column cols[k]. Householder
   QR; a column dependent on the ones before it (its pivot below a relative
   1e-12) gets 0. False when memory runs out. Used by ort_nnls, and by the
   fit for its confidence intervals. */
bool ort_lsq_columns(const double *A, const double *b, size_t m, size_t n, const size_t *cols,
                     size_t p, double *z);

#ifdef __cplusplus
}
#endif

#endif

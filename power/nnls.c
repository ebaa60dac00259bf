#include "nnls.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool ort_lsq_columns(const double *A, const double *b, size_t m, size_t n, const size_t *cols,
                     size_t p, double *z)
{
    /* Q^T applied to [A_P | b] column by column, Householder reflections
       kept in place; then back substitution on R. Column-major copy: each
       reflection works down a column. */
    double *R = malloc(sizeof *R * (m * p + m + p + 1));
    if (!R)
        return false;
    double *y = R + m * p;
    double *colnorm = y + m; /* each column's own norm, for the dependence test */
    for (size_t k = 0; k < p; k++)
        for (size_t i = 0; i < m; i++)
            R[k * m + i] = A[i * n + cols[k]];
    memcpy(y, b, sizeof *y * m);
    for (size_t k = 0; k < p; k++) {
        double s = 0;
        for (size_t i = 0; i < m; i++)
            s += R[k * m + i] * R[k * m + i];
        colnorm[k] = sqrt(s);
    }
    size_t steps = p < m ? p : m;
    for (size_t k = 0; k < steps; k++) {
        double *c = R + k * m;
        double norm = 0;
        for (size_t i = k; i < m; i++)
            norm += c[i] * c[i];
        norm = sqrt(norm);
        if (norm <= 1e-12 * colnorm[k])
            continue; /* nothing left in this column: its coefficient is 0 */
        double alpha = c[k] > 0 ? -norm : norm;
        /* v = c[k..] - alpha e_k, kept in c[k..]; R[k][k] = alpha. */
        c[k] -= alpha;
        double vv = 0;
        for (size_t i = k; i < m; i++)
            vv += c[i] * c[i];
        for (size_t j = k + 1; j <= p; j++) {
            double *d = j < p ? R + j * m : y;
            double dot = 0;
            for (size_t i = k; i < m; i++)
                dot += c[i] * d[i];
            double f = 2 * dot / vv;
            for (size_t i = k; i < m; i++)
                d[i] -= f * c[i];
        }
        c[k] = alpha;
        for (size_t i = k + 1; i < m; i++)
            c[i] = 0;
    }
    for (size_t k = p; k-- > 0;) {
        if (k >= m || fabs(R[k * m + k]) <= 1e-12 * colnorm[k]) {
            z[k] = 0;
            continue;
        }
        double s = y[k];
        for (size_t j = k + 1; j < p; j++)
            s -= R[j * m + k] * z[j];
        z[k] = s / R[k * m + k];
    }
    free(R);
    return true;
}

/* w = A^T (b - A x); returns ||b - A x||. */
static double gradient(const double *A, const double *b, size_t m, size_t n, const double *x,
                       double *w, double *r)
{
    double rr = 0;
    for (size_t i = 0; i < m; i++) {
        double s = b[i];
        for (size_t j = 0; j < n; j++)
            s -= A[i * n + j] * x[j];
        r[i] = s;
        rr += s * s;
    }
    for (size_t j = 0; j < n; j++) {
        double s = 0;
        for (size_t i = 0; i < m; i++)
            s += A[i * n + j] * r[i];
        w[j] = s;
    }
    return sqrt(rr);
}

static bool nnls_scaled(const double *A, const double *b, size_t m, size_t n, double *x,
                        double *residual);

bool ort_nnls(const double *A, const double *b, size_t m, size_t n, double *x,
              double *residual)
{
    /* Columns scaled to unit norm: the fit's columns (events counted in
       millions, seconds of leakage) differ by many orders of magnitude,
       and the tolerances below are relative to the matrix. A positive
       scaling keeps x >= 0 equivalent. */
    double *As = malloc(sizeof *As * (m * n + n + 1));
    if (!As)
        return false;
    double *d = As + m * n;
    for (size_t j = 0; j < n; j++) {
        double s = 0;
        for (size_t i = 0; i < m; i++)
            s += A[i * n + j] * A[i * n + j];
        d[j] = s > 0 ? sqrt(s) : 1;
        for (size_t i = 0; i < m; i++)
            As[i * n + j] = A[i * n + j] / d[j];
    }
    bool ok = nnls_scaled(As, b, m, n, x, residual);
    for (size_t j = 0; j < n; j++)
        x[j] /= d[j];
    free(As);
    return ok;
}

static bool nnls_scaled(const double *A, const double *b, size_t m, size_t n, double *x,
                        double *residual)
{
    double *w = malloc(sizeof *w * (3 * n + m + 1));
    size_t *cols = malloc(sizeof *cols * (n + 1));
    bool *passive = calloc(n + 1, sizeof *passive);
    if (!w || !cols || !passive) {
        free(w);
        free(cols);
        free(passive);
        return false;
    }
    double *z = w + n, *zp = w + 2 * n, *r = w + 3 * n;
    for (size_t j = 0; j < n; j++)
        x[j] = 0;
    /* The tolerance of the optimality test, relative to A's size (Lawson
       and Hanson use the machine precision times the norm). */
    double anorm = 0;
    for (size_t i = 0; i < m * n; i++)
        anorm = fmax(anorm, fabs(A[i]));
    double tol = 10 * DBL_EPSILON * anorm * (double)(m > n ? m : n);
    bool ok = true;
    size_t outer = 0;
    double res = gradient(A, b, m, n, x, w, r);
    for (;;) {
        /* The zero variable whose gradient promises the most descent. */
        size_t t = n;
        for (size_t j = 0; j < n; j++)
            if (!passive[j] && w[j] > tol * (res + 1) && (t == n || w[j] > w[t]))
                t = j;
        if (t == n)
            break; /* Kuhn-Tucker conditions hold */
        if (++outer > 3 * n + 3) {
            ok = false;
            break;
        }
        passive[t] = true;
        for (;;) {
            size_t p = 0;
            for (size_t j = 0; j < n; j++)
                if (passive[j])
                    cols[p++] = j;
            if (!ort_lsq_columns(A, b, m, n, cols, p, zp)) {
                ok = false;
                goto out;
            }
            for (size_t j = 0; j < n; j++)
                z[j] = 0;
            bool feasible = true;
            for (size_t k = 0; k < p; k++) {
                z[cols[k]] = zp[k];
                feasible &= zp[k] > 0;
            }
            if (feasible) {
                memcpy(x, z, sizeof *x * n);
                break;
            }
            /* Step from x toward z as far as x stays feasible, and drop the
               variables that reach 0. */
            double alpha = 1;
            for (size_t k = 0; k < p; k++) {
                size_t j = cols[k];
                if (z[j] <= 0) {
                    double a = x[j] / (x[j] - z[j]);
                    if (a < alpha)
                        alpha = a;
                }
            }
            bool dropped = false;
            for (size_t k = 0; k < p; k++) {
                size_t j = cols[k];
                x[j] += alpha * (z[j] - x[j]);
                if (x[j] <= tol * (fabs(z[j]) + 1) || (z[j] <= 0 && x[j] <= 0)) {
                    x[j] = 0;
                    passive[j] = false;
                    dropped = true;
                }
            }
            if (!dropped) { /* rounding: drop the one that limited the step */
                for (size_t k = 0; k < p; k++)
                    if (z[cols[k]] <= 0) {
                        x[cols[k]] = 0;
                        passive[cols[k]] = false;
                        break;
                    }
            }
        }
        res = gradient(A, b, m, n, x, w, r);
    }
    res = gradient(A, b, m, n, x, w, r);
out:
    if (residual)
        *residual = res;
    free(w);
    free(cols);
    free(passive);
    return ok;
}

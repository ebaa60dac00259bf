#include "fit.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nnls.h"

static const char *const status_names[] = {"fitted", "fitted-at-0", "held: unexcited",
                                           "held: not identifiable"};

const char *ort_fit_status_name(enum ort_fit_status s)
{
    return (unsigned)s < sizeof status_names / sizeof *status_names ? status_names[s] : "?";
}

unsigned ort_fit_params(const struct ort_power_model *m, struct ort_fit_param *out)
{
    unsigned n = 0;
    for (unsigned k = 0; k < m->n_kinds; k++) {
        const struct ort_power_kind *kind = &m->kind[k];
        for (unsigned e = 0; e < kind->n_events; e++) {
            out[n] = (struct ort_fit_param){k, ORT_FIT_EVENT, e, ""};
            snprintf(out[n++].name, sizeof out->name, "%s.events_pj.%s", kind->name,
                     kind->event[e]);
        }
        for (unsigned s = 0; s < ORT_POWER_CLOCKED_STATES; s++) {
            out[n] = (struct ort_fit_param){k, ORT_FIT_BACKGROUND, s, ""};
            snprintf(out[n++].name, sizeof out->name, "%s.background_uw_per_mhz.%s", kind->name,
                     ort_power_state_name((enum ort_power_state)s));
        }
        for (unsigned o = 0; o < m->n_opps; o++) {
            out[n] = (struct ort_fit_param){k, ORT_FIT_LEAKAGE, o, ""};
            snprintf(out[n++].name, sizeof out->name, "%s.leakage_uw.%s", kind->name,
                     m->opp[o].name);
        }
        if (kind->gateable) {
            out[n] = (struct ort_fit_param){k, ORT_FIT_WAKEUP, 0, ""};
            snprintf(out[n++].name, sizeof out->name, "%s.power_gating.wakeup_nj", kind->name);
        }
    }
    return n;
}

struct ort_power_value *ort_fit_value(struct ort_power_model *m, const struct ort_fit_param *p)
{
    struct ort_power_kind *k = &m->kind[p->kind];
    switch (p->what) {
    case ORT_FIT_EVENT: return &k->event_pj[p->index];
    case ORT_FIT_BACKGROUND: return &k->background[p->index];
    case ORT_FIT_LEAKAGE: return &k->leakage_uw[p->index];
    case ORT_FIT_WAKEUP: return &k->wakeup_nj;
    }
    return NULL;
}

void ort_fit_row(const struct ort_power_model *m, const struct ort_power_report *r,
                 const struct ort_fit_param *p, unsigned n, double *row)
{
    for (unsigned j = 0; j < n; j++)
        row[j] = 0;
    for (unsigned i = 0; i < r->n; i++) {
        const struct ort_power_activity *a = &r->activity[i];
        struct ort_power_coefficients k;
        ort_power_coefficients_of(m, r->opp, a, r->cycles, &k);
        /* The residual leakage fraction is held (energy is linear in the
           leakage only with it fixed). */
        double residual = a->kind->gateable ? a->kind->residual_leakage.value : 1.0;
        for (unsigned j = 0; j < n; j++) {
            if (&m->kind[p[j].kind] != a->kind)
                continue;
            switch (p[j].what) {
            case ORT_FIT_EVENT: row[j] += k.event[p[j].index]; break;
            case ORT_FIT_BACKGROUND: row[j] += k.background[p[j].index]; break;
            case ORT_FIT_LEAKAGE:
                if (p[j].index == r->opp)
                    row[j] += k.leak_on + k.leak_pg * residual;
                break;
            case ORT_FIT_WAKEUP: row[j] += k.wakeup; break;
            }
        }
    }
}

void ort_fit_options_default(struct ort_fit_options *o)
{
    o->min_share = 1e-3;
    o->dependence = 1e-3;
}

double ort_fit_t975(unsigned dof)
{
    static const double t[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                 2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                 2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                 2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
    if (dof == 0)
        return INFINITY;
    if (dof <= 30)
        return t[dof - 1];
    return 1.960 + 2.4 / dof; /* within 0.002 of the exact quantile past 30 */
}

void ort_fit_result_free(struct ort_fit_result *r)
{
    free(r->predicted);
    free(r->residual);
    free(r->est);
    r->predicted = r->residual = NULL;
    r->est = NULL;
}

/* ||S z - col|| / ||col|| for the least-squares z over `cols`: how far
   column `c` of S (m x n) is from the span of the columns `cols`; z (p)
   receives the coefficients. */
static bool distance_to_span(const double *S, size_t m, size_t n, const size_t *cols, size_t p,
                             size_t c, double *col, double *z, double *dist)
{
    double norm = 0;
    for (size_t i = 0; i < m; i++) {
        col[i] = S[i * n + c];
        norm += col[i] * col[i];
    }
    norm = sqrt(norm);
    if (p == 0) {
        *dist = norm > 0 ? 1 : 0;
        return true;
    }
    if (!ort_lsq_columns(S, col, m, n, cols, p, z))
        return false;
    double r = 0;
    for (size_t i = 0; i < m; i++) {
        double e = col[i];
        for (size_t k = 0; k < p; k++)
            e -= S[i * n + cols[k]] * z[k];
        r += e * e;
    }
    *dist = norm > 0 ? sqrt(r) / norm : 0;
    return true;
}

/* Invert the symmetric positive definite p x p matrix M in place
   (Cholesky); false when it is not positive definite. */
static bool spd_inverse(double *M, size_t p)
{
    /* M = L L^T, L in the lower triangle. */
    for (size_t j = 0; j < p; j++) {
        double d = M[j * p + j];
        for (size_t k = 0; k < j; k++)
            d -= M[j * p + k] * M[j * p + k];
        if (!(d > 0))
            return false;
        d = sqrt(d);
        M[j * p + j] = d;
        for (size_t i = j + 1; i < p; i++) {
            double s = M[i * p + j];
            for (size_t k = 0; k < j; k++)
                s -= M[i * p + k] * M[j * p + k];
            M[i * p + j] = s / d;
        }
    }
    /* L^-1 in the lower triangle. */
    for (size_t j = 0; j < p; j++) {
        M[j * p + j] = 1 / M[j * p + j];
        for (size_t i = j + 1; i < p; i++) {
            double s = 0;
            for (size_t k = j; k < i; k++)
                s -= M[i * p + k] * M[k * p + j];
            M[i * p + j] = s / M[i * p + i];
        }
    }
    /* M^-1 = L^-T L^-1, symmetric: computed into the upper triangle
       column by column from the lower one, then mirrored. */
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++) {
            double s = 0;
            for (size_t k = j; k < p; k++)
                s += M[k * p + i] * M[k * p + j];
            M[i * p + j] = s; /* reads only k >= j >= i of the lower part */
        }
    for (size_t i = 0; i < p; i++)
        for (size_t j = i + 1; j < p; j++)
            M[j * p + i] = M[i * p + j];
    return true;
}

bool ort_fit_solve(const double *A, const double *b, size_t m, size_t n, const double *prior,
                   const double *prior_low, const double *prior_high,
                   const struct ort_fit_options *opt, struct ort_fit_result *out, char *err,
                   size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->predicted = calloc(m ? m : 1, sizeof(double));
    out->residual = calloc(m ? m : 1, sizeof(double));
    out->est = calloc(n ? n : 1, sizeof *out->est);
    double *S = calloc(m * n + 1, sizeof(double)), *t = calloc(m + 1, sizeof(double));
    double *scale = calloc(n + 1, sizeof(double)), *col = calloc(m + 1, sizeof(double));
    double *z = calloc(n + 1, sizeof(double)), *x = calloc(n + 1, sizeof(double));
    size_t *order = calloc(n + 1, sizeof(size_t)), *free_cols = calloc(n + 1, sizeof(size_t));
    double *SF = calloc(m * n + 1, sizeof(double)), *cov = NULL;
    bool ok = false;
    if (!out->predicted || !out->residual || !out->est || !S || !t || !scale || !col || !z ||
        !x || !order || !free_cols || !SF) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    /* Relative problem: S_ij = A_ij scale_j / b_i (the share of row i's
       measurement that parameter j makes at its prior), unknowns
       value_j / scale_j (1 at the prior). A parameter at 0 is scaled by
       the top of its range (its share if it were there). */
    for (size_t j = 0; j < n; j++) {
        scale[j] = prior[j] > 0 ? prior[j] : prior_high[j] > 0 ? prior_high[j] : 1;
        out->est[j].prior = out->est[j].value = prior[j];
        out->est[j].low = prior_low[j];
        out->est[j].high = prior_high[j];
        out->est[j].confounded = -1;
    }
    for (size_t i = 0; i < m; i++) {
        t[i] = 1;
        for (size_t j = 0; j < n; j++) {
            S[i * n + j] = A[i * n + j] * scale[j] / b[i];
            if (S[i * n + j] > out->est[j].share)
                out->est[j].share = S[i * n + j];
        }
    }
    /* Held for lack of excitation; the others by share, largest first
       (ties in the model's order), each kept if it is not a combination
       of the ones kept before it. */
    size_t nord = 0;
    for (size_t j = 0; j < n; j++) {
        if (out->est[j].share < opt->min_share)
            out->est[j].status = ORT_FIT_UNEXCITED;
        else
            order[nord++] = j;
    }
    for (size_t a = 1; a < nord; a++) {
        size_t j = order[a], b2 = a;
        while (b2 > 0 && out->est[order[b2 - 1]].share < out->est[j].share) {
            order[b2] = order[b2 - 1];
            b2--;
        }
        order[b2] = j;
    }
    size_t p = 0;
    for (size_t a = 0; a < nord; a++) {
        size_t j = order[a];
        double dist;
        if (!distance_to_span(S, m, n, free_cols, p, j, col, z, &dist)) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        if (dist < opt->dependence || p >= m)
            out->est[j].status = ORT_FIT_DEPENDENT;
        else
            free_cols[p++] = j;
    }
    /* Which fitted estimates depend on the prior of a held, dependent
       parameter: those with a nonzero coefficient in its column's
       expression by the fitted columns. */
    for (size_t j = 0; j < n; j++) {
        if (out->est[j].status != ORT_FIT_DEPENDENT)
            continue;
        double dist;
        if (!distance_to_span(S, m, n, free_cols, p, j, col, z, &dist)) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        for (size_t k = 0; k < p; k++)
            if (fabs(z[k]) > 1e-6 && out->est[free_cols[k]].confounded < 0)
                out->est[free_cols[k]].confounded = (int)j;
    }
    /* The target without the held parameters' share at their prior. */
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            if (out->est[j].status != ORT_FIT_FITTED)
                t[i] -= S[i * n + j] * prior[j] / scale[j];
    for (size_t i = 0; i < m; i++)
        for (size_t k = 0; k < p; k++)
            SF[i * p + k] = S[i * n + free_cols[k]];
    if (p > 0 && !ort_nnls(SF, t, m, p, x, NULL)) {
        snprintf(err, errlen, "the non-negative least squares solver did not converge");
        goto done;
    }
    size_t active = 0;
    for (size_t k = 0; k < p; k++) {
        struct ort_fit_estimate *e = &out->est[free_cols[k]];
        e->value = x[k] * scale[free_cols[k]];
        e->status = x[k] > 0 ? ORT_FIT_FITTED : ORT_FIT_ZERO;
        active += x[k] > 0;
    }
    out->n_fitted = (unsigned)p;
    double rss = 0;
    for (size_t i = 0; i < m; i++) {
        double e = 0;
        for (size_t j = 0; j < n; j++)
            e += A[i * n + j] * out->est[j].value;
        out->predicted[i] = e;
        out->residual[i] = (b[i] - e) / b[i];
        rss += out->residual[i] * out->residual[i];
    }
    /* Degrees of freedom: every column estimated counts, also one the
       bound holds at 0 (conservative: the bound is not known to hold in
       the truth). */
    (void)active;
    out->dof = (unsigned)(m > p ? m - p : 0);
    out->t = ort_fit_t975(out->dof);
    out->sigma_rel = out->dof ? sqrt(rss / out->dof) : 0;
    /* Intervals: sigma^2 (S_F^T S_F)^-1 over the estimated columns (the
       covariance of the unconstrained least-squares estimate, in the
       relative units), t-quantile x standard error each side, clipped at
       0; an estimate at the bound 0 gets [0, t sigma]. Without degrees of
       freedom the prior's relative range is kept around the estimate. */
    cov = calloc(p * p + 1, sizeof(double));
    if (!cov) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t a = 0; a < p; a++)
        for (size_t c = 0; c < p; c++) {
            double s = 0;
            for (size_t i = 0; i < m; i++)
                s += SF[i * p + a] * SF[i * p + c];
            cov[a * p + c] = s;
        }
    bool inverted = p == 0 || spd_inverse(cov, p);
    for (size_t a = 0; a < p; a++) {
        struct ort_fit_estimate *e = &out->est[free_cols[a]];
        if (out->dof == 0 || !inverted) {
            double rel_lo = e->prior > 0 ? prior_low[free_cols[a]] / e->prior : 1;
            double rel_hi = e->prior > 0 ? prior_high[free_cols[a]] / e->prior : 1;
            e->low = e->value * rel_lo;
            e->high = e->value * rel_hi;
            continue;
        }
        e->sigma = out->sigma_rel * sqrt(cov[a * p + a]) * scale[free_cols[a]];
        e->low = fmax(0, e->value - out->t * e->sigma);
        e->high = e->value + out->t * e->sigma;
    }
    ok = true;
done:
    free(S);
    free(t);
    free(scale);
    free(col);
    free(z);
    free(x);
    free(order);
    free(free_cols);
    free(SF);
    free(cov);
    if (!ok)
        ort_fit_result_free(out);
    return ok;
}

/* The JSON object of a parameter in the model file's tree. */
static json_t *param_node(json_t *root, const struct ort_power_model *m,
                          const struct ort_fit_param *p)
{
    const struct ort_power_kind *k = &m->kind[p->kind];
    json_t *c = json_object_get(json_object_get(root, "components"), k->name);
    switch (p->what) {
    case ORT_FIT_EVENT:
        return json_object_get(json_object_get(c, "events_pj"), k->event[p->index]);
    case ORT_FIT_BACKGROUND:
        return json_object_get(json_object_get(c, "background_uw_per_mhz"),
                               ort_power_state_name((enum ort_power_state)p->index));
    case ORT_FIT_LEAKAGE:
        return json_object_get(json_object_get(c, "leakage_uw"), m->opp[p->index].name);
    case ORT_FIT_WAKEUP:
        return json_object_get(json_object_get(c, "power_gating"), "wakeup_nj");
    }
    return NULL;
}

bool ort_fit_write_model(const char *model_path, const struct ort_power_model *m,
                         const struct ort_fit_param *p, unsigned n,
                         const struct ort_fit_result *r, const char *source, const char *out_path,
                         char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(model_path, JSON_PRESERVE_ORDER, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d: %s", model_path, jerr.line, jerr.text);
        return false;
    }
    for (unsigned j = 0; j < n; j++) {
        const struct ort_fit_estimate *e = &r->est[j];
        if (e->status != ORT_FIT_FITTED && e->status != ORT_FIT_ZERO)
            continue;
        json_t *node = param_node(root, m, &p[j]);
        if (!json_is_object(node)) {
            snprintf(err, errlen, "%s: %s: not in the file", model_path, p[j].name);
            json_decref(root);
            return false;
        }
        /* The range must hold the value (the parser checks it). */
        double lo = fmin(e->low, e->value), hi = fmax(e->high, e->value);
        json_object_clear(node);
        json_object_set_new(node, "value", json_real(e->value));
        json_object_set_new(node, "class", json_string("fitted"));
        json_t *range = json_array();
        json_array_append_new(range, json_real(lo));
        json_array_append_new(range, json_real(hi));
        json_object_set_new(node, "range", range);
        char src[ORT_POWER_SOURCE];
        if (e->sigma > 0)
            snprintf(src, sizeof src, "%s; 95 %% interval (+-%.3g sigma, sigma %.4g)", source,
                     r->t, e->sigma);
        else if (r->dof == 0)
            snprintf(src, sizeof src, "%s; no residual degrees of freedom: the prior's "
                     "relative range kept", source);
        else
            snprintf(src, sizeof src, "%s; 95 %% interval", source);
        json_object_set_new(node, "source", json_string(src));
        json_object_set_new(node, "note", json_sprintf("prior %.6g", e->prior));
    }
    int rc = json_dump_file(root, out_path, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                                JSON_REAL_PRECISION(10));
    json_decref(root);
    if (rc != 0) {
        snprintf(err, errlen, "cannot write '%s'", out_path);
        return false;
    }
    return true;
}

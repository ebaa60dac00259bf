/*
 * Fitting the power model to measurements (ortigia power-fit; the method is
 * in docs/power-model.md, "Fitting to measurements").
 *
 * The energy of a run is linear in the model's numbers once the residual
 * leakage fraction of power gating is fixed: per-event energies x counts,
 * background powers x cycles per state, leakage x time at the operating
 * point, wake-up energy x wake-ups, each scaled by (V/V_ref)^2 as energy.c
 * does. So each measured run is a row of a design matrix A (J per unit of
 * each number: ort_fit_row) and the fit is a non-negative least squares
 * problem A x ~ b, solved on relative errors (rows divided by their
 * measurement, columns by the prior value): ort_fit_solve. The numbers the
 * measurements cannot tell apart are held at their prior and reported.
 * Plain C.
 */
#ifndef ORTIGIA_FIT_H
#define ORTIGIA_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "energy.h"
#include "power_model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_FIT_MAX_PARAMS                                                                     \
    (ORT_POWER_MAX_KINDS * (ORT_POWER_MAX_EVENTS + ORT_POWER_CLOCKED_STATES + ORT_POWER_MAX_OPPS + 1))

enum ort_fit_what {
    ORT_FIT_EVENT,      /* events_pj.<event> */
    ORT_FIT_BACKGROUND, /* background_uw_per_mhz.<state> (active, clock_gated) */
    ORT_FIT_LEAKAGE,    /* leakage_uw.<operating point> */
    ORT_FIT_WAKEUP,     /* power_gating.wakeup_nj */
};

/* One number of the model that a fit may adjust. */
struct ort_fit_param {
    unsigned kind;          /* index into model->kind */
    enum ort_fit_what what;
    unsigned index;         /* the event, the state or the operating point */
    char name[96];          /* "core.events_pj.alu", "soc.leakage_uw.0.80V" */
};

/* The model's parameters, in the model's order (kind by kind: events,
   backgrounds, leakages, wake-up energy); returns how many (at most
   ORT_FIT_MAX_PARAMS). */
unsigned ort_fit_params(const struct ort_power_model *m, struct ort_fit_param *out);

/* The number a parameter names in the model. */
struct ort_power_value *ort_fit_value(struct ort_power_model *m, const struct ort_fit_param *p);

/* A run's design row: row[j] = d energy / d parameter j (J per pJ, per
   uW/MHz, per uW, per nJ) for the activity of report r (r->opp,
   r->cycles), so that sum_j row[j] x value_j is the model's energy of
   the run (r->total_j). */
void ort_fit_row(const struct ort_power_model *m, const struct ort_power_report *r,
                 const struct ort_fit_param *p, unsigned n, double *row);

enum ort_fit_status {
    ORT_FIT_FITTED,      /* estimated from the measurements */
    ORT_FIT_ZERO,        /* estimated, at the bound 0 (the non-negativity held it) */
    ORT_FIT_UNEXCITED,   /* held: its share of every run's energy is below min_share */
    ORT_FIT_DEPENDENT,   /* held: its column is a combination of fitted ones */
};

const char *ort_fit_status_name(enum ort_fit_status s);

struct ort_fit_options {
    double min_share;      /* a parameter whose prior makes less than this
                              fraction of every row's measurement is held
                              (default 1e-3) */
    double dependence;     /* a column whose relative distance to the span
                              of the columns fitted before it is below
                              this is held (default 1e-3) */
};

struct ort_fit_estimate {
    enum ort_fit_status status;
    double prior;          /* the model's value before the fit */
    double value;          /* after (held: the prior) */
    double sigma;          /* standard error (0 when held or unknown) */
    double low, high;      /* the 95 % confidence interval, clipped at 0 */
    double share;          /* largest share of a row's measurement at the prior */
    int confounded;        /* a held parameter this estimate depends on, or -1 */
};

struct ort_fit_result {
    unsigned n_fitted;     /* FITTED (and ZERO) parameters */
    unsigned dof;          /* rows - fitted parameters off the bound (0: no
                              interval from the data) */
    double sigma_rel;      /* residual standard deviation, relative (0 if dof = 0) */
    double t;              /* Student's t quantile used for the intervals */
    /* Per row (m of them): the model's energy with the fitted values, and
       (measured - model) / measured. */
    double *predicted, *residual;
    struct ort_fit_estimate *est; /* n of them */
};

void ort_fit_options_default(struct ort_fit_options *o);

/* Solve the fit: A (m x n, row-major, J per unit), b (m measured energies,
   > 0), prior (n values of the model). out->predicted, ->residual (m) and
   ->est (n) are allocated here (ort_fit_result_free). False with a message
   when memory runs out or the solver does not converge. */
bool ort_fit_solve(const double *A, const double *b, size_t m, size_t n, const double *prior,
                   const double *prior_low, const double *prior_high,
                   const struct ort_fit_options *opt, struct ort_fit_result *out, char *err,
                   size_t errlen);

void ort_fit_result_free(struct ort_fit_result *r);

/* The 0.975 quantile of Student's t with `dof` degrees of freedom (dof >= 1). */
double ort_fit_t975(unsigned dof);

/* Write the fitted model: the JSON of the model file `model_path` with
   every FITTED or ZERO parameter replaced by {"value", "class": "fitted",
   "range": [low, high], "source": source}. False with a message. */
bool ort_fit_write_model(const char *model_path, const struct ort_power_model *m,
                         const struct ort_fit_param *p, unsigned n,
                         const struct ort_fit_result *r, const char *source, const char *out_path,
                         char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif

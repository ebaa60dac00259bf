/*
 * The reference interpreter: executes the IR on the host, bit-exactly, in
 * int64 (the golden model every on-target result is compared with). Each
 * value is checked against its tensor's storage type, so a range analysis
 * that was too optimistic shows up here rather than as a wrong answer on
 * the target.
 */
#ifndef ORTIGIA_COMPILER_REF_H
#define ORTIGIA_COMPILER_REF_H

#include "diag.h"
#include "ir.h"
#include "npz.h"

#ifdef __cplusplus
extern "C" {
#endif

/* values[t] (allocated, n_tensors entries) holds tensor t's values when
 * it is an input, a constant or computed. Inputs come from `inputs`
 * (ort_npz_input), checked against the graph (ort_npz_check). */
int ort_ref_run(const struct ort_graph *g, const struct ort_npz *inputs, int64_t ***values,
                struct ort_diag *d);
void ort_ref_free(const struct ort_graph *g, int64_t **values);

/* Evaluates node i on the values of its inputs, into a new array. */
int64_t *ort_ref_eval_node(const struct ort_graph *g, int i, int64_t *const *values,
                           struct ort_diag *d);

/* Checks `expected` against the graph (ort_npz_check), then compares
 * graph outputs with it (ort_npz_output); counts elements
 * and mismatches; prints the first few mismatches to `log` if not NULL. */
int ort_compare_outputs(const struct ort_graph *g, int64_t *const *outputs, const struct ort_npz *expected,
                        long long *errors, long long *total, void *log, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif

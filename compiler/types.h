/*
 * Value ranges and storage types. Every tensor gets bounds [lo, hi] on its
 * values (constants: their values; graph inputs: their declared integer
 * type, or for inputs declared float the values of the test inputs when
 * given, else int8; node outputs: the operator's interval arithmetic).
 * The storage type is the narrowest of int8, uint8 and int32 that holds
 * the bounds; beyond int32 is an error naming the node.
 */
#ifndef ORTIGIA_COMPILER_TYPES_H
#define ORTIGIA_COMPILER_TYPES_H

#include "diag.h"
#include "ir.h"
#include "npz.h"

#ifdef __cplusplus
extern "C" {
#endif

/* `inputs` may be NULL. Run after ort_ops_check. */
int ort_types_infer(struct ort_graph *g, const struct ort_npz *inputs, struct ort_diag *d);

/* The npz array that feeds graph input i: "input_<i>", else the input's
 * own name, else the i-th array. NULL if none. */
const struct ort_array *ort_npz_input(const struct ort_graph *g, const struct ort_npz *npz, int i);
/* The same for graph output i ("output_<i>"). An array whose name is
 * another input's (output's), or that is named as an output (input),
 * never feeds input (output) i by its position. */
const struct ort_array *ort_npz_output(const struct ort_graph *g, const struct ort_npz *npz, int i);

/* Test vectors against the graph: an array for every input (`output`
 * false; run before the type pass) or output (`output` true; after it),
 * of exactly its shape, with values in the input's declared integer type
 * (int32 at most) or within the bounds the output can take; no array
 * named "input_<k>" ("output_<k>") for an input (output) the graph does
 * not have. Fails naming the file, the array and what was expected. */
int ort_npz_check(const struct ort_graph *g, const struct ort_npz *npz, bool output, struct ort_diag *d);

#ifdef __cplusplus
}
#endif

#endif

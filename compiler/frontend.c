#include "frontend.h"

#include "onnx_import.h"
#include "ops.h"
#include "passes.h"
#include "types.h"

struct ort_graph *ort_frontend(const char *onnx_path, const struct ort_npz *inputs, bool optimize,
                               struct ort_diag *d)
{
    struct ort_graph *g = ort_onnx_load(onnx_path, d);
    if (!g)
        return NULL;
    if (ort_ops_check(g, d) || ort_pass_fold_constants(g, d) ||
        (inputs && ort_npz_check(g, inputs, false, d)) || ort_types_infer(g, inputs, d) ||
        (optimize && ort_pass_optimize(g, d))) {
        ort_graph_free(g);
        return NULL;
    }
    return g;
}

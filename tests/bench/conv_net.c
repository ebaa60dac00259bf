/* Writes a test folder (network.onnx, inputs.npz, outputs.npz from the
 * reference interpreter) of one int8 convolution requantized per channel,
 * for the convolution benchmark (bench_conv.sh):
 *   conv_net DIR C M H W K [GROUP]
 * input [1,C,H,W], weights [M,C/GROUP,K,K], stride 1, "same" padding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "frontend.h"
#include "npz.h"
#include "onnx_builder.h"
#include "ref.h"

static uint32_t rng = 12345;
static int64_t rnd(int64_t lo, int64_t hi)
{
    rng = rng * 1664525u + 1013904223u;
    return lo + (int64_t)((rng >> 8) % (uint32_t)(hi - lo + 1));
}

int main(int argc, char **argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: conv_net DIR C M H W K [GROUP]\n");
        return 2;
    }
    const char *dir = argv[1];
    int64_t C = atoll(argv[2]), M = atoll(argv[3]), H = atoll(argv[4]), W = atoll(argv[5]), K = atoll(argv[6]);
    int64_t G = argc > 7 ? atoll(argv[7]) : 1;
    mkdir(dir, 0777);
    struct ob_model *m = ob_new();
    const int64_t xd[] = {1, C, H, W}, wd[] = {M, C / G, K, K}, cd[] = {M, 1, 1};
    int64_t nw = M * (C / G) * K * K;
    int64_t *w = malloc(sizeof *w * (size_t)nw), *mul = malloc(sizeof *mul * (size_t)M),
            *add = malloc(sizeof *add * (size_t)M);
    for (int64_t i = 0; i < nw; i++)
        w[i] = rnd(-128, 127);
    for (int64_t i = 0; i < M; i++) {
        mul[i] = rnd(1, 64);
        add[i] = rnd(-4096, 4096);
    }
    ob_input(m, "x", 1, 4, xd);
    ob_const(m, "w", 4, wd, w);
    ob_const(m, "rq.mul", 3, cd, mul);
    ob_const(m, "rq.add", 3, cd, add);
    const char *ci[] = {"x", "w"}, *ri[] = {"acc", "rq.mul", "rq.add"};
    int n = ob_node(m, "Conv", "conv", 2, ci, "acc");
    const int64_t k2[] = {K, K}, pads[] = {K / 2, K / 2, (K - 1) / 2, (K - 1) / 2};
    ob_attr_ints(m, n, "kernel_shape", k2, 2);
    ob_attr_ints(m, n, "pads", pads, 4);
    ob_attr_int(m, n, "group", G);
    int r = ob_node(m, "RequantShift", "rq", 3, ri, "y");
    ob_attr_tensor(m, r, "div", 65536);
    ob_attr_tensor(m, r, "n_levels_out", 256);
    ob_attr_tensor(m, r, "signed", 1);
    ob_output(m, "y", 1, -1, NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/network.onnx", dir);
    if (ob_write(m, path))
        return 1;
    ob_free(m);
    struct ort_array in = {.name = "input_0", .shape = {.rank = 4, .dim = {1, C, H, W}}};
    in.data = malloc(sizeof *in.data * (size_t)(C * H * W));
    for (int64_t i = 0; i < C * H * W; i++)
        in.data[i] = rnd(-128, 127);
    struct ort_npz inputs = {&in, 1, NULL};
    struct ort_diag d = {0};
    snprintf(path, sizeof path, "%s/inputs.npz", dir);
    if (ort_npz_write(path, &inputs, &d))
        goto fail;
    snprintf(path, sizeof path, "%s/network.onnx", dir);
    struct ort_graph *g = ort_frontend(path, &inputs, true, &d);
    int64_t **values = NULL;
    if (!g || ort_ref_run(g, &inputs, &values, &d))
        goto fail;
    struct ort_array out = {.name = "output_0", .shape = g->tensors[g->outputs[0]].shape,
                            .data = values[g->outputs[0]]};
    struct ort_npz outputs = {&out, 1, NULL};
    snprintf(path, sizeof path, "%s/outputs.npz", dir);
    if (ort_npz_write(path, &outputs, &d))
        goto fail;
    ort_ref_free(g, values);
    ort_graph_free(g);
    free(in.data);
    free(w);
    free(mul);
    free(add);
    return 0;
fail:
    fprintf(stderr, "conv_net: %s\n", d.msg);
    return 1;
}

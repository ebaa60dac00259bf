// `ortigia compile` and `ortigia test-network`: the compiler's commands.
#include "nn_cmd.h"

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "compile.h"
#include "npz.h"
#include "ref.h"
}

namespace {

struct GraphHolder {
    ort_graph *g = nullptr;
    ~GraphHolder() { ort_graph_free(g); }
};

struct NpzHolder {
    ort_npz npz{};
    ~NpzHolder() { ort_npz_free(&npz); }
};

int fail(const ort_diag &d)
{
    fprintf(stderr, "ortigia: error: %s\n", d.msg);
    return 2;
}

bool file_exists(const std::string &p)
{
    FILE *f = fopen(p.c_str(), "rb");
    if (f)
        fclose(f);
    return f != nullptr;
}

} // namespace

int ort_cmd_test_network(int argc, char **argv)
{
    std::string dir;
    bool reference = false;
    for (int i = 0; i < argc; i++) {
        std::string a = argv[i];
        if (a == "--reference") {
            reference = true;
        } else if (a.size() > 1 && a[0] == '-') {
            fprintf(stderr, "ortigia: error: unknown option '%s' for test-network\n", a.c_str());
            return 2;
        } else if (dir.empty()) {
            dir = a;
        } else {
            fprintf(stderr, "ortigia: error: more than one test folder given\n");
            return 2;
        }
    }
    if (dir.empty()) {
        fprintf(stderr, "ortigia: error: no test folder given (usage: ortigia test-network DIR)\n");
        return 2;
    }
    const std::string onnx = dir + "/network.onnx", in_path = dir + "/inputs.npz",
                      out_path = dir + "/outputs.npz";
    for (const std::string &p : {onnx, in_path, out_path})
        if (!file_exists(p)) {
            fprintf(stderr, "ortigia: error: %s: cannot open: %s\n", p.c_str(), strerror(errno));
            return 2;
        }
    ort_diag d{};
    NpzHolder inputs, expected;
    if (ort_npz_read(in_path.c_str(), &inputs.npz, &d) ||
        ort_npz_read(out_path.c_str(), &expected.npz, &d))
        return fail(d);
    GraphHolder gh;
    gh.g = ort_frontend(onnx.c_str(), &inputs.npz, true, &d);
    if (!gh.g)
        return fail(d);
    const ort_graph *g = gh.g;
    long long errors = 0, total = 0;
    if (reference) {
        int64_t **values = nullptr;
        if (ort_ref_run(g, &inputs.npz, &values, &d)) {
            ort_ref_free(g, values);
            return fail(d);
        }
        std::vector<int64_t *> outs;
        for (int i = 0; i < g->n_outputs; i++)
            outs.push_back(values[g->outputs[i]]);
        int rc = ort_compare_outputs(g, outs.data(), &expected.npz, &errors, &total, stderr, &d);
        ort_ref_free(g, values);
        if (rc)
            return fail(d);
        printf("Errors: %lld out of %lld\n", errors, total);
        return errors ? 1 : 0;
    }
    fprintf(stderr, "ortigia: error: running networks on the simulator is not built yet; use --reference\n");
    return 2;
}

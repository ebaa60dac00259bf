// The compiler: bad models get clear errors naming the node; the memory
// planner and the tiler keep their promises; npz files round-trip; and
// networks the tests build (shapes Deeploy's vectors do not cover) give on
// the simulator exactly what the reference interpreter gives.
#include <gtest/gtest.h>

#include "run_capture.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <random>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern "C" {
#include "codegen.h"
#include "frontend.h"
#include "memplan.h"
#include "npz.h"
#include "onnx_builder.h"
#include "ops.h"
#include "ref.h"
#include "target.h"
#include "tiling.h"
}

#include "temp_dir.h"

namespace {

std::string temp_dir() { return ort_test_temp_dir("compiler"); }

/* ortigia with arguments: stdout and stderr, and the exit status. */
RunResult ortigia(const std::string &args)
{
    return run_capture(std::string(ORTIGIA_BIN) + " " + args + " 2>&1");
}

/* The frontend's error for a model, "" if it loads. */
std::string frontend_error(ob_model *m)
{
    std::string path = temp_dir() + "/model.onnx";
    EXPECT_EQ(ob_write(m, path.c_str()), 0);
    ort_diag d{};
    ort_graph *g = ort_frontend(path.c_str(), nullptr, true, &d);
    ort_graph_free(g);
    return g ? "" : d.msg;
}

/* A node's input names, as the builder takes them. */
#define IN(...) std::vector<const char *>{__VA_ARGS__}.data()

const int64_t d23[] = {2, 3}, d4[] = {4}, d33[] = {3, 3}, d1[] = {1};

TEST(CompilerErrors, UnsupportedOperatorNamesTheNode)
{
    ob_model *m = ob_new();
    ob_input(m, "x", 3, 2, d23);
    const char *in[] = {"x"};
    ob_node(m, "LSTM", "lstm0", 1, in, "y");
    ob_output(m, "y", 3, -1, nullptr);
    std::string e = frontend_error(m);
    EXPECT_NE(e.find("node 'lstm0'"), std::string::npos) << e;
    EXPECT_NE(e.find("operator 'LSTM' is not supported"), std::string::npos) << e;
    ob_free(m);
}

TEST(CompilerErrors, UnknownAttributeNamesTheNodeAndAttribute)
{
    ob_model *m = ob_new();
    ob_input(m, "x", 3, 2, d23);
    ob_input(m, "z", 3, 2, d23);
    const char *in[] = {"x", "z"};
    int n = ob_node(m, "Add", "add0", 2, in, "y");
    ob_attr_int(m, n, "broadcast_mode", 1);
    ob_output(m, "y", 3, -1, nullptr);
    std::string e = frontend_error(m);
    EXPECT_NE(e.find("node 'add0' (Add): unknown attribute 'broadcast_mode'"), std::string::npos) << e;
    ob_free(m);
}

TEST(CompilerErrors, ShapesThatDoNotBroadcast)
{
    ob_model *m = ob_new();
    ob_input(m, "x", 3, 2, d23);
    ob_input(m, "z", 3, 1, d4);
    const char *in[] = {"x", "z"};
    ob_node(m, "Add", "add0", 2, in, "y");
    ob_output(m, "y", 3, -1, nullptr);
    std::string e = frontend_error(m);
    EXPECT_NE(e.find("node 'add0' (Add): shapes [2,3] and [4] do not broadcast"), std::string::npos) << e;
    ob_free(m);
}

TEST(CompilerErrors, OutputShapeAgainstTheDeclaredOne)
{
    ob_model *m = ob_new();
    ob_input(m, "x", 3, 2, d23);
    ob_input(m, "z", 3, 2, d23);
    const char *in[] = {"x", "z"};
    ob_node(m, "Add", "add0", 2, in, "y");
    ob_output(m, "y", 3, 2, d33);
    std::string e = frontend_error(m);
    EXPECT_NE(e.find("output 'y' is declared [3,3] but the inputs give [2,3]"), std::string::npos) << e;
    ob_free(m);
}

TEST(CompilerErrors, MatMulOperandsThatDoNotMultiply)
{
    ob_model *m = ob_new();
    ob_input(m, "x", 3, 2, d23);
    ob_input(m, "w", 3, 2, d23);
    const char *in[] = {"x", "w"};
    ob_node(m, "MatMul", "mm", 2, in, "y");
    ob_output(m, "y", 3, -1, nullptr);
    std::string e = frontend_error(m);
    EXPECT_NE(e.find("node 'mm' (MatMul): shapes [2,3] and [2,3] do not multiply"), std::string::npos) << e;
    ob_free(m);
}

TEST(CompilerErrors, RequantShiftDivisorNotAPowerOfTwo)
{
    ob_model *m = ob_new();
    ob_input(m, "x", 6, 2, d23);
    const int64_t one = 1, zero = 0;
    ob_const(m, "mul", 1, d1, &one);
    ob_const(m, "add", 1, d1, &zero);
    const char *in[] = {"x", "mul", "add"};
    int n = ob_node(m, "RequantShift", "rq", 3, in, "y");
    ob_attr_tensor(m, n, "div", 1000);
    ob_attr_tensor(m, n, "n_levels_out", 256);
    ob_attr_tensor(m, n, "signed", 1);
    ob_output(m, "y", 1, -1, nullptr);
    std::string e = frontend_error(m);
    EXPECT_NE(e.find("node 'rq' (RequantShift): div = 1000 is not a power of two"), std::string::npos) << e;
    ob_free(m);
}

TEST(CompilerErrors, ValuesBeyondInt32)
{
    /* int32 x int32 products over K = 3: up to 3 * 2^62. */
    ob_model *m = ob_new();
    ob_input(m, "x", 6, 2, d33);
    ob_input(m, "w", 6, 2, d33);
    const char *in[] = {"x", "w"};
    ob_node(m, "MatMul", "big", 2, in, "y");
    ob_output(m, "y", 6, -1, nullptr);
    std::string e = frontend_error(m);
    EXPECT_NE(e.find("node 'big' (MatMul): the values of 'y' may reach"), std::string::npos) << e;
    EXPECT_NE(e.find("beyond int32"), std::string::npos) << e;
    ob_free(m);
}

TEST(CompilerErrors, CorruptAndMissingModelFiles)
{
    std::string dir = temp_dir(), path = dir + "/garbage.onnx";
    FILE *f = fopen(path.c_str(), "wb");
    for (int i = 0; i < 100; i++)
        fputc(0xFF - i, f);
    fclose(f);
    ort_diag d{};
    EXPECT_EQ(ort_frontend(path.c_str(), nullptr, true, &d), nullptr);
    EXPECT_NE(std::string(d.msg).find("not an ONNX model"), std::string::npos) << d.msg;
    EXPECT_EQ(ort_frontend((dir + "/none.onnx").c_str(), nullptr, true, &d), nullptr);
    EXPECT_NE(std::string(d.msg).find("cannot open"), std::string::npos) << d.msg;
}

/* Expects the frontend to refuse m with `message`; frees m. */
void expect_frontend_error(ob_model *m, const std::string &message)
{
    std::string e = frontend_error(m);
    EXPECT_NE(e.find(message), std::string::npos) << e;
    ob_free(m);
}

/* An Add of two int8 inputs of shape `dims`, declared output `out_rank`/`out_dims`. */
ob_model *add_model(int rank, const int64_t *dims, int out_rank = -1, const int64_t *out_dims = nullptr)
{
    ob_model *m = ob_new();
    ob_input(m, "x", 3, rank, dims);
    ob_input(m, "z", 3, rank, dims);
    ob_node(m, "Add", "add0", 2, IN("x", "z"), "y");
    ob_output(m, "y", 6, out_rank, out_dims);
    return m;
}

TEST(CompilerErrors, DimensionsAndElementCountsAreCheckedWhereTheModelIsRead)
{
    const int64_t neg[] = {2, -1}, neg5[] = {-5, 3}, huge[] = {1LL << 32, 1LL << 32}, big[] = {1 << 20, 1 << 20},
                  wrap[] = {1LL << 62, 4, 1, 1};
    const struct {
        const int64_t *dims;
        int rank;
        const char *message;
    } inputs[] = {
        {neg, 2, "input 'x': dimension 1 is -1; only fixed sizes are supported (a dynamic size, -1, must be "
                 "fixed before compiling)"},
        {neg5, 2, "input 'x': dimension 0 is -5; only fixed sizes are supported"},
        {huge, 2, "input 'x': shape [4294967296,4294967296] has more than 268435456 elements"},
        {big, 2, "input 'x': shape [1048576,1048576] has more than 268435456 elements"},
        {wrap, 4, "input 'x': shape [4611686018427387904,4,1,1] has more than 268435456 elements"},
    };
    for (const auto &c : inputs) {
        ob_model *m = add_model(c.rank, c.dims);
        EXPECT_NE(frontend_error(m).find(c.message), std::string::npos) << frontend_error(m);
        /* The commands: exit status 2 and the message, never a crash or
         * an empty program. */
        std::string dir = temp_dir();
        ASSERT_EQ(ob_write(m, (dir + "/network.onnx").c_str()), 0);
        RunResult r = ortigia("compile " + dir + "/network.onnx -o " + dir + "/out");
        EXPECT_EQ(r.status, 2) << r.out;
        EXPECT_NE(r.out.find(c.message), std::string::npos) << r.out;
        ort_array a{};
        snprintf(a.name, sizeof a.name, "input_0");
        a.shape = {2, {2, 1}};
        int64_t v[2] = {1, 2};
        a.data = v;
        ort_npz npz{&a, 1, nullptr};
        ort_diag d{};
        ASSERT_EQ(ort_npz_write((dir + "/inputs.npz").c_str(), &npz, &d), 0) << d.msg;
        ASSERT_EQ(ort_npz_write((dir + "/outputs.npz").c_str(), &npz, &d), 0) << d.msg;
        for (const char *opt : {"", "--reference "}) {
            r = ortigia(std::string("test-network ") + opt + dir);
            EXPECT_EQ(r.status, 2) << opt << r.out;
            EXPECT_NE(r.out.find(c.message), std::string::npos) << opt << r.out;
        }
        ob_free(m);
    }
    /* A declared output: -1 is a dynamic size, left to inference; other
     * negative sizes are errors. */
    const int64_t d2m1[] = {2, -1}, dm3[] = {-3, 3};
    ob_model *m = add_model(2, d23, 2, d2m1);
    EXPECT_EQ(frontend_error(m), "");
    ob_free(m);
    expect_frontend_error(add_model(2, d23, 2, dm3), "output 'y': dimension 0 is -3");
    /* A node's output: a broadcast of [65536,1] and [1,65536]. */
    m = ob_new();
    const int64_t col[] = {65536, 1}, row[] = {1, 65536};
    ob_input(m, "x", 3, 2, col);
    ob_input(m, "z", 3, 2, row);
    ob_node(m, "Add", "outer", 2, IN("x", "z"), "y");
    ob_output(m, "y", 6, -1, nullptr);
    expect_frontend_error(m, "node 'outer' (Add): output 'y': shape [65536,65536] has more than 268435456 elements");
    /* A Reshape to a shape too large to count. */
    m = ob_new();
    const int64_t two[] = {2}, target[] = {1LL << 40, 1LL << 40};
    ob_input(m, "x", 3, 1, d4);
    ob_const(m, "shape", 1, two, target);
    ob_node(m, "Reshape", "rs", 2, IN("x", "shape"), "y");
    ob_output(m, "y", 3, -1, nullptr);
    expect_frontend_error(m, "node 'rs' (Reshape): the target shape has more than 268435456 elements");
}

/* A MatMul with a 256 x 300 constant (75 KiB in the weight memory). */
ob_model *matmul_model()
{
    ob_model *m = ob_new();
    const int64_t xd[] = {1, 256}, wd[] = {256, 300};
    std::vector<int64_t> w(256 * 300);
    for (size_t i = 0; i < w.size(); i++)
        w[i] = (int64_t)(i % 7) - 3;
    ob_input(m, "x", 3, 2, xd);
    ob_const(m, "w", 2, wd, w.data());
    const char *in[] = {"x", "w"};
    ob_node(m, "MatMul", "proj", 2, in, "y");
    ob_output(m, "y", 6, -1, nullptr);
    return m;
}

TEST(CompilerCli, UnsupportedOperatorExitsWithStatus2)
{
    ob_model *m = ob_new();
    ob_input(m, "x", 3, 2, d23);
    const char *in[] = {"x"};
    ob_node(m, "LSTM", "lstm0", 1, in, "y");
    ob_output(m, "y", 3, -1, nullptr);
    std::string dir = temp_dir();
    ASSERT_EQ(ob_write(m, (dir + "/m.onnx").c_str()), 0);
    RunResult r = ortigia("compile " + dir + "/m.onnx -o " + dir + "/out");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find("node 'lstm0': operator 'LSTM' is not supported"), std::string::npos) << r.out;
    ob_free(m);
}

/* A fresh folder holding matmul_model() as m.onnx. */
std::string matmul_model_dir()
{
    ob_model *m = matmul_model();
    std::string dir = temp_dir();
    EXPECT_EQ(ob_write(m, (dir + "/m.onnx").c_str()), 0);
    ob_free(m);
    return dir;
}

static std::string slurp_file(const std::string &path)
{
    std::ifstream f(path);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

/* A second network of the same program (ort_codegen_options.name): beside
 * the first in one folder, every global symbol and file under its name, no
 * main.c; without a name, the usual ones. */
TEST(Codegen, ANamedSecondNetworkBesideTheFirst)
{
    std::string dir = matmul_model_dir();
    ort_diag d{};
    ort_graph *g = ort_frontend((dir + "/m.onnx").c_str(), nullptr, true, &d);
    ASSERT_NE(g, nullptr) << d.msg;
    ort_target t;
    ort_target_init(&t);
    std::string out = dir + "/two";
    ort_codegen_options o{};
    o.outdir = out.c_str();
    o.target = &t;
    o.l1_budget = ort_target_default_l1_budget(&t);
    o.firmware_dir = ORTIGIA_FW_SRC;
    ort_codegen_report r{};
    ASSERT_EQ(ort_codegen(g, &o, &r, &d), 0) << d.msg;
    free(r.step_names), free(r.step_estimates), free(r.step_engines);
    o.name = "second";
    ASSERT_EQ(ort_codegen(g, &o, &r, &d), 0) << d.msg;
    free(r.step_names), free(r.step_estimates), free(r.step_engines);
    std::string c = slurp_file(out + "/second.c"), h = slurp_file(out + "/second.h");
    EXPECT_NE(c.find("#include \"second.h\""), std::string::npos);
    EXPECT_NE(c.find("void second_run(void)"), std::string::npos);
    EXPECT_NE(c.find("uint8_t second_output_0["), std::string::npos);
    EXPECT_NE(c.find("extern const uint8_t second_weights[]"), std::string::npos);
    EXPECT_EQ(c.find("ort_weights"), std::string::npos);
    EXPECT_EQ(c.find("ort_output_"), std::string::npos);
    EXPECT_NE(h.find("#ifndef SECOND_H"), std::string::npos);
    EXPECT_NE(h.find("#define SECOND_INPUT_0 (second_inputs + "), std::string::npos);
    EXPECT_NE(slurp_file(out + "/second_weights.S").find("second_weights:"), std::string::npos);
    EXPECT_NE(slurp_file(out + "/second_inputs.S").find(".data.second_inputs"), std::string::npos);
    EXPECT_NE(slurp_file(out + "/second_report.txt").find("steps:"), std::string::npos);
    /* the first network's files are still its own */
    EXPECT_NE(slurp_file(out + "/network.c").find("void network_run(void)"), std::string::npos);
    EXPECT_NE(slurp_file(out + "/network.h").find("#define NETWORK_INPUT_0 (ort_inputs + "), std::string::npos);
    EXPECT_NE(slurp_file(out + "/main.c").find("network_run();"), std::string::npos);
    o.name = "Bad-Name";
    EXPECT_NE(ort_codegen(g, &o, &r, &d), 0);
    EXPECT_NE(std::string(d.msg).find("network name 'Bad-Name'"), std::string::npos) << d.msg;
    ort_graph_free(g);
}

TEST(CompilerCli, ModelsThatDoNotFitTheMemories)
{
    std::string dir = matmul_model_dir();
    RunResult ok = ortigia("compile " + dir + "/m.onnx -o " + dir + "/ok");
    EXPECT_EQ(ok.status, 0) << ok.out;
    /* Each refused with exit status 2 and a message saying why. */
    const struct {
        const char *options, *message;
    } refused[] = {
        {"--set wmem.size=65536", "the constants need 76800 bytes, more than the weight memory's 65536"},
        {"--set l2.size=131072", "the network does not fit L2"},
        {"--engine npu --set npu.enabled=0", "--engine npu: this platform has no NPU (npu.enabled is 0)"},
        {"--l1-budget 300000", "--l1-budget 300000 is more than"},
        {"--set l1.size=32768", "l1.size 32768 leaves"},
        /* beyond the memory map, or stacks that would lose their alignment */
        {"--set l1.size=4194304", "overlaps the cluster peripherals"},
        {"--set l1.size=100001", "l1.size 100001 is not a multiple of 16"},
    };
    int k = 0;
    for (const auto &x : refused) {
        RunResult r = ortigia(std::string("compile ") + x.options + " " + dir + "/m.onnx -o " + dir + "/r" +
                              std::to_string(k++));
        EXPECT_EQ(r.status, 2) << x.options;
        EXPECT_NE(r.out.find(x.message), std::string::npos) << x.options << ": " << r.out;
    }
}

TEST(OpTable, EveryEntryIsFoundAndElementwiseOnesCarryLinkSemantics)
{
    size_t n;
    const ort_op *ops = ort_op_table(&n);
    ASSERT_GT(n, 0u);
    for (size_t i = 0; i < n; i++) {
        EXPECT_EQ(ort_op_find(ops[i].name), &ops[i]) << ops[i].name;
        for (size_t j = 0; j < i; j++)
            EXPECT_NE(ops[i].id, ops[j].id) << ops[i].name << " and " << ops[j].name;
        if (ops[i].flags & ORT_OP_ELEMENTWISE) {
            /* else fusion would leave a link the kernels cannot compute */
            EXPECT_NE(ops[i].link_eval, nullptr) << ops[i].name;
            EXPECT_NE(ops[i].link_emit, nullptr) << ops[i].name;
            EXPECT_LE(ops[i].max_inputs, ORT_LINK_MAX_INPUTS) << ops[i].name;
        }
    }
}

TEST(Target, TheDefaultIsTheSimulatorsPlatformAndTheLinkFollowsIt)
{
    ort_target t;
    ort_target_init(&t);
    /* 16 stacks of 2 KiB and 4 KiB of runtime data out of 256 KiB */
    EXPECT_EQ(ort_target_l1_usable(&t), 256 * 1024 - 16 * 2048 - 4096);
    EXPECT_EQ(ort_target_default_l1_budget(&t), (256 * 1024 - 16 * 2048 - 4096) * 7 / 8);
    t.l1.size = 131072;
    t.l2.size = 4 << 20;
    char flags[1024];
    ort_target_link_flags(&t, flags, sizeof flags);
    std::string f = flags;
    EXPECT_NE(f.find("--defsym=__ort_l1_size=131072"), std::string::npos) << f;
    EXPECT_NE(f.find("--defsym=__ort_l2_size=4194304"), std::string::npos) << f;
    EXPECT_NE(f.find("--defsym=__l1_stack_size=2048"), std::string::npos) << f;
    EXPECT_NE(f.find("--defsym=__l1_max_worker_cores=15"), std::string::npos) << f;
}

TEST(CompilerCli, EnginesHarnessAndTheTarget)
{
    std::string dir = matmul_model_dir();
    RunResult a = ortigia("compile " + dir + "/m.onnx -o " + dir + "/auto");
    ASSERT_EQ(a.status, 0) << a.out;
    RunResult c = ortigia("compile --engine cluster " + dir + "/m.onnx -o " + dir + "/cluster");
    ASSERT_EQ(c.status, 0) << c.out;
    RunResult n = ortigia("compile --engine npu " + dir + "/m.onnx -o " + dir + "/npu");
    ASSERT_EQ(n.status, 0) << n.out;
    RunResult off = ortigia("compile --set npu.enabled=0 " + dir + "/m.onnx -o " + dir + "/off");
    ASSERT_EQ(off.status, 0) << off.out;
    /* The product goes to the NPU, which the cost model finds far cheaper;
     * forced, the same; without an NPU, auto is the cluster. */
    RunResult npu_tag = run_capture("grep -c 'NN_OPERANDS([0-9]*, NN_ENGINE_NPU)' " + dir + "/auto/network.c");
    EXPECT_EQ(npu_tag.out, "1\n");
    RunResult rep = run_capture("grep -c '  npu  ' " + dir + "/auto/report.txt");
    EXPECT_EQ(rep.out, "1\n");
    RunResult same = run_capture("cmp " + dir + "/auto/network.c " + dir + "/npu/network.c");
    EXPECT_EQ(same.status, 0) << same.out;
    RunResult same_off = run_capture("cmp " + dir + "/off/network.c " + dir + "/cluster/network.c");
    EXPECT_EQ(same_off.status, 0) << same_off.out;
    RunResult tag = run_capture("grep -c 'NN_OPERANDS([0-9]*, NN_ENGINE_CLUSTER)' " + dir + "/cluster/network.c");
    EXPECT_NE(tag.out, "0\n");
    RunResult no_npu = run_capture("grep -c 'NN_ENGINE_NPU' " + dir + "/cluster/network.c");
    EXPECT_EQ(no_npu.out, "0\n");
    /* main.c is the harness template without its "//!" notes */
    RunResult h = run_capture("grep -v '^//!' " ORTIGIA_FW_SRC "/harness/main.c | cmp - " + dir + "/auto/main.c");
    EXPECT_EQ(h.status, 0) << h.out;
    /* a firmware folder without the template: a clear error */
    RunResult nt = run_capture("ORTIGIA_FIRMWARE_SRC=" + dir + " " ORTIGIA_BIN " compile " + dir + "/m.onnx -o " +
                               dir + "/nt 2>&1");
    EXPECT_EQ(nt.status, 2);
    EXPECT_NE(nt.out.find(dir + "/harness/main.c"), std::string::npos) << nt.out;
}

TEST(CompilerCli, AnOutputThatIsAnInput)
{
    ob_model *m = ob_new();
    ob_input(m, "x", 3, 2, d23);
    ob_output(m, "x", 3, 2, d23);
    std::string dir = temp_dir();
    ASSERT_EQ(ob_write(m, (dir + "/m.onnx").c_str()), 0);
    RunResult r = ortigia("compile " + dir + "/m.onnx -o " + dir + "/out");
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.out.find("output 'x' is a graph input"), std::string::npos) << r.out;
    ob_free(m);
}

TEST(Memplan, NoOverlapAndThePeakAtLeastTheLowerBound)
{
    std::mt19937 rng(7);
    for (int trial = 0; trial < 50; trial++) {
        int n = 1 + (int)(rng() % 40);
        std::vector<ort_buffer> b(n);
        for (auto &x : b) {
            x.size = 1 + (int64_t)(rng() % 5000);
            x.first = (int)(rng() % 30);
            x.last = x.first + (int)(rng() % 10);
        }
        int64_t bound;
        int64_t peak = ort_memplan(b.data(), n, 4, &bound);
        EXPECT_GE(peak, bound);
        int64_t live_max = 0;
        for (int s = 0; s < 40; s++) {
            int64_t live = 0;
            for (auto &x : b)
                if (x.first <= s && s <= x.last)
                    live += (x.size + 3) / 4 * 4;
            live_max = std::max(live_max, live);
        }
        EXPECT_EQ(bound, live_max);
        for (int i = 0; i < n; i++) {
            EXPECT_EQ(b[i].offset % 4, 0);
            EXPECT_LE(b[i].offset + b[i].size, peak);
            for (int j = i + 1; j < n; j++) {
                bool live_together = !(b[i].last < b[j].first || b[j].last < b[i].first);
                bool apart = b[i].offset + b[i].size <= b[j].offset || b[j].offset + b[j].size <= b[i].offset;
                EXPECT_TRUE(!live_together || apart) << "buffers " << i << " and " << j;
            }
        }
    }
}

TEST(Tiling, BuffersFitTheBudgetAndCoverEveryUnit)
{
    for (int64_t budget : {1024, 4096, 65536}) {
        ort_tile_plan p{};
        p.units = 1000;
        p.n = 3;
        p.op[0].mode = NN_ROWS;
        p.op[0].unit_bytes = 64;
        p.op[1].mode = NN_WHOLE;
        p.op[1].bytes = 512;
        p.op[2].mode = NN_OUT_ROWS;
        p.op[2].unit_bytes = 16;
        ort_tile(&p, budget, 1, 4);
        EXPECT_LE(p.l1_bytes, budget);
        EXPECT_GE(p.tiles * p.tile_units, p.units);
        EXPECT_LT((p.tiles - 1) * p.tile_units, p.units);
        if (p.tiles > 1) { /* double buffered, disjoint */
            EXPECT_GE(p.op[0].l1_off[1], p.op[0].l1_off[0] + p.tile_units * 64);
        }
        EXPECT_EQ(p.op[1].mode, NN_WHOLE);
    }
    /* A whole operand larger than the budget stays in place. */
    ort_tile_plan p{};
    p.units = 10;
    p.n = 2;
    p.op[0].mode = NN_WHOLE;
    p.op[0].bytes = 100000;
    p.op[1].mode = NN_OUT_ROWS;
    p.op[1].unit_bytes = 8;
    ort_tile(&p, 4096, 1, 1);
    EXPECT_EQ(p.op[0].mode, NN_INPLACE);
    EXPECT_EQ(p.op[0].was, NN_WHOLE);
    EXPECT_EQ(p.op[1].mode, NN_OUT_ROWS);
    EXPECT_LE(p.l1_bytes, 4096);
}

TEST(Npz, WriteThenReadGivesTheSameArrays)
{
    ort_array a[2] = {};
    snprintf(a[0].name, sizeof a[0].name, "input_0");
    a[0].shape = {2, {3, 4}};
    std::vector<int64_t> v0(12), v1 = {-5, 1LL << 40};
    for (int i = 0; i < 12; i++)
        v0[i] = i * 37 - 200;
    a[0].data = v0.data();
    snprintf(a[1].name, sizeof a[1].name, "b");
    a[1].shape = {1, {2}};
    a[1].data = v1.data();
    ort_npz npz{a, 2, nullptr}, back{};
    std::string path = temp_dir() + "/t.npz";
    ort_diag d{};
    ASSERT_EQ(ort_npz_write(path.c_str(), &npz, &d), 0) << d.msg;
    ASSERT_EQ(ort_npz_read(path.c_str(), &back, &d), 0) << d.msg;
    ASSERT_EQ(back.n, 2);
    EXPECT_STREQ(back.arrays[0].name, "input_0");
    EXPECT_TRUE(ort_shape_equal(&back.arrays[0].shape, &a[0].shape));
    for (int i = 0; i < 12; i++)
        EXPECT_EQ(back.arrays[0].data[i], v0[i]);
    EXPECT_EQ(back.arrays[1].data[1], 1LL << 40);
    ort_npz_free(&back);
    /* Cut short: an error naming the file, no crash. */
    std::string cut = path + ".cut";
    FILE *in = fopen(path.c_str(), "rb"), *out = fopen(cut.c_str(), "wb");
    char buf[100];
    size_t n = fread(buf, 1, sizeof buf, in);
    fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
    EXPECT_NE(ort_npz_read(cut.c_str(), &back, &d), 0);
    EXPECT_NE(std::string(d.msg).find(cut), std::string::npos) << d.msg;
}

TEST(Npz, HeaderShapesAreCheckedBeforeTheirCount)
{
    /* (2^32, 2^32) counts to 0 in 64 bits; a negative size; both refused. */
    const struct {
        const char *shape, *message;
    } cases[] = {
        {"(4294967296, 4294967296)", "t.npz:x.npy: the .npy header's shape: shape [4294967296,4294967296] has more "
                                     "than 268435456 elements"},
        {"(3, -1)", "t.npz:x.npy: bad shape in .npy header"},
    };
    for (const auto &c : cases) {
        const char *shape = c.shape;
        std::string hdr = std::string("{'descr': '<i8', 'fortran_order': False, 'shape': ") + shape + ", }";
        hdr.resize(118, ' ');
        hdr += '\n';
        std::string npy = std::string("\x93NUMPY\x01\x00", 8) + char(hdr.size() & 0xff) + char(hdr.size() >> 8) + hdr;
        ort_array a{};
        ort_diag d{};
        EXPECT_NE(ort_npy_parse((const unsigned char *)npy.data(), npy.size(), &a, "t.npz:x.npy", &d), 0) << shape;
        EXPECT_NE(std::string(d.msg).find(c.message), std::string::npos) << d.msg;
        free(a.data);
    }
}

/* ---- networks checked against the reference interpreter --------------- */

/* Writes dir/network.onnx, inputs.npz (random int8 values) and
 * outputs.npz (the reference interpreter's results). */
void make_test_folder(ob_model *m, const std::string &dir, const std::vector<std::vector<int64_t>> &input_dims,
                      unsigned seed)
{
    std::string model = dir + "/network.onnx";
    ASSERT_EQ(ob_write(m, model.c_str()), 0);
    std::mt19937 rng(seed);
    std::vector<ort_array> arrays(input_dims.size());
    std::vector<std::vector<int64_t>> data(input_dims.size());
    for (size_t i = 0; i < input_dims.size(); i++) {
        snprintf(arrays[i].name, sizeof arrays[i].name, "input_%zu", i);
        arrays[i].shape.rank = (int)input_dims[i].size();
        int64_t count = 1;
        for (size_t k = 0; k < input_dims[i].size(); k++) {
            arrays[i].shape.dim[k] = input_dims[i][k];
            count *= input_dims[i][k];
        }
        data[i].resize((size_t)count);
        for (auto &v : data[i])
            v = (int64_t)(rng() % 256) - 128;
        arrays[i].data = data[i].data();
    }
    ort_npz inputs{arrays.data(), (int)arrays.size(), nullptr};
    ort_diag d{};
    ASSERT_EQ(ort_npz_write((dir + "/inputs.npz").c_str(), &inputs, &d), 0) << d.msg;
    ort_graph *g = ort_frontend(model.c_str(), &inputs, true, &d);
    ASSERT_NE(g, nullptr) << d.msg;
    int64_t **values = nullptr;
    ASSERT_EQ(ort_ref_run(g, &inputs, &values, &d), 0) << d.msg;
    std::vector<ort_array> outs(g->n_outputs);
    for (int i = 0; i < g->n_outputs; i++) {
        snprintf(outs[i].name, sizeof outs[i].name, "output_%d", i);
        outs[i].shape = g->tensors[g->outputs[i]].shape;
        outs[i].data = values[g->outputs[i]];
    }
    ort_npz expected{outs.data(), (int)outs.size(), nullptr};
    ASSERT_EQ(ort_npz_write((dir + "/outputs.npz").c_str(), &expected, &d), 0) << d.msg;
    ort_ref_free(g, values);
    ort_graph_free(g);
}

/* Runs the folder on the simulator with each set of options (a budget that
 * tiles, an engine) and expects the reference's outputs. */
void expect_simulator_matches(const std::string &dir,
                              std::initializer_list<const char *> options = {"", "--l1-budget 1024"})
{
    for (const char *opt : options) {
        RunResult r = ortigia(std::string("test-network ") + opt + " " + dir);
        EXPECT_EQ(r.status, 0) << opt << "\n" << r.out;
        EXPECT_NE(r.out.find("Errors: 0 out of"), std::string::npos) << opt << "\n" << r.out;
    }
}

void add_rqs(ob_model *m, const char *name, const char *x, const char *y, int64_t mul, int64_t div, bool sgn)
{
    std::string mn = std::string(name) + ".mul", an = std::string(name) + ".add";
    const int64_t zero = 0;
    ob_const(m, mn.c_str(), 1, d1, &mul);
    ob_const(m, an.c_str(), 1, d1, &zero);
    const char *in[] = {x, mn.c_str(), an.c_str()};
    int n = ob_node(m, "RequantShift", name, 3, in, y);
    ob_attr_tensor(m, n, "div", (float)div);
    ob_attr_tensor(m, n, "n_levels_out", 256);
    ob_attr_tensor(m, n, "signed", sgn ? 1 : 0);
}

TEST(CompilerNetworks, ProjectionWithBiasAndRequantization)
{
    /* [5,40] x [40,24] + bias, requantized: M, N, K not multiples of 4 or
     * 8, columns tiled. */
    for (int64_t K : {40, 37}) {
        ob_model *m = ob_new();
        const int64_t xd[] = {5, K}, wd[] = {K, 24}, bd[] = {24};
        std::vector<int64_t> w(K * 24), b(24);
        std::mt19937 rng(3);
        for (auto &v : w)
            v = (int64_t)(rng() % 256) - 128;
        for (auto &v : b)
            v = (int64_t)(rng() % 2001) - 1000;
        ob_input(m, "x", 1, 2, xd);
        ob_const(m, "w", 2, wd, w.data());
        ob_const(m, "b", 1, bd, b.data());
        const char *mm[] = {"x", "w"}, *add[] = {"xw", "b"};
        ob_node(m, "MatMul", "proj", 2, mm, "xw");
        ob_node(m, "Add", "bias", 2, add, "xwb");
        add_rqs(m, "rq", "xwb", "y", 97, 65536, true);
        ob_output(m, "y", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {{5, K}}, 11);
        expect_simulator_matches(dir);
        ob_free(m);
    }
}

TEST(CompilerNetworks, RunsAreDeterministicAndTheNetworkIsAPowerRegion)
{
    ob_model *m = ob_new();
    const int64_t xd[] = {4, 32}, wd[] = {32, 16};
    std::vector<int64_t> w(32 * 16);
    for (size_t i = 0; i < w.size(); i++)
        w[i] = (int64_t)(i * 7 % 255) - 127;
    ob_input(m, "x", 1, 2, xd);
    ob_const(m, "w", 2, wd, w.data());
    ob_node(m, "MatMul", "proj", 2, IN("x", "w"), "xw");
    add_rqs(m, "rq", "xw", "y", 9, 2048, true);
    ob_output(m, "y", 1, -1, nullptr);
    std::string dir = temp_dir();
    make_test_folder(m, dir, {{4, 32}}, 21);
    RunResult a = ortigia("test-network -o " + dir + "/out " + dir);
    RunResult b = ortigia("test-network " + dir);
    ASSERT_EQ(a.status, 0) << a.out;
    size_t at = a.out.find("Cycles: ");
    ASSERT_NE(at, std::string::npos) << a.out;
    std::string cycles = a.out.substr(at, a.out.find('\n', at) - at);
    EXPECT_NE(b.out.find(cycles), std::string::npos) << cycles << " vs\n" << b.out;
    RunResult p = ortigia("run --power " + dir + "/out/network.elf");
    EXPECT_EQ(p.status, 0) << p.out;
    EXPECT_NE(p.out.find(" network "), std::string::npos) << p.out;
    ob_free(m);
}

TEST(CompilerNetworks, AttentionLikeBatchedProductsTransposesAndSoftmax)
{
    /* q [2,6,8] x k^T -> softmax -> x v [2,6,8]: batched activation
     * products, a folded transpose, the softmax table, a broadcast add. */
    ob_model *m = ob_new();
    const int64_t qd[] = {2, 6, 8}, md[] = {6};
    std::vector<int64_t> mask(6);
    for (int i = 0; i < 6; i++)
        mask[i] = i % 3 - 1;
    ob_input(m, "q", 1, 3, qd);
    ob_input(m, "k", 1, 3, qd);
    ob_input(m, "v", 1, 3, qd);
    ob_const(m, "mask", 1, md, mask.data());
    const char *tk[] = {"k"};
    int t = ob_node(m, "Transpose", "kt", 1, tk, "kT");
    const int64_t perm[] = {0, 2, 1};
    ob_attr_ints(m, t, "perm", perm, 3);
    const char *qk[] = {"q", "kT"};
    ob_node(m, "MatMul", "scores", 2, qk, "s");
    add_rqs(m, "rq1", "s", "s8", 3, 256, true);
    const char *am[] = {"s8", "mask"};
    ob_node(m, "Add", "masked", 2, am, "sm");
    int sm = ob_node(m, "iSoftmax", "softmax", 1, IN("sm"), "p");
    ob_attr_tensor(m, sm, "coeffA", 1);
    ob_attr_tensor(m, sm, "coeffB", 86);
    ob_attr_tensor(m, sm, "coeffC", 3888);
    ob_attr_tensor(m, sm, "log2", 64);
    ob_attr_tensor(m, sm, "n_levels", 256);
    const char *pv[] = {"p", "v"};
    ob_node(m, "MatMul", "context", 2, pv, "c");
    add_rqs(m, "rq2", "c", "y", 5, 1024, true);
    ob_output(m, "y", 1, -1, nullptr);
    std::string dir = temp_dir();
    make_test_folder(m, dir, {{2, 6, 8}, {2, 6, 8}, {2, 6, 8}}, 5);
    expect_simulator_matches(dir);
    ob_free(m);
}

/* A RequantShift with per-output-channel (or, rows: per-row) mul and add. */
void add_rqs_vec(ob_model *m, const char *name, const char *x, const char *y, const std::vector<int64_t> &mul,
                 const std::vector<int64_t> &add, int64_t div, bool sgn, bool rows = false)
{
    std::string mn = std::string(name) + ".mul", an = std::string(name) + ".add";
    const int64_t dn[] = {(int64_t)mul.size()}, dr[] = {(int64_t)mul.size(), 1};
    ob_const(m, mn.c_str(), rows ? 2 : 1, rows ? dr : dn, mul.data());
    ob_const(m, an.c_str(), rows ? 2 : 1, rows ? dr : dn, add.data());
    int n = ob_node(m, "RequantShift", name, 3, IN(x, mn.c_str(), an.c_str()), y);
    ob_attr_tensor(m, n, "div", (float)div);
    ob_attr_tensor(m, n, "n_levels_out", 256);
    ob_attr_tensor(m, n, "signed", sgn ? 1 : 0);
}

struct NpuCase {
    int64_t M, K, N;
    bool unsigned_a, bias, relu, gemm, raw, tail;
    int64_t widen = 0; /* with tail: the output is q times this, in int32 */
};

/* x [M,K] (uint8 through a first RequantShift when unsigned_a) times
 * constant int8 weights, then the epilogue the case names. */
ob_model *npu_case_model(const NpuCase &c, unsigned seed)
{
    std::mt19937 rng(seed);
    auto rnd = [&](int64_t lo, int64_t hi) { return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1)); };
    ob_model *m = ob_new();
    const int64_t xd[] = {c.M, c.K}, wd[] = {c.K, c.N}, wtd[] = {c.N, c.K}, nd[] = {c.N};
    ob_input(m, "x", 1, 2, xd);
    const char *a = "x";
    if (c.unsigned_a) {
        add_rqs(m, "to_u8", "x", "xu", 3, 2, false);
        a = "xu";
    }
    std::vector<int64_t> w(c.K * c.N), b(c.N), cc(c.N), mul(c.N), add(c.N);
    for (auto &v : w)
        v = rnd(-128, 127);
    for (auto &v : b)
        v = rnd(-3000, 3000);
    for (auto &v : cc)
        v = rnd(-500, 500);
    for (auto &v : mul)
        v = rnd(1, 180);
    for (auto &v : add)
        v = rnd(-20000, 20000);
    if (c.gemm) { /* Gemm with transB and a per-column C */
        ob_const(m, "w", 2, wtd, w.data());
        ob_const(m, "c", 1, nd, cc.data());
        int g = ob_node(m, "Gemm", "proj", 3, IN(a, "w", "c"), "p");
        ob_attr_int(m, g, "transB", 1);
    } else {
        ob_const(m, "w", 2, wd, w.data());
        ob_node(m, "MatMul", "proj", 2, IN(a, "w"), "p");
    }
    const char *cur = "p";
    if (c.bias) {
        ob_const(m, "b", 1, nd, b.data());
        ob_node(m, "Add", "bias", 2, IN("p", "b"), "pb");
        cur = "pb";
    }
    if (!c.raw)
        add_rqs_vec(m, "rq", cur, c.tail ? "q" : "y", mul, add, 1 << 14, !c.relu);
    if (c.tail && c.widen) { /* a table into int32 values */
        ob_const(m, "widen", 1, d1, &c.widen);
        ob_node(m, "Mul", "widen", 2, IN("q", "widen"), "y");
    } else if (c.tail) { /* scalar links after the requantization: a table on the cores */
        const int64_t three = 3;
        ob_const(m, "three", 1, d1, &three);
        ob_node(m, "Mul", "times3", 2, IN("q", "three"), "q3");
        add_rqs(m, "rq2", "q3", "y", 1, 4, true);
    }
    ob_output(m, c.raw ? "p" : "y", 1, -1, nullptr);
    return m;
}

TEST(CompilerNetworks, NpuProductsAreBitExactOnRemaindersAndEpilogues)
{
    /* Rows, K and N at, below and past the NPU's 6x6 pixels and 32
     * channels; signed and unsigned activations, ReLU, bias, Gemm's C,
     * raw accumulators, a table after the requantization. */
    const NpuCase cases[] = {
        {1, 64, 64, false, true, false, false, false, false},
        {5, 37, 33, false, false, false, false, false, false},
        {64, 100, 70, false, true, false, false, false, false},
        {37, 3, 1, true, false, true, false, false, false},
        {8, 32, 32, false, false, false, true, false, false},
        {13, 45, 31, false, false, false, false, true, false},
        {20, 70, 40, true, true, true, false, false, true},
        {7, 33, 65, false, true, false, true, false, true},
        /* tables into int32 (a residual branch's scaled term) */
        {1, 64, 64, false, false, false, false, false, true, 9629},
        {19, 40, 36, true, true, true, false, false, true, 100},
    };
    unsigned seed = 1;
    for (const NpuCase &c : cases) {
        SCOPED_TRACE(testing::Message() << "M " << c.M << " K " << c.K << " N " << c.N);
        ob_model *m = npu_case_model(c, seed++);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {{c.M, c.K}}, seed);
        ob_free(m);
        /* a budget that tiles the rows (the int32 table takes 1 KiB) */
        std::string tiles = c.widen ? "--engine npu --l1-budget 3072" : "--engine npu --l1-budget 1024";
        for (const std::string &opt : {std::string("--engine npu"), tiles}) {
            RunResult r = ortigia("test-network -o " + dir + "/out " + opt + " " + dir);
            EXPECT_EQ(r.status, 0) << opt << "\n" << r.out;
            EXPECT_NE(r.out.find("Errors: 0 out of"), std::string::npos) << opt << "\n" << r.out;
            RunResult rep = run_capture("grep -c '(MatMul)  npu\\|(Gemm)  npu' " + dir + "/out/report.txt");
            EXPECT_EQ(rep.out, "1\n") << opt;
            RunResult wide = run_capture("grep -c 'nn_npu_tail_i32(' " + dir + "/out/network.c");
            EXPECT_EQ(wide.out, c.widen ? "1\n" : "0\n") << opt;
        }
    }
}

TEST(CompilerNetworks, AProductTheNpuCannotRunIsAnErrorWhenForced)
{
    /* Requantized per row: the NPU's scale is per output channel. */
    ob_model *m = ob_new();
    const int64_t xd[] = {4, 16}, wd[] = {16, 8};
    std::vector<int64_t> w(16 * 8, 3), mul = {1, 2, 3, 4}, add = {0, 0, 0, 0};
    ob_input(m, "x", 1, 2, xd);
    ob_const(m, "w", 2, wd, w.data());
    ob_node(m, "MatMul", "proj", 2, IN("x", "w"), "p");
    add_rqs_vec(m, "rq", "p", "y", mul, add, 256, true, true);
    ob_output(m, "y", 1, -1, nullptr);
    std::string dir = temp_dir();
    make_test_folder(m, dir, {{4, 16}}, 5);
    ob_free(m);
    RunResult forced = ortigia("test-network --engine npu " + dir);
    EXPECT_EQ(forced.status, 2) << forced.out;
    EXPECT_NE(forced.out.find("node 'proj' (MatMul): --engine npu: requantization 'rq' varies along the rows"),
              std::string::npos)
        << forced.out;
    /* auto: the cores run it */
    expect_simulator_matches(dir);
}

TEST(CompilerNetworks, EveryReasonTheNpuRefusesAProductIsNamed)
{
    /* Per channel, but not exact on the NPU: a clip narrower than 8 bits,
     * a requantization whose values need more than 32 bits, a full C. */
    struct Case {
        const char *what, *message;
        int64_t mul, levels;
        bool full_c;
    } cases[] = {
        {"levels", "requantization 'rq' clips to [-8, 7]; the NPU clips to int8 or uint8 only", 3, 16, false},
        {"wide", "requantization 'rq' needs more than 32 bits", 1 << 20, 256, false},
        {"fullc", "Gemm's C varies along the rows", 3, 256, true},
    };
    for (const Case &c : cases) {
        SCOPED_TRACE(c.what);
        ob_model *m = ob_new();
        const int64_t xd[] = {4, 16}, wd[] = {16, 8}, cd[] = {4, 8}, dn[] = {8};
        std::vector<int64_t> w(16 * 8, 100), cm(4 * 8, 7), mul(8, c.mul), add(8, 0);
        ob_input(m, "x", 1, 2, xd);
        ob_const(m, "w", 2, wd, w.data());
        if (c.full_c) {
            ob_const(m, "c", 2, cd, cm.data());
            ob_node(m, "Gemm", "proj", 3, IN("x", "w", "c"), "p");
        } else {
            ob_node(m, "MatMul", "proj", 2, IN("x", "w"), "p");
        }
        ob_const(m, "rq.mul", 1, dn, mul.data());
        ob_const(m, "rq.add", 1, dn, add.data());
        int r = ob_node(m, "RequantShift", "rq", 3, IN("p", "rq.mul", "rq.add"), "y");
        ob_attr_tensor(m, r, "div", (float)(1 << 24));
        ob_attr_tensor(m, r, "n_levels_out", (float)c.levels);
        ob_attr_tensor(m, r, "signed", 1);
        ob_output(m, "y", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {{4, 16}}, 9);
        ob_free(m);
        RunResult forced = ortigia("test-network --engine npu " + dir);
        EXPECT_EQ(forced.status, 2) << forced.out;
        EXPECT_NE(forced.out.find("node 'proj'"), std::string::npos) << forced.out;
        EXPECT_NE(forced.out.find(c.message), std::string::npos) << forced.out;
        /* auto: the cores run it, bit-exact */
        RunResult a = ortigia("test-network " + dir);
        EXPECT_EQ(a.status, 0) << a.out;
        EXPECT_NE(a.out.find("Errors: 0 out of"), std::string::npos) << a.out;
    }
}

TEST(CompilerNetworks, ATableOperatorAloneAndAsAnEpilogue)
{
    /* iLut: y = table[x + 128]; alone on a graph input, and after a
     * product's requantization (an epilogue link). */
    ob_model *m = ob_new();
    const int64_t xd[] = {6, 40}, wd[] = {40, 12};
    std::vector<int64_t> w(40 * 12), tab(256);
    std::mt19937 rng(4);
    for (auto &v : w)
        v = (int64_t)(rng() % 256) - 128;
    for (int i = 0; i < 256; i++) /* a SiLU-like curve, into int8 */
        tab[(size_t)i] = std::max<int64_t>(-128, std::min<int64_t>(127, (int64_t)std::lround(
                             (i - 128) / (1.0 + std::exp(-(i - 128) / 32.0)))));
    ob_input(m, "x", 1, 2, xd);
    ob_const(m, "w", 2, wd, w.data());
    int l1 = ob_node(m, "iLut", "lut_in", 1, IN("x"), "xl");
    ob_attr_ints(m, l1, "table", tab.data(), 256);
    ob_node(m, "MatMul", "proj", 2, IN("xl", "w"), "p");
    add_rqs(m, "rq", "p", "q", 3, 4096, true);
    int l2 = ob_node(m, "iLut", "lut_out", 1, IN("q"), "y");
    ob_attr_ints(m, l2, "table", tab.data(), 256);
    ob_output(m, "y", 1, -1, nullptr);
    std::string dir = temp_dir();
    make_test_folder(m, dir, {{6, 40}}, 8);
    ob_free(m);
    expect_simulator_matches(dir);
    RunResult c = ortigia("test-network --engine cluster " + dir);
    EXPECT_NE(c.out.find("Errors: 0 out of"), std::string::npos) << c.out;
}

TEST(CompilerNetworks, ConcatTransposeNormAndActivations)
{
    ob_model *m = ob_new();
    const int64_t ad[] = {3, 5, 7}, bd[] = {3, 2, 7}, wd[] = {7};
    std::vector<int64_t> w(7);
    for (int i = 0; i < 7; i++)
        w[i] = 100000 + 50000 * i;
    ob_input(m, "a", 1, 3, ad);
    ob_input(m, "b", 1, 3, bd);
    ob_const(m, "w", 1, wd, w.data());
    int c = ob_node(m, "Concat", "cat", 2, IN("a", "b"), "ab");
    ob_attr_int(m, c, "axis", 1);
    int t = ob_node(m, "Transpose", "tr", 1, IN("ab"), "abt");
    const int64_t perm[] = {2, 0, 1};
    ob_attr_ints(m, t, "perm", perm, 3);
    int n = ob_node(m, "iRMSNorm", "norm", 2, IN("ab", "w"), "nrm");
    ob_attr_int(m, n, "D", 65536);
    ob_attr_int(m, n, "n_levels", 256);
    int h = ob_node(m, "iHardswish", "hs", 1, IN("nrm"), "hsw");
    ob_attr_int(m, h, "one_over_six", 42);
    ob_attr_int(m, h, "six", 244);
    ob_attr_int(m, h, "three", 122);
    add_rqs(m, "rq", "hsw", "y1", 3, 4096, false);
    ob_output(m, "abt", 1, -1, nullptr);
    ob_output(m, "y1", 1, -1, nullptr);
    std::string dir = temp_dir();
    make_test_folder(m, dir, {{3, 5, 7}, {3, 2, 7}}, 9);
    expect_simulator_matches(dir);
    ob_free(m);
}

/* Products with K = 4 (attention scores of 4-wide heads) take their own
 * blocks of 8 columns with one dot instruction per output: rows odd and
 * even (1- and 2-row blocks), columns not a multiple of 8, a masking add
 * and two requantizations (one the identity) in the epilogue. */
TEST(CompilerNetworks, ProductsOfKFourWithRemainders)
{
    for (int64_t M : {5, 6}) {
        ob_model *m = ob_new();
        const int64_t qd[] = {3, M, 4}, kd[] = {3, 13, 4}, md[] = {13};
        std::vector<int64_t> mask(13);
        for (int i = 0; i < 13; i++)
            mask[i] = i % 4 == 0 ? -100 : 0;
        ob_input(m, "q", 1, 3, qd);
        ob_input(m, "k", 1, 3, kd);
        ob_const(m, "mask", 1, md, mask.data());
        int t = ob_node(m, "Transpose", "kt", 1, IN("k"), "kT");
        const int64_t perm[] = {0, 2, 1};
        ob_attr_ints(m, t, "perm", perm, 3);
        ob_node(m, "MatMul", "scores", 2, IN("q", "kT"), "s");
        add_rqs(m, "rq1", "s", "s8", 953, 65536, true);
        ob_node(m, "Add", "masked", 2, IN("s8", "mask"), "sm");
        add_rqs(m, "rq2", "sm", "y", 65536, 65536, true);
        ob_output(m, "y", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {{3, M, 4}, {3, 13, 4}}, 17 + (unsigned)M);
        expect_simulator_matches(dir);
        RunResult r = ortigia("compile " + dir + "/network.onnx -o " + dir + "/out");
        ASSERT_EQ(r.status, 0) << r.out;
        std::ifstream c(dir + "/out/network.c");
        std::string code((std::istreambuf_iterator<char>(c)), std::istreambuf_iterator<char>());
        EXPECT_NE(code.find("NN_DOT1_i8_i8(x0, w7)"), std::string::npos) << M;
        ob_free(m);
    }
}

/* Convolutions of random odd shapes against the reference interpreter:
 * 1-D and 2-D, every stride and dilation up to 3, explicit (asymmetric)
 * padding and each auto_pad, dense, depthwise and grouped, with and
 * without a bias, requantized per channel; at budgets that keep the
 * im2col kernel, tile by output rows with halos, and read in place. */
TEST(CompilerNetworks, ConvolutionsOfRandomShapes)
{
    std::mt19937 rng(2026);
    auto pick = [&](int lo, int hi) { return lo + (int)(rng() % (unsigned)(hi - lo + 1)); };
    const char *autopads[] = {"NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"};
    for (int t = 0; t < 14; t++) {
        int sp = t % 3 == 2 ? 1 : 2;
        int form = t % 4; /* 0 dense, 1 depthwise, 2 grouped, 3 grouped with few channels a group */
        int64_t G = form == 0 ? 1 : form == 1 ? pick(2, 5) : pick(2, 3);
        int64_t Cg = form == 1 ? 1 : pick(1, 7), C = G * Cg;
        int64_t Mg = form == 1 ? 1 : form == 3 ? pick(1, 3) : pick(4, 9), M = G * Mg;
        int64_t H = pick(5, 13), W = sp == 2 ? pick(4, 11) : 1;
        int64_t k[2] = {pick(1, 4), sp == 2 ? pick(1, 4) : 1}, st[2] = {pick(1, 3), pick(1, 3)};
        int64_t dl[2] = {pick(1, 2), pick(1, 2)};
        const char *ap = autopads[t % 4];
        int64_t pads[4] = {pick(0, 2), pick(0, 2), pick(0, 3), pick(0, 3)};
        bool bias = t % 2 == 1;
        SCOPED_TRACE("conv " + std::to_string(t) + ": sp " + std::to_string(sp) + " G " + std::to_string(G) +
                     " N " + std::to_string(t % 5 == 3 ? 2 : 1) +
                     " C " + std::to_string(C) + " M " + std::to_string(M) + " H " + std::to_string(H) + " W " +
                     std::to_string(W) + " k " + std::to_string(k[0]) + "x" + std::to_string(k[1]) + " s " +
                     std::to_string(st[0]) + "," + std::to_string(st[1]) + " d " + std::to_string(dl[0]) + "," +
                     std::to_string(dl[1]) + " " + ap);
        /* a window that the (unpadded) input holds */
        for (int i = 0; i < sp; i++)
            while ((k[i] - 1) * dl[i] + 1 > (i ? W : H))
                k[i]--;
        ob_model *m = ob_new();
        /* two images now and then: the batch is one more axis of the planes */
        std::vector<int64_t> xd = {t % 5 == 3 ? 2 : 1, C, H}, wd = {M, Cg, k[0]};
        if (sp == 2) {
            xd.push_back(W);
            wd.push_back(k[1]);
        }
        std::vector<int64_t> w((size_t)(M * Cg * k[0] * k[1])), b((size_t)M), mul((size_t)M), add((size_t)M);
        for (auto &v : w)
            v = (int64_t)(rng() % 256) - 128;
        for (auto &v : b)
            v = (int64_t)(rng() % 4001) - 2000;
        for (auto &v : mul)
            v = 1 + (int64_t)(rng() % 200);
        for (auto &v : add)
            v = (int64_t)(rng() % 20001) - 10000;
        const int64_t md[] = {M, 1, 1};
        ob_input(m, "x", 1, (int)xd.size(), xd.data());
        ob_const(m, "w", (int)wd.size(), wd.data(), w.data());
        ob_const(m, "b", 1, &M, b.data());
        ob_const(m, "rq.mul", sp == 2 ? 3 : 2, md, mul.data());
        ob_const(m, "rq.add", sp == 2 ? 3 : 2, md, add.data());
        int n = bias ? ob_node(m, "Conv", "conv", 3, IN("x", "w", "b"), "acc")
                     : ob_node(m, "Conv", "conv", 2, IN("x", "w"), "acc");
        ob_attr_ints(m, n, "kernel_shape", k, sp);
        ob_attr_ints(m, n, "strides", st, sp);
        ob_attr_ints(m, n, "dilations", dl, sp);
        ob_attr_int(m, n, "group", G);
        if (t % 4 == 0) {
            const int64_t p2[] = {pads[0], pads[1], pads[2], pads[3]}, p1[] = {pads[0], pads[2]};
            ob_attr_ints(m, n, "pads", sp == 2 ? p2 : p1, 2 * sp);
        }
        ob_attr_string(m, n, "auto_pad", ap);
        int r = ob_node(m, "RequantShift", "rq", 3, IN("acc", "rq.mul", "rq.add"), "y");
        ob_attr_tensor(m, r, "div", 4096);
        ob_attr_tensor(m, r, "n_levels_out", 256);
        ob_attr_tensor(m, r, "signed", 1);
        ob_output(m, "y", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {xd}, 40 + (unsigned)t);
        expect_simulator_matches(dir, {"", "--l1-budget 4096", "--l1-budget 1024"});
        ob_free(m);
    }
}

/* The convolutions the NPU runs, of random shapes, forced onto it and
 * checked against the reference interpreter: 1x1 (strides 1..3), 3x3
 * dense and depthwise (strides 1 and 2, asymmetric padding up to 2),
 * other dense windows (sizes up to 4x4, dilations, strides up to 3,
 * padding up to 3) as 1x1 jobs on gathered windows,
 * channel counts across the NPU's 28- and 32-channel subtiles, images
 * across its 6x6 spatial subtiles, one or two images, a bias or none,
 * int8 or uint8 (ReLU) results; a requantization the NPU cannot express
 * exactly (its products beyond 32 bits) keeps the epilogue on the cores.
 * At the default budget and at one that tiles the rows. */
TEST(CompilerNetworks, NpuConvolutionsOfRandomShapes)
{
    int tiled = 0;
    std::mt19937 rng(1807);
    auto pick = [&](int lo, int hi) { return lo + (int)(rng() % (unsigned)(hi - lo + 1)); };
    for (int t = 0; t < 32; t++) {
        int form = t % 4; /* 0 pointwise, 1 3x3 dense, 2 3x3 depthwise, 3 other dense (gathered) */
        int64_t C = pick(1, 40), M = form == 2 ? C : pick(1, 40);
        int64_t H = pick(3, 14), W = pick(3, 14), N = t % 5 == 3 ? 2 : 1;
        int64_t k = form == 0 ? 1 : 3, G = form == 2 ? C : 1;
        int64_t st[2] = {form == 0 ? pick(1, 3) : pick(1, 2), form == 0 ? pick(1, 3) : pick(1, 2)};
        int64_t pads[4] = {0, 0, 0, 0}, dl[2] = {1, 1}, kw = k;
        if (form != 0)
            for (auto &p : pads)
                p = pick(0, 2);
        if (form == 3) { /* any window: sizes, dilations, strides up to 3, padding up to 3 */
            C = pick(1, 12);
            k = pick(1, 4), kw = pick(1, 4), dl[0] = pick(1, 2), dl[1] = pick(1, 2);
            st[0] = pick(1, 3), st[1] = pick(1, 3);
            for (auto &p : pads)
                p = pick(0, 3);
            if ((k == 1 && kw == 1) || (k == 3 && kw == 3 && dl[0] == 1 && dl[1] == 1))
                pads[0] = 3; /* not a native form */
            H = std::max<int64_t>(H, (k - 1) * dl[0] + 1), W = std::max<int64_t>(W, (kw - 1) * dl[1] + 1);
            for (int i = 0; i < 2; i++)
                if (pads[i] > (i ? kw - 1 : k - 1) * dl[i])
                    pads[i] = pads[i + 2] = 0; /* ONNX: a pad within the window */
            if (pads[2] > (k - 1) * dl[0])
                pads[2] = 0;
            if (pads[3] > (kw - 1) * dl[1])
                pads[3] = 0;
        }
        bool bias = t % 2 == 0, sgn = t % 5 != 1, wide = t % 8 == 4;
        SCOPED_TRACE("npu conv " + std::to_string(t) + ": form " + std::to_string(form) + " N " + std::to_string(N) +
                     " C " + std::to_string(C) + " M " + std::to_string(M) + " H " + std::to_string(H) + " W " +
                     std::to_string(W) + " s " + std::to_string(st[0]) + "," + std::to_string(st[1]) + " pads " +
                     std::to_string(pads[0]) + std::to_string(pads[1]) + std::to_string(pads[2]) +
                     std::to_string(pads[3]) + (wide ? " wide requantization" : ""));
        ob_model *m = ob_new();
        std::vector<int64_t> xd = {N, C, H, W}, wd = {M, C / G, k, kw};
        std::vector<int64_t> w((size_t)(M * (C / G) * k * kw)), b((size_t)M), mul((size_t)M), add((size_t)M);
        for (auto &v : w)
            v = (int64_t)(rng() % 256) - 128;
        for (auto &v : b)
            v = (int64_t)(rng() % 4001) - 2000;
        for (auto &v : mul)
            v = wide ? (1 << 20) + (int64_t)(rng() % 1000) : 1 + (int64_t)(rng() % 200);
        for (auto &v : add)
            v = (int64_t)(rng() % 20001) - 10000;
        const int64_t md[] = {M, 1, 1}, ks[] = {k, kw};
        ob_input(m, "x", 3, 4, xd.data());
        ob_const(m, "w", 4, wd.data(), w.data());
        ob_const(m, "b", 1, &M, b.data());
        ob_const(m, "rq.mul", 3, md, mul.data());
        ob_const(m, "rq.add", 3, md, add.data());
        int n = bias ? ob_node(m, "Conv", "conv", 3, IN("x", "w", "b"), "acc")
                     : ob_node(m, "Conv", "conv", 2, IN("x", "w"), "acc");
        ob_attr_ints(m, n, "kernel_shape", ks, 2);
        ob_attr_ints(m, n, "strides", st, 2);
        ob_attr_ints(m, n, "pads", pads, 4);
        ob_attr_ints(m, n, "dilations", dl, 2);
        ob_attr_int(m, n, "group", G);
        int r = ob_node(m, "RequantShift", "rq", 3, IN("acc", "rq.mul", "rq.add"), "y");
        ob_attr_tensor(m, r, "div", wide ? (float)(1 << 30) : 4096.0f);
        ob_attr_tensor(m, r, "n_levels_out", 256);
        ob_attr_tensor(m, r, "signed", sgn ? 1 : 0);
        ob_output(m, "y", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {xd}, 70 + (unsigned)t);
        for (const char *opt : {"", "--l1-budget 4096"}) {
            RunResult res = ortigia(std::string("test-network --engine npu -o ") + dir + "/out " + opt + " " + dir);
            EXPECT_EQ(res.status, 0) << opt << "\n" << res.out;
            EXPECT_NE(res.out.find("Errors: 0 out of"), std::string::npos) << opt << "\n" << res.out;
            RunResult npu = run_capture("grep -c 'on the NPU: .* convolution' " + dir + "/out/network.c");
            EXPECT_EQ(npu.out, "1\n") << opt;
            RunResult raw = run_capture("grep -c 'int32 accumulators' " + dir + "/out/network.c");
            EXPECT_EQ(raw.out, wide ? "1\n" : "0\n") << opt;
            tiled += run_capture("grep -c ' npu .* x [2-9]' " + dir + "/out/report.txt").out != "0\n";
        }
        ob_free(m);
    }
    EXPECT_GE(tiled, 4) << tiled; /* some in several tiles */
}

/* Chains of NPU convolutions, whose intermediates stay HWC (the NPU's
 * layout), read and written by the NPU where they are in L1 (resident or
 * staged), through the cores' epilogue (a wide requantization) and
 * strided 3x3 jobs; one or two images. (The copies for HWC rows left in
 * L2 were checked by forcing conv_tile's last fallback.) */
TEST(CompilerNetworks, NpuConvolutionChainsStayHwc)
{
    std::mt19937 rng(42);
    auto pick = [&](int lo, int hi) { return lo + (int)(rng() % (unsigned)(hi - lo + 1)); };
    int direct = 0;
    for (int t = 0; t < 6; t++) {
        ob_model *m = ob_new();
        int64_t N = t % 3 == 2 ? 2 : 1, C = pick(3, 32), H = pick(6, 14), W = pick(6, 14);
        const int64_t xd[] = {N, C, H, W};
        ob_input(m, "x", 3, 4, xd);
        std::string cur = "x";
        int layers = pick(3, 4);
        SCOPED_TRACE("chain " + std::to_string(t));
        for (int l = 0; l < layers; l++) {
            int form = (t + l) % 3; /* pointwise, 3x3, depthwise */
            int64_t M = form == 2 ? C : pick(3, 32), k = form == 0 ? 1 : 3, G = form == 2 ? C : 1;
            int64_t st[2] = {1, 1}, pads[4] = {1, 1, 1, 1};
            if (form == 0)
                pads[0] = pads[1] = pads[2] = pads[3] = 0;
            if (l == 2 && H > 8)
                st[0] = st[1] = 2;
            bool wide = l == 1 && t % 2 == 1;
            std::string id = std::to_string(l), wn = "w" + id, mn = "rq" + id + ".mul", an = "rq" + id + ".add";
            std::vector<int64_t> w((size_t)(M * (C / G) * k * k)), mul((size_t)M), add((size_t)M);
            for (auto &v : w)
                v = (int64_t)(rng() % 256) - 128;
            for (auto &v : mul)
                v = wide ? (1 << 20) + (int64_t)(rng() % 1000) : 1 + (int64_t)(rng() % 100);
            for (auto &v : add)
                v = (int64_t)(rng() % 20001) - 10000;
            const int64_t wd[] = {M, C / G, k, k}, md[] = {M, 1, 1}, ks[] = {k, k};
            ob_const(m, wn.c_str(), 4, wd, w.data());
            ob_const(m, mn.c_str(), 3, md, mul.data());
            ob_const(m, an.c_str(), 3, md, add.data());
            std::string acc = "acc" + id, y = l == layers - 1 ? "y" : "a" + id;
            int n = ob_node(m, "Conv", ("conv" + id).c_str(), 2, IN(cur.c_str(), wn.c_str()), acc.c_str());
            ob_attr_ints(m, n, "kernel_shape", ks, 2);
            ob_attr_ints(m, n, "strides", st, 2);
            ob_attr_ints(m, n, "pads", pads, 4);
            ob_attr_int(m, n, "group", G);
            int r = ob_node(m, "RequantShift", ("rq" + id).c_str(), 3, IN(acc.c_str(), mn.c_str(), an.c_str()),
                            y.c_str());
            ob_attr_tensor(m, r, "div", wide ? (float)(1 << 30) : 4096.0f);
            ob_attr_tensor(m, r, "n_levels_out", 256);
            ob_attr_tensor(m, r, "signed", 1);
            C = M;
            H = (H + pads[0] + pads[2] - k) / st[0] + 1;
            W = (W + pads[1] + pads[3] - k) / st[1] + 1;
            cur = y;
        }
        ob_output(m, "y", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {std::vector<int64_t>(xd, xd + 4)}, 90 + (unsigned)t);
        for (const char *opt : {"", "--l1-budget 8192", "--l1-budget 6144"}) {
            RunResult res = ortigia(std::string("test-network --engine npu -o ") + dir + "/out " + opt + " " + dir);
            EXPECT_EQ(res.status, 0) << opt << "\n" << res.out;
            EXPECT_NE(res.out.find("Errors: 0 out of"), std::string::npos) << opt << "\n" << res.out;
            RunResult d = run_capture("grep -c 'input rows (HWC) read where they are' " + dir + "/out/network.c");
            direct += atoi(d.out.c_str());
        }
        ob_free(m);
    }
    EXPECT_GT(direct, 0);
}

/* The NPU steps' layout moves at tile edges: four pixels of four channels
 * a block, the pixels past the last block one by one. A 3x3 convolution
 * whose first and last tiles hold fewer input rows than the others (the
 * NCHW -> HWC move's remainder), and a 1x1 one whose NCHW output stays in
 * L1 for a pooling after it, written in place by tiles of an odd number
 * of 6-pixel rows (the HWC -> NCHW move's remainder). */
TEST(CompilerNetworks, NpuConvolutionMovesAtTileEdges)
{
    std::mt19937 rng(7);
    for (int t = 0; t < 2; t++) {
        ob_model *m = ob_new();
        int64_t C = t == 0 ? 8 : 64, M = 8, H = t == 0 ? 9 : 12, W = 6, k = t == 0 ? 3 : 1;
        const int64_t xd[] = {1, C, H, W}, wd[] = {M, C, k, k}, md[] = {M, 1, 1}, ks[] = {k, k};
        const int64_t pads[] = {k / 2, k / 2, k / 2, k / 2};
        std::vector<int64_t> w((size_t)(M * C * k * k)), mul((size_t)M), add((size_t)M);
        for (auto &v : w)
            v = (int64_t)(rng() % 256) - 128;
        for (auto &v : mul)
            v = 1 + (int64_t)(rng() % 100);
        for (auto &v : add)
            v = (int64_t)(rng() % 20001) - 10000;
        ob_input(m, "x", 3, 4, xd);
        ob_const(m, "w", 4, wd, w.data());
        ob_const(m, "rq.mul", 3, md, mul.data());
        ob_const(m, "rq.add", 3, md, add.data());
        int n = ob_node(m, "Conv", "conv", 2, IN("x", "w"), "acc");
        ob_attr_ints(m, n, "kernel_shape", ks, 2);
        ob_attr_ints(m, n, "pads", pads, 4);
        int r = ob_node(m, "RequantShift", "rq", 3, IN("acc", "rq.mul", "rq.add"), t == 0 ? "y" : "a");
        ob_attr_tensor(m, r, "div", 4096.0f);
        ob_attr_tensor(m, r, "n_levels_out", 256);
        ob_attr_tensor(m, r, "signed", 1);
        if (t == 1) {
            const int64_t pk[] = {1, 2};
            int p = ob_node(m, "MaxPool", "pool", 1, IN("a"), "y");
            ob_attr_ints(m, p, "kernel_shape", pk, 2);
            ob_attr_ints(m, p, "strides", pk, 2);
        }
        ob_output(m, "y", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {std::vector<int64_t>(xd, xd + 4)}, 100 + (unsigned)t);
        /* 1024: the 3x3's tiles of 2 rows; 3000 and 4500: the 1x1's of 1 and 3 */
        SCOPED_TRACE(t);
        expect_simulator_matches(dir, {"--engine npu", "--engine npu --l1-budget 1024", "--engine npu --l1-budget 3000",
                                       "--engine npu --l1-budget 4500"});
        ob_free(m);
    }
}

TEST(CompilerErrors, ConvolutionAttributesOutOfReach)
{
    struct {
        const char *attr, *value, *message;
    } cases[] = {
        {"auto_pad", "SAME", "auto_pad = 'SAME'"},
        {"group", "3", "group = 3 does not fit"},
    };
    for (const auto &c : cases) {
        ob_model *m = ob_new();
        const int64_t xd[] = {1, 4, 6, 6}, wd[] = {2, 4, 3, 3};
        std::vector<int64_t> w(72, 1);
        ob_input(m, "x", 1, 4, xd);
        ob_const(m, "w", 4, wd, w.data());
        int n = ob_node(m, "Conv", "conv3", 2, IN("x", "w"), "y");
        if (std::string(c.attr) == "group")
            ob_attr_int(m, n, "group", 3);
        else
            ob_attr_string(m, n, c.attr, c.value);
        ob_output(m, "y", 1, -1, nullptr);
        std::string err = frontend_error(m);
        EXPECT_NE(err.find("node 'conv3' (Conv)"), std::string::npos) << err;
        EXPECT_NE(err.find(c.message), std::string::npos) << err;
        ob_free(m);
    }
    /* 3-D: named, not guessed */
    ob_model *m = ob_new();
    const int64_t xd[] = {1, 2, 4, 4, 4}, wd[] = {2, 2, 1, 1, 1};
    std::vector<int64_t> w(4, 1);
    ob_input(m, "x", 1, 5, xd);
    ob_const(m, "w", 5, wd, w.data());
    ob_node(m, "Conv", "conv3d", 2, IN("x", "w"), "y");
    ob_output(m, "y", 1, -1, nullptr);
    std::string err = frontend_error(m);
    EXPECT_NE(err.find("only 1-D and 2-D"), std::string::npos) << err;
    ob_free(m);
}

/* A network of one input "x" and one output "y" that build() fills in. */
struct one_node_net {
    const char *name;
    std::vector<int64_t> in;
    void (*build)(ob_model *m);
};

/* Builds t, makes its test folder (random inputs from seed) and expects the
 * simulator to match the reference with each set of options. */
static void expect_net_matches(const one_node_net &t, unsigned seed, std::initializer_list<const char *> options)
{
    SCOPED_TRACE(t.name);
    ob_model *m = ob_new();
    ob_input(m, "x", 1, (int)t.in.size(), t.in.data());
    t.build(m);
    ob_output(m, "y", 1, -1, nullptr);
    std::string dir = temp_dir();
    make_test_folder(m, dir, {t.in}, seed);
    expect_simulator_matches(dir, options);
    ob_free(m);
}

/* One network of each data-movement and reduction operator: pools (max
 * and average, padded, strided, dilated, ceil_mode), Pad (asymmetric,
 * cropping, a value), Slice (negative steps), Gather (scalar and 2-D
 * indices), ReduceMean (power-of-two and other lengths, negative sums:
 * both roundings) and ReduceSum, Sub, Flatten, Identity; each against the
 * reference interpreter at three budgets. */
TEST(CompilerNetworks, PoolsPadsSlicesGathersAndReductions)
{
    const one_node_net nets[] = {
        {"maxpool", {1, 3, 11, 9}, [](ob_model *m) {
             int n = ob_node(m, "MaxPool", "mp", 1, IN("x"), "y");
             const int64_t k[] = {3, 2}, st[] = {2, 3}, p[] = {1, 0, 2, 1}, dl[] = {2, 1};
             ob_attr_ints(m, n, "kernel_shape", k, 2);
             ob_attr_ints(m, n, "strides", st, 2);
             ob_attr_ints(m, n, "pads", p, 4);
             ob_attr_ints(m, n, "dilations", dl, 2);
             ob_attr_int(m, n, "ceil_mode", 1);
         }},
        {"avgpool", {2, 5, 9, 7}, [](ob_model *m) {
             int n = ob_node(m, "AveragePool", "ap", 1, IN("x"), "y");
             const int64_t k[] = {3, 3}, st[] = {2, 1};
             ob_attr_ints(m, n, "kernel_shape", k, 2);
             ob_attr_ints(m, n, "strides", st, 2);
             ob_attr_string(m, n, "auto_pad", "SAME_UPPER");
         }},
        {"avgpool_pad", {1, 4, 10}, [](ob_model *m) {
             int n = ob_node(m, "AveragePool", "ap", 1, IN("x"), "y");
             const int64_t k[] = {4}, p[] = {2, 1};
             ob_attr_ints(m, n, "kernel_shape", k, 1);
             ob_attr_ints(m, n, "pads", p, 2);
             ob_attr_int(m, n, "count_include_pad", 1);
         }},
        {"pad", {1, 3, 7, 6}, [](ob_model *m) {
             const int64_t pd[] = {8}, pads[] = {0, 1, 2, -1, 0, 0, 1, 3}, vd[] = {1}, v[] = {-5};
             ob_const(m, "pads", 1, pd, pads);
             ob_const(m, "val", 1, vd, v);
             ob_node(m, "Pad", "pad", 3, IN("x", "pads", "val"), "y");
         }},
        {"slice", {2, 9, 8}, [](ob_model *m) {
             const int64_t d3[] = {3}, st[] = {-1, 7, 1}, en[] = {-3, 0, 100}, ax[] = {2, 1, 0}, sp[] = {-2, -3, 1};
             ob_const(m, "st", 1, d3, st);
             ob_const(m, "en", 1, d3, en);
             ob_const(m, "ax", 1, d3, ax);
             ob_const(m, "sp", 1, d3, sp);
             ob_node(m, "Slice", "sl", 5, IN("x", "st", "en", "ax", "sp"), "y");
         }},
        {"gather", {3, 7, 5}, [](ob_model *m) {
             const int64_t idd[] = {2, 3}, id[] = {6, -1, 0, 2, 2, -7};
             ob_const(m, "idx", 2, idd, id);
             int n = ob_node(m, "Gather", "ga", 2, IN("x", "idx"), "g");
             ob_attr_int(m, n, "axis", 1);
             const int64_t one[] = {1}, d[] = {-2};
             ob_const(m, "i0", 0, one, d);
             int n2 = ob_node(m, "Gather", "gb", 2, IN("g", "i0"), "y");
             ob_attr_int(m, n2, "axis", -1);
         }},
        {"reducemean", {2, 6, 5, 4}, [](ob_model *m) {
             int n = ob_node(m, "ReduceMean", "rm", 1, IN("x"), "a");
             const int64_t ax[] = {1, 3};
             ob_attr_ints(m, n, "axes", ax, 2);
             ob_attr_int(m, n, "keepdims", 1);
             int n2 = ob_node(m, "ReduceMean", "rm2", 1, IN("a"), "y");
             const int64_t ax2[] = {-2};
             ob_attr_ints(m, n2, "axes", ax2, 1);
             ob_attr_int(m, n2, "keepdims", 0);
         }},
        {"reducesum", {3, 5, 4}, [](ob_model *m) {
             const int64_t d1[] = {1}, ax[] = {1}, mul[] = {3}, zero[] = {0};
             ob_const(m, "ax", 1, d1, ax);
             ob_node(m, "ReduceSum", "rs", 2, IN("x", "ax"), "s");
             ob_const(m, "rq.mul", 1, d1, mul);
             ob_const(m, "rq.add", 1, d1, zero);
             int r = ob_node(m, "RequantShift", "rq", 3, IN("s", "rq.mul", "rq.add"), "y");
             ob_attr_tensor(m, r, "div", 16);
             ob_attr_tensor(m, r, "n_levels_out", 256);
             ob_attr_tensor(m, r, "signed", 1);
         }},
        {"sub_flatten_identity", {2, 3, 4}, [](ob_model *m) {
             ob_node(m, "Identity", "id0", 1, IN("x"), "xi");
             int f = ob_node(m, "Flatten", "fl", 1, IN("xi"), "xf");
             ob_attr_int(m, f, "axis", 2);
             const int64_t d[] = {6, 4};
             std::vector<int64_t> c(24);
             for (int i = 0; i < 24; i++)
                 c[i] = i * 7 - 80;
             ob_const(m, "c", 2, d, c.data());
             ob_node(m, "Sub", "sub", 2, IN("c", "xf"), "d");
             ob_node(m, "Sub", "sub2", 2, IN("d", "xf"), "e");
             ob_node(m, "Identity", "id1", 1, IN("e"), "y");
         }},
    };
    for (const auto &t : nets)
        expect_net_matches(t, 7, {"", "--l1-budget 2048", "--l1-budget 1024"});
}

/* Deeploy's integer transformer operators, each against the reference:
 * iLayerNorm, ITAMax and ITAPartialMax on rows (odd lengths), iGELU and
 * iNoNorm as epilogue links, IntegerMean. */
TEST(CompilerNetworks, IntegerTransformerOperators)
{
    const one_node_net nets[] = {
        {"ilayernorm", {3, 5, 24}, [](ob_model *m) {
             const int64_t d[] = {24};
             std::vector<int64_t> w(24), b(24);
             for (int i = 0; i < 24; i++) {
                 w[i] = (i * 37) % 301 - 150;
                 b[i] = (i * 911) % 4001 - 2000;
             }
             ob_const(m, "w", 1, d, w.data());
             ob_const(m, "b", 1, d, b.data());
             int n = ob_node(m, "iLayerNorm", "ln", 3, IN("x", "w", "b"), "y");
             ob_attr_tensor(m, n, "D", 256);
             ob_attr_tensor(m, n, "n_levels", 256);
         }},
        {"itamax", {2, 7, 37}, [](ob_model *m) {
             int n = ob_node(m, "ITAMax", "sm", 1, IN("x"), "y");
             ob_attr_tensor(m, n, "n_levels", 256);
         }},
        {"itapartialmax", {4, 48}, [](ob_model *m) {
             int n = ob_node(m, "ITAPartialMax", "pm", 1, IN("x"), "y");
             ob_attr_int(m, n, "group_width", 16);
             ob_attr_tensor(m, n, "n_levels", 256);
         }},
        {"igelu", {6, 40}, [](ob_model *m) {
             int n = ob_node(m, "iGELU", "gelu", 1, IN("x"), "g");
             ob_attr_int(m, n, "b", -40);
             ob_attr_int(m, n, "one", 1743);
             add_rqs(m, "rq", "g", "y", 3, 1024, true);
         }},
        {"inonorm", {2, 8, 12}, [](ob_model *m) {
             const int64_t wd[] = {8, 12}, bd[] = {12};
             std::vector<int64_t> w(96), b(12);
             for (int i = 0; i < 96; i++)
                 w[i] = (i * 53) % 255 - 127;
             for (int i = 0; i < 12; i++)
                 b[i] = i * 300 - 1500;
             ob_const(m, "w", 2, wd, w.data());
             ob_const(m, "b", 1, bd, b.data());
             int n = ob_node(m, "iNoNorm", "nn", 3, IN("x", "w", "b"), "y");
             ob_attr_tensor(m, n, "D", 64);
             ob_attr_tensor(m, n, "mul", 5);
             ob_attr_tensor(m, n, "n_levels", 256);
         }},
        {"integermean", {1, 10, 12}, [](ob_model *m) {
             int n = ob_node(m, "IntegerMean", "mean", 1, IN("x"), "y");
             ob_attr_int(m, n, "axes", 1);
             ob_attr_int(m, n, "keepdims", 0);
         }},
    };
    for (const auto &t : nets)
        expect_net_matches(t, 9, {"", "--l1-budget 1024"});
}

TEST(CompilerNetworks, AnIdentityFromAnInputToAnOutput)
{
    ob_model *m = ob_new();
    const int64_t xd[] = {2, 5};
    ob_input(m, "x", 1, 2, xd);
    ob_node(m, "Identity", "id", 1, IN("x"), "y");
    ob_output(m, "y", 1, -1, nullptr);
    std::string dir = temp_dir();
    make_test_folder(m, dir, {{2, 5}}, 3);
    expect_simulator_matches(dir);
    ob_free(m);
}

/* Sums the kernels keep in int32 that could leave it: an error naming the
 * node, before anything is generated. */
TEST(CompilerErrors, ReductionsWhoseSumsLeaveInt32)
{
    for (const char *op : {"ReduceMean", "AveragePool"}) {
        ob_model *m = ob_new();
        const int64_t xd[] = {1, 2, 4, 4};
        ob_input(m, "x", 6, 4, xd); /* int32: the whole range */
        int n = ob_node(m, op, "wide", 1, IN("x"), "y");
        const int64_t k[] = {2, 2};
        if (std::string(op) == "AveragePool")
            ob_attr_ints(m, n, "kernel_shape", k, 2);
        ob_output(m, "y", 6, -1, nullptr);
        std::string err = frontend_error(m);
        EXPECT_NE(err.find("node 'wide'"), std::string::npos) << op << ": " << err;
        EXPECT_NE(err.find("beyond int32"), std::string::npos) << op << ": " << err;
        ob_free(m);
    }
}

TEST(CompilerErrors, PadModesOtherThanConstantAreNamed)
{
    ob_model *m = ob_new();
    const int64_t xd[] = {1, 4}, pd[] = {4}, pads[] = {0, 1, 0, 1};
    ob_input(m, "x", 1, 2, xd);
    ob_const(m, "pads", 1, pd, pads);
    int n = ob_node(m, "Pad", "padr", 2, IN("x", "pads"), "y");
    ob_attr_string(m, n, "mode", "reflect");
    ob_output(m, "y", 1, -1, nullptr);
    std::string err = frontend_error(m);
    EXPECT_NE(err.find("node 'padr' (Pad): mode 'reflect' is not supported"), std::string::npos) << err;
    ob_free(m);
}

/* The softmax rows of nn_kernel.h's NN_DEFINE_SOFTMAX_ROW_Q8 (word-wise
 * maximum, two elements per loop iteration, the 24-bit reciprocal):
 * rows of 6 (no word loop), 20 (word loop and a remainder), 37 (odd,
 * unaligned rows), with the output as is and mapped through an epilogue. */
TEST(CompilerNetworks, SoftmaxRowsOfEveryShapeOnTheFastKernel)
{
    for (int64_t len : {6, 20, 37}) {
        ob_model *m = ob_new();
        const int64_t xd[] = {3, 5, len};
        ob_input(m, "x", 1, 3, xd);
        int a = ob_node(m, "iSoftmax", "sm_plain", 1, IN("x"), "p");
        int b = ob_node(m, "iSoftmax", "sm_mapped", 1, IN("x"), "q");
        for (int n : {a, b}) {
            ob_attr_tensor(m, n, "coeffA", 1);
            ob_attr_tensor(m, n, "coeffB", 86);
            ob_attr_tensor(m, n, "coeffC", 3888);
            ob_attr_tensor(m, n, "log2", n == a ? 64 : 61);
            ob_attr_tensor(m, n, "n_levels", 256);
        }
        add_rqs(m, "rq", "q", "y", 7, 16, true);
        ob_output(m, "p", 1, -1, nullptr);
        ob_output(m, "y", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {{3, 5, len}}, 13 + (unsigned)len);
        expect_simulator_matches(dir);
        RunResult r = ortigia("compile " + dir + "/network.onnx -o " + dir + "/out");
        ASSERT_EQ(r.status, 0) << r.out;
        std::ifstream c(dir + "/out/network.c");
        std::string code((std::istreambuf_iterator<char>(c)), std::istreambuf_iterator<char>());
        EXPECT_NE(code.find("NN_DEFINE_SOFTMAX_ROW_Q8(softmax_q8_"), std::string::npos) << len;
        EXPECT_NE(code.find("NN_DEFINE_SOFTMAX_ROW_Q8(softmax_q8m_"), std::string::npos) << len;
        ob_free(m);
    }
}

/* The coefficients the iSoftmax tests share. */
static void softmax_coeffs(ob_model *m, int n)
{
    ob_attr_tensor(m, n, "coeffA", 11663);
    ob_attr_tensor(m, n, "coeffB", 29);
    ob_attr_tensor(m, n, "coeffC", 5246693);
    ob_attr_tensor(m, n, "log2", 15);
    ob_attr_tensor(m, n, "n_levels", 256);
}

/* The reference's values of the folder's network for input_0 = xv, a
 * [rows][len] matrix, handed to check(graph, values). */
static void with_reference_values(const std::string &dir, std::vector<int64_t> &xv, int64_t rows, int64_t len,
                                  const std::function<void(const ort_graph *, int64_t **)> &check)
{
    ort_diag d{};
    ort_array xa{};
    snprintf(xa.name, sizeof xa.name, "input_0");
    xa.shape.rank = 2, xa.shape.dim[0] = rows, xa.shape.dim[1] = len;
    xa.data = xv.data();
    ort_npz in{&xa, 1, nullptr};
    ort_graph *g = ort_frontend((dir + "/network.onnx").c_str(), &in, true, &d);
    ASSERT_NE(g, nullptr) << d.msg;
    int64_t **values = nullptr;
    ASSERT_EQ(ort_ref_run(g, &in, &values, &d), 0) << d.msg;
    check(g, values);
    ort_ref_free(g, values);
    ort_graph_free(g);
}

/* The simulator gives the reference's outputs, and the compiled network
 * uses `kernel` (the 8-bit softmax row on the PAD kernel, a wide one on
 * WTAB). */
static void expect_softmax_kernel(const std::string &dir, int elem)
{
    expect_simulator_matches(dir);
    RunResult rc = ortigia("compile " + dir + "/network.onnx -o " + dir + "/out");
    ASSERT_EQ(rc.status, 0) << rc.out;
    EXPECT_NE(slurp_file(dir + "/out/network.c")
                  .find(elem == 6 ? "NN_DEFINE_SOFTMAX_ROW_WTAB(" : "NN_DEFINE_SOFTMAX_ROW_PAD("),
              std::string::npos)
        << elem;
}

/* iSoftmax's `pad` (Ortigia's attribute for a language model's prefill):
 * a row with `pad` more entries of `pad_value`, in its max and sum but not
 * stored, equals the softmax of the row extended with them, on the
 * reference and on the simulator: 8-bit input rows (which then take the
 * generic kernel) and int32 ones (the terms of differences below 256 from
 * a table, the others computed), a pad far below, near and above the
 * row's values. */
TEST(CompilerNetworks, SoftmaxPadEntriesAreTheExtendedRow)
{
    for (int elem : {3, 6})
    for (int64_t pv : {-32768, -100, 200}) {
        const int64_t len = 9, pad = 5, xd[] = {4, len}, cd[] = {4, pad};
        ob_model *m = ob_new();
        ob_input(m, "x", elem, 2, xd);
        std::vector<int64_t> fill(4 * pad, pv);
        ob_const(m, "fill", 2, cd, fill.data());
        int cn = ob_node(m, "Concat", "cat", 2, IN("x", "fill"), "xe");
        ob_attr_int(m, cn, "axis", 1);
        int a = ob_node(m, "iSoftmax", "sm_pad", 1, IN("x"), "p");
        int b = ob_node(m, "iSoftmax", "sm_ext", 1, IN("xe"), "q");
        softmax_coeffs(m, a);
        softmax_coeffs(m, b);
        ob_attr_int(m, a, "pad", pad);
        ob_attr_int(m, a, "pad_value", pv);
        ob_output(m, "p", 1, -1, nullptr);
        ob_output(m, "q", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {{4, len}}, 5);
        std::vector<int64_t> xv(4 * len);
        for (size_t i = 0; i < xv.size(); i++)
            xv[i] = (int64_t)((i * 37) % 256) - 128;
        with_reference_values(dir, xv, 4, len, [&](const ort_graph *g, int64_t **values) {
            for (int r = 0; r < 4; r++)
                for (int j = 0; j < len; j++)
                    EXPECT_EQ(values[g->outputs[0]][r * len + j], values[g->outputs[1]][r * (len + pad) + j])
                        << "input type " << elem << " pad_value " << pv << " row " << r << " column " << j;
        });
        expect_softmax_kernel(dir, elem);
        ob_free(m);
    }
}

/* iSoftmax's `round` (Ortigia's, a language model's probabilities): each
 * output the truncated one or one more, the rows' sums nearer 255, and the
 * compiled kernels (the 8-bit row on the PAD kernel, the wide one on WTAB)
 * the reference's. */
TEST(CompilerNetworks, SoftmaxRoundRoundsTheProbabilities)
{
    for (int elem : {3, 6}) {
        const int64_t rows = 4, len = 24, xd[] = {rows, len};
        ob_model *m = ob_new();
        ob_input(m, "x", elem, 2, xd);
        int a = ob_node(m, "iSoftmax", "sm_trunc", 1, IN("x"), "p");
        int b = ob_node(m, "iSoftmax", "sm_round", 1, IN("x"), "q");
        softmax_coeffs(m, a);
        softmax_coeffs(m, b);
        ob_attr_int(m, b, "round", 1);
        ob_output(m, "p", 1, -1, nullptr);
        ob_output(m, "q", 1, -1, nullptr);
        std::string dir = temp_dir();
        make_test_folder(m, dir, {{rows, len}}, 5);
        std::vector<int64_t> xv(rows * len);
        for (size_t i = 0; i < xv.size(); i++)
            xv[i] = (int64_t)((i * 37) % 61) - 30;
        with_reference_values(dir, xv, rows, len, [&](const ort_graph *g, int64_t **values) {
            int64_t more = 0;
            for (int r = 0; r < rows; r++) {
                int64_t st = 0, sr = 0;
                for (int j = 0; j < len; j++) {
                    int64_t t = values[g->outputs[0]][r * len + j], q = values[g->outputs[1]][r * len + j];
                    EXPECT_TRUE(q == t || q == t + 1) << "row " << r << " column " << j << ": " << t << ", " << q;
                    st += t, sr += q, more += q - t;
                }
                EXPECT_LE(std::abs(sr - 255), std::abs(st - 255)) << "row " << r;
            }
            EXPECT_GT(more, 0);
        });
        expect_softmax_kernel(dir, elem);
        ob_free(m);
    }
}

/* iRMSNorm's `in_mul` (Ortigia's): the norm of x times in_mul, the same
 * integers as a Mul before it, on int8 input; on the simulator the
 * kernel's; a factor out of range is an error naming the node. */
TEST(CompilerNetworks, RmsNormInMulIsAMulBeforeIt)
{
    const int64_t rows = 3, len = 24, xd[] = {rows, len}, wd[] = {len}, one = 1, f = 16;
    std::vector<int64_t> g(len);
    for (int i = 0; i < len; i++)
        g[i] = 900 + 37 * i;
    ob_model *m = ob_new();
    ob_input(m, "x", 3, 2, xd);
    ob_const(m, "g", 1, wd, g.data());
    ob_const(m, "f", 1, &one, &f);
    ob_node(m, "Mul", "xs", 2, IN("x", "f"), "xs");
    int a = ob_node(m, "iRMSNorm", "norm_mul", 2, IN("xs", "g"), "p");
    int b = ob_node(m, "iRMSNorm", "norm_in_mul", 2, IN("x", "g"), "q");
    for (int n : {a, b}) {
        ob_attr_int(m, n, "D", 1024);
        ob_attr_int(m, n, "n_levels", 256);
    }
    ob_attr_int(m, b, "in_mul", f);
    ob_output(m, "p", 1, -1, nullptr);
    ob_output(m, "q", 1, -1, nullptr);
    std::string dir = temp_dir();
    make_test_folder(m, dir, {{rows, len}}, 3);
    std::vector<int64_t> xv(rows * len);
    for (size_t i = 0; i < xv.size(); i++)
        xv[i] = (int64_t)((i * 53) % 256) - 128;
    with_reference_values(dir, xv, rows, len, [&](const ort_graph *gr, int64_t **values) {
        int differ = 0;
        for (int64_t i = 0; i < rows * len; i++) {
            EXPECT_EQ(values[gr->outputs[0]][i], values[gr->outputs[1]][i]) << "element " << i;
            differ += values[gr->outputs[1]][i] != 0;
        }
        EXPECT_GT(differ, rows * len / 2); /* not a row of zeros */
    });
    expect_simulator_matches(dir);
    ob_free(m);

    ob_model *bad = ob_new();
    ob_input(bad, "x", 3, 2, xd);
    ob_const(bad, "g", 1, wd, g.data());
    int n = ob_node(bad, "iRMSNorm", "norm", 2, IN("x", "g"), "y");
    ob_attr_int(bad, n, "D", 1024);
    ob_attr_int(bad, n, "in_mul", 0);
    ob_output(bad, "y", 1, -1, nullptr);
    expect_frontend_error(bad, "node 'norm' (iRMSNorm): in_mul = 0: in [1, 65536]");
}

/* ---- test vectors that do not match the network ------------------------ */

struct NpzArray {
    std::string name;
    std::vector<int64_t> dims, values;
};

void write_npz(const std::string &path, const std::vector<NpzArray> &arrays)
{
    std::vector<ort_array> a(arrays.size());
    for (size_t i = 0; i < arrays.size(); i++) {
        snprintf(a[i].name, sizeof a[i].name, "%s", arrays[i].name.c_str());
        a[i].shape.rank = (int)arrays[i].dims.size();
        for (size_t k = 0; k < arrays[i].dims.size(); k++)
            a[i].shape.dim[k] = arrays[i].dims[k];
        a[i].data = const_cast<int64_t *>(arrays[i].values.data());
    }
    ort_npz npz{a.data(), (int)a.size(), nullptr};
    ort_diag d{};
    ASSERT_EQ(ort_npz_write(path.c_str(), &npz, &d), 0) << d.msg;
}

TEST(CompilerErrors, TestVectorsThatDoNotMatchTheNetwork)
{
    /* a + b (int8 [4,8]), requantized to int8. */
    ob_model *m = ob_new();
    const int64_t xd[] = {4, 8};
    ob_input(m, "a", 3, 2, xd);
    ob_input(m, "b", 3, 2, xd);
    ob_node(m, "Add", "add0", 2, IN("a", "b"), "s");
    add_rqs(m, "rq", "s", "y", 1, 2, true);
    ob_output(m, "y", 3, -1, nullptr);
    std::string dir = temp_dir();
    make_test_folder(m, dir, {{4, 8}, {4, 8}}, 7);
    ob_free(m);
    RunResult ok = ortigia("test-network --reference " + dir);
    ASSERT_EQ(ok.status, 0) << ok.out;
    const std::vector<int64_t> v32(32, 5);
    std::vector<int64_t> v1000 = v32;
    v1000[5] = 1000;
    std::string good_in = dir + "/inputs.npz", good_out = dir + "/outputs.npz";
    std::string bad = temp_dir();
    const struct {
        const char *file; /* the one replaced: inputs.npz or outputs.npz */
        std::vector<NpzArray> arrays;
        const char *message;
    } cases[] = {
        {"inputs.npz", {{"input_0", {4, 8}, v32}, {"input_1", {8, 4}, v32}},
         "inputs.npz: array 'input_1' has shape [8,4], graph input 1 ('b') is [4,8]"},
        {"inputs.npz", {{"input_0", {4, 8}, v32}, {"input_2", {4, 8}, v32}},
         "inputs.npz: no array for graph input 1 ('b'): expected one named 'input_1' or 'b' (the file has "
         "'input_0', 'input_2')"},
        {"inputs.npz", {{"input_0", {4, 8}, v1000}, {"input_1", {4, 8}, v32}},
         "inputs.npz: array 'input_0' holds 1000 at element 5, outside [-128, 127] (int8) of graph input 0 ('a')"},
        {"inputs.npz", {{"output_0", {4, 8}, v32}},
         "inputs.npz: no array for graph input 0 ('a'): expected one named 'input_0' or 'a' (the file has "
         "'output_0')"},
        {"outputs.npz", {{"output_0", {32}, v32}},
         "outputs.npz: array 'output_0' has shape [32], graph output 0 ('y') is [4,8]"},
        {"outputs.npz", {{"output_1", {4, 8}, v32}},
         "outputs.npz: no array for graph output 0 ('y'): expected one named 'output_0' or 'y' (the file has "
         "'output_1')"},
        {"outputs.npz", {{"output_0", {4, 8}, v1000}},
         "outputs.npz: array 'output_0' holds 1000 at element 5, outside [-128, 127] (the values the network "
         "computes) of graph output 0 ('y')"},
    };
    for (const auto &c : cases) {
        std::string file = std::string(c.file);
        bool in = file == "inputs.npz";
        RunResult r = run_capture("cp " + dir + "/network.onnx " + (in ? good_out : good_in) + " " + bad);
        ASSERT_EQ(r.status, 0);
        write_npz(bad + "/" + file, c.arrays);
        for (const char *opt : {"", "--reference "}) {
            r = ortigia(std::string("test-network ") + opt + bad);
            EXPECT_EQ(r.status, 2) << opt << c.message << "\n" << r.out;
            EXPECT_NE(r.out.find(c.message), std::string::npos) << opt << "\n" << r.out;
            EXPECT_EQ(r.out.find("mismatch"), std::string::npos) << r.out;
        }
        if (in) {
            r = ortigia("compile --inputs " + bad + "/inputs.npz " + bad + "/network.onnx -o " + bad + "/c");
            EXPECT_EQ(r.status, 2) << c.message << "\n" << r.out;
            EXPECT_NE(r.out.find(c.message), std::string::npos) << r.out;
        }
    }
    /* Deeploy's files may hold more than the inputs: an array for no input
     * is let be unless it is named as an input the network lacks. */
    write_npz(bad + "/inputs.npz", {{"input_0", {4, 8}, v32}, {"input_1", {4, 8}, v32}, {"weights", {3}, {1, 2, 3}}});
    run_capture("cp " + good_out + " " + bad);
    RunResult r = ortigia("test-network --reference " + bad);
    EXPECT_EQ(r.status, 1) << r.out; /* runs; other values, other outputs */
    write_npz(bad + "/inputs.npz", {{"input_0", {4, 8}, v32}, {"input_1", {4, 8}, v32}, {"input_2", {4, 8}, v32}});
    r = ortigia("test-network --reference " + bad);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("array 'input_2' is for no graph input (the network has 2: 'a', 'b')"), std::string::npos)
        << r.out;
}

/* A test folder for matmul_model() (random inputs from `seed`). */
std::string matmul_test_folder(unsigned seed)
{
    ob_model *m = matmul_model();
    std::string dir = temp_dir();
    make_test_folder(m, dir, {{1, 256}}, seed);
    ob_free(m);
    return dir;
}

TEST(CompilerCli, ConstantsThatFillTheWeightMemoryExactly)
{
    /* matmul_model's constants are 76800 bytes: a weight memory of exactly
     * that links and runs; one byte less is the planner's error. */
    std::string dir = matmul_test_folder(3);
    RunResult r = ortigia("test-network --set wmem.size=76800 " + dir);
    EXPECT_EQ(r.status, 0) << r.out;
    EXPECT_NE(r.out.find("Errors: 0 out of 300"), std::string::npos) << r.out;
    r = ortigia("test-network --set wmem.size=76799 " + dir);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("the constants need 76800 bytes, more than the weight memory's 76799"), std::string::npos)
        << r.out;
}

TEST(CompilerCli, TestNetworkExitsWithTheRunsStatus)
{
    /* A cycle limit is status 4, as `ortigia run` gives it; 1 stays "ran,
     * outputs differ". */
    std::string dir = matmul_test_folder(4);
    RunResult r = ortigia("test-network --max-cycles 2000 " + dir);
    EXPECT_EQ(r.status, 4) << r.out;
    EXPECT_NE(r.out.find("the network's program ended with status 4"), std::string::npos) << r.out;
}

TEST(CompilerCli, ProfileKeepsTheNetworksOwnCycles)
{
    /* --profile stamps each step in a second build: the Cycles line stays
     * the network's own figure, and the profiled total is said apart. */
    std::string dir = matmul_test_folder(5);
    RunResult plain = ortigia("test-network " + dir);
    RunResult prof = ortigia("test-network --profile -o " + dir + "/out " + dir);
    ASSERT_EQ(plain.status, 0) << plain.out;
    ASSERT_EQ(prof.status, 0) << prof.out;
    auto number_after = [](const std::string &text, const std::string &key) -> long long {
        size_t at = text.find(key);
        return at == std::string::npos ? -1 : atoll(text.c_str() + at + key.size());
    };
    long long cycles = number_after(plain.out, "Cycles: ");
    ASSERT_GT(cycles, 0) << plain.out;
    EXPECT_EQ(number_after(prof.out, "Cycles: "), cycles) << prof.out;
    // The stamps change the timing (more code, other bank conflicts), by a
    // sign that depends on the network: the figure says by how much.
    long long profiled = number_after(prof.out, "(profiled build: "),
              changed = number_after(prof.out, "the stamps change it by ");
    EXPECT_GT(profiled, 0) << prof.out;
    EXPECT_EQ(profiled, cycles + changed) << prof.out;
    EXPECT_NE(prof.out.find("the network's own figure is\n  \"Cycles\" below"), std::string::npos) << prof.out;
    EXPECT_NE(prof.out.find("(MatMul)"), std::string::npos) << prof.out;
    struct stat st;
    EXPECT_EQ(stat((dir + "/out/profile.txt").c_str(), &st), 0);
    EXPECT_EQ(stat((dir + "/out/profiled/network.elf").c_str(), &st), 0);
}

TEST(CompilerFuzz, MutatedDimensionsGiveAnErrorOrAProgramNeverACrash)
{
    /* A projection with bias and requantization; each dimension of its
     * input and of its declared output mutated: an error naming the
     * model, or a program that gives the reference's outputs. */
    const int64_t values[] = {-7, -1, 0, 1, 3, 1LL << 31, 1LL << 62};
    int runs = 0;
    for (int which = 0; which < 4; which++)
        for (int64_t v : values) {
            int64_t xd[] = {5, 40}, yd[] = {5, 24};
            (which < 2 ? xd : yd)[which % 2] = v;
            ob_model *m = ob_new();
            const int64_t wd[] = {40, 24}, bd[] = {24};
            std::vector<int64_t> w(40 * 24, 3), b(24, -7);
            ob_input(m, "x", 1, 2, xd);
            ob_const(m, "w", 2, wd, w.data());
            ob_const(m, "b", 1, bd, b.data());
            ob_node(m, "MatMul", "proj", 2, IN("x", "w"), "xw");
            ob_node(m, "Add", "bias", 2, IN("xw", "b"), "xwb");
            add_rqs(m, "rq", "xwb", "y", 97, 65536, true);
            ob_output(m, "y", 1, 2, yd);
            std::string dir = temp_dir();
            ASSERT_EQ(ob_write(m, (dir + "/m.onnx").c_str()), 0);
            RunResult r = ortigia("compile " + dir + "/m.onnx -o " + dir + "/out");
            EXPECT_TRUE(r.status == 0 || r.status == 2) << which << " " << v << ": " << r.status << "\n" << r.out;
            if (r.status == 2) {
                EXPECT_NE(r.out.find("ortigia: error: " + dir + "/m.onnx: "), std::string::npos) << r.out;
            } else if (r.status == 0) {
                /* and what compiles gives the reference's answer */
                make_test_folder(m, dir, {{xd[0], xd[1]}}, 1);
                r = ortigia("test-network " + dir);
                EXPECT_EQ(r.status, 0) << which << " " << v << ": " << r.out;
                EXPECT_NE(r.out.find("Errors: 0 out of"), std::string::npos) << r.out;
            }
            runs++;
            ob_free(m);
        }
    EXPECT_EQ(runs, 28);
}

} // namespace

// llama2.c checkpoints and the float32 reference: the real stories260K
// checkpoint decodes greedily to the ids llama2.c's own run.c prints (see
// docs/compiler.md, "llama2.c checkpoints", for how they were obtained);
// small models written here check the version 1 header, the legacy header
// with a separate classifier, and the forward pass against an independent
// double-precision one; bad files get errors that say what is wrong.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

extern "C" {
#include "llama2c.h"
#include "llama_default.h"
#include "llama_ref.h"
#include "llm_quant.h"
#include "ir.h"
#include "ref.h"
}

#include "temp_dir.h"

namespace {

std::string temp_path(const std::string &name) { return ort_test_temp_dir("llama") + "/" + name; }

void write_bytes(const std::string &path, const std::vector<unsigned char> &b)
{
    FILE *f = fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path;
    ASSERT_EQ(fwrite(b.data(), 1, b.size(), f), b.size());
    fclose(f);
}

struct Bytes {
    std::vector<unsigned char> b;
    void i32(int32_t v) { raw(&v, 4); }
    void f32(float v) { raw(&v, 4); }
    void floats(const std::vector<float> &v) { raw(v.data(), v.size() * 4); }
    void raw(const void *p, size_t n)
    {
        const unsigned char *c = static_cast<const unsigned char *>(p);
        b.insert(b.end(), c, c + n);
    }
};

/* A model small enough to check by hand: its numbers, then its weights. */
struct Tiny {
    int dim = 4, hidden = 3, layers = 1, heads = 2, kv_heads = 1, vocab = 5, seq = 4;
    std::vector<float> emb, rms_att, rms_ffn, rms_final, wq, wk, wv, wo, w1, w2, w3, wcls;

    Tiny()
    {
        // deterministic values of either sign, different in every tensor
        unsigned s = 12345;
        auto fill = [&s](size_t n, float scale, float offset = 0.0f) {
            std::vector<float> v(n);
            for (float &x : v) {
                s = s * 1103515245u + 12345u;
                x = offset + scale * ((float)((s >> 8) % 2001) / 1000.0f - 1.0f);
            }
            return v;
        };
        int kv = dim / heads * kv_heads;
        emb = fill((size_t)vocab * dim, 1.0f);
        rms_att = fill((size_t)layers * dim, 0.3f, 1.0f);
        rms_ffn = fill((size_t)layers * dim, 0.3f, 1.0f);
        rms_final = fill((size_t)dim, 0.3f, 1.0f);
        wq = fill((size_t)layers * dim * dim, 0.8f);
        wk = fill((size_t)layers * kv * dim, 0.8f);
        wv = fill((size_t)layers * kv * dim, 0.8f);
        wo = fill((size_t)layers * dim * dim, 0.8f);
        w1 = fill((size_t)layers * hidden * dim, 0.8f);
        w2 = fill((size_t)layers * dim * hidden, 0.8f);
        w3 = fill((size_t)layers * hidden * dim, 0.8f);
        wcls = fill((size_t)vocab * dim, 1.0f); // not the embedding: an untied classifier
    }

    std::vector<unsigned char> v1(bool shared = false) const
    {
        Bytes o;
        o.i32((int32_t)ORT_LLAMA_MAGIC);
        o.i32(1);
        for (int v : {dim, hidden, layers, heads, kv_heads, vocab, seq})
            o.i32(v);
        o.b.push_back(shared ? 1 : 0);
        o.b.resize(256, 0);
        for (auto *t : {&rms_att, &rms_ffn, &rms_final, &emb, &wq, &wk, &wv, &wo, &w1, &w2, &w3})
            o.floats(*t);
        if (!shared)
            o.floats(wcls);
        return o.b;
    }

    // The legacy layout; the RoPE tables hold NaNs, which must never be read.
    std::vector<unsigned char> v0(bool shared = false) const
    {
        Bytes o;
        for (int v : {dim, hidden, layers, heads, kv_heads, shared ? vocab : -vocab, seq})
            o.i32(v);
        for (auto *t : {&emb, &rms_att, &wq, &wk, &wv, &wo, &rms_ffn, &w1, &w2, &w3, &rms_final})
            o.floats(*t);
        o.floats(std::vector<float>((size_t)seq * (dim / heads), NAN));
        if (!shared)
            o.floats(wcls);
        return o.b;
    }

    /* The logits of a sequence's last token, computed anew in double
     * precision from the definitions (complex rotation, explicit softmax):
     * independent of llama_ref.c's loops and rounding. */
    std::vector<double> logits(const std::vector<int> &tokens, bool shared = false) const
    {
        int hs = dim / heads, kv = hs * kv_heads;
        auto matvec = [](const std::vector<float> &w, size_t off, const std::vector<double> &x, int rows) {
            std::vector<double> y((size_t)rows, 0.0);
            for (int r = 0; r < rows; r++)
                for (size_t c = 0; c < x.size(); c++)
                    y[(size_t)r] += (double)w[off + (size_t)r * x.size() + c] * x[c];
            return y;
        };
        auto norm = [](const std::vector<double> &x, const std::vector<float> &w, size_t off) {
            double ms = 0;
            for (double v : x)
                ms += v * v;
            ms = ms / (double)x.size() + 1e-5;
            std::vector<double> y(x.size());
            for (size_t i = 0; i < x.size(); i++)
                y[i] = x[i] / std::sqrt(ms) * w[off + i];
            return y;
        };
        auto rotate = [hs](std::vector<double> &v, int pos) {
            for (size_t i = 0; i < v.size(); i += 2) {
                double theta = pos * std::pow(10000.0, -(double)(i % (size_t)hs) / hs);
                double a = v[i], b = v[i + 1];
                v[i] = a * std::cos(theta) - b * std::sin(theta);
                v[i + 1] = a * std::sin(theta) + b * std::cos(theta);
            }
        };
        // keys and values of every layer and position
        std::vector<std::vector<std::vector<double>>> K((size_t)layers), V((size_t)layers);
        std::vector<double> x;
        for (size_t pos = 0; pos < tokens.size(); pos++) {
            x.assign(emb.begin() + tokens[pos] * dim, emb.begin() + (tokens[pos] + 1) * dim);
            for (int l = 0; l < layers; l++) {
                std::vector<double> h = norm(x, rms_att, (size_t)l * dim);
                std::vector<double> q = matvec(wq, (size_t)l * dim * dim, h, dim);
                std::vector<double> k = matvec(wk, (size_t)l * kv * dim, h, kv);
                rotate(q, (int)pos);
                rotate(k, (int)pos);
                K[(size_t)l].push_back(k);
                V[(size_t)l].push_back(matvec(wv, (size_t)l * kv * dim, h, kv));
                std::vector<double> att((size_t)dim, 0.0);
                for (int head = 0; head < heads; head++) {
                    int g = head / (heads / kv_heads); // its key/value head
                    std::vector<double> e(pos + 1);
                    double sum = 0;
                    for (size_t t = 0; t <= pos; t++) {
                        double dot = 0;
                        for (int i = 0; i < hs; i++)
                            dot += q[(size_t)(head * hs + i)] * K[(size_t)l][t][(size_t)(g * hs + i)];
                        e[t] = std::exp(dot / std::sqrt((double)hs));
                        sum += e[t];
                    }
                    for (size_t t = 0; t <= pos; t++)
                        for (int i = 0; i < hs; i++)
                            att[(size_t)(head * hs + i)] += e[t] / sum * V[(size_t)l][t][(size_t)(g * hs + i)];
                }
                std::vector<double> o = matvec(wo, (size_t)l * dim * dim, att, dim);
                for (int i = 0; i < dim; i++)
                    x[(size_t)i] += o[(size_t)i];
                h = norm(x, rms_ffn, (size_t)l * dim);
                std::vector<double> a = matvec(w1, (size_t)l * hidden * dim, h, hidden);
                std::vector<double> b = matvec(w3, (size_t)l * hidden * dim, h, hidden);
                for (int i = 0; i < hidden; i++)
                    a[(size_t)i] = a[(size_t)i] / (1.0 + std::exp(-a[(size_t)i])) * b[(size_t)i];
                std::vector<double> f = matvec(w2, (size_t)l * dim * hidden, a, dim);
                for (int i = 0; i < dim; i++)
                    x[(size_t)i] += f[(size_t)i];
            }
        }
        x = norm(x, rms_final, 0);
        return matvec(shared ? emb : wcls, 0, x, vocab);
    }
};

std::string load_error(const std::vector<unsigned char> &file)
{
    std::string path = temp_path("model.bin");
    write_bytes(path, file);
    ort_llama_model m;
    ort_diag d{};
    int rc = ort_llama_load(path.c_str(), &m, &d);
    ort_llama_free(&m);
    return rc == 0 ? "" : d.msg;
}

/* Logits of the last token of `tokens` from the reference. */
std::vector<float> ref_logits(const ort_llama_model &m, const std::vector<int> &tokens)
{
    ort_llama_ref s;
    ort_diag d{};
    EXPECT_EQ(ort_llama_ref_init(&s, &m, &d), 0) << d.msg;
    std::vector<float> logits((size_t)m.cfg.vocab_size);
    for (size_t pos = 0; pos < tokens.size(); pos++)
        EXPECT_EQ(ort_llama_forward(&m, &s, tokens[pos], (int)pos, logits.data()), 0);
    ort_llama_ref_free(&s);
    return logits;
}

TEST(LlamaTiny, Version1UntiedClassifierMatchesAnIndependentForwardPass)
{
    Tiny t;
    std::string path = temp_path("tiny_v1.bin");
    write_bytes(path, t.v1());
    ort_llama_model m;
    ort_diag d{};
    ASSERT_EQ(ort_llama_load(path.c_str(), &m, &d), 0) << d.msg;
    EXPECT_EQ(m.cfg.version, 1);
    EXPECT_EQ(m.cfg.shared_classifier, 0);
    EXPECT_EQ(m.cfg.head_size, 2);
    EXPECT_EQ(m.cfg.kv_dim, 2);
    EXPECT_NE(m.wcls, m.tok_embedding);
    EXPECT_EQ(m.wcls[0], t.wcls[0]);
    EXPECT_EQ(m.w3[t.w3.size() - 1], t.w3.back());
    // every position of a sequence: RoPE angles, the softmax over 1..4
    // positions, both query heads on the one key/value head
    std::vector<int> seq = {1, 3, 0, 4};
    for (size_t n = 1; n <= seq.size(); n++) {
        std::vector<int> prefix(seq.begin(), seq.begin() + (long)n);
        std::vector<float> got = ref_logits(m, prefix);
        std::vector<double> want = t.logits(prefix);
        for (int v = 0; v < t.vocab; v++)
            EXPECT_NEAR(got[(size_t)v], want[(size_t)v], 1e-4 * (1 + std::fabs(want[(size_t)v])))
                << "position " << n - 1 << ", logit " << v;
    }
    ort_llama_free(&m);
}

TEST(LlamaTiny, FirstPositionByHand)
{
    // At position 0 RoPE is the identity and attention returns v itself,
    // so one layer's output follows from the weights by hand: check the
    // independent model's formula on the simplest case it covers.
    Tiny t;
    std::string path = temp_path("tiny.bin");
    write_bytes(path, t.v1());
    ort_llama_model m;
    ort_diag d{};
    ASSERT_EQ(ort_llama_load(path.c_str(), &m, &d), 0) << d.msg;
    int tok = 2, D = t.dim, kv = 2;
    auto rms = [](std::vector<double> x, const float *w) {
        double ss = 0;
        for (double v : x)
            ss += v * v;
        double r = 1 / std::sqrt(ss / (double)x.size() + 1e-5);
        for (size_t i = 0; i < x.size(); i++)
            x[i] *= r * w[i];
        return x;
    };
    std::vector<double> x(t.emb.begin() + tok * D, t.emb.begin() + (tok + 1) * D);
    std::vector<double> h = rms(x, t.rms_att.data()), v((size_t)kv, 0), att((size_t)D);
    for (int r = 0; r < kv; r++)
        for (int c = 0; c < D; c++)
            v[(size_t)r] += t.wv[(size_t)(r * D + c)] * h[(size_t)c];
    for (int i = 0; i < D; i++)
        att[(size_t)i] = v[(size_t)(i % 2)]; // both heads read the one value head
    for (int r = 0; r < D; r++)
        for (int c = 0; c < D; c++)
            x[(size_t)r] += t.wo[(size_t)(r * D + c)] * att[(size_t)c];
    h = rms(x, t.rms_ffn.data());
    std::vector<double> g((size_t)t.hidden, 0), u((size_t)t.hidden, 0);
    for (int r = 0; r < t.hidden; r++)
        for (int c = 0; c < D; c++) {
            g[(size_t)r] += t.w1[(size_t)(r * D + c)] * h[(size_t)c];
            u[(size_t)r] += t.w3[(size_t)(r * D + c)] * h[(size_t)c];
        }
    for (int r = 0; r < D; r++)
        for (int c = 0; c < t.hidden; c++)
            x[(size_t)r] += t.w2[(size_t)(r * t.hidden + c)] * (g[(size_t)c] / (1 + std::exp(-g[(size_t)c])) * u[(size_t)c]);
    h = rms(x, t.rms_final.data());
    std::vector<float> got = ref_logits(m, {tok});
    for (int r = 0; r < t.vocab; r++) {
        double want = 0;
        for (int c = 0; c < D; c++)
            want += t.wcls[(size_t)(r * D + c)] * h[(size_t)c];
        EXPECT_NEAR(got[(size_t)r], want, 1e-4 * (1 + std::fabs(want))) << "logit " << r;
    }
    ort_llama_free(&m);
}

TEST(LlamaTiny, LegacyHeaderReadsTheSameModel)
{
    // The legacy layout (negative vocab_size: classifier after the RoPE
    // tables) and the shared-classifier forms give bit-identical logits to
    // the version 1 file holding the same weights.
    Tiny t;
    for (bool shared : {false, true}) {
        std::string p0 = temp_path("tiny_v0.bin"), p1 = temp_path("tiny_v1.bin");
        write_bytes(p0, t.v0(shared));
        write_bytes(p1, t.v1(shared));
        ort_llama_model m0, m1;
        ort_diag d{};
        ASSERT_EQ(ort_llama_load(p0.c_str(), &m0, &d), 0) << d.msg;
        ASSERT_EQ(ort_llama_load(p1.c_str(), &m1, &d), 0) << d.msg;
        EXPECT_EQ(m0.cfg.version, 0);
        EXPECT_EQ(m0.cfg.vocab_size, t.vocab);
        EXPECT_EQ(m0.cfg.shared_classifier, shared ? 1 : 0);
        EXPECT_EQ(m0.wcls == m0.tok_embedding, shared);
        std::vector<int> seq = {1, 3, 0, 4};
        std::vector<float> a = ref_logits(m0, seq), b = ref_logits(m1, seq);
        EXPECT_EQ(0, memcmp(a.data(), b.data(), a.size() * sizeof(float))) << "shared " << shared;
        std::vector<double> want = t.logits(seq, shared);
        for (int v = 0; v < t.vocab; v++)
            EXPECT_NEAR(a[(size_t)v], want[(size_t)v], 1e-4 * (1 + std::fabs(want[(size_t)v])));
        ort_llama_free(&m0);
        ort_llama_free(&m1);
    }
}

TEST(LlamaTiny, ForwardRefusesTokensAndPositionsOutOfRange)
{
    Tiny t;
    std::string path = temp_path("tiny.bin");
    write_bytes(path, t.v1());
    ort_llama_model m;
    ort_diag d{};
    ASSERT_EQ(ort_llama_load(path.c_str(), &m, &d), 0) << d.msg;
    ort_llama_ref s;
    ASSERT_EQ(ort_llama_ref_init(&s, &m, &d), 0);
    float logits[5];
    EXPECT_EQ(ort_llama_forward(&m, &s, 5, 0, logits), -1);
    EXPECT_EQ(ort_llama_forward(&m, &s, -1, 0, logits), -1);
    EXPECT_EQ(ort_llama_forward(&m, &s, 0, 4, logits), -1); // seq_len 4
    ort_llama_ref_free(&s);
    int out[8], n;
    EXPECT_EQ(ort_llama_generate(&m, nullptr, 0, 5, out, &n, &d), -1);
    EXPECT_NE(std::string(d.msg).find("1 to 4 (seq_len)"), std::string::npos) << d.msg;
    int bad[] = {1, 7};
    EXPECT_EQ(ort_llama_generate(&m, bad, 2, 4, out, &n, &d), -1);
    EXPECT_NE(std::string(d.msg).find("prompt token 7 (at 1) is not in the vocabulary"), std::string::npos)
        << d.msg;
    ort_llama_free(&m);
}

TEST(LlamaGreedy, ArgmaxTakesTheFirstOfEqualValues)
{
    float v[] = {0.5f, 2.0f, -1.0f, 2.0f};
    EXPECT_EQ(ort_llama_argmax(v, 4), 1);
    float w[] = {NAN, 1.0f};
    EXPECT_EQ(ort_llama_argmax(w, 2), 0); // as run.c: nothing compares greater than a NaN
}

TEST(LlamaGreedy, StopsWhenBosIsProduced)
{
    // A model that always answers BOS: no attention or FFN output (wo and
    // w2 zero), every token embedded alike with positive entries, and a
    // classifier whose only non-zero row is BOS's, all ones.
    Tiny t;
    std::fill(t.wo.begin(), t.wo.end(), 0.0f);
    std::fill(t.w2.begin(), t.w2.end(), 0.0f);
    for (size_t i = 0; i < t.emb.size(); i++)
        t.emb[i] = 0.5f + (float)(i % (size_t)t.dim);
    std::fill(t.rms_final.begin(), t.rms_final.end(), 1.0f);
    std::fill(t.wcls.begin(), t.wcls.end(), 0.0f);
    std::fill(t.wcls.begin() + t.dim, t.wcls.begin() + 2 * t.dim, 1.0f);
    std::string path = temp_path("bos.bin");
    write_bytes(path, t.v1());
    ort_llama_model m;
    ort_diag d{};
    ASSERT_EQ(ort_llama_load(path.c_str(), &m, &d), 0) << d.msg;
    std::vector<float> l = ref_logits(m, {1});
    ASSERT_EQ(ort_llama_argmax(l.data(), t.vocab), 1) << "the test model should prefer BOS";
    int out[4], n = -1;
    ASSERT_EQ(ort_llama_generate(&m, nullptr, 0, 4, out, &n, &d), 0) << d.msg;
    EXPECT_EQ(n, 0);
    // a prompt is followed (forced) even so, then BOS ends the sequence
    int prompt[] = {1, 3, 2};
    ASSERT_EQ(ort_llama_generate(&m, prompt, 3, 4, out, &n, &d), 0) << d.msg;
    ASSERT_EQ(n, 2);
    EXPECT_EQ(out[0], 3);
    EXPECT_EQ(out[1], 2);
    ort_llama_free(&m);
}

// ---- bad checkpoints ----------------------------------------------------------

std::vector<unsigned char> with_header_int(std::vector<unsigned char> f, int index, int32_t v)
{
    memcpy(f.data() + 8 + 4 * index, &v, 4); // v1: after magic and version
    return f;
}

TEST(LlamaErrors, TruncatedFileSaysHowLongItShouldBe)
{
    Tiny t;
    std::vector<unsigned char> f = t.v1();
    size_t full = f.size();
    f.resize(full - 4);
    std::string e = load_error(f);
    EXPECT_NE(e.find("model.bin: truncated"), std::string::npos) << e;
    EXPECT_NE(e.find("describes " + std::to_string(full) + " bytes, the file has " + std::to_string(full - 4)),
              std::string::npos) << e;
    f.resize(100); // inside the 256-byte header
    e = load_error(f);
    EXPECT_NE(e.find("truncated: 100 bytes, the versioned header alone is 256"), std::string::npos) << e;
    e = load_error({1, 2, 3});
    EXPECT_NE(e.find("3 bytes is too short for a llama2.c checkpoint header"), std::string::npos) << e;
    f = t.v1();
    f.push_back(0);
    e = load_error(f);
    EXPECT_NE(e.find("bytes after the last tensor"), std::string::npos) << e;
}

TEST(LlamaErrors, BadHeaderValuesAreNamed)
{
    Tiny t;
    struct {
        int index;
        int32_t value;
        const char *message;
    } cases[] = {
        {0, 0, "dim = 0 in the header must be positive"},
        {1, -3, "hidden_dim = -3 in the header must be positive"},
        {2, 0, "n_layers = 0 in the header must be positive"},
        {4, 0, "n_kv_heads = 0 in the header must be positive"},
        {6, -1, "seq_len = -1 in the header must be positive"},
        {5, -5, "vocab_size = -5 in the header is not a vocabulary size"}, // v1: no sign trick
        {0, 5, "dim 5 is not a multiple of n_heads 2"},
        {0, 6, "head size 3 (dim 6 / n_heads 2) is odd: RoPE needs pairs"},
        {4, 3, "n_kv_heads 3 does not divide n_heads 2"},
        {3, 4, "head size 1 (dim 4 / n_heads 4) is odd"},
        {2, 1 << 30, "bytes, the file has"},                  // huge but counted exactly: too short
        {1, 0x7fffffff, "bytes, the file has"},
    };
    for (auto &c : cases) {
        std::string e = load_error(with_header_int(t.v1(), c.index, c.value));
        EXPECT_NE(e.find(c.message), std::string::npos) << "header int " << c.index << " = " << c.value << ": " << e;
    }
    // sizes past 64 bits: dim 2^30, 2^29 heads, 2^30 layers, 2^30 hidden
    std::vector<unsigned char> f = t.v1();
    f = with_header_int(f, 0, 1 << 30);
    f = with_header_int(f, 1, 1 << 30);
    f = with_header_int(f, 2, 1 << 30);
    f = with_header_int(f, 3, 1 << 29);
    f = with_header_int(f, 4, 1 << 29);
    std::string e = load_error(f);
    EXPECT_NE(e.find("the header's sizes overflow"), std::string::npos) << e;
    // the legacy header: INT_MIN has no positive vocabulary size
    f = t.v0();
    int32_t min = INT32_MIN;
    memcpy(f.data() + 20, &min, 4);
    e = load_error(f);
    EXPECT_NE(e.find("vocab_size = -2147483648 in the header is not a vocabulary size"), std::string::npos) << e;
    // a flag that is neither 0 nor 1
    f = t.v1();
    f[36] = 7;
    e = load_error(f);
    EXPECT_NE(e.find("shared_classifier flag is 7"), std::string::npos) << e;
}

TEST(LlamaErrors, VersionTwoAndUnknownVersionsAreRefused)
{
    Tiny t;
    std::vector<unsigned char> f = t.v1();
    int32_t v = 2;
    memcpy(f.data() + 4, &v, 4);
    std::string e = load_error(f);
    EXPECT_NE(e.find("version 2 (int8 Q8_0 weights) is not supported"), std::string::npos) << e;
    v = 7;
    memcpy(f.data() + 4, &v, 4);
    e = load_error(f);
    EXPECT_NE(e.find("unknown llama2.c checkpoint version 7"), std::string::npos) << e;
}

TEST(LlamaErrors, MissingFileAndDirectory)
{
    ort_llama_model m;
    ort_diag d{};
    EXPECT_EQ(ort_llama_load("/nonexistent/model.bin", &m, &d), -1);
    EXPECT_NE(std::string(d.msg).find("/nonexistent/model.bin: cannot open"), std::string::npos) << d.msg;
    EXPECT_EQ(ort_llama_load("/tmp", &m, &d), -1);
    EXPECT_NE(std::string(d.msg).find("/tmp: not a regular file"), std::string::npos) << d.msg;
}

// ---- tokenizer ----------------------------------------------------------------

std::vector<unsigned char> tokenizer_file(const std::vector<std::string> &pieces, int max_len = -1)
{
    Bytes o;
    int longest = 0;
    for (auto &p : pieces)
        longest = std::max(longest, (int)p.size());
    o.i32(max_len < 0 ? longest : max_len);
    for (size_t i = 0; i < pieces.size(); i++) {
        o.f32(-(float)i);
        o.i32((int32_t)pieces[i].size());
        o.raw(pieces[i].data(), pieces[i].size());
    }
    return o.b;
}

std::string tokenizer_error(const std::vector<unsigned char> &file, int vocab)
{
    std::string path = temp_path("tokenizer.bin");
    write_bytes(path, file);
    ort_llama_tokenizer t;
    ort_diag d{};
    int rc = ort_llama_tokenizer_load(path.c_str(), vocab, &t, &d);
    ort_llama_tokenizer_free(&t);
    return rc == 0 ? "" : d.msg;
}

TEST(LlamaTokenizer, DecodesAsRunC)
{
    std::vector<std::string> pieces = {"<unk>", "\n<s>\n", "\n</s>\n", "<0x0A>", "<0x41>", " Once", "upon", "<0x4g>"};
    std::string path = temp_path("tokenizer.bin");
    write_bytes(path, tokenizer_file(pieces));
    ort_llama_tokenizer t;
    ort_diag d{};
    ASSERT_EQ(ort_llama_tokenizer_load(path.c_str(), 8, &t, &d), 0) << d.msg;
    EXPECT_EQ(t.max_token_length, 6);
    EXPECT_EQ(t.scores[5], -5.0f);
    EXPECT_STREQ(ort_llama_decode(&t, 1, 5), "Once");  // after BOS: no leading space
    EXPECT_STREQ(ort_llama_decode(&t, 6, 5), " Once");
    EXPECT_STREQ(ort_llama_decode(&t, 5, 6), "upon");
    EXPECT_STREQ(ort_llama_decode(&t, 5, 3), "\n");    // raw bytes
    EXPECT_STREQ(ort_llama_decode(&t, 5, 4), "A");
    EXPECT_STREQ(ort_llama_decode(&t, 5, 7), "<0x4g>"); // not a byte: the piece itself
    EXPECT_EQ(ort_llama_decode(&t, 5, 8), nullptr);
    EXPECT_EQ(ort_llama_decode(&t, 5, -1), nullptr);
    EXPECT_TRUE(ort_llama_piece_printable("A"));
    EXPECT_TRUE(ort_llama_piece_printable("\n"));
    EXPECT_TRUE(ort_llama_piece_printable(" Once"));
    EXPECT_FALSE(ort_llama_piece_printable("\x01"));
    EXPECT_FALSE(ort_llama_piece_printable(""));
    ort_llama_tokenizer_free(&t);
}

TEST(LlamaTokenizer, BadFilesAreNamed)
{
    std::vector<std::string> pieces = {"a", "bb", "ccc"};
    std::vector<unsigned char> f = tokenizer_file(pieces);
    EXPECT_EQ(tokenizer_error(f, 3), "");
    std::string e = tokenizer_error(f, 4);
    EXPECT_NE(e.find("tokenizer.bin: truncated at token 3 of 4"), std::string::npos) << e;
    e = tokenizer_error(f, 2);
    EXPECT_NE(e.find("11 bytes after token 1: the tokenizer has more pieces than the model's 2"),
              std::string::npos) << e;
    std::vector<unsigned char> cut(f.begin(), f.end() - 1);
    e = tokenizer_error(cut, 3);
    EXPECT_NE(e.find("truncated in token 2 of 3"), std::string::npos) << e;
    e = tokenizer_error(tokenizer_file(pieces, 2), 3);
    EXPECT_NE(e.find("token 2 has length 3 (max_token_length 2)"), std::string::npos) << e;
    e = tokenizer_error(tokenizer_file(pieces, 0), 3);
    EXPECT_NE(e.find("max_token_length 0 must be positive"), std::string::npos) << e;
    std::vector<unsigned char> neg = f;
    int32_t minus = -1;
    memcpy(neg.data() + 8, &minus, 4); // token 0's length
    e = tokenizer_error(neg, 3);
    EXPECT_NE(e.find("token 0 has length -1"), std::string::npos) << e;
    e = tokenizer_error({1, 0}, 3);
    EXPECT_NE(e.find("truncated: no max_token_length"), std::string::npos) << e;
    ort_llama_tokenizer t;
    ort_diag d{};
    EXPECT_EQ(ort_llama_tokenizer_load("/nonexistent/tok.bin", 3, &t, &d), -1);
    EXPECT_NE(std::string(d.msg).find("/nonexistent/tok.bin: cannot open"), std::string::npos) << d.msg;
}

// ---- the real checkpoint ------------------------------------------------------

std::string stories260k()
{
    const char *dir = getenv("ORTIGIA_LLAMA2C_TESTDATA");
    return std::string(dir ? dir : ORTIGIA_LLAMA2C_DATA) + "/stories260K.bin";
}

#define LOAD_STORIES(m)                                                                                  \
    std::string path = stories260k();                                                                    \
    if (access(path.c_str(), R_OK) != 0)                                                                 \
        GTEST_SKIP() << path << " is absent (set ORTIGIA_LLAMA2C_TESTDATA to its folder)";               \
    ort_diag d{};                                                                                        \
    ASSERT_EQ(ort_llama_load(path.c_str(), &m, &d), 0) << d.msg

TEST(LlamaStories260K, HeaderAsDocumented)
{
    ort_llama_model m;
    LOAD_STORIES(m);
    const ort_llama_config &c = m.cfg;
    EXPECT_EQ(c.version, 0);
    EXPECT_EQ(c.dim, 64);
    EXPECT_EQ(c.hidden_dim, 172);
    EXPECT_EQ(c.n_layers, 5);
    EXPECT_EQ(c.n_heads, 8);
    EXPECT_EQ(c.n_kv_heads, 4);
    EXPECT_EQ(c.vocab_size, 512);
    EXPECT_EQ(c.seq_len, 512);
    EXPECT_EQ(c.shared_classifier, 1);
    EXPECT_EQ(c.kv_dim, 32);
    EXPECT_EQ(m.wcls, m.tok_embedding);
    ort_llama_free(&m);
}

// The ids llama2.c's run.c (commit 350e04fe, gcc -O2) prints at -t 0 -n 64
// from BOS for this checkpoint; docs/compiler.md says how they were taken.
const std::vector<int> kStoriesFromBos = {
    461, 461, 401, 401, 401, 461, 378, 455, 473, 456, 435, 299, 362, 409, 283, 264,
    283, 452, 288, 13,  431, 431, 431, 431, 431, 431, 431, 431, 431, 431, 431, 431,
    431, 293, 430, 417, 363, 416, 315, 342, 418, 424, 400, 442, 402, 303, 266, 299,
    374, 466, 396, 303, 271, 362, 390, 469, 306, 469, 423, 314, 347, 305, 356, 333};

// ... and with the prompt "Once upon" encoded by run.c through the
// synthetic tokenizer: 1, 35 (" "), then each byte + 3. run.c prints the
// prompt's ids after BOS, then 54 generated ones.
const std::vector<int> kStoriesPrompt = {1, 35, 82, 113, 102, 104, 35, 120, 115, 114, 113};
const std::vector<int> kStoriesFromPrompt = {
    35,  82,  113, 102, 104, 35,  120, 115, 114, 113, 224, 310, 343, 303, 289, 446,
    347, 473, 397, 288, 404, 431, 367, 377, 465, 466, 466, 466, 304, 472, 341, 461,
    390, 461, 471, 454, 155, 396, 396, 390, 390, 473, 440, 300, 284, 284, 284, 441,
    311, 461, 390, 457, 457, 463, 361, 441, 485, 461, 465, 466, 303, 422, 310, 342};

TEST(LlamaStories260K, GreedyFromBosEqualsRunC)
{
    ort_llama_model m;
    LOAD_STORIES(m);
    std::vector<int> out(64);
    int n = 0;
    ASSERT_EQ(ort_llama_generate(&m, nullptr, 0, 64, out.data(), &n, &d), 0) << d.msg;
    out.resize((size_t)n);
    EXPECT_EQ(out, kStoriesFromBos);
    ort_llama_free(&m);
}

TEST(LlamaStories260K, GreedyFromPromptEqualsRunC)
{
    ort_llama_model m;
    LOAD_STORIES(m);
    std::vector<int> out(64);
    int n = 0;
    ASSERT_EQ(ort_llama_generate(&m, kStoriesPrompt.data(), (int)kStoriesPrompt.size(), 64, out.data(), &n, &d),
              0) << d.msg;
    out.resize((size_t)n);
    EXPECT_EQ(out, kStoriesFromPrompt);
    ort_llama_free(&m);
}

TEST(LlamaStories260K, TruncatedCopyIsRefused)
{
    ort_llama_model m;
    LOAD_STORIES(m);
    ort_llama_free(&m);
    FILE *f = fopen(path.c_str(), "rb");
    ASSERT_NE(f, nullptr);
    std::vector<unsigned char> head(100000);
    ASSERT_EQ(fread(head.data(), 1, head.size(), f), head.size());
    fclose(f);
    std::string e = load_error(head);
    EXPECT_NE(e.find("truncated: the header (version 0: dim 64, hidden_dim 172, n_layers 5, n_heads 8, "
                     "n_kv_heads 4, vocab_size 512, seq_len 512, shared classifier) describes 1056540 bytes, "
                     "the file has 100000"),
              std::string::npos) << e;
}

} // namespace

// ---- the embedded default model -------------------------------------------

TEST(LlamaDefault, TheWeightsAreTheSameEveryTimeAndTheModelGenerates)
{
    ort_llama_model a{}, b{};
    ort_diag d{};
    ASSERT_EQ(ort_llama_default(&a, &d), 0) << d.msg;
    ASSERT_EQ(ort_llama_default(&b, &d), 0) << d.msg;
    EXPECT_EQ(a.cfg.dim, 64);
    EXPECT_EQ(a.cfg.n_layers, 8);
    EXPECT_EQ(a.cfg.n_heads, 16);
    EXPECT_EQ(a.cfg.head_size, 4);
    EXPECT_EQ(a.cfg.hidden_dim, 256);
    EXPECT_EQ(a.cfg.vocab_size, 512);
    EXPECT_EQ(a.cfg.seq_len, 256);
    size_t n = (size_t)(a.wcls + (size_t)a.cfg.vocab_size * a.cfg.dim - a.data);
    ASSERT_EQ(memcmp(a.data, b.data, n * sizeof(float)), 0);
    // Pinned: a change to the generator changes every study made with it.
    uint64_t h = 1469598103934665603ULL; // FNV-1a over the weights' bytes
    const unsigned char *p = (const unsigned char *)a.data;
    for (size_t i = 0; i < n * sizeof(float); i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    EXPECT_EQ(h, 4158898894490695899ULL);
    // Greedy from BOS: varied tokens, never BOS (its classifier row is 0).
    std::vector<int> out(64);
    int got = 0;
    ASSERT_EQ(ort_llama_generate(&a, nullptr, 0, 64, out.data(), &got, &d), 0) << d.msg;
    ASSERT_EQ(got, 64); // the ids after BOS: 64 positions, none ended early
    const int first[8] = {381, 335, 192, 469, 138, 379, 323, 420};
    for (int i = 0; i < 8; i++)
        EXPECT_EQ(out[(size_t)i], first[i]) << i;
    ort_llama_free(&a);
    ort_llama_free(&b);
}

// ---- the quantized model ----------------------------------------------------

static std::string slurp(const std::string &path)
{
    FILE *f = fopen(path.c_str(), "rb");
    std::string s;
    if (!f)
        return s;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        s.append(buf, n);
    fclose(f);
    return s;
}

// The int8 model under teacher forcing on the float model's greedy
// sequence from BOS over `steps` positions (what `ortigia llm --reference
// int` prints, and tests/tools/llm_accuracy): the positions where its top-1
// is the float one's, and the same among the positions where the float
// top-1 leads its second by more than `margin` (the others are near ties).
struct agreement {
    int agree = 0, positions = 0, agree_clear = 0, clear = 0;
};

static agreement teacher_forced(const ort_llama_model &m, int steps, float margin)
{
    agreement a;
    ort_diag d{};
    int V = m.cfg.vocab_size, token = ORT_LLAMA_BOS;
    ort_llama_ref s;
    std::vector<float> logits((size_t)V);
    std::vector<int> forced, best;
    std::vector<float> gap;
    EXPECT_EQ(ort_llama_ref_init(&s, &m, &d), 0) << d.msg;
    for (int pos = 0; pos < steps; pos++) {
        forced.push_back(token);
        ort_llama_forward(&m, &s, token, pos, logits.data());
        int b = ort_llama_argmax(logits.data(), V);
        float second = -1e30f;
        for (int v = 0; v < V; v++)
            if (v != b && logits[(size_t)v] > second)
                second = logits[(size_t)v];
        best.push_back(b);
        gap.push_back(logits[(size_t)b] - second);
        if ((token = b) == ORT_LLAMA_BOS)
            break;
    }
    ort_llama_ref_free(&s);
    char dir[] = "/tmp/ortigia_llm_agree_XXXXXX";
    EXPECT_NE(mkdtemp(dir), nullptr);
    ort_llm_q q{};
    EXPECT_EQ(ort_llm_quantize(&m, steps, dir, &q, &d), 0) << d.msg;
    std::vector<int> top(forced.size());
    int nt = 0;
    EXPECT_EQ(ort_llm_int_generate(&q, nullptr, 0, (int)forced.size(), forced.data(), (int)forced.size(), top.data(),
                                   &nt, nullptr, &d),
              0)
        << d.msg;
    for (int i = 0; i < nt; i++) {
        bool same = top[(size_t)i] == best[(size_t)i];
        a.positions++, a.agree += same;
        if (gap[(size_t)i] > margin)
            a.clear++, a.agree_clear += same;
    }
    ort_llm_q_free(&q);
    std::string rm = std::string("rm -rf '") + dir + "'";
    EXPECT_EQ(system(rm.c_str()), 0);
    return a;
}

TEST(LlmQuant, TheStepGraphIsDeterministicAndTheIntModelFollowsTheFloatOne)
{
    ort_llama_model m{};
    ort_diag d{};
    ASSERT_EQ(ort_llama_default(&m, &d), 0);
    char a_dir[] = "/tmp/ortigia_llmq_a_XXXXXX", b_dir[] = "/tmp/ortigia_llmq_b_XXXXXX";
    ASSERT_NE(mkdtemp(a_dir), nullptr);
    ASSERT_NE(mkdtemp(b_dir), nullptr);
    ort_llm_q qa{}, qb{};
    ASSERT_EQ(ort_llm_quantize(&m, 64, a_dir, &qa, &d), 0) << d.msg;
    ASSERT_EQ(ort_llm_quantize(&m, 64, b_dir, &qb, &d), 0) << d.msg;
    std::string ga = slurp(qa.step_path), gb = slurp(qb.step_path);
    EXPECT_GT(ga.size(), 100000u);
    EXPECT_EQ(ga, gb);
    EXPECT_EQ(memcmp(qa.embedding, qb.embedding, 512 * 64), 0);
    // Teacher forcing on the float model's greedy sequence: the default
    // model's weights are random, its logits nearly tied (47 of 64
    // positions have a float top-1 within 0.3 of the second), so its
    // agreement (57 of 64 today, 49 to 57 along docs/compiler.md's
    // choices) moves by a few positions with any change of rounding;
    // every position with a clear float top-1 agrees.
    agreement a = teacher_forced(m, 64, 0.3f);
    EXPECT_EQ(a.positions, 64);
    EXPECT_GE(a.agree, 52) << a.agree << " of 64";
    EXPECT_GE(a.clear, 15);
    EXPECT_EQ(a.agree_clear, a.clear) << a.agree_clear << " of " << a.clear;
    // Bad input: a context beyond the model's.
    ort_llm_q qc{};
    EXPECT_NE(ort_llm_quantize(&m, 1000, a_dir, &qc, &d), 0);
    EXPECT_NE(std::string(d.msg).find("a context of 1000 positions: the model's is 1..256"), std::string::npos)
        << d.msg;
    ort_llm_q_free(&qa);
    ort_llm_q_free(&qb);
    ort_llama_free(&m);
    std::string rm = std::string("rm -rf ") + a_dir + " " + b_dir;
    EXPECT_EQ(system(rm.c_str()), 0);
}

// ---- prompt mode: the prefill graph against T steps ---------------------------

// Runs the step graph over the prompt's T positions (caches filled as the
// device does) and the prefill graph once on the same prompt: every
// layer's keys and values of the T positions and the last position's
// logits must be the same integers.
static void prefill_equals_steps(const ort_llama_model &m, int context, const std::vector<int> &prompt,
                                 bool expect_groups = false)
{
    ort_diag d{};
    char dir[] = "/tmp/ortigia_llmp_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const int T = (int)prompt.size();
    ort_llm_q q{};
    ASSERT_EQ(ort_llm_quantize_prefill(&m, context, T, dir, &q, &d), 0) << d.msg;
    const ort_llama_config &c = q.cfg;
    const int D = c.dim, hs = c.head_size, C = context, kvh = c.n_kv_heads, L = c.n_layers, V = c.vocab_size;
    ort_graph *sg = ort_llm_step_graph(&q, &d);
    ASSERT_NE(sg, nullptr) << d.msg;
    ort_graph *pg = ort_llm_prefill_graph(&q, &d);
    ASSERT_NE(pg, nullptr) << d.msg;
    // the step graph's inputs: x, rope, mask, then the caches
    const int n_in = 3 + 2 * L;
    std::vector<std::vector<int64_t>> data((size_t)n_in);
    std::vector<ort_array> arr((size_t)n_in);
    for (int i = 0; i < n_in; i++) {
        size_t count = i == 0 ? (size_t)D : i == 1 ? (size_t)hs * hs : i == 2 ? (size_t)C + 1 : (size_t)kvh * C * hs;
        data[(size_t)i].assign(count, 0);
        snprintf(arr[(size_t)i].name, sizeof arr[(size_t)i].name, "input_%d", i);
        arr[(size_t)i].data = data[(size_t)i].data();
        arr[(size_t)i].shape = i == 0   ? ort_shape{2, {1, D}}
                               : i == 1 ? ort_shape{2, {hs, hs}}
                               : i == 2 ? ort_shape{1, {C + 1}}
                                        : ort_shape{3, {kvh, C, hs}};
    }
    ort_npz step_in{arr.data(), n_in, nullptr};
    std::vector<int64_t> last_logits;
    for (int pos = 0; pos < T; pos++) {
        for (int i = 0; i < D; i++)
            data[0][(size_t)i] = q.embedding[(size_t)prompt[(size_t)pos] * D + i];
        for (int i = 0; i < hs * hs; i++)
            data[1][(size_t)i] = q.rope[(size_t)pos * hs * hs + i];
        for (int j = 0; j < C; j++)
            data[2][(size_t)j] = j < pos ? 0 : -32768;
        data[2][(size_t)C] = 0;
        int64_t **values = nullptr;
        ASSERT_EQ(ort_ref_run(sg, &step_in, &values, &d), 0) << d.msg;
        last_logits.assign(values[sg->outputs[0]], values[sg->outputs[0]] + V);
        for (int o = 0; o < 2 * L; o++)
            for (int h = 0; h < kvh; h++)
                for (int i = 0; i < hs; i++)
                    data[(size_t)3 + o][((size_t)h * C + pos) * hs + i] = values[sg->outputs[1 + o]][h * hs + i];
        ort_ref_free(sg, values);
    }
    std::vector<int64_t> x((size_t)T * D);
    for (int t = 0; t < T; t++)
        for (int i = 0; i < D; i++)
            x[(size_t)t * D + i] = q.embedding[(size_t)prompt[(size_t)t] * D + i];
    ort_array xa{};
    snprintf(xa.name, sizeof xa.name, "input_0");
    xa.data = x.data();
    xa.shape = ort_shape{2, {T, D}};
    ort_npz pre_in{&xa, 1, nullptr};
    // a long prompt's heads in groups (compiler/llm_quant.c, attention_groups)
    bool grouped = false;
    for (int i = 0; i < pg->n_nodes; i++)
        grouped = grouped || !strcmp(pg->nodes[i].name, "l0.g1.scores");
    EXPECT_EQ(grouped, expect_groups) << "the heads in groups";
    int64_t **values = nullptr;
    ASSERT_EQ(ort_ref_run(pg, &pre_in, &values, &d), 0) << d.msg;
    int differ = 0;
    for (int v = 0; v < V; v++)
        differ += values[pg->outputs[0]][v] != last_logits[(size_t)v];
    EXPECT_EQ(differ, 0) << "logits of the last position";
    for (int o = 0; o < 2 * L; o++) {
        int bad = 0;
        for (int h = 0; h < kvh; h++)
            for (int t = 0; t < T; t++)
                for (int i = 0; i < hs; i++)
                    bad += values[pg->outputs[1 + o]][((size_t)h * T + t) * hs + i] !=
                           data[(size_t)3 + o][((size_t)h * C + t) * hs + i];
        EXPECT_EQ(bad, 0) << "layer " << o / 2 << (o % 2 ? " values" : " keys");
    }
    ort_ref_free(pg, values);
    ort_graph_free(sg);
    ort_graph_free(pg);
    ort_llm_q_free(&q);
    std::string rm = std::string("rm -rf ") + dir;
    EXPECT_EQ(system(rm.c_str()), 0);
}

TEST(LlmQuant, PrefillEqualsSteps)
{
    ort_llama_model m{};
    ort_diag d{};
    ASSERT_EQ(ort_llama_default(&m, &d), 0);
    std::vector<int> prompt = {1};
    for (int i = 1; i < 16; i++)
        prompt.push_back((i * 37 + 11) % 512);
    prefill_equals_steps(m, 80, prompt);
    ort_llama_free(&m);
}

// A prompt whose scores would take more than 512 KiB at once (100 ids on
// 16 heads: 640 KB): the prefill's heads in groups, the same integers.
TEST(LlmQuant, PrefillInHeadGroupsEqualsSteps)
{
    ort_llama_model m{};
    ort_diag d{};
    ASSERT_EQ(ort_llama_default(&m, &d), 0);
    std::vector<int> prompt = {1};
    for (int i = 1; i < 100; i++)
        prompt.push_back((i * 53 + 7) % 512);
    prefill_equals_steps(m, 104, prompt, true);
    ort_llama_free(&m);
}

// The agreement the issue asks for (target 90 %), on the real checkpoint
// over 256 positions: 154 (60.2 %) before the choices of docs/compiler.md
// ("What limits accuracy"), 182 (71.1 %) with them; 111 of the 134
// positions whose float top-1 leads by more than 1.
TEST(LlmQuant, AgreementStories260K)
{
    ort_llama_model m;
    LOAD_STORIES(m);
    agreement a = teacher_forced(m, 256, 1.0f);
    EXPECT_EQ(a.positions, 256);
    EXPECT_GE(a.agree, 182) << a.agree << " of 256"; // 71.1 %
    EXPECT_GE(a.agree_clear, 111) << a.agree_clear << " of " << a.clear << " with a margin over 1";
    ort_llama_free(&m);
}

TEST(LlmQuant, PrefillEqualsStepsStories260K)
{
    ort_llama_model m;
    LOAD_STORIES(m); // grouped-query attention: 8 heads on 4 key/value heads
    std::vector<int> prompt = {1, 35, 82, 113, 102, 104, 35, 120, 115, 114, 113};
    prefill_equals_steps(m, 64, prompt);
    ort_llama_free(&m);
}

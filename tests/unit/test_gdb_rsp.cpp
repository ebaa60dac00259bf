// The GDB remote-protocol engine (sim/gdb_rsp.h) without a socket: packets
// in, replies out, against a small fake target; and random input (fuzz).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

extern "C" {
#include "gdb_rsp.h"
}

namespace {

struct FakeTarget {
    static constexpr uint32_t kMemBase = 0x1000, kMemSize = 256;
    uint32_t regs[2][33] = {};
    uint32_t mstatus = 0x1800;
    uint8_t mem[kMemSize] = {};
    std::string sent;
    std::vector<std::string> points, logs;
    ort_rsp *rsp = nullptr;

    FakeTarget()
    {
        static const ort_rsp_csr csrs[] = {{"mstatus", 0x300}, {"lpcount0", 0x802}};
        ort_rsp_target t{};
        t.ctx = this;
        t.threads = 2;
        t.csrs = csrs;
        t.n_csrs = 2;
        t.send = [](void *c, const char *b, size_t n) { self(c)->sent.append(b, n); };
        t.read_reg = [](void *c, unsigned h, unsigned r, uint32_t *v) {
            if (r == 65 + 0x300) {
                *v = self(c)->mstatus;
                return true;
            }
            if (r > 32)
                return false;
            *v = self(c)->regs[h][r];
            return true;
        };
        t.write_reg = [](void *c, unsigned h, unsigned r, uint32_t v) {
            if (r > 32)
                return false;
            self(c)->regs[h][r] = v;
            return true;
        };
        t.read_mem = [](void *c, uint32_t a, uint8_t *b, size_t n) -> size_t {
            size_t k = 0;
            for (; k < n && a + k - kMemBase < kMemSize; k++)
                b[k] = self(c)->mem[a + k - kMemBase];
            return k;
        };
        t.write_mem = [](void *c, uint32_t a, const uint8_t *b, size_t n) -> size_t {
            size_t k = 0;
            for (; k < n && a + k - kMemBase < kMemSize; k++)
                self(c)->mem[a + k - kMemBase] = b[k];
            return k;
        };
        t.point = [](void *c, ort_rsp_point type, uint32_t a, uint32_t len, bool insert) {
            char s[64];
            snprintf(s, sizeof s, "%c%d,%x,%u", insert ? 'Z' : 'z', (int)type, a, len);
            self(c)->points.push_back(s);
            return true;
        };
        t.monitor = [](void *, const char *cmd, char *out, size_t len) {
            bool ok = strcmp(cmd, "cycles") == 0;
            snprintf(out, len, ok ? "cycle 42\n" : "unknown");
            return ok;
        };
        t.log = [](void *c, const char *m) { self(c)->logs.push_back(m); };
        rsp = ort_rsp_new(&t);
    }
    ~FakeTarget() { ort_rsp_free(rsp); }
    static FakeTarget *self(void *c) { return static_cast<FakeTarget *>(c); }

    static std::string frame(const std::string &payload)
    {
        unsigned sum = 0;
        for (unsigned char ch : payload)
            sum += ch;
        char ck[4];
        snprintf(ck, sizeof ck, "%02x", sum & 0xff);
        return "$" + payload + "#" + ck;
    }

    /* Feed raw bytes; the first event. */
    ort_rsp_event raw(const std::string &bytes)
    {
        size_t used = 0;
        return ort_rsp_feed(rsp, (const uint8_t *)bytes.data(), bytes.size(), &used);
    }

    /* Send one packet; the reply payload (acks stripped). */
    std::string ask(const std::string &payload, ort_rsp_event *ev = nullptr)
    {
        sent.clear();
        ort_rsp_event e = raw(frame(payload));
        if (ev)
            *ev = e;
        return payload_of(sent);
    }

    /* The payload of the last framed packet in `s`. */
    static std::string payload_of(const std::string &s)
    {
        size_t at = s.rfind('$');
        size_t end = s.rfind('#');
        if (at == std::string::npos || end == std::string::npos || end < at)
            return "<none>";
        return s.substr(at + 1, end - at - 1);
    }
};

} // namespace

TEST(GdbRsp, FramingAcksAndChecksums)
{
    FakeTarget t;
    ASSERT_NE(t.rsp, nullptr);
    t.sent.clear();
    t.raw(FakeTarget::frame("?"));
    EXPECT_EQ(t.sent, "+$T05thread:1;#" + FakeTarget::frame("T05thread:1;").substr(14));
    t.sent.clear();
    t.raw("$?#00");
    EXPECT_EQ(t.sent, "-") << "a bad checksum asks for the packet again";
    ASSERT_EQ(t.logs.size(), 1u);
    EXPECT_NE(t.logs[0].find("bad checksum"), std::string::npos);
    t.sent.clear();
    t.raw("-");
    EXPECT_EQ(FakeTarget::payload_of(t.sent), "T05thread:1;") << "'-' resends the last reply";
    EXPECT_EQ(t.ask("QStartNoAckMode"), "OK");
    t.sent.clear();
    t.raw(FakeTarget::frame("?"));
    EXPECT_EQ(t.sent[0], '$') << "no acknowledgements after QStartNoAckMode";
}

TEST(GdbRsp, SupportedAndTargetDescription)
{
    FakeTarget t;
    std::string s = t.ask("qSupported:multiprocess+;swbreak+;hwbreak+");
    EXPECT_NE(s.find("PacketSize=4000"), std::string::npos);
    EXPECT_NE(s.find("qXfer:features:read+"), std::string::npos);
    std::string xml;
    for (unsigned off = 0;;) {
        char q[80];
        snprintf(q, sizeof q, "qXfer:features:read:target.xml:%x,100", off);
        std::string chunk = t.ask(q);
        ASSERT_FALSE(chunk.empty());
        xml += chunk.substr(1);
        off += (unsigned)chunk.size() - 1;
        if (chunk[0] == 'l')
            break;
        ASSERT_EQ(chunk[0], 'm');
    }
    EXPECT_NE(xml.find("<architecture>riscv:rv32</architecture>"), std::string::npos);
    EXPECT_NE(xml.find("org.gnu.gdb.riscv.cpu"), std::string::npos);
    EXPECT_NE(xml.find("name=\"pc\""), std::string::npos);
    EXPECT_NE(xml.find("<reg name=\"lpcount0\" bitsize=\"32\" type=\"int\" regnum=\"2115\""),
              std::string::npos)
        << "CSRs numbered as GDB does: 65 + 0x802";
    EXPECT_EQ(t.ask("qXfer:features:read:other.xml:0,100"), "E00");
}

TEST(GdbRsp, ThreadsAndRegisters)
{
    FakeTarget t;
    EXPECT_EQ(t.ask("qfThreadInfo"), "m1,2");
    EXPECT_EQ(t.ask("qsThreadInfo"), "l");
    EXPECT_EQ(t.ask("T2"), "OK");
    EXPECT_EQ(t.ask("T3"), "E01");
    EXPECT_EQ(t.ask("qThreadExtraInfo,2"), "636f72652031"); /* "core 1" */
    t.regs[1][32] = 0x1c000010;
    t.regs[1][10] = 0x12345678;
    EXPECT_EQ(t.ask("Hg2"), "OK");
    std::string g = t.ask("g");
    ASSERT_EQ(g.size(), 33u * 8);
    EXPECT_EQ(g.substr(10 * 8, 8), "78563412") << "little endian";
    EXPECT_EQ(g.substr(32 * 8, 8), "1000001c");
    EXPECT_EQ(t.ask("p20"), "1000001c");
    EXPECT_EQ(t.ask("p" + std::to_string(0)), "00000000");
    EXPECT_EQ(t.ask("p341"), "00180000") << "mstatus: regnum 65 + 0x300 = 0x341";
    EXPECT_EQ(t.ask("p40"), "E01") << "a register the target does not have";
    EXPECT_EQ(t.ask("Pa=efbeadde"), "OK");
    EXPECT_EQ(t.regs[1][10], 0xdeadbeefu);
    EXPECT_EQ(t.ask("Pa=zz"), "E01");
    EXPECT_EQ(t.ask("Hg9"), "E01");
}

TEST(GdbRsp, Memory)
{
    FakeTarget t;
    EXPECT_EQ(t.ask("M1000,4:01020304"), "OK");
    EXPECT_EQ(t.ask("m1000,4"), "01020304");
    EXPECT_EQ(t.ask("m10fe,4"), "0000") << "a read running off the memory returns what exists";
    EXPECT_EQ(t.ask("m2000,4"), "E01");
    /* X: binary, with '}' escapes ('#' = 0x23 sent as } 0x03). */
    EXPECT_EQ(t.ask(std::string("X1010,3:a}\x03}\x5d")), "OK");
    EXPECT_EQ(t.ask("m1010,3"), "61237d");
    EXPECT_EQ(t.ask("X1010,0:"), "OK") << "the probe GDB sends first";
    EXPECT_EQ(t.ask("M1000,4:0102"), "E01") << "length and data disagree";
    EXPECT_EQ(t.ask("m1000"), "E01");
    EXPECT_EQ(t.ask("mffffffff,ffffffff"), "E01");
}

TEST(GdbRsp, BreakpointsAndWatchpoints)
{
    FakeTarget t;
    EXPECT_EQ(t.ask("Z0,1c000078,2"), "OK");
    EXPECT_EQ(t.ask("Z1,1c000080,4"), "OK");
    EXPECT_EQ(t.ask("Z2,10000000,4"), "OK");
    EXPECT_EQ(t.ask("z0,1c000078,2"), "OK");
    EXPECT_EQ(t.ask("Z5,0,0"), "") << "unknown kinds: unsupported";
    EXPECT_EQ(t.ask("Z0,zz"), "E01");
    std::vector<std::string> want = {"Z0,1c000078,2", "Z1,1c000080,4", "Z2,10000000,4",
                                     "z0,1c000078,2"};
    EXPECT_EQ(t.points, want);
}

TEST(GdbRsp, ResumeStopAndExit)
{
    FakeTarget t;
    EXPECT_EQ(t.ask("vCont?"), "vCont;c;C;s;S;t");
    ort_rsp_event ev;
    t.ask("vCont;s:2;c", &ev);
    ASSERT_EQ(ev, ORT_RSP_RESUME);
    EXPECT_TRUE(ort_rsp_running(t.rsp));
    EXPECT_EQ(ort_rsp_resume_action(t.rsp, 0), ORT_RSP_CONTINUE);
    EXPECT_EQ(ort_rsp_resume_action(t.rsp, 1), ORT_RSP_STEP);
    /* While running: Ctrl-C interrupts, packets are refused. */
    EXPECT_EQ(t.raw("\x03"), ORT_RSP_INTERRUPT);
    EXPECT_EQ(t.ask("g"), "E01");
    ort_rsp_stop st{1, 5, ORT_RSP_STOP_WATCH, 0x10000000};
    t.sent.clear();
    ort_rsp_report_stop(t.rsp, &st);
    EXPECT_EQ(FakeTarget::payload_of(t.sent), "T05thread:2;watch:10000000;");
    EXPECT_EQ(t.ask("?"), "T05thread:2;watch:10000000;");
    EXPECT_EQ(t.ask("qC"), "QC2");
    t.ask("vCont;s:1", &ev);
    ASSERT_EQ(ev, ORT_RSP_RESUME);
    EXPECT_EQ(ort_rsp_resume_action(t.rsp, 0), ORT_RSP_STEP);
    EXPECT_EQ(ort_rsp_resume_action(t.rsp, 1), ORT_RSP_STAY) << "not named: stays";
    st = {0, 5, ORT_RSP_STOP_SWBREAK, 0};
    ort_rsp_report_stop(t.rsp, &st);
    t.ask("vCont;x", &ev);
    EXPECT_EQ(ev, ORT_RSP_NONE) << "a malformed vCont does not resume";
    t.ask("c", &ev);
    ASSERT_EQ(ev, ORT_RSP_RESUME);
    t.sent.clear();
    ort_rsp_report_exit(t.rsp, 3);
    EXPECT_EQ(FakeTarget::payload_of(t.sent), "W03");
    EXPECT_EQ(t.ask("g"), "E01") << "nothing to read after the end";
    EXPECT_EQ(t.ask("c", &ev), "W03");
    EXPECT_EQ(ev, ORT_RSP_NONE);
    t.ask("k", &ev);
    EXPECT_EQ(ev, ORT_RSP_KILL);
}

TEST(GdbRsp, DetachKillAndMonitor)
{
    FakeTarget t;
    EXPECT_EQ(t.ask("qRcmd,6379636c6573"), "OK"); /* "cycles" */
    EXPECT_NE(t.sent.find("$O6379636c65203432"), std::string::npos) << "output as O packets";
    EXPECT_EQ(t.ask("qRcmd,626f6f6d"), "OK"); /* "boom": unknown, said in the text */
    EXPECT_NE(t.sent.find("$O756e6b6e6f776e"), std::string::npos);
    EXPECT_EQ(t.ask("qRcmd,6g"), "E01");
    ort_rsp_event ev;
    EXPECT_EQ(t.ask("D", &ev), "OK");
    EXPECT_EQ(ev, ORT_RSP_DETACH);
    EXPECT_EQ(t.ask("vKill;1", &ev), "OK");
    EXPECT_EQ(ev, ORT_RSP_KILL);
}

TEST(GdbRsp, OversizedAndCutPacketsAreRefused)
{
    FakeTarget t;
    t.sent.clear();
    std::string big = "$M1000," + std::string(ORT_RSP_PACKET_SIZE + 100, '0') + "#00";
    EXPECT_EQ(t.raw(big), ORT_RSP_NONE);
    EXPECT_EQ(FakeTarget::payload_of(t.sent), "E01");
    ASSERT_FALSE(t.logs.empty());
    EXPECT_NE(t.logs.back().find("longer than PacketSize"), std::string::npos);
    /* A packet cut short by the start of another: the second counts. */
    t.sent.clear();
    t.raw("$m10" + FakeTarget::frame("qC"));
    EXPECT_EQ(FakeTarget::payload_of(t.sent), "QC1");
    EXPECT_EQ(t.ask("unknown-packet"), "");
    EXPECT_EQ(t.ask(""), "");
}

TEST(GdbRsp, EveryByteSplitStillWorks)
{
    FakeTarget t;
    std::string p = FakeTarget::frame("m1000,2");
    t.mem[0] = 0xab;
    t.sent.clear();
    for (char ch : p)
        t.raw(std::string(1, ch));
    EXPECT_EQ(FakeTarget::payload_of(t.sent), "ab00");
}

// Random bytes, random packets made of the protocol's letters, and mutated
// real packets: never a crash (ASan/UBSan builds check the memory), and the
// engine still answers a well-formed packet afterwards.
TEST(GdbRsp, Fuzz)
{
    std::mt19937 rng(20261202);
    const char *seeds[] = {"g", "G00", "p20", "P20=00000000", "m1000,10", "M1000,2:abcd",
                           "X1000,2:ab", "Z0,1000,2", "z2,1000,4", "Hg1", "Hc-1", "T1",
                           "vCont;s:1;c", "vCont;c:2", "qXfer:features:read:target.xml:0,fff",
                           "qXfer:threads:read::10,20", "qRcmd,6379636c6573", "qSupported",
                           "qThreadExtraInfo,1", "c", "s", "C05", "S05;1000", "?", "D", "k"};
    const std::string alphabet = "$#}*+-:;,=0123456789abcdefABCDEFgGpPmMXZzHTcsCSvqQkD?\x03";
    for (int round = 0; round < 3000; round++) {
        FakeTarget t;
        ASSERT_NE(t.rsp, nullptr);
        for (int k = 0; k < 20; k++) {
            std::string bytes;
            switch (rng() % 3) {
            case 0: /* noise */
                for (unsigned n = rng() % 64; n; n--)
                    bytes += (char)(rng() & 0xff);
                break;
            case 1: { /* a framed packet of protocol characters */
                std::string payload;
                for (unsigned n = rng() % 48; n; n--)
                    payload += alphabet[rng() % alphabet.size()];
                bytes = FakeTarget::frame(payload);
                break;
            }
            default: { /* a real packet, mutated */
                std::string payload = seeds[rng() % (sizeof seeds / sizeof seeds[0])];
                for (unsigned n = rng() % 4; n; n--) {
                    size_t at = payload.empty() ? 0 : rng() % payload.size();
                    if (rng() % 2 && !payload.empty())
                        payload[at] = (char)(rng() & 0xff);
                    else
                        payload.insert(at, 1, alphabet[rng() % alphabet.size()]);
                }
                bytes = FakeTarget::frame(payload);
            }
            }
            size_t off = 0;
            while (off < bytes.size()) {
                size_t used = 0;
                ort_rsp_event ev = ort_rsp_feed(t.rsp, (const uint8_t *)bytes.data() + off,
                                                bytes.size() - off, &used);
                ASSERT_GT(used, 0u);
                off += used;
                if (ev == ORT_RSP_RESUME || ev == ORT_RSP_INTERRUPT) {
                    ort_rsp_stop st{(unsigned)(rng() % 2), 5, ORT_RSP_STOP_SIGNAL, 0};
                    ort_rsp_report_stop(t.rsp, &st);
                }
            }
        }
        /* Whatever came before, a whole packet after a fresh '$' is answered
           (a packet left open is cut short by it). */
        t.raw("#00");
        t.sent.clear();
        t.raw(FakeTarget::frame("qfThreadInfo"));
        std::string got = FakeTarget::payload_of(t.sent);
        EXPECT_TRUE(got == "m1,2" || got == "E01") << "round " << round << ": " << got;
    }
}

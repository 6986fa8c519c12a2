// Fusion through the binary (compiler.fusion, `fuse:` pins; docs/fusion.md): fused programs stay
// bit-exact against the reference on the networks with residuals, pooling, depthwise chains and
// attention on every bundled chip; none (the default) compiles the same program as before; `npusim
// compile` says per layer what was fused and why not; bad values and pins are refused with exit
// code 2 and the exact message.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "tests/integration/npusim_harness.h"

namespace npu::testing {
namespace {

class Fusion : public NpusimTest {};

TEST_F(Fusion, AutoIsBitExactOnTheTestNetworksOnEveryBundledChip) {
    // tiny_resnet (every image operator) and tiny_attention (matmul -> softmax -> matmul, norms,
    // lookups, a gated MLP).
    for (const char* hw : {"edge_npu", "gemmini", "nvdla", "tpu_v1", "vta"}) {
        for (const auto& [wl, layers] :
             {std::pair<std::string, int>{"tiny_resnet", 14}, {"tiny_attention", 22}}) {
            const Result r = npusim(std::string("run --hw ") + hw + " --workload " + wl +
                                    " --set compiler.fusion=auto --quiet --no-progress");
            EXPECT_EQ(r.code, 0) << hw << ": " << r.err;
            EXPECT_EQ(r.out, "outputs: bit-exact against the reference (" + std::to_string(layers) +
                                 " layers)\n")
                << hw << " " << wl;
        }
    }
}

TEST_F(Fusion, AutoIsBitExactWithBatchPrefetchAndThePeLevelArray) {
    for (const char* extra : {"--batch 3", "--set compiler.overlap=prefetch", "--fidelity pe",
                              "--set array.dataflow=os", "--set postproc.requant=float32"}) {
        const Result r =
            npusim(std::string("run --hw gemmini --workload tiny_resnet --set compiler.fusion=auto "
                               "--quiet --no-progress ") +
                   extra);
        EXPECT_EQ(r.code, 0) << extra << ": " << r.err;
        EXPECT_EQ(r.out, "outputs: bit-exact against the reference (14 layers)\n") << extra;
        const Result a =
            npusim(std::string("run --hw vta --workload tiny_attention --set compiler.fusion=auto "
                               "--quiet --no-progress ") +
                   extra);
        EXPECT_EQ(a.code, 0) << extra << ": " << a.err;
        EXPECT_EQ(a.out, "outputs: bit-exact against the reference (22 layers)\n") << extra;
    }
}

TEST_F(Fusion, BertLayerIsBitExactWithItsScoresOnChip) {
    const Result c =
        npusim("compile --hw tpu_v1 --workload bert_base_layer --set compiler.fusion=auto");
    ASSERT_EQ(c.code, 0) << c.err;
    EXPECT_NE(c.out.find("  fused with 'probs'"), std::string::npos) << c.out;  // the scores
    const Result r = npusim(
        "run --hw tpu_v1 --workload bert_base_layer --set compiler.fusion=auto --quiet "
        "--no-progress");
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out, "outputs: bit-exact against the reference (14 layers)\n");
}

TEST_F(Fusion, AutoIsBitExactOnResnet18AndMobilenet) {
    // ResNet-18 (residual adds, conv -> conv, the stem's conv -> maxpool) and MobileNet-v2
    // (conv -> depthwise -> conv chains) on NVDLA and TPU v1 (different arrays and SRAMs; both
    // have banks to spare for intermediates).
    for (const char* hw : {"nvdla", "tpu_v1"}) {
        for (const char* wl : {"resnet18", "mobilenet_v2"}) {
            const Result c = npusim(std::string("compile --hw ") + hw + " --workload " + wl +
                                    " --set compiler.fusion=auto");
            ASSERT_EQ(c.code, 0) << c.err;
            EXPECT_NE(c.out.find("  fused with '"), std::string::npos) << hw << " " << wl;
            const Result r = npusim(std::string("run --hw ") + hw + " --workload " + wl +
                                    " --set compiler.fusion=auto --quiet --no-progress");
            EXPECT_EQ(r.code, 0) << hw << " " << wl << ": " << r.err;
            EXPECT_NE(r.out.find("outputs: bit-exact against the reference"), std::string::npos)
                << hw << " " << wl << ": " << r.out;
        }
    }
}

TEST_F(Fusion, NoneIsTheDefaultAndCompilesTheSameProgram) {
    const std::string common = "compile --hw nvdla --workload tiny_resnet --emit asm";
    const Result dflt = npusim(common);
    ASSERT_EQ(dflt.code, 0) << dflt.err;
    const Result none = npusim(common + " --set compiler.fusion=none");
    EXPECT_EQ(dflt.out, none.out);
    const Result aut = npusim(common + " --set compiler.fusion=auto");
    EXPECT_NE(dflt.out, aut.out);
    // The mapping listing says nothing about fusion unless it is asked for.
    const Result listing = npusim("compile --hw nvdla --workload tiny_resnet");
    EXPECT_EQ(listing.out.find("fused"), std::string::npos);
}

TEST_F(Fusion, CompileSaysWhatWasFusedAndWhyNot) {
    const Result r =
        npusim("compile --hw gemmini --workload tiny_resnet --set compiler.fusion=auto");
    ASSERT_EQ(r.code, 0) << r.err;
    // tiny_resnet's stem (16x16x16 int8 = 4096 B) into the maxpool: its STORE (4096 B) and the
    // pool's one slab LOAD of every row (4096 B) were on-chip copies (the output fits on chip).
    // The group takes the stem's closed-form plan (one m-block of 16 rows) instead of its best
    // (m-blocks of 6, 6 and 4 rows, whose slabs load 7 + 8 + 5 = 20 input rows of 16 x 8 B):
    // 4 x 128 = 512 B fewer DRAM bytes of the input, counted against the stem's best plan.
    EXPECT_NE(r.out.find("  fused with 'pool': output kept on chip and read in place (512 B DRAM "
                         "and 8192 B on-chip copies saved)\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("  not fused with 'b1_conv1': its output is also read by 'b1_add'\n"),
              std::string::npos);
    // The grouped convolution runs k-chunks outermost (its best plan); fused into 'smooth' its
    // output would share a bank with both layers' buffers, and on the closed-form plans the
    // estimate says fusing is slower: both reasons are given. (Its channel groups posted at the
    // row stride into the pooling's input, under a `fuse: true` pin: NpuFusion tests.)
    const size_t smooth = r.out.find(
        "  not fused with 'smooth': its output would lie in scratchpad "
        "bank ");
    ASSERT_NE(smooth, std::string::npos) << r.out;
    const std::string note = r.out.substr(smooth, r.out.find('\n', smooth) - smooth);
    EXPECT_NE(note.find("; with their closed-form plans: the estimate says the two layers take "),
              std::string::npos)
        << note;
}

TEST_F(Fusion, BadValuesAndPinsAreRefusedWithTheExactMessage) {
    const Result r =
        npusim("compile --hw gemmini --workload tiny_resnet --set compiler.fusion=yes");
    EXPECT_EQ(r.code, 2);
    EXPECT_EQ(r.err, "error: --set: compiler.fusion: expected one of none, auto, found 'yes'\n");
    const fs::path bad = write("bad.yaml",
                               "input: {shape: [4, 8], scale: 0.05}\n"
                               "layers:\n"
                               "  - {name: g, op: gemm, n: 8, weight_scale: 0.01, fuse: maybe}\n"
                               "  - name: h\n"
                               "    op: softmax\n"
                               "    fuse: [1]\n");
    const Result b = npusim("compile --workload " + bad.string());
    EXPECT_EQ(b.code, 2);
    EXPECT_EQ(b.err, "error: " + bad.string() +
                         ":3:57: layers[0].fuse: expected true or false, found 'maybe'\n"
                         "error: " +
                         bad.string() +
                         ":6:11: layers[1].fuse: expected true or false, found a list of 1\n");
    const fs::path pin = write("pin.yaml",
                               "input: {shape: [4, 8], scale: 0.05}\n"
                               "layers:\n"
                               "  - {name: g, op: gemm, n: 8, weight_scale: 0.01, fuse: true}\n"
                               "  - {name: h, op: reshape, shape: [32]}\n");
    const Result p = npusim("compile --workload " + pin.string());
    EXPECT_EQ(p.code, 2);
    EXPECT_EQ(p.err, "error: " + pin.string() +
                         ":3:5: layers[0].fuse: layer 'g' is pinned to fuse with 'h', but 'h' "
                         "cannot read it in place: a reshape layer's input is not read in place\n");
}

}  // namespace
}  // namespace npu::testing

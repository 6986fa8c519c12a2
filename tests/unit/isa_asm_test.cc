// The ISA's text form: the exact line of each opcode (hex scratchpad/DRAM/accumulator addresses,
// decimal sizes, the " ; deps" suffix) and the program header with the layer table.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "sim/isa/isa.h"

namespace npu::isa {
namespace {

TEST(IsaOpcode, NamesAndEngines) {
    EXPECT_STREQ(to_string(Opcode::kLoad), "LOAD");
    EXPECT_STREQ(to_string(Opcode::kCompute), "COMPUTE");
    EXPECT_STREQ(to_string(Opcode::kPostproc), "POST");
    EXPECT_STREQ(to_string(Opcode::kStore), "STORE");
    EXPECT_STREQ(to_string(Opcode::kSync), "SYNC");
    EXPECT_EQ(engine_of(Opcode::kLoad), Engine::kLoad);
    EXPECT_EQ(engine_of(Opcode::kCompute), Engine::kCompute);
    EXPECT_EQ(engine_of(Opcode::kPostproc), Engine::kStore);  // the post unit feeds the store DMA
    EXPECT_EQ(engine_of(Opcode::kStore), Engine::kStore);
    EXPECT_EQ(engine_of(Opcode::kSync), Engine::kController);
    EXPECT_STREQ(to_string(Opcode::kWait), "WAIT");
    EXPECT_STREQ(to_string(Opcode::kSignal), "SIGNAL");
    EXPECT_EQ(engine_of(Opcode::kWait), Engine::kController);
    EXPECT_EQ(engine_of(Opcode::kSignal), Engine::kController);
}

// A pipelined program's tokens: the payload is the image (no payload array), counted with the
// SYNCs.
TEST(IsaAsm, WaitAndSignal) {
    Program p;
    Instr& w = p.append(Opcode::kWait, 3);
    w.payload = 7;
    EXPECT_EQ(to_asm(p, p.instrs[0]), "0: L3 WAIT image 7 from the previous core");
    Instr& s = p.append(Opcode::kSignal, 5);
    s.payload = 7;
    EXPECT_EQ(to_asm(p, p.instrs[1]), "1: L5 SIGNAL image 7 to the next core");
    (void)p.append(Opcode::kSync, 5);
    EXPECT_EQ(p.counts().syncs, 3u);
    EXPECT_EQ(p.counts().total(), 3u);
    EXPECT_TRUE(p.transfers.empty() && p.computes.empty() && p.vectors.empty() && p.posts.empty());
}

TEST(IsaTransfer, BytesIsRowsTimesRowBytes) {
    Transfer t;
    t.rows = 70000;
    t.row_bytes = 70000;
    EXPECT_EQ(t.bytes(), 4900000000ull);  // no 32-bit overflow
}

TEST(IsaAsm, Load) {
    Program p;
    Instr& in = p.append(Opcode::kLoad, 1);
    in.id = 3;
    p.xfer(in) = {0x1040, 512, 0x10000, 512, 4, 512};
    in.deps.pop_next = true;
    in.deps.push_next = true;
    EXPECT_EQ(to_asm(p, in),
              "3: L1 LOAD spad[0x10000] <- dram[0x1040] 4x512B stride 512 "
              "; pop_next,push_next");
}

TEST(IsaAsm, StoreWithoutDepsHasNoSuffix) {
    Program p;
    Instr& in = p.append(Opcode::kStore, 0);
    in.id = 17;
    p.xfer(in) = {0x2a0, 8, 0x3040, 8, 60, 8};
    EXPECT_EQ(to_asm(p, in), "17: L0 STORE dram[0x2a0] <- spad[0x3040] 60x8B stride 8");
}

TEST(IsaAsm, ComputeFirstChunkAddsBias) {
    Program p;
    Instr& in = p.append(Opcode::kCompute, 2);
    in.id = 9;
    Compute& c = p.comp(in);
    c.m0 = 60;
    c.m = 40;
    c.k0 = 0;
    c.k = 72;
    c.n0 = 8;
    c.n = 8;
    c.slab_addr = 0x1000;
    c.slab_row0 = 11;
    c.slab_rows = 9;
    c.w_addr = 0x2000;
    c.bias_addr = 0x2240;
    c.acc_addr = 0x800;
    c.accumulate = false;
    in.deps = {true, true, true, true};
    EXPECT_EQ(to_asm(p, in),
              "9: L2 COMPUTE m[60+40] k[0+72] n[8+8] a=slab[0x1000 rows 11+9] w=spad[0x2000] "
              "acc[0x800] = bias[0x2240] + A*W ; pop_prev,pop_next,push_prev,push_next");
}

TEST(IsaAsm, ComputeLaterChunkAccumulates) {
    Program p;
    Instr& in = p.append(Opcode::kCompute, 0);
    in.id = 10;
    p.comp(in) = {0, 1, 320, 320, 16, 4, 0, 0, 1, 0x13c0, 0xbc0, 0, true};
    in.deps.pop_prev = true;
    in.deps.push_prev = true;
    EXPECT_EQ(to_asm(p, in),
              "10: L0 COMPUTE m[0+1] k[320+320] n[16+4] a=slab[0x0 rows 0+1] "
              "w=spad[0x13c0] acc[0x0] += A*W ; pop_prev,push_prev");
}

TEST(IsaAsm, Postproc) {
    Program p;
    Instr& in = p.append(Opcode::kPostproc, 0);
    in.id = 11;
    p.post(in) = {0x800, 0x3280, 60, 16, 8};
    in.deps.pop_prev = true;
    in.deps.push_prev = true;
    EXPECT_EQ(to_asm(p, in),
              "11: L0 POST spad[0x3280] <- requant(acc[0x800]) 60x8 ch 16 "
              "; pop_prev,push_prev");
}

TEST(IsaAsm, SyncAndLargeIds) {
    Program p;
    Instr& sync = p.append(Opcode::kSync, 65535);
    sync.id = 123456;
    EXPECT_EQ(to_asm(p, sync), "123456: L65535 SYNC");
    // A 40-bit DRAM address prints in full.
    Instr& in = p.append(Opcode::kLoad, 65535);
    in.id = 123456;
    p.xfer(in) = {0xabcdef0123ull, 0, 0, 0, 1, 64};
    in.deps.pop_prev = true;  // not meaningful for a LOAD, but printed as given
    EXPECT_EQ(to_asm(p, in),
              "123456: L65535 LOAD spad[0x0] <- dram[0xabcdef0123] 1x64B stride 0 ; pop_prev");
}

TEST(IsaAsm, ProgramHeaderThenOneLinePerInstruction) {
    Program p;
    LayerDesc a;
    a.name = "conv1";
    a.shape = "conv2d 4x4x3 -> 4x4x5 k3x3 s1 p1";
    a.mapping = "ws m-block 16";
    LayerDesc b;
    b.name = "fc";
    b.shape = "gemm 1x80x10 (MxKxN)";
    b.mapping = "ws m-block 1";
    p.layers = {a, b};
    (void)p.append(Opcode::kSync, 0);
    (void)p.append(Opcode::kSync, 1);
    EXPECT_EQ(to_asm(p),
              "; npusim program: 2 layers, 2 instructions\n"
              "; L0 conv1: conv2d 4x4x3 -> 4x4x5 k3x3 s1 p1\n"
              ";     mapping: ws m-block 16\n"
              "; L1 fc: gemm 1x80x10 (MxKxN)\n"
              ";     mapping: ws m-block 1\n"
              "0: L0 SYNC\n"
              "1: L1 SYNC\n");
    EXPECT_EQ(to_asm(Program{}), "; npusim program: 0 layers, 0 instructions\n");
}

TEST(IsaProgram, PayloadsLiveInOneArrayPerKind) {
    Program p;
    p.reserve({3, 1, 1, 1, 1});
    const Opcode ops[] = {Opcode::kLoad, Opcode::kCompute, Opcode::kPostproc, Opcode::kStore,
                          Opcode::kSync, Opcode::kVector,  Opcode::kLoad};
    for (const Opcode op : ops) (void)p.append(op, 4);
    // ids are program positions; payloads count per kind (LOAD and STORE share the transfers).
    const uint32_t payload[] = {0, 0, 0, 1, 0, 0, 2};
    ASSERT_EQ(p.instrs.size(), 7u);
    for (uint32_t i = 0; i < 7; ++i) {
        EXPECT_EQ(p.instrs[i].id, i);
        EXPECT_EQ(p.instrs[i].op, ops[i]);
        EXPECT_EQ(p.instrs[i].layer, 4);
        EXPECT_EQ(p.instrs[i].payload, payload[i]) << i;
    }
    EXPECT_EQ(p.transfers.size(), 3u);
    EXPECT_EQ(p.computes.size(), 1u);
    EXPECT_EQ(p.vectors.size(), 1u);
    EXPECT_EQ(p.posts.size(), 1u);
    EXPECT_TRUE(p.counts() == (InstrCounts{3, 1, 1, 1, 1}));
    p.xfer(p.instrs[3]).dram_addr = 0x40;
    EXPECT_EQ(p.transfers[1].dram_addr, 0x40u);
    EXPECT_EQ(p.xfer(p.instrs[6]).dram_addr, 0u);
}

TEST(IsaProgram, PayloadOfAnotherKindIsAnInternalError) {
    Program p;
    (void)p.append(Opcode::kCompute, 0);
    (void)p.append(Opcode::kSync, 0);
    try {
        (void)p.xfer(p.instrs[0]);
        FAIL() << "no throw";
    } catch (const std::logic_error& e) {
        EXPECT_STREQ(e.what(), "isa: instruction 0 (COMPUTE, payload 0) has no transfer payload");
    }
    EXPECT_THROW((void)p.post(p.instrs[1]), std::logic_error);
    // An index past its array (a hand-built header) is caught too.
    Instr bad = p.instrs[0];
    bad.payload = 1;
    EXPECT_THROW((void)p.comp(bad), std::logic_error);
    EXPECT_EQ(p.comp(p.instrs[0]).m, 0);
}

}  // namespace
}  // namespace npu::isa

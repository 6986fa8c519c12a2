// The ISA's text form: the exact line of each opcode (hex scratchpad/DRAM/accumulator addresses,
// decimal sizes, the " ; deps" suffix) and the program header with the layer table.
#include <gtest/gtest.h>

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
}

TEST(IsaTransfer, BytesIsRowsTimesRowBytes) {
    Transfer t;
    t.rows = 70000;
    t.row_bytes = 70000;
    EXPECT_EQ(t.bytes(), 4900000000ull);  // no 32-bit overflow
}

TEST(IsaAsm, Load) {
    Instr in;
    in.id = 3;
    in.op = Opcode::kLoad;
    in.layer = 1;
    in.xfer = {0x1040, 512, 0x10000, 512, 4, 512};
    in.deps.pop_next = true;
    in.deps.push_next = true;
    EXPECT_EQ(to_asm(in),
              "3: L1 LOAD spad[0x10000] <- dram[0x1040] 4x512B stride 512 "
              "; pop_next,push_next");
}

TEST(IsaAsm, StoreWithoutDepsHasNoSuffix) {
    Instr in;
    in.id = 17;
    in.op = Opcode::kStore;
    in.layer = 0;
    in.xfer = {0x2a0, 8, 0x3040, 8, 60, 8};
    EXPECT_EQ(to_asm(in), "17: L0 STORE dram[0x2a0] <- spad[0x3040] 60x8B stride 8");
}

TEST(IsaAsm, ComputeFirstChunkAddsBias) {
    Instr in;
    in.id = 9;
    in.op = Opcode::kCompute;
    in.layer = 2;
    Compute& c = in.comp;
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
    EXPECT_EQ(to_asm(in),
              "9: L2 COMPUTE m[60+40] k[0+72] n[8+8] a=slab[0x1000 rows 11+9] w=spad[0x2000] "
              "acc[0x800] = bias[0x2240] + A*W ; pop_prev,pop_next,push_prev,push_next");
}

TEST(IsaAsm, ComputeLaterChunkAccumulates) {
    Instr in;
    in.id = 10;
    in.op = Opcode::kCompute;
    in.layer = 0;
    in.comp = {0, 1, 320, 320, 16, 4, 0, 0, 1, 0x13c0, 0xbc0, 0, true};
    in.deps.pop_prev = true;
    in.deps.push_prev = true;
    EXPECT_EQ(to_asm(in),
              "10: L0 COMPUTE m[0+1] k[320+320] n[16+4] a=slab[0x0 rows 0+1] "
              "w=spad[0x13c0] acc[0x0] += A*W ; pop_prev,push_prev");
}

TEST(IsaAsm, Postproc) {
    Instr in;
    in.id = 11;
    in.op = Opcode::kPostproc;
    in.layer = 0;
    in.post = {0x800, 0x3280, 60, 16, 8};
    in.deps.pop_prev = true;
    in.deps.push_prev = true;
    EXPECT_EQ(to_asm(in),
              "11: L0 POST spad[0x3280] <- requant(acc[0x800]) 60x8 ch 16 "
              "; pop_prev,push_prev");
}

TEST(IsaAsm, SyncAndLargeIds) {
    Instr in;
    in.id = 123456;
    in.op = Opcode::kSync;
    in.layer = 65535;
    EXPECT_EQ(to_asm(in), "123456: L65535 SYNC");
    // A 40-bit DRAM address prints in full.
    in.op = Opcode::kLoad;
    in.xfer = {0xabcdef0123ull, 0, 0, 0, 1, 64};
    in.deps.pop_prev = true;  // not meaningful for a LOAD, but printed as given
    EXPECT_EQ(to_asm(in),
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
    Instr s0;
    s0.id = 0;
    s0.op = Opcode::kSync;
    Instr s1;
    s1.id = 1;
    s1.op = Opcode::kSync;
    s1.layer = 1;
    p.instrs = {s0, s1};
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

}  // namespace
}  // namespace npu::isa

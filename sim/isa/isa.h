// The NPU's instruction set and the Program the compiler emits.
//
// Three decoupled engines (TVM VTA's access/execute scheme): LOAD (DRAM -> scratchpad),
// COMPUTE (systolic array: scratchpad -> accumulator) and STORE (post-processing unit:
// accumulator -> scratchpad int8, then DMA scratchpad -> DRAM). Engines hand over buffers with
// dependency tokens on four queues:
//   load  -> compute  "operands ready"        (load push_next,  compute pop_prev)
//   compute -> load   "scratchpad buffer free" (compute push_prev, load pop_next)
//   compute -> store  "accumulators ready"     (compute push_next, store pop_prev)
//   store -> compute  "accumulator buffer free" (store push_prev, compute pop_next)
// An instruction pops its tokens before it starts and pushes them when its effect is complete.
// SYNC ends a layer. Its payload says how: kSyncBarrier (0), a barrier: it waits until every
// earlier instruction has completed (the controller uses it between layers); kSyncLayerEnd
// (compiler.overlap full), a marker: the layer ends once every earlier instruction has completed,
// but dispatch goes on, and the core's dependency table orders the layers
// (models/engines/dependency_table.h). WAIT and SIGNAL order the cores of a pipelined run
// (compiler.partition pipeline): SIGNAL i tells the next core that this core's stage of image i is
// done (every earlier instruction has completed), WAIT i holds dispatch until the previous core has
// signalled image i (models/platform/stage_tokens.h); their payload is the image, not an index into
// an array. Per-layer constants (geometry, zero points, requantization multipliers) live in a layer
// descriptor table, as in a real NPU's configuration registers.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "sim/core/precision.h"
#include "sim/core/requant_f32.h"
#include "sim/core/types.h"

namespace npu::isa {

enum class Opcode : uint8_t { kLoad, kCompute, kVector, kPostproc, kStore, kSync, kWait, kSignal };
enum class Engine { kLoad, kCompute, kStore, kController };

[[nodiscard]] const char* to_string(Opcode op);
[[nodiscard]] Engine engine_of(Opcode op);
enum class VectorOp : uint8_t;
[[nodiscard]] const char* to_string(VectorOp op);

// SYNC payloads (see above).
inline constexpr uint32_t kSyncBarrier = 0;
inline constexpr uint32_t kSyncLayerEnd = 1;

struct Deps {
    bool pop_prev = false;
    bool pop_next = false;
    bool push_prev = false;
    bool push_next = false;
};

// The scratchpad is also mapped into the NPU's address space, at the program's onchip_base: a
// transfer whose "DRAM" address lies there moves scratchpad to scratchpad (activations kept on
// chip). kOnChipBase is the default base (compiler::CompileOptions::onchip_base); the models
// take the base from the program, never from this constant.
inline constexpr uint64_t kOnChipBase = uint64_t{1} << 40;

// DRAM -> scratchpad (kLoad) or scratchpad -> DRAM (kStore): `rows` rows of `row_bytes`.
struct Transfer {
    uint64_t dram_addr = 0;
    uint64_t dram_stride = 0;
    uint32_t sram_addr = 0;
    uint32_t sram_stride = 0;
    uint32_t rows = 0;
    uint32_t row_bytes = 0;
    [[nodiscard]] uint64_t bytes() const { return uint64_t{rows} * row_bytes; }
};

// One block of the layer's implicit GEMM: output pixels [m0, m0+m) x reduction [k0, k0+k) x
// output channels [n0, n0+n). A comes from the activation slab through the im2col view (no im2col
// in memory); W is a k x n block in the scratchpad; results go to m x n int32 accumulators.
struct Compute {
    int64_t m0 = 0;
    int32_t m = 0;
    int64_t k0 = 0;
    int32_t k = 0;
    int32_t n0 = 0;
    int32_t n = 0;
    uint32_t slab_addr = 0;  // scratchpad address of input row `slab_row0`
    int32_t slab_row0 = 0;   // first input row held by the slab
    int32_t slab_rows = 0;
    uint32_t w_addr = 0;        // k x n int8, row stride n
    uint32_t bias_addr = 0;     // n int32 (used when !accumulate)
    uint32_t acc_addr = 0;      // byte address in the accumulator; m x n int32, row stride n
    bool accumulate = false;    // false: acc = bias + product; true: acc += product
    bool w_transposed = false;  // W held as n x k (row stride k): a transposer feeds the array
    int32_t c0 = 0;             // first input channel (grouped convolution)
};

// The vector unit (next to the array, `postproc.lanes` lanes) for the layers that are not
// matrix products. Elementwise and pooling ops leave int32 in the accumulators for POST to
// requantize; row ops and lookups write int8 straight to the scratchpad.
enum class VectorOp : uint8_t {
    kAdd,      // acc = requant0((x - zx) << 20, mx) + requant0((y - zy) << 20, my)
    kMul,      // acc = (x - zx) * (y - zy)
    kMaxPool,  // acc = max(window) - zx          (pool geometry from the layer table)
    kAvgPool,  // acc = rounded mean(window - zx)
    kSoftmax,  // int8 rows -> int8 rows
    kLayerNorm,
    kRmsNorm,
    kLut,        // int8 -> int8 through the layer's 256-entry table
    kCopy,       // int8 -> int8 unchanged (concat)
    kDepthwise,  // acc = bias + sum over the window of x * w[c] (one channel per lane)
};

struct Vector {
    VectorOp op = VectorOp::kAdd;
    // Elementwise, row ops, lookups: `rows` x `len` int8 at x_addr (and y_addr), row stride len.
    uint32_t x_addr = 0, y_addr = 0;
    int32_t rows = 0, len = 0;
    // Pooling: output pixels [m0, m0+m) x channels [n0, n0+n) from the slab (as Compute).
    int64_t m0 = 0;
    int32_t m = 0, n0 = 0, n = 0;
    uint32_t slab_addr = 0;
    int32_t slab_row0 = 0, slab_rows = 0;
    // Channels each slab pixel holds, from slab_c0 (0: all the input's channels; a slab too
    // large with every channel holds just the block's channels).
    int32_t slab_c = 0, slab_c0 = 0;
    // Destination: int32 accumulators (add, mul, pooling) or int8 scratchpad (the others).
    uint32_t acc_addr = 0, out_addr = 0;
    // Depthwise: n x (kernel_h*kernel_w) weights and n int32 biases in the scratchpad.
    uint32_t w_addr = 0, bias_addr = 0;
};

// Accumulators -> int8 in the scratchpad through the post-processing unit (requantize, activation).
struct Postproc {
    uint32_t acc_addr = 0;  // m x n int32
    uint32_t out_addr = 0;  // m x n int8 in the scratchpad, row stride n (or out_stride)
    int32_t m = 0;
    int32_t n0 = 0;  // first output channel (selects the per-channel multipliers)
    int32_t n = 0;
    // Bytes from one output row to the next in the scratchpad; 0: n elements (rows packed). A
    // fused layer (compiler.fusion) writes its n-block of channels straight into a tensor whose
    // rows hold every channel. The PPU reserves the banks of the whole span it writes.
    uint32_t out_stride = 0;
    // The scratchpad bytes from out_addr to the end of the last row (elem_bytes per element).
    [[nodiscard]] uint64_t out_span(uint64_t elem_bytes) const {
        const uint64_t row = uint64_t(n) * elem_bytes;
        return m <= 0 ? 0
                      : (out_stride == 0 ? uint64_t(m) * row : uint64_t(m - 1) * out_stride + row);
    }
};

// One instruction: a 16-byte header. Its operands (the payload) are an entry of the Program's
// array for its kind: `transfers` (LOAD, STORE), `computes`, `vectors` or `posts` (SYNC has none),
// read through Program::xfer/comp/vec/post. A network of 10^5..10^6 instructions then takes the
// header plus the one payload it uses (~50 B on average) instead of every payload inline.
struct Instr {
    uint32_t id = 0;
    Opcode op = Opcode::kSync;
    uint16_t layer = 0;
    Deps deps;
    uint32_t payload = 0;  // index into the Program's array for the kind of `op` (WAIT, SIGNAL:
                           // the image)
};
static_assert(sizeof(Instr) == 16, "isa::Instr is a 16-byte header");

// Instructions of each payload kind (the compiler counts them exactly before emitting and
// reserves every array once).
struct InstrCounts {
    uint64_t transfers = 0;  // LOAD + STORE
    uint64_t computes = 0;
    uint64_t vectors = 0;
    uint64_t posts = 0;
    uint64_t syncs = 0;  // the controller's instructions: SYNC, WAIT, SIGNAL (no payload array)
    [[nodiscard]] uint64_t total() const { return transfers + computes + vectors + posts + syncs; }
    // The count of `op`'s kind.
    [[nodiscard]] uint64_t& of(Opcode op);
    InstrCounts& operator+=(const InstrCounts& o) {
        transfers += o.transfers;
        computes += o.computes;
        vectors += o.vectors;
        posts += o.posts;
        syncs += o.syncs;
        return *this;
    }
    [[nodiscard]] bool operator==(const InstrCounts& o) const {
        return transfers == o.transfers && computes == o.computes && vectors == o.vectors &&
               posts == o.posts && syncs == o.syncs;
    }
    [[nodiscard]] bool operator!=(const InstrCounts& o) const { return !(*this == o); }
};

// Per-layer constants (the layer descriptor table).
struct LayerDesc {
    std::string name;
    std::string op;  // the graph op: "conv2d", "gemm", "matmul", "add", ...
    std::string shape;
    std::string mapping;        // the mapper's choice, one line
    uint64_t output_bytes = 0;  // the output tensor's size (DRAM, at output_addr)
    Dataflow dataflow = Dataflow::kWeightStationary;  // the array's mode for this layer
    std::string residency = "dram";                   // where the output lives: "dram" or "on-chip"
    // Fusion (compiler.fusion, docs/fusion.md): the compiler's decision about fusing this layer's
    // output into the next layer (empty: none considered); `fused`: it did (the output stays on
    // chip, written and read in place), saving dram_saved DRAM bytes and onchip_saved bytes of
    // on-chip copies in its estimate (compiler/estimate.h program_traffic()).
    std::string fusion;
    bool fused = false;
    int64_t fusion_dram_saved = 0, fusion_onchip_saved = 0;
    // The datapath precision (element sizes: docs/precision.md) and the array's cycles per MAC
    // at it (array.cycles_per_mac).
    Precision precision = Precision::kInt8;
    int32_t cycles_per_mac = 1;
    [[nodiscard]] uint32_t elem_bytes() const { return act_bytes(precision); }
    // The weight format: int4 packs only conv/gemm weights (a matmul's B is an activation).
    [[nodiscard]] Precision weight_precision() const {
        return precision == Precision::kInt4 && op == "matmul" ? Precision::kInt8 : precision;
    }
    // Scratchpad bytes of a COMPUTE's weight block: k rows of n (weight_bytes per row), or n rows
    // of k activations when held transposed.
    [[nodiscard]] uint64_t w_block_bytes(int64_t k, int64_t n, bool transposed) const {
        return transposed ? uint64_t(k) * uint64_t(n) * elem_bytes()
                          : uint64_t(k) * weight_bytes(weight_precision(), uint64_t(n));
    }
    // Bytes of `count` depthwise weights (int8 unless the precision is a float one).
    [[nodiscard]] uint64_t dw_weight_bytes(int64_t count) const {
        return uint64_t(count) * (is_float(precision) ? elem_bytes() : 1u);
    }
    int32_t groups = 1;
    int32_t in_h = 0, in_w = 0, in_c = 0;
    int32_t out_h = 0, out_w = 0, out_c = 0;
    int32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
    int32_t pad_top = 0, pad_left = 0;
    int32_t in_zero_point = 0;
    std::vector<int32_t> multiplier, shift;  // per output channel
    // Matmul: both operands are activations; the array's edge adders correct the raw int8
    // product by the zero points (see docs/architecture.md).
    int32_t a_zero_point = 0, b_zero_point = 0;
    // Vector ops: second input's zero point, add's input multipliers, float ops' quantization,
    // norms' gamma/beta, the lookup table.
    int32_t in2_zero_point = 0;
    int32_t add_x_multiplier = 0, add_x_shift = 0, add_y_multiplier = 0, add_y_shift = 0;
    double in_scale = 1.0, out_scale = 1.0;
    std::vector<float> gamma, beta;
    std::vector<int8_t> lut;
    int lookup_function = 0;  // graph::LookupFunction of a lookup layer (0: a given table)
    float lookup_alpha = 0.01f;
    int32_t out_zero_point = 0, act_min = -128, act_max = 127;
    // postproc.requant: float32 (integer precisions): the layer's MLAS formula and float32
    // multipliers, which the PPU applies instead of multiplier/shift (sim/core/requant_f32.h).
    F32Requant f32;
    // Float layers: the fused activation as bounds, out = min(max(v, act_lo), act_hi) in fp32
    // (none: -inf, +inf; relu: 0, +inf; relu6: 0, 6; clamp: its bounds).
    float act_lo = -std::numeric_limits<float>::infinity();
    float act_hi = std::numeric_limits<float>::infinity();
    uint64_t input_addr = 0, weight_addr = 0, bias_addr = 0, output_addr = 0;  // DRAM
    uint64_t macs = 0;
    [[nodiscard]] int64_t reduction() const { return int64_t{kernel_h} * kernel_w * in_c; }
};

// An initial DRAM segment (weights, biases, the network input).
struct DramSegment {
    uint64_t addr = 0;
    std::vector<uint8_t> bytes;
};

struct Program {
    std::vector<LayerDesc> layers;
    std::vector<Instr> instrs;
    // The instructions' payloads, by kind (Instr::payload indexes the array of its opcode).
    std::vector<Transfer> transfers;
    std::vector<Compute> computes;
    std::vector<Vector> vectors;
    std::vector<Postproc> posts;
    std::vector<DramSegment> dram_image;  // empty in timing-only compiles
    // The NPU instance's address space: its DRAM range starts at dram_base and may take
    // dram_size bytes, of which it uses dram_bytes_used; its scratchpad's on-chip window starts
    // at onchip_base. Per instance (compiler::CompileOptions), so several programs can share
    // one DRAM and one address map.
    uint64_t dram_base = 0;
    uint64_t dram_size = 0;
    uint64_t dram_bytes_used = 0;
    uint64_t onchip_base = kOnChipBase;
    // Several cores splitting each layer (compiler.partition channel): every core's program has
    // the same DRAM range and layout, and each SYNC also waits for the SYNC of the same layer on
    // every other core (models/platform/core_barrier.h).
    bool core_barrier = false;
    // Several cores pipelining the layers (compiler.partition pipeline): every core's program has
    // the same DRAM range and layout (core 0's holds the DRAM image); core c runs its stage's
    // layers for every image in turn, each image's between a WAIT (image i from core c - 1; none
    // on core 0) and a SIGNAL (image i to core c + 1), so a layer has one SYNC per image: the
    // layer ends at its last one (models/engines/controller.h).
    bool pipeline = false;
    // compiler.overlap full: each core runs a dependency table
    // (models/engines/dependency_table.h), and every SYNC but the last is a layer-end marker
    // (kSyncLayerEnd), not a barrier.
    bool dependency_table = false;

    // Appends an instruction of kind `op` (id = its index) with a zero payload of its kind, to
    // be filled through xfer/comp/vec/post. The reference is valid until the next append.
    Instr& append(Opcode op, uint16_t layer);
    // Reserves the header array and each payload array for `counts` more instructions.
    void reserve(const InstrCounts& counts);
    // Instructions of each kind in the program.
    [[nodiscard]] InstrCounts counts() const;

    // An instruction's payload. Asking for the payload of another kind (or an index outside its
    // array) is an internal error: std::logic_error naming the instruction.
    [[nodiscard]] const Transfer& xfer(const Instr& in) const {
        check(in, in.op == Opcode::kLoad || in.op == Opcode::kStore, transfers.size(), "transfer");
        return transfers[in.payload];
    }
    [[nodiscard]] const Compute& comp(const Instr& in) const {
        check(in, in.op == Opcode::kCompute, computes.size(), "compute");
        return computes[in.payload];
    }
    [[nodiscard]] const Vector& vec(const Instr& in) const {
        check(in, in.op == Opcode::kVector, vectors.size(), "vector");
        return vectors[in.payload];
    }
    [[nodiscard]] const Postproc& post(const Instr& in) const {
        check(in, in.op == Opcode::kPostproc, posts.size(), "postproc");
        return posts[in.payload];
    }
    [[nodiscard]] Transfer& xfer(const Instr& in) {
        return const_cast<Transfer&>(std::as_const(*this).xfer(in));
    }
    [[nodiscard]] Compute& comp(const Instr& in) {
        return const_cast<Compute&>(std::as_const(*this).comp(in));
    }
    [[nodiscard]] Vector& vec(const Instr& in) {
        return const_cast<Vector&>(std::as_const(*this).vec(in));
    }
    [[nodiscard]] Postproc& post(const Instr& in) {
        return const_cast<Postproc&>(std::as_const(*this).post(in));
    }

  private:
    void check(const Instr& in, bool kind_ok, size_t size, const char* kind) const {
        if (!kind_ok || in.payload >= size) bad_payload(in, kind);
    }
    [[noreturn]] void bad_payload(const Instr& in, const char* kind) const;
};

// Readable text form: one instruction per line, with the layer table as comments.
[[nodiscard]] std::string to_asm(const Program& program);
[[nodiscard]] std::string to_asm(const Program& program, const Instr& instr);

}  // namespace npu::isa

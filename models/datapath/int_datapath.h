// The integer datapath (int8 and int4 layers): the data of a COMPUTE block, a VECTOR instruction
// and a POST, on the real operands, bit-exact against the reference executor (sim/ref).
//
// What it computes (docs/architecture.md, docs/operators.md):
//  - COMPUTE: A through the im2col view of the input slab (the input zero point for padding), W
//    from the scratchpad (int4 rows unpacked, a transposed chunk read n x k), the int32 product
//    with wrapping sums, the matmul zero-point correction of the array's edge adders, then
//    acc = bias + product or acc += product. With the closed-form array the whole block is one
//    product (wrapping int32 sums do not depend on how the reduction is split): a GEMM of
//    sim/kernels on active_isa(), the bias and the zero-point correction as its start values
//    (the reference executor checks it on another kernel path, kernels::check_isa()); with the
//    PE-level array the array model computes each tile from its registers (pe_tile / pe_finish).
//  - VECTOR: elementwise add / mul to int32 accumulators, pooling and depthwise convolution,
//    row ops (softmax, norms; under postproc.requant float32 softmax is ORT's QLinearSoftmax,
//    LayerDesc::f32), lookups and copies to int8.
//  - POST: per-channel requantization with the configured rounding and the activation clamp
//    (kernels::requantize_rows; postproc.requant: float32 element by element).
// A COMPUTE block's packed weights are reused when the same block of the same layer comes again
// with the same bytes (mappings that reload each weight block per m-block): packed_weights. A
// block of one or two rows (LLM decode) is computed without packing: direct_block.
// Plain C++, no SystemC, no timing. Scratch buffers are members: one datapath per core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "models/datapath/datapath.h"
#include "sim/core/types.h"
#include "sim/isa/isa.h"
#include "sim/kernels/gemm.h"
#include "sim/timing/array_model.h"

namespace npu::datapath {

class IntDatapath {
  public:
    IntDatapath(Rounding rounding, RequantMode requant)
        : m_rounding(rounding), m_requant(requant) {}

    // The data of a whole COMPUTE block (closed-form array).
    void compute_block(const isa::Compute& c, const isa::LayerDesc& L, Memory mem, Where where);
    // PE-level array: the operands of the tile of rows [i0, i0 + sh.m) x reduction
    // [k0, k0 + sh.k), for the array model to compute into TileData::out ...
    [[nodiscard]] timing::TileData pe_tile(const isa::Compute& c, const isa::LayerDesc& L, int i0,
                                           int k0, const timing::TileShape& sh, Memory mem,
                                           Where where);
    // ... then the zero-point correction and the accumulators (bias + product, or += product).
    void pe_finish(const isa::LayerDesc& L, const isa::Compute& c, int i0,
                   const timing::TileShape& sh, bool add_to_acc, Memory mem);
    // A VECTOR instruction's data; `row_bytes`: bytes of one slab row (pooling, depthwise).
    void vector(const isa::Vector& v, const isa::LayerDesc& L, uint32_t row_bytes, Memory mem,
                Where where);
    // A POST instruction's data: accumulators -> int8 in the scratchpad.
    void postproc(const isa::Postproc& p, const isa::LayerDesc& L, Memory mem) const;

  private:
    void gather_a(const isa::Compute& c, const isa::LayerDesc& L, int i0, int k0, int m, int k,
                  Memory mem, Where where);
    void gather_w(const isa::LayerDesc& L, const isa::Compute& c, int k0, int k, Memory mem);
    void correct_zero_points(const isa::LayerDesc& L, const timing::TileShape& sh);
    void accumulate_tile(const isa::Compute& c, int i0, const timing::TileShape& sh,
                         bool add_to_acc, Memory mem);
    static void row_data(isa::VectorOp op, const isa::LayerDesc& L, const int8_t* x, int len,
                         int8_t* out, Where where);

    Rounding m_rounding;
    RequantMode m_requant;  // postproc.requant
    // One tile's operands and product.
    std::vector<int8_t> m_a_tile, m_w_tile;
    std::vector<int32_t> m_out_tile;
    std::vector<int32_t> m_col_init, m_row_init;  // the block GEMM's start values
    // A COMPUTE block's weights, packed, with their column sums (mod 2^32) and, when kept, the
    // bytes they were packed from.
    struct Packed {
        kernels::PackedB b;
        std::vector<uint32_t> col_sums;
        std::vector<int8_t> source;
    };
    // A block's place in its layer's weights.
    struct BlockKey {
        int64_t k0;
        int32_t n0, k, n;
        bool transposed;
        bool operator==(const BlockKey& o) const {
            return k0 == o.k0 && n0 == o.n0 && k == o.k && n == o.n && transposed == o.transposed;
        }
    };
    struct BlockKeyHash {
        size_t operator()(const BlockKey& b) const {
            uint64_t h = static_cast<uint64_t>(b.k0) * 0x9e3779b97f4a7c15ull;
            h ^= (static_cast<uint64_t>(static_cast<uint32_t>(b.n0)) << 32 |
                  static_cast<uint32_t>(b.k)) *
                 0xbf58476d1ce4e5b9ull;
            h ^= (static_cast<uint64_t>(static_cast<uint32_t>(b.n)) << 1 | b.transposed) *
                 0x94d049bb133111ebull;
            return static_cast<size_t>(h ^ (h >> 29));
        }
    };
    // Blocks of at most this many rows with K-major weights skip the packing: direct_block.
    static constexpr int64_t kDirectRows = 2;
    void direct_block(const isa::Compute& c, const isa::LayerDesc& L, const int8_t* w, Memory mem);
    std::vector<uint32_t> m_direct, m_col_sums;  // one row's sums; W's column sums
    // Bytes of packed weights (and their sources) kept at most.
    static constexpr size_t kPackCacheBytes = size_t{256} << 20;
    [[nodiscard]] const Packed& packed_weights(const isa::Compute& c, const isa::LayerDesc& L,
                                               const int8_t* w, int64_t stride_n, int64_t stride_k);
    Packed m_uncached;  // a block packed without keeping it (storage reused block to block)
    std::unordered_map<BlockKey, std::unique_ptr<Packed>, BlockKeyHash> m_pack_cache;
    std::unordered_set<BlockKey, BlockKeyHash> m_pack_seen;  // blocks of the layer used once
    const isa::LayerDesc* m_cache_layer = nullptr;           // the layer the entries are of
    size_t m_cache_bytes = 0;
};

}  // namespace npu::datapath

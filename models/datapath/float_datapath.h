// The float datapath (bf16, fp16, fp32 layers): the data of a COMPUTE block, a VECTOR
// instruction and a POST. Operands are held in the layer's format (2 or 4 bytes per element) in
// the scratchpad; accumulators and biases are fp32. Every sum is formed in the order the float
// reference executor uses (sim/quant/float_ref.h): a conv/gemm/matmul output starts at its bias
// (matmul: 0) and adds one fp32 product at a time in im2col order, the k-chunks of a block
// arriving in increasing k; padded taps are skipped. The build has no FMA contraction, so each
// product and each sum is rounded once: bit-exact against the float reference.
// Plain C++, no SystemC, no timing.
#pragma once

#include <cstdint>

#include "models/datapath/datapath.h"
#include "sim/isa/isa.h"

namespace npu::datapath {

class FloatDatapath {
  public:
    void compute(const isa::Compute& c, const isa::LayerDesc& L, Memory mem, Where where);
    // `row_bytes`: bytes of one slab row (pooling, depthwise).
    void vector(const isa::Vector& v, const isa::LayerDesc& L, uint32_t row_bytes, Memory mem,
                Where where);
    void postproc(const isa::Postproc& p, const isa::LayerDesc& L, Memory mem);
};

}  // namespace npu::datapath

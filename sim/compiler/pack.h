// Pass 6 of the compiler: weight packing. Builds the program's initial DRAM image.
//
//   in:  the Workload (its data), Lowered (regions), the MemoryPlan (their addresses), the config
//   out: Program::dram_image, in region order: each declared input's data; per layer a matmul's
//        zero bias, or conv2d/gemm weights and biases:
//        - integer layers: weights OHWI -> per group, one K-major [K][nb] block per n-block
//          (nb = min(array.cols, output channels per group); every k-chunk of an n-block is one
//          contiguous run; k = (kh*KW + kw)*Cg + ic), int4 two per byte (low nibble first) per
//          row of the block; depthwise keeps [C][kh*kw]. Biases fold the input zero point:
//          sum (x - zp) w = sum x w - zp sum w.
//        - float layers: the float model in the layer's format in the same layouts; biases fp32
//          (rounded to the format, as the float reference rounds them), no zero point to fold.
// A network input is stored in its first reader's format: int8 data, or its real values
// (Workload::float_input_data) in a float format.
#pragma once

#include "sim/compiler/lower.h"
#include "sim/compiler/memory_plan.h"
#include "sim/config/hw_config.h"
#include "sim/graph/workload.h"
#include "sim/isa/isa.h"

namespace npu::compiler {

void pack_weights(const graph::Workload& workload, const Lowered& lowered, const MemoryPlan& plan,
                  const cfg::HwConfig& hw, isa::Program& program);

}  // namespace npu::compiler

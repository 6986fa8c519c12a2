// Both datapaths of one core and the memories they work on (functional runs). The engines hold a
// pointer to it; nullptr means a timing-only run (no data is computed).
#pragma once

#include "models/datapath/datapath.h"
#include "models/datapath/float_datapath.h"
#include "models/datapath/int_datapath.h"

namespace npu::datapath {

struct Datapaths {
    Datapaths(Rounding rounding, RequantMode requant, Memory memory)
        : integer(rounding, requant), mem(memory) {}
    IntDatapath integer;     // int8 / int4 layers
    FloatDatapath floating;  // bf16 / fp16 / fp32 layers
    Memory mem;
};

}  // namespace npu::datapath

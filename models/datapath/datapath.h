// What both datapaths (integer and float) share: where the operands live and how an error names
// its place. Plain C++, no SystemC: the engines call the datapaths with the bytes of the
// scratchpad and accumulator memories; the datapaths compute, the engines keep the time.
#pragma once

#include <cstdint>

namespace npu::datapath {

// The memories of one core (functional runs): byte 0 of the scratchpad and of the accumulators.
// Instruction addresses index them directly; the engines have checked every range.
struct Memory {
    uint8_t* spad = nullptr;
    uint8_t* acc = nullptr;
};

// Names the place of a model error: the unit ("npu.compute"), the cycle, the instruction id.
struct Where {
    const char* unit = "";
    uint64_t cycle = 0;
    int64_t instr = -1;
};

}  // namespace npu::datapath

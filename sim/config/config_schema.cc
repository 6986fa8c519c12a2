#include "sim/config/config_schema.h"

#include <cmath>
#include <limits>

#include "sim/core/error.h"
#include "sim/core/units.h"

namespace npu::cfg {
namespace {

constexpr double kKiB = 1024.0;
constexpr double kMiB = 1024.0 * kKiB;
constexpr double kGiB = 1024.0 * kMiB;
constexpr double kTiB = 1024.0 * kGiB;
constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// Reads go through the same reference accessors as writes; the const_cast never writes.
HwConfig& mut(const HwConfig& c) { return const_cast<HwConfig&>(c); }

FieldSpec int_field(std::string key, std::string unit, double min, double max, std::string meaning,
                    int& (*ref)(HwConfig&)) {
    FieldSpec f{
        std::move(key), FieldType::kInt, std::move(unit), min, max, {}, std::move(meaning), {}};
    f.access.as_int = ref;
    return f;
}

FieldSpec size_field(std::string key, double min, double max, std::string meaning,
                     int& (*ref)(HwConfig&)) {
    FieldSpec f{std::move(key), FieldType::kSize, "bytes", min, max, {}, std::move(meaning), {}};
    f.access.as_int = ref;
    return f;
}

FieldSpec size_field(std::string key, double min, double max, std::string meaning,
                     uint64_t& (*ref)(HwConfig&)) {
    FieldSpec f{std::move(key), FieldType::kSize, "bytes", min, max, {}, std::move(meaning), {}};
    f.access.as_u64 = ref;
    return f;
}

FieldSpec double_field(std::string key, FieldType type, std::string unit, double min, double max,
                       std::string meaning, double& (*ref)(HwConfig&)) {
    FieldSpec f{std::move(key), type, std::move(unit), min, max, {}, std::move(meaning), {}};
    f.access.as_double = ref;
    return f;
}

FieldSpec string_field(std::string key, std::string meaning, std::string& (*ref)(HwConfig&)) {
    FieldSpec f{std::move(key), FieldType::kString, "", 1, 200, {}, std::move(meaning), {}};
    f.access.as_string = ref;
    return f;
}

FieldSpec enum_field(std::string key, std::vector<std::string> choices, std::string meaning,
                     int (*get)(const HwConfig&), void (*set)(HwConfig&, int)) {
    double max = static_cast<double>(choices.size()) - 1;
    FieldSpec f{std::move(key),     FieldType::kEnum,   "", 0, max,
                std::move(choices), std::move(meaning), {}};
    f.access.get_enum = get;
    f.access.set_enum = set;
    return f;
}

// Enum spellings come from npu::to_string so the config and every other printer agree.
template <typename E>
std::vector<std::string> spellings(std::initializer_list<E> values) {
    std::vector<std::string> out;
    for (E v : values) out.emplace_back(npu::to_string(v));
    return out;
}

void add_sram(std::vector<FieldSpec>& t, const std::string& s, const std::string& what,
              uint64_t& (*size)(HwConfig&), int& (*banks)(HwConfig&), int& (*width)(HwConfig&),
              int& (*ports)(HwConfig&)) {
    t.push_back(size_field(s + ".size", 1, 4 * kGiB, "capacity of the " + what, size));
    t.push_back(
        int_field(s + ".banks", "", 1, 1024, "independent banks (size is split evenly)", banks));
    t.push_back(
        size_field(s + ".bank_width", 1, 64 * kKiB, "bytes one bank port moves per cycle", width));
    t.push_back(int_field(s + ".ports", "", 1, 16,
                          "ports per bank, each an independent busy-until timeline", ports));
}

template <int DramTiming::*M>
int& timing_ref(HwConfig& c) {
    return c.dram.timing.*M;
}

template <double DramPower::*M>
double& power_ref(HwConfig& c) {
    return c.dram.power.*M;
}

// The dram section: the simple model's keys, then the banked model's device (what a preset sets,
// configs/dram/*.yaml), controller, timing and IDD currents (docs/dram.md).
void add_dram(std::vector<FieldSpec>& t) {
    t.push_back(enum_field(
        "dram.model", {to_string(DramModel::kSimple), to_string(DramModel::kBanked)},
        "the DRAM model behind the memory interface; simple: each channel a fixed latency plus its "
        "share of the bandwidth; banked: banks, rows, refresh (docs/dram.md)",
        [](const HwConfig& c) { return static_cast<int>(c.dram.model); },
        [](HwConfig& c, int v) { c.dram.model = static_cast<DramModel>(v); }));
    t.push_back(double_field("dram.bandwidth", FieldType::kBandwidth, "bytes/s", 1e6, 1e14,
                             "simple model: peak bandwidth, total over all channels",
                             [](HwConfig& c) -> double& { return c.dram.bandwidth_bytes_per_s; }));
    t.push_back(int_field("dram.latency_cycles", "cycles", 0, 1e6,
                          "simple model: NPU cycles from a burst's start to its data",
                          [](HwConfig& c) -> int& { return c.dram.latency_cycles; }));
    t.push_back(int_field("dram.channels", "", 1, 64, "independent DRAM channels",
                          [](HwConfig& c) -> int& { return c.dram.channels; }));
    t.push_back(size_field("dram.size", 1, kTiB, "address space the compiler may use",
                           [](HwConfig& c) -> uint64_t& { return c.dram.size_bytes; }));
    t.push_back(string_field("dram.name", "banked: the preset the device keys came from (reports)",
                             [](HwConfig& c) -> std::string& { return c.dram.name; }));
    t.push_back(double_field("dram.clock", FieldType::kFrequency, "Hz", 1e6, 1e11,
                             "banked: memory command clock; dram.timing is in its cycles",
                             [](HwConfig& c) -> double& { return c.dram.clock_hz; }));
    t.push_back(int_field("dram.ranks", "", 1, 16, "banked: ranks per channel",
                          [](HwConfig& c) -> int& { return c.dram.ranks; }));
    t.push_back(int_field("dram.bank_groups", "", 1, 16, "banked: bank groups per rank",
                          [](HwConfig& c) -> int& { return c.dram.bank_groups; }));
    t.push_back(int_field("dram.banks_per_group", "", 1, 64, "banked: banks per bank group",
                          [](HwConfig& c) -> int& { return c.dram.banks_per_group; }));
    t.push_back(int_field("dram.rows", "", 1, 1 << 24, "banked: rows per bank",
                          [](HwConfig& c) -> int& { return c.dram.rows; }));
    t.push_back(int_field("dram.columns", "", 1, 1 << 20,
                          "banked: columns per row, each bus_width bits",
                          [](HwConfig& c) -> int& { return c.dram.columns; }));
    t.push_back(int_field("dram.bus_width", "bits", 8, 4096, "banked: data bus of one channel",
                          [](HwConfig& c) -> int& { return c.dram.bus_width_bits; }));
    t.push_back(int_field("dram.device_width", "bits", 1, 4096,
                          "banked: data pins of one device (bus_width / this = devices per rank)",
                          [](HwConfig& c) -> int& { return c.dram.device_width_bits; }));
    t.push_back(int_field("dram.burst_length", "beats", 1, 256,
                          "banked: beats per column command; a burst (bus_width / 8 * this "
                          "bytes) is the access atom",
                          [](HwConfig& c) -> int& { return c.dram.burst_length; }));
    t.push_back(string_field("dram.mapping",
                             "banked: address fields most significant first, from Ro Ba Bg Ra Co "
                             "Ch (below them: the byte in the burst)",
                             [](HwConfig& c) -> std::string& { return c.dram.mapping; }));
    t.push_back(enum_field(
        "dram.page_policy", {to_string(PagePolicy::kOpen), to_string(PagePolicy::kClosed)},
        "banked: open keeps rows open; closed auto-precharges after every access",
        [](const HwConfig& c) { return static_cast<int>(c.dram.page_policy); },
        [](HwConfig& c, int v) { c.dram.page_policy = static_cast<PagePolicy>(v); }));
    t.push_back(enum_field(
        "dram.refresh",
        {to_string(RefreshMode::kAllBank), to_string(RefreshMode::kPerBank),
         to_string(RefreshMode::kOff)},
        "banked: REF per rank every tREFI, REFpb per bank every tREFIpb, or none",
        [](const HwConfig& c) { return static_cast<int>(c.dram.refresh); },
        [](HwConfig& c, int v) { c.dram.refresh = static_cast<RefreshMode>(v); }));
    t.push_back(int_field("dram.read_queue", "bursts", 1, 4096,
                          "banked: read queue entries per channel controller",
                          [](HwConfig& c) -> int& { return c.dram.read_queue; }));
    t.push_back(int_field("dram.write_queue", "bursts", 1, 4096,
                          "banked: write queue entries per channel controller",
                          [](HwConfig& c) -> int& { return c.dram.write_queue; }));
    t.push_back(int_field("dram.write_high", "bursts", 1, 4096,
                          "banked: queued writes that start a write drain",
                          [](HwConfig& c) -> int& { return c.dram.write_high; }));
    t.push_back(int_field("dram.write_low", "bursts", 0, 4096,
                          "banked: queued writes at which a drain stops (if reads wait)",
                          [](HwConfig& c) -> int& { return c.dram.write_low; }));

    struct Timing {
        const char* name;
        double min;
        const char* meaning;
        int& (*ref)(HwConfig&);
    };
    const Timing timings[] = {
        {"tRCD", 1, "ACT to RD/WR, same bank", timing_ref<&DramTiming::tRCD>},
        {"tRP", 1, "PRE to ACT, same bank", timing_ref<&DramTiming::tRP>},
        {"tCL", 1, "RD to first data (CAS latency, tAA)", timing_ref<&DramTiming::tCL>},
        {"tCWL", 1, "WR to first data", timing_ref<&DramTiming::tCWL>},
        {"tRAS", 1, "ACT to PRE, same bank", timing_ref<&DramTiming::tRAS>},
        {"tRC", 1, "ACT to ACT, same bank", timing_ref<&DramTiming::tRC>},
        {"tRRD_S", 1, "ACT to ACT, different bank group", timing_ref<&DramTiming::tRRD_S>},
        {"tRRD_L", 1, "ACT to ACT, same bank group", timing_ref<&DramTiming::tRRD_L>},
        {"tFAW", 0, "window holding at most four ACTs of a rank", timing_ref<&DramTiming::tFAW>},
        {"tCCD_S", 1, "column to column, different bank group", timing_ref<&DramTiming::tCCD_S>},
        {"tCCD_L", 1, "column to column, same bank group", timing_ref<&DramTiming::tCCD_L>},
        {"tWR", 1, "end of write data to PRE (write recovery)", timing_ref<&DramTiming::tWR>},
        {"tWTR_S", 1, "end of write data to RD, different bank group",
         timing_ref<&DramTiming::tWTR_S>},
        {"tWTR_L", 1, "end of write data to RD, same bank group", timing_ref<&DramTiming::tWTR_L>},
        {"tRTP", 1, "RD to PRE", timing_ref<&DramTiming::tRTP>},
        {"tBURST", 1, "data-bus cycles of one burst", timing_ref<&DramTiming::tBURST>},
        {"tRTRS", 0, "data-bus turnaround: rank to rank, read to write",
         timing_ref<&DramTiming::tRTRS>},
        {"tREFI", 1, "all-bank refresh interval", timing_ref<&DramTiming::tREFI>},
        {"tRFC", 1, "all-bank refresh duration", timing_ref<&DramTiming::tRFC>},
        {"tREFIpb", 0, "per-bank refresh interval (0: none)", timing_ref<&DramTiming::tREFIpb>},
        {"tRFCpb", 0, "per-bank refresh duration", timing_ref<&DramTiming::tRFCpb>},
        {"tRREFD", 0, "per-bank refresh to per-bank refresh, same rank",
         timing_ref<&DramTiming::tRREFD>},
    };
    for (const Timing& tm : timings) {
        t.push_back(int_field(std::string("dram.timing.") + tm.name, "cycles", tm.min, 1e7,
                              std::string("banked: ") + tm.meaning, tm.ref));
    }

    struct Power {
        const char* name;
        const char* unit;
        const char* meaning;
        double& (*ref)(HwConfig&);
    };
    const Power powers[] = {
        {"vdd", "V", "supply the currents are given at (0: no IDD data, energy per byte)",
         power_ref<&DramPower::vdd>},
        {"idd0", "mA", "per device, one bank ACT-PRE cycling at tRC", power_ref<&DramPower::idd0>},
        {"idd2n", "mA", "per device, precharged standby", power_ref<&DramPower::idd2n>},
        {"idd3n", "mA", "per device, active standby", power_ref<&DramPower::idd3n>},
        {"idd4r", "mA", "per device, burst read", power_ref<&DramPower::idd4r>},
        {"idd4w", "mA", "per device, burst write", power_ref<&DramPower::idd4w>},
        {"idd5b", "mA", "per device, all-bank refresh", power_ref<&DramPower::idd5b>},
        {"idd5pb", "mA", "per device, per-bank refresh", power_ref<&DramPower::idd5pb>},
    };
    for (const Power& pw : powers) {
        t.push_back(double_field(std::string("dram.power.") + pw.name, FieldType::kDouble, pw.unit,
                                 0, 1e5, std::string("banked: ") + pw.meaning, pw.ref));
    }
}

std::vector<FieldSpec> build_table() {
    std::vector<FieldSpec> t;
    t.push_back(string_field("name", "configuration name, shown in reports",
                             [](HwConfig& c) -> std::string& { return c.name; }));
    t.push_back(double_field("clock", FieldType::kFrequency, "Hz", 1e6, 1e11,
                             "NPU clock; all cycle counts are in this clock",
                             [](HwConfig& c) -> double& { return c.clock_hz; }));

    {
        std::vector<std::string> names;
        for (Precision p : kAllPrecisions) names.emplace_back(npu::to_string(p));
        t.push_back(enum_field(
            "precision", std::move(names),
            "datapath precision of every layer the workload does not give one (docs/precision.md)",
            [](const HwConfig& c) { return static_cast<int>(c.precision); },
            [](HwConfig& c, int v) { c.precision = static_cast<Precision>(v); }));
    }
    t.push_back(int_field("cores", "", 1, 64,
                          "NPU cores (each its own controller, engines, scratchpad, accumulators "
                          "and array), sharing the DRAM through an arbiter",
                          [](HwConfig& c) -> int& { return c.cores; }));
    t.push_back(int_field("sync_cycles", "cycles", 0, 1e6,
                          "cycles a cross-core signal takes (cores > 1): the barrier of the "
                          "channel, spatial and auto splits releases the cores this long after "
                          "the last one arrives; a pipeline stage token reaches the next core "
                          "this long after its SIGNAL",
                          [](HwConfig& c) -> int& { return c.sync_cycles; }));
    t.push_back(int_field("array.rows", "PEs", 1, 1024,
                          "PE rows: reduction (K) dimension for ws, output rows (M) for os",
                          [](HwConfig& c) -> int& { return c.array.rows; }));
    t.push_back(int_field("array.cols", "PEs", 1, 1024, "PE columns: output channels (N)",
                          [](HwConfig& c) -> int& { return c.array.cols; }));
    // "both": the array supports either; the compiler chooses per layer (ties go to ws).
    std::vector<std::string> dataflows =
        spellings({Dataflow::kWeightStationary, Dataflow::kOutputStationary});
    dataflows.emplace_back("both");
    t.push_back(enum_field(
        "array.dataflow", std::move(dataflows),
        "weight-stationary (ws), output-stationary (os), or both (chosen per layer)",
        [](const HwConfig& c) {
            return c.array.both_dataflows ? 2 : static_cast<int>(c.array.dataflow);
        },
        [](HwConfig& c, int v) {
            c.array.both_dataflows = v == 2;
            c.array.dataflow = v == 2 ? Dataflow::kWeightStationary : static_cast<Dataflow>(v);
        }));
    t.push_back(enum_field(
        "array.pipelining", spellings({Pipelining::kNone, Pipelining::kOverlap}),
        "none: tile by tile; overlap: double-buffered PE registers overlap consecutive tiles",
        [](const HwConfig& c) { return static_cast<int>(c.array.pipelining); },
        [](HwConfig& c, int v) { c.array.pipelining = static_cast<Pipelining>(v); }));
    t.push_back(enum_field(
        "array.timing", spellings({ArrayTiming::kNpusim, ArrayTiming::kScaleSim}),
        "tile cycle accounting: npusim's array (docs/timing.md) or SCALE-Sim v2's (folds never "
        "overlap, each charged in full: os K+R+C-2, ws M+2R+C-2)",
        [](const HwConfig& c) { return static_cast<int>(c.array.timing); },
        [](HwConfig& c, int v) { c.array.timing = static_cast<ArrayTiming>(v); }));

    t.push_back(int_field("array.cycles_per_mac.int8", "cycles", 0, 64,
                          "cycles a PE takes per int8 MAC (0: the array has no int8 mode)",
                          [](HwConfig& c) -> int& { return c.array.cycles_per_mac[0]; }));
    t.push_back(int_field("array.cycles_per_mac.int4", "cycles", 0, 64,
                          "per int8 x int4 MAC (0: no int4 mode)",
                          [](HwConfig& c) -> int& { return c.array.cycles_per_mac[1]; }));
    t.push_back(int_field("array.cycles_per_mac.bf16", "cycles", 0, 64,
                          "per bf16 MAC, fp32 accumulate (0: no bf16 mode)",
                          [](HwConfig& c) -> int& { return c.array.cycles_per_mac[2]; }));
    t.push_back(int_field("array.cycles_per_mac.fp16", "cycles", 0, 64,
                          "per fp16 MAC, fp32 accumulate (0: no fp16 mode)",
                          [](HwConfig& c) -> int& { return c.array.cycles_per_mac[3]; }));
    t.push_back(int_field("array.cycles_per_mac.fp32", "cycles", 0, 64,
                          "per fp32 MAC (0: no fp32 mode)",
                          [](HwConfig& c) -> int& { return c.array.cycles_per_mac[4]; }));

    add_sram(
        t, "scratchpad", "int8 scratchpad (weights, activations, outputs)",
        [](HwConfig& c) -> uint64_t& { return c.scratchpad.size_bytes; },
        [](HwConfig& c) -> int& { return c.scratchpad.banks; },
        [](HwConfig& c) -> int& { return c.scratchpad.bank_width_bytes; },
        [](HwConfig& c) -> int& { return c.scratchpad.ports; });
    add_sram(
        t, "accumulator", "int32 accumulator SRAM",
        [](HwConfig& c) -> uint64_t& { return c.accumulator.size_bytes; },
        [](HwConfig& c) -> int& { return c.accumulator.banks; },
        [](HwConfig& c) -> int& { return c.accumulator.bank_width_bytes; },
        [](HwConfig& c) -> int& { return c.accumulator.ports; });

    t.push_back(int_field("dma.channels", "", 1, 64, "independent DMA channels",
                          [](HwConfig& c) -> int& { return c.dma.channels; }));
    // 4KiB: an AXI burst may not cross a 4 KB boundary, so no real bus moves more in one burst.
    t.push_back(size_field("dma.burst", 1, 4 * kKiB, "bytes per DRAM burst (a power of two)",
                           [](HwConfig& c) -> int& { return c.dma.burst_bytes; }));
    t.push_back(int_field("dma.outstanding", "bursts", 1, 1024, "bursts in flight per channel",
                          [](HwConfig& c) -> int& { return c.dma.outstanding; }));
    t.push_back(int_field("dma.setup_cycles", "cycles", 0, 1e6,
                          "per descriptor, before its first burst",
                          [](HwConfig& c) -> int& { return c.dma.setup_cycles; }));

    add_dram(t);

    t.push_back(size_field("l2.size", 0, 4 * kGiB,
                           "capacity of the shared L2 cache in front of the DRAM (0: no L2; "
                           "models/mem/l2_cache.h)",
                           [](HwConfig& c) -> uint64_t& { return c.l2.size_bytes; }));
    t.push_back(int_field("l2.banks", "", 1, 1024,
                          "L2 banks, lines interleaved over them (line index mod banks); one "
                          "port each",
                          [](HwConfig& c) -> int& { return c.l2.banks; }));
    t.push_back(size_field("l2.bank_width", 1, 64 * kKiB, "bytes one L2 bank port moves per cycle",
                           [](HwConfig& c) -> int& { return c.l2.bank_width_bytes; }));
    t.push_back(size_field("l2.line", 1, 4 * kKiB, "L2 line (a power of two)",
                           [](HwConfig& c) -> int& { return c.l2.line_bytes; }));
    t.push_back(int_field("l2.ways", "", 1, 1024, "L2 associativity (LRU replacement)",
                          [](HwConfig& c) -> int& { return c.l2.ways; }));
    t.push_back(int_field("l2.hit_latency", "cycles", 0, 1e6,
                          "L2 tag and data access: cycles from a request's bank port transfer to "
                          "its completion",
                          [](HwConfig& c) -> int& { return c.l2.hit_latency_cycles; }));

    t.push_back(int_field("postproc.lanes", "elements/cycle", 1, 4096,
                          "accumulator elements requantized per cycle",
                          [](HwConfig& c) -> int& { return c.postproc.lanes; }));
    t.push_back(int_field("postproc.pipeline_cycles", "cycles", 0, 1000,
                          "latency of the requantization pipeline",
                          [](HwConfig& c) -> int& { return c.postproc.pipeline_cycles; }));
    t.push_back(enum_field(
        "postproc.rounding", spellings({Rounding::kHalfEven, Rounding::kTflite, Rounding::kHalfUp}),
        "requantization rounding: ONNX half_even, TFLite's two roundings, or half_up",
        [](const HwConfig& c) { return static_cast<int>(c.postproc.rounding); },
        [](HwConfig& c, int v) { c.postproc.rounding = static_cast<Rounding>(v); }));
    t.push_back(enum_field(
        "postproc.requant", spellings({RequantMode::kFixedPoint, RequantMode::kFloat32}),
        "requantization arithmetic: fixed_point (integer multiplier and shift, with "
        "postproc.rounding) or float32 (ONNX Runtime's MLAS formulas, bit for bit; "
        "docs/operators.md)",
        [](const HwConfig& c) { return static_cast<int>(c.postproc.requant); },
        [](HwConfig& c, int v) { c.postproc.requant = static_cast<RequantMode>(v); }));

    t.push_back(int_field("controller.queue_depth", "instructions", 1, 1024,
                          "instruction FIFO depth of each engine (load, compute, store)",
                          [](HwConfig& c) -> int& { return c.controller.queue_depth; }));
    t.push_back(int_field("controller.dispatch_cycles", "cycles", 0, 1000,
                          "cycles to decode and dispatch one instruction",
                          [](HwConfig& c) -> int& { return c.controller.dispatch_cycles; }));
    t.push_back(enum_field(
        "compiler.objective", spellings({Objective::kLatency, Objective::kEnergy, Objective::kEdp}),
        "what the mapping search minimizes per layer: estimated cycles, energy, or energy x "
        "cycles (docs/mapper.md)",
        [](const HwConfig& c) { return static_cast<int>(c.compiler.objective); },
        [](HwConfig& c, int v) { c.compiler.objective = static_cast<Objective>(v); }));
    t.push_back(enum_field(
        "compiler.overlap",
        spellings({LayerOverlap::kNone, LayerOverlap::kPrefetch, LayerOverlap::kFull}),
        "none: a barrier ends every layer; prefetch: the next layer's first weight tile loads "
        "while this layer computes and drains, where the scratchpad has room beside both "
        "layers' buffers and the tensors kept on chip; full: prefetch and no barrier between "
        "layers, a dependency table holds back only the instructions whose addresses conflict "
        "with an earlier layer's unfinished ones (the last layer still ends in a barrier)",
        [](const HwConfig& c) { return static_cast<int>(c.compiler.overlap); },
        [](HwConfig& c, int v) { c.compiler.overlap = static_cast<LayerOverlap>(v); }));
    t.push_back(enum_field(
        "compiler.partition",
        spellings({Partition::kAuto, Partition::kBatch, Partition::kChannel, Partition::kSpatial,
                   Partition::kPipeline}),
        "how the work is split over the cores (cores > 1): batch, each core runs whole images "
        "of the batch (a core gets none when the batch is smaller than the cores); channel, "
        "each conv/gemm/matmul layer's output channels are split over the cores, which meet at "
        "a barrier after every layer (other layers run on core 0); spatial, every layer's "
        "output rows (of every image) are split over the cores, which meet at a barrier after "
        "every layer; pipeline, the layers are split into one contiguous stage per core "
        "(balanced by the compiler's cost estimate) and the images of the batch flow through "
        "the stages, each core starting an image once the previous core has finished it; "
        "auto, batch when the batch is a multiple of the cores (or with fusion or overlap "
        "full) on as many cores as the compiler's estimate prefers, else channel or spatial per "
        "layer "
        "by the compiler's estimate",
        [](const HwConfig& c) { return static_cast<int>(c.compiler.partition); },
        [](HwConfig& c, int v) { c.compiler.partition = static_cast<Partition>(v); }));
    t.push_back(enum_field(
        "compiler.fusion", spellings({Fusion::kNone, Fusion::kAuto}),
        "none: every layer's output goes through memory (workload pins `fuse: true` still fuse); "
        "auto: a layer whose only reader is the next layer keeps its output on chip and the reader "
        "reads it in place, where it fits and the cost estimate is not worse (docs/fusion.md)",
        [](const HwConfig& c) { return static_cast<int>(c.compiler.fusion); },
        [](HwConfig& c, int v) { c.compiler.fusion = static_cast<Fusion>(v); }));

    t.push_back(string_field("energy.name", "energy table name, shown in reports",
                             [](HwConfig& c) -> std::string& { return c.energy.name; }));
    const double kMaxPj = 1e6;
    t.push_back(double_field("energy.mac_int8_pj", FieldType::kDouble, "pJ", 0, kMaxPj,
                             "one int8 multiply with int32 accumulate",
                             [](HwConfig& c) -> double& { return c.energy.mac_int8_pj; }));
    t.push_back(double_field("energy.mac_int4_pj", FieldType::kDouble, "pJ", 0, kMaxPj,
                             "one int8 x int4 multiply with int32 accumulate",
                             [](HwConfig& c) -> double& { return c.energy.mac_int4_pj; }));
    t.push_back(double_field("energy.mac_bf16_pj", FieldType::kDouble, "pJ", 0, kMaxPj,
                             "one bf16 multiply with fp32 accumulate",
                             [](HwConfig& c) -> double& { return c.energy.mac_bf16_pj; }));
    t.push_back(double_field("energy.mac_fp16_pj", FieldType::kDouble, "pJ", 0, kMaxPj,
                             "one fp16 multiply with fp32 accumulate",
                             [](HwConfig& c) -> double& { return c.energy.mac_fp16_pj; }));
    t.push_back(double_field("energy.mac_fp32_pj", FieldType::kDouble, "pJ", 0, kMaxPj,
                             "one fp32 multiply-add",
                             [](HwConfig& c) -> double& { return c.energy.mac_fp32_pj; }));
    t.push_back(double_field(
        "energy.spad_read_pj_per_byte", FieldType::kDouble, "pJ/byte", 0, kMaxPj, "scratchpad read",
        [](HwConfig& c) -> double& { return c.energy.spad_read_pj_per_byte; }));
    t.push_back(double_field("energy.spad_write_pj_per_byte", FieldType::kDouble, "pJ/byte", 0,
                             kMaxPj, "scratchpad write", [](HwConfig& c) -> double& {
                                 return c.energy.spad_write_pj_per_byte;
                             }));
    t.push_back(double_field("energy.acc_read_pj_per_byte", FieldType::kDouble, "pJ/byte", 0,
                             kMaxPj, "accumulator read",
                             [](HwConfig& c) -> double& { return c.energy.acc_read_pj_per_byte; }));
    t.push_back(double_field("energy.acc_write_pj_per_byte", FieldType::kDouble, "pJ/byte", 0,
                             kMaxPj, "accumulator write", [](HwConfig& c) -> double& {
                                 return c.energy.acc_write_pj_per_byte;
                             }));
    t.push_back(double_field("energy.dram_pj_per_byte", FieldType::kDouble, "pJ/byte", 0, kMaxPj,
                             "DRAM transfer (interface and array)",
                             [](HwConfig& c) -> double& { return c.energy.dram_pj_per_byte; }));
    t.push_back(double_field("energy.l2_pj_per_byte", FieldType::kDouble, "pJ/byte", 0, kMaxPj,
                             "a byte in or out of the L2's data array (runs with l2.size > 0)",
                             [](HwConfig& c) -> double& { return c.energy.l2_pj_per_byte; }));
    t.push_back(double_field("energy.static_mw", FieldType::kDouble, "mW", 0, kMaxPj,
                             "leakage of one NPU core",
                             [](HwConfig& c) -> double& { return c.energy.static_mw; }));
    t.push_back(double_field(
        "energy.requant_fixed_point_pj", FieldType::kDouble, "pJ", 0, kMaxPj,
        "requantizing one element of an integer layer with postproc.requant fixed_point",
        [](HwConfig& c) -> double& { return c.energy.requant_fixed_point_pj; }));
    t.push_back(
        double_field("energy.requant_float32_pj", FieldType::kDouble, "pJ", 0, kMaxPj,
                     "requantizing one element of an integer layer with postproc.requant float32",
                     [](HwConfig& c) -> double& { return c.energy.requant_float32_pj; }));
    const double kMaxUm2 = 1e9;
    t.push_back(double_field("area.pe_um2.int8", FieldType::kDouble, "um^2", 0, kMaxUm2,
                             "area of one int8 PE (multiplier + accumulator adder)",
                             [](HwConfig& c) -> double& { return c.area.pe_um2[0]; }));
    t.push_back(double_field("area.pe_um2.int4", FieldType::kDouble, "um^2", 0, kMaxUm2,
                             "area of one int8 x int4 PE",
                             [](HwConfig& c) -> double& { return c.area.pe_um2[1]; }));
    t.push_back(double_field("area.pe_um2.bf16", FieldType::kDouble, "um^2", 0, kMaxUm2,
                             "area of one bf16 PE (fp32 accumulate)",
                             [](HwConfig& c) -> double& { return c.area.pe_um2[2]; }));
    t.push_back(double_field("area.pe_um2.fp16", FieldType::kDouble, "um^2", 0, kMaxUm2,
                             "area of one fp16 PE (fp32 accumulate)",
                             [](HwConfig& c) -> double& { return c.area.pe_um2[3]; }));
    t.push_back(double_field("area.pe_um2.fp32", FieldType::kDouble, "um^2", 0, kMaxUm2,
                             "area of one fp32 PE",
                             [](HwConfig& c) -> double& { return c.area.pe_um2[4]; }));
    t.push_back(double_field("area.sram_um2_per_byte", FieldType::kDouble, "um^2/byte", 0, kMaxUm2,
                             "SRAM area per byte (scratchpad and accumulator)",
                             [](HwConfig& c) -> double& { return c.area.sram_um2_per_byte; }));
    t.push_back(
        double_field("area.ppu_lane_um2.fixed_point", FieldType::kDouble, "um^2", 0, kMaxUm2,
                     "area of one post-processing lane with postproc.requant fixed_point",
                     [](HwConfig& c) -> double& { return c.area.ppu_lane_um2_fixed_point; }));
    t.push_back(double_field("area.ppu_lane_um2.float32", FieldType::kDouble, "um^2", 0, kMaxUm2,
                             "area of one post-processing lane with postproc.requant float32",
                             [](HwConfig& c) -> double& { return c.area.ppu_lane_um2_float32; }));
    return t;
}

// Number as the field's own unit writes it: "1GiB", "100GHz", "1024".
std::string format_number(const FieldSpec& f, double v) {
    switch (f.type) {
        case FieldType::kSize:
            return units::format_size(static_cast<uint64_t>(v));
        case FieldType::kFrequency:
            return units::format_frequency(v);
        case FieldType::kBandwidth:
            return units::format_bandwidth(v);
        default:
            return units::format_double(v);
    }
}

std::string kind_text(FieldType type) {
    switch (type) {
        case FieldType::kInt:
            return "an integer";
        case FieldType::kSize:
            return "a size";
        case FieldType::kFrequency:
            return "a frequency";
        case FieldType::kBandwidth:
            return "a bandwidth";
        case FieldType::kDouble:
            return "a number";
        case FieldType::kString:
            return "a string";
        case FieldType::kEnum:
            return "one of";
    }
    return "a value";
}

std::string choices_text(const FieldSpec& f, const char* separator) {
    std::string out;
    for (const auto& c : f.choices) {
        if (!out.empty()) out += separator;
        out += c;
    }
    return out;
}

// "expected an integer from 1 to 1024, found 0"
std::string range_message(const FieldSpec& f, const std::string& found) {
    std::string msg = "expected " + kind_text(f.type);
    if (f.max == kUnbounded) {
        msg += " >= " + format_number(f, f.min);
    } else {
        msg += " from " + format_number(f, f.min) + " to " + format_number(f, f.max);
    }
    return msg + ", found " + found;
}

double numeric_value(const FieldSpec& f, const HwConfig& c) {
    if (f.access.as_int) return f.access.as_int(mut(c));
    if (f.access.as_u64) return static_cast<double>(f.access.as_u64(mut(c)));
    if (f.access.as_double) return f.access.as_double(mut(c));
    if (f.access.get_enum) return f.access.get_enum(c);
    return 0;
}

}  // namespace

const std::vector<FieldSpec>& hw_fields() {
    static const std::vector<FieldSpec> kTable = build_table();
    return kTable;
}

const FieldSpec* find_field(std::string_view key) {
    for (const auto& f : hw_fields()) {
        if (f.key == key) return &f;
    }
    return nullptr;
}

const std::vector<SectionSpec>& hw_sections() {
    static const std::vector<SectionSpec> kSections = {
        {"array", "the systolic MAC array"},
        {"array.cycles_per_mac",
         "array throughput per precision (cycles per MAC; 0: not supported)"},
        {"scratchpad", "int8 operand SRAM (weights, activations, outputs)"},
        {"accumulator", "int32 partial-sum SRAM"},
        {"dma", "DMA engine between DRAM and the SRAMs"},
        {"dram", "off-chip memory (docs/dram.md)"},
        {"dram.timing", "banked DRAM timing in memory-clock cycles (JEDEC names)"},
        {"dram.power", "banked DRAM IDD currents for the energy model (Micron TN-40-07)"},
        {"l2", "shared on-chip L2 cache in front of the DRAM (write-back, write-allocate, LRU)"},
        {"postproc", "requantization unit (int32 -> int8)"},
        {"controller", "instruction dispatch to the load, compute and store engines"},
        {"compiler", "the compiler's choices (not the hardware's)"},
        {"energy", "energy per action: a bundled table name, a path, or an inline mapping"},
        {"area", "silicon area estimate (equal-area comparisons; all 0: none)"},
        {"area.pe_um2", "area of one PE per precision"},
        {"area.ppu_lane_um2", "area of one post-processing lane per postproc.requant arithmetic"},
    };
    return kSections;
}

bool is_section(std::string_view key) {
    for (const auto& s : hw_sections()) {
        if (s.name == key) return true;
    }
    return false;
}

std::string format_field(const FieldSpec& f, const HwConfig& c) {
    switch (f.type) {
        case FieldType::kString:
            return f.access.as_string(mut(c));
        case FieldType::kEnum: {
            int i = f.access.get_enum(c);
            if (i < 0 || i >= static_cast<int>(f.choices.size())) return "?";
            return f.choices[static_cast<size_t>(i)];
        }
        case FieldType::kSize:
            if (f.access.as_u64) return units::format_size(f.access.as_u64(mut(c)));
            // An int size below zero can only come from code; show it rather than wrap it.
            if (f.access.as_int(mut(c)) < 0) return std::to_string(f.access.as_int(mut(c))) + "B";
            return units::format_size(static_cast<uint64_t>(f.access.as_int(mut(c))));
        case FieldType::kInt:
            return std::to_string(f.access.as_int(mut(c)));
        case FieldType::kFrequency:
        case FieldType::kBandwidth:
        case FieldType::kDouble:
            return format_number(f, f.access.as_double(mut(c)));
    }
    return "";
}

std::string expected_text(const FieldSpec& f) {
    switch (f.type) {
        case FieldType::kInt:
            return "an integer";
        case FieldType::kSize:
            return "a size such as 256KiB";
        case FieldType::kFrequency:
            return "a frequency such as 1GHz";
        case FieldType::kBandwidth:
            return "a bandwidth such as 25.6GB/s";
        case FieldType::kDouble:
            return "a number";
        case FieldType::kString:
            return "a string";
        case FieldType::kEnum:
            return "one of " + choices_text(f, ", ");
    }
    return "a value";
}

std::string type_name(FieldType type) {
    switch (type) {
        case FieldType::kInt:
            return "integer";
        case FieldType::kSize:
            return "size";
        case FieldType::kFrequency:
            return "frequency";
        case FieldType::kBandwidth:
            return "bandwidth";
        case FieldType::kDouble:
            return "number";
        case FieldType::kString:
            return "string";
        case FieldType::kEnum:
            return "enum";
    }
    return "?";
}

std::string range_text(const FieldSpec& f) {
    if (f.type == FieldType::kEnum) return choices_text(f, " | ");
    if (f.type == FieldType::kString) return "non-empty";
    if (f.max == kUnbounded) return ">= " + format_number(f, f.min);
    return format_number(f, f.min) + " .. " + format_number(f, f.max);
}

std::optional<std::string> assign_field(const FieldSpec& f, HwConfig& c, std::string_view text) {
    const std::string type_error = "expected " + expected_text(f) + ", found " + in_quotes(text);
    switch (f.type) {
        case FieldType::kString: {
            if (text.empty()) return std::string("expected a non-empty string, found ''");
            // Names end up in reports, CSV and JSON.
            if (!printable_utf8(text)) {
                return "expected printable UTF-8 text, found " + in_quotes(text);
            }
            if (static_cast<double>(text.size()) > f.max) {
                return "expected a string of at most " + units::format_double(f.max) +
                       " characters, found " + std::to_string(text.size());
            }
            f.access.as_string(c) = std::string(text);
            return std::nullopt;
        }
        case FieldType::kEnum: {
            for (size_t i = 0; i < f.choices.size(); ++i) {
                if (f.choices[i] == text) {
                    f.access.set_enum(c, static_cast<int>(i));
                    return std::nullopt;
                }
            }
            return type_error;
        }
        case FieldType::kInt: {
            auto v = units::parse_int(text);
            if (!v) return type_error;
            double d = static_cast<double>(*v);
            if (d < f.min || d > f.max) return range_message(f, std::to_string(*v));
            f.access.as_int(c) = static_cast<int>(*v);
            return std::nullopt;
        }
        case FieldType::kSize: {
            auto v = units::parse_size_bytes(text);
            if (!v) return type_error;
            double d = static_cast<double>(*v);
            if (d < f.min || d > f.max) return range_message(f, units::format_size(*v));
            if (f.access.as_u64) {
                f.access.as_u64(c) = *v;
            } else {
                f.access.as_int(c) = static_cast<int>(*v);
            }
            return std::nullopt;
        }
        case FieldType::kFrequency:
        case FieldType::kBandwidth:
        case FieldType::kDouble: {
            std::optional<double> v;
            if (f.type == FieldType::kFrequency) v = units::parse_frequency_hz(text);
            if (f.type == FieldType::kBandwidth) v = units::parse_bandwidth_bytes_per_s(text);
            if (f.type == FieldType::kDouble) v = units::parse_double(text);
            if (!v) return type_error;
            if (*v < f.min || *v > f.max) return range_message(f, format_number(f, *v));
            f.access.as_double(c) = *v;
            return std::nullopt;
        }
    }
    return type_error;
}

std::optional<std::string> check_field_range(const FieldSpec& f, const HwConfig& c) {
    if (f.type == FieldType::kString) {
        const std::string& s = f.access.as_string(mut(c));
        if (s.empty()) return std::string("expected a non-empty string, found ''");
        if (static_cast<double>(s.size()) > f.max) {
            return "expected a string of at most " + units::format_double(f.max) +
                   " characters, found " + std::to_string(s.size());
        }
        return std::nullopt;
    }
    if (f.type == FieldType::kEnum) {
        int i = f.access.get_enum(c);
        if (i < 0 || i >= static_cast<int>(f.choices.size())) {
            return "expected one of " + choices_text(f, ", ") + ", found enum value " +
                   std::to_string(i);
        }
        return std::nullopt;
    }
    double v = numeric_value(f, c);
    if (std::isnan(v) || v < f.min || v > f.max) return range_message(f, format_field(f, c));
    return std::nullopt;
}

std::vector<std::string> config_differences(const HwConfig& a, const HwConfig& b) {
    std::vector<std::string> out;
    for (const auto& f : hw_fields()) {
        bool same = true;
        if (f.access.as_int) same = f.access.as_int(mut(a)) == f.access.as_int(mut(b));
        if (f.access.as_u64) same = f.access.as_u64(mut(a)) == f.access.as_u64(mut(b));
        if (f.access.as_double) same = f.access.as_double(mut(a)) == f.access.as_double(mut(b));
        if (f.access.as_string) same = f.access.as_string(mut(a)) == f.access.as_string(mut(b));
        if (f.access.get_enum) same = f.access.get_enum(a) == f.access.get_enum(b);
        if (!same) out.push_back(f.key);
    }
    return out;
}

}  // namespace npu::cfg

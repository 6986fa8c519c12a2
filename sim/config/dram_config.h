// The off-chip memory part of the hardware config: plain data, no YAML (the keys are declared in
// config_schema.cc with the rest). Two models share the `dram` section:
//  - simple: a fixed latency plus a bandwidth per channel (models/resources.h, class Dram);
//  - banked: channels, ranks, bank groups, banks, rows and columns with JEDEC timing, an address
//    mapping, open/closed page policy, FR-FCFS with write drain, and refresh
//    (models/mem/dram/, docs/dram.md).
// The banked keys default to the DDR4-3200 preset (configs/dram/ddr4_3200.yaml; a unit test keeps
// the two equal). The simple model ignores them; the banked model ignores `bandwidth` and
// `latency_cycles` (its peak bandwidth and latencies come from the device).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace npu::cfg {

struct HwConfig;

enum class DramModel { kSimple, kBanked };
// open: a row stays open until another row of its bank is needed (or refresh closes it);
// closed: every column command auto-precharges (RDA/WRA).
enum class PagePolicy { kOpen, kClosed };
// all_bank: one REF per rank every tREFI stalls the whole rank for tRFC; per_bank: one REFpb every
// tREFIpb to the next bank in turn stalls that bank for tRFCpb (LPDDR4/5 REFpb, HBM2 REFSB).
enum class RefreshMode { kAllBank, kPerBank, kOff };

[[nodiscard]] const char* to_string(DramModel m);
[[nodiscard]] const char* to_string(PagePolicy p);
[[nodiscard]] const char* to_string(RefreshMode r);

// The fields of a physical address, as written in a mapping string ("RoBaRaCoBgCh").
enum class AddressField { kRow, kBank, kBankGroup, kRank, kColumn, kChannel };
inline constexpr size_t kAddressFieldCount = 6;
// The fields most significant first, or nullopt unless `text` names each field exactly once.
[[nodiscard]] std::optional<std::array<AddressField, kAddressFieldCount>> parse_dram_mapping(
    std::string_view text);

// JEDEC timing in memory-clock cycles (dram.clock). Names as in the standards.
struct DramTiming {
    int tRCD = 22;      // ACT to RD/WR, same bank
    int tRP = 22;       // PRE to ACT, same bank
    int tCL = 22;       // RD to first data (CAS latency, tAA)
    int tCWL = 16;      // WR to first data
    int tRAS = 52;      // ACT to PRE, same bank
    int tRC = 74;       // ACT to ACT, same bank
    int tRRD_S = 4;     // ACT to ACT, different bank group
    int tRRD_L = 8;     // ACT to ACT, same bank group
    int tFAW = 34;      // at most four ACTs per rank in any tFAW window
    int tCCD_S = 4;     // column to column, different bank group
    int tCCD_L = 8;     // column to column, same bank group
    int tWR = 24;       // end of write data to PRE
    int tWTR_S = 4;     // end of write data to RD, different bank group
    int tWTR_L = 12;    // end of write data to RD, same bank group
    int tRTP = 12;      // RD to PRE
    int tBURST = 4;     // data cycles of one burst (burst length / data beats per clock)
    int tRTRS = 2;      // data-bus turnaround: rank to rank, and read to write
    int tREFI = 12480;  // all-bank refresh interval
    int tRFC = 560;     // all-bank refresh duration
    int tREFIpb = 0;    // per-bank refresh interval (0: the device has none)
    int tRFCpb = 0;     // per-bank refresh duration
    int tRREFD = 0;     // per-bank refresh to per-bank refresh, same rank
};

// IDD currents (mA) at `vdd` (V) per device, for Micron's power-calculator method (TN-40-07).
// vdd = 0: no IDD data for this device; energy falls back to energy.dram_pj_per_byte.
struct DramPower {
    double vdd = 1.2;
    double idd0 = 48;    // one bank ACT-PRE cycling at tRC
    double idd2n = 34;   // precharged standby
    double idd3n = 43;   // active standby
    double idd4r = 135;  // burst read
    double idd4w = 123;  // burst write
    double idd5b = 250;  // all-bank refresh burst
    double idd5pb = 0;   // per-bank refresh
};

struct DramConfig {
    DramModel model = DramModel::kSimple;
    // simple model
    double bandwidth_bytes_per_s = 16e9;  // total over all channels
    int latency_cycles = 100;             // NPU cycles from a burst's start to its data
    // both models
    int channels = 1;
    uint64_t size_bytes = 1ull << 30;  // address space the compiler may use
    // banked model: the device (a preset sets all of these)
    std::string name = "ddr4_3200";  // the preset the device keys came from (reports)
    double clock_hz = 1.6e9;         // memory command clock (timing is in these cycles)
    int ranks = 1;
    int bank_groups = 4;
    int banks_per_group = 4;
    int rows = 65536;
    int columns = 1024;         // per row, in units of the bus width
    int bus_width_bits = 64;    // data bus of one channel
    int device_width_bits = 8;  // data pins of one device (bus_width / this = devices per rank)
    int burst_length = 8;       // beats (bus-width units) per column command
    std::string mapping = "RoBaRaCoBgCh";  // address fields, most significant first
    PagePolicy page_policy = PagePolicy::kOpen;
    RefreshMode refresh = RefreshMode::kAllBank;
    // banked model: the controller
    int read_queue = 32;   // read queue entries per channel (one burst each)
    int write_queue = 32;  // write queue entries per channel
    int write_high = 24;   // start draining writes at this many queued writes
    int write_low = 8;     // stop draining at this many (if reads wait)
    DramTiming timing;
    DramPower power;

    [[nodiscard]] int banks_per_rank() const { return bank_groups * banks_per_group; }
    [[nodiscard]] int devices_per_rank() const { return bus_width_bits / device_width_bits; }
    // Bytes of one burst: the access atom every request is split into.
    [[nodiscard]] uint64_t atom_bytes() const {
        return static_cast<uint64_t>(bus_width_bits / 8) * static_cast<uint64_t>(burst_length);
    }
    // Bytes of all channels (the banked address space).
    [[nodiscard]] uint64_t capacity_bytes() const;
    // Peak bandwidth of the banked model: one burst per tBURST on every channel, i.e. data rate
    // (burst_length / tBURST * clock) x bus width x channels.
    [[nodiscard]] double peak_bytes_per_s() const;
    // The device keys (everything a preset sets) back at their defaults; the system keys (model,
    // bandwidth, latency_cycles, size) kept.
    [[nodiscard]] DramConfig with_device_defaults() const;
};

// A banked-DRAM rule broken: the keys it reads (reported at the first) and the message.
struct DramProblem {
    std::vector<std::string> keys;
    std::string message;
};

// The cross-field rules of the dram section (docs/dram.md), all of them: device rules always,
// system rules (channels, size, clocks) when dram.model is banked.
[[nodiscard]] std::vector<DramProblem> dram_problems(const HwConfig& config);

// Keys a preset file may set (the device), without the "dram." prefix.
[[nodiscard]] bool is_dram_preset_key(std::string_view key_without_prefix);

}  // namespace npu::cfg

#include "models/mem/dram/traffic.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

#include "models/mem/dram/banked_dram.h"

namespace npu::dram {

TrafficResult run_traffic(const cfg::DramConfig& config, Pattern pattern, uint64_t requests,
                          uint64_t write_every, uint64_t in_flight, uint64_t seed) {
    BankedDram d(config);
    std::mt19937_64 rng(seed);
    const uint64_t burst = config.atom_bytes();
    const uint64_t bursts = std::min<uint64_t>(config.capacity_bytes(), 16ull << 30) / burst;
    std::vector<Completion> done;
    done.reserve(1024);
    TrafficResult r;
    r.requests = requests;
    uint64_t issued = 0;
    uint64_t completed = 0;
    const auto start = std::chrono::steady_clock::now();
    while (completed < requests) {
        while (issued < requests && issued < completed + in_flight) {
            const uint64_t b = pattern == Pattern::kRandom ? rng() % bursts : issued % bursts;
            const bool write = write_every > 0 && issued % write_every == write_every - 1;
            d.enqueue({issued, b * burst, burst, write, d.now()});
            ++issued;
        }
        d.advance(*d.next_event(), done);
        ++r.advances;
        completed += done.size();
        for (const Completion& c : done) r.cycles = std::max(r.cycles, c.cycle);
        done.clear();
    }
    r.host_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    r.stats = d.total_stats();
    return r;
}

cfg::DramConfig ramulator_ddr3_1600_config() {
    cfg::DramConfig c;
    c.model = cfg::DramModel::kBanked;
    c.name = "ddr3_1600_ramulator";
    c.clock_hz = 800e6;
    c.channels = 1;
    c.ranks = 1;
    c.bank_groups = 1;
    c.banks_per_group = 8;
    c.rows = 32768;  // 2Gb x8: 8 banks x 32K rows x 1K columns x 8 bits
    c.columns = 1024;
    c.bus_width_bits = 64;
    c.device_width_bits = 8;
    c.burst_length = 8;
    c.mapping = "RoBaRaCoBgCh";  // no bank-group or channel bits: RoBaRaCo, row-interleaved
    c.page_policy = cfg::PagePolicy::kOpen;
    c.refresh = cfg::RefreshMode::kAllBank;
    c.read_queue = 32;
    c.write_queue = 32;
    c.write_high = 26;  // Ramulator drains when more than int(0.8 * 32) = 25 writes wait
    c.write_low = 5;    // ... until fewer than int(0.2 * 32) = 6 remain, if reads wait
    cfg::DramTiming& t = c.timing;
    t.tRCD = 11;
    t.tRP = 11;
    t.tCL = 11;
    t.tCWL = 8;
    t.tRAS = 28;
    t.tRC = 39;
    t.tRRD_S = 5;  // x8 (1 KB page): max(4 nCK, 6 ns)
    t.tRRD_L = 5;
    t.tFAW = 24;  // x8: 30 ns
    t.tCCD_S = 4;
    t.tCCD_L = 4;
    t.tWR = 12;
    t.tWTR_S = 6;
    t.tWTR_L = 6;
    t.tRTP = 6;
    t.tBURST = 4;
    t.tRTRS = 2;
    t.tREFI = 6240;
    t.tRFC = 128;  // 2Gb: 160 ns
    t.tREFIpb = 0;
    t.tRFCpb = 0;
    t.tRREFD = 0;
    c.power.vdd = 0;  // energy is not part of the comparison
    c.size_bytes = c.capacity_bytes();
    return c;
}

}  // namespace npu::dram

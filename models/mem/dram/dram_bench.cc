// Micro-benchmark of the banked DRAM model (not a test): requests per second of host time for a
// streaming and a random pattern of one-burst requests (reads:writes 9:1, 64 in flight), driven
// the way the SystemC adapter will drive it (enqueue, advance to next_event()). Also prints the
// comparison with Ramulator's published DDR3-1600 figures (docs/dram.md).
//   build/dram_bench [requests] [preset] [streaming|random]
//   build/dram_bench --ramulator [requests]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "models/mem/dram/traffic.h"
#include "sim/config/config_loader.h"
#include "sim/config/paths.h"
#include "sim/core/error.h"

namespace {

using npu::dram::Pattern;
using npu::dram::TrafficResult;

void print(const char* what, const TrafficResult& r) {
    const double n = static_cast<double>(r.requests);
    std::printf(
        "  %-9s %8.3f s  %10.0f requests/s  %6.3f memory cycles/request  %.2f advance "
        "calls/request  row hits %.1f%%\n",
        what, r.host_seconds, n / r.host_seconds, static_cast<double>(r.cycles) / n,
        static_cast<double>(r.advances) / n, 100.0 * static_cast<double>(r.stats.row_hits) / n);
}

int ramulator(uint64_t n) {
    // Ramulator (IEEE CAL 2015), Table 3: 100M requests, read:write 9:1, DDR3-1600K; simulated
    // cycles (10^6), random / stream: Ramulator 652 / 411, DRAMSim2 645 / 413, USIMM 661 / 409,
    // DrSim 647 / 406, NVMain 666 / 413.
    const auto c = npu::dram::ramulator_ddr3_1600_config();
    std::printf(
        "comparison with Ramulator (IEEE CAL 2015, Table 3): DDR3-1600K, 2 GiB rank, "
        "%llu requests, reads:writes 9:1\n",
        static_cast<unsigned long long>(n));
    const struct {
        Pattern pattern;
        const char* name;
        double published;  // cycles per request
    } cases[] = {{Pattern::kStreaming, "stream", 4.11}, {Pattern::kRandom, "random", 6.52}};
    for (const auto& k : cases) {
        const TrafficResult r = npu::dram::run_traffic(c, k.pattern, n, 10, 64);
        const double ours = static_cast<double>(r.cycles) / static_cast<double>(n);
        std::printf(
            "  %-7s ours %.3f cycles/request, Ramulator %.2f (%+.1f%%); five simulators "
            "%s\n",
            k.name, ours, k.published, 100.0 * (ours / k.published - 1),
            k.pattern == Pattern::kStreaming ? "4.06-4.13" : "6.45-6.66");
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) try {
    npu::cfg::set_data_dir(NPUSIM_SOURCE_DIR);
    if (argc > 1 && std::string(argv[1]) == "--ramulator") {
        return ramulator(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000000);
    }
    const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    npu::cfg::DramConfig c;  // DDR4-3200
    if (argc > 2) {
        c = npu::cfg::load_hw_config_from_string(
                std::string("dram: {model: banked, size: 256MiB, preset: ") + argv[2] + "}",
                "bench", {})
                .dram;
    }
    c.model = npu::cfg::DramModel::kBanked;
    std::printf(
        "banked DRAM micro-benchmark: %s, %d channel(s), %llu requests of one %llu-byte "
        "burst, reads:writes 9:1, 64 in flight\n",
        c.name.c_str(), c.channels, static_cast<unsigned long long>(n),
        static_cast<unsigned long long>(c.atom_bytes()));
    const std::string only = argc > 3 ? argv[3] : "";
    for (Pattern p : {Pattern::kStreaming, Pattern::kRandom}) {
        const char* name = p == Pattern::kStreaming ? "streaming" : "random";
        if (!only.empty() && only != name) continue;
        print(name, npu::dram::run_traffic(c, p, n, 10, 64));
    }
    return 0;
} catch (const npu::UserError& e) {
    for (const auto& d : e.diagnostics())
        std::fprintf(stderr, "error: %s\n", d.to_string().c_str());
    return 2;
}

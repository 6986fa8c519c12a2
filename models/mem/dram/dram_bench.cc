// Micro-benchmark of the banked DRAM model (not a test): requests per second of host time for a
// streaming and a random pattern of 64-byte requests, driven the way the SystemC adapter will
// drive it (enqueue as the queue drains, advance to next_event()).
//   build/dram_bench [requests] [preset] [streaming|random]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "models/mem/dram/banked_dram.h"
#include "sim/config/config_loader.h"
#include "sim/config/paths.h"
#include "sim/core/error.h"

namespace {

using npu::dram::BankedDram;
using npu::dram::Completion;

struct Result {
    double seconds;
    uint64_t cycles;
    uint64_t events;
};

Result run(const npu::cfg::DramConfig& c, uint64_t n, bool random, uint64_t window) {
    BankedDram d(c);
    std::mt19937_64 rng(1);
    const uint64_t span = std::min<uint64_t>(c.capacity_bytes(), 1ull << 34) / 64;
    std::vector<Completion> done;
    done.reserve(1024);
    uint64_t issued = 0;
    uint64_t completed = 0;
    uint64_t events = 0;
    const auto start = std::chrono::steady_clock::now();
    while (completed < n) {
        while (issued < n && issued < completed + window) {
            const uint64_t burst = random ? rng() % span : issued % span;
            d.enqueue({issued, burst * 64, 64, (issued % 10) == 9, d.now()});
            ++issued;
        }
        d.advance(*d.next_event(), done);
        ++events;
        completed += done.size();
        done.clear();
    }
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {s, d.now(), events};
}

}  // namespace

int main(int argc, char** argv) try {
    npu::cfg::set_data_dir(NPUSIM_SOURCE_DIR);
    const uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
    npu::cfg::DramConfig c;  // DDR4-3200
    if (argc > 2) c = npu::cfg::load_hw_config_from_string(
                          std::string("dram: {model: banked, preset: ") + argv[2] + "}",
                          "bench", {})
                          .dram;
    c.model = npu::cfg::DramModel::kBanked;
    std::printf("banked DRAM micro-benchmark: %s, %d channel(s), %llu requests of 64 B, "
                "reads:writes 9:1, 64 requests in flight\n",
                c.name.c_str(), c.channels, static_cast<unsigned long long>(n));
    const std::string only = argc > 3 ? argv[3] : "";
    for (bool random : {false, true}) {
        if (!only.empty() && only != (random ? "random" : "streaming")) continue;
        const Result r = run(c, n, random, 64);
        std::printf("  %-9s %8.3f s  %10.0f requests/s  %6.2f memory cycles/request  %.2f "
                    "advance calls/request\n",
                    random ? "random" : "streaming", r.seconds, static_cast<double>(n) / r.seconds,
                    static_cast<double>(r.cycles) / static_cast<double>(n),
                    static_cast<double>(r.events) / static_cast<double>(n));
    }
    return 0;
} catch (const npu::UserError& e) {
    for (const auto& d : e.diagnostics()) std::fprintf(stderr, "error: %s\n", d.to_string().c_str());
    return 2;
}

// BankedDram::enqueue()'s column run (banked_dram.h): a request of several bursts that differ
// only in their column (the column field lies right above the byte-in-burst bits and the
// request's first and last bursts agree above it) has its other fields decoded once and its
// column counted up. Its bursts must reach the channels exactly as the same bursts enqueued one
// by one (each a request of one burst, decoded whole): the same commands at the same cycles.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "models/mem/dram/banked_dram.h"
#include "sim/config/config_loader.h"
#include "sim/config/hw_config.h"
#include "sim/config/paths.h"

namespace npu::dram {
namespace {

struct Req {
    uint64_t addr;
    uint64_t bytes;
    bool write;
    uint64_t arrival;
};

// Runs `reqs` through a model, whole (split = false) or burst by burst, to the end; returns the
// commands of every channel, one list after the other.
std::vector<CommandRecord> commands(const cfg::DramConfig& c, const std::vector<Req>& reqs,
                                    bool split) {
    BankedDram model(c);
    std::vector<std::vector<CommandRecord>> traces(static_cast<size_t>(c.channels));
    for (int ch = 0; ch < c.channels; ++ch) model.set_trace(ch, &traces[static_cast<size_t>(ch)]);
    std::vector<Completion> done;
    const uint64_t burst = model.address_map().burst_bytes();
    uint64_t id = 0;
    for (const Req& r : reqs) {
        if (r.arrival > model.now()) model.advance(r.arrival, done);
        if (!split) {
            model.enqueue(Request{id++, r.addr, r.bytes, r.write, r.arrival});
            continue;
        }
        for (uint64_t b = r.addr / burst; b <= (r.addr + r.bytes - 1) / burst; ++b) {
            model.enqueue(Request{id++, b * burst, burst, r.write, r.arrival});
        }
    }
    while (const auto e = model.next_event()) model.advance(*e, done);
    std::vector<CommandRecord> all;
    for (const auto& t : traces) all.insert(all.end(), t.begin(), t.end());
    return all;
}

TEST(BankedDramRun, BurstsOfOneColumnRunReachTheChannelsAsWhenEnqueuedOneByOne) {
    cfg::set_data_dir(NPUSIM_SOURCE_DIR);
    std::mt19937_64 rng(32);
    // Column lowest (the run): DDR3 (no bank groups, one channel), DDR4 with the column below
    // the bank group and two channels above it; column not lowest (every burst decoded): DDR4's
    // own mapping (bank group lowest), LPDDR4's (channel lowest).
    const char* cases[] = {
        "preset: ddr3_1600, channels: 1",
        "preset: ddr4_3200, channels: 2, mapping: RoBaRaChBgCo",
        "preset: ddr4_3200, channels: 1",
        "preset: lpddr4_4266",
    };
    uint64_t multi = 0;
    for (const char* dram : cases) {
        SCOPED_TRACE(dram);
        const cfg::HwConfig hw = cfg::load_hw_config_from_string(
            "dram: {model: banked, size: 64MiB, " + std::string(dram) + "}", "test.yaml", {});
        const cfg::DramConfig& c = hw.dram;
        const uint64_t burst = BankedDram(c).address_map().burst_bytes();
        const uint64_t columns = static_cast<uint64_t>(c.columns / c.burst_length);
        std::vector<Req> reqs;
        uint64_t t = 0;
        for (int i = 0; i < 600; ++i) {
            // Mostly streams through a few rows (runs that stay within a row and runs that
            // cross into the next), with some jumps; one to five bursts, any alignment.
            const uint64_t base =
                std::uniform_int_distribution<uint64_t>(0, 7)(rng) * columns * burst * 4;
            const uint64_t addr =
                base + std::uniform_int_distribution<uint64_t>(0, 3 * columns * burst)(rng);
            const uint64_t bytes = std::uniform_int_distribution<uint64_t>(1, 5 * burst)(rng);
            t += std::uniform_int_distribution<uint64_t>(0, 3)(rng);
            reqs.push_back(Req{addr, bytes, std::uniform_int_distribution<int>(0, 3)(rng) == 0, t});
            if (addr / burst != (addr + bytes - 1) / burst) ++multi;
        }
        const std::vector<CommandRecord> whole = commands(c, reqs, false);
        const std::vector<CommandRecord> split = commands(c, reqs, true);
        ASSERT_FALSE(whole.empty());
        EXPECT_TRUE(whole == split);
    }
    EXPECT_GT(multi, 1000u);
}

}  // namespace
}  // namespace npu::dram

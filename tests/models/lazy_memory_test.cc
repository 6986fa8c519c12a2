// Memory is allocated where a run writes, not where it maps: the DRAM image allocates a page on
// its first write and reads untouched bytes as zeros; the scratchpad and accumulator contents
// are zero pages from the OS. A functional run with a 4 GiB accumulator stays small. (Own
// executable: the peak resident size it checks is this process's.)
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <vector>

#include "models/mem/memory_image.h"
#include "sim/config/config_loader.h"
#include "sim/core/error.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/ptq.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

constexpr uint64_t kGiB = uint64_t{1} << 30;

TEST(MemoryImage, APageIsAllocatedOnItsFirstWriteAndUntouchedBytesReadAsZeros) {
    model::MemoryImage image;
    image.map(kGiB, 4 * kGiB);
    std::vector<uint8_t> buf(100, 0xff);
    image.read(kGiB + 3 * kGiB, buf.data(), buf.size(), "test");
    EXPECT_EQ(buf, std::vector<uint8_t>(100, 0));
    EXPECT_EQ(image.touched_pages(), 0u);  // reading allocates nothing
    // 100 bytes across the boundary between the first and second page.
    const uint64_t at = kGiB + model::MemoryImage::kPageBytes - 50;
    std::vector<uint8_t> data(100);
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i + 1);
    image.write(at, data.data(), data.size(), "test");
    EXPECT_EQ(image.touched_pages(), 2u);
    std::vector<uint8_t> back(120, 0xff);
    image.read(at - 10, back.data(), back.size(), "test");
    for (size_t i = 0; i < back.size(); ++i) {
        const uint8_t want = i < 10 || i >= 110 ? 0 : static_cast<uint8_t>(i - 10 + 1);
        ASSERT_EQ(back[i], want) << i;
    }
    image.write(at + 1, data.data(), 10, "test");  // pages already there
    EXPECT_EQ(image.touched_pages(), 2u);
    try {
        image.read(5 * kGiB - 10, buf.data(), 20, "dram");
        FAIL() << "expected a ModelError";
    } catch (const ModelError& e) {
        EXPECT_STREQ(e.what(),
                     "internal model error in dram at cycle 0: functional access [5368709110, "
                     "5368709130) outside the mapped DRAM image");
    }
}

TEST(LazyMemory, AFunctionalRunWithA4GiBAccumulatorAndScratchpadStaysSmall) {
    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, {"accumulator.size=4GiB", "scratchpad.size=4GiB"});
    const graph::Workload wl =
        quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) + "/workloads/tiny_resnet.yaml");
    const run::RunResult r = run::simulate(hw, wl, {});
    for (const auto& l : r.stats.layers) EXPECT_TRUE(l.bit_exact) << l.name;
    // Filled with zeros, the two memories alone would make the process 8 GiB.
    rusage usage{};
    ASSERT_EQ(getrusage(RUSAGE_SELF, &usage), 0);
    const uint64_t peak_bytes = uint64_t(usage.ru_maxrss) * 1024;
    EXPECT_LT(peak_bytes, kGiB / 2) << "peak resident size " << peak_bytes;
}

}  // namespace
}  // namespace npu

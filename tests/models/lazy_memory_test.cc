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

TEST(MemoryImage, BackingSpansAreReadInPlaceAndCopiedOnWrite) {
    using model::MemoryImage;
    MemoryImage image;
    image.map(kGiB, 4 * MemoryImage::kPageBytes);
    // Two spans: one across the first page boundary, one inside the third page.
    std::vector<uint8_t> a(300), b(40);
    for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint8_t>(i * 7 + 1);
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(200 + i);
    const uint64_t a_at = kGiB + MemoryImage::kPageBytes - 100;
    const uint64_t b_at = kGiB + 2 * MemoryImage::kPageBytes + 5;
    image.back(b_at, b.data(), b.size());  // any order
    image.back(a_at, a.data(), a.size());
    const std::vector<uint8_t> a0 = a, b0 = b;
    const auto expect = [&](uint64_t addr) -> uint8_t {
        if (addr >= a_at && addr < a_at + a0.size()) return a0[addr - a_at];
        if (addr >= b_at && addr < b_at + b0.size()) return b0[addr - b_at];
        return 0;
    };
    const auto check_all = [&](const char* when) {
        std::vector<uint8_t> got(4 * MemoryImage::kPageBytes, 0xee);
        image.read(kGiB, got.data(), got.size(), "test");
        for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], expect(kGiB + i)) << when << i;
    };
    check_all("before any write: ");
    EXPECT_EQ(image.touched_pages(), 0u);  // reading the backing allocates nothing
    // A write into the second page copies its initial bytes (the tail of span a) around it; the
    // backing itself never changes.
    const std::vector<uint8_t> w(10, 0x55);
    const uint64_t w_at = kGiB + MemoryImage::kPageBytes + 150;  // a ends at page + 200
    image.write(w_at, w.data(), w.size(), "test");
    EXPECT_EQ(image.touched_pages(), 1u);
    EXPECT_EQ(a, a0);
    for (size_t i = 0; i < w.size(); ++i) a[size_t(w_at - a_at) + i] = 0x55;  // what to expect
    std::vector<uint8_t> got(a.size());
    image.read(a_at, got.data(), got.size(), "test");
    EXPECT_EQ(got, a);
    a = a0;
    // Writing into the third page keeps span b's bytes the write does not cover.
    image.write(b_at + 10, w.data(), 2, "test");
    std::vector<uint8_t> got_b(b.size());
    image.read(b_at, got_b.data(), got_b.size(), "test");
    std::vector<uint8_t> want_b = b0;
    want_b[10] = want_b[11] = 0x55;
    EXPECT_EQ(got_b, want_b);
    EXPECT_EQ(b, b0);
    EXPECT_EQ(image.touched_pages(), 2u);
    try {
        image.back(a_at + 299, b.data(), 2);
        FAIL() << "expected a ModelError";
    } catch (const ModelError& e) {
        EXPECT_STREQ(e.what(),
                     "internal model error in memory image at cycle 0: backing [1073807559, "
                     "1073807561) overlaps another backing span");
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

#include "sim/cli/progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace npu::cli {
namespace {

using namespace std::chrono_literals;

TEST(Progress, FormatsDoneTotalRateAndEta) {
    // 3 of 10 in 12 s: 0.25 points/s, 7 left -> 28 s.
    EXPECT_EQ(Progress::format_line("sweep", "points", 3, 10, 12.0, "1 failed"),
              "sweep 3/10 points (30%)  0:12 elapsed  0.25 points/s  ETA 0:28  1 failed");
    // Nothing done yet: no rate, unknown ETA.
    EXPECT_EQ(Progress::format_line("run", "layers", 0, 31, 0.5, ""),
              "run 0/31 layers (0%)  0:01 elapsed  ETA --");
    // Finished: no ETA; rates of 10 and more without decimals.
    EXPECT_EQ(Progress::format_line("run", "layers", 31, 31, 2.0, "1,234 cycles"),
              "run 31/31 layers (100%)  0:02 elapsed  16 layers/s  1,234 cycles");
}

TEST(Progress, Durations) {
    EXPECT_EQ(Progress::format_duration(0), "0:00");
    EXPECT_EQ(Progress::format_duration(59.4), "0:59");
    EXPECT_EQ(Progress::format_duration(61), "1:01");
    EXPECT_EQ(Progress::format_duration(3600 + 62), "1:01:02");
}

// A clock the test moves by hand.
struct FakeClock {
    Progress::Clock::time_point t{};
    std::function<Progress::Clock::time_point()> fn() {
        return [this] { return t; };
    }
};

TEST(Progress, DrawsOnOneLineThrottledAndClears) {
    std::ostringstream out;
    FakeClock clk;
    {
        Progress p(out, true, "sweep", "points", 4, clk.fn());
        p.update(0);
        EXPECT_EQ(out.str(), "\rsweep 0/4 points (0%)  0:00 elapsed  ETA --");
        clk.t += 50ms;
        p.update(1);  // 50 ms after the last draw: skipped
        EXPECT_EQ(out.str(), "\rsweep 0/4 points (0%)  0:00 elapsed  ETA --");
        clk.t += 1950ms;
        out.str("");
        p.update(2);  // 2 s: drawn; 1 point/s, 2 left
        const std::string line = "sweep 2/4 points (50%)  0:02 elapsed  1.00 points/s  ETA 0:02";
        EXPECT_EQ(out.str(), "\r" + line);
        out.str("");
        p.update(2, "", true);  // forced: drawn at once
        EXPECT_FALSE(out.str().empty());
        out.str("");
        p.clear();  // spaces over the line, cursor back to its start
        EXPECT_EQ(out.str(), "\r" + std::string(line.size(), ' ') + "\r");
        out.str("");
    }
    EXPECT_EQ(out.str(), "");  // nothing left to erase
}

TEST(Progress, ShorterLinePadsOverTheLongerOne) {
    std::ostringstream out;
    FakeClock clk;
    Progress p(out, true, "run", "layers", 2, clk.fn());
    p.update(0, "1,000,000 cycles");
    const size_t first = out.str().size() - 1;  // without the '\r'
    out.str("");
    p.update(0, "", true);
    const std::string second = out.str();
    EXPECT_EQ(second.size() - 1, first);  // padded to the previous length
    EXPECT_EQ(second.back(), ' ');
}

TEST(Progress, DisabledWritesNothing) {
    std::ostringstream out;
    FakeClock clk;
    {
        Progress p(out, false, "sweep", "points", 4, clk.fn());
        p.update(1, "", true);
        p.clear();
    }
    EXPECT_EQ(out.str(), "");
}

TEST(Progress, WaitsBeforeTheFirstDrawWhenAsked) {
    std::ostringstream out;
    FakeClock clk;
    Progress p(out, true, "run", "layers", 8, clk.fn());
    p.show_after(1s);
    p.update(1, "", true);
    EXPECT_EQ(out.str(), "");
    clk.t += 1s;
    p.update(2);
    EXPECT_EQ(out.str(), "\rrun 2/8 layers (25%)  0:01 elapsed  2.00 layers/s  ETA 0:03");
}

}  // namespace
}  // namespace npu::cli

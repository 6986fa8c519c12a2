// PortCalendar (models/mem/port_calendar.h) against a plain reference: a bitmap of the reserved
// cycles of every port, searched cycle by cycle. Random reservations and fits on 1-3 ports
// (back-to-back streams, gaps filled later, reservations touching on both sides, zero-length
// ones) with old reservations forgotten as time moves on: every answer must be equal.
#include "models/mem/port_calendar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace npu {
namespace {

// Every cycle of every port, reserved or not.
class BitmapPorts {
  public:
    explicit BitmapPorts(int ports) : m_busy(static_cast<size_t>(ports)) {}
    // First t >= earliest with [t, t + cycles) free on `port` (0 cycles: as 1, a free cycle).
    uint64_t fit(size_t port, uint64_t earliest, uint64_t cycles) const {
        cycles = std::max<uint64_t>(cycles, 1);
        for (uint64_t t = earliest;; ++t) {
            bool free = true;
            for (uint64_t c = t; c < t + cycles && free; ++c) free = !busy(port, c);
            if (free) return t;
        }
    }
    uint64_t first_fit(uint64_t earliest, uint64_t cycles) const {
        uint64_t best = UINT64_MAX;
        for (size_t p = 0; p < m_busy.size(); ++p) best = std::min(best, fit(p, earliest, cycles));
        return best;
    }
    // The first port with the earliest fit takes it.
    uint64_t reserve(uint64_t earliest, uint64_t cycles) {
        size_t port = 0;
        uint64_t best = UINT64_MAX;
        for (size_t p = 0; p < m_busy.size(); ++p) {
            const uint64_t t = fit(p, earliest, cycles);
            if (t < best) {
                best = t;
                port = p;
            }
        }
        auto& b = m_busy[port];
        if (b.size() < best + cycles) b.resize(best + cycles, false);
        for (uint64_t c = best; c < best + cycles; ++c) b[c] = true;
        return best;
    }

  private:
    bool busy(size_t port, uint64_t c) const { return c < m_busy[port].size() && m_busy[port][c]; }
    std::vector<std::vector<bool>> m_busy;
};

TEST(PortCalendar, EqualsACycleByCycleBitmapOnRandomReservations) {
    std::mt19937_64 rng(12);
    auto pick = [&](uint64_t lo, uint64_t hi) {
        return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
    };
    uint64_t touching = 0;  // reservations that started where another ended (the joined case)
    for (int round = 0; round < 300; ++round) {
        const int ports = static_cast<int>(pick(1, 3));
        model::PortCalendar cal(ports);
        BitmapPorts ref(ports);
        uint64_t now = 0;
        uint64_t stream = 0;  // where a back-to-back stream goes on
        for (int i = 0; i < 400; ++i) {
            const uint64_t kind = pick(0, 9);
            if (kind == 0) {  // time moves on: old reservations may be forgotten
                now += pick(0, 40);
                cal.prune(now);
                continue;
            }
            const uint64_t cycles = pick(0, 6) == 0 ? 0 : pick(1, 24);
            // A stream's next burst, an early request that fills a gap, or any cycle ahead.
            const uint64_t earliest = kind <= 4   ? std::max(now, stream)
                                      : kind <= 6 ? now + pick(0, 10)
                                                  : now + pick(0, 300);
            if (kind == 9) {
                ASSERT_EQ(cal.first_fit(earliest, cycles), ref.first_fit(earliest, cycles))
                    << "round " << round << " step " << i << " earliest " << earliest << " cycles "
                    << cycles << " ports " << ports << " now " << now;
                continue;
            }
            if (ref.first_fit(earliest, cycles) == earliest && earliest == stream) ++touching;
            const uint64_t t = ref.reserve(earliest, cycles);
            ASSERT_EQ(cal.reserve(earliest, cycles), t) << "round " << round << " step " << i;
            if (kind <= 4) stream = t + cycles;
        }
    }
    EXPECT_GT(touching, 10000u);  // the joined case was exercised
}

// A run of equal requests after free_beyond_tails (Dma's runs of bursts): append() at the first
// port with the least max(earliest, tail) and append_series() give what reserve() gives, one by
// one, on calendars with gaps, future reservations and several ports.
TEST(PortCalendar, AppendAfterFreeBeyondTailsEqualsReserve) {
    std::mt19937_64 rng(21);
    auto pick = [&](uint64_t lo, uint64_t hi) {
        return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
    };
    uint64_t runs = 0, refused = 0, series = 0;
    for (int round = 0; round < 3000; ++round) {
        const int ports = static_cast<int>(pick(1, 3));
        model::PortCalendar cal(ports);
        BitmapPorts ref(ports);
        uint64_t now = 0;
        for (int i = 0; i < 40; ++i) {  // some past and future reservations
            now += pick(0, 6);
            cal.prune(now);
            const uint64_t e = now + pick(0, 60);
            const uint64_t c = pick(1, 12);
            ASSERT_EQ(cal.reserve(e, c), ref.reserve(e, c));
        }
        const uint64_t cycles = pick(1, 8);
        uint64_t e = now + pick(0, 80);
        if (!cal.free_beyond_tails(e, cycles)) {
            ++refused;
            continue;
        }
        ++runs;
        if (ports == 1 && pick(0, 1) == 0) {  // a series: first, first + step, ...
            ++series;
            const uint64_t first = std::max(e, cal.tail(0));
            const uint64_t step = cycles + pick(0, 3);
            const uint64_t n = pick(1, 30);
            for (uint64_t k = 0; k < n; ++k) {
                ASSERT_EQ(ref.reserve(first + k * step, cycles), first + k * step) << round;
            }
            cal.append_series(0, first, step, cycles, n);
        } else {
            for (int k = 0; k < 30; ++k) {
                size_t port = 0;
                uint64_t start = std::max(e, cal.tail(0));
                for (size_t p = 1; p < cal.ports(); ++p) {
                    if (std::max(e, cal.tail(p)) < start) {
                        start = std::max(e, cal.tail(p));
                        port = p;
                    }
                }
                ASSERT_EQ(ref.reserve(e, cycles), start) << round << " " << k;
                cal.append(port, start, cycles);
                e += pick(0, 2 * cycles);  // the run's earliest cycles never go back
            }
        }
        // The calendar holds the same reservations as the reference: every fit agrees.
        for (int k = 0; k < 50; ++k) {
            const uint64_t at = now + pick(0, 400);
            const uint64_t c = pick(0, 10);
            ASSERT_EQ(cal.first_fit(at, c), ref.first_fit(at, c)) << round << " " << k;
        }
    }
    EXPECT_GT(runs, 1000u);
    EXPECT_GT(refused, 100u);  // calendars with a gap that fits: not a run
    EXPECT_GT(series, 300u);
}

}  // namespace
}  // namespace npu

#include "models/mem/banked_sram.h"

#include <sys/mman.h>

#include <algorithm>
#include <string>

#include "sim/core/error.h"

namespace npu::model {
namespace {

// The geometry BankedSram relies on (the config validator refuses anything else; this catches a
// caller that built a config without it): banks of equal size, each a whole number of rows, and
// every address within 32 bits.
uint64_t checked_bank_size(const std::string& name, const cfg::SramConfig& cfg) {
    const auto fail = [&](const std::string& what) -> uint64_t {
        throw ModelError(name, 0, -1,
                         "invalid SRAM geometry (" + std::to_string(cfg.size_bytes) + " bytes, " +
                             std::to_string(cfg.banks) + " banks of " +
                             std::to_string(cfg.bank_width_bytes) + "-byte rows, " +
                             std::to_string(cfg.ports) + " ports): " + what);
    };
    if (cfg.banks < 1 || cfg.bank_width_bytes < 1 || cfg.ports < 1) {
        return fail("a count below 1");
    }
    if (cfg.size_bytes == 0 || cfg.size_bytes > (uint64_t{1} << 32)) {
        return fail("size outside 1B .. 4GiB");
    }
    const auto b = static_cast<uint64_t>(cfg.banks);
    if (cfg.size_bytes % b != 0) return fail("size is not a multiple of the bank count");
    if ((cfg.size_bytes / b) % static_cast<uint64_t>(cfg.bank_width_bytes) != 0) {
        return fail("the bank size is not a multiple of the row width");
    }
    return cfg.size_bytes / b;
}

}  // namespace

BankedSram::BankedSram(std::string name, const cfg::SramConfig& cfg, bool functional,
                       stats::StatGroup& stats, std::function<uint64_t()> now)
    : m_name(std::move(name)),
      m_size(cfg.size_bytes),
      m_bank_size(checked_bank_size(m_name, cfg)),
      m_bank_width(cfg.bank_width_bytes),
      m_banks(static_cast<size_t>(cfg.banks), PortCalendar(cfg.ports)),
      m_now(std::move(now)),
      m_bytes_read(stats.stat("bytes_read", "bytes read", "bytes")),
      m_bytes_written(stats.stat("bytes_written", "bytes written", "bytes")),
      m_conflicts(stats.stat("conflicts",
                             "requests (DMA bursts, array tiles, vector and post-processing "
                             "passes) that could not start when they asked, for a busy bank port",
                             "count")),
      m_conflict_cycles(stats.stat("conflict_cycles", "cycles those requests waited", "cycles")) {
    if (functional) {
        // Anonymous private pages read as zeros and take memory on their first write.
        void* p = mmap(nullptr, cfg.size_bytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            throw ModelError(m_name, 0, -1,
                             "cannot reserve " + std::to_string(cfg.size_bytes) +
                                 " bytes of address space for the " + m_name + "'s contents");
        }
        m_data = std::unique_ptr<uint8_t, UnmapPages>(static_cast<uint8_t*>(p),
                                                      UnmapPages{cfg.size_bytes});
    }
    m_bank_stats.reserve(m_banks.size());
    for (size_t b = 0; b < m_banks.size(); ++b) {
        stats::StatGroup& g = stats.group("bank" + std::to_string(b));
        m_bank_stats.push_back(
            {&g.stat("busy_cycles", "port cycles reserved on this bank", "cycles"),
             &g.stat("conflicts",
                     "requests that found no free port on this bank at the cycle they asked for",
                     "count"),
             &g.stat("conflict_cycles", "cycles this bank alone delayed those requests",
                     "cycles")});
    }
}

void UnmapPages::operator()(uint8_t* p) const { munmap(p, bytes); }

void BankedSram::check_range(uint64_t addr, uint64_t len, const char* what) const {
    if (addr + len > m_size) {
        throw ModelError(what, 0, -1,
                         "access [" + std::to_string(addr) + ", " + std::to_string(addr + len) +
                             ") outside the " + std::to_string(m_size) + "-byte " + m_name);
    }
}

void BankedSram::prune(uint64_t first_bank, uint64_t last) {
    if (!m_now) return;
    const uint64_t now = m_now();
    for (uint64_t b = first_bank; b <= last; ++b) m_banks[b].prune(now);
}

uint64_t BankedSram::reserve_across_banks(uint32_t addr, uint32_t len, uint64_t earliest, Dir dir,
                                          size_t layer) {
    uint64_t done = earliest;
    uint64_t a = addr;
    const uint64_t end = uint64_t{addr} + len;
    uint64_t waited = 0;
    while (a < end) {
        const uint64_t bank = a / m_bank_size;
        const uint64_t seg_end = std::min(end, (bank + 1) * m_bank_size);
        uint64_t cycles = 0;
        const uint64_t start = reserve_in_bank(bank, seg_end - a, earliest, layer, cycles);
        waited = std::max(waited, start - earliest);
        done = std::max(done, start + cycles);
        a = seg_end;
    }
    if (waited > 0) {
        count_conflict(layer, waited);
        if (m_limiters != nullptr) {
            m_limiters->add(layer, stats::Limiter::kBankConflict, earliest, earliest + waited);
        }
    }
    (dir == Dir::kRead ? m_bytes_read : m_bytes_written).add(layer, len);
    return done;
}

uint64_t BankedSram::window_fit_banks(uint64_t first, uint64_t last, uint64_t begin,
                                      uint64_t cycles) const {
    // Every bank must be free over the same window: go round the banks, moving t, until every
    // bank in a row agrees. (Each bank's first fit is monotone in t and never before it, so t
    // never passes the earliest common start and stops at it.)
    const uint64_t banks = last - first + 1;
    uint64_t t = begin;
    uint64_t b = first;
    for (uint64_t agreed = 0; agreed < banks; b = b == last ? first : b + 1) {
        const uint64_t fit = m_banks[b].first_fit(t, cycles);
        if (fit > t) {
            t = fit;
            agreed = 1;
        } else {
            ++agreed;
        }
    }
    return t;
}

void BankedSram::occupy(uint32_t addr, uint32_t len, uint64_t begin, uint64_t cycles, size_t layer,
                        uint64_t asked) {
    const uint64_t first = addr / m_bank_size;
    const uint64_t last = last_bank(addr, len);
    prune(first, last);
    for (uint64_t b = first; b <= last; ++b) {
        const BankStats& bs = m_bank_stats[b];
        if (begin > asked) {
            const uint64_t wait = m_banks[b].first_fit(asked, cycles) - asked;
            if (wait > 0) {
                bs.conflicts->add(layer, 1);
                bs.conflict_cycles->add(layer, wait);
            }
        }
        m_banks[b].reserve(begin, cycles);
        bs.busy_cycles->add(layer, cycles);
    }
}

}  // namespace npu::model

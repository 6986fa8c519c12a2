#include "models/dma.h"

#include <algorithm>
#include <cstring>

#include "sim/core/error.h"

namespace npu::model {

Dma::Dma(const cfg::DmaConfig& cfg, Dram& dram, BankedSram& spad, Advance advance)
    : m_cfg(cfg),
      m_dram(dram),
      m_spad(spad),
      m_advance(std::move(advance)),
      m_channels(static_cast<size_t>(cfg.channels)) {}

Dma::Result Dma::load(const isa::Transfer& x, uint64_t now, stats::Counters& c) {
    return run(x, now, true, c);
}

Dma::Result Dma::store(const isa::Transfer& x, uint64_t now, stats::Counters& c) {
    return run(x, now, false, c);
}

Dma::Result Dma::run(const isa::Transfer& xfer, uint64_t now, bool to_sram, stats::Counters& c) {
    // Rows that are contiguous on both sides are one stream of bursts.
    isa::Transfer x = xfer;
    if (x.rows > 1 && x.dram_stride == x.row_bytes && x.sram_stride == x.row_bytes) {
        x.row_bytes *= x.rows;
        x.rows = 1;
    }
    m_spad.check_range(
        x.sram_addr, uint64_t{x.rows - (x.rows ? 1 : 0)} * x.sram_stride + x.row_bytes, "npu.dma");
    // The idle channel that can issue first.
    Channel* pick = nullptr;
    for (Channel& c2 : m_channels) {
        if (!c2.busy && (pick == nullptr || c2.next_issue < pick->next_issue)) pick = &c2;
    }
    if (pick == nullptr) throw ModelError("npu.dma", now, -1, "more transfers than DMA channels");
    Channel& ch = *pick;
    if (x.dram_addr >= isa::kOnChipBase) {
        m_spad.check_range(static_cast<uint32_t>(x.dram_addr - isa::kOnChipBase),
                           uint64_t{x.rows - (x.rows ? 1 : 0)} * x.dram_stride + x.row_bytes,
                           "npu.dma");
    }
    ch.busy = true;
    uint64_t t = std::max(now, ch.next_issue) + static_cast<uint64_t>(m_cfg.setup_cycles);
    Result r;
    r.complete = t;
    r.sram_done = t;
    const uint64_t burst = static_cast<uint64_t>(m_cfg.burst_bytes);
    const size_t outstanding = static_cast<size_t>(m_cfg.outstanding);
    ++c.dma_descriptors;
    for (uint32_t row = 0; row < x.rows; ++row) {
        uint64_t dram = x.dram_addr + uint64_t{row} * x.dram_stride;
        uint32_t sram = x.sram_addr + row * x.sram_stride;
        uint64_t left = x.row_bytes;
        while (left > 0) {
            const uint32_t len = static_cast<uint32_t>(std::min(left, burst - dram % burst));
            // Issue: one burst per cycle, and only when a slot among `outstanding` is free.
            while (!ch.in_flight.empty() && ch.in_flight.top() <= t) ch.in_flight.pop();
            if (ch.in_flight.size() >= outstanding) {
                t = std::max(t, ch.in_flight.top());
                ch.in_flight.pop();
            }
            const uint64_t issue = t;
            t = issue + 1;
            if (m_advance) m_advance(issue);
            uint64_t done = 0;
            // The far side is DRAM, or the scratchpad itself through the on-chip window.
            const bool onchip = dram >= isa::kOnChipBase;
            const uint32_t far = static_cast<uint32_t>(dram - isa::kOnChipBase);
            if (to_sram) {
                uint64_t ready = 0;
                if (onchip) {
                    ready = m_spad.access(far, len, issue, &c.spad_bank_conflicts,
                                          &c.spad_bank_conflict_cycles);
                    c.spad_read_bytes += len;
                } else {
                    ready = m_dram.access(dram, len, issue).done;
                    c.dram_read_bytes += len;
                    ++c.dram_bursts;
                }
                done = m_spad.access(sram, len, ready, &c.spad_bank_conflicts,
                                     &c.spad_bank_conflict_cycles);
                r.sram_done = std::max(r.sram_done, done);
                c.spad_write_bytes += len;
                if (m_spad.functional()) {
                    std::memmove(m_spad.data(sram), onchip ? m_spad.data(far) : m_dram.data(dram),
                                 len);
                }
            } else {
                const uint64_t read = m_spad.access(sram, len, issue, &c.spad_bank_conflicts,
                                                    &c.spad_bank_conflict_cycles);
                c.spad_read_bytes += len;
                if (onchip) {
                    done = m_spad.access(far, len, read, &c.spad_bank_conflicts,
                                         &c.spad_bank_conflict_cycles);
                    c.spad_write_bytes += len;
                } else {
                    done = m_dram.access(dram, len, read).done;
                    c.dram_write_bytes += len;
                    ++c.dram_bursts;
                }
                r.sram_done = std::max(r.sram_done, read);
                if (m_spad.functional()) {
                    std::memmove(onchip ? m_spad.data(far) : m_dram.data(dram), m_spad.data(sram),
                                 len);
                }
            }
            ch.in_flight.push(done);
            r.complete = std::max(r.complete, done);
            dram += len;
            sram += len;
            left -= len;
        }
    }
    ch.next_issue = t;
    ch.busy = false;
    r.issued = t;
    return r;
}

}  // namespace npu::model

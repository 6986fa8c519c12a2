#include "models/engines/dependency_table.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace npu::model {

void Accesses::add(Space space, bool write, uint64_t lo, uint64_t bytes) {
    if (bytes == 0) return;
    if (count == kMax) throw std::logic_error("dependency table: more than 6 ranges");
    at[static_cast<size_t>(count++)] = Access{space, write, lo, lo + bytes};
}

bool conflicts(const Accesses& earlier, const Accesses& later) {
    for (int i = 0; i < earlier.count; ++i) {
        const Access& a = earlier.at[static_cast<size_t>(i)];
        for (int j = 0; j < later.count; ++j) {
            const Access& b = later.at[static_cast<size_t>(j)];
            if (a.space == b.space && (a.write || b.write) && a.lo < b.hi && b.lo < a.hi) {
                return true;
            }
        }
    }
    return false;
}

namespace {

// A transfer's side: `rows` rows of `row_bytes`, `stride` apart: first to last byte.
uint64_t span(uint32_t rows, uint64_t stride, uint32_t row_bytes) {
    return rows == 0 ? 0 : uint64_t{rows - 1} * stride + row_bytes;
}

// The far side of a transfer: DRAM, or the scratchpad through the on-chip window.
void add_far(Accesses& a, const isa::Program& p, bool write, uint64_t addr, uint64_t bytes) {
    if (addr >= p.onchip_base) {
        a.add(Space::kSpad, write, addr - p.onchip_base, bytes);
    } else {
        a.add(Space::kDram, write, addr, bytes);
    }
}

}  // namespace

// The ranges follow what each unit reads and writes (compute_engine.cc, vector_unit.cc, ppu.cc,
// dma.cc and the datapaths): the same operands, each as one interval.
Accesses accesses_of(const isa::Program& p, const isa::Instr& in) {
    Accesses a;
    switch (in.op) {
        case isa::Opcode::kLoad:
        case isa::Opcode::kStore: {
            const isa::Transfer& x = p.xfer(in);
            const bool load = in.op == isa::Opcode::kLoad;
            add_far(a, p, !load, x.dram_addr, span(x.rows, x.dram_stride, x.row_bytes));
            a.add(Space::kSpad, load, x.sram_addr, span(x.rows, x.sram_stride, x.row_bytes));
            break;
        }
        case isa::Opcode::kCompute: {
            const isa::Compute& c = p.comp(in);
            const isa::LayerDesc& L = p.layers[in.layer];
            const uint64_t row_bytes = uint64_t(L.in_w) * uint64_t(L.in_c) * L.elem_bytes();
            a.add(Space::kSpad, false, c.slab_addr, uint64_t(c.slab_rows) * row_bytes);
            a.add(Space::kSpad, false, c.w_addr, L.w_block_bytes(c.k, c.n, c.w_transposed));
            if (!c.accumulate) a.add(Space::kSpad, false, c.bias_addr, uint64_t(c.n) * 4);
            a.add(Space::kAcc, true, c.acc_addr, uint64_t(c.m) * uint64_t(c.n) * 4);
            break;
        }
        case isa::Opcode::kVector: {
            const isa::Vector& v = p.vec(in);
            const isa::LayerDesc& L = p.layers[in.layer];
            const bool dw = v.op == isa::VectorOp::kDepthwise;
            const bool pool =
                v.op == isa::VectorOp::kMaxPool || v.op == isa::VectorOp::kAvgPool || dw;
            const bool to_acc = pool || v.op == isa::VectorOp::kAdd || v.op == isa::VectorOp::kMul;
            const bool two = v.op == isa::VectorOp::kAdd || v.op == isa::VectorOp::kMul;
            const uint64_t eb = L.elem_bytes();
            const uint64_t slab_c = uint64_t(v.slab_c > 0 ? v.slab_c : L.in_c);
            const uint64_t out_elems =
                pool ? uint64_t(v.m) * uint64_t(v.n) : uint64_t(v.rows) * uint64_t(v.len);
            const uint64_t x_len =
                pool ? uint64_t(v.slab_rows) * uint64_t(L.in_w) * slab_c * eb : out_elems * eb;
            a.add(Space::kSpad, false, pool ? v.slab_addr : v.x_addr, x_len);
            if (two) a.add(Space::kSpad, false, v.y_addr, x_len);
            if (dw) {
                const int64_t taps = int64_t(L.kernel_h) * L.kernel_w;
                a.add(Space::kSpad, false, v.w_addr, L.dw_weight_bytes(int64_t(v.n) * taps));
                a.add(Space::kSpad, false, v.bias_addr, uint64_t(v.n) * 4);
            }
            if (to_acc) {
                a.add(Space::kAcc, true, v.acc_addr, out_elems * 4);
            } else {
                a.add(Space::kSpad, true, v.out_addr, out_elems * eb);
            }
            break;
        }
        case isa::Opcode::kPostproc: {
            const isa::Postproc& q = p.post(in);
            const isa::LayerDesc& L = p.layers[in.layer];
            a.add(Space::kAcc, false, q.acc_addr, uint64_t(q.m) * uint64_t(q.n) * 4);
            a.add(Space::kSpad, true, q.out_addr, q.out_span(L.elem_bytes()));
            break;
        }
        case isa::Opcode::kSync:
        case isa::Opcode::kWait:
        case isa::Opcode::kSignal:
            break;
    }
    return a;
}

Accesses output_read(const isa::Program& p, size_t layer) {
    Accesses a;
    const isa::LayerDesc& d = p.layers.at(layer);
    add_far(a, p, false, d.output_addr, d.output_bytes);
    return a;
}

DependencyTable::EpochState& DependencyTable::epoch(uint32_t e) {
    while (m_epochs.size() <= e) m_epochs.emplace_back();
    return m_epochs[e];
}

size_t DependencyTable::live() const {
    size_t n = 0;
    for (const auto& b : m_buckets) n += b.size();
    return n;
}

bool DependencyTable::complete_by(Entry& e, uint64_t now) {
    if (!e.retired || !e.done.known()) return false;
    return e.done.cycle() <= now;
}

void DependencyTable::prune(std::vector<Handle>& bucket, uint64_t now) {
    size_t keep = 0;
    for (const Handle h : bucket) {
        if (complete_by(m_pool[h], now)) {
            m_free.push_back(h);
        } else {
            bucket[keep++] = h;
        }
    }
    bucket.resize(keep);
}

DependencyTable::Handle DependencyTable::add(uint32_t epoch_of, const Accesses& a, uint64_t now,
                                             bool counted) {
    if (m_buckets.empty()) {
        m_first_epoch = epoch_of;
    } else if (epoch_of + 1 < m_first_epoch + m_buckets.size()) {  // before the newest epoch
        throw std::logic_error("dependency table: epoch " + std::to_string(epoch_of) +
                               " entered after a later one");
    }
    while (m_first_epoch + m_buckets.size() <= epoch_of) {
        m_buckets.emplace_back();
        m_prune_at = 64;
    }
    // Epochs before the newest that have no live entry left are gone for good.
    while (m_buckets.size() > 1 && m_buckets.front().empty()) {
        m_buckets.pop_front();
        ++m_first_epoch;
    }
    std::vector<Handle>& bucket = m_buckets.back();
    if (bucket.size() >= m_prune_at) {  // amortized: the bucket at least halves or the mark doubles
        prune(bucket, now);
        m_prune_at = std::max<size_t>(64, 2 * bucket.size());
    }
    Handle h;
    if (!m_free.empty()) {
        h = m_free.back();
        m_free.pop_back();
    } else {
        h = static_cast<Handle>(m_pool.size());
        m_pool.emplace_back();
    }
    Entry& e = m_pool[h];
    e.epoch = epoch_of;
    e.retired = false;
    e.done = DoneCycle(0);
    e.acc = a;
    e.counted = counted;
    bucket.push_back(h);
    if (counted) ++epoch(epoch_of).entered;
    return h;
}

void DependencyTable::retire(Handle h, DoneCycle done) {
    Entry& e = m_pool.at(h);
    e.retired = true;
    e.done = done.known() ? DoneCycle(done.cycle()) : done;
    if (!e.counted) return;
    EpochState& s = epoch(e.epoch);
    ++s.retired;
    if (done.known()) {
        s.max_done = std::max(s.max_done, done.cycle());
    } else {
        s.untold.push_back(done);
    }
}

DependencyTable::Verdict DependencyTable::check(Handle h, uint64_t now) {
    const Entry& x = m_pool.at(h);
    Verdict v;
    if (g_test_skip_hazard_checks) return v;
    uint64_t until = now;
    for (size_t b = 0; b < m_buckets.size() && m_first_epoch + b < x.epoch; ++b) {
        std::vector<Handle>& bucket = m_buckets[b];
        size_t keep = 0;
        bool stop = false;
        for (size_t i = 0; i < bucket.size(); ++i) {
            const Handle eh = bucket[i];
            Entry& e = m_pool[eh];
            if (!stop && complete_by(e, now)) {  // done: no longer a hazard to anyone
                m_free.push_back(eh);
                continue;
            }
            bucket[keep++] = eh;
            if (stop || !conflicts(e.acc, x.acc)) continue;
            if (!e.retired) {
                v.kind = Verdict::kRetire;
                stop = true;
            } else if (!e.done.known()) {
                v.kind = Verdict::kTold;
                v.done = e.done;
                stop = true;
            } else {
                until = std::max(until, e.done.cycle());
            }
        }
        bucket.resize(keep);
        if (stop) return v;
    }
    if (until > now) {
        v.kind = Verdict::kUntil;
        v.cycle = until;
    }
    return v;
}

}  // namespace npu::model

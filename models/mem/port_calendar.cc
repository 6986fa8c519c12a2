#include "models/mem/port_calendar.h"

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

namespace npu::model {

namespace {

using Spans = std::vector<std::pair<uint64_t, uint64_t>>;

// Reserves [begin, end) in a port's spans before `at`, the first live reservation that starts
// after `begin` (or end()), with the gap before it free: joins a neighbour it touches (the
// same busy cycles in fewer intervals: back-to-back DMA bursts become one), else inserts.
void occupy_before(Spans& v, Spans::iterator first, Spans::iterator at, uint64_t begin,
                   uint64_t end) {
    const bool joins_next = at != v.end() && at->first == end;
    if (at != first && std::prev(at)->second == begin) {
        const auto prev = std::prev(at);
        if (joins_next) {
            prev->second = at->second;
            v.erase(at);
        } else {
            prev->second = end;
        }
    } else if (joins_next) {
        at->first = begin;
    } else {
        v.insert(at, {begin, end});
    }
}

}  // namespace

uint64_t PortSet::free_at() const { return *std::min_element(m_free.begin(), m_free.end()); }

uint64_t PortCalendar::fit_in_gap(const Intervals& busy, uint64_t t, uint64_t cycles) {
    const auto first = busy.spans.begin() + static_cast<ptrdiff_t>(busy.head);
    auto it = std::upper_bound(first, busy.spans.end(), t,
                               [](uint64_t v, const auto& span) { return v < span.first; });
    if (it != first && std::prev(it)->second > t) t = std::prev(it)->second;
    for (; it != busy.spans.end() && it->first < t + cycles; ++it) t = std::max(t, it->second);
    return t;
}

uint64_t PortCalendar::first_fit_of_ports(uint64_t earliest, uint64_t cycles) const {
    uint64_t best = UINT64_MAX;
    for (const Intervals& p : m_ports) best = std::min(best, fit(p, earliest, cycles));
    return best;
}

uint64_t PortCalendar::reserve_in_gap(uint64_t earliest, uint64_t cycles) {
    if (m_ports.size() == 1 && cycles > 0) return reserve_on_one_port(m_ports[0], earliest, cycles);
    Intervals* port = nullptr;
    uint64_t best = UINT64_MAX;
    for (Intervals& p : m_ports) {
        const uint64_t t = fit(p, earliest, cycles);
        if (t < best) {
            best = t;
            port = &p;
        }
    }
    if (cycles == 0) return best;
    // A reservation that touches a neighbour joins it: the port's busy cycles are the same set
    // (every fit depends on nothing else), in fewer intervals (back-to-back DMA bursts: one).
    auto& v = port->spans;
    const uint64_t end = best + cycles;
    if (port->head == v.size() || v.back().first <= best) {  // after every reservation
        if (port->head < v.size() && v.back().second == best) {
            v.back().second = end;
        } else {
            v.emplace_back(best, end);
        }
        return best;
    }
    const auto first = v.begin() + static_cast<ptrdiff_t>(port->head);
    auto at = std::upper_bound(first, v.end(), best,
                               [](uint64_t x, const auto& span) { return x < span.first; });
    // `at` is the first reservation after this one (fit left the gap [best, end) before it).
    occupy_before(v, first, at, best, end);
    return best;
}

uint64_t PortCalendar::reserve_on_one_port(Intervals& port, uint64_t t, uint64_t cycles) {
    // fit_in_gap's search, keeping where it stopped: `it` is the first reservation that starts
    // at or after t + cycles (every one before it ends by t), so the first that starts after t
    // (cycles > 0), where reserve_in_gap's second search would insert.
    auto& v = port.spans;
    const auto first = v.begin() + static_cast<ptrdiff_t>(port.head);
    auto it = std::upper_bound(first, v.end(), t,
                               [](uint64_t x, const auto& span) { return x < span.first; });
    if (it != first && std::prev(it)->second > t) t = std::prev(it)->second;
    for (; it != v.end() && it->first < t + cycles; ++it) t = std::max(t, it->second);
    occupy_before(v, first, it, t, t + cycles);
    return t;
}

void PortCalendar::prune(uint64_t now) {
    for (Intervals& p : m_ports) {
        while (p.head < p.spans.size() && p.spans[p.head].second <= now) ++p.head;
        if (p.head > 32 && 2 * p.head > p.spans.size()) {
            p.spans.erase(p.spans.begin(), p.spans.begin() + static_cast<ptrdiff_t>(p.head));
            p.head = 0;
        }
    }
}

}  // namespace npu::model

// The completion cycles of a DMA channel's bursts in flight, earliest first: a min-priority
// queue of cycles. Completions mostly come in order, so a new one usually goes at the back in
// O(1); the popped front is forgotten in bulk. Plain C++.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace npu::model {

class Completions {
  public:
    [[nodiscard]] bool empty() const { return m_head == m_times.size(); }
    [[nodiscard]] size_t size() const { return m_times.size() - m_head; }
    [[nodiscard]] uint64_t top() const { return m_times[m_head]; }
    void pop() {
        if (++m_head == m_times.size()) {
            m_times.clear();
            m_head = 0;
        }
    }
    // The i-th earliest (0: top) and the latest.
    [[nodiscard]] uint64_t at(size_t i) const { return m_times[m_head + i]; }
    [[nodiscard]] uint64_t back() const { return m_times.back(); }
    // pop() n times (n <= size()).
    void pop(size_t n) {
        m_head += n;
        if (m_head == m_times.size()) {
            m_times.clear();
            m_head = 0;
        }
    }
    // push() of first, first + step, ..., n of them, when first >= back() (or empty): they go at
    // the back in that order.
    void push_series(uint64_t first, uint64_t step, size_t n) {
        if (m_head > 64 && 2 * m_head > m_times.size()) {  // forget the popped ones
            m_times.erase(m_times.begin(), m_times.begin() + static_cast<ptrdiff_t>(m_head));
            m_head = 0;
        }
        for (size_t i = 0; i < n; ++i) m_times.push_back(first + i * step);
    }
    void push(uint64_t t) {
        if (m_head > 64 && 2 * m_head > m_times.size()) {  // forget the popped ones
            m_times.erase(m_times.begin(), m_times.begin() + static_cast<ptrdiff_t>(m_head));
            m_head = 0;
        }
        if (empty() || t >= m_times.back()) {
            m_times.push_back(t);
            return;
        }
        if (m_head > 0 && t < m_times[m_head]) {
            m_times[--m_head] = t;
            return;
        }
        m_times.insert(
            std::upper_bound(m_times.begin() + static_cast<ptrdiff_t>(m_head), m_times.end(), t),
            t);
    }

  private:
    std::vector<uint64_t> m_times;  // [m_head, end) sorted
    size_t m_head = 0;
};
}  // namespace npu::model

// The 64-bit Mersenne Twister of the C++ standard (std::mt19937_64: its output sequence for a
// seed is fixed by [rand.predef]), producing the same numbers as the library engine but faster:
// the state is regenerated 312 words at a time and tempered in bulk, in loops the compiler
// vectorizes. The workload loader's seeded data generation draws millions of numbers from it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace npu::kernels {

class Mt19937_64 {
  public:
    explicit Mt19937_64(uint64_t seed) {
        m_state[0] = seed;
        for (int i = 1; i < kN; ++i) {
            m_state[i] = 6364136223846793005ull * (m_state[i - 1] ^ (m_state[i - 1] >> 62)) +
                         static_cast<uint64_t>(i);
        }
    }

    uint64_t operator()() {
        if (m_next == kN) refill();
        return m_out[m_next++];
    }

    // The next min(want, n) outputs at once, n >= 1 being what the current block has left:
    // points `out` at them and consumes them (the same numbers operator() would return in turn).
    size_t take(size_t want, const uint64_t*& out) {
        if (m_next == kN) refill();
        const size_t n = want < size_t(kN - m_next) ? want : size_t(kN - m_next);
        out = m_out + m_next;
        m_next += int(n);
        return n;
    }

  private:
    static constexpr int kN = 312, kM = 156;
    static constexpr uint64_t kUpper = ~uint64_t{0} << 31, kLower = ~kUpper;
    static constexpr uint64_t kMatrix = 0xb5026f5aa96619e9ull;

    static uint64_t twist(uint64_t cur, uint64_t next, uint64_t far) {
        const uint64_t y = (cur & kUpper) | (next & kLower);
        return far ^ (y >> 1) ^ ((0 - (y & 1)) & kMatrix);
    }

    void refill() {
        for (int i = 0; i < kN - kM; ++i) {
            m_state[i] = twist(m_state[i], m_state[i + 1], m_state[i + kM]);
        }
        for (int i = kN - kM; i < kN - 1; ++i) {
            m_state[i] = twist(m_state[i], m_state[i + 1], m_state[i + kM - kN]);
        }
        m_state[kN - 1] = twist(m_state[kN - 1], m_state[0], m_state[kM - 1]);
        for (int i = 0; i < kN; ++i) {
            uint64_t y = m_state[i];
            y ^= (y >> 29) & 0x5555555555555555ull;
            y ^= (y << 17) & 0x71d67fffeda60000ull;
            y ^= (y << 37) & 0xfff7eee000000000ull;
            m_out[i] = y ^ (y >> 43);
        }
        m_next = 0;
    }

    uint64_t m_state[kN];
    uint64_t m_out[kN];
    int m_next = kN;
};

}  // namespace npu::kernels

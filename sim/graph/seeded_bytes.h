// The seeded data generator's bulk mapping (DataGenerator::int8s): a stream of 64-bit draws to
// bytes uniform in [lo, hi], exactly as uniform_int draws them one at a time. A header of its own
// so the tests can feed it a scripted stream (rejections are too rare to meet in a real one).
#pragma once

#include <cstddef>
#include <cstdint>

namespace npu::graph::seeded {

// Draws `count` bytes from `engine` (anything with take(want, out) as kernels::Mt19937_64's):
// its outputs in order, each x > limit rejected (it yields nothing and the next output takes its
// place, as uniform_int's loop), each kept x mapped to its byte.
// A block of outputs is mapped in one loop the compiler vectorizes, which also notes whether any
// output was over the limit (x > limit as the borrow out of limit - x: SSE2 has no unsigned
// 64-bit compare); only then, nearly never, is the block mapped again one output at a time.
template <typename Engine, typename Map>
inline __attribute__((always_inline)) void draw_bytes(Engine& engine, int8_t* out, size_t count,
                                                      uint64_t limit, Map map) {
    size_t i = 0;
    while (i < count) {
        const uint64_t* xs = nullptr;
        const size_t n = engine.take(count - i, xs);
        uint64_t over = 0;
        for (size_t k = 0; k < n; ++k) {
            const uint64_t x = xs[k];
            over |= (~limit & x) | (~(limit ^ x) & (limit - x));
            out[i + k] = map(x);
        }
        if ((over >> 63) == 0) {
            i += n;
            continue;
        }
        for (size_t k = 0; k < n; ++k) {
            if (xs[k] <= limit) out[i++] = map(xs[k]);
        }
    }
}

// The byte of a draw x for a span that is a power of two: its low bits.
struct LowBits {
    uint64_t base, mask;
    int8_t operator()(uint64_t x) const { return static_cast<int8_t>(base + (x & mask)); }
};

// ... for the span 255 (the weights' [-127, 127]): x % 255 from the sum of x's bytes (256 = 1
// modulo 255), in shifts and adds that vectorize: byte pairs, then 16-bit and 32-bit halves,
// s <= 8 * 255; then s' = (s & 255) + (s >> 8) <= 262 and s' % 255 = (s' + ((s' + 1) >> 8)) &
// 255 (the carry out of s' + 1 is 1 exactly when s' >= 255).
struct Mod255 {
    uint64_t base;
    int8_t operator()(uint64_t x) const {
        constexpr uint64_t kBytes = 0x00ff00ff00ff00ffull;
        uint64_t s = (x & kBytes) + ((x >> 8) & kBytes);
        s += s >> 16;
        s = (s & 0xffff) + ((s >> 32) & 0xffff);
        s = (s & 255) + (s >> 8);
        return static_cast<int8_t>(base + ((s + ((s + 1) >> 8)) & 255));
    }
};

// ... for any other span: x % span by Lemire, Kaser and Kurz's direct remainder ("Faster
// Remainder by Direct Computation", 2019): with M = ceil(2^128 / span), x % span = ((M * x mod
// 2^128) * span) >> 128, exact for every 64-bit x and span < 2^64.
struct Remainder {
    __extension__ typedef unsigned __int128 U128;
    uint64_t base, span;
    U128 m;
    int8_t operator()(uint64_t x) const {
        const U128 low = m * x;
        const U128 bottom = (static_cast<U128>(static_cast<uint64_t>(low)) * span) >> 64;
        const U128 top = static_cast<U128>(static_cast<uint64_t>(low >> 64)) * span;
        return static_cast<int8_t>(base + static_cast<uint64_t>((bottom + top) >> 64));
    }
};

}  // namespace npu::graph::seeded

// Benchmark helper (not a test): the wall time of a raw int8 GEMM of a given number of MACs on
// this machine, with the best path of npusim's kernel library (sim/kernels; NPUSIM_KERNELS
// forces another), as the yardstick scripts/bench.sh divides a simulation's time by.
//   raw_gemm MACS   ->   prints "<seconds> <path>"
// The MACs are done as 1024 x 1024 x 1024 products (the last one with fewer rows), B packed once
// (as the reference executor packs a layer's weights once), A and C fresh for every product.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "sim/kernels/gemm.h"
#include "sim/kernels/isa.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: raw_gemm MACS\n");
        return 2;
    }
    const int64_t macs = std::strtoll(argv[1], nullptr, 10);
    constexpr int64_t kDim = 1024;
    std::vector<int8_t> a(static_cast<size_t>(kDim * kDim)), b(a.size());
    uint64_t x = 88172645463325252ull;  // xorshift: any bytes will do
    for (auto* v : {&a, &b}) {
        for (int8_t& e : *v) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            e = static_cast<int8_t>(x);
        }
    }
    std::vector<int32_t> c(a.size());
    const auto t0 = std::chrono::steady_clock::now();
    const npu::kernels::PackedB pb = npu::kernels::pack_b(b.data(), kDim, kDim, kDim, 1);
    uint64_t check = 0;
    for (int64_t done = 0; done < macs; done += kDim * kDim * kDim) {
        const int64_t rows =
            std::min<int64_t>(kDim, (macs - done + kDim * kDim - 1) / (kDim * kDim));
        npu::kernels::gemm(a.data(), rows, kDim, pb, nullptr, nullptr, c.data(), kDim);
        check += static_cast<uint32_t>(c[0]);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%.6f %s %llu\n", s, npu::kernels::to_string(npu::kernels::active_isa()),
                static_cast<unsigned long long>(check % 10));
    return 0;
}

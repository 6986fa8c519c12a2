#include "sim/compiler/pack.h"

#include <algorithm>
#include <atomic>
#include <future>
#include <thread>
#include <utility>
#include <vector>

namespace npu::compiler {
namespace {

// Little-endian bytes of `v` in a float precision's format (rounded to nearest even).
std::vector<uint8_t> encode_floats(const std::vector<float>& v, Precision p) {
    std::vector<uint8_t> out(v.size() * act_bytes(p));
    for (size_t i = 0; i < v.size(); ++i) {
        store_float(p, &out[i * act_bytes(p)], v[i]);
    }
    return out;
}

template <typename T>
void put(std::vector<uint8_t>& bytes, size_t at, T v) {
    for (size_t i = 0; i < sizeof(T); ++i) {
        bytes[at + i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (8 * i));
    }
}

// The float model of a conv2d/gemm in its format.
void pack_float(const LoweredLayer& x, const cfg::HwConfig& hw, uint64_t w_addr, uint64_t b_addr,
                std::vector<isa::DramSegment>& image) {
    const graph::Layer& l = *x.layer;
    const uint64_t K = x.K, N = x.N;
    const uint64_t Ng = N / uint64_t(x.groups);
    const uint64_t nb = x.depthwise ? Ng : uint64_t(std::min<int64_t>(hw.array.cols, int64_t(Ng)));
    std::vector<float> w(K * N);
    std::vector<float> bias(N);
    for (uint64_t oc = 0; oc < N; ++oc) {
        const uint64_t g = oc / Ng, j = oc % Ng;
        const uint64_t n0 = j / nb * nb, width = std::min(nb, Ng - n0);
        for (uint64_t kk = 0; kk < K; ++kk) {
            const uint64_t at_w =
                x.depthwise ? oc * K + kk : g * K * Ng + n0 * K + kk * width + (j - n0);
            w[at_w] = l.float_weights[oc * K + kk];
        }
        bias[oc] = round_to(x.prec, l.float_bias.at(oc));
    }
    image.push_back({w_addr, encode_floats(w, x.prec)});
    image.push_back({b_addr, encode_floats(bias, Precision::kFp32)});
}

// The int8/int4 weights of a conv2d/gemm, pre-tiled, and its folded biases.
void pack_int(const LoweredLayer& x, const cfg::HwConfig& hw, uint64_t w_addr, uint64_t b_addr,
              std::vector<isa::DramSegment>& image) {
    const graph::Layer& l = *x.layer;
    const uint64_t K = x.K, N = x.N;
    const Precision wprec = x.wprec;
    const uint64_t Ng = N / uint64_t(x.groups);
    const uint64_t nb = x.depthwise ? Ng : uint64_t(std::min<int64_t>(hw.array.cols, int64_t(Ng)));
    std::vector<uint8_t> w(K * N * x.w_slot);
    const bool packed = wprec == Precision::kInt4;
    std::vector<uint8_t> bias(N * 4);
    for (uint64_t oc = 0; oc < N; ++oc) {
        const uint64_t g = oc / Ng, j = oc % Ng;
        const uint64_t n0 = j / nb * nb, width = std::min(nb, Ng - n0);
        int64_t wsum = 0;
        if (!packed) {  // int8: row oc of the weights to column j - n0 of its block
            const int8_t* src = l.weights.data() + oc * K;
            uint8_t* dst = w.data() + (x.depthwise ? oc * K : g * K * Ng + n0 * K + (j - n0));
            const uint64_t step = x.depthwise ? 1 : width;
            for (uint64_t kk = 0; kk < K; ++kk) {
                dst[kk * step] = static_cast<uint8_t>(src[kk]);
                wsum += src[kk];
            }
        } else {  // int4: row kk of the block is ceil(width/2) bytes
            const uint64_t row = weight_bytes(wprec, width);
            for (uint64_t kk = 0; kk < K; ++kk) {
                const int8_t v = l.weights[oc * K + kk];
                const uint64_t at_w =
                    g * K * Ng + (n0 / nb) * K * weight_bytes(wprec, nb) + kk * row + (j - n0) / 2;
                const auto nib = static_cast<uint8_t>(v & 0xf);
                w[at_w] = static_cast<uint8_t>((j - n0) % 2 == 0 ? (w[at_w] & 0xf0) | nib
                                                                 : (w[at_w] & 0x0f) | (nib << 4));
                wsum += v;
            }
        }
        const int64_t folded = int64_t{l.bias[oc]} - int64_t{l.input.zero_point} * wsum;
        put<uint32_t>(bias, oc * 4, static_cast<uint32_t>(folded));
    }
    image.push_back({w_addr, std::move(w)});
    image.push_back({b_addr, std::move(bias)});
}

// The image segments of region r (none for most regions).
void pack_region(const graph::Workload& wl, const Lowered& lowered, const MemoryPlan& plan,
                 const cfg::HwConfig& hw, size_t r, std::vector<isa::DramSegment>& image) {
    const Region& region = lowered.regions[r];
    const uint64_t a = plan.address[r];
    if (region.kind == Region::Kind::kInput) {
        const size_t i = region.index;
        if (!is_float(region.precision)) {
            const std::vector<int8_t>* q = wl.inputs.empty()          ? &wl.input
                                           : i < wl.input_data.size() ? &wl.input_data[i]
                                                                      : nullptr;
            if (q != nullptr && !q->empty()) {
                image.push_back({a, std::vector<uint8_t>(q->begin(), q->end())});
            }
        } else if (i < wl.float_input_data.size()) {
            image.push_back({a, encode_floats(wl.float_input_data[i], region.precision)});
        }
        return;
    }
    if (region.kind != Region::Kind::kBias) return;  // each layer's images at its bias
    const LoweredLayer& x = lowered.layers[region.layer];
    const graph::Layer& l = *x.layer;
    if (l.kind == graph::OpKind::kMatmul) {
        image.push_back({a, std::vector<uint8_t>(region.bytes, 0)});
    } else if (is_float(x.prec)) {
        if (!l.float_weights.empty()) {
            pack_float(x, hw, plan.address[x.weight_region], a, image);
        }
    } else {
        pack_int(x, hw, plan.address[x.weight_region], a, image);
    }
}

// Regions are packed on up to kPackThreads threads (the calling one included), each into its
// own slot, and the slots joined in region order: the same image as one thread builds. A large
// model's packing is mostly the kernel zeroing the new pages (LLaMA-7B decode: 0.22 G weights),
// which the threads share.
constexpr unsigned kPackThreads = 2;

}  // namespace

void pack_weights(const graph::Workload& wl, const Lowered& lowered, const MemoryPlan& plan,
                  const cfg::HwConfig& hw, isa::Program& program) {
    const size_t regions = lowered.regions.size();
    std::vector<std::vector<isa::DramSegment>> slots(regions);
    std::atomic<size_t> next{0};
    const auto work = [&] {
        for (size_t r = next++; r < regions; r = next++) {
            pack_region(wl, lowered, plan, hw, r, slots[r]);
        }
    };
    const unsigned threads =
        std::min<unsigned>({kPackThreads, std::max(1u, std::thread::hardware_concurrency()),
                            static_cast<unsigned>(std::min<size_t>(regions, kPackThreads))});
    std::vector<std::future<void>> helpers;
    for (unsigned t = 1; t < threads; ++t) helpers.push_back(std::async(std::launch::async, work));
    work();
    for (std::future<void>& h : helpers) h.get();  // rethrows what a helper threw
    std::vector<isa::DramSegment>& image = program.dram_image;
    for (std::vector<isa::DramSegment>& slot : slots) {
        for (isa::DramSegment& seg : slot) image.push_back(std::move(seg));
    }
}

}  // namespace npu::compiler

#include "sim/compiler/mapping.h"

#include <algorithm>
#include <sstream>

#include "sim/compiler/tiling.h"
#include "sim/config/config_loader.h"
#include "sim/core/error.h"

namespace npu::compiler {
namespace {

// "4 output rows of 56 pixels"
std::string out_rows_text(int32_t rows, int32_t width) {
    return std::to_string(rows) + " output row" + (rows == 1 ? "" : "s") + " of " +
           std::to_string(width) + " pixels";
}

uint64_t spad_need(const LayerMapping& mp) {
    return 2 * (uint64_t{aligned(mp.slab_bytes)} + aligned(mp.w_bytes) + aligned(mp.bias_bytes) +
                aligned(mp.out_bytes));
}

}  // namespace

// Scratchpad placement of one layer's double buffers. What runs at the same time: the array
// reads slab[b] and w[s] while the load engine fills w[s+1] (and, at block boundaries, slab[b+1]
// and the next bias), and the store engine writes and reads out[p]. Buffers used at the same
// time should sit in different banks, or they compete for the bank ports.
//   kBankExclusive: slab0 | slab1 | w0 + bias0 + out0 | w1 + bias1 + out1, each group starting on
//                   a bank boundary in banks of its own.
//   kHalves:        every ping buffer in the lower half of the banks, every pong buffer in the
//                   upper half (Gemmini's software uses this split).
//   kPacked:        one after another.
std::optional<Buffers> place(const LayerMapping& mp, const cfg::HwConfig& hw, Placement how) {
    Buffers b;
    const uint64_t size = hw.scratchpad.size_bytes;
    const uint64_t banks = static_cast<uint64_t>(hw.scratchpad.banks);
    const uint64_t bank = size / banks;
    b.acc[0] = 0;
    b.acc[1] = hw.accumulator.banks % 2 == 0 ? static_cast<uint32_t>(hw.accumulator.size_bytes / 2)
                                             : aligned(mp.acc_bytes);
    if (uint64_t{b.acc[1]} + mp.acc_bytes > hw.accumulator.size_bytes) return std::nullopt;
    switch (how) {
        case Placement::kBankExclusive: {
            uint64_t at = 0;  // next free bank boundary
            auto group = [&](std::initializer_list<std::pair<uint32_t*, uint32_t>> parts) {
                uint64_t cursor = at;
                for (const auto& [addr, bytes] : parts) {
                    *addr = static_cast<uint32_t>(cursor);
                    cursor += aligned(bytes);
                }
                at = align_up(cursor, bank);
            };
            group({{&b.slab[0], mp.slab_bytes}});
            group({{&b.slab[1], mp.slab_bytes}});
            group({{&b.w[0], mp.w_bytes}, {&b.bias[0], mp.bias_bytes}, {&b.out[0], mp.out_bytes}});
            group({{&b.w[1], mp.w_bytes}, {&b.bias[1], mp.bias_bytes}, {&b.out[1], mp.out_bytes}});
            if (at > size) return std::nullopt;
            return b;
        }
        case Placement::kHalves:
        case Placement::kPacked: {
            const bool split = how == Placement::kHalves;
            if (split && banks % 2 != 0) return std::nullopt;
            uint64_t at[2] = {0, split ? size / 2 : 0};
            const uint64_t limit[2] = {split ? size / 2 : size, size};
            for (int i = 0; i < 2; ++i) {
                uint64_t& cursor = at[split ? i : 0];
                for (auto [addr, bytes] :
                     {std::pair{&b.slab[i], mp.slab_bytes}, std::pair{&b.w[i], mp.w_bytes},
                      std::pair{&b.bias[i], mp.bias_bytes}, std::pair{&b.out[i], mp.out_bytes}}) {
                    *addr = static_cast<uint32_t>(cursor);
                    cursor += aligned(bytes);
                }
                if (cursor > limit[split ? i : 1]) return std::nullopt;
            }
            return b;
        }
    }
    return std::nullopt;
}

uint64_t resident_sums_bytes(const LayerMapping& mp) {
    return uint64_t(mp.m_blocks) * uint64_t(mp.n_blocks) * align_up(mp.acc_bytes, kSramAlign);
}

std::optional<Buffers> place_k_outer(const LayerMapping& mp, const cfg::HwConfig& hw) {
    if (resident_sums_bytes(mp) > hw.accumulator.size_bytes) return std::nullopt;
    // As place() lays out the other orders' buffers, with w[i] a chunk of every n-block and one
    // bias buffer of every channel beside w[0] (its instance 1 is the same).
    // The biases ride in w[0]'s group: w[0] (and w[1], to keep place() symmetric) is placed as
    // chunk + bias, with no bias buffer of its own.
    LayerMapping wide = mp;
    const uint64_t chunk = uint64_t(mp.n_blocks) * align_up(mp.w_bytes, kSramAlign);
    const uint64_t bias = align_up(uint64_t(mp.n) * 4, kSramAlign);
    if (chunk + bias > UINT32_MAX) return std::nullopt;
    wide.w_bytes = static_cast<uint32_t>(chunk + bias);
    wide.bias_bytes = 0;
    for (Placement how : {Placement::kBankExclusive, Placement::kHalves, Placement::kPacked}) {
        std::optional<Buffers> b = place(wide, hw, how);
        if (!b) continue;
        b->bias[0] = b->bias[1] = b->w[0] + static_cast<uint32_t>(chunk);
        b->acc[0] = 0;
        b->acc[1] = 0;
        b->acc_slot = aligned(mp.acc_bytes);
        b->w_block = aligned(mp.w_bytes);
        return b;
    }
    return std::nullopt;
}

const char* to_string(Placement p) {
    switch (p) {
        case Placement::kBankExclusive:
            return "bank-exclusive";
        case Placement::kHalves:
            return "halves";
        case Placement::kPacked:
            return "packed";
    }
    return "?";
}

std::string LayerMapping::summary(Dataflow df) const {
    std::ostringstream os;
    os << to_string(df) << (pinned_dataflow ? " (pinned)" : "") << " m-block " << mb << " ("
       << out_rows_per_block << " out rows" << (pinned_rows ? ", pinned" : "") << ") x n-block "
       << nb << " x k-chunk " << kb << (pinned_k ? " (pinned)" : "") << "; " << m_blocks << "x"
       << n_blocks << "x" << k_chunks << " blocks; spad 2x(slab " << slab_bytes << " + w "
       << w_bytes << " + bias " << bias_bytes << " + out " << out_bytes << ") B, acc 2x"
       << acc_bytes << " B";
    return os.str();
}

std::string grow_srams_hint(const cfg::HwConfig& hw) {
    return "; to fit it, raise " + cfg::describe_key(hw, "scratchpad.size") + " or " +
           cfg::describe_key(hw, "accumulator.size");
}

Precision precision_of(const graph::Layer& l, const cfg::HwConfig& hw) {
    return l.precision.value_or(hw.precision);
}

std::optional<Dataflow> pinned_dataflow(const graph::Layer& l, const cfg::HwConfig& hw) {
    if (!l.pin_dataflow) return std::nullopt;
    if (!hw.array.both_dataflows && *l.pin_dataflow != hw.array.dataflow) {
        throw UserError(
            Diagnostic{"", 0, 0, "",
                       "layer '" + l.name + "' pins dataflow " + to_string(*l.pin_dataflow) +
                           " but the array is " + to_string(hw.array.dataflow) +
                           "-only: " + cfg::describe_key(hw, "array.dataflow") +
                           " would have to be " + to_string(*l.pin_dataflow) + " or both"});
    }
    return l.pin_dataflow;
}

LayerMapping choose_mapping(const graph::Layer& l, const cfg::HwConfig& hw,
                            const MappingLimits& limits) {
    LayerMapping mp;
    // A grouped convolution maps one group at a time (the slab still holds every channel).
    const int32_t groups = std::max(1, l.groups);
    mp.m = l.out_pixels();
    mp.k = int64_t{l.kernel_h} * l.kernel_w * (l.in_c / groups);
    mp.n = l.out_c / groups;
    const int32_t rows = hw.array.rows;
    mp.nb = static_cast<int32_t>(std::min<int64_t>(hw.array.cols, mp.n));
    const int32_t out_w = l.out_w();
    const Precision prec = precision_of(l, hw);
    const uint64_t ab = act_bytes(prec);
    const auto set_rows = [&](int32_t r) {
        mp.out_rows_per_block = r;
        mp.mb = int64_t{r} * out_w;
        mp.slab_bytes = max_slab_bytes(l, r, ab);
        mp.out_bytes = static_cast<uint32_t>(uint64_t(mp.mb * mp.nb) * ab);
        mp.acc_bytes = static_cast<uint32_t>(mp.mb * mp.nb * 4);
    };
    const auto set_kb = [&](int64_t kb) {
        mp.kb = kb;
        mp.w_bytes = static_cast<uint32_t>(uint64_t(kb) * weight_bytes(prec, uint64_t(mp.nb)));
        mp.bias_bytes = static_cast<uint32_t>(mp.nb * 4);
    };
    Placement how = Placement::kBankExclusive;
    const auto fits = [&]() { return place(mp, hw, how).has_value(); };
    const auto fail = [&](const std::string& message) {
        throw UserError(Diagnostic{"", 0, 0, "", "layer '" + l.name + "' " + message});
    };

    // Pins (docs/workloads.md): checked against the layer and the array before any search.
    const std::optional<Dataflow> pin_df = pinned_dataflow(l, hw);
    const Dataflow df = pin_df ? *pin_df : hw.array.dataflow;
    mp.pinned_dataflow = pin_df.has_value();
    mp.pinned_rows = l.pin_rows > 0;
    mp.pinned_k = l.pin_k_chunk > 0;
    if (mp.pinned_rows && l.pin_rows > l.out_h()) {
        fail("pins mapping.rows_per_block " + std::to_string(l.pin_rows) + " but has " +
             std::to_string(l.out_h()) + " output rows");
    }
    if (mp.pinned_k && l.pin_k_chunk > mp.k) {
        fail("pins mapping.k_chunk " + std::to_string(l.pin_k_chunk) + " but its reduction K is " +
             std::to_string(mp.k));
    }
    if (mp.pinned_k && df == Dataflow::kWeightStationary && l.pin_k_chunk != mp.k &&
        l.pin_k_chunk % rows != 0) {
        fail("pins mapping.k_chunk " + std::to_string(l.pin_k_chunk) +
             " but a ws array needs a multiple of array.rows " + std::to_string(rows) +
             " or the whole reduction K = " + std::to_string(mp.k));
    }

    // For the first placement (best first) under which one output row fits: the largest k-chunk
    // (whole reduction first; for ws a multiple of the array rows), then as many output rows as
    // fit. fits() is monotone in the k-chunk, but not in the rows: with padding wider than the
    // stride, blocks of r rows can need a taller slab than blocks of r + 1 (a 5x5 "same" conv over
    // 8 rows: 3 rows per block read 7 input rows, 4 read 6), so the rows are scanned, not bisected.
    // A pinned k-chunk or row count is used as is (and must fit).
    const int64_t k_unit = df == Dataflow::kWeightStationary ? rows : 1;
    const int32_t first_rows = mp.pinned_rows ? l.pin_rows : 1;
    bool found = false;
    for (Placement p : {Placement::kBankExclusive, Placement::kHalves, Placement::kPacked}) {
        how = p;
        int64_t kb = mp.pinned_k              ? l.pin_k_chunk
                     : limits.max_k_chunk > 0 ? std::min(mp.k, limits.max_k_chunk)
                                              : mp.k;
        set_rows(first_rows);
        set_kb(kb);
        while (!mp.pinned_k && !fits() && kb > k_unit) {
            // Halve, keeping a multiple of the unit; strictly decreasing while kb > k_unit.
            kb = static_cast<int64_t>(
                align_up(static_cast<uint64_t>(ceil_div(kb, 2)), static_cast<uint64_t>(k_unit)));
            set_kb(kb);
        }
        if (fits()) {
            found = true;
            break;
        }
    }
    if (!found && (mp.pinned_rows || mp.pinned_k)) {
        std::ostringstream os;
        os << "(" << l.shape_string() << ") does not fit on chip with its pinned mapping (";
        if (mp.pinned_rows) os << "rows_per_block " << l.pin_rows << (mp.pinned_k ? ", " : "");
        if (mp.pinned_k) os << "k_chunk " << l.pin_k_chunk;
        os << "): " << out_rows_text(mp.out_rows_per_block, out_w) << ", " << mp.nb
           << " channels and k-chunk " << mp.kb << " need " << spad_need(mp)
           << " B of scratchpad (has " << hw.scratchpad.size_bytes << ") and "
           << 2 * uint64_t{mp.acc_bytes} << " B of accumulator (has " << hw.accumulator.size_bytes
           << ")" << grow_srams_hint(hw);
        fail(os.str());
    }
    if (!found) {
        std::ostringstream os;
        os << "(" << l.shape_string()
           << ") does not fit on chip: the smallest double-buffered mapping (1 output row of "
           << out_w << " pixels, " << mp.nb << " channels, k-chunk " << mp.kb << ") needs "
           << spad_need(mp) << " B of scratchpad (has " << hw.scratchpad.size_bytes << ") and "
           << 2 * uint64_t{mp.acc_bytes} << " B of accumulator (has " << hw.accumulator.size_bytes
           << ")" << grow_srams_hint(hw);
        fail(os.str());
    }
    mp.placement = how;
    int32_t lo = first_rows;
    if (!mp.pinned_rows) {
        const int32_t most = limits.max_rows > 0 ? std::min(l.out_h(), limits.max_rows) : l.out_h();
        for (lo = most; lo > 1; --lo) {  // one row fits (found above)
            set_rows(lo);
            if (fits()) break;
        }
    }
    set_rows(lo);
    mp.m_blocks = ceil_div(l.out_h(), lo);
    mp.n_blocks = ceil_div(mp.n, mp.nb);
    mp.k_chunks = ceil_div(mp.k, mp.kb);
    return mp;
}

}  // namespace npu::compiler

#include "sim/compiler/memory_plan.h"

#include <algorithm>
#include <string>

#include "sim/compiler/tiling.h"
#include "sim/core/error.h"

namespace npu::compiler {

std::vector<uint64_t> working_sets(const isa::Program& p) {
    std::vector<uint64_t> hw(p.layers.size(), 0);
    const auto reach = [&](size_t layer, uint64_t addr, uint64_t len) {
        if (len > 0) hw[layer] = std::max(hw[layer], addr + len);
    };
    for (const isa::Instr& in : p.instrs) {
        const isa::LayerDesc& d = p.layers[in.layer];
        const uint64_t eb = d.elem_bytes();
        const uint64_t row_bytes = uint64_t(d.in_w) * uint64_t(d.in_c) * eb;
        switch (in.op) {
            case isa::Opcode::kLoad:
            case isa::Opcode::kStore: {
                const isa::Transfer& x = p.xfer(in);
                if (x.rows > 0) {
                    reach(in.layer, x.sram_addr,
                          uint64_t(x.rows - 1) * x.sram_stride + x.row_bytes);
                }
                break;
            }
            case isa::Opcode::kCompute: {
                const isa::Compute& c = p.comp(in);
                reach(in.layer, c.slab_addr, uint64_t(c.slab_rows) * row_bytes);
                reach(in.layer, c.w_addr, d.w_block_bytes(c.k, c.n, c.w_transposed));
                reach(in.layer, c.bias_addr, uint64_t(c.n) * 4);
                break;
            }
            case isa::Opcode::kVector: {
                const isa::Vector& v = p.vec(in);
                const uint64_t flat = uint64_t(v.rows) * uint64_t(v.len) * eb;
                reach(in.layer, v.x_addr, flat);
                reach(in.layer, v.y_addr, flat);
                reach(in.layer, v.out_addr, flat);
                reach(in.layer, v.slab_addr,
                      uint64_t(v.slab_rows) * uint64_t(d.in_w) *
                          uint64_t(v.slab_c > 0 ? v.slab_c : d.in_c) * eb);
                reach(in.layer, v.w_addr,
                      d.dw_weight_bytes(int64_t{v.n} * d.kernel_h * d.kernel_w));
                reach(in.layer, v.bias_addr, uint64_t(v.n) * 4);
                break;
            }
            case isa::Opcode::kPostproc: {
                const isa::Postproc& q = p.post(in);
                reach(in.layer, q.out_addr, q.out_span(eb));
                break;
            }
            case isa::Opcode::kSync:
            case isa::Opcode::kWait:
            case isa::Opcode::kSignal:
                break;
        }
    }
    return hw;
}

std::vector<std::optional<Lifetime>> lifetimes(const Lowered& lowered) {
    std::vector<std::optional<Lifetime>> life(lowered.regions.size());
    // A layer output lives from its producer to its last reader (a reshape is a view: its
    // readers read the region it views, which Lowered already resolved).
    std::vector<std::optional<size_t>> last_reader(lowered.regions.size());
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        for (uint32_t r : lowered.layers[li].input_regions) last_reader[r] = li;
    }
    for (size_t r = 0; r < lowered.regions.size(); ++r) {
        const Region& region = lowered.regions[r];
        if (region.kind != Region::Kind::kOutput || !last_reader[r]) continue;
        life[r] = Lifetime{region.layer, *last_reader[r]};
    }
    return life;
}

namespace {

// First fit of one tensor of `size` bytes alive during `life`, from the top of the scratchpad,
// above the working set of every layer that runs while it is alive, clear of every tensor placed
// so far that is alive at the same time. Candidates: right under the top, or right under a
// placed tensor. Nothing if it does not fit.
struct Placed {
    uint64_t addr, size;
    size_t from, to;
};
std::optional<uint64_t> first_fit(uint64_t size, const Lifetime& life,
                                  const std::vector<uint64_t>& work,
                                  const std::vector<Placed>& placed, uint64_t top) {
    uint64_t floor = 0;
    for (size_t k = life.from; k <= life.to; ++k) floor = std::max(floor, work[k]);
    floor = align_up(floor, kSramAlign);
    if (size + floor > top) return std::nullopt;
    const auto clashes = [&](uint64_t a) {
        for (const Placed& p : placed) {
            if (p.from <= life.to && life.from <= p.to && a < p.addr + p.size &&
                p.addr < a + size) {
                return true;
            }
        }
        return false;
    };
    std::vector<uint64_t> candidates{(top - size) / kSramAlign * kSramAlign};
    for (const Placed& p : placed) {
        if (p.addr >= size) candidates.push_back((p.addr - size) / kSramAlign * kSramAlign);
    }
    std::sort(candidates.rbegin(), candidates.rend());
    for (uint64_t c : candidates) {
        if (c >= floor && !clashes(c)) return c;
    }
    return std::nullopt;
}

}  // namespace

MemoryPlan plan_memory(const Lowered& lowered, const std::vector<FusionGroup>& groups,
                       const std::vector<uint64_t>& work, const cfg::HwConfig& hw,
                       const MemoryBases& bases, bool onchip_activations,
                       const std::vector<bool>& keep_in_dram) {
    MemoryPlan plan;
    const size_t n = lowered.regions.size();
    plan.address.assign(n, 0);
    plan.onchip.assign(n, false);
    const std::vector<std::optional<Lifetime>> life = lifetimes(lowered);
    const uint64_t top = hw.scratchpad.size_bytes;
    std::vector<Placed> placed;
    const auto put_on_chip = [&](uint32_t r) {
        if (plan.onchip[r] || !life[r]) return true;
        const std::optional<uint64_t> a =
            first_fit(lowered.regions[r].bytes, *life[r], work, placed, top);
        if (!a) return false;
        placed.push_back({*a, lowered.regions[r].bytes, life[r]->from, life[r]->to});
        plan.onchip[r] = true;
        plan.address[r] = bases.onchip_window + *a;
        return true;
    };
    // A fusion group's intermediates first: they must stay on chip.
    for (const FusionGroup& g : groups) {
        for (size_t li : g.intermediates) {
            const LoweredLayer& x = lowered.layers[li];
            if (!put_on_chip(x.output_region)) {
                throw UserError(
                    Diagnostic{lowered.source_file, x.layer->source_line, x.layer->source_col,
                               "layers[" + std::to_string(li) + "]",
                               "layer '" + x.layer->name + "' is fused with the layers up to '" +
                                   lowered.layers[g.last].layer->name + "', but its output (" +
                                   std::to_string(lowered.regions[x.output_region].bytes) +
                                   " B) does not fit on chip beside their working sets"});
            }
        }
    }
    if (onchip_activations) {
        for (const LoweredLayer& x : lowered.layers) {
            if (x.layer->kind == graph::OpKind::kReshape) continue;  // a view, nothing to place
            if (!keep_in_dram.empty() && keep_in_dram.at(x.output_region)) continue;
            (void)put_on_chip(x.output_region);
        }
    }
    uint64_t at = bases.dram;
    plan.dram_begin = at;
    for (size_t r = 0; r < n; ++r) {
        if (plan.onchip[r]) continue;
        plan.address[r] = at;
        at = align_up(at + std::max<uint64_t>(lowered.regions[r].bytes, 1), kDramAlign);
    }
    plan.dram_end = at;
    return plan;
}

std::vector<std::optional<uint32_t>> plan_prefetch(const Lowered& lowered,
                                                   const std::vector<LayerPlan>& plans,
                                                   const std::vector<FusionGroup>& groups,
                                                   const std::vector<uint64_t>& work,
                                                   const MemoryPlan& plan, const cfg::HwConfig& hw,
                                                   const MemoryBases& bases) {
    std::vector<std::optional<uint32_t>> slots(lowered.layers.size());
    const std::vector<std::optional<Lifetime>> life = lifetimes(lowered);
    std::vector<Placed> placed;
    for (size_t r = 0; r < lowered.regions.size(); ++r) {
        if (plan.onchip[r] && life[r]) {
            placed.push_back({plan.address[r] - bases.onchip_window, lowered.regions[r].bytes,
                              life[r]->from, life[r]->to});
        }
    }
    for (size_t g = 1; g < groups.size(); ++g) {
        const size_t li = groups[g].first;
        const std::optional<isa::Transfer> w = first_weights(lowered.layers[li], plans[li]);
        if (!w) continue;
        const uint64_t bytes = uint64_t(w->rows) * w->row_bytes;
        const std::optional<uint64_t> a =
            first_fit(bytes, Lifetime{groups[g - 1].first, groups[g].last}, work, placed,
                      hw.scratchpad.size_bytes);
        if (a) slots[li] = static_cast<uint32_t>(*a);
    }
    return slots;
}

void link(Emitted& e, const Lowered& lowered, const MemoryPlan& plan) {
    isa::Program& p = e.program;
    for (size_t i = 0; i < p.instrs.size(); ++i) {
        if (e.regions[i] != kNoRegion) p.xfer(p.instrs[i]).dram_addr += plan.address[e.regions[i]];
    }
    for (size_t li = 0; li < lowered.layers.size(); ++li) {
        const LoweredLayer& x = lowered.layers[li];
        isa::LayerDesc& d = p.layers[li];
        d.input_addr = plan.address[x.input_regions.front()];
        if (x.weight_region != kNoRegion) d.weight_addr = plan.address[x.weight_region];
        if (x.bias_region != kNoRegion) d.bias_addr = plan.address[x.bias_region];
        d.output_addr = plan.address[x.output_region];
        d.residency = plan.onchip[x.output_region] ? "on-chip" : "dram";
    }
    p.dram_bytes_used = plan.dram_end - plan.dram_begin;
}

}  // namespace npu::compiler

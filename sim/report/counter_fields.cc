#include "sim/report/counter_fields.h"

namespace npu::report {

// Counters holds only uint64_t fields; if a field is added there and not here, this fails, which
// is the point: an unnamed counter would silently vanish from stats.json.
static constexpr std::size_t kCounterFieldCount = 28;
static_assert(sizeof(stats::Counters) == kCounterFieldCount * sizeof(uint64_t),
              "stats::Counters changed: update counter_fields() and docs/stats.md");

const std::vector<CounterField>& counter_fields() {
    using C = stats::Counters;
    static const std::vector<CounterField> kFields = {
        {"instructions", &C::instructions, "count"},
        {"macs", &C::macs, "count"},
        {"macs_int4", &C::macs_int4, "count"},
        {"macs_bf16", &C::macs_bf16, "count"},
        {"macs_fp16", &C::macs_fp16, "count"},
        {"macs_fp32", &C::macs_fp32, "count"},
        {"array_busy_cycles", &C::array_busy_cycles, "cycles"},
        {"tiles", &C::tiles, "count"},
        {"dram_read_bytes", &C::dram_read_bytes, "bytes"},
        {"dram_write_bytes", &C::dram_write_bytes, "bytes"},
        {"dram_bursts", &C::dram_bursts, "count"},
        {"dma_descriptors", &C::dma_descriptors, "count"},
        {"spad_read_bytes", &C::spad_read_bytes, "bytes"},
        {"spad_write_bytes", &C::spad_write_bytes, "bytes"},
        {"acc_read_bytes", &C::acc_read_bytes, "bytes"},
        {"acc_write_bytes", &C::acc_write_bytes, "bytes"},
        {"spad_bank_conflicts", &C::spad_bank_conflicts, "count"},
        {"spad_bank_conflict_cycles", &C::spad_bank_conflict_cycles, "cycles"},
        {"acc_bank_conflicts", &C::acc_bank_conflicts, "count"},
        {"acc_bank_conflict_cycles", &C::acc_bank_conflict_cycles, "cycles"},
        {"postproc_elements", &C::postproc_elements, "count"},
        {"requant_fixed_point_elements", &C::requant_fixed_point_elements, "count", 2},
        {"requant_float32_elements", &C::requant_float32_elements, "count", 2},
        {"compute_wait_load_cycles", &C::compute_wait_load_cycles, "cycles"},
        {"compute_wait_store_cycles", &C::compute_wait_store_cycles, "cycles"},
        {"load_wait_compute_cycles", &C::load_wait_compute_cycles, "cycles"},
        {"store_wait_compute_cycles", &C::store_wait_compute_cycles, "cycles"},
        {"dispatch_queue_full_cycles", &C::dispatch_queue_full_cycles, "cycles"},
    };
    return kFields;
}

}  // namespace npu::report

#include "models/mem/dram/address_map.h"

#include <stdexcept>

namespace npu::dram {
namespace {

unsigned log2_exact(uint64_t v) {
    unsigned bits = 0;
    while ((uint64_t{1} << bits) < v) ++bits;
    return bits;
}

}  // namespace

AddressMap::AddressMap(const cfg::DramConfig& c)
    : m_burst_bytes(c.atom_bytes()), m_burst_shift(log2_exact(m_burst_bytes)) {
    const auto order = cfg::parse_dram_mapping(c.mapping);
    if (!order) throw std::invalid_argument("AddressMap: invalid mapping '" + c.mapping + "'");
    std::array<uint64_t, cfg::kAddressFieldCount> count{};
    count[static_cast<size_t>(cfg::AddressField::kRow)] = static_cast<uint64_t>(c.rows);
    count[static_cast<size_t>(cfg::AddressField::kBank)] = static_cast<uint64_t>(c.banks_per_group);
    count[static_cast<size_t>(cfg::AddressField::kBankGroup)] =
        static_cast<uint64_t>(c.bank_groups);
    count[static_cast<size_t>(cfg::AddressField::kRank)] = static_cast<uint64_t>(c.ranks);
    count[static_cast<size_t>(cfg::AddressField::kColumn)] =
        static_cast<uint64_t>(c.columns / c.burst_length);
    count[static_cast<size_t>(cfg::AddressField::kChannel)] = static_cast<uint64_t>(c.channels);
    // Least significant field last in the string: assign bits from the bottom up.
    unsigned shift = m_burst_shift;
    for (size_t i = cfg::kAddressFieldCount; i-- > 0;) {
        const auto f = static_cast<size_t>((*order)[i]);
        const unsigned bits = log2_exact(count[f]);
        m_slices[f] = {shift, (uint64_t{1} << bits) - 1};
        shift += bits;
    }
}

uint64_t AddressMap::encode(const DramAddress& a) const {
    using F = cfg::AddressField;
    auto put = [&](F f, uint32_t v) {
        const Slice& s = m_slices[static_cast<size_t>(f)];
        return (uint64_t{v} & s.mask) << s.shift;
    };
    return put(F::kChannel, a.channel) | put(F::kRank, a.rank) | put(F::kBankGroup, a.bank_group) |
           put(F::kBank, a.bank) | put(F::kRow, a.row) | put(F::kColumn, a.column);
}

}  // namespace npu::dram

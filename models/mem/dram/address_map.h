// Address mapping of the banked DRAM: a physical byte address -> channel, rank, bank group, bank,
// row and column (burst) by slicing bits, as a mapping string says (dram.mapping, most
// significant field first, e.g. RoBaRaCoBgCh). Below every field lie the byte-in-burst bits
// (log2 of the burst size); each field takes log2(its count) bits; bits above the capacity are
// ignored (an address wraps around the device).
#pragma once

#include <array>
#include <cstdint>

#include "sim/config/dram_config.h"

namespace npu::dram {

struct DramAddress {
    uint32_t channel = 0;
    uint32_t rank = 0;
    uint32_t bank_group = 0;
    uint32_t bank = 0;  // within the bank group
    uint32_t row = 0;
    uint32_t column = 0;  // burst index within the row
};

class AddressMap {
  public:
    // The config passed validation (powers of two, a valid mapping string).
    explicit AddressMap(const cfg::DramConfig& config);
    [[nodiscard]] DramAddress decode(uint64_t addr) const {
        using F = cfg::AddressField;
        return {field(addr, F::kChannel), field(addr, F::kRank), field(addr, F::kBankGroup),
                field(addr, F::kBank),    field(addr, F::kRow),  field(addr, F::kColumn)};
    }
    // One field of decode(addr).
    [[nodiscard]] uint32_t field(uint64_t addr, cfg::AddressField f) const {
        const Slice& s = m_slices[static_cast<size_t>(f)];
        return static_cast<uint32_t>((addr >> s.shift) & s.mask);
    }
    // The address bits field `f` is decoded from.
    [[nodiscard]] uint64_t bits(cfg::AddressField f) const {
        const Slice& s = m_slices[static_cast<size_t>(f)];
        return s.mask << s.shift;
    }
    // The lowest address of the burst `a` names (decode's inverse on burst-aligned addresses).
    [[nodiscard]] uint64_t encode(const DramAddress& a) const;
    [[nodiscard]] uint64_t burst_bytes() const { return m_burst_bytes; }
    // log2(burst_bytes()) (a power of two): the burst of `addr` is addr >> burst_shift().
    [[nodiscard]] unsigned burst_shift() const { return m_burst_shift; }

  private:
    struct Slice {
        unsigned shift = 0;
        uint64_t mask = 0;
    };
    std::array<Slice, cfg::kAddressFieldCount> m_slices{};
    uint64_t m_burst_bytes;
    unsigned m_burst_shift;
};

}  // namespace npu::dram

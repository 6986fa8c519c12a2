#include "models/platform/address_map.h"

#include <sstream>

#include "models/process.h"
#include "sim/core/error.h"

namespace npu::model {

AddressMap::AddressMap(sc_core::sc_module_name name) : sc_module(name) {}

void AddressMap::add_region(std::string region, uint64_t base, uint64_t size, MemTargetIf& target) {
    for (size_t i = 0; i < m_regions.size(); ++i) {
        const Region& r = m_regions[i];
        if (base < r.base + r.size && r.base < base + size) {
            throw ModelError(
                name(), 0, -1,
                "region '" + region + "' overlaps region '" + m_names[i] + "':\n" + describe());
        }
    }
    m_regions.push_back({base, size, &target});
    m_names.push_back(std::move(region));
}

std::string AddressMap::describe() const {
    std::ostringstream os;
    for (size_t i = 0; i < m_regions.size(); ++i) {
        const Region& r = m_regions[i];
        os << "  [0x" << std::hex << r.base << ", 0x" << r.base + r.size << std::dec << ") "
           << m_names[i] << '\n';
    }
    return os.str();
}

void AddressMap::unmapped(uint64_t addr, uint64_t len) const {
    std::ostringstream os;
    os << "no target holds [0x" << std::hex << addr << ", 0x" << addr + len << std::dec
       << "); the address map is:\n"
       << describe();
    throw ModelError(name(), now_cycles(), -1, os.str());
}

uint64_t AddressMap::request(MemRequest& r) {
    const Region* region = find(r.addr, r.bytes);
    if (region == nullptr) unmapped(r.addr, r.bytes);
    r.addr -= region->base;
    return region->target->request(r);
}

MemTargetIf::Route AddressMap::route(uint64_t addr, uint64_t len) {
    const Region* region = find(addr, len);
    if (region == nullptr) return {this, 0};
    Route r = region->target->route(addr - region->base, len);
    r.offset += region->base;
    return r;
}

void AddressMap::debug_access(uint64_t addr, uint8_t* buf, uint32_t len, bool write) {
    const Region* region = find(addr, len);
    if (region == nullptr) unmapped(addr, len);
    region->target->debug_access(addr - region->base, buf, len, write);
}

}  // namespace npu::model

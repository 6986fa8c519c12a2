// Statistics per component, in the manner of gem5's stats groups: every model component declares
// its statistics with a name, a description and a unit, and counts them where the action happens,
// attributed to the layer of the instruction whose action it is (isa::Instr::layer). The groups
// form a tree named like the model's instances, so a statistic reads as a path:
// "npu.dma.bursts", "npu.spad.bank3.conflicts", "dram.bytes_read". Models count; they never
// price (the energy model prices stats::Counters, which sim/run derives from this tree).
//
// Plain C++ (no SystemC): the tree outlives the models that count into it, and reports read it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <string>
#include <string_view>
#include <vector>

namespace npu::stats {

// One statistic: a count per layer (index = the program's layer index).
class Stat {
  public:
    Stat(std::string name, std::string description, std::string unit, size_t layers)
        : m_name(std::move(name)),
          m_description(std::move(description)),
          m_unit(std::move(unit)),
          m_per_layer(layers, 0) {}

    void add(size_t layer, uint64_t value) { m_per_layer[layer] += value; }
    [[nodiscard]] uint64_t at(size_t layer) const { return m_per_layer[layer]; }
    [[nodiscard]] uint64_t total() const;
    [[nodiscard]] const std::string& name() const { return m_name; }
    [[nodiscard]] const std::string& description() const { return m_description; }
    [[nodiscard]] const std::string& unit() const { return m_unit; }

  private:
    std::string m_name;
    std::string m_description;
    std::string m_unit;  // "count", "bytes", "cycles"
    std::vector<uint64_t> m_per_layer;
};

// A component's statistics and its sub-components' groups. References returned by group() and
// stat() stay valid for the group's lifetime (models keep them and count through them).
class StatGroup {
  public:
    explicit StatGroup(std::string name = "", size_t layers = 0)
        : m_name(std::move(name)), m_layers(layers) {}

    // The sub-component group `name`, created on first use (same number of layers).
    StatGroup& group(const std::string& name);
    // Declares a statistic of this group. Throws std::logic_error if the name is taken (by a
    // statistic or a sub-group): a name is a path and must mean one thing.
    Stat& stat(const std::string& name, std::string description, std::string unit);

    [[nodiscard]] const std::string& name() const { return m_name; }
    [[nodiscard]] size_t layers() const { return m_layers; }
    [[nodiscard]] const std::deque<Stat>& stats() const { return m_stats; }
    [[nodiscard]] const std::list<StatGroup>& groups() const { return m_groups; }
    // A statistic by its path below this group ("dma.bursts"); nullptr if there is none.
    [[nodiscard]] const Stat* find(std::string_view path) const;
    [[nodiscard]] const StatGroup* find_group(std::string_view name) const;
    // Every statistic below this group as (path, stat), depth first in declaration order.
    [[nodiscard]] std::vector<std::pair<std::string, const Stat*>> flatten() const;

  private:
    std::string m_name;
    size_t m_layers = 0;
    std::deque<Stat> m_stats;       // deque: references stay valid as stats are added
    std::list<StatGroup> m_groups;  // list: likewise for sub-groups
};

}  // namespace npu::stats

#include "sim/stats/component_stats.h"

#include <numeric>
#include <stdexcept>

namespace npu::stats {

uint64_t Stat::total() const {
    return std::accumulate(m_per_layer.begin(), m_per_layer.end(), uint64_t{0});
}

const StatGroup* StatGroup::find_group(std::string_view name) const {
    for (const StatGroup& g : m_groups) {
        if (g.m_name == name) return &g;
    }
    return nullptr;
}

StatGroup& StatGroup::group(const std::string& name) {
    if (const StatGroup* g = find_group(name)) return const_cast<StatGroup&>(*g);
    for (const Stat& s : m_stats) {
        if (s.name() == name) {
            throw std::logic_error("statistics group '" + m_name + "' has a statistic named '" +
                                   name + "'; it cannot also name a sub-group");
        }
    }
    return m_groups.emplace_back(name, m_layers);
}

Stat& StatGroup::stat(const std::string& name, std::string description, std::string unit) {
    for (const Stat& s : m_stats) {
        if (s.name() == name) {
            throw std::logic_error("statistic '" + name + "' declared twice in group '" + m_name +
                                   "'");
        }
    }
    if (find_group(name) != nullptr) {
        throw std::logic_error("statistics group '" + m_name + "' has a sub-group named '" + name +
                               "'; it cannot also name a statistic");
    }
    return m_stats.emplace_back(name, std::move(description), std::move(unit), m_layers);
}

const Stat* StatGroup::find(std::string_view path) const {
    const size_t dot = path.find('.');
    if (dot == std::string_view::npos) {
        for (const Stat& s : m_stats) {
            if (s.name() == path) return &s;
        }
        return nullptr;
    }
    const StatGroup* g = find_group(path.substr(0, dot));
    return g != nullptr ? g->find(path.substr(dot + 1)) : nullptr;
}

std::vector<std::pair<std::string, const Stat*>> StatGroup::flatten() const {
    std::vector<std::pair<std::string, const Stat*>> out;
    for (const Stat& s : m_stats) out.emplace_back(s.name(), &s);
    for (const StatGroup& g : m_groups) {
        for (auto& [path, s] : g.flatten()) out.emplace_back(g.m_name + "." + path, s);
    }
    return out;
}

}  // namespace npu::stats

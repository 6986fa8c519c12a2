#include "sim/config/config_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "sim/config/config_schema.h"
#include "sim/config/paths.h"
#include "sim/core/edit_distance.h"
#include "sim/core/input_file.h"
#include "sim/core/units.h"
#include "sim/core/yaml_messages.h"

namespace npu::cfg {
namespace {

namespace fs = std::filesystem;

constexpr const char* kOverrideLabel = "--set";
constexpr const char* kEnergyPrefix = "energy.";
constexpr const char* kInlineEnergyName = "custom";
constexpr const char* kDramPresetKey = "dram.preset";

struct Location {
    std::string file;
    int line = 0;  // 1-based; 0 = unknown
    int col = 0;
};

Location location_of(const std::string& file, const YAML::Mark& mark) {
    if (mark.is_null() || mark.line < 0) return {file, 0, 0};
    return {file, mark.line + 1, mark.column + 1};
}

// "found ..." text for a node of the wrong shape.
std::string describe(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Null:
            return "nothing";
        case YAML::NodeType::Sequence:
            return "a sequence";
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Scalar:
            return in_quotes(node.Scalar());
        case YAML::NodeType::Undefined:
            break;
    }
    return "nothing";
}

std::string last_component(const std::string& key) {
    size_t dot = key.rfind('.');
    return dot == std::string::npos ? key : key.substr(dot + 1);
}

// The closest known key, if one is close enough to be a likely typo: a small edit distance on the
// whole path ("array.row"), or the right key name in the wrong section ("rows" at top level).
std::optional<std::string> closest_key(const std::string& path, bool energy_only) {
    std::vector<std::string> candidates;
    for (const auto& f : hw_fields()) {
        if (!energy_only || f.key.rfind(kEnergyPrefix, 0) == 0) candidates.push_back(f.key);
    }
    if (!energy_only) {
        for (const auto& s : hw_sections()) candidates.push_back(s.name);
        candidates.emplace_back(kDramPresetKey);
    }
    std::optional<std::string> best;
    size_t best_distance = 0;
    // The edit distance is at least the difference in length: far longer or shorter keys are
    // skipped without computing it (a 46 kB unknown key took seconds against every candidate).
    for (const auto& c : candidates) {
        size_t allowed = std::max<size_t>(2, c.size() / 4);
        if (length_gap(path, c) > allowed) continue;
        size_t d = edit_distance(path, c);
        if (d <= allowed && (!best || d < best_distance)) {
            best = c;
            best_distance = d;
        }
    }
    if (best) return best;
    // A truncated key: "energy.dram_pj" for "energy.dram_pj_per_byte".
    for (const auto& c : candidates) {
        if (path.size() > 3 && c.rfind(path, 0) == 0) return c;
    }
    const std::string leaf = last_component(path);
    for (const auto& c : candidates) {
        const std::string other = last_component(c);
        if (leaf.size() > 2 && length_gap(leaf, other) <= 1 && edit_distance(leaf, other) <= 1) {
            return c;
        }
    }
    return std::nullopt;
}

std::string strip_energy_prefix(const std::string& key) {
    return key.rfind(kEnergyPrefix, 0) == 0 ? key.substr(std::strlen(kEnergyPrefix)) : key;
}

std::string unknown_key_message(const std::string& path, bool table_file) {
    auto hint = closest_key(path, table_file);
    if (!hint) return "unknown key (`npusim config --schema` lists every key)";
    return "unknown key, did you mean '" + (table_file ? strip_energy_prefix(*hint) : *hint) + "'?";
}

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) {
        if (!out.empty()) out += ", ";
        out += n;
    }
    return out;
}

// The NAME of every NAME.yaml in `dir`, sorted.
std::vector<std::string> bundled_names(const std::string& dir) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Reads a config or energy table file (a regular file of bounded size); on failure returns
// nullopt and sets `error` to the user-facing message.
std::optional<std::string> read_file(const std::string& path, std::string& error) {
    return read_input_file(path, kMaxTextInputBytes, "a config file", error);
}

// Loads YAML into `config`, collecting every problem. Records where each key's value came from
// (for cross-field diagnostics) and which keys were rejected (so cross-field checks never reason
// about a value the user did not actually give).
class Loader {
  public:
    explicit Loader(HwConfig& config) : m_config(config) {}

    DiagnosticList& diagnostics() { return m_diags; }
    const std::map<std::string, Location>& locations() const { return m_where; }
    const std::set<std::string>& failed_keys() const { return m_failed; }

    // Parses a document; returns its root mapping, or nullopt after reporting why there is none.
    std::optional<YAML::Node> parse_root(const std::string& text, const std::string& label,
                                         const char* what) {
        YAML::Node root;
        try {
            root = YAML::Load(text);
        } catch (const YAML::Exception& e) {
            add(location_of(label, e.mark), "",
                yaml_syntax_message(e.msg, text, e.mark.line, e.mark.column));
            return std::nullopt;
        }
        if (!root.IsMap()) {
            std::string found = root.IsNull() ? "an empty document" : describe(root);
            add(location_of(label, root.Mark()), "",
                std::string("expected a mapping of ") + what + " at the top level, found " + found);
            return std::nullopt;
        }
        return root;
    }

    void load_document(const std::string& text, const std::string& label) {
        auto root = parse_root(text, label, "config keys");
        if (!root) return;
        walk_map(*root, "", label, base_dir_of(label), false);
    }

    void apply_override(const std::string& item) {
        size_t eq = item.find('=');
        std::string key = trim(item.substr(0, eq == std::string::npos ? 0 : eq));
        if (eq == std::string::npos || key.empty()) {
            add({kOverrideLabel}, "", "expected key=value, found " + in_quotes(item));
            return;
        }
        std::string value = trim(item.substr(eq + 1));
        Location here{kOverrideLabel};
        if (key == "energy") {
            load_energy_by_name(value, "", here);
        } else if (key == kDramPresetKey) {
            load_dram_preset(value, "", here);
        } else if (is_section(key)) {
            add(here, key,
                "is a section, not a key: set one of its keys, e.g. " + first_key_of(key) + "=...");
        } else if (const FieldSpec* field = find_field(key)) {
            set_leaf(*field, value, here, key);
        } else {
            add(here, key, unknown_key_message(key, false));
        }
    }

    EnergyTable load_energy_file(const std::string& path, const Location& referenced_from,
                                 const std::string& referencing_key) {
        std::string error;
        auto text = read_file(path, error);
        if (!text) {
            add(referenced_from, referencing_key, error);
            return m_config.energy;
        }
        auto root = parse_root(*text, path, "energy table keys");
        if (!root) return m_config.energy;
        // A table file stands alone: keys it leaves out take the horowitz45 defaults.
        m_config.energy = EnergyTable{};
        m_config.energy.name = fs::path(path).stem().string();
        walk_map(*root, "energy", path, base_dir_of(path), true);
        return m_config.energy;
    }

  private:
    static std::string trim(const std::string& s) {
        size_t b = s.find_first_not_of(" \t");
        if (b == std::string::npos) return "";
        size_t e = s.find_last_not_of(" \t");
        return s.substr(b, e - b + 1);
    }

    static std::string base_dir_of(const std::string& file) {
        return fs::path(file).parent_path().string();
    }

    static std::string first_key_of(const std::string& section) {
        for (const auto& f : hw_fields()) {
            if (f.key.rfind(section + ".", 0) == 0) return f.key;
        }
        return section;
    }

    void add(const Location& at, const std::string& key, const std::string& message) {
        m_diags.add({at.file, at.line, at.col, key, message});
    }

    void walk_map(const YAML::Node& map, const std::string& prefix, const std::string& file,
                  const std::string& base_dir, bool table_file) {
        std::map<std::string, int> seen;  // key -> line of its first occurrence
        // A preset sets the device first, so the mapping's own keys override it in any order.
        if (!table_file && prefix == "dram") apply_dram_preset_of(map, file, base_dir);
        for (const auto& entry : map) {
            const YAML::Node& key_node = entry.first;
            const YAML::Node& value = entry.second;
            Location key_at = location_of(file, key_node.Mark());
            Location value_at = location_of(file, value.Mark());
            // An empty value has no position of its own (yaml-cpp marks the next token).
            if (value_at.line == 0 || value.IsNull()) value_at = key_at;
            if (!key_node.IsScalar()) {
                add(key_at, prefix, "expected a key name, found " + describe(key_node));
                continue;
            }
            const std::string name = key_node.Scalar();
            const std::string path = prefix.empty() ? name : prefix + "." + name;
            const std::string shown = table_file ? strip_energy_prefix(path) : path;
            auto [it, inserted] = seen.emplace(name, key_at.line);
            if (!inserted) {
                add(key_at, shown,
                    "duplicate key (first given on line " + std::to_string(it->second) + ")");
                continue;
            }
            if (path == kDramPresetKey && !m_in_dram_preset) continue;  // applied first
            if (m_in_dram_preset && !is_dram_preset_key(name) && prefix == "dram") {
                add(key_at, path,
                    "is not a device key: a preset sets the device, the hardware config sets "
                    "dram.model, dram.size and the simple model's keys");
                continue;
            }
            if (!table_file && path == "energy") {
                set_energy(value, value_at, base_dir);
            } else if (!table_file && is_section(path)) {
                if (value.IsMap()) {
                    walk_map(value, path, file, base_dir, false);
                } else if (!value.IsNull()) {  // an empty section keeps every default
                    add(value_at, path,
                        "expected a mapping of " + path + " keys, found " + describe(value));
                }
            } else if (const FieldSpec* field = find_field(path);
                       field != nullptr && (!table_file || path.rfind(kEnergyPrefix, 0) == 0)) {
                if (!value.IsScalar()) {
                    add(value_at, shown,
                        "expected " + expected_text(*field) + ", found " + describe(value));
                    m_failed.insert(path);
                    continue;
                }
                set_leaf(*field, value.Scalar(), value_at, shown);
            } else {
                add(key_at, shown, unknown_key_message(path, table_file));
            }
        }
    }

    void set_leaf(const FieldSpec& field, const std::string& text, const Location& at,
                  const std::string& shown_key) {
        if (auto error = assign_field(field, m_config, text)) {
            add(at, shown_key, *error);
            m_failed.insert(field.key);
            return;
        }
        m_where[field.key] = at;
        m_failed.erase(field.key);
    }

    // The first `preset:` of a dram mapping, if any (a second one is reported as a duplicate).
    void apply_dram_preset_of(const YAML::Node& map, const std::string& file,
                              const std::string& base_dir) {
        if (m_in_dram_preset) return;  // reported as "not a device key" in the walk
        for (const auto& entry : map) {
            if (!entry.first.IsScalar() || entry.first.Scalar() != "preset") continue;
            Location at = location_of(file, entry.second.Mark());
            if (at.line == 0 || entry.second.IsNull()) at = location_of(file, entry.first.Mark());
            if (!entry.second.IsScalar()) {
                add(at, kDramPresetKey,
                    "expected a DRAM preset name or a path to a .yaml file, found " +
                        describe(entry.second));
                return;
            }
            load_dram_preset(entry.second.Scalar(), base_dir, at);
            return;
        }
    }

    // `dram.preset`: a bundled name (configs/dram/NAME.yaml) or a path relative to `base_dir`.
    // The device keys go back to their defaults, then the file's keys apply; its `name` defaults
    // to the file's stem.
    void load_dram_preset(const std::string& name, const std::string& base_dir,
                          const Location& at) {
        auto path = resolve_table(name, base_dir, dram_presets_dir(), at, kDramPresetKey,
                                  "a bundled DRAM preset");
        if (!path) return;
        std::string error;
        auto text = read_file(*path, error);
        if (!text) {
            add(at, kDramPresetKey, error);
            return;
        }
        auto root = parse_root(*text, *path, "DRAM preset keys");
        if (!root) return;
        m_config.dram = m_config.dram.with_device_defaults();
        m_config.dram.name = fs::path(*path).stem().string();
        m_in_dram_preset = true;
        walk_map(*root, "dram", *path, base_dir_of(*path), false);
        m_in_dram_preset = false;
        m_where[kDramPresetKey] = at;
    }

    // A bundled NAME (in `bundled_dir`, as NAME.yaml) or a path (anything with a '/' or a .yaml /
    // .yml extension) relative to `base_dir`; nullopt after reporting an unknown name.
    std::optional<std::string> resolve_table(const std::string& name, const std::string& base_dir,
                                             const std::string& bundled_dir, const Location& at,
                                             const std::string& key, const std::string& what) {
        fs::path p(name);
        bool bare = name.find('/') == std::string::npos && p.extension() != ".yaml" &&
                    p.extension() != ".yml";
        if (!bare) {
            return (p.is_absolute() || base_dir.empty()) ? name : (fs::path(base_dir) / p).string();
        }
        std::string path = bundled_dir + "/" + name + ".yaml";
        std::error_code ec;
        if (!name.empty() && fs::exists(path, ec)) return path;
        auto known = bundled_names(bundled_dir);
        add(at, key,
            "expected " + what + " (" +
                (known.empty() ? "none found in " + bundled_dir : join_names(known)) +
                ") or a path to a .yaml file, found " + in_quotes(name));
        return std::nullopt;
    }

    void set_energy(const YAML::Node& value, const Location& at, const std::string& base_dir) {
        if (value.IsScalar()) {
            load_energy_by_name(value.Scalar(), base_dir, at);
        } else if (value.IsMap()) {
            // An inline table starts from the defaults; without a name it is not horowitz45.
            m_config.energy = EnergyTable{};
            m_config.energy.name = kInlineEnergyName;
            walk_map(value, "energy", at.file, base_dir, false);
        } else {
            add(at, "energy",
                "expected an energy table name, a path to a .yaml file or a mapping, found " +
                    describe(value));
        }
    }

    // `name`: a bundled table ("horowitz45" -> <data_dir>/configs/energy/horowitz45.yaml) or a
    // path, relative to `base_dir` (the config file's directory; the working directory for --set).
    void load_energy_by_name(const std::string& name, const std::string& base_dir,
                             const Location& at) {
        auto path = resolve_table(name, base_dir, energy_tables_dir(), at, "energy",
                                  "a bundled energy table");
        if (!path) return;
        size_t before = m_diags.items().size();
        load_energy_file(*path, at, "energy");
        if (m_diags.items().size() == before) m_where["energy"] = at;
    }

    HwConfig& m_config;
    DiagnosticList m_diags;
    std::map<std::string, Location> m_where;
    std::set<std::string> m_failed;
    bool m_in_dram_preset = false;  // walking a preset file: only device keys are allowed
};

// ---- cross-field validation ---------------------------------------------------------------

class Validator {
  public:
    Validator(const HwConfig& c, DiagnosticList& diags, const std::string& label,
              const std::map<std::string, Location>& where, const std::set<std::string>& failed)
        : m_c(c), m_diags(diags), m_label(label), m_where(where), m_failed(failed) {}

    void run() {
        for (const auto& f : hw_fields()) {
            if (m_failed.count(f.key) != 0) continue;
            if (auto error = check_field_range(f, m_c)) {
                report({f.key}, *error);
                m_bad.insert(f.key);
            }
        }
        check_sram("scratchpad", m_c.scratchpad);
        check_sram("accumulator", m_c.accumulator);
        check_array_feeds();
        check_dma();
        check_dram();
        check_l2();
        check_minimum_tiles();
    }

  private:
    // A rule is checked only if every key it reads holds a value that passed its own checks.
    bool usable(std::initializer_list<const char*> keys) const {
        for (const char* k : keys) {
            if (m_failed.count(k) != 0 || m_bad.count(k) != 0) return false;
        }
        return true;
    }
    bool usable(const std::vector<std::string>& keys) const {
        for (const auto& k : keys) {
            if (m_failed.count(k) != 0 || m_bad.count(k) != 0) return false;
        }
        return true;
    }

    // Reported at the first key named (or the first one with a known location).
    void report(const std::vector<std::string>& keys, const std::string& message) {
        Location at{m_label};
        for (const auto& k : keys) {
            auto it = m_where.find(k);
            if (it != m_where.end()) {
                at = it->second;
                break;
            }
        }
        m_diags.add({at.file, at.line, at.col, keys.front(), message});
    }

    static std::string num(uint64_t v) { return std::to_string(v); }

    void check_sram(const std::string& s, const SramConfig& sram) {
        const std::string size = s + ".size", banks = s + ".banks", width = s + ".bank_width";
        if (!usable({size.c_str(), banks.c_str(), width.c_str()})) return;
        auto b = static_cast<uint64_t>(sram.banks);
        auto w = static_cast<uint64_t>(sram.bank_width_bytes);
        if (sram.size_bytes % b != 0) {
            report({size, banks}, "expected a multiple of " + banks + " (" + num(b) +
                                      ") so every bank has the same size, found " +
                                      units::format_size(sram.size_bytes));
            return;
        }
        uint64_t bank = sram.size_bytes / b;
        if (bank % w != 0) {
            report({width, size, banks}, "expected a divisor of the bank size (" + size + " / " +
                                             banks + " = " + units::format_size(sram.size_bytes) +
                                             " / " + num(b) + " = " + units::format_size(bank) +
                                             ") so a bank is a whole number of rows, found " +
                                             units::format_size(w));
        }
    }

    void check_array_feeds() {
        auto rows = static_cast<uint64_t>(m_c.array.rows);
        auto cols = static_cast<uint64_t>(m_c.array.cols);
        auto spad_w = static_cast<uint64_t>(m_c.scratchpad.bank_width_bytes);
        auto acc_w = static_cast<uint64_t>(m_c.accumulator.bank_width_bytes);
        if (usable({"scratchpad.bank_width", "array.rows"}) && spad_w < rows) {
            report({"scratchpad.bank_width", "array.rows"},
                   "expected >= array.rows (" + num(rows) +
                       ") so one bank feeds a row per cycle, found " + num(spad_w));
        }
        if (usable({"scratchpad.bank_width", "array.cols"}) && spad_w < cols) {
            report({"scratchpad.bank_width", "array.cols"},
                   "expected >= array.cols (" + num(cols) +
                       ") so one bank feeds a column per cycle, found " + num(spad_w));
        }
        if (usable({"accumulator.bank_width", "array.cols"}) && acc_w < 4 * cols) {
            report({"accumulator.bank_width", "array.cols"},
                   "expected >= 4 * array.cols (" + num(4 * cols) +
                       ") so one bank takes an int32 row of results per cycle, found " +
                       num(acc_w));
        }
    }

    void check_dma() {
        auto burst = static_cast<uint64_t>(m_c.dma.burst_bytes);
        if (usable({"dma.burst"}) && (burst & (burst - 1)) != 0) {
            report({"dma.burst"},
                   "expected a power of two (DRAM bursts are aligned power-of-two "
                   "transfers), found " +
                       units::format_size(burst));
        }
    }

    void check_dram() {
        for (const DramProblem& p : dram_problems(m_c)) {
            if (usable(p.keys)) report(p.keys, p.message);
        }
        if (m_c.dram.model != DramModel::kSimple) return;
        if (!usable({"dram.bandwidth", "clock", "dram.channels"})) return;
        // Each channel must move at least one byte per NPU cycle: bandwidth >= clock * channels.
        double need = m_c.clock_hz * m_c.dram.channels;
        if (m_c.dram.bandwidth_bytes_per_s < need) {
            report({"dram.bandwidth", "clock", "dram.channels"},
                   "expected >= clock * dram.channels (" + units::format_frequency(m_c.clock_hz) +
                       " * " + std::to_string(m_c.dram.channels) + " = " +
                       units::format_bandwidth(need) +
                       ") so each channel moves at least 1 byte per cycle, found " +
                       units::format_bandwidth(m_c.dram.bandwidth_bytes_per_s));
        }
    }

    // The L2's geometry (checked only when there is one, l2.size > 0): a power-of-two line, a
    // size that is a whole number of sets in every bank.
    void check_l2() {
        const L2Config& l2 = m_c.l2;
        if (!usable({"l2.size"}) || !l2.present()) return;
        auto line = static_cast<uint64_t>(l2.line_bytes);
        bool line_ok = usable({"l2.line"});
        if (line_ok && (line & (line - 1)) != 0) {
            report({"l2.line"}, "expected a power of two (lines are aligned), found " +
                                    units::format_size(line));
            line_ok = false;
        }
        if (!line_ok || !usable({"l2.ways", "l2.banks"})) return;
        const uint64_t set =
            line * static_cast<uint64_t>(l2.ways) * static_cast<uint64_t>(l2.banks);
        if (l2.size_bytes % set != 0) {
            report({"l2.size", "l2.line", "l2.ways", "l2.banks"},
                   "expected a multiple of l2.line * l2.ways * l2.banks (" + num(line) + " * " +
                       num(static_cast<uint64_t>(l2.ways)) + " * " +
                       num(static_cast<uint64_t>(l2.banks)) + " = " + units::format_size(set) +
                       ") so every bank holds whole sets, found " +
                       units::format_size(l2.size_bytes));
        }
    }

    void check_minimum_tiles() {
        auto rows = static_cast<uint64_t>(m_c.array.rows);
        auto cols = static_cast<uint64_t>(m_c.array.cols);
        if (usable({"scratchpad.size", "array.rows", "array.cols"})) {
            // Weights (rows*cols) + activations (rows*cols) + int8 outputs (cols*rows), twice.
            uint64_t need = 2 * 3 * rows * cols;
            if (m_c.scratchpad.size_bytes < need) {
                report({"scratchpad.size", "array.rows", "array.cols"},
                       "expected >= 2 * 3 * array.rows * array.cols = 2 * 3 * " + num(rows) +
                           " * " + num(cols) + " = " + units::format_size(need) +
                           " (a double-buffered weight, activation and output tile), found " +
                           units::format_size(m_c.scratchpad.size_bytes));
            }
        }
        if (usable({"accumulator.size", "array.rows", "array.cols"})) {
            uint64_t need = 2 * 4 * rows * cols;
            if (m_c.accumulator.size_bytes < need) {
                report({"accumulator.size", "array.rows", "array.cols"},
                       "expected >= 2 * 4 * array.rows * array.cols = 2 * 4 * " + num(rows) +
                           " * " + num(cols) + " = " + units::format_size(need) +
                           " (a double-buffered int32 output tile), found " +
                           units::format_size(m_c.accumulator.size_bytes));
            }
        }
    }

    const HwConfig& m_c;
    DiagnosticList& m_diags;
    std::string m_label;
    const std::map<std::string, Location>& m_where;
    const std::set<std::string>& m_failed;
    std::set<std::string> m_bad;  // keys that failed their range check here
};

constexpr const char* kBuiltInLabel = "built-in default config";

// Every config npusim uses is formed here: the built-in defaults, then the document (`text`, or
// the file `path` when text is null; neither: the defaults alone), then the overrides, then one
// validation of the whole (ranges and cross-field rules), however it was formed.
HwConfig form_config(const std::string* text, const std::string* path,
                     const std::vector<std::string>& overrides) {
    HwConfig config;
    Loader loader(config);
    std::string label = kBuiltInLabel;
    if (path != nullptr) {
        label = *path;
        if (text == nullptr) {
            std::string error;
            auto contents = read_file(*path, error);
            if (!contents) throw UserError(Diagnostic{"", 0, 0, "", error});
            loader.load_document(*contents, label);
        } else {
            loader.load_document(*text, label);
        }
        config.source_file = label;
    }
    for (const auto& item : overrides) loader.apply_override(item);
    Validator(config, loader.diagnostics(), label, loader.locations(), loader.failed_keys()).run();
    loader.diagnostics().throw_if_any();
    for (const auto& [key, at] : loader.locations()) {
        config.key_sources[key] = KeySource{at.file, at.line, at.col};
    }
    return config;
}

// YAML double-quoted scalar: always safe, whatever the name contains.
std::string yaml_quote(const std::string& s) {
    std::string out = "\"";
    for (char ch : s) {
        auto u = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (u < 0x20 || u == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", u);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string yaml_value(const FieldSpec& f, const HwConfig& c) {
    std::string v = format_field(f, c);
    return f.type == FieldType::kString ? yaml_quote(v) : v;
}

void dump_line(std::ostringstream& os, const std::string& indent, const std::string& key,
               const std::string& value, const std::string& comment) {
    std::string line = indent + key + ": " + value;
    constexpr size_t kCommentColumn = 36;
    if (line.size() < kCommentColumn) line += std::string(kCommentColumn - line.size(), ' ');
    os << line << "  # " << comment << '\n';
}

std::string field_comment(const FieldSpec& f) {
    std::string c = f.meaning;
    if (!f.unit.empty() && f.type != FieldType::kSize && f.type != FieldType::kFrequency &&
        f.type != FieldType::kBandwidth) {
        c += " [" + f.unit + "]";
    }
    return c;
}

}  // namespace

HwConfig load_hw_config(const std::string& path, const std::vector<std::string>& overrides) {
    return form_config(nullptr, &path, overrides);
}

HwConfig load_hw_config_from_string(const std::string& yaml_text, const std::string& file_label,
                                    const std::vector<std::string>& overrides) {
    return form_config(&yaml_text, &file_label, overrides);
}

HwConfig load_hw(const std::optional<std::string>& hw, const std::vector<std::string>& overrides) {
    if (!hw) return form_config(nullptr, nullptr, overrides);
    const std::string path = resolve_input(InputKind::kHwConfig, *hw, "--hw");
    return form_config(nullptr, &path, overrides);
}

HwConfig default_hw_config() { return form_config(nullptr, nullptr, {}); }

void apply_overrides(HwConfig& config, const std::vector<std::string>& overrides) {
    HwConfig next = config;
    Loader loader(next);
    for (const auto& item : overrides) loader.apply_override(item);
    Validator(next, loader.diagnostics(), kOverrideLabel, loader.locations(), loader.failed_keys())
        .run();
    loader.diagnostics().throw_if_any();
    for (const auto& [key, at] : loader.locations()) {
        next.key_sources[key] = KeySource{at.file, at.line, at.col};
    }
    config = std::move(next);
}

std::vector<Diagnostic> check_overrides(const std::vector<std::string>& overrides) {
    HwConfig scratch;
    Loader loader(scratch);
    for (const auto& item : overrides) loader.apply_override(item);
    return loader.diagnostics().items();
}

void validate(const HwConfig& config, DiagnosticList& diagnostics, const std::string& file_label) {
    const std::map<std::string, Location> no_locations;
    const std::set<std::string> no_failures;
    Validator(config, diagnostics, file_label, no_locations, no_failures).run();
}

std::string describe_key(const HwConfig& config, const std::string& key) {
    std::string text = key;
    if (const FieldSpec* f = find_field(key)) text += " = " + format_field(*f, config);
    const KeySource at = config.source_of(key);
    if (at.line == 0 && at.file != kOverrideLabel && config.key_sources.count(key) == 0) {
        return text + (config.source_file.empty() ? " (built-in default)"
                                                  : " (default; not set in " + at.file + ")");
    }
    std::string where = at.file;
    if (at.line > 0) where += ":" + std::to_string(at.line) + ":" + std::to_string(at.col);
    return text + " (" + where + ")";
}

EnergyTable load_energy_table(const std::string& path) {
    HwConfig scratch;
    Loader loader(scratch);
    EnergyTable table = loader.load_energy_file(path, Location{}, "");
    loader.diagnostics().throw_if_any();
    return table;
}

std::string dump_yaml(const HwConfig& config) {
    std::ostringstream os;
    os << "# npusim effective hardware configuration: every key, defaults included.\n"
       << "# Loads back to the same configuration; `npusim config --schema` explains each key.\n";
    std::string current_section;
    for (const auto& f : hw_fields()) {
        size_t dot = f.key.find('.');
        if (dot == std::string::npos) {
            dump_line(os, "", f.key, yaml_value(f, config), field_comment(f));
            continue;
        }
        std::string section = f.key.substr(0, dot);
        if (section != current_section) {
            current_section = section;
            for (const auto& s : hw_sections()) {
                if (s.name == section) os << "\n# " << s.meaning << '\n';
            }
            os << section << ":\n";
        }
        dump_line(os, "  ", f.key.substr(dot + 1), yaml_value(f, config), field_comment(f));
    }
    return os.str();
}

std::string schema_text() {
    const HwConfig defaults;
    struct Row {
        std::string key, type, def, unit, range, meaning;
    };
    std::vector<Row> rows;
    rows.push_back({"key", "type", "default", "unit", "range", "meaning"});
    for (const auto& f : hw_fields()) {
        if (f.key == "dram.name") {
            rows.push_back({kDramPresetKey, "preset", "", "", "bundled name | path",
                            "banked: sets every device key from configs/dram/NAME.yaml (or a "
                            "path), before the other dram keys, which override it"});
        }
        if (f.key == "energy.name") {
            rows.push_back({"energy", "table", "horowitz45", "", "bundled name | path | mapping",
                            "energy table: a bundled name (configs/energy/NAME.yaml), a path "
                            "relative to the config file, or the energy.* keys inline"});
        }
        rows.push_back({f.key, type_name(f.type), format_field(f, defaults), f.unit, range_text(f),
                        f.meaning});
    }
    std::vector<size_t> width(5, 0);
    for (const auto& r : rows) {
        const std::string* cols[] = {&r.key, &r.type, &r.def, &r.unit, &r.range};
        for (size_t i = 0; i < 5; ++i) width[i] = std::max(width[i], cols[i]->size());
    }
    std::ostringstream os;
    os << "Hardware config keys (YAML; nested keys are sections: `array:` then `  rows: 32`).\n"
       << "Every key is optional; a missing key takes the default shown. Override any key with\n"
       << "--set key=value. Units: frequency 1GHz, 700MHz, 1.5GHz (plain number = Hz); size 64B,\n"
       << "256KiB, 4MiB (1024-based), 512KB (1000-based), plain integer = bytes; bandwidth\n"
       << "25.6GB/s, 10GiB/s, 800MB/s (plain number = bytes/s).\n\n";
    for (size_t r = 0; r < rows.size(); ++r) {
        const Row& row = rows[r];
        const std::string* cols[] = {&row.key, &row.type, &row.def, &row.unit, &row.range};
        std::string line;
        for (size_t i = 0; i < 5; ++i)
            line += *cols[i] + std::string(width[i] - cols[i]->size() + 2, ' ');
        os << line << row.meaning << '\n';
        if (r == 0) {
            size_t total = line.size() + row.meaning.size();
            os << std::string(total, '-') << '\n';
        }
    }
    return os.str();
}

}  // namespace npu::cfg

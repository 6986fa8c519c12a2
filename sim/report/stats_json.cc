#include "sim/report/stats_json.h"

#include <fstream>
#include <optional>
#include <utility>

#include "sim/core/error.h"
#include "sim/core/input_file.h"
#include "sim/core/types.h"
#include "sim/report/counter_fields.h"
#include "sim/report/dram_figures.h"
#include "sim/report/figures.h"
#include "sim/report/output_file.h"

namespace npu::report {

using nlohmann::json;

namespace {

struct EnergyField {
    const char* name;
    double cfg::EnergyTable::*member;
    int since_minor = 1;  // as CounterField::since_minor
};

// EnergyTable's numeric fields, by their stats.json key (equal to the config key).
const std::vector<EnergyField>& energy_fields() {
    using T = cfg::EnergyTable;
    static const std::vector<EnergyField> kFields = {
        {"mac_int8_pj", &T::mac_int8_pj},
        {"mac_int4_pj", &T::mac_int4_pj},
        {"mac_bf16_pj", &T::mac_bf16_pj},
        {"mac_fp16_pj", &T::mac_fp16_pj},
        {"mac_fp32_pj", &T::mac_fp32_pj},
        {"spad_read_pj_per_byte", &T::spad_read_pj_per_byte},
        {"spad_write_pj_per_byte", &T::spad_write_pj_per_byte},
        {"acc_read_pj_per_byte", &T::acc_read_pj_per_byte},
        {"acc_write_pj_per_byte", &T::acc_write_pj_per_byte},
        {"dram_pj_per_byte", &T::dram_pj_per_byte},
        {"static_mw", &T::static_mw},
        {"requant_fixed_point_pj", &T::requant_fixed_point_pj, 2},
        {"requant_float32_pj", &T::requant_float32_pj, 2},
    };
    return kFields;
}

json counters_json(const stats::Counters& c) {
    json j = json::object();
    for (const auto& f : counter_fields()) j[f.name] = c.*f.member;
    return j;
}

}  // namespace

// The banked DRAM's figures (dram_figures.h); only runs with dram.model banked have them.
json dram_json(const DramFigures& f) {
    json j{{"bursts", f.bursts},
           {"row_hits", f.row_hits},
           {"row_misses", f.row_misses},
           {"row_conflicts", f.row_conflicts},
           {"row_hit_rate", f.row_hit_rate},
           {"activates", f.activates},
           {"precharges", f.precharges},
           {"refreshes", f.refreshes},
           {"refresh_cycles", f.refresh_cycles},
           {"bandwidth_utilization", f.bandwidth_utilization},
           {"read_queue_occupancy", f.read_queue_occupancy},
           {"write_queue_occupancy", f.write_queue_occupancy},
           {"average_latency_cycles", f.average_latency}};
    if (f.energy) {
        j["energy_pj"] =
            json{{"activate", f.energy->activate_pj},     {"read", f.energy->read_pj},
                 {"write", f.energy->write_pj},           {"refresh", f.energy->refresh_pj},
                 {"background", f.energy->background_pj}, {"total", f.energy->total_pj()}};
    }
    return j;
}

json components_json(const stats::StatGroup& group, const size_t* layer) {
    json j = json::object();
    for (const stats::Stat& st : group.stats()) j[st.name()] = layer ? st.at(*layer) : st.total();
    for (const stats::StatGroup& g : group.groups()) j[g.name()] = components_json(g, layer);
    return j;
}

namespace {

json energy_json(const energy::EnergyBreakdown& e) {
    json j{{"mac", e.mac_pj}, {"spad", e.spad_pj},     {"acc", e.acc_pj},      {"dram", e.dram_pj},
           {"ppu", e.ppu_pj}, {"static", e.static_pj}, {"total", e.total_pj()}};
    if (e.has_l2) j["l2"] = e.l2_pj;  // runs with an L2 only
    return j;
}

// The shared L2's counts of a row (runs with an L2 only).
json l2_json(const stats::L2Counts& c) {
    return json{{"hits", c.hits},
                {"misses", c.misses},
                {"hit_rate", c.hit_rate()},
                {"writebacks", c.writebacks},
                {"bytes", c.bytes}};
}

// The figures shared by a layer object and the totals object.
void put_figures(json& j, const Figures& f) {
    j["cycles"] = f.cycles;
    j["time_s"] = f.time_s;
    j["macs_total"] = f.macs;
    j["mac_utilization"] = f.mac_utilization;
    j["tops"] = f.tops;
    j["dram_bytes"] = f.dram_bytes;
    j["dram_gbps"] = f.dram_gbps;
    j["dram_peak_fraction"] = f.dram_peak_fraction;
    j["arithmetic_intensity"] = f.arithmetic_intensity;
    j["ridge_point"] = f.ridge_point;
    j["attainable_macs_per_cycle"] = f.attainable_macs_per_cycle;
    j["achieved_macs_per_cycle"] = f.achieved_macs_per_cycle;
    j["attainable_fraction"] = f.attainable_fraction;
    j["bound"] = to_string(f.bound);
    j["energy_pj"] = energy_json(f.energy);
}

// What limited a row (sim/stats/limiters.h): the top cause, its share of the row's cycles and
// every cause's cycles (they add up to the row's cycles).
void put_limiters(json& j, const stats::LimiterCycles& c) {
    json cycles = json::object();
    for (size_t i = 0; i < stats::kLimiters; ++i) {
        cycles[stats::to_string(static_cast<stats::Limiter>(i))] = c.cycles[i];
    }
    j["limiter"] = limiter_name(c);
    j["limiter_share"] = limiter_share(c);
    j["limiter_cycles"] = std::move(cycles);
}

std::string found_text(const json& v) {
    if (v.is_string()) return "string \"" + v.get<std::string>() + "\"";
    if (v.is_number() || v.is_boolean()) return std::string(v.type_name()) + " " + v.dump();
    return v.type_name();
}

// Typed lookups that record a diagnostic instead of throwing, so every bad key is reported.
class Reader {
  public:
    Reader(std::string source, DiagnosticList& diags)
        : m_source(std::move(source)), m_diags(diags) {}

    const json* member(const json& obj, const std::string& key_path, const char* name) {
        if (!obj.is_object()) {
            error(key_path, std::string("expected an object, found ") + found_text(obj));
            return nullptr;
        }
        auto it = obj.find(name);
        if (it == obj.end()) {
            error(join(key_path, name), "expected a value, found nothing (key missing)");
            return nullptr;
        }
        return &*it;
    }

    uint64_t u64(const json& obj, const std::string& key_path, const char* name) {
        const json* v = member(obj, key_path, name);
        if (v == nullptr) return 0;
        if (v->is_number_unsigned()) return v->get<uint64_t>();
        if (v->is_number_integer() && v->get<int64_t>() >= 0) {
            return static_cast<uint64_t>(v->get<int64_t>());
        }
        error(join(key_path, name), "expected a non-negative integer, found " + found_text(*v));
        return 0;
    }

    double number(const json& obj, const std::string& key_path, const char* name) {
        const json* v = member(obj, key_path, name);
        if (v == nullptr) return 0;
        if (v->is_number()) return v->get<double>();
        error(join(key_path, name), "expected a number, found " + found_text(*v));
        return 0;
    }

    std::string string(const json& obj, const std::string& key_path, const char* name) {
        const json* v = member(obj, key_path, name);
        if (v == nullptr) return {};
        if (v->is_string()) return v->get<std::string>();
        error(join(key_path, name), "expected a string, found " + found_text(*v));
        return {};
    }

    void error(const std::string& key, const std::string& message) {
        m_diags.add(Diagnostic{m_source, 0, 0, key, message});
    }

    static std::string join(const std::string& path, const char* name) {
        return path.empty() ? std::string(name) : path + "." + name;
    }

  private:
    std::string m_source;
    DiagnosticList& m_diags;
};

// A key added after schema_minor_version 1 may be missing from an older file: it reads as 0
// (the older file counted and priced none of it).
bool older_file_lacks(const json& j, const char* name, int since_minor) {
    return since_minor > 1 && !j.contains(name);
}

stats::Counters read_counters(Reader& r, const json& j, const std::string& key) {
    stats::Counters c;
    if (!j.is_object()) {
        r.error(key, "expected an object of counters, found " + found_text(j));
        return c;
    }
    for (const auto& f : counter_fields()) {
        if (older_file_lacks(j, f.name, f.since_minor)) continue;
        c.*f.member = r.u64(j, key, f.name);
    }
    return c;
}

// The "l2" object of a row, if the file has one (runs with an L2): its counts.
std::optional<stats::L2Counts> read_l2(Reader& r, const json& row, const std::string& key) {
    if (!row.is_object() || !row.contains("l2")) return std::nullopt;
    const json& j = row["l2"];
    const std::string k = key + ".l2";
    stats::L2Counts c;
    c.hits = r.u64(j, k, "hits");
    c.misses = r.u64(j, k, "misses");
    c.writebacks = r.u64(j, k, "writebacks");
    c.bytes = r.u64(j, k, "bytes");
    return c;
}

cfg::EnergyTable read_energy_table(Reader& r, const json& j, const std::string& key) {
    cfg::EnergyTable t;
    if (!j.is_object()) {
        r.error(key, "expected an object, found " + found_text(j));
        return t;
    }
    t.name = r.string(j, key, "name");
    for (const auto& f : energy_fields()) {
        t.*f.member = older_file_lacks(j, f.name, f.since_minor) ? 0.0 : r.number(j, key, f.name);
    }
    return t;
}

PricedRun price_doc(const json& doc, const cfg::EnergyTable* table_override,
                    const std::string& source) {
    DiagnosticList diags;
    Reader r(source, diags);
    PricedRun out;
    const double clock_hz = r.number(doc, "", "clock_hz");
    cfg::EnergyTable table;
    if (table_override != nullptr) {
        table = *table_override;
    } else if (const json* t = r.member(doc, "", "energy_table")) {
        table = read_energy_table(r, *t, "energy_table");
        // Written only by runs with an L2; others keep the default (they have no L2 to price).
        if (t->is_object() && t->contains("l2_pj_per_byte")) {
            table.l2_pj_per_byte = r.number(*t, "energy_table", "l2_pj_per_byte");
        }
    }
    // Every core leaks static_mw: a multi-core file lists its cores (one core: no list).
    const auto cores_it = doc.find("cores");
    const double cores = cores_it != doc.end() && cores_it->is_array() && !cores_it->empty()
                             ? static_cast<double>(cores_it->size())
                             : 1.0;
    if (const json* layers = r.member(doc, "", "layers")) {
        if (!layers->is_array()) {
            r.error("layers", "expected an array, found " + found_text(*layers));
        } else {
            for (std::size_t i = 0; i < layers->size(); ++i) {
                const json& l = (*layers)[i];
                const std::string key = "layers[" + std::to_string(i) + "]";
                const uint64_t cycles = r.u64(l, key, "cycles");
                stats::Counters c;
                if (const json* cj = r.member(l, key, "counters")) {
                    c = read_counters(r, *cj, key + ".counters");
                }
                energy::EnergyBreakdown e = energy::price(c, cycles, clock_hz, table);
                // Static energy over the exclusive cycles (report/figures.h layer_figures);
                // files before schema_minor_version 4 have none: their spans did not overlap.
                if (l.is_object() && l.contains("exclusive_cycles")) {
                    const uint64_t exclusive = r.u64(l, key, "exclusive_cycles");
                    if (exclusive != 0 && exclusive != cycles) {
                        e.static_pj =
                            energy::price(stats::Counters{}, exclusive, clock_hz, table).static_pj;
                    }
                }
                e.static_pj *= cores;
                if (const auto l2 = read_l2(r, l, key)) e.set_l2(energy::price_l2(*l2, table));
                out.layers.push_back(e);
            }
        }
    }
    if (const json* totals = r.member(doc, "", "totals")) {
        const uint64_t cycles = r.u64(*totals, "totals", "cycles");
        stats::Counters c;
        if (const json* cj = r.member(*totals, "totals", "counters")) {
            c = read_counters(r, *cj, "totals.counters");
        }
        out.total = energy::price(c, cycles, clock_hz, table);
        out.total.static_pj *= cores;
        if (const auto l2 = read_l2(r, *totals, "totals")) {
            out.total.set_l2(energy::price_l2(*l2, table));
        }
    }
    diags.throw_if_any();
    return out;
}

}  // namespace

json stats_to_json(const stats::RunStats& run, const cfg::HwConfig& hw) {
    const Peaks peaks = peaks_of(run, hw);
    const cfg::EnergyTable& table = hw.energy;

    json doc;
    doc["schema_version"] = kStatsSchemaVersion;
    doc["schema_minor_version"] = kStatsSchemaMinorVersion;
    doc["tool"] = kToolName;
    doc["tool_version"] = kToolVersion;
    doc["config_name"] = run.config_name.empty() ? hw.name : run.config_name;
    doc["workload"] = run.workload_name;
    doc["fidelity"] = run.fidelity;
    doc["functional"] = run.functional;
    if (run.batch > 1) doc["batch"] = run.batch;
    if (!run.cores.empty()) {  // a multi-core run: each core's share and figures
        doc["partition"] = run.partition;
        json cores = json::array();
        const double per_core_peak =
            static_cast<double>(peaks.macs_per_cycle) / static_cast<double>(run.cores.size());
        for (std::size_t c = 0; c < run.cores.size(); ++c) {
            const stats::CoreStats& cs = run.cores[c];
            const double slots = per_core_peak * static_cast<double>(run.total_cycles);
            cores.push_back(
                json{{"core", c},
                     {"first_image", cs.first_image},
                     {"images", cs.images},
                     {"end_cycle", cs.end_cycle},
                     {"macs", cs.macs},
                     {"utilization", slots > 0 ? static_cast<double>(cs.macs) / slots : 0.0}});
        }
        doc["cores"] = std::move(cores);
    }
    doc["clock_hz"] = peaks.clock_hz;
    doc["array"] = json{{"rows", hw.array.rows},
                        {"cols", hw.array.cols},
                        {"dataflow", to_string(hw.array.dataflow)},
                        {"pipelining", to_string(hw.array.pipelining)}};
    doc["peak"] = json{{"macs_per_cycle", peaks.macs_per_cycle},
                       {"tops", peaks.tops()},
                       {"dram_bytes_per_cycle", peaks.dram_bytes_per_cycle},
                       {"dram_gbps", peaks.dram_gbps()},
                       {"ridge_point", peaks.ridge_point()}};
    doc["precision"] = json{{"name", run.precision}, {"cycles_per_mac", run.cycles_per_mac}};
    if (!run.note.empty()) doc["note"] = run.note;
    json et = json::object();
    et["name"] = table.name;
    for (const auto& f : energy_fields()) et[f.name] = table.*f.member;
    if (run.l2) et["l2_pj_per_byte"] = table.l2_pj_per_byte;  // runs with an L2 only
    doc["energy_table"] = std::move(et);

    json layers = json::array();
    for (std::size_t i = 0; i < run.layers.size(); ++i) {
        const stats::LayerStats& l = run.layers[i];
        json lj;
        lj["index"] = i;
        lj["name"] = l.name;
        lj["op"] = l.op;
        lj["shape"] = l.shape;
        lj["mapping"] = l.mapping;
        lj["residency"] = l.residency;
        if (!l.fusion.empty()) {  // compiler.fusion considered fusing it into the next layer
            lj["fusion"] = json{{"note", l.fusion},
                                {"fused", l.fused},
                                {"dram_bytes_saved", l.fusion_dram_saved},
                                {"onchip_bytes_saved", l.fusion_onchip_saved}};
        }
        lj["precision"] = l.precision;
        lj["cycles_per_mac"] = l.cycles_per_mac;
        lj["start_cycle"] = l.start_cycle;
        lj["end_cycle"] = l.end_cycle;
        lj["exclusive_cycles"] = l.exclusive_cycles;
        lj["overlapped_cycles"] = l.overlapped_cycles;
        if (l.hazard_wait_cycles) lj["hazard_wait_cycles"] = *l.hazard_wait_cycles;
        put_figures(lj, layer_figures(l, peaks, table));
        put_limiters(lj, l.limiters);
        lj["counters"] = counters_json(l.counters);
        if (l.l2) lj["l2"] = l2_json(*l.l2);
        if (const auto d = dram_figures(run, hw, &i, l.cycles())) lj["dram"] = dram_json(*d);
        if (run.components.layers() == run.layers.size()) {
            lj["components"] = components_json(run.components, &i);
        }
        lj["checked"] = l.checked;
        lj["bit_exact"] = l.checked && l.bit_exact;
        lj["mismatches"] = l.mismatches;
        layers.push_back(std::move(lj));
    }
    doc["layers"] = std::move(layers);
    if (const std::vector<FusionGroupFigures> groups = fusion_groups(run); !groups.empty()) {
        json fj;
        json gj = json::array();
        int64_t dram = 0, onchip = 0;
        for (const FusionGroupFigures& g : groups) {
            gj.push_back(json{{"layers", g.layers},
                              {"dram_bytes_saved", g.dram_bytes_saved},
                              {"onchip_bytes_saved", g.onchip_bytes_saved}});
            dram += g.dram_bytes_saved;
            onchip += g.onchip_bytes_saved;
        }
        fj["groups"] = std::move(gj);
        fj["dram_bytes_saved"] = dram;
        fj["onchip_bytes_saved"] = onchip;
        doc["fusion"] = std::move(fj);
    }

    const CheckSummary check = check_summary(run);
    json totals;
    const Figures total = total_figures(run, peaks, table);
    put_figures(totals, total);
    put_limiters(totals, run.limiters);
    totals["inferences_per_second"] = inferences_per_second(total.time_s, run.batch);
    if (run.batch > 1) {  // the totals are the batch's; per inference they divide by it
        const double n = run.batch;
        totals["per_inference"] =
            json{{"time_s", total.time_s / n},
                 {"cycles", static_cast<double>(run.total_cycles) / n},
                 {"energy_pj", total.energy.total_pj() / n},
                 {"dram_bytes",
                  static_cast<double>(run.total.dram_read_bytes + run.total.dram_write_bytes) / n}};
    }
    // Silicon area of the array built for the run's widest precision plus its SRAM (area table).
    {
        Precision widest = parse_precision(run.precision).value_or(Precision::kInt8);
        for (const auto& l : run.layers) {
            const Precision p = parse_precision(l.precision).value_or(Precision::kInt8);
            if (hw.area.pe_um2[static_cast<size_t>(p)] >
                hw.area.pe_um2[static_cast<size_t>(widest)]) {
                widest = p;
            }
        }
        totals["area_mm2"] = hw.area_mm2(widest);
    }
    totals["counters"] = counters_json(run.total);
    if (!run.layers.empty() && run.layers.front().hazard_wait_cycles) {  // compiler.overlap full
        uint64_t waited = 0;
        for (const auto& l : run.layers) waited += l.hazard_wait_cycles.value_or(0);
        totals["hazard_wait_cycles"] = waited;
    }
    if (run.l2) totals["l2"] = l2_json(*run.l2);
    if (const auto d = dram_figures(run, hw, nullptr, run.total_cycles)) {
        totals["dram"] = dram_json(*d);
    }
    doc["components"] = components_json(run.components);
    totals["layers"] = check.layers;
    totals["layers_checked"] = check.checked;
    totals["layers_bit_exact"] = check.bit_exact;
    totals["mismatches"] = check.mismatches;
    totals["bit_exact"] = check.all_checked_exact();
    doc["totals"] = std::move(totals);

    const double wall = run.wall_seconds;
    doc["host"] = json{{"wall_seconds", wall},
                       {"simulated_cycles_per_second",
                        wall > 0 ? static_cast<double>(run.total_cycles) / wall : 0.0}};
    return doc;
}

void write_stats_json(const std::string& path, const stats::RunStats& run,
                      const cfg::HwConfig& hw) {
    write_file_atomic(
        path, stats_to_json(run, hw).dump(2, ' ', false, json::error_handler_t::replace) + '\n');
}

namespace {

// 1-based line and column of byte `offset` in `text`.
std::pair<int, int> line_col(const std::string& text, size_t offset) {
    int line = 1, col = 1;
    for (size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return {line, col};
}

}  // namespace

json parse_json_bounded(const std::string& text, const std::string& source) {
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxJsonDepth) {
                const auto [line, col] = line_col(text, i);
                throw UserError(Diagnostic{source, line, col, "",
                                           "expected JSON nested at most " +
                                               std::to_string(kMaxJsonDepth) +
                                               " levels deep, found deeper nesting"});
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    try {
        return json::parse(text);
    } catch (const json::parse_error& e) {
        const auto [line, col] = line_col(text, e.byte > 0 ? e.byte - 1 : 0);
        // nlohmann's own text after its "[json.exception.parse_error.101] parse error at ..."
        // prefix: what it expected and found.
        std::string what = e.what();
        const size_t colon = what.find(": ", what.find("parse error"));
        what = colon == std::string::npos ? what : what.substr(colon + 2);
        throw UserError(Diagnostic{source, line, col, "", "invalid JSON: " + shown(what, 160)});
    } catch (const json::out_of_range& e) {
        // A number too large for a double (e.g. 1e99999): nlohmann reports it as out_of_range 406
        // with the number's text but no position; the position is that text's first occurrence.
        std::string what = e.what();
        const size_t quote = what.find('\'');
        const size_t end = quote == std::string::npos ? quote : what.find('\'', quote + 1);
        const std::string number =
            end == std::string::npos ? std::string() : what.substr(quote + 1, end - quote - 1);
        const size_t at = number.empty() ? std::string::npos : text.find(number);
        const auto [line, col] =
            at == std::string::npos ? std::pair<int, int>{0, 0} : line_col(text, at);
        throw UserError(Diagnostic{source, line, col, "",
                                   "invalid JSON: expected a number a double can hold, found " +
                                       (number.empty() ? std::string("a number out of range")
                                                       : "'" + shown(number, 80) + "'")});
    }
}

json read_stats_json(const std::string& path) {
    const json doc = parse_json_bounded(
        read_input_file_or_throw(path, kMaxTextInputBytes, "a stats file"), path);
    if (!doc.is_object()) {
        throw UserError(
            Diagnostic{path, 0, 0, "", "expected a JSON object (a stats.json document)"});
    }
    DiagnosticList diags;
    Reader r(path, diags);
    const uint64_t version = r.u64(doc, "", "schema_version");
    diags.throw_if_any();
    if (version != static_cast<uint64_t>(kStatsSchemaVersion)) {
        throw UserError(Diagnostic{path, 0, 0, "schema_version",
                                   "expected " + std::to_string(kStatsSchemaVersion) + ", found " +
                                       std::to_string(version)});
    }
    return doc;
}

stats::Counters counters_from_json(const json& j, const std::string& key,
                                   const std::string& source) {
    DiagnosticList diags;
    Reader r(source, diags);
    stats::Counters c = read_counters(r, j, key);
    diags.throw_if_any();
    return c;
}

cfg::EnergyTable energy_table_from_json(const json& j, const std::string& key,
                                        const std::string& source) {
    DiagnosticList diags;
    Reader r(source, diags);
    cfg::EnergyTable t = read_energy_table(r, j, key);
    diags.throw_if_any();
    return t;
}

PricedRun price_from_stats_json(const json& doc, const std::string& source) {
    return price_doc(doc, nullptr, source);
}

PricedRun price_from_stats_json(const json& doc, const cfg::EnergyTable& table,
                                const std::string& source) {
    return price_doc(doc, &table, source);
}

}  // namespace npu::report

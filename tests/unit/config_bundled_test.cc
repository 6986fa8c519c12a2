// The bundled hardware configs and energy tables, the dump round trip, and the schema text.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "sim/config/config_loader.h"
#include "sim/config/config_schema.h"
#include "sim/config/paths.h"

namespace npu::cfg {
namespace {

const char* const kBundled[] = {"edge_npu", "tpu_v1", "gemmini", "nvdla", "vta"};

std::string config_path(const std::string& name) {
    return std::string(NPUSIM_SOURCE_DIR) + "/configs/" + name + ".yaml";
}

class ConfigBundled : public ::testing::Test {
  protected:
    void SetUp() override { set_data_dir(NPUSIM_SOURCE_DIR); }
};

TEST_F(ConfigBundled, EveryBundledConfigLoadsAndValidates) {
    for (const char* name : kBundled) {
        SCOPED_TRACE(name);
        HwConfig c;
        ASSERT_NO_THROW(c = load_hw_config(config_path(name), {}));
        EXPECT_EQ(c.name, name);
    }
}

// The comment that vouches for line `index` (0-based): its own trailing comment, else the block of
// comment lines directly above it.
std::string vouching_comment(const std::vector<std::string>& lines, size_t index) {
    const std::string& line = lines[index];
    if (const size_t hash = line.find('#'); hash != std::string::npos) return line.substr(hash);
    std::string block;
    for (size_t i = index; i-- > 0;) {
        const size_t first = lines[i].find_first_not_of(' ');
        if (first == std::string::npos || lines[i][first] != '#') break;
        block = lines[i] + "\n" + block;
    }
    return block;
}

// The node at key path parts[i..] under `node` (undefined when absent). Recursion on const nodes:
// assigning a yaml-cpp node would write into the document.
YAML::Node lookup(const YAML::Node& node, const std::vector<std::string>& parts, size_t i) {
    if (i == parts.size()) return node;
    if (!node.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node child = node[parts[i]];
    if (!child) return YAML::Node(YAML::NodeType::Undefined);
    return lookup(child, parts, i + 1);
}

// Issue 11: a bundled chip says what is known. Every key is written in the file (nothing falls
// back to the edge NPU's defaults), and each cites a source the header defines ("[2]") or says
// it is a choice. The compiler's section is not the chip's: left to its default.
TEST_F(ConfigBundled, EveryKeyOfABundledChipIsGivenAndCitesItsSourceOrIsMarkedAChoice) {
    for (const char* name : kBundled) {
        SCOPED_TRACE(name);
        std::ifstream in(config_path(name));
        std::vector<std::string> lines;
        for (std::string l; std::getline(in, l);) lines.push_back(l);
        std::set<std::string> defined;  // source tags the header defines: "#  [1] ..."
        const std::regex tag_definition(R"(^#\s+(\[\d+\]) )");
        for (const std::string& l : lines) {
            std::smatch m;
            if (std::regex_search(l, m, tag_definition)) defined.insert(m[1]);
        }
        const YAML::Node root = YAML::LoadFile(config_path(name));
        const bool inline_energy = root["energy"].IsMap();
        // A simple-model chip has no DRAM device; a banked one takes it from its cited preset.
        const bool device_from_elsewhere =
            root["dram"]["model"].as<std::string>() != "banked" || root["dram"]["preset"];
        for (const FieldSpec& f : hw_fields()) {
            const bool energy_key = f.key.rfind("energy.", 0) == 0;
            if (energy_key && !inline_energy) continue;  // from the cited table file
            // The compiler's choices (compiler.objective) are the user's, not the chip's.
            if (f.key.rfind("compiler.", 0) == 0) continue;
            // A chip without an L2 (l2.size: 0) has no L2 geometry to give.
            if (f.key.rfind("l2.", 0) == 0 && f.key != "l2.size" &&
                root["l2"]["size"].as<std::string>("0") == "0") {
                continue;
            }
            std::vector<std::string> parts;
            std::stringstream path(f.key);
            for (std::string part; std::getline(path, part, '.');) parts.push_back(part);
            const YAML::Node n = lookup(root, parts, 0);
            // The banked DRAM's device keys (dram.timing.*, ...): given, they must still be
            // vouched for.
            const bool device_key = f.meaning.rfind("banked: ", 0) == 0;
            if (device_key && device_from_elsewhere && !(n.IsDefined() && !n.IsNull())) continue;
            ASSERT_TRUE(n.IsDefined() && !n.IsNull()) << f.key << " is not given in " << name;
            const size_t line = static_cast<size_t>(n.Mark().line);
            const std::string comment = vouching_comment(lines, line);
            bool vouched = comment.find("choice") != std::string::npos;
            for (const std::string& t : defined)
                vouched = vouched || comment.find(t) != std::string::npos;
            EXPECT_TRUE(vouched) << f.key << " (line " << line + 1 << ": '" << lines[line]
                                 << "') cites no source and is not marked a choice";
        }
        if (!inline_energy) {
            const std::string comment =
                vouching_comment(lines, static_cast<size_t>(root["energy"].Mark().line));
            EXPECT_NE(comment.find('['), std::string::npos) << "energy: cites no source";
        }
    }
}

TEST_F(ConfigBundled, ChipsRunOnlyThePrecisionsTheyHave) {
    // Jouppi et al. 2017: the TPU v1 is int8 only. NVDLA nv_full: int8 and fp16 (half rate).
    const HwConfig tpu = load_hw_config(config_path("tpu_v1"), {});
    EXPECT_EQ(tpu.array.cycles_for(Precision::kInt8), 1);
    for (Precision p : {Precision::kInt4, Precision::kBf16, Precision::kFp16, Precision::kFp32}) {
        EXPECT_EQ(tpu.array.cycles_for(p), 0) << to_string(p);
    }
    EXPECT_EQ(tpu.energy.static_mw, 28000);  // measured idle power, not an edge NPU's 50 mW
    const HwConfig nvdla = load_hw_config(config_path("nvdla"), {});
    EXPECT_EQ(nvdla.array.cycles_for(Precision::kFp16), 2);
    EXPECT_EQ(nvdla.array.cycles_for(Precision::kFp32), 0);
}

TEST_F(ConfigBundled, EdgeNpuEqualsTheBuiltInDefaults) {
    HwConfig file = load_hw_config(config_path("edge_npu"), {});
    EXPECT_EQ(config_differences(file, default_hw_config()), std::vector<std::string>{});
}

TEST_F(ConfigBundled, PublishedParametersOfTheReferenceChips) {
    HwConfig tpu = load_hw_config(config_path("tpu_v1"), {});
    EXPECT_EQ(tpu.peak_macs_per_cycle(), 65536u);  // 256 * 256
    EXPECT_EQ(tpu.clock_hz, 7e8);
    EXPECT_EQ(tpu.scratchpad.size_bytes, 24ull << 20);
    EXPECT_EQ(tpu.accumulator.size_bytes, 4ull << 20);
    EXPECT_EQ(tpu.dram.bandwidth_bytes_per_s, 34e9);

    HwConfig gemmini = load_hw_config(config_path("gemmini"), {});
    EXPECT_EQ(gemmini.scratchpad.size_bytes, 256u * 1024);
    EXPECT_EQ(gemmini.scratchpad.banks, 4);
    EXPECT_EQ(gemmini.accumulator.size_bytes, 64u * 1024);
    EXPECT_EQ(gemmini.dram_bytes_per_cycle(), 16.0);  // 128-bit bus: 16GB/s / 1GHz

    HwConfig nvdla = load_hw_config(config_path("nvdla"), {});
    EXPECT_EQ(nvdla.peak_macs_per_cycle(), 2048u);  // 64 * 32
    EXPECT_EQ(nvdla.scratchpad.size_bytes, 512u * 1024);
    EXPECT_EQ(nvdla.dram.bandwidth_bytes_per_s, 10e9);
    EXPECT_EQ(nvdla.energy.name, "lpddr4_edge");

    HwConfig vta = load_hw_config(config_path("vta"), {});
    EXPECT_EQ(vta.peak_macs_per_cycle(), 256u);                 // 16 * 16
    EXPECT_EQ(vta.scratchpad.size_bytes, (32u + 256u) * 1024);  // input + weight buffers
    EXPECT_EQ(vta.accumulator.size_bytes, 128u * 1024);
}

TEST_F(ConfigBundled, DumpLoadsBackToAnEqualConfigForEveryBundledConfig) {
    for (const char* name : kBundled) {
        SCOPED_TRACE(name);
        HwConfig c = load_hw_config(config_path(name), {});
        std::string dump = dump_yaml(c);
        HwConfig back = load_hw_config_from_string(dump, "dump.yaml", {});
        EXPECT_EQ(config_differences(c, back), std::vector<std::string>{}) << dump;
        EXPECT_EQ(dump_yaml(back), dump);
    }
}

TEST_F(ConfigBundled, DumpRoundTripsAwkwardValuesExactly) {
    HwConfig c;
    c.name = "odd \"name\" \\ with: colon";
    c.clock_hz = 1.0 / 3.0 * 1e9;
    c.dram.bandwidth_bytes_per_s = 1.0 / 7.0 * 1e11;
    c.scratchpad.size_bytes = 3ull * 1000 * 1024;  // neither a KiB nor a KB multiple of one unit
    c.scratchpad.banks = 3;
    c.energy.name = "custom";
    c.energy.mac_int8_pj = 0.1 + 0.2;  // 0.30000000000000004
    HwConfig back = load_hw_config_from_string(dump_yaml(c), "dump.yaml", {});
    EXPECT_EQ(config_differences(c, back), std::vector<std::string>{}) << dump_yaml(c);
}

TEST_F(ConfigBundled, DumpIsSelfContainedAndCommented) {
    std::string dump = dump_yaml(default_hw_config());
    EXPECT_NE(dump.find("energy:\n  name: \"horowitz45\""), std::string::npos) << dump;
    EXPECT_NE(dump.find("  rows: 16                            # PE rows"), std::string::npos)
        << dump;
    EXPECT_NE(dump.find("clock: 1GHz"), std::string::npos);
    EXPECT_NE(dump.find("  size: 256KiB"), std::string::npos);
    EXPECT_NE(dump.find("  bandwidth: 16GB/s"), std::string::npos);
}

TEST_F(ConfigBundled, ConfigDifferencesSeesEveryKindOfField) {
    HwConfig a;
    HwConfig b;
    b.array.cols = 8;
    b.scratchpad.size_bytes = 1;
    b.clock_hz = 2e9;
    b.energy.name = "x";
    b.postproc.rounding = Rounding::kTflite;
    EXPECT_EQ(config_differences(a, b),
              (std::vector<std::string>{"clock", "array.cols", "scratchpad.size",
                                        "postproc.rounding", "energy.name"}));
}

TEST_F(ConfigBundled, EnergyTablesLoadWithTheirCitedValues) {
    const std::string dir = std::string(NPUSIM_SOURCE_DIR) + "/configs/energy/";
    EnergyTable h = load_energy_table(dir + "horowitz45.yaml");
    EnergyTable defaults;
    EXPECT_EQ(h.name, defaults.name);
    EXPECT_EQ(h.mac_int8_pj, defaults.mac_int8_pj);
    EXPECT_EQ(h.spad_read_pj_per_byte, defaults.spad_read_pj_per_byte);
    EXPECT_EQ(h.spad_write_pj_per_byte, defaults.spad_write_pj_per_byte);
    EXPECT_EQ(h.acc_read_pj_per_byte, defaults.acc_read_pj_per_byte);
    EXPECT_EQ(h.acc_write_pj_per_byte, defaults.acc_write_pj_per_byte);
    EXPECT_EQ(h.dram_pj_per_byte, defaults.dram_pj_per_byte);
    EXPECT_EQ(h.static_mw, defaults.static_mw);

    EnergyTable lp = load_energy_table(dir + "lpddr4_edge.yaml");
    EXPECT_EQ(lp.dram_pj_per_byte, 40.0);  // 5 pJ/bit * 8
    EnergyTable hbm = load_energy_table(dir + "hbm2_dc.yaml");
    EXPECT_EQ(hbm.dram_pj_per_byte, 31.2);       // 3.9 pJ/bit * 8
    EXPECT_EQ(hbm.spad_read_pj_per_byte, 12.5);  // 100 pJ per 64 bits of a 1 MB array
}

TEST_F(ConfigBundled, SchemaListsEveryKeyWithTypeDefaultAndRange) {
    const std::vector<std::string> required = {"name",
                                               "clock",
                                               "array.rows",
                                               "array.cols",
                                               "array.dataflow",
                                               "array.pipelining",
                                               "scratchpad.size",
                                               "scratchpad.banks",
                                               "scratchpad.bank_width",
                                               "scratchpad.ports",
                                               "accumulator.size",
                                               "accumulator.banks",
                                               "accumulator.bank_width",
                                               "accumulator.ports",
                                               "dma.channels",
                                               "dma.burst",
                                               "dma.outstanding",
                                               "dma.setup_cycles",
                                               "dram.bandwidth",
                                               "dram.latency_cycles",
                                               "dram.channels",
                                               "dram.size",
                                               "postproc.lanes",
                                               "postproc.pipeline_cycles",
                                               "postproc.rounding",
                                               "postproc.requant",
                                               "array.timing",
                                               "controller.queue_depth",
                                               "controller.dispatch_cycles",
                                               "energy.mac_int8_pj",
                                               "energy.dram_pj_per_byte",
                                               "energy.static_mw"};
    for (const auto& key : required) EXPECT_NE(find_field(key), nullptr) << key;
    const std::string schema = schema_text();
    for (const auto& f : hw_fields()) {
        EXPECT_NE(schema.find("\n" + f.key + " "), std::string::npos) << f.key;
    }
    EXPECT_NE(schema.find("\nenergy "), std::string::npos);
    EXPECT_NE(schema.find("\ndram.preset "), std::string::npos);
    EXPECT_NE(
        schema.find("\narray.rows                     integer    16            PEs             "
                    "1 .. 1024"),
        std::string::npos)
        << schema;
    EXPECT_NE(schema.find("ws | os | both"), std::string::npos);
    EXPECT_NE(schema.find("half_even | tflite | half_up"), std::string::npos);
}

TEST_F(ConfigBundled, BothDataflowsLoadsDumpsAndOverrides) {
    const HwConfig c = load_hw_config_from_string("array:\n  dataflow: both\n", "hw.yaml", {});
    EXPECT_TRUE(c.array.both_dataflows);
    EXPECT_EQ(c.array.dataflow, Dataflow::kWeightStationary);  // breaks ties
    EXPECT_NE(dump_yaml(c).find("dataflow: both"), std::string::npos);
    EXPECT_EQ(load_hw_config_from_string(dump_yaml(c), "dump.yaml", {}).array.both_dataflows, true);
    HwConfig o = c;
    apply_overrides(o, {"array.dataflow=os"});
    EXPECT_FALSE(o.array.both_dataflows);
    EXPECT_EQ(o.array.dataflow, Dataflow::kOutputStationary);
}

TEST_F(ConfigBundled, EnumSpellingsComeFromToString) {
    EXPECT_EQ(find_field("array.dataflow")->choices,
              (std::vector<std::string>{to_string(Dataflow::kWeightStationary),
                                        to_string(Dataflow::kOutputStationary), "both"}));
    EXPECT_EQ(find_field("postproc.rounding")->choices,
              (std::vector<std::string>{"half_even", "tflite", "half_up"}));
}

}  // namespace
}  // namespace npu::cfg

// Fuzz target: the hardware config loader. Any text must either load or be refused with
// npu::UserError (never crash, hang or throw anything else), and a config that loads must survive
// the dump round trip unchanged (`npusim config --dump` output is accepted back by --hw).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/config/config_loader.h"
#include "sim/config/config_schema.h"
#include "sim/config/paths.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    npu::cfg::set_data_dir(NPUSIM_SOURCE_DIR);
    const std::string text(reinterpret_cast<const char*>(data), size);
    npu::cfg::HwConfig config;
    try {
        config = npu::cfg::load_hw_config_from_string(text, "fuzz.yaml", {});
    } catch (const npu::UserError& e) {
        npu::fuzz::expect_messages(e);
        return 0;
    }
    const std::string dump = npu::cfg::dump_yaml(config);
    npu::cfg::HwConfig back;
    try {
        back = npu::cfg::load_hw_config_from_string(dump, "dump.yaml", {});
    } catch (const npu::UserError& e) {
        npu::fuzz::fail("the dump of a config that loaded is refused: " + std::string(e.what()));
    }
    if (!npu::cfg::config_differences(config, back).empty()) {
        npu::fuzz::fail("the dump round trip changed " +
                        npu::cfg::config_differences(config, back).front());
    }
    return 0;
}

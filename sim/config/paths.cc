#include "sim/config/paths.h"

#include <cstdlib>
#include <optional>

namespace npu::cfg {
namespace {

// Set once by the CLI or a test fixture before any loading; not meant to change mid-run.
std::optional<std::string>& override_dir() {
    static std::optional<std::string> dir;
    return dir;
}

}  // namespace

std::string data_dir() {
    if (override_dir()) return *override_dir();
    const char* env = std::getenv("NPUSIM_HOME");
    if (env != nullptr && *env != '\0') return env;
    return ".";
}

void set_data_dir(std::string dir) { override_dir() = std::move(dir); }

std::string energy_tables_dir() { return data_dir() + "/configs/energy"; }

std::string dram_presets_dir() { return data_dir() + "/configs/dram"; }

}  // namespace npu::cfg

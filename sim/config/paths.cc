#include "sim/config/paths.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "sim/core/error.h"

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

namespace {

namespace fs = std::filesystem;

std::string bundled_dir(InputKind kind) {
    switch (kind) {
        case InputKind::kHwConfig:
            return data_dir() + "/configs";
        case InputKind::kWorkload:
            return data_dir() + "/workloads";
        case InputKind::kSweep:
            break;
    }
    return data_dir() + "/configs/sweeps";
}

const char* kind_text(InputKind kind) {
    switch (kind) {
        case InputKind::kHwConfig:
            return "hardware config";
        case InputKind::kWorkload:
            return "workload";
        case InputKind::kSweep:
            break;
    }
    return "sweep";
}

// Something is at `p` (a file, a directory, a dangling or looping symlink): the loader that opens
// it says what is wrong with it, rather than this falling through to a bundled file.
bool present(const fs::path& p) {
    std::error_code ec;
    return fs::symlink_status(p, ec).type() != fs::file_type::not_found && !ec;
}

}  // namespace

std::string workload_file(const std::optional<std::string>& given) {
    if (!given) return data_dir() + "/workloads/default.yaml";
    return resolve_input(InputKind::kWorkload, *given, "--workload");
}

std::vector<std::string> bundled_names(InputKind kind) {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(bundled_dir(kind), ec)) {
        const fs::path& p = entry.path();
        if (p.extension() == ".yaml" && entry.is_regular_file(ec)) {
            names.push_back(p.stem().string());
        }
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::optional<std::string> find_input(InputKind kind, const std::string& text) {
    if (text.empty()) return std::nullopt;
    const fs::path p(text);
    if (present(p)) return text;
    if (text.find('/') == std::string::npos && !p.has_extension()) {
        const fs::path bundled = fs::path(bundled_dir(kind)) / (text + ".yaml");
        if (present(bundled)) return bundled.string();
    } else if (p.is_relative()) {
        const fs::path under_root = fs::path(data_dir()) / p;
        if (present(under_root)) return under_root.string();
    }
    return std::nullopt;
}

std::string resolve_input(InputKind kind, const std::string& text, const std::string& flag) {
    const std::string what = kind_text(kind);
    if (text.empty()) {
        throw UserError(
            Diagnostic{flag, 0, 0, "", "expected a " + what + " file or a bundled name, found ''"});
    }
    if (auto found = find_input(kind, text)) return *found;
    const fs::path p(text);
    const bool bare = text.find('/') == std::string::npos && !p.has_extension();
    std::string names;
    for (const std::string& n : bundled_names(kind)) names += (names.empty() ? "" : ", ") + n;
    throw UserError(
        Diagnostic{flag, 0, 0, "",
                   "expected a " + what + " file or a bundled name (" +
                       (names.empty() ? "none in " + bundled_dir(kind) : names) + "), found " +
                       in_quotes(text) + ": no such file here" +
                       (p.is_relative() ? " or under " + data_dir() : std::string()) +
                       (bare ? " and no bundled " + what + " of that name" : std::string())});
}

}  // namespace npu::cfg

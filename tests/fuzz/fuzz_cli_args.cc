// Fuzz target: the command-line parser (sim/cli/options.h), parse only: the input is split at
// NUL bytes into the words after "npusim". Any words must parse or be refused with
// npu::UserError; a parsed command's help text must render.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/cli/options.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::string> args(1);
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            args.emplace_back();
        } else {
            args.back() += static_cast<char>(data[i]);
        }
    }
    try {
        const npu::cli::ParsedCommand p = npu::cli::parse_command_line(args);
        if (p.spec == nullptr) npu::fuzz::fail("parsed without a command");
        if (p.help && npu::cli::command_help(*p.spec).empty()) npu::fuzz::fail("empty help");
        for (const auto& [name, values] : p.values) {
            if (values.empty()) npu::fuzz::fail("an option without a value slot: " + name);
        }
    } catch (const npu::UserError& e) {
        npu::fuzz::expect_messages(e);
    }
    return 0;
}

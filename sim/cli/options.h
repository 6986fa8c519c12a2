// The command line's one table: every command with its options, each option's value and a
// one-line meaning, and an example. The parser and the help text (`npusim --help`,
// `npusim <command> --help`) are both generated from it, so they cannot drift apart.
//
// Plain C++ (no SystemC), and parsing runs nothing: it only checks the words against the table
// (unknown options, a missing value, a value that is not one of an option's choices or not a
// positive integer, an option given twice, stray words) and reports every problem together as
// npu::UserError. The commands turn the result into their own settings; the fuzz target
// tests/fuzz/fuzz_cli_args.cc drives this parser alone.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace npu::cli {

enum class ValueKind {
    kNone,         // a flag: --force
    kText,         // any non-empty text: --hw FILE
    kChoice,       // one of OptionSpec::choices: --fidelity fast|pe
    kPositiveInt,  // 1, 2, ...: -j N, --samples N
};

struct OptionSpec {
    std::string name;        // "--hw", "-o", "-j"
    std::string value_name;  // "FILE", "KEY=VALUE"; empty for a flag
    ValueKind kind = ValueKind::kNone;
    std::string meaning;  // one line
    std::vector<std::string> choices;
    bool repeatable = false;  // --set KEY=VALUE, may be given many times
    bool required = false;
    std::vector<std::string> aliases;  // "--jobs" for "-j"
    uint64_t max_value = 999999999;    // kPositiveInt: the largest value accepted
};

struct CommandSpec {
    std::string name;         // "run", "sweep merge"
    std::string summary;      // one line, for `npusim --help`
    std::string description;  // a paragraph, for `npusim <command> --help`
    std::string words;        // positional words in the synopsis: "[FILE]", "DIR..."
    size_t min_words = 0, max_words = 0;
    std::vector<OptionSpec> options;
    std::vector<std::string> examples;  // full command lines
};

// Every command, in the order `npusim --help` lists them.
[[nodiscard]] const std::vector<CommandSpec>& command_specs();
[[nodiscard]] const CommandSpec* find_command(std::string_view name);

struct ParsedCommand {
    const CommandSpec* spec = nullptr;
    bool help = false;  // --help / -h was given: print command_help(*spec), run nothing
    // Option name (the table's, not an alias) -> its values in order ("" for a flag).
    std::map<std::string, std::vector<std::string>> values;
    std::vector<std::string> words;

    [[nodiscard]] bool has(const std::string& option) const { return values.count(option) != 0; }
    // The option's value (the only one; repeatable options: the last), or nullopt.
    [[nodiscard]] std::optional<std::string> value(const std::string& option) const;
    [[nodiscard]] std::vector<std::string> all(const std::string& option) const;
    [[nodiscard]] size_t count(
        const std::string& option) const;  // a kPositiveInt value (0 if absent)
};

// `args` are the words after "npusim": the command (two words for "sweep merge") and its
// options. Throws npu::UserError (file "<command line>") listing every problem; an unknown or
// missing command included. `npusim help CMD` and `npusim CMD --help` both set help.
[[nodiscard]] ParsedCommand parse_command_line(const std::vector<std::string>& args);

// `npusim --help`: every command's synopsis and summary, the exit codes and the environment.
[[nodiscard]] std::string general_help();
// `npusim <command> --help`: its synopsis, description, options (one line each) and examples.
[[nodiscard]] std::string command_help(const CommandSpec& command);
// "npusim run [--hw FILE] [--workload FILE] [--set KEY=VALUE]... ...", wrapped at 100 columns
// when it starts at `first_column`.
[[nodiscard]] std::string synopsis(const CommandSpec& command, size_t first_column = 0);

}  // namespace npu::cli

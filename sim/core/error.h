// Errors. Two kinds, kept apart on purpose:
//  - UserError: something the user gave us (a YAML file, a --set, a CLI flag) is wrong. It carries
//    every problem found (not just the first), each with file:line:col, the key path, what was
//    expected and what was found. The CLI prints them all and exits with code 2.
//  - ModelError: an invariant of the simulator itself broke (a bug, or an impossible program). It
//    names the module, the simulated cycle and the instruction. Never exit() inside a model.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace npu {

// One problem in user input. line/col are 1-based; 0 means "not known" (e.g. a --set override).
struct Diagnostic {
    std::string file;  // path as the user gave it, or "--set" / "<cli>"
    int line = 0;
    int col = 0;
    std::string key;      // key path, e.g. "array.rows"; empty when not about a key
    std::string message;  // "expected <what>, found <what>" style, complete sentence-ish

    // "file:line:col: key: message" (parts that are unknown are left out).
    [[nodiscard]] std::string to_string() const;
};

inline constexpr int kUserErrorExitCode = 2;

// A value the user gave, as messages show it: in single quotes, control characters and bytes that
// are not UTF-8 escaped (\x0a), cut after `max_chars` characters with "..." so that a 2 MB string
// or a whole file is never echoed back.
inline constexpr size_t kShownValueChars = 60;
[[nodiscard]] std::string in_quotes(std::string_view value, size_t max_chars = kShownValueChars);
// The same without the quotes (for names inside longer sentences).
[[nodiscard]] std::string shown(std::string_view value, size_t max_chars = kShownValueChars);
// True when `text` is valid UTF-8 without control characters (names that end up in reports).
[[nodiscard]] bool printable_utf8(std::string_view text);

class UserError : public std::runtime_error {
  public:
    explicit UserError(std::vector<Diagnostic> diagnostics);
    explicit UserError(Diagnostic diagnostic);
    [[nodiscard]] const std::vector<Diagnostic>& diagnostics() const { return m_diagnostics; }

  private:
    std::vector<Diagnostic> m_diagnostics;
};

// Collects diagnostics while checking input, so all problems are reported together.
class DiagnosticList {
  public:
    void add(Diagnostic d) { m_items.push_back(std::move(d)); }
    [[nodiscard]] bool empty() const { return m_items.empty(); }
    [[nodiscard]] const std::vector<Diagnostic>& items() const { return m_items; }
    // Throws UserError with everything collected, if anything was.
    void throw_if_any() const;

  private:
    std::vector<Diagnostic> m_items;
};

class ModelError : public std::runtime_error {
  public:
    ModelError(const std::string& module, uint64_t cycle, int64_t instr_id,
               const std::string& what);
};

}  // namespace npu

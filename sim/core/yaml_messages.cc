#include "sim/core/yaml_messages.h"

#include <array>
#include <utility>

#include "sim/core/error.h"

namespace npu {
namespace {

// 0-based line `line` of `text` (empty when out of range).
std::string_view line_of(std::string_view text, int line) {
    if (line < 0) return {};
    size_t begin = 0;
    for (int i = 0; i < line; ++i) {
        const size_t nl = text.find('\n', begin);
        if (nl == std::string_view::npos) return {};
        begin = nl + 1;
    }
    const size_t end = text.find('\n', begin);
    return text.substr(begin, end == std::string_view::npos ? std::string_view::npos : end - begin);
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// True when a tab appears in the indentation of the line or of the one before it (yaml-cpp
// reports a tab-indented key at the next token, often on the following line).
bool tab_in_indentation(std::string_view text, int line) {
    for (int l : {line, line - 1}) {
        const std::string_view s = line_of(text, l);
        for (char c : s) {
            if (c == '\t') return true;
            if (c != ' ') break;
        }
    }
    return false;
}

}  // namespace

std::string yaml_syntax_message(const std::string& parser_message, std::string_view text, int line,
                                int col) {
    const std::string prefix = "invalid YAML: ";
    if (starts_with(parser_message, "illegal tab") || tab_in_indentation(text, line)) {
        return prefix + "a tab character in the indentation (YAML indents with spaces only)";
    }
    const std::string_view here = line_of(text, line);
    const bool tab_here =
        col >= 0 && static_cast<size_t>(col) <= here.size() &&
        here.substr(0, static_cast<size_t>(col) + 1).find('\t') != std::string_view::npos;
    if (starts_with(parser_message, "illegal map value")) {
        if (tab_here) return prefix + "a tab character before a value (use spaces)";
        return prefix +
               "a ':' where a value was expected (a value containing ': ' needs quotes, or this "
               "line is indented as if it continued the line above)";
    }
    static const std::array<std::pair<const char*, const char*>, 16> kRewrites{{
        {"end of map not found",
         "bad indentation: this line does not line up with the keys of its mapping"},
        {"end of sequence not found",
         "bad indentation: this line does not line up with the '- ' items of its list"},
        {"illegal block entry",
         "a '- ' list item where a key was expected (indent the list under its key)"},
        {"illegal map key", "a key where it cannot start (check the indentation)"},
        {"end of map flow not found", "a '{' without its closing '}'"},
        {"end of sequence flow not found", "a '[' without its closing ']'"},
        {"illegal flow end", "a ']' or '}' without its opening bracket"},
        {"illegal EOF in scalar",
         "an unterminated quoted string (the file ends before its "
         "closing quote)"},
        {"illegal document indicator in scalar",
         "an unterminated quoted string (a '---' or '...' line inside it)"},
        {"unknown escape character: ",
         "an unknown escape sequence in a double-quoted string (use single quotes for "
         "backslashes)"},
        {"invalid unicode: ", "an invalid \\u or \\U escape in a double-quoted string"},
        {"the referenced anchor is not defined",
         "an alias '*name' whose anchor '&name' is not defined before it"},
        {"alias not found after *", "a '*' without an alias name"},
        {"anchor not found after &", "a '&' without an anchor name"},
        {"unknown token", "a character that cannot start a YAML token here"},
        {"Exceeded maximum allowed depth", "nested more than 2000 levels deep"},
    }};
    for (const auto& [raw, ours] : kRewrites) {
        if (starts_with(parser_message, raw)) return prefix + ours;
    }
    // Anything else keeps yaml-cpp's wording, shortened.
    return prefix + shown(parser_message, 120);
}

}  // namespace npu

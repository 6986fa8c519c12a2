// yaml-cpp's syntax errors in npusim's wording. The parser's own texts ("illegal map value",
// "end of map not found", "illegal EOF in scalar") name its internals, not what is wrong with the
// file; this turns them into what a user can act on (a tab in the indentation, a line that does
// not line up, an unterminated string), looking at the source line when the message alone is not
// enough. Plain strings in and out: no yaml-cpp dependency here.
#pragma once

#include <string>
#include <string_view>

namespace npu {

// `parser_message`: YAML::Exception::msg; `text`: the whole document; `line`, `col`: the
// exception's 0-based mark (negative when unknown). Returns the message without a location
// ("invalid YAML: a tab character in the indentation (YAML indents with spaces only)").
[[nodiscard]] std::string yaml_syntax_message(const std::string& parser_message,
                                              std::string_view text, int line, int col);

}  // namespace npu

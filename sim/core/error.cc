#include "sim/core/error.h"

#include <sstream>

namespace npu {

namespace {

// Length of the UTF-8 sequence starting at text[i] (2..4), or 0 when it is not a valid one
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_sequence(std::string_view text, size_t i) {
    const auto b = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
    const unsigned char c = b(0);
    size_t n = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07u;
    } else {
        return 0;
    }
    if (i + n > text.size()) return 0;
    for (size_t k = 1; k < n; ++k) {
        if ((b(k) & 0xC0u) != 0x80u) return 0;
        cp = (cp << 6) | (b(k) & 0x3Fu);
    }
    const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < smallest[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

}  // namespace

std::string shown(std::string_view value, size_t max_chars) {
    std::string out;
    size_t chars = 0;
    for (size_t i = 0; i < value.size(); ++chars) {
        if (chars == max_chars) return out + "...";
        const auto c = static_cast<unsigned char>(value[i]);
        if (c >= 0x20 && c < 0x7F) {
            out += value[i++];
        } else if (const size_t n = utf8_sequence(value, i); n > 0) {
            out.append(value.substr(i, n));
            i += n;
        } else {
            static const char* kHex = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
            ++i;
        }
    }
    return out;
}

std::string in_quotes(std::string_view value, size_t max_chars) {
    return "'" + shown(value, max_chars) + "'";
}

bool printable_utf8(std::string_view text) {
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            ++i;
        } else if (const size_t n = utf8_sequence(text, i); n > 0) {
            i += n;
        } else {
            return false;
        }
    }
    return true;
}

std::string Diagnostic::to_string() const {
    std::ostringstream os;
    if (!file.empty()) {
        os << file;
        if (line > 0) {
            os << ':' << line;
            if (col > 0) os << ':' << col;
        }
        os << ": ";
    }
    if (!key.empty()) os << shown(key, 2 * kShownValueChars) << ": ";
    os << message;
    return os.str();
}

namespace {
std::string join(const std::vector<Diagnostic>& ds) {
    std::string s;
    for (const auto& d : ds) {
        if (!s.empty()) s += '\n';
        s += d.to_string();
    }
    return s;
}
}  // namespace

UserError::UserError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join(diagnostics)), m_diagnostics(std::move(diagnostics)) {}

UserError::UserError(Diagnostic diagnostic)
    : UserError(std::vector<Diagnostic>{std::move(diagnostic)}) {}

void DiagnosticList::throw_if_any() const {
    if (!m_items.empty()) throw UserError(m_items);
}

static std::string model_message(const std::string& module, uint64_t cycle, int64_t instr_id,
                                 const std::string& what) {
    std::ostringstream os;
    os << "internal model error in " << module << " at cycle " << cycle;
    if (instr_id >= 0) os << " (instruction " << instr_id << ")";
    os << ": " << what;
    return os.str();
}

ModelError::ModelError(const std::string& module, uint64_t cycle, int64_t instr_id,
                       const std::string& what)
    : std::runtime_error(model_message(module, cycle, instr_id, what)) {}

}  // namespace npu

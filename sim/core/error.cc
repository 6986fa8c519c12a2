#include "sim/core/error.h"

#include <sstream>

namespace npu {

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
    if (!key.empty()) os << key << ": ";
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

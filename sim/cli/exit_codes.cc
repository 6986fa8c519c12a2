#include "sim/cli/exit_codes.h"

#include "sim/core/error.h"

namespace npu::cli {

int report_error(const std::exception_ptr& e, std::ostream& err) {
    try {
        std::rethrow_exception(e);
    } catch (const UserError& u) {
        for (const Diagnostic& d : u.diagnostics()) err << "error: " << d.to_string() << '\n';
        return kUserErrorExitCode;
    } catch (const ModelError& m) {
        err << "error: " << m.what() << '\n';
    } catch (const std::exception& x) {
        err << "error: internal error: " << x.what() << '\n';
    } catch (...) {
        err << "error: internal error: an exception of unknown type\n";
    }
    return kModelErrorExitCode;
}

}  // namespace npu::cli

#include "sim/cli/exit_codes.h"

#include <filesystem>
#include <new>

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
    } catch (const std::filesystem::filesystem_error& f) {
        // A file the user named (or a directory they chose for output) that the system refused.
        err << "error: " << f.path1().string() << ": " << f.code().message() << '\n';
        return kUserErrorExitCode;
    } catch (const std::bad_alloc&) {
        err << "error: out of memory: the config and workload need more host memory than this "
               "machine has (--max-memory bounds what a run may use)\n";
        return kUserErrorExitCode;
    } catch (const std::exception& x) {
        err << "error: internal error: " << x.what() << '\n';
    } catch (...) {
        err << "error: internal error: an exception of unknown type\n";
    }
    return kModelErrorExitCode;
}

}  // namespace npu::cli

#include "sim/report/output_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "sim/core/error.h"

namespace npu::report {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw UserError(Diagnostic{path, 0, 0, "", what});
}

std::string sys_reason(int err) { return std::strerror(err); }

}  // namespace

std::string output_path_problem(const std::string& path) {
    if (path.empty()) return "cannot write output file: the path is empty";
    const fs::path p(path);
    const fs::path dir = p.parent_path();
    std::error_code ec;
    if (!dir.empty() && !fs::is_directory(dir, ec)) {
        return "cannot write output file: directory '" + dir.string() + "' does not exist";
    }
    if (fs::is_directory(fs::symlink_status(p, ec))) {
        return "cannot write output file: it is a directory";
    }
    return "";
}

void write_file_atomic(const std::string& path, std::string_view content) {
    if (const std::string problem = output_path_problem(path); !problem.empty()) {
        fail(path, problem);
    }
    // The temporary lives in the target's directory, so the rename never crosses filesystems.
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) fail(path, "cannot open output file for writing: " + sys_reason(errno));
    const auto abandon = [&](const std::string& what, int err) {
        ::close(fd);
        ::unlink(tmp.c_str());
        fail(path, what + ": " + sys_reason(err));
    };
    const char* p = content.data();
    size_t left = content.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) abandon("error while writing output file", n < 0 ? errno : ENOSPC);
        p += n;
        left -= static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) abandon("error while writing output file", errno);
    if (::close(fd) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        fail(path, "error while writing output file: " + sys_reason(err));
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        fail(path, "cannot replace output file: " + sys_reason(err));
    }
}

}  // namespace npu::report

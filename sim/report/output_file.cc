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
    const fs::file_type type = fs::symlink_status(p, ec).type();
    if (type == fs::file_type::directory) return "cannot write output file: it is a directory";
    // Replacing a device, FIFO or socket with a file would break it (as root: /dev/null).
    if (type == fs::file_type::character || type == fs::file_type::block ||
        type == fs::file_type::fifo || type == fs::file_type::socket) {
        return "cannot write output file: it is a device, FIFO or socket, not a file";
    }
    return "";
}

bool path_taken(const std::string& path) {
    std::error_code ec;
    const fs::file_status st = fs::symlink_status(path, ec);
    return !ec && st.type() != fs::file_type::not_found;
}

void check_output_paths(const std::vector<std::pair<std::string, std::string>>& flag_and_paths,
                        bool force) {
    DiagnosticList problems;
    for (const auto& [flag, path] : flag_and_paths) {
        if (const std::string problem = output_path_problem(path); !problem.empty()) {
            problems.add(Diagnostic{path, 0, 0, flag, problem});
        } else if (!force && path_taken(path)) {
            problems.add(
                Diagnostic{path, 0, 0, flag, "already exists; pass --force to overwrite it"});
        }
    }
    problems.throw_if_any();
}

void write_file_atomic(const std::string& path, std::string_view content) {
    write_files_atomic({OutputFile{path, {content}}});
}

void write_files_atomic(const std::vector<OutputFile>& files) {
    for (const OutputFile& f : files) {
        if (const std::string problem = output_path_problem(f.path); !problem.empty()) {
            fail(f.path, problem);
        }
    }
    // The temporaries live in their targets' directories, so the renames never cross
    // filesystems.
    std::vector<std::string> tmps;
    const auto abandon = [&](const std::string& path, const std::string& what, int err) {
        for (const std::string& t : tmps) ::unlink(t.c_str());
        fail(path, what + ": " + sys_reason(err));
    };
    for (const OutputFile& f : files) {
        const std::string tmp = f.path + ".tmp-" + std::to_string(::getpid());
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) abandon(f.path, "cannot open output file for writing", errno);
        tmps.push_back(tmp);
        for (std::string_view part : f.parts) {
            const char* p = part.data();
            size_t left = part.size();
            while (left > 0) {
                const ssize_t n = ::write(fd, p, left);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) {
                    const int err = n < 0 ? errno : ENOSPC;
                    ::close(fd);
                    abandon(f.path, "error while writing output file", err);
                }
                p += n;
                left -= static_cast<size_t>(n);
            }
        }
        // Start the writeback now, so the files' flushes below overlap instead of queueing one
        // behind the other (the fsync still waits for all of it).
        if (files.size() > 1) (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
        if (::close(fd) != 0) abandon(f.path, "error while writing output file", errno);
    }
    for (size_t i = 0; i < files.size(); ++i) {
        const int fd = ::open(tmps[i].c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) abandon(files[i].path, "error while writing output file", errno);
        if (::fsync(fd) != 0) {
            const int err = errno;
            ::close(fd);
            abandon(files[i].path, "error while writing output file", err);
        }
        ::close(fd);
    }
    for (size_t i = 0; i < files.size(); ++i) {
        if (::rename(tmps[i].c_str(), files[i].path.c_str()) != 0) {
            const int err = errno;
            for (size_t j = i; j < tmps.size(); ++j) ::unlink(tmps[j].c_str());
            fail(files[i].path, "cannot replace output file: " + sys_reason(err));
        }
    }
}

}  // namespace npu::report

#include "sim/core/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sim/core/error.h"

namespace npu {
namespace {

constexpr size_t kShownPathChars = 200;

std::string path_text(const std::string& path) {
    return path.empty() ? "''" : in_quotes(path, kShownPathChars);
}

std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISFIFO(mode)) return "a pipe";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

// Closes the descriptor however the read ends.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// Opens `path` for reading if it is a regular file; sets `error` otherwise. O_NONBLOCK: opening
// a FIFO must not wait for a writer (it is refused right after, as not a regular file).
int open_regular(const std::string& path, uint64_t& size, std::string& error) {
    if (path.empty()) {
        error = "expected a file name, found an empty one";
        return -1;
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error = "cannot open " + path_text(path) + ": " + std::strerror(errno);
        return -1;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        error = "cannot read " + path_text(path) + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        error = "cannot read " + path_text(path) + ": it is " + kind_of(st.st_mode) +
                ", not a regular file";
        ::close(fd);
        return -1;
    }
    size = static_cast<uint64_t>(st.st_size);
    return fd;
}

// Reads exactly `size` bytes (a file that changes size while read is an error).
std::optional<std::string> read_all(int fd, const std::string& path, uint64_t size,
                                    std::string& error) {
    std::string data(static_cast<size_t>(size), '\0');
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::read(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            error = "cannot read " + path_text(path) + ": " + std::strerror(errno);
            return std::nullopt;
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    char extra = 0;
    if (done != data.size() || ::read(fd, &extra, 1) != 0) {
        error = "cannot read " + path_text(path) + ": it changed size while being read";
        return std::nullopt;
    }
    return data;
}

}  // namespace

std::optional<std::string> input_file_problem(const std::string& path, uint64_t* size_bytes) {
    std::string error;
    uint64_t size = 0;
    Fd f{open_regular(path, size, error)};
    if (f.fd < 0) return error;
    if (size_bytes != nullptr) *size_bytes = size;
    return std::nullopt;
}

std::optional<std::string> read_input_file(const std::string& path, uint64_t max_bytes,
                                           const std::string& what, std::string& error) {
    uint64_t size = 0;
    Fd f{open_regular(path, size, error)};
    if (f.fd < 0) return std::nullopt;
    if (size > max_bytes) {
        error = path_text(path) + " is " + std::to_string(size) + " bytes, more than the " +
                std::to_string(max_bytes) + " " + what + " may have";
        return std::nullopt;
    }
    return read_all(f.fd, path, size, error);
}

std::optional<std::string> read_input_file_exact(const std::string& path, uint64_t bytes,
                                                 const std::string& what, std::string& error) {
    uint64_t size = 0;
    Fd f{open_regular(path, size, error)};
    if (f.fd < 0) return std::nullopt;
    if (size != bytes) {
        error = "expected " + path_text(path) + " to hold " + what + " (" + std::to_string(bytes) +
                " bytes), found " + std::to_string(size) + " bytes";
        return std::nullopt;
    }
    return read_all(f.fd, path, size, error);
}

std::string read_input_file_or_throw(const std::string& path, uint64_t max_bytes,
                                     const std::string& what) {
    std::string error;
    auto text = read_input_file(path, max_bytes, what, error);
    if (!text) throw UserError(Diagnostic{"", 0, 0, "", error});
    return std::move(*text);
}

}  // namespace npu

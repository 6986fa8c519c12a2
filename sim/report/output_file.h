// Writing output files whole or not at all, with user-facing errors.
//
// Every file npusim writes (stats.json, layers.csv, effective configs, HTML pages, traces,
// compare JSON, sweep results, goldens) goes through write_file_atomic: the content is written to
// a temporary file beside the target, flushed to the disk (fsync), and renamed over the target.
// A reader therefore sees the old file or the complete new one, never a truncated one, and a
// failed write (disk full, read-only filesystem, a directory or a dangling symlink loop in the
// way) leaves nothing behind and is reported as npu::UserError naming the path and the system's
// reason, which the command line turns into exit code 2.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace npu::report {

// Writes `content` to `path` atomically (see above). Throws npu::UserError naming the path when
// its directory does not exist, the path is a directory, or any step fails; the temporary file is
// removed and `path` is left as it was.
void write_file_atomic(const std::string& path, std::string_view content);

// A file's content in parts, written one after the other (e.g. a .npy header and the data it
// describes, without joining them in memory first).
struct OutputFile {
    std::string path;
    std::vector<std::string_view> parts;
};
// Several files, each atomically as above: every content goes to its temporary (writeback
// started as soon as it is written), all temporaries are flushed (fsync), and only then renamed
// over their targets in the order given (a workload YAML last, after its side files). A failure
// while writing or flushing removes every temporary and leaves every target as it was; a failed
// rename removes the temporaries not yet renamed (the files before it are complete new ones).
void write_files_atomic(const std::vector<OutputFile>& files);

// The reason a path cannot be written as a file, or "" if nothing is in the way (the directory
// exists and the path is not a directory). For checks before a long computation.
[[nodiscard]] std::string output_path_problem(const std::string& path);

// True when something is at `path`: a file, a directory, or a symlink (even a dangling or looping
// one). Never throws; for "refuses to overwrite without --force" checks.
[[nodiscard]] bool path_taken(const std::string& path);

// The problems of writing each of `paths`: "already exists; pass --force to overwrite it" when
// something is there and `force` is false, and output_path_problem's reasons; every problem
// found, each naming its path (file) and `flag` (key, e.g. "--html"). Throws npu::UserError.
void check_output_paths(const std::vector<std::pair<std::string, std::string>>& flag_and_paths,
                        bool force);

}  // namespace npu::report

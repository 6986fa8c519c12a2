// write_file_atomic / write_files_atomic: a file is replaced whole or not at all (several files:
// none is replaced unless every one was written and flushed), and failures are user errors that
// name the path and the reason.
#include "sim/report/output_file.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "sim/core/error.h"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string error_of(const std::string& path, const std::string& content) {
    try {
        npu::report::write_file_atomic(path, content);
    } catch (const npu::UserError& e) {
        return e.diagnostics().at(0).to_string();
    }
    return "";
}

class OutputFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() /
                ("npusim_output_file_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override {
        ::umount2(m_dir.c_str(), MNT_DETACH);
        fs::remove_all(m_dir);
    }
    fs::path m_dir;
};

TEST_F(OutputFileTest, WritesAndReplacesWholeFiles) {
    const std::string p = (m_dir / "a.txt").string();
    npu::report::write_file_atomic(p, "first");
    EXPECT_EQ(slurp(p), "first");
    npu::report::write_file_atomic(p, "second, longer");
    EXPECT_EQ(slurp(p), "second, longer");
    EXPECT_EQ(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator{}), 1);
}

TEST_F(OutputFileTest, MissingDirectoryAndDirectoryTargetsAreUserErrors) {
    const std::string missing = (m_dir / "no" / "a.txt").string();
    EXPECT_EQ(error_of(missing, "x"), missing + ": cannot write output file: directory '" +
                                          (m_dir / "no").string() + "' does not exist");
    fs::create_directory(m_dir / "d");
    const std::string dir = (m_dir / "d").string();
    EXPECT_EQ(error_of(dir, "x"), dir + ": cannot write output file: it is a directory");
    EXPECT_EQ(error_of("", "x"), "cannot write output file: the path is empty");
}

TEST_F(OutputFileTest, FullDiskKeepsTheOldFileAndLeavesNoPartial) {
    // A 64 KiB tmpfs: a 1 MiB write cannot fit. Needs the right to mount (root, as in CI).
    if (::mount("tmpfs", m_dir.c_str(), "tmpfs", 0, "size=64k") != 0) {
        GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
    }
    const std::string p = (m_dir / "stats.json").string();
    npu::report::write_file_atomic(p, "old content");
    const std::string err = error_of(p, std::string(1 << 20, 'x'));
    EXPECT_EQ(err, p + ": error while writing output file: No space left on device");
    EXPECT_EQ(slurp(p), "old content");
    EXPECT_EQ(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator{}), 1);
}

// Several files from parts: each is its parts joined; renamed only once all are written.
TEST_F(OutputFileTest, SeveralFilesFromPartsAllOrNone) {
    const std::string a = (m_dir / "a.npy").string(), b = (m_dir / "b.yaml").string();
    npu::report::write_files_atomic({{a, {"head", "", "-data"}}, {b, {"yaml"}}});
    EXPECT_EQ(slurp(a), "head-data");
    EXPECT_EQ(slurp(b), "yaml");
    EXPECT_EQ(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator{}), 2);
    if (::mount("tmpfs", m_dir.c_str(), "tmpfs", 0, "size=64k") != 0) {
        GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
    }
    // The first file fits, the second does not: neither target is replaced, nothing is left.
    npu::report::write_files_atomic({{a, {"old a"}}, {b, {"old b"}}});
    const std::string big(1 << 20, 'x');
    std::string err;
    try {
        npu::report::write_files_atomic({{a, {"new a"}}, {b, {big}}});
    } catch (const npu::UserError& e) {
        err = e.diagnostics().at(0).to_string();
    }
    EXPECT_EQ(err, b + ": error while writing output file: No space left on device");
    EXPECT_EQ(slurp(a), "old a");
    EXPECT_EQ(slurp(b), "old b");
    EXPECT_EQ(std::distance(fs::directory_iterator(m_dir), fs::directory_iterator{}), 2);
}

// Issue 11: even with --force, a device is never replaced by a file (as root, renaming over
// /dev/null would break the machine).
TEST(OutputFile, DevicesAndFifosAreNeverReplaced) {
    using namespace npu::report;
    EXPECT_EQ(output_path_problem("/dev/null"),
              "cannot write output file: it is a device, FIFO or socket, not a file");
    EXPECT_THROW(check_output_paths({{"--html", "/dev/null"}}, true), npu::UserError);
    EXPECT_TRUE(path_taken("/dev/null"));
    EXPECT_FALSE(path_taken("/no/such/dir/file"));
}

}  // namespace

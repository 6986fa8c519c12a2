// Running the npusim binary from a test: a fixture with a private temporary directory, the
// command's exit code, stdout and stderr, and a helper to write input files.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace npu::testing {

namespace fs = std::filesystem;

struct Result {
    int code = -1;
    std::string out, err;
};

inline std::string slurp(const fs::path& p) {
    std::ifstream f(p);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

class NpusimTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        m_dir = fs::temp_directory_path() / ("npusim_" + std::string(info->test_suite_name()) +
                                             "_" + std::to_string(::getpid()) + "_" + info->name());
        fs::remove_all(m_dir);
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }

    // Runs `npusim ARGS` from the repository root.
    Result npusim(const std::string& args) {
        const fs::path out = m_dir / "stdout.txt", err = m_dir / "stderr.txt";
        const std::string cmd = std::string("cd ") + NPUSIM_SOURCE_DIR + " && " + NPUSIM_BINARY +
                                " " + args + " >" + out.string() + " 2>" + err.string();
        const int status = std::system(cmd.c_str());
        Result r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        r.out = slurp(out);
        r.err = slurp(err);
        return r;
    }
    fs::path write(const std::string& name, const std::string& text) {
        const fs::path p = m_dir / name;
        std::ofstream(p) << text;
        return p;
    }
    fs::path m_dir;
};

}  // namespace npu::testing

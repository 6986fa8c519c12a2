// Reading user-named input files (sim/core/input_file.h) and showing user values in messages
// (sim/core/error.h): only regular files, sizes checked before reading, exact messages.
#include "sim/core/input_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/core/error.h"
#include "sim/core/yaml_messages.h"

namespace npu {
namespace {

namespace fs = std::filesystem;

class InputFile : public ::testing::Test {
  protected:
    void SetUp() override {
        m_dir = fs::temp_directory_path() / ("npusim_input_file_" + std::to_string(::getpid()));
        fs::create_directories(m_dir);
    }
    void TearDown() override { fs::remove_all(m_dir); }
    std::string path(const std::string& name) const { return (m_dir / name).string(); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name), std::ios::binary) << text;
    }
    fs::path m_dir;
};

TEST_F(InputFile, ReadsARegularFileWithinItsBound) {
    write("a.yaml", "rows: 4\n");
    std::string error;
    EXPECT_EQ(read_input_file(path("a.yaml"), 100, "a config file", error), "rows: 4\n");
    EXPECT_EQ(read_input_file(path("a.yaml"), 3, "a config file", error), std::nullopt);
    EXPECT_EQ(error, "'" + path("a.yaml") + "' is 8 bytes, more than the 3 a config file may have");
}

TEST_F(InputFile, RefusesDirectoriesDevicesPipesLoopsAndMissingFilesWithTheReason) {
    std::string error;
    fs::create_directories(path("dir"));
    EXPECT_EQ(read_input_file(path("dir"), 100, "x", error), std::nullopt);
    EXPECT_EQ(error, "cannot read '" + path("dir") + "': it is a directory, not a regular file");
    EXPECT_EQ(read_input_file("/dev/zero", 100, "x", error), std::nullopt);
    EXPECT_EQ(error, "cannot read '/dev/zero': it is a character device, not a regular file");
    ASSERT_EQ(::mkfifo(path("fifo").c_str(), 0600), 0);
    EXPECT_EQ(read_input_file(path("fifo"), 100, "x", error), std::nullopt);  // does not block
    EXPECT_EQ(error, "cannot read '" + path("fifo") + "': it is a pipe, not a regular file");
    fs::create_symlink(path("loop2"), path("loop1"));
    fs::create_symlink(path("loop1"), path("loop2"));
    EXPECT_EQ(read_input_file(path("loop1"), 100, "x", error), std::nullopt);
    EXPECT_EQ(error, "cannot open '" + path("loop1") + "': Too many levels of symbolic links");
    EXPECT_EQ(read_input_file(path("none"), 100, "x", error), std::nullopt);
    EXPECT_EQ(error, "cannot open '" + path("none") + "': No such file or directory");
    EXPECT_EQ(read_input_file("", 100, "x", error), std::nullopt);
    EXPECT_EQ(error, "expected a file name, found an empty one");
}

TEST_F(InputFile, ExactReadsCheckTheSizeFirst) {
    write("w.bin", std::string(12, 'a'));
    std::string error;
    EXPECT_EQ(read_input_file_exact(path("w.bin"), 12, "12 int8 weights", error)->size(), 12u);
    EXPECT_EQ(read_input_file_exact(path("w.bin"), 16, "16 int8 weights", error), std::nullopt);
    EXPECT_EQ(error, "expected '" + path("w.bin") +
                         "' to hold 16 int8 weights (16 bytes), found 12 bytes");
    EXPECT_EQ(read_input_file_exact("/dev/zero", 16, "16 int8 weights", error), std::nullopt);
    EXPECT_EQ(error, "cannot read '/dev/zero': it is a character device, not a regular file");
}

TEST(ShownValues, AreCutEscapedAndQuoted) {
    EXPECT_EQ(in_quotes("abc"), "'abc'");
    EXPECT_EQ(in_quotes(std::string(61, 'y')), "'" + std::string(60, 'y') + "...'");
    EXPECT_EQ(in_quotes(std::string(60, 'y')), "'" + std::string(60, 'y') + "'");
    EXPECT_EQ(shown("tab\there\xc3"), "tab\\x09here\\xc3");  // a cut-off UTF-8 sequence
    EXPECT_EQ(shown("\xce\xbcs"), "\xce\xbcs");              // valid UTF-8 (mu) is kept
    EXPECT_EQ(shown("\xed\xa0\x80"), "\\xed\\xa0\\x80");     // a surrogate is not UTF-8
    EXPECT_EQ(shown("\xc0\xaf"), "\\xc0\\xaf");              // overlong
    EXPECT_TRUE(printable_utf8("conv1 \xe2\x86\x92 out"));
    EXPECT_FALSE(printable_utf8("a\xff"));
    EXPECT_FALSE(printable_utf8("a\nb"));
}

TEST(YamlMessages, ParserTextsBecomeWhatToFix) {
    EXPECT_EQ(yaml_syntax_message("illegal map value", "array:\n\trows: 4\n", 1, 0),
              "invalid YAML: a tab character in the indentation (YAML indents with spaces only)");
    EXPECT_EQ(yaml_syntax_message("illegal map value", "a: b: c\n", 0, 4),
              "invalid YAML: a ':' where a value was expected (a value containing ': ' needs "
              "quotes, or this line is indented as if it continued the line above)");
    EXPECT_EQ(yaml_syntax_message("illegal EOF in scalar", "name: \"abc\n", 1, 0),
              "invalid YAML: an unterminated quoted string (the file ends before its closing "
              "quote)");
    EXPECT_EQ(yaml_syntax_message("end of map not found", "a:\n  b: 1\n c: 2\n", 2, 1),
              "invalid YAML: bad indentation: this line does not line up with the keys of its "
              "mapping");
    EXPECT_EQ(yaml_syntax_message("end of sequence flow not found", "a: [1, 2\n", 1, 0),
              "invalid YAML: a '[' without its closing ']'");
    EXPECT_EQ(yaml_syntax_message("something new", "", -1, -1), "invalid YAML: something new");
}

}  // namespace
}  // namespace npu

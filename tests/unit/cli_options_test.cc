// The command-line table (sim/cli/options.h): the parser refuses what the table does not allow,
// with the exact message, and the help text is generated from the same table.
#include <gtest/gtest.h>

#include "sim/cli/options.h"
#include "sim/core/error.h"

namespace npu::cli {
namespace {

std::string errors_of(const std::vector<std::string>& args) {
    try {
        (void)parse_command_line(args);
    } catch (const UserError& e) {
        return e.what();
    }
    return "";
}

TEST(CliOptions, ParsesValuesFlagsRepeatsAndInlineForms) {
    const ParsedCommand p =
        parse_command_line({"run", "--hw", "tpu_v1", "--set=array.rows=8", "--set", "clock=1GHz",
                            "--timing-only", "--fidelity=pe"});
    EXPECT_EQ(p.spec->name, "run");
    EXPECT_EQ(p.value("--hw"), "tpu_v1");
    EXPECT_EQ(p.all("--set"), (std::vector<std::string>{"array.rows=8", "clock=1GHz"}));
    EXPECT_TRUE(p.has("--timing-only"));
    EXPECT_EQ(p.value("--fidelity"), "pe");
    EXPECT_FALSE(p.help);

    const ParsedCommand r = parse_command_line({"regress", "-j3", "--quick"});
    EXPECT_EQ(r.count("-j"), 3u);
    const ParsedCommand alias = parse_command_line({"regress", "--jobs", "2"});
    EXPECT_EQ(alias.count("-j"), 2u);

    const ParsedCommand m = parse_command_line({"sweep", "merge", "a", "b", "--out", "c"});
    EXPECT_EQ(m.spec->name, "sweep merge");
    EXPECT_EQ(m.words, (std::vector<std::string>{"a", "b"}));
}

TEST(CliOptions, EveryProblemIsReportedTogetherWithItsExactText) {
    EXPECT_EQ(errors_of({"run", "--bogus", "--fidelity", "slow", "--hw"}),
              "<command line>: run: unknown option '--bogus' (npusim run --help lists its "
              "options)\n"
              "<command line>: run: --fidelity: expected fast or pe, found 'slow'\n"
              "<command line>: run: --hw: expected FILE after it, found the end of the command "
              "line");
    EXPECT_EQ(errors_of({"compile", "--html", "x.html"}),
              "<command line>: compile: unknown option '--html' (npusim compile --help lists its "
              "options)");
    EXPECT_EQ(errors_of({"run", "--hw", "a", "--hw", "b"}),
              "<command line>: run: --hw is given twice ('a' and 'b')");
    EXPECT_EQ(errors_of({"run", "--force=yes"}),
              "<command line>: run: --force takes no value, found 'yes'");
    EXPECT_EQ(errors_of({"regress", "-j", "0"}),
              "<command line>: regress: -j: expected a whole number from 1 to 999999999, found "
              "'0'");
    EXPECT_EQ(errors_of({"run", "extra"}),
              "<command line>: run: unexpected argument 'extra' (this command takes only "
              "options)");
    EXPECT_EQ(errors_of({"sweep", "merge", "a"}),
              "<command line>: sweep merge: --out DIR is required");
    EXPECT_EQ(errors_of({"sweep", "a.yaml", "b.yaml"}),
              "<command line>: sweep: unexpected argument 'b.yaml' (expected at most 1)");
    EXPECT_EQ(errors_of({"frobnicate"}),
              "<command line>: unknown command 'frobnicate': expected run, compile, import, "
              "config, compare, regress, sweep (npusim --help)");
    EXPECT_EQ(errors_of({"run", "--hw", ""}), "<command line>: run: --hw: expected FILE, found ''");
    EXPECT_EQ(errors_of({"run", "--max-memory", "--hw", "x"}),
              "<command line>: run: --max-memory: expected SIZE after it, found the option '--hw'");
}

TEST(CliOptions, LongOrBinaryValuesAreCutInMessages) {
    const std::string long_value(5000, 'x');
    const std::string e = errors_of({"run", "--fidelity", long_value});
    EXPECT_EQ(e, "<command line>: run: --fidelity: expected fast or pe, found '" +
                     std::string(60, 'x') + "...'");
    EXPECT_EQ(errors_of({"run", std::string("--a\xff\n", 5)}),
              "<command line>: run: unknown option '--a\\xff\\x0a' (npusim run --help lists its "
              "options)");
}

TEST(CliOptions, HelpIsAskedForInEveryFormAndRunsNothing) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"run", "--help"}, {"run", "-h"}, {"help", "run"}, {"run", "--timing-only", "-h"}}) {
        const ParsedCommand p = parse_command_line(args);
        EXPECT_TRUE(p.help);
        EXPECT_EQ(p.spec->name, "run");
    }
    // Help does not require the command's required options.
    EXPECT_TRUE(parse_command_line({"sweep", "merge", "--help"}).help);
}

TEST(CliOptions, HelpListsEveryOptionOfTheTableWithItsMeaningAndAnExample) {
    for (const CommandSpec& c : command_specs()) {
        const std::string help = command_help(c);
        EXPECT_EQ(help.rfind("usage: npusim " + c.name, 0), 0u) << help;
        for (const OptionSpec& o : c.options) {
            EXPECT_NE(help.find("  " + o.name), std::string::npos) << c.name << " " << o.name;
            EXPECT_NE(help.find(o.meaning.substr(0, 20)), std::string::npos) << o.name;
        }
        ASSERT_FALSE(c.examples.empty()) << c.name;
        EXPECT_NE(help.find(c.examples.front()), std::string::npos);
        for (const std::string& line : {help, general_help()}) {
            size_t start = 0;
            while (start < line.size()) {
                const size_t end = line.find('\n', start);
                EXPECT_LE((end == std::string::npos ? line.size() : end) - start, 100u)
                    << line.substr(start, 120);
                if (end == std::string::npos) break;
                start = end + 1;
            }
        }
        EXPECT_NE(general_help().find("  " + c.name + " "), std::string::npos) << c.name;
    }
    EXPECT_EQ(
        command_help(*find_command("regress")),
        R"(usage: npusim regress [--suite FILE] [--quick] [--only NAME[,NAME...]] [-j N] [--update]
                      [--golden-dir DIR]

Runs every case of the suite (default workloads/regression.yaml), each in its own process, and
compares its stats.json with tests/golden/<case>.json: integers exactly, other numbers to 1e-9; exit
1 on any difference (docs/regression.md).

options:
  --suite FILE           the suite file (default: workloads/regression.yaml)
  --quick                only the cases marked quick
  --only NAME[,NAME...]  only the named cases
  -j, --jobs N           run N simulations at a time (default: one per core)
  --update               rewrite the goldens of the selected cases from this run
  --golden-dir DIR       where the goldens are (default: tests/golden)
  -h, --help             print this help and exit

examples:
  npusim regress --quick
  npusim regress --update --only default_vta
)");
}

}  // namespace
}  // namespace npu::cli

// Fuzz target: the stats.json / golden reader as `npusim regress` uses it: parse with the depth
// bound, check the schema version, price the run from it, and compare it with itself (no
// difference may be found) and with the empty document. Anything but npu::UserError is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sim/cli/regress.h"
#include "sim/report/stats_json.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    nlohmann::json doc;
    try {
        doc = npu::report::parse_json_bounded(text, "golden.json");
    } catch (const npu::UserError& e) {
        npu::fuzz::expect_messages(e);
        return 0;
    }
    if (!npu::cli::compare_stats(doc, doc).empty())
        npu::fuzz::fail("a document differs from itself");
    (void)npu::cli::compare_stats(doc, nlohmann::json::object());
    try {
        (void)npu::report::price_from_stats_json(doc, "golden.json");
    } catch (const npu::UserError& e) {
        npu::fuzz::expect_messages(e);
    }
    return 0;
}

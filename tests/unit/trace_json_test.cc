#include "sim/report/trace_json.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "sim/core/error.h"

namespace npu::report {
namespace {

using nlohmann::json;
using stats::TraceEngine;

stats::TraceEvent event(uint32_t instr, uint32_t layer, TraceEngine e, uint64_t queued,
                        uint64_t start, uint64_t end, uint64_t complete, bool blocked = false) {
    stats::TraceEvent ev;
    ev.instr = instr;
    ev.layer = layer;
    ev.engine = e;
    ev.blocked = blocked;
    ev.queued = queued;
    ev.start = start;
    ev.end = end;
    ev.complete = complete;
    return ev;
}

// Two layers; a load whose data lands after the engine moved on, a compute that waited for it,
// a store, the SYNCs, and one dispatch back-pressure stall.
struct Sample {
    stats::RunStats run;
    stats::Trace trace;
};

Sample sample(double clock_hz) {
    Sample s;
    s.run.config_name = "edge \"npu\"";
    s.run.workload_name = "w";
    s.run.clock_hz = clock_hz;
    s.run.total_cycles = 300;
    for (const char* name : {"conv1", "fc"}) {
        stats::LayerStats l;
        l.name = name;
        l.op = "conv2d";
        s.run.layers.push_back(l);
    }
    s.run.layers[0].end_cycle = 200;
    s.run.layers[1].start_cycle = 200;
    s.run.layers[1].end_cycle = 300;
    const char* ops[] = {"LOAD", "COMPUTE", "POST", "SYNC", "LOAD", "SYNC"};
    for (int i = 0; i < 6; ++i) {
        s.trace.instrs.push_back({ops[i], std::to_string(i) + ": " + ops[i] + " a\tb", ""});
    }
    s.trace.instrs[1].waits_for = "load (operands ready)";
    s.trace.events = {
        event(0, 0, TraceEngine::kLoad, 1, 1, 40, 90),
        event(1, 0, TraceEngine::kCompute, 2, 90, 150, 150),
        event(2, 0, TraceEngine::kStore, 150, 150, 170, 170),
        event(3, 0, TraceEngine::kController, 4, 4, 200, 200),
        event(4, 1, TraceEngine::kController, 200, 201, 201, 201, true),  // blocked 200..201
        event(4, 1, TraceEngine::kLoad, 201, 201, 230, 280),
        event(5, 1, TraceEngine::kController, 202, 202, 300, 300),
    };
    return s;
}

json written(const Sample& s) {
    std::ostringstream out;
    write_trace_json(out, s.trace, s.run);
    return json::parse(out.str());  // throws on invalid JSON
}

// Microseconds in the file -> whole nanoseconds.
int64_t ns(const json& v) { return std::llround(v.get<double>() * 1000.0); }

TEST(TraceJson, IsValidJsonWithNamedTracks) {
    const json j = written(sample(1e9));
    ASSERT_TRUE(j.at("traceEvents").is_array());
    EXPECT_EQ(j.at("otherData").at("config"), "edge \"npu\"");
    std::map<int, std::string> threads;
    for (const json& e : j["traceEvents"]) {
        if (e["ph"] == "M" && e["name"] == "thread_name") threads[e["tid"]] = e["args"]["name"];
    }
    const std::map<int, std::string> expected = {
        {0, "layers"}, {1, "controller"}, {2, "load"}, {3, "compute"}, {4, "store"}};
    EXPECT_EQ(threads, expected);
}

TEST(TraceJson, EveryInstructionOnceOnItsEngineWithItsText) {
    const Sample s = sample(1e9);
    const json j = written(s);
    std::map<int, int> seen;
    for (const json& e : j["traceEvents"]) {
        if (e.value("cat", "") != "instr") continue;
        const int id = e["args"]["id"];
        ++seen[id];
        EXPECT_EQ(e["name"], s.trace.instrs[size_t(id)].op);
        EXPECT_EQ(e["args"]["asm"], s.trace.instrs[size_t(id)].text);  // the tab survives
    }
    ASSERT_EQ(seen.size(), s.trace.instrs.size());
    for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << "instruction " << id;
}

TEST(TraceJson, CyclesBecomeMicrosecondsAtTheClock) {
    // 1 GHz: cycle = ns. LOAD 0 runs on its engine [1, 40), its data lands at 90.
    const json j = written(sample(1e9));
    bool found = false;
    for (const json& e : j["traceEvents"]) {
        if (e.value("cat", "") == "instr" && e["args"]["id"] == 0) {
            EXPECT_EQ(ns(e["ts"]), 1);
            EXPECT_EQ(ns(e["dur"]), 39);
            EXPECT_EQ(e["args"]["complete_cycle"], 90);
            found = true;
        }
    }
    EXPECT_TRUE(found);
    // 500 MHz: a cycle is 2 ns; layer fc [200, 300) is [400 ns, 600 ns).
    const json h = written(sample(5e8));
    for (const json& e : h["traceEvents"]) {
        if (e.value("cat", "") == "layer" && e["name"] == "fc") {
            EXPECT_EQ(ns(e["ts"]), 400);
            EXPECT_EQ(ns(e["dur"]), 200);
        }
    }
}

TEST(TraceJson, StallsAndInFlightSpans) {
    const json j = written(sample(1e9));
    int waits = 0, blocked = 0, begins = 0, ends = 0;
    for (const json& e : j["traceEvents"]) {
        if (e.value("cat", "") == "stall" && e["name"] == "wait") {
            // COMPUTE 1 was queued at 2 and started at 90, when its operands arrived.
            EXPECT_EQ(e["args"]["instr"], 1);
            EXPECT_EQ(e["tid"], 3);
            EXPECT_EQ(ns(e["ts"]), 2);
            EXPECT_EQ(ns(e["dur"]), 88);
            EXPECT_EQ(e["args"]["waits_for"], "load (operands ready)");
            ++waits;
        }
        if (e.value("cat", "") == "stall" && e["name"] == "dispatch blocked") {
            EXPECT_EQ(e["tid"], 1);
            EXPECT_EQ(e["args"]["cycles"], 1);
            ++blocked;
        }
        // LOADs 0 and 4 complete after their engine moved on: async spans start..complete.
        if (e["ph"] == "b") {
            EXPECT_EQ(e["cat"], "inflight");
            ++begins;
        }
        if (e["ph"] == "e") {
            EXPECT_EQ(ns(e["ts"]), e["id"] == 0 ? 90 : 280);
            ++ends;
        }
    }
    EXPECT_EQ(waits, 1);
    EXPECT_EQ(blocked, 1);
    EXPECT_EQ(begins, 2);
    EXPECT_EQ(ends, 2);
}

TEST(TraceJson, OneTrackNeverOverlapsAndLayersAreOrdered) {
    const json j = written(sample(1e9));
    std::map<int, std::vector<std::pair<int64_t, int64_t>>> spans;
    for (const json& e : j["traceEvents"]) {
        if (e["ph"] != "X") continue;
        ASSERT_GE(ns(e["dur"]), 0);
        spans[e["tid"]].emplace_back(ns(e["ts"]), ns(e["ts"]) + ns(e["dur"]));
    }
    for (auto& [tid, v] : spans) {
        std::sort(v.begin(), v.end());
        for (size_t i = 1; i < v.size(); ++i) {
            EXPECT_LE(v[i - 1].second, v[i].first) << "track " << tid << " event " << i;
        }
    }
    ASSERT_EQ(spans[0].size(), 2u);  // the layers, one after the other
    EXPECT_EQ(spans[0][0], std::make_pair(int64_t{0}, int64_t{200}));
    EXPECT_EQ(spans[0][1], std::make_pair(int64_t{200}, int64_t{300}));
}

TEST(TraceJson, DeterministicOutput) {
    std::ostringstream a, b;
    const Sample s = sample(7e8);
    write_trace_json(a, s.trace, s.run);
    write_trace_json(b, s.trace, s.run);
    EXPECT_EQ(a.str(), b.str());
}

TEST(TraceJson, PathChecksNameTheOption) {
    try {
        check_trace_path("/no/such/dir/t.json", false);
        FAIL() << "expected a UserError";
    } catch (const UserError& e) {
        EXPECT_EQ(e.diagnostics().at(0).to_string(),
                  "/no/such/dir/t.json: --trace: cannot write the trace: directory '/no/such/dir' "
                  "does not exist");
    }
    EXPECT_THROW(check_trace_path("", false), UserError);
    EXPECT_NO_THROW(check_trace_path("new_trace_that_does_not_exist.json", false));
}

}  // namespace
}  // namespace npu::report

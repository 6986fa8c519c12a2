// The layer-by-layer check (sim/ref/layer_check.h) and the streaming reference run it is fed by.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sim/quant/ptq.h"
#include "sim/ref/layer_check.h"
#include "sim/ref/reference.h"

namespace npu::ref {
namespace {

LayerCheck::Output bytes(std::vector<int8_t> v) {
    return std::make_shared<const std::vector<int8_t>>(std::move(v));
}

TEST(LayerCheck, CountsEachLayersMismatchesWhicheverSideComesFirst) {
    LayerCheck check(4);
    // Layer 0: the reference first; 2 of 4 elements differ.
    check.expected(0, bytes({1, 2, 3, 4}));
    EXPECT_FALSE(check.mismatches(0).has_value());
    check.simulated(0, bytes({1, 0, 3, 0}));
    EXPECT_EQ(check.mismatches(0), 2u);
    // Layer 1: the simulation first; equal.
    check.simulated(1, bytes({-5, 6}));
    EXPECT_FALSE(check.mismatches(1).has_value());
    check.expected(1, bytes({-5, 6}));
    EXPECT_EQ(check.mismatches(1), 0u);
    // Layer 2: the simulated output is short: the 2 missing elements differ (and 1 present).
    check.simulated(2, bytes({7, 8, 0}));
    check.expected(2, bytes({7, 8, 9, 10, 11}));
    EXPECT_EQ(check.mismatches(2), 3u);
    // Layer 3: bytes beyond the expected output are not compared.
    check.expected(3, bytes({1}));
    check.simulated(3, bytes({1, 99}));
    EXPECT_EQ(check.mismatches(3), 0u);
}

TEST(LayerCheck, LetsBothOutputsGoOnceCompared) {
    LayerCheck check(1);
    LayerCheck::Output want = bytes({1, 2}), got = bytes({1, 2});
    const std::weak_ptr<const std::vector<int8_t>> w = want, g = got;
    check.expected(0, std::move(want));
    EXPECT_FALSE(w.expired());  // held until the simulation's arrives
    check.simulated(0, std::move(got));
    EXPECT_TRUE(w.expired());
    EXPECT_TRUE(g.expired());
}

TEST(LayerCheck, PacesTheReferenceToTheSimulation) {
    LayerCheck check(8);
    // Layers up to kReferenceLead need nothing simulated.
    for (size_t i = 0; i <= LayerCheck::kReferenceLead; ++i) {
        EXPECT_TRUE(check.wait_for_simulation(i));
    }
    std::atomic<bool> passed{false};
    std::thread reference([&] {
        EXPECT_TRUE(check.wait_for_simulation(LayerCheck::kReferenceLead + 1));
        passed = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(passed.load());  // blocked: nothing simulated yet
    check.simulated(0, bytes({0}));
    reference.join();
    EXPECT_TRUE(passed.load());
    // The simulation's end releases every later layer; abandoning it says stop.
    check.simulation_ended();
    EXPECT_TRUE(check.wait_for_simulation(7));
    LayerCheck failed(8);
    std::thread stopped([&] { EXPECT_FALSE(failed.wait_for_simulation(7)); });
    failed.abandon();
    stopped.join();
}

// Streaming gives run_workload's outputs, in order, and lets each go after its last reader.
TEST(RefWorkload, StreamingGivesTheSameOutputsAndReleasesThemAfterTheLastReader) {
    for (const std::string name : {"tiny_resnet", "tiny_attention"}) {
        const graph::Workload w = quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) +
                                                           "/workloads/" + name + ".yaml");
        const auto all = run_workload(w, Rounding::kHalfEven);
        std::vector<std::weak_ptr<const std::vector<int8_t>>> seen;
        std::vector<size_t> order;
        std::vector<size_t> alive_at;  // outputs still alive when each layer is handed over
        run_workload_streaming(w, Rounding::kHalfEven, RequantMode::kFixedPoint,
                               [&](size_t i, LayerCheck::Output out) {
                                   order.push_back(i);
                                   ASSERT_EQ(*out, all.at(i)) << name << " layer " << i;
                                   size_t alive = 0;
                                   for (const auto& s : seen) alive += !s.expired();
                                   alive_at.push_back(alive);
                                   seen.push_back(out);
                               });
        ASSERT_EQ(order.size(), w.layers.size()) << name;
        for (size_t i = 0; i < order.size(); ++i) EXPECT_EQ(order[i], i) << name;
        for (const auto& s : seen) EXPECT_TRUE(s.expired()) << name;  // nothing kept at the end
        // A network's live set is far smaller than all its outputs.
        EXPECT_LE(*std::max_element(alive_at.begin(), alive_at.end()), 3u) << name;
    }
}

TEST(RefWorkload, StreamingStopsWhenBeforeLayerSaysSo) {
    const graph::Workload w =
        quant::load_and_quantize(std::string(NPUSIM_SOURCE_DIR) + "/workloads/tiny_resnet.yaml");
    std::vector<size_t> got;
    run_workload_streaming(
        w, Rounding::kHalfEven, RequantMode::kFixedPoint,
        [&](size_t i, const LayerCheck::Output&) { got.push_back(i); },
        [](size_t i) { return i < 3; });
    EXPECT_EQ(got, (std::vector<size_t>{0, 1, 2}));
}

}  // namespace
}  // namespace npu::ref

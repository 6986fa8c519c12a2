// Post-training quantization (sim/quant/ptq.h): the calibration arithmetic pinned down, and the
// bundled digits network quantized to the parameters and accuracy of
// workloads/digits/expected.json (written by scripts/train_digits.py's numpy emulation).
#include "sim/quant/ptq.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/core/error.h"
#include "sim/graph/workload.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/float_ref.h"
#include "sim/quant/prepare.h"
#include "sim/ref/reference.h"

namespace npu::quant {
namespace {

using graph::QuantParams;
using graph::Workload;

std::string source(const std::string& rel) { return std::string(NPUSIM_SOURCE_DIR) + "/" + rel; }

TEST(PtqChooseQuant, AsymmetricRangeAlwaysHoldsZero) {
    const QuantParams unit = choose_quant(0.0, 1.0, false);
    EXPECT_DOUBLE_EQ(unit.scale, 1.0 / 255);
    EXPECT_EQ(unit.zero_point, -128);
    // digits' fc logits: [-27.885046005249023, 17.775672912597656] -> 0.179061..., zp 28
    const QuantParams fc = choose_quant(-27.885046005249023, 17.775672912597656, false);
    EXPECT_DOUBLE_EQ(fc.scale, (17.775672912597656 + 27.885046005249023) / 255);
    EXPECT_EQ(fc.zero_point, 28);
    // A range away from zero is widened to hold it: [2, 5] -> [0, 5].
    const QuantParams pos = choose_quant(2.0, 5.0, false);
    EXPECT_DOUBLE_EQ(pos.scale, 5.0 / 255);
    EXPECT_EQ(pos.zero_point, -128);
    const QuantParams neg = choose_quant(-3.0, -1.0, false);
    EXPECT_DOUBLE_EQ(neg.scale, 3.0 / 255);
    EXPECT_EQ(neg.zero_point, 127);
    // Empty range: scale 1.0; -128 - 0 / 1 = -128.
    EXPECT_EQ(choose_quant(0.0, 0.0, false), (QuantParams{1.0, -128}));
    // The zero point rounds half to even: [-0.5, 0.5] gives scale 1/255 and
    // -128 - (-0.5) / (1/255) = -0.5 -> 0 (even), not -1.
    const QuantParams half = choose_quant(-0.5, 0.5, false);
    EXPECT_EQ(half.zero_point, 0);
}

TEST(PtqChooseQuant, SymmetricUsesTheLargerMagnitude) {
    EXPECT_EQ(choose_quant(-2.0, 1.0, true), (QuantParams{2.0 / 127, 0}));
    EXPECT_EQ(choose_quant(0.0, 6.35, true), (QuantParams{6.35 / 127, 0}));
    EXPECT_EQ(choose_quant(0.0, 0.0, true), (QuantParams{1.0, 0}));
}

TEST(PtqRanges, MinMaxAndNearestRankPercentile) {
    const Range mm = minmax_range({3.0f, -1.5f, 2.0f});
    EXPECT_EQ(mm.lo, -1.5);
    EXPECT_EQ(mm.hi, 3.0);
    std::vector<float> v;
    for (int i = 100; i >= 1; --i) v.push_back(static_cast<float>(i));  // unsorted 1..100
    // p = 99: hi = v[ceil(0.99 * 100) - 1] = v[98] = 99; lo = v[ceil(0.01 * 100) - 1] = v[0] = 1.
    Range r = percentile_range(v, 99.0);
    EXPECT_EQ(r.lo, 1.0);
    EXPECT_EQ(r.hi, 99.0);
    // p = 95.5: hi = v[ceil(95.5) - 1] = v[95] = 96; lo = v[ceil(4.5) - 1] = v[4] = 5.
    r = percentile_range(v, 95.5);
    EXPECT_EQ(r.lo, 5.0);
    EXPECT_EQ(r.hi, 96.0);
    // p = 100: the min and the max.
    r = percentile_range(v, 100.0);
    EXPECT_EQ(r.lo, 1.0);
    EXPECT_EQ(r.hi, 100.0);
    // One outlier above 10000 ordinary values: rank ceil(0.9999 * 10001) - 1 = 9999 is the
    // largest ordinary value, so 99.99 drops the outlier.
    std::vector<float> w(10000, 1.0f);
    w.push_back(1000.0f);
    r = percentile_range(w, 99.99);
    EXPECT_EQ(r.hi, 1.0);
}

TEST(PtqWeights, PerChannelAndPerTensorSymmetric) {
    // Two channels of 3: [1, -2, 0.5] and [0, 0, 0].
    const std::vector<float> w{1.0f, -2.0f, 0.5f, 0.0f, 0.0f, 0.0f};
    const QuantizedWeights pc = quantize_weights(w, 2, true);
    EXPECT_EQ(pc.scale, (std::vector<double>{2.0 / 127, 1.0}));
    // 1 / (2/127) = 63.5 -> 64 (even); 0.5 / (2/127) = 31.75 -> 32.
    EXPECT_EQ(pc.q, (std::vector<int8_t>{64, -127, 32, 0, 0, 0}));
    const QuantizedWeights pt = quantize_weights(w, 2, false);
    EXPECT_EQ(pt.scale, (std::vector<double>{2.0 / 127, 2.0 / 127}));
    const QuantizedWeights i4 = quantize_weights(w, 2, true, 7);
    EXPECT_EQ(i4.scale[0], 2.0 / 7);
    // 1 / (2/7) = 3.5 -> 4; 0.5 / (2/7) = 1.75 -> 2.
    EXPECT_EQ(i4.q, (std::vector<int8_t>{4, -7, 2, 0, 0, 0}));
}

TEST(PtqBias, RoundsHalfToEvenAndRejectsOverflow) {
    // 0.3125 / (0.5 * 0.25) = 2.5 -> 2; -0.4375 / 0.125 = -3.5 -> -4 (all exact in binary).
    EXPECT_EQ(quantize_bias({0.3125f, -0.4375f}, 0.5, {0.25, 0.25}), (std::vector<int32_t>{2, -4}));
    EXPECT_THROW((void)quantize_bias({1e9f}, 1e-3, {1e-3}), std::out_of_range);
}

TEST(PtqInput, DividesAndRoundsHalfToEven) {
    const QuantParams q{1.0 / 255, -128};
    // 0.5 / (1/255) = 127.5 exactly -> 128 (even) -> 0.
    EXPECT_EQ(quantize_value(0.5f, q), 0);
    EXPECT_EQ(quantize_value(1.0f, q), 127);
    EXPECT_EQ(quantize_value(2.0f, q), 127);  // saturates
    EXPECT_EQ(quantize_value(-1.0f, q), -128);
    EXPECT_EQ(quantize_values({0.0f, 0.0625f}, q), (std::vector<int8_t>{-128, -112}));
}

int argmax(const std::vector<int8_t>& v) {
    return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());  // first max
}
int argmax(const std::vector<float>& v) {
    return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

class DigitsPtq : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        std::ifstream in(source("workloads/digits/expected.json"));
        s_expected = new nlohmann::json(nlohmann::json::parse(in));
        s_float = new Workload(graph::load_workload(source("workloads/digits.yaml")));
        s_int8 = new Workload(quantize(*s_float));
    }
    static void TearDownTestSuite() {
        delete s_expected;
        delete s_float;
        delete s_int8;
    }
    static nlohmann::json* s_expected;
    static Workload* s_float;
    static Workload* s_int8;
};
nlohmann::json* DigitsPtq::s_expected = nullptr;
Workload* DigitsPtq::s_float = nullptr;
Workload* DigitsPtq::s_int8 = nullptr;

void expect_rel(double got, double want, const std::string& what) {
    EXPECT_LE(std::fabs(got - want), 1e-6 * std::fabs(want))
        << what << ": " << got << " vs " << want;
}

TEST_F(DigitsPtq, ScalesZeroPointsAndBiasesMatchTheTrainingScript) {
    const Workload& w = *s_int8;
    const nlohmann::json& e = *s_expected;
    std::cout << describe_quantization(w);
    EXPECT_FALSE(w.needs_ptq);
    const auto& act = e["activation_quant"];
    expect_rel(w.inputs[0].quant.scale, act["input"]["scale"], "input scale");
    EXPECT_EQ(w.inputs[0].quant.zero_point, act["input"]["zero_point"].get<int>());
    for (const char* name : {"conv1", "conv2", "fc"}) {
        const auto it = std::find_if(w.layers.begin(), w.layers.end(),
                                     [&](const graph::Layer& l) { return l.name == name; });
        ASSERT_NE(it, w.layers.end()) << name;
        expect_rel(it->output.scale, act[name]["scale"], std::string(name) + " scale");
        EXPECT_EQ(it->output.zero_point, act[name]["zero_point"].get<int>()) << name;
        const std::vector<double> ws = e["weight_scales"][name];
        ASSERT_EQ(it->weight_scale.size(), ws.size()) << name;
        for (size_t c = 0; c < ws.size(); ++c) {
            expect_rel(it->weight_scale[c], ws[c], std::string(name) + " weight scale");
        }
        EXPECT_EQ(it->bias, e["bias_q"][name].get<std::vector<int32_t>>()) << name;
    }
    // The pools keep their input's quantization; layer_outputs report every tensor's.
    EXPECT_EQ(w.layers[1].output, w.layers[0].output);
    EXPECT_EQ(w.layers[3].output, w.layers[2].output);
    ASSERT_EQ(w.layer_outputs.size(), 5u);
    EXPECT_EQ(w.layer_outputs[4].quant, w.layers[4].output);
    // A single run's input: the first test image.
    EXPECT_EQ(w.input, quantize_values(w.samples.inputs[0], w.inputs[0].quant));
}

TEST_F(DigitsPtq, Int8AndFp32AccuracyMatchTheTrainingScript) {
    Workload w = *s_int8;
    const nlohmann::json& e = *s_expected;
    const std::vector<int> want_int8 = e["int8_predictions"];
    const std::vector<int> want_fp32 = e["fp32_predictions"];
    ASSERT_EQ(w.samples.inputs.size(), want_int8.size());
    int int8_correct = 0, fp32_correct = 0, int8_diff = 0, fp32_diff = 0;
    for (size_t i = 0; i < w.samples.inputs.size(); ++i) {
        w.input_data[0] = quantize_values(w.samples.inputs[i], w.inputs[0].quant);
        w.input = w.input_data[0];
        const int p8 = argmax(ref::run_workload(w, Rounding::kHalfEven).back());
        const std::vector<std::vector<float>> in{w.samples.inputs[i]};
        const int p32 = argmax(run_float(*s_float, Precision::kFp32, &in).back());
        int8_correct += p8 == w.samples.labels[i];
        fp32_correct += p32 == w.samples.labels[i];
        int8_diff += p8 != want_int8[i];
        fp32_diff += p32 != want_fp32[i];
    }
    std::cout << "digits: int8 " << int8_correct << "/360 (expected "
              << e["int8_correct"].get<int>() << ", " << int8_diff << " predictions differ), fp32 "
              << fp32_correct << "/360 (expected " << e["fp32_correct"].get<int>() << ", "
              << fp32_diff << " differ)\n";
    EXPECT_LE(int8_diff, 1);
    EXPECT_LE(std::abs(fp32_correct - e["fp32_correct"].get<int>()), 1);
    EXPECT_LE(std::abs(int8_correct - e["int8_correct"].get<int>()), 1);
}

TEST(Ptq, RefusesAWorkloadThatIsNotPending) {
    const Workload w = prepare(graph::load_workload(source("workloads/gemm_small.yaml")));
    EXPECT_THROW((void)quantize(w), std::invalid_argument);
    // load_and_quantize passes quantized workloads through.
    EXPECT_EQ(load_and_quantize(source("workloads/gemm_small.yaml")).layers[0].weights,
              w.layers[0].weights);
}

TEST(Ptq, PercentileAndSymmetricSettingsChangeTheScales) {
    const Workload f = graph::load_workload(source("workloads/digits.yaml"));
    PtqOptions o = f.ptq;
    const Workload minmax = quantize(f, o);
    o.symmetric_activations = true;
    const Workload sym = quantize(f, o);
    EXPECT_EQ(sym.layers[4].output.zero_point, 0);
    EXPECT_EQ(sym.inputs[0].quant, (QuantParams{1.0 / 127, 0}));
    o.symmetric_activations = false;
    o.method = PtqOptions::Method::kPercentile;
    o.percentile = 99.0;
    const Workload pct = quantize(f, o);
    EXPECT_LT(pct.layers[0].output.scale, minmax.layers[0].output.scale);
    o.method = PtqOptions::Method::kMinMax;
    o.per_channel_weights = false;
    const Workload pt = quantize(f, o);
    const auto& ws = pt.layers[2].weight_scale;
    EXPECT_TRUE(std::all_of(ws.begin(), ws.end(), [&](double s) { return s == ws[0]; }));
    EXPECT_EQ(ws[0], *std::max_element(minmax.layers[2].weight_scale.begin(),
                                       minmax.layers[2].weight_scale.end()));
}

}  // namespace
}  // namespace npu::quant

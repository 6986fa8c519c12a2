// Top-1 on the digits test split through the simulated NPU against ONNX Runtime's: the committed
// digits models (tests/onnx/models/digits_{qdq,qlinear}.onnx) run by the NPU model (fast
// fidelity, functional, every run checked bit-exact against the reference executor) on each of
// the 360 test images (digits_test.npy: scripts/train_digits.py's split, NCHW float32, given as
// `npusim run --input input=...` gives it: quantized as QuantizeLinear), and the predicted class
// (argmax of the dequantized output, the first index on ties as numpy.argmax) compared with ONNX
// Runtime's (tests/onnx/goldens/digits_top1.json, written by scripts/ort_top1.py).
// postproc.requant float32: every prediction is ORT's. fixed_point: the images whose prediction
// differs are counted (measured, asserted so a change shows).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <systemc>
#include <vector>

#include "sim/config/config_loader.h"
#include "sim/core/npy.h"
#include "sim/frontend/frontend.h"
#include "sim/frontend/tensor_io.h"
#include "sim/report/figures.h"
#include "sim/run/simulation.h"

namespace npu {
namespace {

const std::string kOnnx = std::string(NPUSIM_SOURCE_DIR) + "/tests/onnx/";

struct Case {
    const char* model;
    const char* requant;
    int64_t differing;  // images whose prediction differs from ORT's (measured)
};

struct Top1 {
    std::vector<int64_t> predictions;
    int64_t correct = 0;
};

Top1 ort_top1(const std::string& model) {
    std::ifstream f(kOnnx + "goldens/digits_top1.json");
    const nlohmann::json j = nlohmann::json::parse(f);
    const nlohmann::json& m = j.at("models").at(model);
    return Top1{m.at("predictions").get<std::vector<int64_t>>(), m.at("correct").get<int64_t>()};
}

class DigitsTop1 : public ::testing::TestWithParam<Case> {};

TEST_P(DigitsTop1, EveryTestImagePredictsAsOnnxRuntime) {
    const Case c = GetParam();
    const std::string model = std::string(c.model) + ".onnx";
    const Top1 ort = ort_top1(model);
    const npy::Array images = npy::read(kOnnx + "models/digits_test.npy");
    const npy::Array labels = npy::read(kOnnx + "models/digits_labels.npy");
    ASSERT_EQ(images.shape, (std::vector<int64_t>{360, 1, 8, 8}));
    ASSERT_EQ(ort.predictions.size(), 360u);
    const std::vector<int64_t> label = labels.ints();

    cfg::HwConfig hw = cfg::default_hw_config();
    cfg::apply_overrides(hw, {std::string("postproc.requant=") + c.requant});
    graph::Workload wl = frontend::load_workload(kOnnx + "models/" + model);
    const graph::QuantParams out_q = wl.layer_outputs.back().quant;
    ASSERT_EQ(wl.layer_outputs.back().elems(), 10);

    const size_t image_bytes = images.data.size() / 360;
    int64_t differ = 0, correct = 0, exact = 0;
    for (size_t i = 0; i < 360; ++i) {
        npy::Array x;
        x.dtype = npy::DType::kFloat32;
        x.shape = {1, 1, 8, 8};
        x.data.assign(images.data.begin() + static_cast<std::ptrdiff_t>(i * image_bytes),
                      images.data.begin() + static_cast<std::ptrdiff_t>((i + 1) * image_bytes));
        frontend::apply_input_arrays(wl,
                                     {{"input", x, "digits_test.npy[" + std::to_string(i) + "]"}});
        const run::RunResult r = run::simulate(hw, wl, {});
        exact += report::check_summary(r.stats).all_checked_exact();
        // DequantizeLinear: float(q - zero_point) * float(scale); the first maximum wins.
        const std::vector<int8_t>& q = r.outputs.back();
        int64_t top = 0;
        float best = 0.0f;
        for (size_t k = 0; k < q.size(); ++k) {
            const float v =
                static_cast<float>(int{q[k]} - out_q.zero_point) * static_cast<float>(out_q.scale);
            if (k == 0 || v > best) {
                best = v;
                top = static_cast<int64_t>(k);
            }
        }
        differ += top != ort.predictions[i];
        correct += top == label[i];
        if (std::string(c.requant) == "float32") {
            EXPECT_EQ(top, ort.predictions[i]) << model << " test image " << i;
        }
    }
    EXPECT_EQ(exact, 360) << "every run bit-exact against the reference executor";
    EXPECT_EQ(differ, c.differing) << model << " " << c.requant;
    if (c.differing == 0) {
        EXPECT_EQ(correct, ort.correct) << model << " " << c.requant;
    }
    std::cout << model << " postproc.requant=" << c.requant << ": top-1 " << correct
              << "/360 (ONNX Runtime " << ort.correct << "/360), " << differ
              << " of 360 predictions differ from ONNX Runtime's\n";
}

INSTANTIATE_TEST_SUITE_P(Models, DigitsTop1,
                         ::testing::Values(Case{"digits_qdq", "float32", 0},
                                           Case{"digits_qlinear", "float32", 0},
                                           Case{"digits_qdq", "fixed_point", 0},
                                           Case{"digits_qlinear", "fixed_point", 0}),
                         [](const ::testing::TestParamInfo<Case>& p) {
                             return std::string(p.param.model) + "_" + p.param.requant;
                         });

}  // namespace
}  // namespace npu

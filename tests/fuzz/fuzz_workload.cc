// Fuzz target: the workload loader with its side files. The input is a workload YAML, optionally
// followed by a line "#---" and the bytes of a side file, written as side.bin next to the
// workload (seeds reference it as the weights, bias, calibration or samples file). The workload
// is loaded without and with data, and a float network is post-training quantized, as
// `npusim run` does: anything but npu::UserError is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/frontend/frontend.h"
#include "sim/graph/workload_loader.h"
#include "sim/quant/ptq.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

const std::string& work_dir() {
    static const std::string dir = [] {
        const auto d = std::filesystem::temp_directory_path() /
                       ("npusim_fuzz_workload_" + std::to_string(::getpid()));
        std::filesystem::create_directories(d);
        return d.string();
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    std::string side;
    if (const size_t cut = text.find("\n#---\n"); cut != std::string::npos) {
        side = text.substr(cut + 6);
        text.resize(cut + 1);
    }
    std::ofstream(work_dir() + "/side.bin", std::ios::binary | std::ios::trunc) << side;
    const std::string label = work_dir() + "/fuzz.yaml";
    for (bool with_data : {false, true}) {
        try {
            npu::graph::LoadOptions lo;
            lo.with_data = with_data;
            npu::graph::Workload wl = npu::graph::load_workload_from_string(text, label, lo);
            if (with_data && wl.needs_ptq) wl = npu::quant::quantize(wl);
        } catch (const npu::UserError& e) {
            npu::fuzz::expect_messages(e);
        }
    }
    return 0;
}

// The one sc_main of every model test executable (tests/models/*.cc): GoogleTest inside the
// SystemC kernel's entry point, with bundled names resolved from the source tree.
#include <gtest/gtest.h>

#include <systemc>

#include "sim/config/paths.h"

int sc_main(int argc, char* argv[]) {
    ::testing::InitGoogleTest(&argc, argv);
    npu::cfg::set_data_dir(NPUSIM_SOURCE_DIR);
    return RUN_ALL_TESTS();
}

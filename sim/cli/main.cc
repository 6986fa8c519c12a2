// The npusim binary. We provide main() ourselves (instead of libsystemc's) to switch off the
// SystemC banner, which would otherwise land in the middle of our report on stdout; the variable
// must be set before SystemC starts.
#include <cstdlib>
#include <iostream>
#include <string>
#include <systemc>
#include <vector>

#include "sim/cli/cli.h"

int sc_main(int argc, char* argv[]) {
    std::vector<std::string> args(argv + 1, argv + argc);
    return npu::cli::main(args, std::cout, std::cerr);
}

int main(int argc, char* argv[]) {
    setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}

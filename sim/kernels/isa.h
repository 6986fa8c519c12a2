// Which instruction set the integer kernels of sim/kernels run on, chosen at run time.
//
// One binary runs everywhere: the build targets generic x86-64, and each kernel exists as a
// portable C++ version and as versions compiled for wider vector units (per-function target
// attributes, never -march=native). At the first call the best path this CPU and OS support is
// picked (cpuid through __builtin_cpu_supports, which also checks that the OS saves the vector
// registers). The environment variable NPUSIM_KERNELS=portable|avx2|avx512vnni forces a path
// (tests run every path this way); asking for one the CPU lacks, or an unknown name, is an error.
// Every path computes the same bits: the kernels are integer-exact.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace npu::kernels {

enum class Isa {
    kPortable,    // plain C++ (the compiler's SSE2 at most)
    kAvx2,        // 256-bit: int16 multiply-add (vpmaddwd)
    kAvx512Vnni,  // 512-bit: int8 dot products (vpdpbusd)
};

[[nodiscard]] const char* to_string(Isa isa);
[[nodiscard]] std::optional<Isa> parse_isa(const std::string& name);

// Whether this CPU (and OS) can run `isa`.
[[nodiscard]] bool supported(Isa isa);
// Every supported path, portable first.
[[nodiscard]] std::vector<Isa> supported_isas();
// The widest supported path.
[[nodiscard]] Isa best_isa();

// The path the kernels use: NPUSIM_KERNELS if set (and non-empty), else best_isa(). Decided once
// per process. Throws npu::UserError (exit code 2) naming the variable, what it may be and what
// this CPU offers, for an unknown or unsupported value.
[[nodiscard]] Isa active_isa();

// The path of a second computation that checks the first (the reference executor checks the
// models' datapath, which runs on active_isa()): the widest supported path other than
// active_isa(), so the two use different micro-kernels and packings; active_isa() itself when the
// CPU offers no other (then the kernels' own tests against the scalar loops are what keep the
// shared kernel honest).
[[nodiscard]] Isa check_isa();

// The check behind active_isa() for a given value of the variable (nullptr: unset).
[[nodiscard]] Isa isa_from_env_value(const char* value);

}  // namespace npu::kernels

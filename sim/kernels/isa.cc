#include "sim/kernels/isa.h"

#include <cstdlib>

#include "sim/core/error.h"

namespace npu::kernels {

const char* to_string(Isa isa) {
    switch (isa) {
        case Isa::kPortable:
            return "portable";
        case Isa::kAvx2:
            return "avx2";
        case Isa::kAvx512Vnni:
            return "avx512vnni";
    }
    return "?";
}

std::optional<Isa> parse_isa(const std::string& name) {
    for (Isa i : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512Vnni}) {
        if (name == to_string(i)) return i;
    }
    return std::nullopt;
}

bool supported(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    switch (isa) {
        case Isa::kPortable:
            return true;
        case Isa::kAvx2:
            return __builtin_cpu_supports("avx2");
        case Isa::kAvx512Vnni:
            return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                   __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
    }
    return false;
#else
    return isa == Isa::kPortable;
#endif
}

std::vector<Isa> supported_isas() {
    std::vector<Isa> out;
    for (Isa i : {Isa::kPortable, Isa::kAvx2, Isa::kAvx512Vnni}) {
        if (supported(i)) out.push_back(i);
    }
    return out;
}

Isa best_isa() { return supported_isas().back(); }

Isa isa_from_env_value(const char* value) {
    if (value == nullptr || *value == '\0') return best_isa();
    const std::optional<Isa> isa = parse_isa(value);
    std::string offers;
    for (Isa i : supported_isas())
        offers += (offers.empty() ? "" : ", ") + std::string(to_string(i));
    if (!isa) {
        throw UserError(Diagnostic{
            "<environment>", 0, 0, "NPUSIM_KERNELS",
            "expected portable, avx2 or avx512vnni, found '" + std::string(value) + "'"});
    }
    if (!supported(*isa)) {
        throw UserError(Diagnostic{
            "<environment>", 0, 0, "NPUSIM_KERNELS",
            "this CPU cannot run the '" + std::string(value) + "' kernels; it offers " + offers});
    }
    return *isa;
}

Isa active_isa() {
    static const Isa isa = isa_from_env_value(std::getenv("NPUSIM_KERNELS"));
    return isa;
}

Isa check_isa() {
    const Isa active = active_isa();
    Isa other = active;
    for (Isa i : supported_isas()) {
        if (i != active) other = i;
    }
    return other;
}

}  // namespace npu::kernels

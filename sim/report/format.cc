#include "sim/report/format.h"

#include <cmath>
#include <iomanip>
#include <sstream>

namespace npu::report {

std::string with_commas(uint64_t v) {
    std::string digits = std::to_string(v);
    std::string out;
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

std::string fixed(double v, int decimals) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(decimals) << v;
    return s.str();
}

std::string human_bytes(uint64_t bytes) {
    constexpr double kKi = 1024.0;
    const double b = static_cast<double>(bytes);
    if (bytes < 1024) return std::to_string(bytes) + " B";
    if (b < kKi * kKi) return fixed(b / kKi, 2) + " KiB";
    if (b < kKi * kKi * kKi) return fixed(b / (kKi * kKi), 2) + " MiB";
    return fixed(b / (kKi * kKi * kKi), 2) + " GiB";
}

std::string human_time(double seconds) {
    if (seconds < 1e-3) return fixed(seconds * 1e6, 3) + " us";
    if (seconds < 1.0) return fixed(seconds * 1e3, 3) + " ms";
    return fixed(seconds, 3) + " s";
}

std::string human_frequency(double hz) {
    const char* unit = "Hz";
    double v = hz;
    if (hz >= 1e9) {
        v = hz / 1e9;
        unit = "GHz";
    } else if (hz >= 1e6) {
        v = hz / 1e6;
        unit = "MHz";
    } else if (hz >= 1e3) {
        v = hz / 1e3;
        unit = "kHz";
    }
    std::string s = fixed(v, 3);
    while (!s.empty() && s.back() == '0') s.pop_back();
    if (!s.empty() && s.back() == '.') s.pop_back();
    return s + " " + unit;
}

std::string human_rate(double v) {
    if (v >= 100.0) return with_commas(static_cast<uint64_t>(std::llround(v)));
    return fixed(v, 3);
}

std::string percent(double fraction) { return fixed(fraction * 100.0, 1) + "%"; }

std::string microjoules(double pj) {
    const double uj = pj * 1e-6;
    if (uj > 0 && uj < 1e-3) {
        std::ostringstream s;
        s << std::scientific << std::setprecision(2) << uj;
        return s.str();
    }
    return fixed(uj, uj >= 1000 ? 1 : 3);
}

}  // namespace npu::report

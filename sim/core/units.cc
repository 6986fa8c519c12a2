#include "sim/core/units.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

namespace npu::units {
namespace {

// A decimal number exactly as written: value = (negative ? -1 : 1) * digits * 10^exp10. Keeping
// the digits as text lets every conversion round once (strtod is correctly rounded), so the
// result is the double nearest the written value and not a product of two rounded numbers.
struct Decimal {
    bool negative = false;
    std::string digits;  // no leading zeros; "0" for zero
    int exp10 = 0;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// Splits "25.6 GB/s" into the number and the unit text ("GB/s"); the unit may be empty.
std::optional<std::pair<Decimal, std::string_view>> split_number(std::string_view text) {
    std::string_view s = trim(text);
    size_t i = 0;
    Decimal d;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        d.negative = s[i] == '-';
        ++i;
    }
    std::string digits;
    bool any_digit = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        digits += s[i++];
        any_digit = true;
    }
    int frac_digits = 0;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
            digits += s[i++];
            ++frac_digits;
            any_digit = true;
        }
    }
    if (!any_digit) return std::nullopt;
    long exp = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E') && i + 1 < s.size()) {
        // An exponent only if digits follow ("1e9"); otherwise 'e' starts no known unit anyway.
        size_t j = i + 1;
        bool exp_negative = false;
        if (s[j] == '+' || s[j] == '-') {
            exp_negative = s[j] == '-';
            ++j;
        }
        if (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
            while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
                exp = exp * 10 + (s[j] - '0');
                // Beyond this every quantity we accept has overflowed or underflowed anyway.
                if (exp > 100000) return std::nullopt;
                ++j;
            }
            if (exp_negative) exp = -exp;
            i = j;
        }
    }
    size_t first_nonzero = digits.find_first_not_of('0');
    if (first_nonzero == std::string::npos) {
        d.digits = "0";
        d.exp10 = 0;
    } else {
        d.digits = digits.substr(first_nonzero);
        d.exp10 = static_cast<int>(exp) - frac_digits;
    }
    return std::make_pair(d, trim(s.substr(i)));
}

double to_double(const Decimal& d, int extra_exp10) {
    std::string text =
        (d.negative ? "-" : "") + d.digits + "e" + std::to_string(d.exp10 + extra_exp10);
    return std::strtod(text.c_str(), nullptr);
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

struct Prefix {
    const char* name;  // "", "K", "M", ...
    int power;         // of 1000 or 1024
};

// Byte units are case-sensitive ("Gb/s" would be gigabits); only kilo has two spellings.
std::optional<std::pair<int, bool>> byte_prefix(std::string_view unit) {
    // Returns (power, binary).
    static const std::vector<std::pair<std::string_view, std::pair<int, bool>>> kTable = {
        {"", {0, false}},  {"K", {1, false}}, {"k", {1, false}}, {"M", {2, false}},
        {"G", {3, false}}, {"T", {4, false}}, {"Ki", {1, true}}, {"ki", {1, true}},
        {"Mi", {2, true}}, {"Gi", {3, true}}, {"Ti", {4, true}},
    };
    for (const auto& [name, value] : kTable) {
        if (unit == name) return value;
    }
    return std::nullopt;
}

// Shortest decimal digits that read back to exactly `value` (> 0, finite), as digits * 10^exp.
Decimal shortest_decimal(double value) {
    char buf[64];
    for (int precision = 0; precision <= 17; ++precision) {
        std::snprintf(buf, sizeof buf, "%.*e", precision, value);
        if (std::strtod(buf, nullptr) == value) break;
    }
    // buf is "[-]d.ddde[+-]XX".
    std::string_view s(buf);
    Decimal d;
    if (!s.empty() && s.front() == '-') {
        d.negative = true;
        s.remove_prefix(1);
    }
    size_t e = s.find('e');
    std::string mantissa;
    for (char c : s.substr(0, e)) {
        if (c != '.') mantissa += c;
    }
    int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
    d.exp10 = exp - static_cast<int>(mantissa.size() - 1);
    while (mantissa.size() > 1 && mantissa.back() == '0') {
        mantissa.pop_back();
        ++d.exp10;
    }
    d.digits = mantissa;
    if (d.digits == "0") d.exp10 = 0;
    return d;
}

// digits * 10^exp10 written without an exponent: ("256", 0) -> "256", ("15", -1) -> "1.5".
std::string plain(const Decimal& d) {
    std::string out = d.negative ? "-" : "";
    int n = static_cast<int>(d.digits.size());
    if (d.exp10 >= 0) {
        out += d.digits;
        if (d.digits != "0") out += std::string(static_cast<size_t>(d.exp10), '0');
    } else if (-d.exp10 < n) {
        out += d.digits.substr(0, static_cast<size_t>(n + d.exp10));
        out += '.';
        out += d.digits.substr(static_cast<size_t>(n + d.exp10));
    } else {
        out += "0.";
        out += std::string(static_cast<size_t>(-d.exp10 - n), '0');
        out += d.digits;
    }
    return out;
}

// The number of digits before the decimal point of digits * 10^exp10 (<= 0 means it is < 1).
int integer_digits(const Decimal& d) { return static_cast<int>(d.digits.size()) + d.exp10; }

// Decimal units (power of ten `k` each): the largest unit in which the value reads >= 1.
std::string format_decimal_units(double value,
                                 const std::vector<std::pair<int, const char*>>& units) {
    Decimal d = shortest_decimal(value);
    for (const auto& [power, name] : units) {
        Decimal scaled = d;
        scaled.exp10 -= power;
        if (integer_digits(scaled) >= 1 || power == units.back().first) return plain(scaled) + name;
    }
    return plain(d);
}

}  // namespace

std::optional<double> parse_frequency_hz(std::string_view text) {
    auto parts = split_number(text);
    if (!parts) return std::nullopt;
    const auto& [number, unit] = *parts;
    static const std::vector<std::pair<std::string_view, int>> kUnits = {
        {"", 0}, {"Hz", 0}, {"kHz", 3}, {"MHz", 6}, {"GHz", 9}, {"THz", 12}};
    for (const auto& [name, power] : kUnits) {
        if (!equals_ignore_case(unit, name)) continue;
        double hz = to_double(number, power);
        if (!(hz > 0) || !std::isfinite(hz)) return std::nullopt;
        return hz;
    }
    return std::nullopt;
}

std::optional<uint64_t> parse_size_bytes(std::string_view text) {
    auto parts = split_number(text);
    if (!parts) return std::nullopt;
    const auto& [number, unit] = *parts;
    if (number.negative && number.digits != "0") return std::nullopt;
    if (!unit.empty() && unit.back() != 'B') return std::nullopt;
    std::string_view prefix = unit.empty() ? unit : unit.substr(0, unit.size() - 1);
    auto p = byte_prefix(prefix);
    if (!p) return std::nullopt;
    if (number.digits.size() > 20) return std::nullopt;
    errno = 0;
    uint64_t value = std::strtoull(number.digits.c_str(), nullptr, 10);
    if (errno == ERANGE) return std::nullopt;
    // value * base^power * 10^exp10 must be a whole number of bytes that fits in 64 bits.
    uint64_t base = p->second ? 1024 : 1000;
    for (int i = 0; i < p->first; ++i) {
        if (__builtin_mul_overflow(value, base, &value)) return std::nullopt;
    }
    for (int i = 0; i < number.exp10; ++i) {
        if (__builtin_mul_overflow(value, uint64_t{10}, &value)) return std::nullopt;
    }
    for (int i = 0; i < -number.exp10; ++i) {
        if (value % 10 != 0) return std::nullopt;
        value /= 10;
    }
    return value;
}

std::optional<double> parse_bandwidth_bytes_per_s(std::string_view text) {
    auto parts = split_number(text);
    if (!parts) return std::nullopt;
    const auto& [number, unit] = *parts;
    std::string_view prefix;
    if (unit.empty()) {
        prefix = unit;
    } else if (unit.size() >= 3 && unit.substr(unit.size() - 3) == "B/s") {
        prefix = unit.substr(0, unit.size() - 3);
    } else {
        return std::nullopt;
    }
    auto p = byte_prefix(prefix);
    if (!p) return std::nullopt;
    double value = 0;
    if (p->second) {
        // Scaling by a power of two is exact, so rounding happens once, in strtod.
        value = std::ldexp(to_double(number, 0), 10 * p->first);
    } else {
        value = to_double(number, 3 * p->first);
    }
    if (!(value > 0) || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<int64_t> parse_int(std::string_view text) {
    std::string_view s = trim(text);
    if (s.empty()) return std::nullopt;
    size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
    if (i == s.size()) return std::nullopt;
    for (size_t j = i; j < s.size(); ++j) {
        if (!std::isdigit(static_cast<unsigned char>(s[j]))) return std::nullopt;
    }
    errno = 0;
    std::string owned(s);
    long long v = std::strtoll(owned.c_str(), nullptr, 10);
    if (errno == ERANGE) return std::nullopt;
    return static_cast<int64_t>(v);
}

std::optional<double> parse_double(std::string_view text) {
    auto parts = split_number(text);
    if (!parts || !parts->second.empty()) return std::nullopt;
    double v = to_double(parts->first, 0);
    if (!std::isfinite(v)) return std::nullopt;
    return v;
}

// 1e16 in the largest unit (T) is 10,000T: from there on, numbers are written with an exponent.
constexpr double kExponentFrom = 1e16;

std::string format_frequency(double hz) {
    if (!(hz > 0) || !std::isfinite(hz)) return format_double(hz);
    // Past every unit's plain range the exponent form is the short one: 1e+300Hz, not 300 digits.
    if (hz >= kExponentFrom) return format_double(hz) + "Hz";
    return format_decimal_units(hz, {{12, "THz"}, {9, "GHz"}, {6, "MHz"}, {3, "kHz"}, {0, "Hz"}});
}

std::string format_size(uint64_t bytes) {
    std::string best = std::to_string(bytes) + "B";
    if (bytes == 0) return best;
    static const char* const kDecimal[] = {"", "KB", "MB", "GB", "TB"};
    static const char* const kBinary[] = {"", "KiB", "MiB", "GiB", "TiB"};
    // Binary first so that it wins ties: memory sizes are usually powers of two.
    for (int binary = 1; binary >= 0; --binary) {
        uint64_t base = binary ? 1024 : 1000;
        uint64_t scale = 1;
        for (int power = 1; power <= 4; ++power) {
            if (__builtin_mul_overflow(scale, base, &scale)) break;
            if (bytes % scale != 0) break;
            std::string candidate =
                std::to_string(bytes / scale) + (binary ? kBinary[power] : kDecimal[power]);
            if (candidate.size() < best.size()) best = candidate;
        }
    }
    return best;
}

std::string format_bandwidth(double bytes_per_s) {
    if (!(bytes_per_s > 0) || !std::isfinite(bytes_per_s)) return format_double(bytes_per_s);
    if (bytes_per_s >= kExponentFrom) return format_double(bytes_per_s) + "B/s";
    std::string best = format_decimal_units(
        bytes_per_s, {{12, "TB/s"}, {9, "GB/s"}, {6, "MB/s"}, {3, "KB/s"}, {0, "B/s"}});
    static const char* const kBinary[] = {"", "KiB/s", "MiB/s", "GiB/s", "TiB/s"};
    for (int power = 4; power >= 1; --power) {
        double scaled = std::ldexp(bytes_per_s, -10 * power);
        if (scaled < 1) continue;
        std::string candidate = plain(shortest_decimal(scaled)) + kBinary[power];
        if (candidate.size() < best.size() &&
            parse_bandwidth_bytes_per_s(candidate) == bytes_per_s) {
            best = candidate;
        }
        break;  // the largest binary unit with a value >= 1 is the shortest binary form
    }
    return best;
}

std::string format_double(double value) {
    if (!std::isfinite(value)) return std::isnan(value) ? ".nan" : (value > 0 ? ".inf" : "-.inf");
    if (value == 0) return "0";
    Decimal d = shortest_decimal(value);
    // Plain notation for everyday magnitudes, exponent notation for the extremes.
    int magnitude = integer_digits(d);
    if (magnitude > -6 && magnitude <= 16) return plain(d);
    std::string out = d.negative ? "-" : "";
    out += d.digits.substr(0, 1);
    if (d.digits.size() > 1) out += "." + d.digits.substr(1);
    out += "e" + std::to_string(magnitude - 1);
    return out;
}

}  // namespace npu::units

#include "sim/cli/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <utility>

namespace npu::cli {

Progress::Progress(std::ostream& out, bool enabled, std::string what, std::string unit,
                   size_t total, std::function<Clock::time_point()> now)
    : m_out(&out),
      m_enabled(enabled),
      m_what(std::move(what)),
      m_unit(std::move(unit)),
      m_total(total),
      m_now(std::move(now)),
      m_start(m_now()),
      m_last_draw(m_start) {}

Progress Progress::on_stderr(bool wanted, std::string what, std::string unit, size_t total) {
    return Progress(std::cerr, wanted && ::isatty(STDERR_FILENO) == 1, std::move(what),
                    std::move(unit), total);
}

std::string Progress::format_duration(double seconds) {
    const long s = seconds > 0 ? static_cast<long>(std::lround(seconds)) : 0;
    char buf[32];
    if (s >= 3600) {
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    }
    return buf;
}

std::string Progress::format_line(const std::string& what, const std::string& unit, size_t done,
                                  size_t total, double elapsed_s, const std::string& extra) {
    const size_t pct = total == 0 ? 100 : done * 100 / total;
    std::string line = what + " " + std::to_string(done) + "/" + std::to_string(total) + " " +
                       unit + " (" + std::to_string(pct) + "%)  " + format_duration(elapsed_s) +
                       " elapsed";
    if (done > 0 && elapsed_s > 0) {
        const double rate = static_cast<double>(done) / elapsed_s;
        char buf[64];
        std::snprintf(buf, sizeof buf, rate >= 10 ? "%.0f" : "%.2f", rate);
        line += std::string("  ") + buf + " " + unit + "/s";
        if (done < total) {
            line += "  ETA " + format_duration(static_cast<double>(total - done) / rate);
        }
    } else if (done < total) {
        line += "  ETA --";
    }
    if (!extra.empty()) line += "  " + extra;
    return line;
}

void Progress::update(size_t done, const std::string& extra, bool force) {
    if (!m_enabled) return;
    const Clock::time_point now = m_now();
    if (now - m_start < m_delay) return;
    if (!force && m_drawn_once && now - m_last_draw < kMinInterval) return;
    m_last_draw = now;
    m_drawn_once = true;
    const double elapsed = std::chrono::duration<double>(now - m_start).count();
    const std::string line = format_line(m_what, m_unit, done, m_total, elapsed, extra);
    // Spaces over what is left of a longer previous line: no terminal escape codes needed.
    const size_t pad = m_shown > line.size() ? m_shown - line.size() : 0;
    *m_out << '\r' << line << std::string(pad, ' ') << std::flush;
    m_shown = line.size();
}

void Progress::clear() {
    if (!m_enabled || m_shown == 0) return;
    *m_out << '\r' << std::string(m_shown, ' ') << '\r' << std::flush;
    m_shown = 0;
}

}  // namespace npu::cli

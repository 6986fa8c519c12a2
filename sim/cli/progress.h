// A one-line progress display for long runs and sweeps: "\r" + done/total, percentage, elapsed
// time, rate and ETA, plus a free text (failed points, simulated cycles). Only on a terminal:
// Progress::on_stderr() draws when stderr is a terminal (isatty(2)) and never in pipes, tests or
// CI logs. Redraws are throttled (at most one per kMinInterval, besides forced ones), so calling
// update() often is cheap.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>

namespace npu::cli {

class Progress {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds kMinInterval{100};  // at most 10 redraws per second

    // Draws on `out` when `enabled` (tests pass true to bypass the terminal check). `what` names
    // the work ("sweep", "run"), `unit` its items ("points", "layers"). `now` is the clock (tests
    // inject one).
    Progress(std::ostream& out, bool enabled, std::string what, std::string unit, size_t total,
             std::function<Clock::time_point()> now = Clock::now);
    // On std::cerr, enabled when stderr is a terminal and `wanted` (not --no-progress).
    [[nodiscard]] static Progress on_stderr(bool wanted, std::string what, std::string unit,
                                            size_t total);
    ~Progress() { clear(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;
    Progress(Progress&&) = default;

    // `done` of total finished; `extra` is appended ("2 failed"). Redraws unless the last redraw
    // was less than kMinInterval ago (`force`: redraw anyway, e.g. after clear()).
    void update(size_t done, const std::string& extra = "", bool force = false);
    // Erases the line (before printing other lines, and at the end).
    void clear();
    [[nodiscard]] bool enabled() const { return m_enabled; }
    void set_total(size_t total) { m_total = total; }
    // Draws nothing until `delay` after construction (a run shows progress only when it is long).
    void show_after(std::chrono::milliseconds delay) { m_delay = delay; }

    // The line for `done` of `total` after `elapsed_s` seconds, e.g.
    // "sweep 3/10 points (30%)  0:12 elapsed  0.25 points/s  ETA 0:28  1 failed".
    [[nodiscard]] static std::string format_line(const std::string& what, const std::string& unit,
                                                 size_t done, size_t total, double elapsed_s,
                                                 const std::string& extra);
    // m:ss, or h:mm:ss from an hour on.
    [[nodiscard]] static std::string format_duration(double seconds);

  private:
    std::ostream* m_out;
    bool m_enabled;
    std::string m_what, m_unit;
    size_t m_total;
    std::function<Clock::time_point()> m_now;
    Clock::time_point m_start;
    Clock::time_point m_last_draw;
    std::chrono::milliseconds m_delay{0};
    bool m_drawn_once = false;
    size_t m_shown = 0;  // characters on the line now (0: nothing to erase)
};

}  // namespace npu::cli

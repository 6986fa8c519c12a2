// A small chart toolkit that writes self-contained inline SVG (no scripts, no external fonts,
// stylesheets or images) for the HTML reports (sim/report/html.h, docs/reports.md).
//
// Every function takes plain vectors and strings and returns one `<svg ...>...</svg>` element as
// text, ready to paste into an HTML page or save as a .svg file. The output depends only on the
// arguments (numbers are printed with fixed precision in the "C" locale), so the same input gives
// the same bytes. Every text that came from the caller is escaped (xml_escape). Each bar and
// point carries an SVG <title> (a tooltip in browsers) with its category and exact value.
//
// Shared rules:
// - Category charts (bar, grouped, stacked) keep their width fixed: with many categories the
//   bars get thinner and only every Nth category is labelled (N chosen so labels do not overlap;
//   every bar still has its tooltip). Long labels are cut to ChartOptions::max_label_chars with
//   an ellipsis.
// - A linear axis starts at 0 and ends at a "nice" bound (1, 2, 2.5 or 5 times a power of ten)
//   above the largest value; all-zero data gets the axis 0..1. Negative and non-finite values
//   are drawn as 0 (these charts show counts, cycles and energies).
// - A log axis spans whole decades around the positive values; values <= 0 or non-finite cannot
//   be placed on it and are left out, and the chart says how many were left out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace npu::report::svg {

// Escapes & < > " ' for XML/HTML text and attribute values.
[[nodiscard]] std::string xml_escape(std::string_view text);

// A short human form of a number for axis ticks and tooltips: up to 4 significant digits with
// k/M/G/T suffixes above 1e4 ("12.5k", "3.2G"), plain decimals between, scientific below 1e-3.
[[nodiscard]] std::string short_number(double v);

// The palette the charts cycle through (colour-blind-safe, Tol's "bright" scheme + extras).
[[nodiscard]] const std::vector<std::string>& palette();

struct ChartOptions {
    std::string title;    // drawn above the plot (may be empty)
    std::string x_label;  // axis titles (may be empty)
    std::string y_label;
    int width = 1180;  // whole SVG, pixels
    int height = 360;
    std::size_t max_label_chars = 18;  // category labels longer than this are cut
};

// One named series of values, one value per category (missing values count as 0).
struct Series {
    std::string name;
    std::vector<double> values;
    std::string color;  // "" = palette()[series index]
};

// One bar per category. `colors` may be empty (all bars palette()[0]) or give one colour per
// category. `tooltips` may be empty or give extra tooltip text per category (added after the
// category name and value).
[[nodiscard]] std::string bar_chart(const std::vector<std::string>& categories,
                                    const std::vector<double>& values, const ChartOptions& opt,
                                    const std::vector<std::string>& colors = {},
                                    const std::vector<std::string>& tooltips = {});

// Side-by-side bars: for each category one bar per series (e.g. categories = layers, one series
// per precision), with a legend.
[[nodiscard]] std::string grouped_bar_chart(const std::vector<std::string>& categories,
                                            const std::vector<Series>& series,
                                            const ChartOptions& opt);

// Stacked bars: for each category the series' values on top of each other (e.g. energy by
// component), with a legend; the axis covers the largest stack.
[[nodiscard]] std::string stacked_bar_chart(const std::vector<std::string>& categories,
                                            const std::vector<Series>& series,
                                            const ChartOptions& opt);

struct ScatterPoint {
    double x = 0;
    double y = 0;
    std::string tooltip;       // the point's <title> (e.g. its parameters)
    bool highlighted = false;  // drawn in colour and larger; the others are grey
    // Its own colour (e.g. by a parameter's value): drawn in it, with a dark ring when
    // highlighted. "" = the highlight colour, or grey.
    std::string color = "";
};

struct ScatterOptions : ChartOptions {
    bool log_x = false;
    bool log_y = false;
    // Join the highlighted points, sorted by x, with a step line (a Pareto front: from each
    // point horizontally to the next point's x, then vertically to its y).
    bool step_line = true;
    std::string highlight_color;                 // "" = palette()[0]
    std::string highlight_name = "highlighted";  // legend entries
    std::string other_name = "other";
    // Replaces the two legend entries above when not empty (name, colour), e.g. one per value of
    // the parameter that colours the points.
    std::vector<std::pair<std::string, std::string>> legend;
};

[[nodiscard]] std::string scatter_chart(const std::vector<ScatterPoint>& points,
                                        const ScatterOptions& opt);

// Parallel coordinates: one vertical axis per dimension, one polyline per item through its value
// on each axis. A categorical axis spaces its categories evenly (values are category indices);
// a numeric one is linear or log between the items' smallest and largest value (lower at the
// bottom). Grey lines are drawn first, coloured ones over them, bold ones last.
struct ParallelAxis {
    std::string name;
    std::vector<std::string> categories;  // not empty: a categorical axis
    bool log = false;
};
struct ParallelLine {
    std::vector<double> values;  // one per axis; not finite (or not positive on a log axis): gap
    std::string color;           // "" = grey
    bool bold = false;
    std::string tooltip;
};
[[nodiscard]] std::string parallel_chart(
    const std::vector<ParallelAxis>& axes, const std::vector<ParallelLine>& lines,
    const ChartOptions& opt, const std::vector<std::pair<std::string, std::string>>& legend_items);

struct RooflinePoint {
    std::string label;     // tooltip (e.g. the layer's name)
    double intensity = 0;  // operational intensity, MACs per DRAM byte; +infinity: no DRAM bytes
    double achieved = 0;   // achieved MACs per cycle
    std::string color;     // "" = palette()[0]
};

// Log-log roofline: x = operational intensity (MACs/DRAM byte), y = MACs/cycle; the roof is
// min(peak_macs_per_cycle, intensity * dram_bytes_per_cycle) with the ridge point marked. Points
// with infinite intensity (no DRAM traffic) sit at the right edge of the plot as hollow markers;
// points with achieved <= 0 or intensity <= 0 are left out (and counted in the chart's caption).
[[nodiscard]] std::string roofline_chart(const std::vector<RooflinePoint>& points,
                                         double peak_macs_per_cycle, double dram_bytes_per_cycle,
                                         const ChartOptions& opt);

}  // namespace npu::report::svg

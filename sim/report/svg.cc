#include "sim/report/svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace npu::report::svg {

namespace {

constexpr double kLeft = 78;  // room for the y tick labels and the y axis title
constexpr double kRight = 24;
constexpr double kTop = 52;  // title and legend
constexpr int kFontSize = 11;
constexpr const char* kFont = "font-family=\"sans-serif\"";
constexpr const char* kGrey = "#b8b8b8";
constexpr const char* kAxis = "#444";
constexpr const char* kGrid = "#e6e6e6";

// Fixed-point coordinate with one decimal, never "-0.0".
std::string px(double v) {
    if (!std::isfinite(v)) v = 0;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    std::string s = buf;
    if (s == "-0.0") s = "0.0";
    return s;
}

double clean(double v) { return std::isfinite(v) && v > 0 ? v : 0.0; }

std::string cut(const std::string& s, std::size_t max_chars) {
    if (max_chars < 2 || s.size() <= max_chars) return s;
    // Cut on a UTF-8 character boundary.
    std::size_t n = max_chars - 1;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    return s.substr(0, n) + "\xE2\x80\xA6";  // U+2026 horizontal ellipsis
}

std::string text(double x, double y, const std::string& body, const std::string& extra = "") {
    return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\"" + (extra.empty() ? "" : " " + extra) +
           ">" + xml_escape(body) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& stroke,
                 const std::string& extra = "") {
    return "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" +
           px(y2) + "\" stroke=\"" + stroke + "\"" + (extra.empty() ? "" : " " + extra) + "/>\n";
}

std::string title_el(const std::string& tip) { return "<title>" + xml_escape(tip) + "</title>"; }

// A linear axis: nice ticks covering [lo, hi].
struct LinearAxis {
    double lo = 0, hi = 1, step = 0.2;
};

double nice_step(double raw) {
    if (!(raw > 0) || !std::isfinite(raw)) return 1;
    const double e = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / e;
    const double n = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
    return n * e;
}

LinearAxis linear_axis(double lo, double hi, bool from_zero) {
    if (from_zero) lo = std::min(0.0, lo);
    if (!(hi > lo)) {
        const double pad = lo != 0 ? std::fabs(lo) * 0.1 : 1.0;
        hi = lo + pad;
        if (!from_zero) lo -= pad;
    }
    LinearAxis a;
    a.step = nice_step((hi - lo) / 5);
    a.lo = std::floor(lo / a.step + 1e-9) * a.step;
    a.hi = std::ceil(hi / a.step - 1e-9) * a.step;
    if (a.hi <= a.lo) a.hi = a.lo + a.step;
    return a;
}

// An axis that is either linear or log10 over whole decades.
struct Axis {
    bool log = false;
    LinearAxis lin;
    int dlo = 0, dhi = 1;  // log: decades 10^dlo .. 10^dhi

    [[nodiscard]] double frac(double v) const {
        if (log) return (std::log10(v) - dlo) / (dhi - dlo);
        return (v - lin.lo) / (lin.hi - lin.lo);
    }
    [[nodiscard]] bool placeable(double v) const { return std::isfinite(v) && (!log || v > 0); }
    [[nodiscard]] std::vector<double> ticks() const {
        std::vector<double> t;
        if (log) {
            const int decades = dhi - dlo;
            const int every = std::max(1, (decades + 7) / 8);
            for (int d = dlo; d <= dhi; d += every) t.push_back(std::pow(10.0, d));
            return t;
        }
        const int n = static_cast<int>(std::lround((lin.hi - lin.lo) / lin.step));
        for (int i = 0; i <= n; ++i) t.push_back(lin.lo + i * lin.step);
        return t;
    }
};

Axis make_axis(const std::vector<double>& values, bool log, bool from_zero) {
    Axis a;
    a.log = log;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values) {
        if (!a.placeable(v)) continue;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    if (log) {
        if (!(hi > 0)) {
            a.dlo = 0;
            a.dhi = 1;
            return a;
        }
        a.dlo = static_cast<int>(std::floor(std::log10(lo) + 1e-12));
        a.dhi = static_cast<int>(std::ceil(std::log10(hi) - 1e-12));
        if (a.dhi <= a.dlo) a.dhi = a.dlo + 1;
        return a;
    }
    if (!(hi >= lo)) lo = hi = 0;
    a.lin = linear_axis(lo, hi, from_zero);
    return a;
}

// The plot area inside the SVG.
struct Frame {
    double x0 = 0, y0 = 0, w = 0, h = 0;  // top-left corner and size
    [[nodiscard]] double bottom() const { return y0 + h; }
};

std::string open_svg(const ChartOptions& opt) {
    std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(opt.width) + "\" height=\"" + std::to_string(opt.height) +
                    "\" viewBox=\"0 0 " + std::to_string(opt.width) + " " +
                    std::to_string(opt.height) + "\" role=\"img\" aria-label=\"" +
                    xml_escape(opt.title) + "\" " + kFont + " font-size=\"" +
                    std::to_string(kFontSize) + "\">\n";
    s += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(opt.width) + "\" height=\"" +
         std::to_string(opt.height) + "\" fill=\"#fff\"/>\n";
    if (!opt.title.empty()) {
        s += text(kLeft, 18, opt.title, "font-size=\"14\" font-weight=\"bold\"");
    }
    return s;
}

// Legend entries in one row under the title, from the left edge of the plot.
std::string legend(const std::vector<std::pair<std::string, std::string>>& items, double x,
                   double y) {
    std::string s;
    for (const auto& [name, color] : items) {
        s += "<rect class=\"legend\" x=\"" + px(x) + "\" y=\"" + px(y - 9) +
             "\" width=\"10\" height=\"10\" fill=\"" + xml_escape(color) + "\"/>\n";
        s += text(x + 14, y, name);
        x += 14 + 6.5 * static_cast<double>(name.size()) + 18;
    }
    return s;
}

// Y axis: grid lines, tick labels and title.
std::string y_axis(const Axis& a, const Frame& f, const std::string& label) {
    std::string s;
    for (double t : a.ticks()) {
        const double y = f.bottom() - a.frac(t) * f.h;
        s += line(f.x0, y, f.x0 + f.w, y, kGrid);
        s += text(f.x0 - 6, y + 4, short_number(t), "text-anchor=\"end\"");
    }
    s += line(f.x0, f.y0, f.x0, f.bottom(), kAxis);
    if (!label.empty()) {
        const double cy = f.y0 + f.h / 2;
        s += text(16, cy, label,
                  "text-anchor=\"middle\" transform=\"rotate(-90 16 " + px(cy) + ")\"");
    }
    return s;
}

std::string x_axis(const Axis& a, const Frame& f, const std::string& label, double height) {
    std::string s;
    for (double t : a.ticks()) {
        const double x = f.x0 + a.frac(t) * f.w;
        s += line(x, f.y0, x, f.bottom(), kGrid);
        s += text(x, f.bottom() + 16, short_number(t), "text-anchor=\"middle\"");
    }
    s += line(f.x0, f.bottom(), f.x0 + f.w, f.bottom(), kAxis);
    if (!label.empty()) s += text(f.x0 + f.w / 2, height - 8, label, "text-anchor=\"middle\"");
    return s;
}

// The frame of a category chart and its x axis labels (every `stride`-th category).
struct CategoryLayout {
    Frame f;
    double slot = 0;  // width per category
    std::size_t stride = 1;
};

CategoryLayout category_layout(std::size_t n, const ChartOptions& opt) {
    CategoryLayout c;
    // Rotated labels (-45 degrees) need ~0.72 * 6.2 px per character below the axis.
    const double label_room = 0.72 * 6.2 * static_cast<double>(opt.max_label_chars) + 18;
    c.f.x0 = kLeft;
    c.f.y0 = kTop;
    c.f.w = std::max(10.0, opt.width - kLeft - kRight);
    c.f.h = std::max(10.0, opt.height - kTop - label_room - (opt.x_label.empty() ? 4 : 22));
    c.slot = n > 0 ? c.f.w / static_cast<double>(n) : c.f.w;
    // Neighbouring rotated labels need about 15 px between them.
    c.stride = static_cast<std::size_t>(std::ceil(15.0 / c.slot));
    if (c.stride < 1) c.stride = 1;
    return c;
}

std::string category_labels(const std::vector<std::string>& categories, const CategoryLayout& c,
                            const ChartOptions& opt) {
    std::string s;
    for (std::size_t i = 0; i < categories.size(); i += c.stride) {
        const double x = c.f.x0 + (static_cast<double>(i) + 0.5) * c.slot;
        const double y = c.f.bottom() + 12;
        s += line(x, c.f.bottom(), x, c.f.bottom() + 4, kAxis);
        s += "<text class=\"cat\" x=\"" + px(x) + "\" y=\"" + px(y) +
             "\" text-anchor=\"end\" transform=\"rotate(-45 " + px(x) + " " + px(y) + ")\">" +
             xml_escape(cut(categories[i], opt.max_label_chars)) + title_el(categories[i]) +
             "</text>\n";
    }
    if (c.stride > 1) {
        s += text(c.f.x0 + c.f.w, kTop - 6,
                  std::to_string(categories.size()) + " bars, one label per " +
                      std::to_string(c.stride) + "; hover a bar for its name",
                  "text-anchor=\"end\" fill=\"#666\"");
    }
    if (!opt.x_label.empty()) {
        s += text(c.f.x0 + c.f.w / 2, opt.height - 8, opt.x_label, "text-anchor=\"middle\"");
    }
    return s;
}

std::string rect(double x, double y, double w, double h, const std::string& color,
                 const std::string& cls, const std::string& tip) {
    return "<rect class=\"" + cls + "\" x=\"" + px(x) + "\" y=\"" + px(y) + "\" width=\"" +
           px(std::max(0.0, w)) + "\" height=\"" + px(std::max(0.0, h)) + "\" fill=\"" +
           xml_escape(color) + "\">" + title_el(tip) + "</rect>\n";
}

double value_at(const std::vector<double>& v, std::size_t i) {
    return i < v.size() ? clean(v[i]) : 0.0;
}

std::string series_color(const Series& s, std::size_t i) {
    return s.color.empty() ? palette()[i % palette().size()] : s.color;
}

std::string scatter_marker(double x, double y, double r, const std::string& fill,
                           const std::string& stroke, const std::string& cls,
                           const std::string& tip) {
    return "<circle class=\"" + cls + "\" cx=\"" + px(x) + "\" cy=\"" + px(y) + "\" r=\"" + px(r) +
           "\" fill=\"" + xml_escape(fill) + "\" stroke=\"" + xml_escape(stroke) + "\">" +
           title_el(tip) + "</circle>\n";
}

std::string left_out_note(std::size_t n, const Frame& f, const std::string& why) {
    if (n == 0) return "";
    return text(f.x0 + f.w, kTop - 6,
                std::to_string(n) + (n == 1 ? " point" : " points") + " not drawn (" + why + ")",
                "text-anchor=\"end\" fill=\"#666\"");
}

}  // namespace

std::string xml_escape(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (char c : in) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                // Control characters other than tab/newline are not allowed in XML 1.0.
                if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
                    out += ' ';
                } else {
                    out += c;
                }
        }
    }
    return out;
}

std::string short_number(double v) {
    if (!std::isfinite(v)) return v > 0 ? "inf" : v < 0 ? "-inf" : "nan";
    if (v == 0) return "0";
    const double a = std::fabs(v);
    char buf[40];
    if (a >= 1e4) {
        static const char* kSuffix[] = {"k", "M", "G", "T", "P", "E"};
        int k = -1;
        double s = a;
        while (s >= 1e3 && k < 5) {
            s /= 1e3;
            ++k;
        }
        std::snprintf(buf, sizeof buf, "%s%.4g%s", v < 0 ? "-" : "", s, kSuffix[k]);
    } else if (a >= 1e-3) {
        std::snprintf(buf, sizeof buf, "%.4g", v);
    } else {
        std::snprintf(buf, sizeof buf, "%.3g", v);
    }
    return buf;
}

const std::vector<std::string>& palette() {
    static const std::vector<std::string> kColors = {"#4477aa", "#ee6677", "#228833", "#ccbb44",
                                                     "#66ccee", "#aa3377", "#bbbbbb", "#332288",
                                                     "#ee8866", "#44aa99"};
    return kColors;
}

std::string bar_chart(const std::vector<std::string>& categories, const std::vector<double>& values,
                      const ChartOptions& opt, const std::vector<std::string>& colors,
                      const std::vector<std::string>& tooltips) {
    const std::size_t n = categories.size();
    const CategoryLayout c = category_layout(n, opt);
    std::vector<double> vals;
    for (std::size_t i = 0; i < n; ++i) vals.push_back(value_at(values, i));
    const Axis ya = make_axis(vals, false, true);
    std::string s = open_svg(opt);
    s += y_axis(ya, c.f, opt.y_label);
    const double gap = c.slot > 4 ? c.slot * 0.15 : 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double h = ya.frac(vals[i]) * c.f.h;
        const std::string color =
            i < colors.size() && !colors[i].empty() ? colors[i] : palette()[0];
        std::string tip = categories[i] + ": " + short_number(vals[i]);
        if (i < tooltips.size() && !tooltips[i].empty()) tip += "\n" + tooltips[i];
        s += rect(c.f.x0 + static_cast<double>(i) * c.slot + gap, c.f.bottom() - h,
                  c.slot - 2 * gap, h, color, "bar", tip);
    }
    s += category_labels(categories, c, opt);
    s += "</svg>\n";
    return s;
}

std::string grouped_bar_chart(const std::vector<std::string>& categories,
                              const std::vector<Series>& series, const ChartOptions& opt) {
    const std::size_t n = categories.size();
    const CategoryLayout c = category_layout(n, opt);
    std::vector<double> all;
    for (const Series& se : series) {
        for (std::size_t i = 0; i < n; ++i) all.push_back(value_at(se.values, i));
    }
    const Axis ya = make_axis(all, false, true);
    std::string s = open_svg(opt);
    std::vector<std::pair<std::string, std::string>> items;
    for (std::size_t k = 0; k < series.size(); ++k) {
        items.emplace_back(series[k].name, series_color(series[k], k));
    }
    s += legend(items, kLeft, kTop - 22);
    s += y_axis(ya, c.f, opt.y_label);
    const double gap = c.slot > 6 ? c.slot * 0.12 : 0;
    const double bw = series.empty() ? 0 : (c.slot - 2 * gap) / static_cast<double>(series.size());
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t k = 0; k < series.size(); ++k) {
            const double v = value_at(series[k].values, i);
            const double h = ya.frac(v) * c.f.h;
            s += rect(c.f.x0 + static_cast<double>(i) * c.slot + gap + static_cast<double>(k) * bw,
                      c.f.bottom() - h, bw, h, series_color(series[k], k), "bar",
                      categories[i] + " / " + series[k].name + ": " + short_number(v));
        }
    }
    s += category_labels(categories, c, opt);
    s += "</svg>\n";
    return s;
}

std::string stacked_bar_chart(const std::vector<std::string>& categories,
                              const std::vector<Series>& series, const ChartOptions& opt) {
    const std::size_t n = categories.size();
    const CategoryLayout c = category_layout(n, opt);
    std::vector<double> totals(n, 0.0);
    for (const Series& se : series) {
        for (std::size_t i = 0; i < n; ++i) totals[i] += value_at(se.values, i);
    }
    const Axis ya = make_axis(totals, false, true);
    std::string s = open_svg(opt);
    std::vector<std::pair<std::string, std::string>> items;
    for (std::size_t k = 0; k < series.size(); ++k) {
        items.emplace_back(series[k].name, series_color(series[k], k));
    }
    s += legend(items, kLeft, kTop - 22);
    s += y_axis(ya, c.f, opt.y_label);
    const double gap = c.slot > 4 ? c.slot * 0.15 : 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::string tip = categories[i] + ": " + short_number(totals[i]) + " total";
        for (const Series& se : series) {
            tip += "\n  " + se.name + " " + short_number(value_at(se.values, i));
        }
        s += "<g class=\"stack\">" + title_el(tip) + "\n";
        double base = 0;
        for (std::size_t k = 0; k < series.size(); ++k) {
            const double v = value_at(series[k].values, i);
            if (v <= 0) continue;
            const double y_top = c.f.bottom() - ya.frac(base + v) * c.f.h;
            const double y_bot = c.f.bottom() - ya.frac(base) * c.f.h;
            s += rect(c.f.x0 + static_cast<double>(i) * c.slot + gap, y_top, c.slot - 2 * gap,
                      y_bot - y_top, series_color(series[k], k), "seg",
                      categories[i] + " / " + series[k].name + ": " + short_number(v));
            base += v;
        }
        s += "</g>\n";
    }
    s += category_labels(categories, c, opt);
    s += "</svg>\n";
    return s;
}

std::string scatter_chart(const std::vector<ScatterPoint>& points, const ScatterOptions& opt) {
    Frame f;
    f.x0 = kLeft;
    f.y0 = kTop;
    f.w = std::max(10.0, opt.width - kLeft - kRight);
    f.h = std::max(10.0, opt.height - kTop - 44);
    std::vector<double> xs, ys;
    for (const ScatterPoint& p : points) {
        xs.push_back(p.x);
        ys.push_back(p.y);
    }
    const Axis xa = make_axis(xs, opt.log_x, false);
    const Axis ya = make_axis(ys, opt.log_y, false);
    const std::string hi_color = opt.highlight_color.empty() ? palette()[0] : opt.highlight_color;
    std::string s = open_svg(opt);
    s += legend(
        opt.legend.empty()
            ? std::vector<std::pair<std::string, std::string>>{{opt.highlight_name, hi_color},
                                                               {opt.other_name, kGrey}}
            : opt.legend,
        kLeft, kTop - 22);
    s += y_axis(ya, f, opt.y_label);
    s += x_axis(xa, f, opt.x_label, opt.height);
    auto X = [&](double v) { return f.x0 + xa.frac(v) * f.w; };
    auto Y = [&](double v) { return f.bottom() - ya.frac(v) * f.h; };
    std::size_t left_out = 0;
    std::vector<const ScatterPoint*> front;
    std::string greys, colored, front_markers;
    for (const ScatterPoint& p : points) {
        if (!xa.placeable(p.x) || !ya.placeable(p.y)) {
            ++left_out;
            continue;
        }
        if (!p.color.empty()) {
            if (p.highlighted) front.push_back(&p);
            (p.highlighted ? front_markers : colored) += scatter_marker(
                X(p.x), Y(p.y), p.highlighted ? 6.5 : 4.5, p.color, p.highlighted ? "#111" : "#fff",
                p.highlighted ? "pt front" : "pt", p.tooltip);
        } else if (p.highlighted) {
            front.push_back(&p);
            colored += scatter_marker(X(p.x), Y(p.y), 5.5, hi_color, "#222", "pt front", p.tooltip);
        } else {
            greys += scatter_marker(X(p.x), Y(p.y), 4, kGrey, "#888", "pt", p.tooltip);
        }
    }
    s += greys;
    if (opt.step_line && front.size() > 1) {
        std::stable_sort(front.begin(), front.end(),
                         [](const ScatterPoint* a, const ScatterPoint* b) {
                             return a->x < b->x || (a->x == b->x && a->y > b->y);
                         });
        std::string d = "M" + px(X(front[0]->x)) + " " + px(Y(front[0]->y));
        for (std::size_t i = 1; i < front.size(); ++i) {
            d += " H" + px(X(front[i]->x)) + " V" + px(Y(front[i]->y));
        }
        s += "<path class=\"step\" d=\"" + d + "\" fill=\"none\" stroke=\"" + xml_escape(hi_color) +
             "\" stroke-width=\"1.5\"/>\n";
    }
    s += colored + front_markers;
    s += left_out_note(left_out, f, "not positive on a log axis");
    s += "</svg>\n";
    return s;
}

std::string parallel_chart(const std::vector<ParallelAxis>& axes,
                           const std::vector<ParallelLine>& lines, const ChartOptions& opt,
                           const std::vector<std::pair<std::string, std::string>>& legend_items) {
    Frame f;
    f.x0 = 70;
    f.y0 = kTop + 18;
    f.w = std::max(10.0, opt.width - 140.0);
    f.h = std::max(10.0, opt.height - f.y0 - 46);
    const std::size_t n = axes.size();
    const auto axis_x = [&](std::size_t a) {
        return n < 2 ? f.x0 + f.w / 2
                     : f.x0 + f.w * static_cast<double>(a) / static_cast<double>(n - 1);
    };
    // Each numeric axis' range over the lines' values.
    std::vector<Axis> range(n);
    std::vector<double> lo(n, 0), hi(n, 0);
    for (std::size_t a = 0; a < n; ++a) {
        if (!axes[a].categories.empty()) continue;
        std::vector<double> vs;
        for (const ParallelLine& l : lines) {
            if (a < l.values.size()) vs.push_back(l.values[a]);
        }
        range[a].log = axes[a].log;
        lo[a] = std::numeric_limits<double>::infinity();
        hi[a] = -lo[a];
        for (double v : vs) {
            if (!range[a].placeable(v)) continue;
            lo[a] = std::min(lo[a], v);
            hi[a] = std::max(hi[a], v);
        }
    }
    // 0 (bottom) .. 1 (top) on axis a, or -1 when the value has no place there.
    const auto frac = [&](std::size_t a, double v) -> double {
        if (!std::isfinite(v)) return -1;
        if (!axes[a].categories.empty()) {
            const double k = static_cast<double>(axes[a].categories.size());
            return k < 2 ? 0.5 : v / (k - 1);
        }
        if (!range[a].placeable(v) || !(hi[a] >= lo[a])) return -1;
        if (!(hi[a] > lo[a])) return 0.5;
        if (axes[a].log)
            return (std::log10(v) - std::log10(lo[a])) / (std::log10(hi[a]) - std::log10(lo[a]));
        return (v - lo[a]) / (hi[a] - lo[a]);
    };
    std::string s = open_svg(opt);
    s += legend(legend_items, f.x0, kTop - 6);
    for (std::size_t a = 0; a < n; ++a) {
        const double x = axis_x(a);
        s += line(x, f.y0, x, f.bottom(), kAxis);
        // Names alternate between two rows so neighbours do not overlap; the outer ones align
        // with the plot's edges.
        const std::string name_anchor = a == 0 ? "start" : (a + 1 == n ? "end" : "middle");
        s += text(a == 0 ? x - 20 : (a + 1 == n ? x + 20 : x), f.bottom() + (a % 2 ? 32 : 18),
                  axes[a].name, "text-anchor=\"" + name_anchor + "\" font-weight=\"bold\"");
        const std::string anchor = a + 1 == n ? "text-anchor=\"end\"" : "";
        const double tx = a + 1 == n ? x - 5 : x + 5;
        if (!axes[a].categories.empty()) {
            for (std::size_t k = 0; k < axes[a].categories.size(); ++k) {
                const double y = f.bottom() - frac(a, static_cast<double>(k)) * f.h;
                s += line(x - 3, y, x + 3, y, kAxis);
                s += text(tx, y + 4, axes[a].categories[k], anchor);
            }
        } else if (hi[a] >= lo[a]) {
            s += text(tx, f.y0 + 4, short_number(hi[a]), anchor);
            if (hi[a] > lo[a]) s += text(tx, f.bottom() + 4, short_number(lo[a]), anchor);
        }
    }
    std::string grey, colored, bold;
    for (const ParallelLine& l : lines) {
        std::string d;
        bool pen_down = false;
        for (std::size_t a = 0; a < n && a < l.values.size(); ++a) {
            const double fr = frac(a, l.values[a]);
            if (fr < 0) {
                pen_down = false;
                continue;
            }
            d += std::string(pen_down ? " L" : (d.empty() ? "M" : " M")) + px(axis_x(a)) + " " +
                 px(f.bottom() - fr * f.h);
            pen_down = true;
        }
        if (d.empty()) continue;
        const std::string color = l.color.empty() ? kGrey : l.color;
        std::string& out = l.bold ? bold : (l.color.empty() ? grey : colored);
        out += "<path class=\"pl\" d=\"" + d + "\" fill=\"none\" stroke=\"" + xml_escape(color) +
               "\" stroke-width=\"" + (l.bold ? "2.5" : "1") + "\" stroke-opacity=\"" +
               (l.bold ? "1" : "0.6") + "\">" + title_el(l.tooltip) + "</path>\n";
    }
    s += grey + colored + bold;
    s += "</svg>\n";
    return s;
}

std::string roofline_chart(const std::vector<RooflinePoint>& points, double peak_macs_per_cycle,
                           double dram_bytes_per_cycle, const ChartOptions& opt) {
    Frame f;
    f.x0 = kLeft;
    f.y0 = kTop;
    f.w = std::max(10.0, opt.width - kLeft - kRight);
    f.h = std::max(10.0, opt.height - kTop - 44);
    const double peak = clean(peak_macs_per_cycle), bw = clean(dram_bytes_per_cycle);
    const double ridge = peak > 0 && bw > 0 ? peak / bw : 0;
    std::vector<double> xs, ys;
    bool any_infinite = false;
    for (const RooflinePoint& p : points) {
        if (!(p.achieved > 0) || !std::isfinite(p.achieved) || !(p.intensity > 0)) continue;
        ys.push_back(p.achieved);
        if (std::isinf(p.intensity)) {
            any_infinite = true;
        } else if (std::isfinite(p.intensity)) {
            xs.push_back(p.intensity);
        }
    }
    if (ridge > 0) {
        xs.push_back(ridge / 4);  // show the memory roof's slope and the ridge
        xs.push_back(ridge * 4);
    }
    if (peak > 0) ys.push_back(peak * 1.5);  // headroom above the compute roof
    Axis xa = make_axis(xs, true, false);
    if (any_infinite) ++xa.dhi;  // a last decade for points without DRAM traffic
    const Axis ya = make_axis(ys, true, false);
    auto X = [&](double v) { return f.x0 + xa.frac(v) * f.w; };
    auto Y = [&](double v) { return f.bottom() - ya.frac(v) * f.h; };

    std::string s = open_svg(opt);
    s += legend({{"compute roof (peak MACs/cycle)", "#222"},
                 {"memory roof (DRAM bytes/cycle x intensity)", "#888"}},
                kLeft, kTop - 22);
    s += y_axis(ya, f, opt.y_label);
    s += x_axis(xa, f, opt.x_label, opt.height);
    const double x_min = std::pow(10.0, xa.dlo), x_max = std::pow(10.0, xa.dhi);
    const double y_min = std::pow(10.0, ya.dlo);
    if (bw > 0) {
        // Memory roof y = x * bw, clipped to the plot: from where it enters the bottom (or the
        // left edge) to the ridge (or the right edge).
        const double xa0 = std::max(x_min, y_min / bw);
        const double xb = ridge > 0 ? std::min(ridge, x_max) : x_max;
        if (xb > xa0) {
            s += line(X(xa0), Y(xa0 * bw), X(xb), Y(xb * bw), "#888",
                      "stroke-width=\"2\" class=\"roof\"");
        }
    }
    if (peak > 0) {
        const double xc = ridge > 0 ? std::max(ridge, x_min) : x_min;
        if (xc < x_max) {
            s += line(X(xc), Y(peak), X(x_max), Y(peak), "#222",
                      "stroke-width=\"2\" class=\"roof\"");
        }
        s += text(X(x_max) - 4, Y(peak) - 6, "peak " + short_number(peak) + " MACs/cycle",
                  "text-anchor=\"end\"");
    }
    if (ridge > 0 && ridge >= x_min && ridge <= x_max) {
        s += line(X(ridge), Y(peak), X(ridge), f.bottom(), "#888", "stroke-dasharray=\"4 3\"");
        s += text(X(ridge) + 4, f.bottom() - 6, "ridge " + short_number(ridge) + " MACs/B");
    }
    if (any_infinite) {
        const double x = X(std::pow(10.0, xa.dhi - 1));
        s += line(x, f.y0, x, f.bottom(), "#bbb", "stroke-dasharray=\"2 3\"");
        s += text(X(x_max) - 4, f.bottom() - 6, "no DRAM bytes",
                  "text-anchor=\"end\" fill=\"#666\"");
    }
    std::size_t left_out = 0;
    const bool label_points = points.size() <= 16;
    for (const RooflinePoint& p : points) {
        if (!(p.achieved > 0) || !std::isfinite(p.achieved) || !(p.intensity > 0) ||
            std::isnan(p.intensity)) {
            ++left_out;
            continue;
        }
        const std::string color = p.color.empty() ? palette()[0] : p.color;
        const double y = Y(p.achieved);
        std::string tip = p.label + ": " + short_number(p.achieved) + " MACs/cycle at ";
        if (std::isinf(p.intensity)) {
            // Spread along the last decade's right half so several such points stay apart.
            const double x = X(x_max) - 10;
            s += scatter_marker(x, y, 4.5, "#fff", color, "pt",
                                tip + "infinite intensity (no DRAM bytes)");
            if (label_points) s += text(x - 8, y + 4, p.label, "text-anchor=\"end\"");
            continue;
        }
        tip += short_number(p.intensity) + " MACs/B";
        if (peak > 0 && bw > 0) {
            const double roof = std::min(peak, p.intensity * bw);
            tip += " (" + short_number(100.0 * p.achieved / roof) + "% of the roof)";
        }
        s += scatter_marker(X(p.intensity), y, 4.5, color, "#222", "pt", tip);
        if (label_points) s += text(X(p.intensity) + 7, y + 4, p.label);
    }
    s += left_out_note(left_out, f, "no MACs or no time");
    s += "</svg>\n";
    return s;
}

}  // namespace npu::report::svg

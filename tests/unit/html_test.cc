// The chart toolkit (sim/report/svg.h) and the HTML pages (sim/report/html.h): structure of the
// SVG (one bar / point per item), Pareto highlighting, escaping, no external references, and
// determinism.
#include "sim/report/html.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "sim/config/hw_config.h"
#include "sim/report/svg.h"

namespace npu::report {
namespace {

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = hay.find(needle); at != std::string::npos;
         at = hay.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

// Every "http" must be the SVG namespace (no links, fonts, scripts or images from the network).
void expect_no_external_refs(const std::string& page) {
    const std::string ns = "http://www.w3.org/2000/svg";
    std::size_t at = page.find("http");
    while (at != std::string::npos) {
        EXPECT_EQ(page.compare(at, ns.size(), ns), 0)
            << "unexpected reference: " << page.substr(at, 60);
        at = page.find("http", at + 4);
    }
    EXPECT_EQ(page.find("<script"), std::string::npos);
    EXPECT_EQ(page.find("<link"), std::string::npos);
    EXPECT_EQ(page.find("@import"), std::string::npos);
    EXPECT_EQ(page.find("url("), std::string::npos);
}

stats::LayerStats layer(const std::string& name, uint64_t macs, uint64_t start, uint64_t end,
                        uint64_t dram_bytes) {
    stats::LayerStats l;
    l.name = name;
    l.op = "conv2d";
    l.shape = "8x8x16 -> 8x8x16 k3x3";
    l.macs_total = macs;
    l.start_cycle = start;
    l.end_cycle = end;
    l.counters.macs = macs;
    l.counters.dram_read_bytes = dram_bytes;
    l.counters.spad_read_bytes = 2 * dram_bytes + 64;
    l.counters.acc_write_bytes = 128;
    l.checked = true;
    l.bit_exact = true;
    return l;
}

stats::RunStats run_of(std::vector<stats::LayerStats> layers) {
    stats::RunStats run;
    run.config_name = "edge_npu";
    run.workload_name = "net";
    run.fidelity = "fast";
    run.clock_hz = 1e9;
    run.peak_macs_per_cycle = 256;
    run.dram_peak_bytes_per_cycle = 16;
    for (const auto& l : layers) {
        run.total += l.counters;
        run.total_cycles = std::max(run.total_cycles, l.end_cycle);
    }
    run.layers = std::move(layers);
    return run;
}

TEST(SvgEscape, EscapesMarkupCharacters) {
    EXPECT_EQ(svg::xml_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
    EXPECT_EQ(svg::xml_escape(std::string("x\x01y")), "x y");  // not allowed in XML
}

TEST(SvgShortNumber, Forms) {
    EXPECT_EQ(svg::short_number(0), "0");
    EXPECT_EQ(svg::short_number(12.5), "12.5");
    EXPECT_EQ(svg::short_number(12500), "12.5k");
    EXPECT_EQ(svg::short_number(3.2e9), "3.2G");
    EXPECT_EQ(svg::short_number(0.0001), "0.0001");
    EXPECT_EQ(svg::short_number(1e-7), "1e-07");
}

TEST(SvgBarChart, OneBarPerCategoryIncludingZeros) {
    const std::vector<std::string> cats = {"a", "b", "c"};
    const std::string s = svg::bar_chart(cats, {3, 0, 7}, {});
    EXPECT_EQ(count(s, "<rect class=\"bar\""), 3u);
    EXPECT_EQ(s.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
    EXPECT_NE(s.find("<title>b: 0</title>"), std::string::npos);
    expect_no_external_refs(s);
}

TEST(SvgBarChart, AllZeroAndEmptyInputsDraw) {
    const std::string zeros = svg::bar_chart({"x", "y"}, {0, 0}, {});
    EXPECT_EQ(count(zeros, "class=\"bar\""), 2u);
    EXPECT_EQ(zeros.find("nan"), std::string::npos);
    EXPECT_EQ(zeros.find("inf"), std::string::npos);
    const std::string empty = svg::bar_chart({}, {}, {});
    EXPECT_EQ(count(empty, "class=\"bar\""), 0u);
    EXPECT_NE(empty.find("</svg>"), std::string::npos);
}

TEST(SvgBarChart, ManyCategoriesLabelEveryNth) {
    std::vector<std::string> cats;
    std::vector<double> vals;
    for (int i = 0; i < 300; ++i) {
        cats.push_back("layer" + std::to_string(i));
        vals.push_back(i % 7);
    }
    svg::ChartOptions o;  // 1180 px wide: 1078 px of plot, 3.6 px per bar
    const std::string s = svg::bar_chart(cats, vals, o);
    EXPECT_EQ(count(s, "class=\"bar\""), 300u);
    // Labels need 15 px: every ceil(15 / 3.593) = 5th is labelled, 60 labels.
    EXPECT_EQ(count(s, "class=\"cat\""), 60u);
    EXPECT_NE(s.find("300 bars, one label per 5;"), std::string::npos);
}

TEST(SvgBarChart, EscapesNames) {
    const std::string s = svg::bar_chart({"a<&\"b"}, {1}, {});
    EXPECT_EQ(s.find("a<&\"b"), std::string::npos);
    EXPECT_NE(s.find("a&lt;&amp;&quot;b"), std::string::npos);
}

TEST(SvgGroupedBarChart, OneBarPerCategoryAndSeries) {
    const std::vector<svg::Series> series = {{"int8", {1, 2, 3}, ""}, {"int4", {0.5, 1}, ""}};
    const std::string s = svg::grouped_bar_chart({"l0", "l1", "l2"}, series, {});
    EXPECT_EQ(count(s, "class=\"bar\""), 6u);  // the missing int4 value counts as 0
    EXPECT_EQ(count(s, "class=\"legend\""), 2u);
    EXPECT_NE(s.find("<title>l2 / int4: 0</title>"), std::string::npos);
}

TEST(SvgStackedBarChart, OneStackPerCategoryAndSegmentsForNonZero) {
    const std::vector<svg::Series> series = {{"mac", {1, 0}, "#111111"},
                                             {"dram", {2, 3}, "#222222"}};
    const std::string s = svg::stacked_bar_chart({"a", "b"}, series, {});
    EXPECT_EQ(count(s, "class=\"stack\""), 2u);
    EXPECT_EQ(count(s, "class=\"seg\""), 3u);
    EXPECT_NE(s.find("a: 3 total"), std::string::npos);
}

TEST(SvgScatter, HighlightedPointsAndStepLine) {
    std::vector<svg::ScatterPoint> pts = {
        {1, 10, "p1", true}, {2, 5, "p2", true}, {3, 8, "p3", false}, {4, 1, "p4", true}};
    svg::ScatterOptions o;
    const std::string s = svg::scatter_chart(pts, o);
    EXPECT_EQ(count(s, "class=\"pt front\""), 3u);
    EXPECT_EQ(count(s, "class=\"pt\""), 1u);
    EXPECT_EQ(count(s, "class=\"step\""), 1u);
    // The step line: start, then H/V pairs to each next front point.
    const std::size_t d = s.find("class=\"step\" d=\"");
    ASSERT_NE(d, std::string::npos);
    const std::string path = s.substr(d, s.find("\"", d + 16) - d);
    EXPECT_EQ(count(path, " H"), 2u);
    EXPECT_EQ(count(path, " V"), 2u);
}

TEST(SvgScatter, LogAxesSpanManyDecadesAndDropNonPositive) {
    std::vector<svg::ScatterPoint> pts = {{1e-3, 1e9, "a", false},
                                          {1e6, 1e-2, "b", true},
                                          {0, 5, "zero x", false},
                                          {5, -1, "negative y", false}};
    svg::ScatterOptions o;
    o.log_x = true;
    o.log_y = true;
    const std::string s = svg::scatter_chart(pts, o);
    EXPECT_EQ(count(s, "<circle"), 2u);
    EXPECT_NE(s.find("2 points not drawn"), std::string::npos);
    EXPECT_EQ(s.find("nan"), std::string::npos);
    // 9 x decades (1e-3..1e6) -> ticks every 2nd decade: 1e-3, 0.1, 10, 1000, 100k.
    EXPECT_NE(s.find(">100k</text>"), std::string::npos);
}

TEST(SvgRoofline, OnePointPerLayerWithRoofs) {
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<svg::RooflinePoint> pts = {{"conv<1>", 100, 200, ""},
                                                 {"fc", 2, 30, ""},
                                                 {"on-chip", inf, 250, ""},
                                                 {"pool", 0, 0, ""}};
    const std::string s = svg::roofline_chart(pts, 256, 16, {});
    EXPECT_EQ(count(s, "class=\"pt\""), 3u);
    EXPECT_EQ(count(s, "class=\"roof\""), 2u);
    EXPECT_NE(s.find("ridge 16 MACs/B"), std::string::npos);
    EXPECT_NE(s.find("1 point not drawn"), std::string::npos);
    EXPECT_NE(s.find("conv&lt;1&gt;"), std::string::npos);
    EXPECT_EQ(s.find("conv<1>"), std::string::npos);
}

TEST(RunHtml, ChartsHaveOneItemPerLayer) {
    const stats::RunStats run =
        run_of({layer("c1", 100000, 0, 1000, 4096), layer("c2", 0, 1000, 1500, 2048),
                layer("c3", 50000, 1500, 2500, 0)});
    const cfg::HwConfig hw;
    const std::string page = run_html(run, hw);
    EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_EQ(count(page, "<svg "), 4u);  // cycles, energy per layer, roofline, energy total
    // Cycle bars (3 layers) + whole-run energy bars (6 components).
    EXPECT_EQ(count(page, "class=\"bar\""), 3u + 6u);
    EXPECT_EQ(count(page, "class=\"stack\""), 3u);
    // Roofline: c2 has no MACs and is left out; c3 has no DRAM bytes and sits at the edge.
    EXPECT_EQ(count(page, "class=\"pt\""), 2u);
    EXPECT_NE(page.find("outputs: bit-exact against the reference (3 layers)"), std::string::npos);
    expect_no_external_refs(page);
}

TEST(RunHtml, EscapesNamesAndIsDeterministic) {
    stats::RunStats run = run_of({layer("a<&\"b", 1000, 0, 100, 64)});
    run.workload_name = "<script>alert(1)</script>";
    const cfg::HwConfig hw;
    const std::string page = run_html(run, hw);
    EXPECT_EQ(page.find("a<&\"b"), std::string::npos);
    EXPECT_NE(page.find("a&lt;&amp;&quot;b"), std::string::npos);
    EXPECT_EQ(page.find("<script>"), std::string::npos);
    EXPECT_EQ(page, run_html(run, hw));
    expect_no_external_refs(page);
}

TEST(RunHtml, HundredsOfLayers) {
    std::vector<stats::LayerStats> layers;
    for (uint64_t i = 0; i < 400; ++i) {
        layers.push_back(layer("layer_" + std::to_string(i), 1000 * (i % 9), i * 100,
                               i * 100 + 50 + i, 64 * (i % 5)));
    }
    const std::string page = run_html(run_of(layers), cfg::HwConfig{});
    EXPECT_EQ(count(page, "class=\"stack\""), 400u);
    EXPECT_EQ(count(page, "class=\"bar\""), 400u + 6u);
    EXPECT_NE(page.find("400 bars, one label per "), std::string::npos);
    EXPECT_EQ(page.find("nan"), std::string::npos);
}

SweepRow row(const std::string& id, const std::string& wl, double lat, double pj, bool pareto,
             const std::string& status = "ok") {
    SweepRow r;
    r.id = id;
    r.workload = wl;
    r.settings = {{"array.rows", "16"}, {"name", "a<b&\"c\""}};
    r.status = status;
    r.latency_s = lat;
    r.energy_pj = pj;
    r.cycles = 1000;
    r.pareto = pareto;
    return r;
}

TEST(SweepHtml, ChartsPerWorkloadColouredByAKeyWithInfeasiblePointsGrey) {
    SweepReport rep;
    rep.title = "out";
    rep.objectives = {"latency", "energy"};
    rep.color_by = "array.rows";
    rep.hw = "configs/edge_npu.yaml";
    rep.keys = {"array.rows", "name"};
    rep.rows = {row("p1", "w1", 1e-4, 5e6, true),
                row("p2", "w1", 2e-4, 3e6, true),
                row("p3", "w1", 3e-4, 4e6, false),
                row("p4", "w2", 1e-3, 1e7, true),
                row("p5", "w2", 2e-3, 2e7, false),
                row("p6", "w2", 0, 0, false, "invalid"),
                row("p7", "w1", 5e-4, 9e6, false, "mismatch")};
    rep.rows[1].settings[0].second = "32";  // p2: another colour
    rep.rows[2].feasible = false;           // p3 breaks a constraint: grey
    rep.rows[2].violates = "area_mm2 > 1";
    const std::string page = sweep_html(rep);
    // Per workload: the objectives' scatter and the parallel coordinates.
    EXPECT_EQ(count(page, "<svg "), 4u);
    EXPECT_EQ(count(page, "class=\"pt front\""), 3u);
    EXPECT_EQ(count(page, "class=\"pt\""), 3u);  // p3, p5, p7 (p6 did not run)
    EXPECT_EQ(count(page, "class=\"pl\""), 6u);  // a line per point that ran
    // array.rows=16 takes the palette's first colour, 32 the second; p3 is grey.
    EXPECT_NE(page.find("fill=\"" + svg::palette()[0] + "\" stroke=\"#111\""), std::string::npos);
    EXPECT_NE(page.find("fill=\"" + svg::palette()[1] + "\" stroke=\"#111\""), std::string::npos);
    EXPECT_NE(page.find("fill=\"#b8b8b8\" stroke=\"#888\"><title>p3"), std::string::npos);
    EXPECT_NE(page.find("breaks area_mm2 &gt; 1"), std::string::npos);
    EXPECT_NE(page.find("array.rows=32"), std::string::npos);  // the legend
    EXPECT_EQ(count(page, "class=\"step\""), 1u);              // w1 has two front points; w2 one
    EXPECT_EQ(count(page, "<tr class=\"pareto\">"), 3u);
    EXPECT_EQ(page.find("a<b&\"c\""), std::string::npos);
    EXPECT_NE(page.find("name=a&lt;b&amp;&quot;c&quot;"), std::string::npos);
    EXPECT_EQ(page, sweep_html(rep));
    expect_no_external_refs(page);
}

}  // namespace
}  // namespace npu::report

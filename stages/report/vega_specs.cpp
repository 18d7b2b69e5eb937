#include "stages/report/vega_specs.hpp"

#include <algorithm>
#include <string>

#include "pipeline/error.hpp"

namespace sc::report {
namespace {

using nlohmann::json;

constexpr int kWidth = 420, kHeight = 220;

json base_spec(const json& values, int width, int height) {
  return {{"$schema", "https://vega.github.io/schema/vega/v5.json"},
          {"width", width}, {"height", height}, {"padding", 8}, {"autosize", "pad"},
          {"data", json::array({{{"name", "rows"}, {"values", values}}})}};
}

// One colour per kind of series in every chart: synthetic orange, real (training, reference)
// blue, hold-out green, so that a public chart's synthetic bars look like the steward's.
std::string series_color(const std::string& name) {
  if (name.rfind("synthetic", 0) == 0) return "#f58518";
  if (name.find("hold") != std::string::npos) return "#54a24b";
  if (name == "real" || name == "reference" || name.find("training") != std::string::npos) return "#4c78a8";
  return "#b279a2";
}

json color_scale(const json& series_names) {
  json range = json::array();
  for (const auto& name : series_names) range.push_back(series_color(name.get<std::string>()));
  return {{"name", "color"}, {"type", "ordinal"}, {"domain", series_names}, {"range", range}};
}

json legend() { return json::array({{{"fill", "color"}, {"orient", "right"}, {"title", "series"}}}); }

json axes(const json& chart, const char* x_format = nullptr) {
  json x = {{"orient", "bottom"}, {"scale", "x"}, {"title", chart.value("x_label", "")}, {"labelOverlap", true}};
  if (x_format) x["format"] = x_format;
  return json::array({x, {{"orient", "left"}, {"scale", "y"}, {"title", chart.value("y_label", "")}, {"grid", true}}});
}

const json& field(const json& object, const char* key, const json& chart) {
  SC_EXPECTS(object.contains(key), InputError,
             "chart '" + chart.value("id", std::string("?")) + "' in metrics.json has no '" + key + "'");
  return object[key];
}

// One row per bin or category of every series, each series' counts as shares of its own rows:
// `row(series name, slot, share)` makes the row. `slots`: the bins or categories there must be.
template <class Row>
json share_rows(const json& chart, size_t slots, json& names, Row row) {
  json values = json::array();
  for (const auto& [name, s] : field(field(chart, "data", chart), "series", chart).items()) {
    names.push_back(name);
    const json& counts = field(s, "counts", chart);
    SC_EXPECTS(counts.size() == slots, InputError,
               "chart '" + chart.value("id", std::string("?")) + "': series '" + name + "' has " +
                   std::to_string(counts.size()) + " counts for " + std::to_string(slots) + " bins or categories");
    double total = 0;
    for (const auto& n : counts) total += n.get<double>();
    for (size_t b = 0; b < slots; ++b) values.push_back(row(name, b, total > 0 ? counts[b].get<double>() / total : 0.0));
  }
  return values;
}

// Overlaid series on shared bins: {series, from, to, share}.
json histogram(const json& chart) {
  const json& edges = field(field(chart, "data", chart), "edges", chart);
  SC_EXPECTS(edges.size() >= 2, InputError, "chart '" + chart.value("id", std::string("?")) + "' has no bins");
  // Dates (days since 1970-01-01) go on a calendar axis, which counts milliseconds.
  bool days = field(chart, "data", chart).value("edges_are_days", false);
  auto x_at = [&](size_t i) { return days ? edges[i].get<double>() * 86400000.0 : edges[i].get<double>(); };
  json names = json::array();
  json values = share_rows(chart, edges.size() - 1, names, [&](const std::string& name, size_t b, double share) {
    return json{{"series", name}, {"from", x_at(b)}, {"to", x_at(b + 1)}, {"share", share}};
  });
  json spec = base_spec(values, kWidth, kHeight);
  spec["scales"] = {{{"name", "x"}, {"type", days ? "utc" : "linear"}, {"domain", {x_at(0), x_at(edges.size() - 1)}},
                     {"range", "width"}, {"zero", false}, {"nice", false}},
                    {{"name", "y"}, {"type", "linear"}, {"domain", {{"data", "rows"}, {"field", "share"}}},
                     {"range", "height"}, {"zero", true}, {"nice", true}},
                    color_scale(names)};
  spec["axes"] = axes(chart);
  spec["legends"] = legend();
  spec["marks"] = {{{"type", "rect"}, {"from", {{"data", "rows"}}},
                    {"encode", {{"enter", {{"x", {{"scale", "x"}, {"field", "from"}}}, {"x2", {{"scale", "x"}, {"field", "to"}}},
                                           {"y", {{"scale", "y"}, {"field", "share"}}}, {"y2", {{"scale", "y"}, {"value", 0}}},
                                           {"fill", {{"scale", "color"}, {"field", "series"}}},
                                           {"fillOpacity", {{"value", 0.5}}},
                                           {"stroke", {{"scale", "color"}, {"field", "series"}}},
                                           {"tooltip", {{"signal", "datum.series + ': ' + format(datum.share, '.3f')"}}}}}}}}};
  return spec;
}

// Categories side by side, each series a bar within the category's band.
json bars(const json& chart) {
  const json& categories = field(field(chart, "data", chart), "categories", chart);
  json names = json::array();
  json values = share_rows(chart, categories.size(), names, [&](const std::string& name, size_t c, double share) {
    return json{{"series", name}, {"category", categories[c]}, {"share", share}};
  });
  int width = std::max(kWidth / 2, static_cast<int>(categories.size()) * 18 * static_cast<int>(std::max<size_t>(1, names.size())));
  json spec = base_spec(values, std::min(width, 900), kHeight);
  spec["scales"] = {{{"name", "x"}, {"type", "band"}, {"domain", categories}, {"range", "width"}, {"padding", 0.15}},
                    {{"name", "offset"}, {"type", "band"}, {"domain", names}, {"range", json::array({0, json{{"signal", "bandwidth('x')"}}})}},
                    {{"name", "y"}, {"type", "linear"}, {"domain", {{"data", "rows"}, {"field", "share"}}},
                     {"range", "height"}, {"zero", true}, {"nice", true}},
                    color_scale(names)};
  spec["axes"] = axes(chart);
  spec["axes"][0]["labelAngle"] = -40;
  spec["axes"][0]["labelAlign"] = "right";
  spec["legends"] = legend();
  spec["marks"] = {{{"type", "rect"}, {"from", {{"data", "rows"}}},
                    {"encode", {{"enter", {{"x", {{"scale", "x"}, {"field", "category"}, {"offset", {{"scale", "offset"}, {"field", "series"}}}}},
                                           {"width", {{"scale", "offset"}, {"band", 1}}},
                                           {"y", {{"scale", "y"}, {"field", "share"}}}, {"y2", {{"scale", "y"}, {"value", 0}}},
                                           {"fill", {{"scale", "color"}, {"field", "series"}}},
                                           {"tooltip", {{"signal", "datum.category + ' (' + datum.series + '): ' + format(datum.share, '.3f')"}}}}}}}}};
  return spec;
}

json heatmap(const json& chart) {
  const json& data = field(chart, "data", chart);
  const json& labels = field(data, "labels", chart);
  int side = std::max(140, static_cast<int>(labels.size()) * 26);
  json spec = base_spec(field(data, "cells", chart), side, side);
  const json& domain = field(data, "domain", chart);
  bool signed_values = domain[0].get<double>() < 0;
  spec["scales"] = {{{"name", "x"}, {"type", "band"}, {"domain", labels}, {"range", "width"}},
                    {{"name", "y"}, {"type", "band"}, {"domain", labels}, {"range", "height"}},
                    {{"name", "fill"}, {"type", "linear"}, {"domain", domain}, {"zero", false},
                     {"range", {{"scheme", signed_values ? "blueorange" : "viridis"}}}}};
  spec["axes"] = {{{"orient", "bottom"}, {"scale", "x"}, {"labelAngle", -40}, {"labelAlign", "right"}},
                  {{"orient", "left"}, {"scale", "y"}}};
  spec["legends"] = {{{"fill", "fill"}, {"type", "gradient"}, {"title", signed_values ? "r" : "score"}}};
  spec["marks"] = {{{"type", "rect"}, {"from", {{"data", "rows"}}},
                    {"encode", {{"enter", {{"x", {{"scale", "x"}, {"field", "x"}}}, {"width", {{"scale", "x"}, {"band", 1}}},
                                           {"y", {{"scale", "y"}, {"field", "y"}}}, {"height", {{"scale", "y"}, {"band", 1}}},
                                           {"fill", {{"scale", "fill"}, {"field", "value"}}},
                                           {"tooltip", {{"signal", "datum.x + ' / ' + datum.y + ': ' + format(datum.value, '.3f')"}}}}}}}}};
  return spec;
}

// Rows {series, x, y} from {"series": {name: [[x, y], ...]}}.
json points(const json& chart, json& names) {
  json values = json::array();
  for (const auto& [name, list] : field(field(chart, "data", chart), "series", chart).items()) {
    names.push_back(name);
    for (const auto& p : list) {
      SC_EXPECTS(p.is_array() && p.size() >= 2 && p[0].is_number() && p[1].is_number(), InputError,
                 "chart '" + chart.value("id", std::string("?")) + "': a point is not [x, y]");
      values.push_back({{"series", name}, {"x", p[0]}, {"y", p[1]}});
    }
  }
  return values;
}

// A chart of points {series, x, y} on linear axes, without marks yet.
json xy_spec(const json& chart, int height, bool zero_y) {
  json names = json::array();
  json spec = base_spec(points(chart, names), kWidth, height);
  spec["scales"] = json::array({{{"name", "x"}, {"type", "linear"}, {"domain", {{"data", "rows"}, {"field", "x"}}},
                                 {"range", "width"}, {"zero", false}, {"nice", true}},
                                {{"name", "y"}, {"type", "linear"}, {"domain", {{"data", "rows"}, {"field", "y"}}},
                                 {"range", "height"}, {"zero", zero_y}, {"nice", true}},
                                color_scale(names)});
  spec["axes"] = axes(chart);
  spec["legends"] = legend();
  return spec;
}

json symbols(double size, double opacity) {
  return {{"type", "symbol"}, {"from", {{"data", "rows"}}},
          {"encode", {{"enter", {{"x", {{"scale", "x"}, {"field", "x"}}}, {"y", {{"scale", "y"}, {"field", "y"}}},
                                 {"fill", {{"scale", "color"}, {"field", "series"}}}, {"fillOpacity", {{"value", opacity}}},
                                 {"size", {{"value", size}}}}}}}};
}

// One line per series (a facet by series), with its points.
json lines(const json& chart) {
  json spec = xy_spec(chart, kHeight, true);
  json line = {{"type", "line"}, {"from", {{"data", "series"}}},
               {"encode", {{"enter", {{"x", {{"scale", "x"}, {"field", "x"}}}, {"y", {{"scale", "y"}, {"field", "y"}}},
                                      {"stroke", {{"scale", "color"}, {"field", "series"}}}, {"strokeWidth", {{"value", 2}}}}}}}};
  spec["marks"] = {{{"type", "group"},
                    {"from", {{"facet", {{"name", "series"}, {"data", "rows"}, {"groupby", "series"}}}}},
                    {"marks", {line}}},
                   symbols(20, 1.0)};
  return spec;
}

json scatter(const json& chart) {
  json spec = xy_spec(chart, kWidth, false);
  spec["marks"] = json::array({symbols(16, 0.6)});
  return spec;
}

}  // namespace

json vega_spec(const json& chart) {
  std::string kind = chart.value("kind", "");
  if (kind == "histogram") return histogram(chart);
  if (kind == "bars") return bars(chart);
  if (kind == "heatmap") return heatmap(chart);
  if (kind == "lines") return lines(chart);
  if (kind == "scatter") return scatter(chart);
  throw InputError("chart '" + chart.value("id", std::string("?")) + "' in metrics.json has kind '" + kind +
                   "' (expected histogram, bars, heatmap, lines or scatter)");
}

}  // namespace sc::report

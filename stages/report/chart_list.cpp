#include "stages/report/chart_list.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sc::report {

bool shown_in(const std::string& edition, const std::string& report) {
  return edition == "both" || edition == report;
}

namespace {

using nlohmann::json;

json chart(const std::string& id, const std::string& section, const std::string& table, const std::string& title,
           const std::string& kind, const std::string& edition, const std::string& x_label,
           const std::string& y_label, json data) {
  return {{"id", id}, {"section", section}, {"table", table}, {"title", title}, {"kind", kind},
          {"edition", edition}, {"x_label", x_label}, {"y_label", y_label}, {"data", std::move(data)}};
}

json series(const SideCounts& side) { return {{"counts", side.counts}, {"missing", side.missing}}; }

// Synthetic counts for the public report: cells below the minimum become 0 ("suppressed"), and
// the leading and trailing empty bins are cut with their edges, so that neither a small cell nor
// the exact synthetic extremes appear. Returns false when nothing is left to show.
bool suppress_and_trim(std::vector<double>& edges, std::vector<int64_t>& counts, int64_t min_count) {
  for (auto& n : counts)
    if (n < min_count) n = 0;
  auto first = std::find_if(counts.begin(), counts.end(), [](int64_t n) { return n > 0; });
  if (first == counts.end()) return false;
  auto last = std::find_if(counts.rbegin(), counts.rend(), [](int64_t n) { return n > 0; }).base();
  size_t from = static_cast<size_t>(first - counts.begin()), to = static_cast<size_t>(last - counts.begin());
  counts = std::vector<int64_t>(counts.begin() + static_cast<std::ptrdiff_t>(from),
                                counts.begin() + static_cast<std::ptrdiff_t>(to));
  edges = std::vector<double>(edges.begin() + static_cast<std::ptrdiff_t>(from),
                              edges.begin() + static_cast<std::ptrdiff_t>(to + 1));
  return true;
}

// The public histogram from fine synthetic bins: from each end, fine bins are cut while fewer
// than report.public_min_count rows lie beyond the cut (thin tails, where single synthetic rows
// could echo a real extreme); the rest is regrouped into about report.histogram_bins bins, and
// small cells are suppressed as everywhere in the public report.
bool public_bins(const std::vector<double>& fine_edges, const std::vector<int64_t>& fine, const ChartSettings& settings,
                 std::vector<double>& edges, std::vector<int64_t>& counts) {
  if (fine.empty()) return false;
  auto [from, to] = kept_span(fine, settings.public_min_count);
  if (from >= to) return false;
  size_t width = std::max<size_t>(1, (to - from + static_cast<size_t>(settings.histogram_bins) - 1) /
                                         static_cast<size_t>(settings.histogram_bins));
  edges.clear();
  counts.clear();
  for (size_t b = from; b < to; b += width) {
    edges.push_back(fine_edges[b]);
    int64_t n = 0;
    for (size_t f = b; f < std::min(to, b + width); ++f) n += fine[f];
    counts.push_back(n);
  }
  edges.push_back(fine_edges[std::min(to, from + counts.size() * width)]);
  return suppress_and_trim(edges, counts, settings.public_min_count);
}

std::string value_label(const ColumnDistribution& d) { return d.date ? d.column + " (date)" : d.column; }

// Histogram data of a numeric or date column; dates are days since 1970-01-01, drawn on a
// calendar axis.
json histogram_data(const ColumnDistribution& d, const std::vector<double>& edges, json series_json) {
  json data = {{"edges", edges}, {"series", std::move(series_json)}};
  if (d.date) data["edges_are_days"] = true;
  return data;
}

// Categories ordered by count (largest first, then by name), the first `keep` charted one by one
// and the rest summed into "(other)"; "(missing)" last when any row is missing.
struct CategoryCut {
  std::vector<std::string> names;
  std::vector<std::vector<int64_t>> counts;  // per side
};

CategoryCut cut_categories(const std::vector<std::string>& categories, const std::vector<const SideCounts*>& sides,
                           size_t keep, int64_t min_count, bool with_missing) {
  std::vector<size_t> order(categories.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto weight = [&](size_t c) {
    int64_t w = 0;
    for (const SideCounts* side : sides) w += side->counts[c];
    return w;
  };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return weight(a) > weight(b); });
  CategoryCut cut;
  cut.counts.resize(sides.size());
  std::vector<int64_t> other(sides.size(), 0);
  for (size_t c : order) {
    bool charted = cut.names.size() < keep && weight(c) >= min_count && weight(c) > 0;
    if (charted) cut.names.push_back(categories[c]);
    for (size_t s = 0; s < sides.size(); ++s) {
      if (charted) cut.counts[s].push_back(sides[s]->counts[c]);
      else other[s] += sides[s]->counts[c];
    }
  }
  int64_t other_weight = std::accumulate(other.begin(), other.end(), int64_t{0});
  if (other_weight > 0 && other_weight >= min_count) {
    cut.names.push_back("(other)");
    for (size_t s = 0; s < sides.size(); ++s) cut.counts[s].push_back(other[s]);
  }
  int64_t missing = 0;
  for (const SideCounts* side : sides) missing += side->missing;
  if (with_missing && missing > 0 && missing >= min_count) {
    cut.names.push_back("(missing)");
    for (size_t s = 0; s < sides.size(); ++s) cut.counts[s].push_back(sides[s]->missing);
  }
  return cut;
}

void column_charts(json& out, const std::string& table, const ColumnDistribution& d, const ChartSettings& settings) {
  std::string base = table + "/column/" + d.column;
  if (d.categorical) {
    CategoryCut both = cut_categories(d.categories, {&d.real, &d.synthetic}, static_cast<size_t>(settings.max_categories), 1, true);
    if (!both.names.empty())
      out.push_back(chart(base + "/real-vs-synthetic", "columns", table, d.column + ": real vs synthetic", "bars",
                          "steward", d.column, "share of rows",
                          {{"categories", both.names},
                           {"series", {{"real", {{"counts", both.counts[0]}}}, {"synthetic", {{"counts", both.counts[1]}}}}}}));
    CategoryCut alone = cut_categories(d.categories, {&d.synthetic}, static_cast<size_t>(settings.max_categories),
                                       settings.public_min_count, true);
    if (!alone.names.empty())
      out.push_back(chart(base + "/synthetic", "columns", table, d.column + ": synthetic", "bars", "public", d.column,
                          "share of rows",
                          {{"categories", alone.names}, {"suppressed_below", settings.public_min_count},
                           {"series", {{"synthetic", {{"counts", alone.counts[0]}}}}}}));
    return;
  }
  if (!d.shared_edges.empty())
    out.push_back(chart(base + "/real-vs-synthetic", "columns", table, d.column + ": real vs synthetic", "histogram",
                        "steward", value_label(d), "share of rows",
                        histogram_data(d, d.shared_edges, {{"real", series(d.real)}, {"synthetic", series(d.synthetic)}})));
  std::vector<double> edges;
  std::vector<int64_t> counts;
  if (public_bins(d.synthetic_fine_edges, d.synthetic_alone.counts, settings, edges, counts)) {
    json data = histogram_data(d, edges, {{"synthetic", {{"counts", counts}}}});
    data["suppressed_below"] = settings.public_min_count;
    out.push_back(chart(base + "/synthetic", "columns", table, d.column + ": synthetic", "histogram", "public",
                        value_label(d), "share of rows", data));
  }
}

// Integer values 0..max as histogram bins [k - 0.5, k + 0.5), at most `bins_at_most` of them
// (wider bins of several values when the largest count is large).
std::pair<std::vector<double>, std::vector<std::vector<int64_t>>> integer_bins(
    const std::vector<const std::vector<int64_t>*>& by_value, int bins_at_most) {
  size_t values = 0;
  for (const auto* v : by_value) values = std::max(values, v->size());
  size_t width = std::max<size_t>(1, (values + static_cast<size_t>(bins_at_most) - 1) / static_cast<size_t>(bins_at_most));
  size_t bins = (values + width - 1) / width;
  std::vector<double> edges(bins + 1);
  for (size_t b = 0; b <= bins; ++b) edges[b] = static_cast<double>(b * width) - 0.5;
  std::vector<std::vector<int64_t>> counts(by_value.size(), std::vector<int64_t>(bins, 0));
  for (size_t s = 0; s < by_value.size(); ++s)
    for (size_t k = 0; k < by_value[s]->size(); ++k) counts[s][k / width] += (*by_value[s])[k];
  return {edges, counts};
}

void children_charts(json& out, const TableChartData& t, const std::string& parent, const ChartSettings& settings) {
  std::string base = t.table + "/children-per-parent";
  std::string x_label = t.table + " rows per " + parent + " row";
  auto [edges, counts] = integer_bins({&t.children.real.counts, &t.children.synthetic.counts}, 60);
  if (!edges.empty() && edges.size() > 1)
    out.push_back(chart(base + "/real-vs-synthetic", "relations", t.table, x_label + ": real vs synthetic", "histogram",
                        "steward", x_label, "share of parents",
                        {{"edges", edges},
                         {"series", {{"real", {{"counts", counts[0]}}}, {"synthetic", {{"counts", counts[1]}}}}}}));
  auto [alone_edges, alone] = integer_bins({&t.children.synthetic.counts}, 60);
  std::vector<int64_t> synthetic = alone[0];
  if (alone_edges.size() > 1 && suppress_and_trim(alone_edges, synthetic, settings.public_min_count))
    out.push_back(chart(base + "/synthetic", "relations", t.table, x_label + ": synthetic", "histogram", "public",
                        x_label, "share of parents",
                        {{"edges", alone_edges}, {"suppressed_below", settings.public_min_count},
                         {"series", {{"synthetic", {{"counts", synthetic}}}}}}));
}

// Heatmaps of one table's pairs: correlations (real: steward; synthetic: both) and pair scores (both).
void pair_charts(json& out, const std::string& table, const json& m) {
  std::vector<std::string> labels;
  for (const auto& c : m.value("columns", json::array())) labels.push_back(c.value("column", ""));
  json real = json::array(), synthetic = json::array(), scores = json::array();
  std::vector<std::string> correlated;
  for (const auto& p : m.value("pairs", json::array())) {
    if (!p.contains("columns") || p["columns"].size() != 2) continue;
    std::string a = p["columns"][0], b = p["columns"][1];
    auto add = [&](json& cells, const char* key) {
      if (!p.contains(key) || !p[key].is_number()) return false;
      cells.push_back({{"x", a}, {"y", b}, {"value", p[key]}});
      cells.push_back({{"x", b}, {"y", a}, {"value", p[key]}});
      return true;
    };
    add(scores, "score");
    if (add(real, "real_correlation") | add(synthetic, "synthetic_correlation")) {
      for (const std::string& c : {a, b})
        if (std::find(correlated.begin(), correlated.end(), c) == correlated.end()) correlated.push_back(c);
    }
  }
  // Keep the table's column order for the correlated columns.
  std::vector<std::string> numeric;
  for (const auto& l : labels)
    if (std::find(correlated.begin(), correlated.end(), l) != correlated.end()) numeric.push_back(l);
  auto diagonal = [](json& cells, const std::vector<std::string>& names, double value) {
    for (const auto& n : names) cells.push_back({{"x", n}, {"y", n}, {"value", value}});
  };
  std::string base = table + "/pairs";
  if (!real.empty()) {
    diagonal(real, numeric, 1.0);
    out.push_back(chart(base + "/correlation-real", "pairs", table, table + ": Pearson correlation, real", "heatmap",
                        "steward", "", "", {{"labels", numeric}, {"domain", {-1.0, 1.0}}, {"cells", real}}));
  }
  if (!synthetic.empty()) {
    diagonal(synthetic, numeric, 1.0);
    out.push_back(chart(base + "/correlation-synthetic", "pairs", table, table + ": Pearson correlation, synthetic",
                        "heatmap", "both", "", "", {{"labels", numeric}, {"domain", {-1.0, 1.0}}, {"cells", synthetic}}));
  }
  if (!scores.empty())
    out.push_back(chart(base + "/scores", "pairs", table,
                        table + ": pair trend scores (correlation or contingency similarity; 1 = same)", "heatmap",
                        "both", "", "", {{"labels", labels}, {"domain", {0.0, 1.0}}, {"cells", scores}}));
}

// Histograms {edges, counts} under `parent[key]["histogram"]`, as series of one chart on the
// first one's edges (a histogram on other edges is left out). Null edges when there is none.
std::pair<json, json> shared_edge_series(const json& parent,
                                         std::initializer_list<std::pair<const char*, const char*>> keys_and_names) {
  json series_json = json::object(), edges;
  for (const auto& [key, name] : keys_and_names) {
    if (!parent.contains(key) || !parent[key].contains("histogram")) continue;
    const json& h = parent[key]["histogram"];
    if (edges.is_null()) edges = h["edges"];
    if (h["edges"] == edges) series_json[name] = {{"counts", h["counts"]}};
  }
  return {edges, series_json};
}

// DCR histograms written by evaluate: synthetic rows' distances to training and to hold-out rows.
void dcr_chart(json& out, const std::string& table, const json& m) {
  if (!m.contains("privacy")) return;
  auto [edges, series_json] = shared_edge_series(m["privacy"], {{"dcr_to_training", "to training rows"},
                                                                {"dcr_to_holdout", "to hold-out rows"}});
  if (series_json.empty()) return;
  out.push_back(chart(table + "/privacy/dcr", "privacy", table,
                      table + ": distance to closest real record (0 = copy, 1 = as far as the ranges allow)",
                      "histogram", "steward", "DCR", "share of synthetic rows",
                      {{"edges", edges}, {"series", series_json}}));
}

// A genome view twice: the steward's with the real series, the public one with the synthetic alone.
void steward_and_public(json& out, const std::string& id, const std::string& title, const std::string& kind,
                        const std::string& x_label, const std::string& y_label, const std::string& real_name,
                        const json& real, const json& synthetic) {
  if (!real.empty() || !synthetic.empty())
    out.push_back(chart(id + "/" + real_name + "-and-synthetic", "genomes", "", title + ": " + real_name + " and synthetic",
                        kind, "steward", x_label, y_label, {{"series", {{real_name, real}, {"synthetic", synthetic}}}}));
  if (!synthetic.empty())
    out.push_back(chart(id + "/synthetic", "genomes", "", title + ": synthetic", kind, "public", x_label, y_label,
                        {{"series", {{"synthetic", synthetic}}}}));
}

void genome_charts(json& out, const json& g) {
  if (g.contains("ld_decay") && g["ld_decay"].contains("bins")) {
    json real = json::array(), synthetic = json::array();
    for (const auto& b : g["ld_decay"]["bins"]) {
      double mid = (b.value("cm_from", 0.0) + b.value("cm_to", 0.0)) / 2.0;
      if (b.contains("real") && b["real"].is_number()) real.push_back({mid, b["real"]});
      if (b.contains("synthetic") && b["synthetic"].is_number()) synthetic.push_back({mid, b["synthetic"]});
    }
    steward_and_public(out, "genomes/ld-decay", "LD decay, mean r² by distance", "lines", "distance (cM)", "mean r²",
                       "real", real, synthetic);
  }
  if (g.contains("pca"))
    steward_and_public(out, "genomes/pca", "PCA on the reference axes", "scatter", "PC1", "PC2", "reference",
                       g["pca"].value("reference", json::array()), g["pca"].value("synthetic", json::array()));
  if (g.contains("kinship")) {
    auto [edges, series_json] = shared_edge_series(g["kinship"], {{"synthetic_max", "synthetic to closest reference"},
                                                                  {"holdout_max", "held-out real to closest reference"}});
    if (!series_json.empty())
      out.push_back(chart("genomes/kinship", "genomes", "", "KING-robust kinship to the closest reference individual",
                          "histogram", "steward", "kinship coefficient", "share of individuals",
                          {{"edges", edges}, {"series", series_json}}));
  }
}

}  // namespace

json chart_list(const json& metrics, const std::vector<TableChartData>& tables, const ChartSettings& settings) {
  json out = json::array();
  const json table_metrics = metrics.value("tables", json::object());
  for (const TableChartData& t : tables) {
    for (const ColumnDistribution& d : t.columns) column_charts(out, t.table, d, settings);
    if (!table_metrics.contains(t.table)) continue;
    const json& m = table_metrics[t.table];
    pair_charts(out, t.table, m);
    if (!t.parent.empty()) children_charts(out, t, t.parent, settings);
    dcr_chart(out, t.table, m);
  }
  if (metrics.contains("genomes")) genome_charts(out, metrics["genomes"]);
  return out;
}

}  // namespace sc::report

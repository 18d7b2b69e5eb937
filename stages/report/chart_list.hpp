// The `charts` section of metrics.json: every chart of both reports, each with its edition and
// the data it draws, so that the reports are reproducible from metrics.json alone. The edition
// rules live here (docs/report.md says why):
//  - "steward": shows real-data values (real histograms and extremes, real correlations, DCR,
//    reference PCA coordinates, kinship to real individuals); stays inside the secure zone;
//  - "public": synthetic-only views, with synthetic bins and categories of fewer than
//    report.public_min_count rows suppressed and the axis trimmed to the bins that remain;
//  - "both": derived only from scores or synthetic values (pair-score and synthetic correlation
//    heatmaps).
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "stages/report/store_distributions.hpp"

namespace sc::report {

struct ChartSettings {
  int histogram_bins = 20;
  int max_categories = 30;       // categories charted one by one; the rest are "(other)"
  int64_t public_min_count = 10; // smallest synthetic cell the public report shows
};

// Store data per table, as the report stage computed it.
struct TableChartData {
  std::string table;
  std::vector<ColumnDistribution> columns;
  std::string parent;  // a child table's parent: `children` holds the parents' children counts
  ChildrenHistogram children;
};

// Charts from the store data and from metrics.json (pairs, DCR histograms, `genomes`).
nlohmann::json chart_list(const nlohmann::json& metrics, const std::vector<TableChartData>& tables,
                          const ChartSettings& settings);

// Whether a chart of `edition` ("steward", "public", "both") belongs in the report `report`
// ("steward" or "public").
bool shown_in(const std::string& edition, const std::string& report);

}  // namespace sc::report

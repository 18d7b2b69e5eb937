// Vega specifications of the report's charts, made from a chart entry of metrics.json's `charts`
// list (chart_list.hpp): histograms (overlaid series on shared bins, as shares of each series'
// rows), category bars, heatmaps, lines and scatter plots. Series are coloured by name in the
// same order everywhere, so "real" and "synthetic" look the same in every chart.
#pragma once

#include <nlohmann/json.hpp>

namespace sc::report {

// Throws InputError when the chart's kind is unknown or its data does not fit the kind.
nlohmann::json vega_spec(const nlohmann::json& chart);

}  // namespace sc::report

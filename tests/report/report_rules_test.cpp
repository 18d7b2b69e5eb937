// The report's rules without a store: the public edition's suppression and tail cuts, the
// editions of every chart kind, the verdicts and their thresholds, the Vega specs' checks of
// their data, and the page's guard against text that would end a script element.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "pipeline/error.hpp"
#include "stages/report/chart_list.hpp"
#include "stages/report/report_page.hpp"
#include "stages/report/vega_specs.hpp"
#include "stages/report/verdicts.hpp"

namespace sc::report {
namespace {

using nlohmann::json;

TEST(KeptSpan, CutsTailsHoldingFewerThanTheMinimum) {
  EXPECT_EQ(kept_span({1, 2, 50, 60, 3, 1}, 10), (std::pair<size_t, size_t>{2, 4}));
  EXPECT_EQ(kept_span({1, 2, 50, 60, 3, 1}, 1), (std::pair<size_t, size_t>{0, 6}));
  auto [from, to] = kept_span({3, 3, 3}, 10);  // nothing reaches the minimum: nothing kept
  EXPECT_GE(from, to);
}

// A persons table: one numeric column with a far synthetic tail and a categorical column with a
// rare real category, as the store pass would hand them over.
std::vector<TableChartData> persons() {
  ColumnDistribution weight;
  weight.column = "weight";
  weight.shared_edges = {0, 50, 100};
  weight.real = {{90, 10}, 0};
  weight.synthetic = {{95, 5}, 0};
  weight.synthetic_fine_edges.resize(101);
  for (size_t i = 0; i <= 100; ++i) weight.synthetic_fine_edges[i] = static_cast<double>(i);
  weight.synthetic_alone.counts.assign(100, 0);
  for (size_t i = 20; i < 60; ++i) weight.synthetic_alone.counts[i] = 20;
  weight.synthetic_alone.counts[99] = 3;  // a few far synthetic rows: a thin tail
  ColumnDistribution status;
  status.column = "status";
  status.categorical = true;
  status.categories = {"0", "1", "RARE"};
  status.real = {{500, 300, 1}, 0};
  status.synthetic = {{520, 280, 0}, 0};
  TableChartData table;
  table.table = "persons";
  table.columns = {weight, status};
  return {table};
}

json metrics_with_pairs() {
  return {{"tables",
           {{"persons",
             {{"quality_score_sdmetrics_0_27", 0.8},
              {"columns", {{{"column", "weight"}, {"metric", "KSComplement"}, {"score", 0.95}},
                           {{"column", "status"}, {"metric", "TVComplement"}, {"score", 0.5}}}},
              {"pairs", {{{"columns", {"weight", "status"}}, {"metric", "ContingencySimilarity"}, {"score", nullptr}},
                         {{"columns", {"weight", "height"}}, {"metric", "CorrelationSimilarity"}, {"score", 0.97},
                          {"real_correlation", 0.4}, {"synthetic_correlation", 0.42}}}},
              {"privacy", {{"dcr_to_training", {{"exact_match_share", 0.02},
                                                {"histogram", {{"edges", {0.0, 0.5, 1.0}}, {"counts", {3, 7}}}}}},
                           {"dcr_overfitting_protection", {{"score", 0.95}}}}}}}}}};
}

const json* find_chart(const json& list, const std::string& id) {
  for (const auto& c : list)
    if (c["id"] == id) return &c;
  return nullptr;
}

TEST(ChartList, PublicChartsShowSyntheticCellsAtOrAboveTheMinimumOnly) {
  ChartSettings settings;
  settings.histogram_bins = 10;
  settings.public_min_count = 10;
  json list = chart_list(metrics_with_pairs(), persons(), settings);
  for (const auto& c : list) {
    if (!shown_in(c["edition"], "public")) continue;
    const json series = c["data"].value("series", json::object());
    for (const auto& [name, s] : series.items()) {
      EXPECT_EQ(name, "synthetic") << c["id"];
      for (const auto& n : s["counts"]) EXPECT_TRUE(n == 0 || n >= 10) << c["id"];
    }
  }
  const json* weight = find_chart(list, "persons/column/weight/synthetic");
  ASSERT_NE(weight, nullptr);
  // The 3 far rows are cut, so the axis ends where the bulk ends, not at 100.
  EXPECT_EQ((*weight)["data"]["edges"].front(), 20.0);
  EXPECT_EQ((*weight)["data"]["edges"].back(), 60.0);
  const json* status = find_chart(list, "persons/column/status/synthetic");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ((*status)["data"]["categories"], json({"0", "1"}));
  // The steward sees the rare real category.
  const json* steward = find_chart(list, "persons/column/status/real-vs-synthetic");
  ASSERT_NE(steward, nullptr);
  EXPECT_EQ(steward->at("edition"), "steward");
  auto categories = steward->at("data").at("categories").get<std::vector<std::string>>();
  EXPECT_NE(std::find(categories.begin(), categories.end(), "RARE"), categories.end());
}

TEST(ChartList, EditionsFollowWhatAChartReveals) {
  json list = chart_list(metrics_with_pairs(), persons(), ChartSettings{});
  std::map<std::string, std::string> edition;
  for (const auto& c : list) edition[c["id"]] = c["edition"];
  EXPECT_EQ(edition["persons/pairs/correlation-real"], "steward");
  EXPECT_EQ(edition["persons/pairs/correlation-synthetic"], "both");
  EXPECT_EQ(edition["persons/pairs/scores"], "both");
  EXPECT_EQ(edition["persons/privacy/dcr"], "steward");
  EXPECT_EQ(edition["persons/column/weight/real-vs-synthetic"], "steward");
}

TEST(ChartList, GenomeChartsKeepReferenceDataInTheStewardsEdition) {
  json metrics = json::parse(R"({"tables": {}, "genomes": {
      "pca": {"reference": [[1.0, 2.0]], "synthetic": [[3.0, 4.0]]},
      "ld_decay": {"bins": [{"cm_from": 0.0, "cm_to": 0.1, "real": 0.3, "synthetic": 0.2}]},
      "kinship": {"synthetic_max": {"histogram": {"edges": [0.0, 0.1], "counts": [5]}},
                  "holdout_max": {"histogram": {"edges": [0.0, 0.1], "counts": [4]}}}}})");
  json list = chart_list(metrics, {}, ChartSettings{});
  std::set<std::string> public_ids;
  for (const auto& c : list)
    if (shown_in(c["edition"], "public")) {
      public_ids.insert(c["id"]);
      EXPECT_FALSE(c["data"]["series"].contains("reference"));
      EXPECT_FALSE(c["data"]["series"].contains("real"));
    }
  EXPECT_EQ(public_ids, (std::set<std::string>{"genomes/pca/synthetic", "genomes/ld-decay/synthetic"}));
  const json* kinship = find_chart(list, "genomes/kinship");
  ASSERT_NE(kinship, nullptr);
  EXPECT_EQ(kinship->at("data").at("series").size(), 2u);
}

TEST(Verdicts, ScoresAndChecksAgainstTheThresholds) {
  VerdictThresholds t;
  json metrics = metrics_with_pairs();
  metrics["genomes"] = {{"aats", {{"aats", 0.72}}}, {"allele_frequency", {{"r2", 0.99}}}};
  json v = judge(metrics, t);
  EXPECT_EQ(v["tables"][0]["verdict"], "use with care");  // 0.8
  EXPECT_EQ(v["columns"][0]["verdict"], "trust");         // 0.95
  EXPECT_EQ(v["columns"][1]["verdict"], "do not trust");  // 0.5
  EXPECT_EQ(v["pairs"][0]["verdict"], "not scored");      // null
  std::map<std::string, std::string> checks;
  for (const auto& c : v["privacy"]) checks[c["measure"]] = c["verdict"];
  for (const auto& c : v["genomes"]) checks[c["measure"]] = c["verdict"];
  EXPECT_EQ(checks["dcr_overfitting_protection"], "pass");  // 0.95 >= 0.9
  EXPECT_EQ(checks["exact_match_share"], "review");         // 0.02 > 0.01
  EXPECT_EQ(checks["allele_frequency_r2"], "pass");
  EXPECT_EQ(checks["aats_distance_from_0.5"], "review");    // |0.72 - 0.5| > 0.1
  t.trust_score = 0.75;
  EXPECT_EQ(judge(metrics, t)["tables"][0]["verdict"], "trust");
}

TEST(VegaSpec, RefusesChartsWhoseDataDoNotFitTheirKind) {
  json chart = {{"id", "x"}, {"kind", "histogram"}, {"data", {{"edges", {0, 1, 2}}, {"series", {{"synthetic", {{"counts", {1}}}}}}}}};
  EXPECT_THROW(vega_spec(chart), InputError);
  chart["kind"] = "pie";
  EXPECT_THROW(vega_spec(chart), InputError);
  chart["kind"] = "histogram";
  chart["data"]["series"]["synthetic"]["counts"] = {1, 2};
  json spec = vega_spec(chart);
  EXPECT_EQ(spec["data"][0]["values"].size(), 2u);
  EXPECT_DOUBLE_EQ(spec["data"][0]["values"][1]["share"].get<double>(), 2.0 / 3.0);
}

TEST(ReportPage, EditionsCarryTheirChartsAndNoTextEndsTheScript) {
  json metrics = metrics_with_pairs();
  ChartSettings settings;
  settings.public_min_count = 1;
  auto tables = persons();
  tables[0].columns[1].categories[2] = "</script><b>";
  metrics["charts"] = {{"list", chart_list(metrics, tables, settings)}};
  metrics["verdicts"] = judge(metrics, VerdictThresholds{});
  std::string steward = report_page(metrics, "steward", "var vega = {};");
  std::string published = report_page(metrics, "public", "var vega = {};");
  EXPECT_NE(steward.find("persons/privacy/dcr"), std::string::npos);
  EXPECT_EQ(published.find("persons/privacy/dcr"), std::string::npos);
  EXPECT_EQ(published.find("real-vs-synthetic"), std::string::npos);
  EXPECT_NE(published.find("render-status"), std::string::npos);
  EXPECT_EQ(steward.find("</script><b>"), std::string::npos);
  EXPECT_NE(steward.find("\\u003c/script>\\u003cb>"), std::string::npos);
}

}  // namespace
}  // namespace sc::report

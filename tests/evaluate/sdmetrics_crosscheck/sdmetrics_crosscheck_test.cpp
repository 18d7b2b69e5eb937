// Our table metrics against sdmetrics' own numbers (sdmetrics_reference.py, pinned version) on
// nafld1 and flchain split by row parity: every column shape, pair trend (thresholded and not,
// and our shared-bin variant), the DCR of every synthetic row to training and hold-out rows, both
// DCR metrics and DisclosureProtection, to 1e-9. Our side computes from pieces of three shards per
// table, serialized and merged, as ranks would.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "crosscheck_tables.hpp"
#include "stages/evaluate/metrics/dcr.hpp"
#include "stages/evaluate/metrics/disclosure_protection.hpp"
#include "stages/evaluate/metrics/random_baseline.hpp"
#include "stages/evaluate/metrics/table_quality.hpp"

namespace sc::metrics {
namespace {

constexpr double kTolerance = 1e-9;

const nlohmann::json& reference() {
  static const nlohmann::json json = [] {
    std::ifstream in(SC_CROSSCHECK_RESULTS);
    if (!in) throw std::runtime_error("no sdmetrics results at " SC_CROSSCHECK_RESULTS);
    return nlohmann::json::parse(in);
  }();
  return json;
}

const crosscheck::Spec& spec() {
  static const crosscheck::Spec value = crosscheck::read_spec(SC_CROSSCHECK_TABLES);
  return value;
}

// Largest |ours - sdmetrics| per quantity, printed at the end as the evidence.
std::map<std::string, double>& largest_difference() {
  static std::map<std::string, double> differences;
  return differences;
}

// Equal within kTolerance, or both missing (sdmetrics' null is our NaN).
void expect_close(double ours, const nlohmann::json& theirs, const std::string& what) {
  if (theirs.is_null()) {
    EXPECT_TRUE(std::isnan(ours)) << what << ": sdmetrics gives no value, we give " << ours;
    return;
  }
  const double expected = theirs.get<double>();
  ASSERT_FALSE(std::isnan(ours)) << what << ": we give no value, sdmetrics gives " << expected;
  const double difference = std::fabs(ours - expected);
  EXPECT_LE(difference, kTolerance) << what << ": ours " << ours << ", sdmetrics " << expected;
  const std::string key = what.substr(0, what.find('['));
  largest_difference()[key] = std::max(largest_difference()[key], difference);
}

// Pieces of `shards` consecutive parts of `table`, merged after a round trip through bytes.
template <class Piece, class Compute, class Serialize, class Deserialize>
Piece merged_over_shards(const TableData& table, int shards, Compute compute, Serialize write, Deserialize read) {
  const std::int64_t rows = table.view().rows();
  Piece merged{};
  for (int s = 0; s < shards; ++s) {
    const std::int64_t first = rows * s / shards, end = rows * (s + 1) / shards;
    const auto part = crosscheck::select_rows(table, [&](std::int64_t r) { return r >= first && r < end; });
    Piece piece = read(write(compute(part.view())));
    if (s == 0) merged = std::move(piece); else merge(merged, piece);
  }
  return merged;
}

ProfilePiece profile_of(const TableData& table) {
  return merged_over_shards<ProfilePiece>(
      table, 3, [](const ShardView& v) { return compute_profile_piece(v); },
      [](const ProfilePiece& p) { return serialize(p); }, [](const auto& b) { return deserialize_profile(b); });
}

class SdmetricsCrosscheck : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    table_spec_ = spec().tables.at(GetParam());
    table_ = crosscheck::load_table(SC_DATA_DIR, table_spec_);
    real_ = crosscheck::select_rows(table_.data, crosscheck::is_real);
    synthetic_ = crosscheck::select_rows(table_.data, crosscheck::is_synthetic);
    training_ = crosscheck::select_rows(table_.data, crosscheck::is_training);
    holdout_ = crosscheck::select_rows(table_.data, crosscheck::is_holdout);
    theirs_ = &reference().at("tables").at(table_spec_.name);
  }
  std::string pair_name(const ColumnPair& pair) const {
    return table_spec_.name + " (" + table_.names[pair.first] + ", " + table_.names[pair.second] + ")";
  }

  crosscheck::TableSpec table_spec_;
  crosscheck::LoadedTable table_;
  TableData real_, synthetic_, training_, holdout_;
  const nlohmann::json* theirs_ = nullptr;
};

TEST_P(SdmetricsCrosscheck, QualityReport) {
  const auto plan = make_quality_plan(table_.kinds, profile_of(real_), profile_of(synthetic_));
  auto quality = [&](const TableData& table, TableSide side) {
    return merged_over_shards<QualityPiece>(
        table, 3, [&](const ShardView& v) { return compute_quality_piece(v, plan, side); },
        [](const QualityPiece& p) { return serialize(p); }, [](const auto& b) { return deserialize_quality(b); });
  };
  const auto ours = finish_quality(plan, quality(real_, TableSide::real), quality(synthetic_, TableSide::synthetic));
  const std::string& name = table_spec_.name;

  const auto& report = theirs_->at("quality_report");
  const auto& shapes = report.at("column_shape_details");
  ASSERT_EQ(shapes.size(), ours.columns.size());
  for (std::size_t c = 0; c < shapes.size(); ++c) {
    EXPECT_EQ(shapes[c].at("column").get<std::string>(), table_.names[c]);
    EXPECT_EQ(shapes[c].at("metric").get<std::string>(), ours.columns[c].metric);
    expect_close(ours.columns[c].score, shapes[c].at("score"), "column shape[" + name + " " + table_.names[c] + "]");
  }
  const auto& pairs = report.at("pair_details");
  const auto& unthresholded = theirs_->at("unthresholded").at("pair_details");
  const auto& shared = theirs_->at("shared_bins").at("details");
  ASSERT_EQ(pairs.size(), ours.pairs.size());
  ASSERT_EQ(unthresholded.size(), ours.pairs.size());
  ASSERT_EQ(shared.size(), ours.pairs.size());
  for (std::size_t p = 0; p < pairs.size(); ++p) {
    const auto& mine = ours.pairs[p];
    // Appended, not "[" + string: GCC 12 warns falsely (-Wrestrict) on the latter.
    std::string label(1, '[');
    label += pair_name(mine.pair);
    label += ']';
    EXPECT_EQ(pairs[p].at("column_1").get<std::string>(), table_.names[mine.pair.first]);
    EXPECT_EQ(pairs[p].at("column_2").get<std::string>(), table_.names[mine.pair.second]);
    EXPECT_EQ(pairs[p].at("metric").get<std::string>(), mine.metric) << label;
    // The 0.27 report: a pair below its threshold has no score there; its real coefficients stay.
    if (mine.meets_threshold) expect_close(mine.score, pairs[p].at("score"), "pair trend thresholded" + label);
    expect_close(mine.real_correlation, pairs[p].at("real_correlation"), "real correlation" + label);
    if (mine.meets_threshold)
      expect_close(mine.synthetic_correlation, pairs[p].at("synthetic_correlation"), "synthetic correlation" + label);
    expect_close(mine.real_association, pairs[p].at("real_association"), "real association" + label);
    const auto& meets = pairs[p].at("meets_threshold");
    EXPECT_EQ(mine.meets_threshold, !meets.is_null() && meets.get<bool>()) << label;
    expect_close(mine.score, unthresholded[p].at("score"), "pair trend" + label);
    expect_close(mine.score_shared_bins, shared[p].at("score"), "pair trend shared bins" + label);
    if (mine.metric == "ContingencySimilarity")
      expect_close(mine.real_association_shared_bins, shared[p].at("real_association"),
                   "real association shared bins" + label);
    EXPECT_EQ(mine.meets_threshold_shared_bins, shared[p].at("meets_threshold").get<bool>()) << label;
  }
  expect_close(ours.column_shapes, report.at("column_shapes"), "Column Shapes[" + name + "]");
  expect_close(ours.pair_trends_thresholded, report.at("column_pair_trends"), "Column Pair Trends 0.27[" + name + "]");
  expect_close(ours.overall_thresholded, report.at("overall"), "overall 0.27[" + name + "]");
  expect_close(ours.pair_trends, theirs_->at("unthresholded").at("column_pair_trends"),
               "Column Pair Trends unthresholded[" + name + "]");
  expect_close(ours.overall, theirs_->at("unthresholded").at("overall"), "overall unthresholded[" + name + "]");
  expect_close(ours.pair_trends_shared_bins, theirs_->at("shared_bins").at("score"), "pair trends shared bins[" + name + "]");
  expect_close(ours.pair_trends_shared_bins_thresholded, theirs_->at("shared_bins").at("score_thresholded"),
               "pair trends shared bins thresholded[" + name + "]");
}

NearestSet nearest_over_shards(const TableData& synthetic, const TableData& reference, const DcrPlan& plan) {
  // Three synthetic shards against three reference shards: nine pieces, merged.
  NearestSet set;
  for (int s = 0; s < 3; ++s) {
    const std::int64_t rows = synthetic.view().rows();
    const auto part = crosscheck::select_rows(
        synthetic, [&](std::int64_t r) { return r >= rows * s / 3 && r < rows * (s + 1) / 3; });
    const auto encoded = encode_dcr_rows(part.view(), plan);
    for (int t = 0; t < 3; ++t) {
      const std::int64_t reference_rows = reference.view().rows();
      const auto block = crosscheck::select_rows(reference, [&](std::int64_t r) {
        return r >= reference_rows * t / 3 && r < reference_rows * (t + 1) / 3;
      });
      NearestSet one;
      merge(one, compute_nearest_piece(s, encoded, build_dcr_index(encode_dcr_rows(block.view(), plan), plan.rules), plan));
      merge(set, deserialize_nearest(serialize(one)));
    }
  }
  return set;
}

TEST_P(SdmetricsCrosscheck, DistanceToClosestRecord) {
  const int columns = static_cast<int>(table_.kinds.size());
  const std::string& name = table_spec_.name;
  const auto to_training =
      nearest_over_shards(synthetic_, training_, make_dcr_plan(table_.kinds, profile_of(training_)));
  const auto to_holdout = nearest_over_shards(synthetic_, holdout_, make_dcr_plan(table_.kinds, profile_of(holdout_)));
  const auto& dcr = theirs_->at("dcr");
  const auto training_summary = summarize_dcr(to_training, columns);
  const auto holdout_summary = summarize_dcr(to_holdout, columns);
  ASSERT_EQ(dcr.at("to_training").size(), training_summary.dcr.size());
  std::int64_t identical = 0;
  for (std::size_t i = 0; i < training_summary.dcr.size(); ++i) {
    expect_close(training_summary.dcr[i], dcr.at("to_training")[i], "DCR to training[" + name + " row " + std::to_string(i) + "]");
    expect_close(holdout_summary.dcr[i], dcr.at("to_holdout")[i], "DCR to hold-out[" + name + " row " + std::to_string(i) + "]");
    identical += training_summary.dcr[i] == dcr.at("to_training")[i].get<double>() ? 1 : 0;
  }
  // SDMetrics' distance has the same bits here, row by row (same operations in the same order).
  EXPECT_EQ(identical, static_cast<std::int64_t>(training_summary.dcr.size()));
  expect_close(training_summary.exact_match_share, dcr.at("exact_match_share"), "exact-match share[" + name + "]");
  const auto overfitting = finish_overfitting_protection(to_training, to_holdout, columns);
  expect_close(overfitting.closer_to_training, dcr.at("overfitting").at("closer_to_training"),
               "DCROverfittingProtection closer to training[" + name + "]");
  expect_close(overfitting.score, dcr.at("overfitting").at("score"), "DCROverfittingProtection[" + name + "]");

  // The baseline rows sdmetrics scored were written by write_dcr_baseline from the same draw.
  BaselineSource source{table_.kinds, profile_of(training_), {}};
  for (const auto& column : training_.columns)
    source.categories.push_back(column.kind == ColumnKind::categorical ? compute_category_counts(column.view())
                                                                       : CategoryCounts{});
  const auto random = random_baseline_rows(source, 0, synthetic_.view().rows(), spec().baseline_seed);
  const auto random_to_training =
      nearest_over_shards(random, training_, make_dcr_plan(table_.kinds, profile_of(training_)));
  const auto baseline = finish_baseline_protection(to_training, random_to_training, columns);
  expect_close(baseline.median_dcr_synthetic, dcr.at("baseline").at("median_synthetic"),
               "DCRBaselineProtection median synthetic[" + name + "]");
  expect_close(baseline.median_dcr_random, dcr.at("baseline").at("median_random"),
               "DCRBaselineProtection median random[" + name + "]");
  expect_close(baseline.score, dcr.at("baseline").at("score"), "DCRBaselineProtection[" + name + "]");
}

TEST_P(SdmetricsCrosscheck, DisclosureProtection) {
  std::vector<int> known, sensitive;
  for (const auto& column : table_spec_.known) known.push_back(table_.column_index(column));
  for (const auto& column : table_spec_.sensitive) sensitive.push_back(table_.column_index(column));
  const auto plan = make_disclosure_plan(table_.kinds, known, sensitive, profile_of(real_));
  auto piece = [&](const TableData& table, TableSide side) {
    return merged_over_shards<DisclosurePiece>(
        table, 3, [&](const ShardView& v) { return compute_disclosure_piece(v, plan, side); },
        [](const DisclosurePiece& p) { return serialize(p); }, [](const auto& b) { return deserialize_disclosure(b); });
  };
  const auto ours = finish_disclosure_protection(piece(real_, TableSide::real), piece(synthetic_, TableSide::synthetic), plan);
  const auto& theirs = theirs_->at("disclosure");
  const std::string& name = table_spec_.name;
  expect_close(ours.cap_protection, theirs.at("cap_protection"), "DisclosureProtection cap_protection[" + name + "]");
  expect_close(ours.baseline_protection, theirs.at("baseline_protection"), "DisclosureProtection baseline[" + name + "]");
  expect_close(ours.score, theirs.at("score"), "DisclosureProtection[" + name + "]");
}

INSTANTIATE_TEST_SUITE_P(Tables, SdmetricsCrosscheck, ::testing::Range(0, 2),
                         [](const ::testing::TestParamInfo<int>& table) { return spec().tables.at(table.param).name; });

TEST(SdmetricsCrosscheckVersion, ResultsComeFromThePinnedVersion) {
  EXPECT_EQ(reference().at("sdmetrics_version").get<std::string>(), spec().sdmetrics_version);
  EXPECT_EQ(reference().at("tables").size(), spec().tables.size());
}

// Prints the largest difference per quantity after all tests (the evidence for the report).
class DifferenceReport : public ::testing::Environment {
 public:
  void TearDown() override {
    std::cout << "sdmetrics " << reference().at("sdmetrics_version").get<std::string>()
              << ": largest |ours - sdmetrics| per quantity\n";
    for (const auto& [what, difference] : largest_difference())
      std::cout << "  " << what << ": " << difference << "\n";
  }
};
const auto* const difference_report = ::testing::AddGlobalTestEnvironment(new DifferenceReport);

}  // namespace
}  // namespace sc::metrics

#include "stages/evaluate/metrics/ml_design.hpp"

#include <cmath>
#include <string>

#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {

namespace {

void check_columns(const ShardView& shard, const MlColumns& columns) {
  const int count = static_cast<int>(shard.columns.size());
  SC_EXPECTS(columns.target >= 0 && columns.target < count, ConfigError,
             "ML utility: the target column index " + std::to_string(columns.target) + " is not a scored column");
  for (int c : columns.features)
    SC_EXPECTS(c >= 0 && c < count && c != columns.target, ConfigError,
               "ML utility: feature column index " + std::to_string(c) + " is not a scored non-target column");
}

}  // namespace

MomentPiece compute_moment_piece(const ShardView& shard, const MlColumns& columns) {
  check_columns(shard, columns);
  const std::size_t features = columns.features.size();
  MomentPiece piece;
  piece.present.assign(features, 0);
  piece.sum.resize(features);
  piece.sum_squares.resize(features);
  piece.categories.resize(features);
  const ColumnView& target = shard.columns[columns.target];
  for (std::size_t f = 0; f < features; ++f) {
    const ColumnView& column = shard.columns[columns.features[f]];
    if (column.kind == ColumnKind::categorical) {
      piece.categories[f] = compute_category_counts(column);
      continue;
    }
    // Moments over the rows the model trains on: those with a target.
    for (std::int64_t row = 0; row < column.rows(); ++row) {
      if (column.is_missing(row) || target.is_missing(row)) continue;
      const double x = column.number(row);
      ++piece.present[f];
      piece.sum[f].add(x);
      piece.sum_squares[f].add_product(x, x);
    }
  }
  return piece;
}

void merge(MomentPiece& into, const MomentPiece& from) {
  SC_EXPECTS(into.present.size() == from.present.size(), InternalError, "ML utility: moment pieces differ in width");
  for (std::size_t f = 0; f < into.present.size(); ++f) {
    into.present[f] += from.present[f];
    into.sum[f].add(from.sum[f]);
    into.sum_squares[f].add(from.sum_squares[f]);
    merge(into.categories[f], from.categories[f]);
  }
}

std::vector<std::uint8_t> serialize(const MomentPiece& piece) {
  ByteWriter out("MOMT", 1);
  out.put_vector(piece.present);
  for (std::size_t f = 0; f < piece.present.size(); ++f) {
    piece.sum[f].write(out);
    piece.sum_squares[f].write(out);
    out.put_vector(serialize(piece.categories[f]));
  }
  return out.take();
}

MomentPiece deserialize_moments(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "MOMT", 1);
  MomentPiece piece;
  piece.present = in.get_vector<std::int64_t>();
  for (std::size_t f = 0; f < piece.present.size(); ++f) {
    piece.sum.push_back(ExactSum::read(in));
    piece.sum_squares.push_back(ExactSum::read(in));
    const auto counts = in.get_vector<std::uint8_t>();
    piece.categories.push_back(deserialize_category_counts(counts));
  }
  in.expect_end();
  return piece;
}

int FeaturePlan::width() const {
  int width = 1;
  for (std::size_t f = 0; f < kinds.size(); ++f) width += kinds[f] == ColumnKind::categorical ? levels[f] + 1 : 1;
  return width;
}

FeaturePlan make_feature_plan(const MlColumns& columns, const std::vector<ColumnKind>& feature_kinds,
                              const MomentPiece& training) {
  SC_EXPECTS(feature_kinds.size() == columns.features.size() && training.present.size() == columns.features.size(),
             InternalError, "ML utility: feature kinds and moments do not match the features");
  FeaturePlan plan;
  plan.columns = columns;
  plan.kinds = feature_kinds;
  plan.mean.assign(feature_kinds.size(), 0.0);
  plan.scale.assign(feature_kinds.size(), 1.0);
  plan.levels.assign(feature_kinds.size(), 0);
  for (std::size_t f = 0; f < feature_kinds.size(); ++f) {
    if (feature_kinds[f] == ColumnKind::categorical) {
      plan.levels[f] = static_cast<int>(training.categories[f].counts.size());
      continue;
    }
    const std::int64_t n = training.present[f];
    if (n == 0) continue;
    // Population variance (n Sxx - Sx^2) / n^2 from exact sums, in double-double.
    const DoubleDouble nn{static_cast<double>(n), 0.0};
    const DoubleDouble sx = training.sum[f].value_dd();
    const double spread = (nn * training.sum_squares[f].value_dd() - sx * sx).value();
    plan.mean[f] = sx.value() / static_cast<double>(n);
    const double sd = spread > 0.0 ? std::sqrt(spread) / static_cast<double>(n) : 0.0;
    // A constant feature carries no information; scale 1 keeps it at 0 instead of dividing by 0.
    plan.scale[f] = sd > 0.0 ? sd : 1.0;
  }
  return plan;
}

MlDesign encode_design(const ShardView& shard, const FeaturePlan& plan) {
  check_columns(shard, plan.columns);
  const ColumnView& target = shard.columns[plan.columns.target];
  std::vector<std::int64_t> rows;
  for (std::int64_t row = 0; row < shard.rows(); ++row)
    if (!target.is_missing(row)) rows.push_back(row);
  MlDesign design;
  design.x = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(rows.size()), plan.width());
  design.y.resize(static_cast<Eigen::Index>(rows.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::int64_t row = rows[i];
    const auto r = static_cast<Eigen::Index>(i);
    design.x(r, 0) = 1.0;
    Eigen::Index column = 1;
    for (std::size_t f = 0; f < plan.kinds.size(); ++f) {
      const ColumnView& feature = shard.columns[plan.columns.features[f]];
      if (plan.kinds[f] == ColumnKind::categorical) {
        // Codes unseen in training (>= levels) have no indicator of their own: all zeros.
        const std::int32_t code = feature.codes[row];
        if (code < 0) {
          design.x(r, column + plan.levels[f]) = 1.0;
        } else if (code < plan.levels[f]) {
          design.x(r, column + code) = 1.0;
        }
        column += plan.levels[f] + 1;
      } else {
        design.x(r, column++) = feature.is_missing(row) ? 0.0 : (feature.number(row) - plan.mean[f]) / plan.scale[f];
      }
    }
    if (target.kind == ColumnKind::categorical) {
      SC_EXPECTS(plan.columns.positive_code.has_value(), ConfigError,
                 "ML utility: a categorical target needs the code of its positive class");
      design.y(r) = target.codes[row] == *plan.columns.positive_code ? 1.0 : 0.0;
    } else {
      SC_EXPECTS(!plan.columns.positive_code.has_value(), ConfigError,
                 "ML utility: a positive class code is given for a numeric target");
      design.y(r) = target.number(row);
    }
  }
  return design;
}

}  // namespace sc::metrics

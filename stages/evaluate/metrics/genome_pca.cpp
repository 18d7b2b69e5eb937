#include "stages/evaluate/metrics/genome_pca.hpp"

#include <Random123/philox.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

#include "pipeline/error.hpp"
#include "stages/evaluate/metrics/byte_codec.hpp"

namespace sc::metrics {
namespace {

// Columns are standardized and multiplied in blocks, so that a window of many individuals never
// becomes one dense matrix; the block order is fixed, so the sums are too.
constexpr std::int64_t kBlockColumns = 256;

}  // namespace

PcaColumns pca_columns(const HaplotypeBits& window, std::int64_t window_index, const std::vector<std::int64_t>& alt_counts,
                       std::int64_t haplotypes, double maf_min) {
  PcaColumns columns;
  columns.window = window;
  columns.window_index = window_index;
  for (std::int64_t v = 0; v < window.variants; ++v) {
    const std::int64_t c = alt_counts[static_cast<std::size_t>(v)];
    const std::int64_t minor = std::min(c, haplotypes - c);
    if (minor <= 0 || static_cast<double>(minor) < maf_min * static_cast<double>(haplotypes)) continue;
    const double p = static_cast<double>(c) / static_cast<double>(haplotypes);
    columns.variants.push_back(v);
    columns.mean.push_back(2.0 * p);
    columns.scale.push_back(1.0 / std::sqrt(2.0 * p * (1.0 - p)));
  }
  return columns;
}

Eigen::MatrixXd standardized_block(const PcaColumns& columns, std::span<const std::int64_t> individuals,
                                   std::int64_t first, std::int64_t count) {
  const auto n = static_cast<std::int64_t>(individuals.size());
  // Dosages first, individual by individual (each reads its two haplotype rows once), as bytes
  // in column order; then every column from a table of the three values a dosage can take,
  // the same doubles as (g - 2p) / sd computed element by element.
  std::vector<std::uint8_t> dosages(static_cast<std::size_t>(n * count));
  const std::int64_t* variants = columns.variants.data() + first;
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, n, 256), [&](const auto& range) {
    for (std::int64_t i = range.begin(); i < range.end(); ++i) {
      const std::uint64_t* h0 = columns.window.row(2 * individuals[static_cast<std::size_t>(i)]);
      const std::uint64_t* h1 = h0 + columns.window.words();
      for (std::int64_t k = 0; k < count; ++k) {
        const std::int64_t v = variants[k];
        dosages[static_cast<std::size_t>(k * n + i)] =
            static_cast<std::uint8_t>(((h0[v / 64] >> (v % 64)) & 1u) + ((h1[v / 64] >> (v % 64)) & 1u));
      }
    }
  });
  Eigen::MatrixXd block(n, count);
  tbb::parallel_for(tbb::blocked_range<std::int64_t>(0, count, 16), [&](const auto& range) {
    for (std::int64_t k = range.begin(); k < range.end(); ++k) {
      const auto j = static_cast<std::size_t>(first + k);
      const double value[3] = {(0.0 - columns.mean[j]) * columns.scale[j], (1.0 - columns.mean[j]) * columns.scale[j],
                               (2.0 - columns.mean[j]) * columns.scale[j]};
      const std::uint8_t* g = dosages.data() + k * n;
      double* out = block.col(k).data();
      for (std::int64_t i = 0; i < n; ++i) out[i] = value[g[i]];
    }
  });
  return block;
}

Eigen::MatrixXd times(const PcaColumns& columns, std::span<const std::int64_t> individuals, const Eigen::MatrixXd& right) {
  const auto selected = static_cast<std::int64_t>(columns.variants.size());
  SC_EXPECTS(right.rows() == selected, InternalError, "PCA: right factor does not match the window's columns");
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(individuals.size()), right.cols());
  for (std::int64_t first = 0; first < selected; first += kBlockColumns) {
    const std::int64_t count = std::min(kBlockColumns, selected - first);
    out.noalias() += standardized_block(columns, individuals, first, count) * right.middleRows(first, count);
  }
  return out;
}

Eigen::MatrixXd transpose_times(const PcaColumns& columns, std::span<const std::int64_t> individuals, const Eigen::MatrixXd& left) {
  const auto selected = static_cast<std::int64_t>(columns.variants.size());
  SC_EXPECTS(left.rows() == static_cast<Eigen::Index>(individuals.size()), InternalError,
             "PCA: left factor does not match the individuals");
  Eigen::MatrixXd out(selected, left.cols());
  for (std::int64_t first = 0; first < selected; first += kBlockColumns) {
    const std::int64_t count = std::min(kBlockColumns, selected - first);
    out.middleRows(first, count).noalias() = standardized_block(columns, individuals, first, count).transpose() * left;
  }
  return out;
}

double squared_norm(const PcaColumns& columns, std::span<const std::int64_t> individuals) {
  double total = 0.0;
  const auto selected = static_cast<std::int64_t>(columns.variants.size());
  for (std::int64_t first = 0; first < selected; first += kBlockColumns)
    total += standardized_block(columns, individuals, first, std::min(kBlockColumns, selected - first)).squaredNorm();
  return total;
}

Eigen::MatrixXd rademacher_rows(std::uint64_t seed, const PcaColumns& columns, std::int64_t width) {
  constexpr std::uint32_t kPurposePca = 0x67706361;  // "gpca"
  r123::Philox4x32 philox;
  const r123::Philox4x32::key_type key = {{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32) ^ kPurposePca}};
  Eigen::MatrixXd omega(static_cast<Eigen::Index>(columns.variants.size()), width);
  for (std::size_t j = 0; j < columns.variants.size(); ++j) {
    for (std::int64_t col = 0; col < width; col += 128) {
      // One draw gives 128 signs: counter (window, variant, column / 128).
      const r123::Philox4x32::ctr_type counter = {{static_cast<std::uint32_t>(columns.window_index),
                                                   static_cast<std::uint32_t>(columns.variants[j]),
                                                   static_cast<std::uint32_t>(col / 128), 0}};
      const auto words = philox(counter, key);
      for (std::int64_t k = col; k < std::min(width, col + 128); ++k) {
        const std::uint32_t word = words[static_cast<std::size_t>((k - col) / 32)];
        omega(static_cast<Eigen::Index>(j), k) = ((word >> ((k - col) % 32)) & 1u) ? 1.0 : -1.0;
      }
    }
  }
  return omega;
}

Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& y) {
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(y);
  return qr.householderQ() * Eigen::MatrixXd::Identity(y.rows(), std::min(y.rows(), y.cols()));
}

PcaAxes pca_axes(const Eigen::MatrixXd& gram, std::int64_t components) {
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(gram);
  SC_EXPECTS(solver.info() == Eigen::Success, InternalError, "PCA: the eigen-decomposition did not converge");
  const Eigen::Index l = gram.rows();
  const Eigen::Index k = std::min<Eigen::Index>(components, l);
  PcaAxes axes;
  axes.w.resize(l, k);
  axes.singular.resize(k);
  for (Eigen::Index c = 0; c < k; ++c) {  // eigenvalues come in increasing order
    axes.w.col(c) = solver.eigenvectors().col(l - 1 - c);
    axes.singular(c) = std::sqrt(std::max(0.0, solver.eigenvalues()(l - 1 - c)));
  }
  return axes;
}

std::vector<std::uint8_t> serialize(const Eigen::MatrixXd& matrix) {
  ByteWriter out("GMAT", 1);
  out.put<std::int64_t>(matrix.rows());
  out.put<std::int64_t>(matrix.cols());
  out.put_vector(std::span<const double>(matrix.data(), static_cast<std::size_t>(matrix.size())));
  return out.take();
}

Eigen::MatrixXd deserialize_matrix(std::span<const std::uint8_t> bytes) {
  ByteReader in(bytes, "GMAT", 1);
  const auto rows = in.get<std::int64_t>();
  const auto cols = in.get<std::int64_t>();
  std::vector<double> values = in.get_vector<double>();
  in.expect_end();
  SC_EXPECTS(rows >= 0 && cols >= 0 && static_cast<std::int64_t>(values.size()) == rows * cols, InternalError,
             "matrix piece: shape and values disagree");
  return Eigen::Map<Eigen::MatrixXd>(values.data(), rows, cols);
}

}  // namespace sc::metrics

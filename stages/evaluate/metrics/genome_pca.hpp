// PCA of the reference panel by randomized SVD (Halko, Martinsson and Tropp 2011, algorithm 4.4
// with power iterations), with other individuals projected onto its axes. The matrix is the
// training individuals' standardized genotypes, X[i][v] = (g_iv - 2 p_v) / sqrt(2 p_v (1 - p_v)),
// p_v the training ALT frequency, over variants with training MAF >= a threshold (the
// EIGENSOFT/plink convention). Every product with X is a sum over windows of a product with the
// window's columns: the windows' pieces are computed by their owner ranks and added in shard order
// (docs/metrics.md, "How a metric is computed across ranks"), so every rank count gives the same
// bits. The random test matrix is Rademacher (+-1) from Philox keyed by (seed, "gpca") and counted
// by (window, variant, column): no floating-point draw, no dependence on who draws it.
#pragma once

#include <Eigen/Dense>

#include <cstdint>
#include <span>
#include <vector>

#include "stages/evaluate/metrics/genome_bits.hpp"

namespace sc::metrics {

// The columns of X that one window holds.
struct PcaColumns {
  HaplotypeBits window;
  std::int64_t window_index = 0;
  std::vector<std::int64_t> variants;  // selected variants of the window
  std::vector<double> mean, scale;     // per selected variant: 2p and 1 / sqrt(2p(1-p))
};

// Columns of a window: variants whose training ALT count c of n haplotypes has
// min(c, n - c) >= maf_min * n (and c strictly between 0 and n).
PcaColumns pca_columns(const HaplotypeBits& window, std::int64_t window_index, const std::vector<std::int64_t>& alt_counts,
                       std::int64_t haplotypes, double maf_min);

// Standardized genotypes of `individuals` (indices into the window's individuals) at the
// columns [first, first + count) of `columns`.
Eigen::MatrixXd standardized_block(const PcaColumns& columns, std::span<const std::int64_t> individuals,
                                   std::int64_t first, std::int64_t count);

// X_w R for R with one row per selected variant (|individuals| x R.cols()).
Eigen::MatrixXd times(const PcaColumns& columns, std::span<const std::int64_t> individuals, const Eigen::MatrixXd& right);
// X_w^T L for L with one row per individual (selected variants x L.cols()).
Eigen::MatrixXd transpose_times(const PcaColumns& columns, std::span<const std::int64_t> individuals, const Eigen::MatrixXd& left);
// The squared Frobenius norm of X_w (its share of the total variance).
double squared_norm(const PcaColumns& columns, std::span<const std::int64_t> individuals);

// The Rademacher test matrix rows of the window's selected variants.
Eigen::MatrixXd rademacher_rows(std::uint64_t seed, const PcaColumns& columns, std::int64_t width);

// An orthonormal basis of the columns of y (thin Householder QR).
Eigen::MatrixXd orthonormal_basis(const Eigen::MatrixXd& y);

// From the Gram matrix G = sum_w B_w B_w^T of B = Q^T X: the eigenvectors W (columns sorted by
// decreasing eigenvalue) and the singular values sqrt(lambda) of the first `components`.
struct PcaAxes {
  Eigen::MatrixXd w;         // l x components
  Eigen::VectorXd singular;  // components
};
PcaAxes pca_axes(const Eigen::MatrixXd& gram, std::int64_t components);

// Byte form of a matrix for gathering pieces.
std::vector<std::uint8_t> serialize(const Eigen::MatrixXd& matrix);
Eigen::MatrixXd deserialize_matrix(std::span<const std::uint8_t> bytes);

}  // namespace sc::metrics

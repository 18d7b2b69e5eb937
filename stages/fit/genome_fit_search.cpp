#include "stages/fit/genome_fit_search.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <memory>

#include "kernels/mosaic/mosaic_kernel.hpp"
#include "stages/fit/genome_fit.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {
namespace {

// Appends the genotype planes of haplotype rows (2i, 2i+1 for each listed individual) of one window.
void add_window(GenotypePlanes& planes, int64_t word_offset, const std::vector<uint64_t>& bits, int64_t words,
                const std::vector<int32_t>& first_rows) {
  for (size_t i = 0; i < first_rows.size(); ++i) {
    const uint64_t* a = bits.data() + static_cast<int64_t>(first_rows[i]) * words;
    const uint64_t* b = a + words;
    for (int64_t w = 0; w < words; ++w) {
      planes.het[i * static_cast<size_t>(planes.words) + static_cast<size_t>(word_offset + w)] = a[w] ^ b[w];
      planes.alt[i * static_cast<size_t>(planes.words) + static_cast<size_t>(word_offset + w)] = a[w] & b[w];
    }
  }
}

GenotypePlanes empty_planes(int64_t individuals, const std::vector<GenomeWindow>& windows) {
  GenotypePlanes planes;
  planes.individuals = individuals;
  for (const auto& w : windows) {
    const int64_t words = w.words_per_haplotype();
    for (int64_t k = 0; k < words; ++k) {
      const int64_t bits = std::min<int64_t>(64, w.variants() - 64 * k);
      planes.valid.push_back(bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1);
    }
  }
  planes.words = static_cast<int64_t>(planes.valid.size());
  planes.het.assign(static_cast<size_t>(individuals * planes.words), 0);
  planes.alt.assign(static_cast<size_t>(individuals * planes.words), 0);
  return planes;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

double king_robust(const GenotypePlanes& a, int64_t i, const GenotypePlanes& b, int64_t j) {
  int64_t hethet = 0, opposite = 0, het_i = 0, het_j = 0;
  const uint64_t* hi = a.het.data() + i * a.words;
  const uint64_t* ai = a.alt.data() + i * a.words;
  const uint64_t* hj = b.het.data() + j * b.words;
  const uint64_t* aj = b.alt.data() + j * b.words;
  for (int64_t w = 0; w < a.words; ++w) {
    const uint64_t valid = a.valid[static_cast<size_t>(w)];
    const uint64_t ref_i = ~(hi[w] | ai[w]) & valid, ref_j = ~(hj[w] | aj[w]) & valid;
    hethet += std::popcount(hi[w] & hj[w]);
    opposite += std::popcount((ai[w] & ref_j) | (ref_i & aj[w]));
    het_i += std::popcount(hi[w]);
    het_j += std::popcount(hj[w]);
  }
  const double fewer = static_cast<double>(std::min(het_i, het_j));
  if (fewer == 0) return 0.0;
  return static_cast<double>(hethet - 2 * opposite) / (2.0 * fewer) + 0.5 - static_cast<double>(het_i + het_j) / (4.0 * fewer);
}

namespace {

// The panel's windows, the donors' genotype planes and their LD pairs, loaded once per search.
struct SearchData {
  std::vector<GenomeWindow> windows;
  std::vector<int64_t> first_variant;  // per window, its first variant's panel-wide index
  std::vector<int32_t> donor_individuals;
  GenotypePlanes panel;
  std::unique_ptr<DonorLdPairs> ld;
};

SearchData load(const GenomePopulationModel& p, const std::vector<std::string>& windows, const LdCurveOptions& ld) {
  SearchData data;
  int64_t first_variant = 0;
  for (size_t w = 0; w < windows.size(); ++w) {
    data.windows.push_back(read_genome_window(h5::File::open_read(windows[w]), static_cast<int64_t>(w)));
    data.first_variant.push_back(first_variant);
    first_variant += data.windows.back().variants();
  }
  // Donor individuals by their first rows (the donor list holds 2i and 2i+1).
  for (size_t k = 0; k < p.donors.size(); k += 2) data.donor_individuals.push_back(p.donors[k] / 2);
  std::vector<int32_t> donor_rows;
  for (int32_t i : data.donor_individuals) donor_rows.push_back(2 * i);
  data.panel = empty_planes(static_cast<int64_t>(donor_rows.size()), data.windows);
  int64_t offset = 0;
  for (const auto& w : data.windows) {
    add_window(data.panel, offset, w.bits, w.words_per_haplotype(), donor_rows);
    offset += w.words_per_haplotype();
  }
  data.ld = std::make_unique<DonorLdPairs>(data.windows, data.donor_individuals, ld);
  return data;
}

double panel_median_kinship(const SearchData& data) {
  const int64_t donors = data.panel.individuals;
  std::vector<double> closest(static_cast<size_t>(donors), -1.0);
  for (int64_t i = 0; i < donors; ++i)
    for (int64_t j = i + 1; j < donors; ++j) {
      const double k = king_robust(data.panel, i, data.panel, j);
      closest[static_cast<size_t>(i)] = std::max(closest[static_cast<size_t>(i)], k);
      closest[static_cast<size_t>(j)] = std::max(closest[static_cast<size_t>(j)], k);
    }
  return median(closest);
}

RelatednessAndLd synthetic_statistics(const GenomeModel& model, const GenomePopulationModel& p, const SearchData& data,
                                      const NeSearchOptions& options, double ne) {
  const int64_t individuals = options.synthetic_individuals;
  kernels::MosaicArrays arrays;
  arrays.seed = options.seed ^ 0x6E65736561726368ull;  // "nesearch": draws apart from the sample stage's
  arrays.donors = p.donors;
  arrays.populations.push_back({ne / static_cast<double>(p.individuals), p.rho, 0, static_cast<int64_t>(p.donors.size())});
  for (const auto& c : model.contigs) arrays.contigs.push_back({c.first_cm, c.last_cm, c.first_variant, c.variants});
  arrays.individual_population.assign(static_cast<size_t>(individuals), 0);
  std::vector<int32_t> synthetic_rows;
  for (int32_t i = 0; i < individuals; ++i) synthetic_rows.push_back(2 * i);
  const kernels::SegmentLists lists = kernels::draw_segments_cpu(arrays);
  GenotypePlanes synthetic = empty_planes(individuals, data.windows);
  std::vector<std::vector<uint64_t>> copies;
  int64_t word = 0;
  for (size_t w = 0; w < data.windows.size(); ++w) {
    const GenomeWindow& window = data.windows[w];
    kernels::ReferenceWindowView view;
    view.bits = window.bits.data();
    view.rows = window.haplotypes;
    view.words = window.words_per_haplotype();
    view.variants = window.variants();
    view.first_variant = data.first_variant[w];
    view.contig = window.variants() > 0 ? window.contig[0] : 0;
    view.cm = window.cm.data();
    copies.push_back(kernels::copy_window_cpu(arrays, lists, view));
    add_window(synthetic, word, copies.back(), view.words, synthetic_rows);
    word += view.words;
  }
  RelatednessAndLd statistics;
  std::vector<double> best(static_cast<size_t>(individuals), -1.0);
  for (int64_t s = 0; s < individuals; ++s)
    for (int64_t d = 0; d < data.panel.individuals; ++d)
      best[static_cast<size_t>(s)] = std::max(best[static_cast<size_t>(s)], king_robust(synthetic, s, data.panel, d));
  statistics.median_kinship = median(best);
  statistics.ld = data.ld->synthetic_curve(copies, individuals);
  return statistics;
}

}  // namespace

RelatednessAndLd synthetic_statistics(const GenomeModel& model, size_t population, const std::vector<std::string>& windows,
                                      const NeSearchOptions& options, double ne) {
  const GenomePopulationModel& p = model.populations[population];
  return synthetic_statistics(model, p, load(p, windows, options.ld), options, ne);
}

NeSearchResult search_ne(const GenomeModel& model, size_t population, const std::vector<std::string>& windows,
                         const NeSearchOptions& options, const RelatednessAndLd* target) {
  const GenomePopulationModel& p = model.populations[population];
  const SearchData data = load(p, windows, options.ld);
  NeSearchResult result;
  result.panel = target ? *target : RelatednessAndLd{panel_median_kinship(data), data.ld->donor_curve()};
  // g(Ne) = kinship excess - LD shortfall; without a defined LD bin (no pair of common variants
  // closer than genome_ld_max_cm) the shortfall counts as 0 and relatedness alone decides.
  auto g = [&](const RelatednessAndLd& s) {
    const double shortfall = ld_shortfall(result.panel.ld, s.ld);
    return (s.median_kinship - result.panel.median_kinship) - (std::isfinite(shortfall) ? shortfall : 0.0);
  };
  // Bisection on log Ne between 1/1000 and 10 times the starting value (ten halvings of a factor
  // 10^4 leave 1%); g falls as Ne grows.
  double lo = std::log(p.ne / 1000.0), hi = std::log(p.ne * 10.0);
  for (result.steps = 0; result.steps < 10; ++result.steps) {
    const double mid = 0.5 * (lo + hi);
    if (g(synthetic_statistics(model, p, data, options, std::exp(mid))) > 0) lo = mid;
    else hi = mid;
  }
  result.ne = std::exp(0.5 * (lo + hi));
  result.synthetic = synthetic_statistics(model, p, data, options, result.ne);
  result.kinship_excess = result.synthetic.median_kinship - result.panel.median_kinship;
  result.ld_shortfall = ld_shortfall(result.panel.ld, result.synthetic.ld);
  return result;
}

}  // namespace sc

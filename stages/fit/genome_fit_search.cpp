#include "stages/fit/genome_fit_search.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

#include "kernels/mosaic/mosaic_kernel.hpp"
#include "stages/fit/genome_fit.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {
namespace {

struct Window {
  GenomeWindow data;
  int64_t first_variant = 0;
};

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

GenotypePlanes empty_planes(int64_t individuals, const std::vector<Window>& windows) {
  GenotypePlanes planes;
  planes.individuals = individuals;
  for (const auto& w : windows) {
    const int64_t words = w.data.words_per_haplotype();
    for (int64_t k = 0; k < words; ++k) {
      const int64_t bits = std::min<int64_t>(64, w.data.variants() - 64 * k);
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

// The panel's windows and the donors' genotype planes, loaded once per search.
struct SearchData {
  std::vector<Window> windows;
  GenotypePlanes panel;
  int64_t donors = 0;
};

SearchData load(const GenomePopulationModel& p, const std::vector<std::string>& windows) {
  SearchData data;
  int64_t first_variant = 0;
  for (size_t w = 0; w < windows.size(); ++w) {
    data.windows.push_back({read_genome_window(h5::File::open_read(windows[w]), static_cast<int64_t>(w)), first_variant});
    first_variant += data.windows.back().data.variants();
  }
  // Donor individuals by their first rows (the donor list holds 2i and 2i+1).
  std::vector<int32_t> donor_rows;
  for (size_t k = 0; k < p.donors.size(); k += 2) donor_rows.push_back(p.donors[k]);
  data.donors = static_cast<int64_t>(donor_rows.size());
  data.panel = empty_planes(data.donors, data.windows);
  int64_t offset = 0;
  for (const auto& w : data.windows) {
    add_window(data.panel, offset, w.data.bits, w.data.words_per_haplotype(), donor_rows);
    offset += w.data.words_per_haplotype();
  }
  return data;
}

double panel_median_kinship(const SearchData& data) {
  std::vector<double> closest(static_cast<size_t>(data.donors), -1.0);
  for (int64_t i = 0; i < data.donors; ++i)
    for (int64_t j = i + 1; j < data.donors; ++j) {
      const double k = king_robust(data.panel, i, data.panel, j);
      closest[static_cast<size_t>(i)] = std::max(closest[static_cast<size_t>(i)], k);
      closest[static_cast<size_t>(j)] = std::max(closest[static_cast<size_t>(j)], k);
    }
  return median(closest);
}

double synthetic_median(const GenomeModel& model, const GenomePopulationModel& p, const SearchData& data, uint64_t seed,
                        int64_t synthetic_individuals, double ne) {
  kernels::MosaicArrays arrays;
  arrays.seed = seed ^ 0x6E65736561726368ull;  // "nesearch": draws apart from the sample stage's
  arrays.donors = p.donors;
  arrays.populations.push_back({ne / static_cast<double>(p.individuals), p.rho, 0, static_cast<int64_t>(p.donors.size())});
  for (const auto& c : model.contigs) arrays.contigs.push_back({c.first_cm, c.last_cm, c.first_variant, c.variants});
  arrays.individual_population.assign(static_cast<size_t>(synthetic_individuals), 0);
  std::vector<int32_t> synthetic_rows;
  for (int32_t i = 0; i < synthetic_individuals; ++i) synthetic_rows.push_back(2 * i);
  const kernels::SegmentLists lists = kernels::draw_segments_cpu(arrays);
  GenotypePlanes synthetic = empty_planes(synthetic_individuals, data.windows);
  int64_t word = 0;
  for (const auto& w : data.windows) {
    kernels::ReferenceWindowView view;
    view.bits = w.data.bits.data();
    view.rows = w.data.haplotypes;
    view.words = w.data.words_per_haplotype();
    view.variants = w.data.variants();
    view.first_variant = w.first_variant;
    view.contig = w.data.variants() > 0 ? w.data.contig[0] : 0;
    view.cm = w.data.cm.data();
    add_window(synthetic, word, kernels::copy_window_cpu(arrays, lists, view), view.words, synthetic_rows);
    word += view.words;
  }
  std::vector<double> best(static_cast<size_t>(synthetic_individuals), -1.0);
  for (int64_t s = 0; s < synthetic_individuals; ++s)
    for (int64_t d = 0; d < data.donors; ++d)
      best[static_cast<size_t>(s)] = std::max(best[static_cast<size_t>(s)], king_robust(synthetic, s, data.panel, d));
  return median(best);
}

}  // namespace

double synthetic_median_kinship(const GenomeModel& model, size_t population, const std::vector<std::string>& windows,
                                uint64_t seed, int64_t synthetic_individuals, double ne) {
  const GenomePopulationModel& p = model.populations[population];
  return synthetic_median(model, p, load(p, windows), seed, synthetic_individuals, ne);
}

NeSearchResult search_ne(const GenomeModel& model, size_t population, const std::vector<std::string>& windows,
                         uint64_t seed, int64_t synthetic_individuals, double target) {
  const GenomePopulationModel& p = model.populations[population];
  const SearchData data = load(p, windows);
  NeSearchResult result;
  result.panel_median = target >= -0.5 ? target : panel_median_kinship(data);
  // Bisection on log Ne between 1/1000 and 10 times the starting value (ten halvings of a factor
  // 10^4 leave 1%); the synthetic median falls as Ne grows.
  double lo = std::log(p.ne / 1000.0), hi = std::log(p.ne * 10.0);
  for (result.steps = 0; result.steps < 10; ++result.steps) {
    const double mid = 0.5 * (lo + hi);
    if (synthetic_median(model, p, data, seed, synthetic_individuals, std::exp(mid)) > result.panel_median) lo = mid;
    else hi = mid;
  }
  result.ne = std::exp(0.5 * (lo + hi));
  result.synthetic_median = synthetic_median(model, p, data, seed, synthetic_individuals, result.ne);
  return result;
}

}  // namespace sc

#include "stages/ingest/genome_panel_decoder.hpp"

#include <algorithm>

#include "pipeline/error.hpp"
#include "stages/ingest/bit_transpose.hpp"

namespace sc {

PanelTally decode_panel(PhasedVcfReader& reader, const GeneticMap& map, int64_t variants_per_window,
                        GenomeWindowQueue& queue) {
  const int64_t haplotypes = reader.haplotypes();
  const int64_t words = words_for_bits(haplotypes);
  const bool header_declares_contigs = !reader.header_contigs().empty();

  PanelTally tally;
  GenomeWindow window;
  std::vector<uint64_t> site_rows;  // the window so far, site-major
  site_rows.reserve(static_cast<size_t>(std::min<int64_t>(variants_per_window, 1 << 16) * words));
  std::vector<uint64_t> row(static_cast<size_t>(words));
  PhasedSite site;
  int32_t mapped_contig = -1;
  const ContigMap* contig_map = nullptr;
  bool cancelled = false;

  // The finished window: transposed and queued, unless the consumer has stopped.
  auto hand_over = [&](double fraction_read) {
    window.haplotypes = haplotypes;
    window.bits = site_major_to_haplotype_major(site_rows, window.variants(), haplotypes);
    tally.variants += window.variants();
    ++tally.windows;
    cancelled = !queue.push({std::move(window), fraction_read});
    window = GenomeWindow();
    window.index = tally.windows;
    site_rows.clear();
  };

  while (!cancelled && reader.next(site, row.data())) {
    if (window.variants() > 0 && (window.variants() == variants_per_window || site.contig != window.contig.back()))
      hand_over(reader.fraction_read());
    if (cancelled) break;
    if (site.contig != mapped_contig) {
      const std::string& name = reader.contigs()[static_cast<size_t>(site.contig)];
      contig_map = map.find(name);
      if (!contig_map)
        throw InputError(reader.location() + ": column 1 (CHROM): contig " + name + " has no positions in the genetic map " +
                         map.path() + "; expected a map that covers every contig of the panel");
      mapped_contig = site.contig;
    }
    window.position.push_back(site.position);
    window.cm.push_back(contig_map->cm_at(site.position));
    window.contig.push_back(site.contig);
    window.id.push_back(std::move(site.id));
    window.ref.push_back(std::move(site.ref));
    window.alt.push_back(std::move(site.alt));
    site_rows.insert(site_rows.end(), row.begin(), row.end());
  }
  tally.records = reader.records_read();
  tally.skipped = reader.skipped();
  tally.contigs = reader.contigs();
  if (cancelled) return tally;

  // Whole-file checks, while the last window is still here.
  if (!header_declares_contigs) map.check_contigs_belong_to(reader.contigs(), reader.path());
  if (tally.variants + window.variants() == 0) {
    std::string skipped;
    for (const auto& [problem, count] : tally.skipped)
      if (count) skipped += (skipped.empty() ? "" : ", ") + std::to_string(count) + " " + problem;
    throw InputError(reader.path() + ": no site to keep (" + std::to_string(tally.records) + " records read" +
                     (skipped.empty() ? "" : "; skipped: " + skipped) + "); expected at least one phased biallelic site");
  }
  if (window.variants() > 0) hand_over(1.0);
  return tally;
}

}  // namespace sc

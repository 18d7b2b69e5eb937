#include "stages/ingest/genome_panel_decoder.hpp"

#include <algorithm>

#include "pipeline/error.hpp"
#include "stages/ingest/haplotype_window_bits.hpp"

namespace sc {

PanelTally decode_panel(PhasedVcfReader& reader, const GeneticMap& map, int64_t variants_per_window,
                        GenomeWindowQueue& queue) {
  const int64_t haplotypes = reader.haplotypes();
  const bool header_declares_contigs = !reader.header_contigs().empty();

  PanelTally tally;
  GenomeWindow window;
  HaplotypeWindowBits bits(haplotypes, variants_per_window);
  PhasedSite site;
  int32_t mapped_contig = -1;
  const ContigMap* contig_map = nullptr;
  bool cancelled = false;

  // The finished window: transposed and queued, unless the consumer has stopped.
  auto hand_over = [&](double fraction_read) {
    window.haplotypes = haplotypes;
    window.bits = bits.take();
    tally.variants += window.variants();
    ++tally.windows;
    cancelled = !queue.push({std::move(window), fraction_read});
    window = GenomeWindow();
    window.index = tally.windows;
  };

  while (!cancelled && reader.next(site, bits.next_row(), HaplotypeWindowBits::kRowStride)) {
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
    bits.accept();
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

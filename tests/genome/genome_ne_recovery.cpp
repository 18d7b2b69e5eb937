// fit's Ne search recovers an Ne that our own sampler was run with: for Ne0 in {1,000, 4,000},
// synthetic individuals made with Ne0 (one seed) are scored (median highest KING-robust kinship to
// the donors, and LD decay) and the search, run with another seed, must match those statistics at
// an Ne within 40% of Ne0 (with 800 synthetic individuals per score the kinship median's noise is
// about 0.0015, a doubling of Ne moves it by about 0.006). At the Ne found both terms must be small:
// the kinship median within 0.005 and the mean LD shortfall within 0.005 of Ne0's. (rho and Ne act
// only through their product, so this is the recovery of rho x Ne with rho held at its value.)
// Usage: genome_ne_recovery STORE_DIR
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "pipeline/store.hpp"
#include "stages/fit/genome_fit.hpp"
#include "stages/fit/genome_fit_search.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s STORE_DIR\n", argv[0]);
    return 2;
  }
  const sc::StageReader ingest(argv[1], "ingest"), fit(argv[1], "fit");
  const sc::GenomeModel model = sc::read_genome_model(fit);
  std::vector<std::string> windows;
  for (const auto& name : ingest.shards("genomes/reference")) windows.push_back(ingest.path(name));
  int failures = 0;
  for (const double ne0 : {1000.0, 4000.0}) {
    sc::NeSearchOptions made{11, 800, {}};
    const sc::RelatednessAndLd target = sc::synthetic_statistics(model, 0, windows, made, ne0);
    sc::NeSearchOptions search = made;
    search.seed = 29;
    const sc::NeSearchResult found = sc::search_ne(model, 0, windows, search, &target);
    const bool close = std::fabs(std::log(found.ne / ne0)) < std::log(1.4);
    const bool matched = std::fabs(found.kinship_excess) < 0.005 && std::fabs(found.ld_shortfall) < 0.005;
    std::printf("%s: made with Ne %.0f (median highest kinship %.4f, LD r2 %.4f in the first bin), search found Ne %.0f "
                "(kinship excess %+.4f, LD shortfall %+.4f, %d steps)\n",
                close && matched ? "ok" : "FAIL", ne0, target.median_kinship, target.ld.empty() ? NAN : target.ld[0],
                found.ne, found.kinship_excess, found.ld_shortfall, found.steps);
    failures += close && matched ? 0 : 1;
  }
  return failures ? 1 : 0;
}

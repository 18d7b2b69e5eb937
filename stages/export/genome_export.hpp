// Export of a stage's genomes (a group such as genomes/reference or genomes/synthetic) as a
// bgzipped, CSI-indexed, phased VCF written through htslib: one line per stored variant (CHROM,
// POS, ID, REF, ALT as ingested; INFO/CM the genetic position; FORMAT/GT a|b per sample), in
// window order, so that the same store gives the same bytes whatever the rank count. Rank 0 reads
// the windows in order and writes the file under a temporary name, renamed when complete; the
// other ranks wait and share its outcome (an error is raised on every rank).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

// Collective. Writes `out_path` (a .vcf.gz) and `out_path`.csi.
void export_genomes_vcf(const StageContext& context, const StageReader& stage, const std::string& group,
                        const std::string& out_path);

// Collective. Runs `write` on rank 0 only; if it fails, removes `temporaries` there; then every
// rank raises the same error (or none). Shared by the genome exports.
void write_on_root(const Communicator& comm, const std::function<void()>& write, const std::vector<std::string>& temporaries);

}  // namespace sc

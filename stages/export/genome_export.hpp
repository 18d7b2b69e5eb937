// Export of a stage's genomes (a group such as genomes/reference or genomes/synthetic) as a
// bgzipped, CSI-indexed, phased VCF written through htslib: one line per stored variant (CHROM,
// POS, ID, REF, ALT as ingested; INFO/CM the genetic position; FORMAT/GT a|b per sample), in
// window order. The ranks share the work: the sites are cut into chunks of a fixed number of
// sites (export.vcf_chunk_sites), each rank formats and compresses a contiguous run of chunks into
// a BGZF part of its own, every BGZF block ends at a chunk's end, and the parts are joined into
// one file (bgzf_parts.hpp). So the same store gives the same bytes whatever the rank count and
// whatever window size it was sampled with. The joined file is indexed and renamed into place
// only when complete; on a failure on any rank, every rank removes its part and temporaries and
// raises the same error.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"

namespace sc {

// htslib's BGZF level when none is given (its "wz" mode, as bgzip without -l): the default
// export's bytes.
constexpr int kVcfDefaultCompressionLevel = 6;

// How the VCF is cut and compressed: both change the file's bytes, the rank count does not.
struct VcfLayout {
  int64_t chunk_sites = 1024;                          // a BGZF block ends before every chunk_sites-th site
  int compression_level = kVcfDefaultCompressionLevel;  // deflate level of the blocks, 0 to 9
};

// Collective. Writes `out_path` (a .vcf.gz) and `out_path`.csi. Returns a summary: sites, bytes
// and each rank's sites and bytes.
nlohmann::json export_genomes_vcf(const StageContext& context, const StageReader& stage, const std::string& group,
                                  const std::string& out_path, const VcfLayout& layout);

// Collective. Runs `write` on rank 0 only; if it fails, removes `temporaries` there; then every
// rank raises the same error (or none). Shared by the genome exports.
void write_on_root(const Communicator& comm, const std::function<void()>& write, const std::vector<std::string>& temporaries);

}  // namespace sc

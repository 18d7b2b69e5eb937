// Packing one site's phased biallelic genotypes straight from htslib's int8 GT values, eight
// haplotypes per 64-bit word: the fast path of genome ingest. htslib keeps a record's GT as one
// byte per allele whenever the values fit (always for biallelic sites), encoded (allele+1)<<1 with
// bit 0 of the second allele set when phased (BCF spec, section 6.3.3). Converting those bytes to
// htslib's int32 genotype array and packing that took most of the decode time (docs/benchmarks.md,
// "Genome ingest of a BCF panel"), so the common case is checked and packed here in one pass,
// with AVX-512BW or AVX2 where the CPU has them (chosen at run time; every path gives the same
// bits and the same verdict).
#pragma once

#include <cstdint>

#include "stages/ingest/simd_path.hpp"

namespace sc {

// Packs `haplotypes` GT bytes (sample-major, two per sample: first allele, second allele) into
// row[0], row[stride], row[2*stride], ... (words_for_bits(haplotypes) words, bit h = allele of
// haplotype h, padding bits zero). True when every genotype is a called diploid phased 0|0, 0|1,
// 1|0 or 1|1 (values 2..5, second allele odd); false otherwise (missing, vector end, allele > 1
// or unphased), and then the row is unspecified: the caller looks at the site the slow way,
// which names the problem.
bool pack_phased_gt_bytes(const int8_t* gt, int64_t haplotypes, uint64_t* row, int64_t stride = 1);
// The same on a given path (tests compare the paths).
bool pack_phased_gt_bytes(SimdPath path, const int8_t* gt, int64_t haplotypes, uint64_t* row, int64_t stride = 1);

}  // namespace sc

// The layout of one BCF record as it lies in the inflated stream (BCF 2.2, VCF specification
// section 6.3): after its two lengths, the shared part (six fixed 32-bit fields, then typed
// values: ID, the alleles, FILTER, INFO key/value pairs) and the per-sample part (FORMAT fields,
// each a typed key, a type descriptor and n_sample vectors of that type).
//
// Genome ingest reads records straight from its own BGZF batches (bgzf_batch_reader.hpp): it
// checks here that every typed value lies inside the record and every key and contig is one the
// header declares (what htslib's reader checks before it hands a record out), and finds the GT
// field, whose bytes it packs without htslib. The fixed fields and the shared bytes then go into
// an htslib record for the rest (ID and alleles, and any site that is not the common case).
#pragma once

#include <cstdint>

namespace sc {

struct BcfRecordLayout {
  int32_t rid = 0, pos = 0, rlen = 0;
  uint32_t qual_bits = 0;  // QUAL as stored (a float's bits)
  uint32_t n_allele = 0, n_info = 0, n_sample = 0, n_fmt = 0;
  // The GT field's values, when the record has one: its BCF type (1 = int8) and values per
  // sample, sample after sample.
  const uint8_t* gt = nullptr;
  int gt_type = 0;
  int64_t gt_per_sample = 0;

  // The common case genome ingest packs without htslib: GT as one int8 per allele, two per sample,
  // for every one of the header's `samples`.
  bool gt_is_two_bytes_per_sample(uint32_t samples) const {
    return gt && gt_type == 1 && gt_per_sample == 2 && n_sample == samples;
  }
};

// Reads the fixed fields and walks every typed value of the record whose shared part is
// `shared_bytes` long (the six fixed fields included) and per-sample part `indiv_bytes` long,
// contiguous at `record` (just after the two lengths). Keys must be below `dictionary_size` and the
// contig below `contigs`; `gt_key` is the header's number for GT (-1 when it declares none).
// False when the record is malformed or names what the header does not declare.
bool read_bcf_layout(const uint8_t* record, uint32_t shared_bytes, uint32_t indiv_bytes, int gt_key, int dictionary_size,
                     int contigs, BcfRecordLayout& out);

}  // namespace sc

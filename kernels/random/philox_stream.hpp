// Counter-based random draws shared by every sampling kernel, host and device. Each draw is one
// Philox4x32-10 block keyed by (seed, purpose) and counted by the identity of what is drawn
// (an entity such as a synthetic person or child row, and a slot such as a column), so that a
// value depends on nothing but what it is for: CPU threads, GPU threads and MPI ranks produce the
// same bits in any order (DESIGN.md, decision 2). Header-only: nvcc and the host compiler see the
// same source, and Random123 itself is header-only.
#pragma once

#include <Random123/philox.h>

#include <cstdint>

#if defined(__CUDACC__)
#define SC_HOST_DEVICE __host__ __device__
#else
#define SC_HOST_DEVICE
#endif

namespace sc::kernels {

// What a stream of draws is for; each purpose has its own Philox key, so two purposes never share
// a draw even for the same entity and slot.
enum class DrawPurpose : uint32_t {
  table_row = 1,      // attributes of one row of a registry table
  table_value = 2,    // the fine position of a numeric value inside its bin
  reference_key = 3,  // the target of a reference column (e.g. nafld's case.id)
  constraint_retry = 4,
  family_order = 5,
  mosaic_segment = 6,      // one segment of a synthetic haplotype: coalescent age, length, donor
  mosaic_mutation = 7,     // the gap to the next allele flip of a synthetic haplotype
  genome_population = 8,   // the population of a synthetic individual
  dp_noise = 9,            // Laplace noise of differentially private fit statistics (host only)
  phenotype_causal = 10,   // whether a panel variant is causal for a group of correlated traits
  phenotype_effect = 11,   // the standard normal behind one trait's effect size at one variant
  phenotype_environment = 12,  // one synthetic individual's environmental deviation for one trait
  phenotype_onset = 13,    // the age at onset of a case's diagnosis event
};

struct DrawKey {
  uint64_t seed = 0;
  DrawPurpose purpose = DrawPurpose::table_row;
  uint32_t stream = 0;  // e.g. the table's index in the schema
};

struct DrawWords {
  uint32_t w[4];
};

// The four 32-bit words of block (entity, slot) of the stream `key`.
SC_HOST_DEVICE inline DrawWords draw_words(const DrawKey& key, uint64_t entity, uint32_t slot) {
  r123::Philox4x32 rng;
  r123::Philox4x32::key_type k = {{static_cast<uint32_t>(key.seed), static_cast<uint32_t>(key.seed >> 32)}};
  // The purpose and stream share the fourth counter word: 8 bits of purpose, 24 of stream.
  r123::Philox4x32::ctr_type c = {{static_cast<uint32_t>(entity), static_cast<uint32_t>(entity >> 32), slot,
                                   (static_cast<uint32_t>(key.purpose) << 24) | (key.stream & 0xFFFFFFu)}};
  r123::Philox4x32::ctr_type r = rng(c, k);
  return DrawWords{{r[0], r[1], r[2], r[3]}};
}

// A double in [0, 1) from two words, exact (53 bits, no rounding): the same on host and device.
SC_HOST_DEVICE inline double unit_interval(uint32_t high, uint32_t low) {
  uint64_t bits = (static_cast<uint64_t>(high) << 21) ^ (static_cast<uint64_t>(low) >> 11);
  return static_cast<double>(bits & ((uint64_t{1} << 53) - 1)) * (1.0 / 9007199254740992.0);
}

}  // namespace sc::kernels

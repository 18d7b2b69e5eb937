// The CPU backend's vector version of a segment batch (mosaic_body.hpp, SegmentBatch): sixteen
// Philox blocks and their ages and lengths computed lane by lane with AVX-512 or AVX2 (as
// philox_lanes() says), by the same IEEE operations in the same order as the scalar reference
// (ScalarSegmentBatch), so the bits are the same; on a processor with neither (or another
// architecture) it runs the scalar reference.
// Host only: the CUDA backend always runs ScalarSegmentBatch.
#pragma once

#include <cstdint>

#include "kernels/mosaic/mosaic_body.hpp"
#include "kernels/random/lane_set.hpp"

namespace sc::kernels {

// The ages and lengths of eight segments from their words 0-2 with philox_lanes()'s code, as
// segment_age_length computes them one at a time (exposed so that tests can compare both on
// chosen words).
void segment_age_length_x8(const uint32_t* w0, const uint32_t* w1, const uint32_t* w2, double theta, double two_rho,
                           double* age, double* length);

struct VectorSegmentBatch {
  using Batch = SegmentBatch<16>;
  static void draw(const DrawKey& key, uint64_t haplotype, uint32_t first, double theta, double two_rho, Batch& out);
};

}  // namespace sc::kernels

// Which vector instruction set the hot loops of genome ingest (genotype packing, bit transposes)
// run with, chosen once at run time from what the CPU reports, so that one binary runs on any
// x86-64 and uses AVX2 or AVX-512 where present. Every path gives the same bits; the tests run
// each path this CPU has against the portable one.
#pragma once

#include <vector>

namespace sc {

enum class SimdPath { portable, avx2, avx512 };

// The best path this CPU can run (AVX-512 needs F and BW).
SimdPath best_simd_path();
// Every path this CPU can run, portable first.
std::vector<SimdPath> available_simd_paths();
const char* to_string(SimdPath path);

}  // namespace sc

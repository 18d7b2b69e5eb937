# Warnings for our own targets only: an INTERFACE target that our libraries and executables link,
# so that third-party headers (HDF5, htslib, Boost) are not held to our standard.
add_library(synthcohort_warnings INTERFACE)
target_compile_options(synthcohort_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wno-unused-parameter>)
# Bit-identical results across CPU/GPU and thread counts need no FMA contraction (DESIGN.md, decision 2).
add_library(synthcohort_fp_strict INTERFACE)
target_compile_options(synthcohort_fp_strict INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>
  $<$<COMPILE_LANGUAGE:CUDA>:--fmad=false>)

#!/usr/bin/env bash
# The GPU node's check, run through the device tool from the repository root with .devdeps carried
# (setup/device-bundle.sh makes it): the standalone kernels build with CUDA for sm_90, every kernel
# test in it (the gpu ones must pass, not skip), the CPU-against-GPU driver, and compute-sanitizer's
# memcheck on the gpu tests. Logs go to $OUT (or ./device-out) for docs/benchmarks.md.
#   bench/gpu/device_check.sh [TABLE_ROWS] [SYNTHETIC]
set -uo pipefail
out=${OUT:-$PWD/device-out}
mkdir -p "$out"
deps=$PWD/.devdeps
[[ -d $deps ]] || { echo "device_check: .devdeps is missing; run setup/device-bundle.sh and carry .devdeps" >&2; exit 1; }
export LD_LIBRARY_PATH=$deps/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PATH=/usr/local/cuda/bin:$PATH
step() { echo "== $* ($(date -u +%T))"; }
{
  step machine
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
  nvcc --version | tail -2
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread)'
  git log -1 --format='commit %H' 2>/dev/null || true
} 2>&1 | tee "$out/machine.txt"

step build
rm -rf build-kernels
cmake -S kernels -B build-kernels -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$deps" \
  -DRANDOM123_INCLUDE_DIR="$deps/include" -DTBB_DIR="$deps/lib/x86_64-linux-gnu/cmake/TBB" > "$out/build.log" 2>&1 &&
  cmake --build build-kernels -j "$(nproc)" >> "$out/build.log" 2>&1
rc=$?
grep -E "CUDA|TBB|Error|error" "$out/build.log" | head -20
[[ $rc -eq 0 ]] || { tail -40 "$out/build.log"; exit 1; }

step tests
(cd build-kernels && ctest --output-on-failure --timeout 300 2>&1) | tee "$out/ctest.log"
tests_rc=${PIPESTATUS[0]}
if grep -q "Skipped\|\*\*\*Not Run" "$out/ctest.log"; then echo "device_check: a test skipped on the GPU node"; tests_rc=1; fi
for t in build-kernels/tests-kernels/kernel_network_sampler_test build-kernels/tests-genome-kernel/kernel_mosaic_test; do
  "$t" gpu 2>&1 | tee -a "$out/ctest.log"
done

step bench
build-kernels/bench-gpu/kernels_gpu_bench "${1:-16777216}" "${2:-20000}" 2>&1 | tee "$out/bench.log"
bench_rc=${PIPESTATUS[0]}

step memcheck
if command -v compute-sanitizer > /dev/null; then
  for t in build-kernels/tests-kernels/kernel_network_sampler_test build-kernels/tests-genome-kernel/kernel_mosaic_test; do
    timeout 240 compute-sanitizer --tool memcheck --leak-check full "$t" gpu 2>&1 | tail -8
  done | tee "$out/memcheck.log"
else
  echo "compute-sanitizer is not on this node" | tee "$out/memcheck.log"
fi
step done
echo "device_check: tests rc $tests_rc, bench rc $bench_rc"
[[ $tests_rc -eq 0 && $bench_rc -eq 0 ]]

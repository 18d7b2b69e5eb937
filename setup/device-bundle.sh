#!/usr/bin/env bash
# Gathers what the standalone kernels build needs beyond nvcc and a C++ compiler into .devdeps/
# (ignored by git), for a bare GPU node: the Random123 headers, and oneTBB's headers, libraries and
# CMake package (relocatable: its targets are found relative to the package file). The device tool
# carries .devdeps with the working tree; bench/gpu/device_check.sh uses it there.
set -euo pipefail
cd "$(dirname "$0")/.."
lib=/usr/lib/x86_64-linux-gnu
for need in /usr/include/Random123/philox.h /usr/include/oneapi/tbb.h $lib/cmake/TBB/TBBConfig.cmake; do
  [[ -e $need ]] || { echo "device-bundle: $need is missing; run setup/install-deps.sh first" >&2; exit 1; }
done
rm -rf .devdeps
mkdir -p .devdeps/include .devdeps/lib/x86_64-linux-gnu/cmake
cp -r /usr/include/Random123 /usr/include/tbb /usr/include/oneapi .devdeps/include/
cp -a $lib/libtbb*.so* .devdeps/lib/x86_64-linux-gnu/
cp -r $lib/cmake/TBB .devdeps/lib/x86_64-linux-gnu/cmake/
grep -qx '/.devdeps/' .git/info/exclude 2>/dev/null || echo '/.devdeps/' >> .git/info/exclude
echo "device-bundle: $(du -sh .devdeps | cut -f1) in .devdeps/"

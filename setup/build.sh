#!/usr/bin/env bash
# Configures and builds synthcohort (Release) in build/. CUDA kernels are built when nvcc is found.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$jobs"

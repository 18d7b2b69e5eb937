#!/usr/bin/env bash
# Installs everything synthcohort needs to build, run and test on Debian 12 (as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  build-essential cmake pkg-config git ca-certificates
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev hdf5-tools
  libhts-dev libdeflate-dev tabix bcftools libeigen3-dev libboost-program-options-dev libtbb-dev librandom123-dev
  libgtest-dev libgmock-dev libbenchmark-dev zlib1g-dev libssl-dev nlohmann-json3-dev
  python3 python3-venv python3-pip
  libjs-vega  # inlined into the HTML reports by the report stage
)
if [ "${1:-}" = "--with-test-tools" ]; then
  # What only the tests use: reference tools the outputs are checked with, and Slurm for the
  # batch-system tests.
  packages+=(plink1.9 plink2 slurmctld slurmd slurm-client munge scrm chromium)
fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

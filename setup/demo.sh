#!/usr/bin/env bash
# First README command: install, build, and run the whole pipeline on the bundled demo data with
# 2 MPI ranks. The run directory is demo-run/ (store, provenance.json, exports, reports).
set -euo pipefail
cd "$(dirname "$0")/.."
./setup/install-deps.sh
./setup/build.sh
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
mpirun --oversubscribe -np 2 build/apps/synthcohort run --config configs/demo.ini --run.restart true
echo "demo finished: see demo-run/ (store/, export/, provenance.json, report/: metrics.json, steward.html, public.html)"

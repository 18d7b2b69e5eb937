#!/usr/bin/env bash
# DCR benchmark: ours (exact) on ROWS x ROWS, by all pairs and by the pruned search (k-d tree,
# checked to give the same bits; pairs/s and effective pairs/s), against nafld1 repeated and against
# rows drawn column by column (no duplicates); then sdmetrics' calculate_dcr on the largest sizes it
# finishes within BUDGET seconds, on the same data (nafld1-based), in one run.
# Usage: bench/evaluate/run.sh [BUILD_DIR] [ROWS] [BUDGET]
#   BUILD_DIR defaults to build/ (dcr_bench built there; Python with sdmetrics in BUILD_DIR/pyenv
#   as setup/python-env.sh makes it, or $SC_PYTHON).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
build=${1:-$source_dir/build}
rows=${2:-100000}
budget=${3:-240}
python=${SC_PYTHON:-$build/pyenv/bin/python}
tables=$source_dir/tests/evaluate/sdmetrics_crosscheck/tables.json
sample=$build/bench/evaluate/dcr_sample
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$source_dir" rev-parse --short HEAD)"
"$build/bench/evaluate/dcr_bench" --data "$source_dir/data" --tables "$tables" --rows "$rows" \
  --sample "$sample" --sample-rows 32000
"$build/bench/evaluate/dcr_bench" --data "$source_dir/data" --tables "$tables" --rows 16000 --threads 1 \
  | grep -E "threads|real rows|all pairs|pruned"
"$python" "$here/sdmetrics_dcr_bench.py" --sample "$sample" --tables "$tables" --budget "$budget" \
  --extrapolate-to "$rows"

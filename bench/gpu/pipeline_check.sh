#!/usr/bin/env bash
# The whole pipeline's CPU/GPU identity on a GPU node: ingest and fit of the demo (configs/demo.ini)
# once, then the sample stage twice from copies of that run, with sample.backend and genome.backend
# `cpu` and then `cuda`; every dataset digest of the two sample stages must be equal. Runs the
# binary carried in .devrun/ (setup/device-pipeline-bundle.sh: our build and the shared libraries
# it needs beyond glibc and libstdc++, with Open MPI's and PMIx's plugins), as a singleton MPI
# process. Logs go to $OUT (or ./device-out).
#   bench/gpu/pipeline_check.sh
set -uo pipefail
out=${OUT:-$PWD/device-out}
mkdir -p "$out"
root=$PWD/.devrun
[[ -x $root/synthcohort ]] || { echo "pipeline_check: .devrun is missing; run setup/device-pipeline-bundle.sh and carry .devrun" >&2; exit 1; }
export LD_LIBRARY_PATH=$root/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export OMPI_MCA_mca_base_component_path=$root/mca PMIX_MCA_mca_base_component_path=$root/pmix
export OMPI_MCA_ess_singleton_isolated=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
export OMPI_MCA_pml=ob1 OMPI_MCA_btl=self,vader OMPI_MCA_hwloc_base_binding_policy=none
bin=$root/synthcohort config=$PWD/configs/demo.ini work=${TMPDIR:-/tmp}/sc-pipeline-check
rm -rf "$work" && mkdir -p "$work"
run() { local dir=$1; shift; echo "== $* ($dir)"; "$bin" "$@" --config "$config" --run.dir "$dir" 2>&1 | tail -2; return "${PIPESTATUS[0]}"; }
{
  run "$work/base" ingest && run "$work/base" fit || exit 1
  for backend in cpu cuda; do
    cp -r "$work/base" "$work/$backend"
    run "$work/$backend" sample --sample.backend $backend --genome.backend $backend || exit 1
  done
  python3 - "$work/cpu" "$work/cuda" <<'PY'
import json, sys
def digests(run):
    return {name: info["sha256"] for name, info in json.load(open(f"{run}/store/sample/index.json"))["datasets"].items()}
def backends(run):
    summary = json.load(open(f"{run}/provenance.json"))["stages"]["sample"]["summary"]
    found = {}
    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "backend": found[path or "sample"] = v
                walk(v, f"{path}.{k}" if path else k)
    walk(summary, "")
    return found
cpu, cuda = digests(sys.argv[1]), digests(sys.argv[2])
print("backends recorded:", backends(sys.argv[1]), "and", backends(sys.argv[2]))
differ = sorted(k for k in cpu.keys() | cuda.keys() if cpu.get(k) != cuda.get(k))
print(f"sample stage: {len(cpu)} datasets with backend cpu, {len(cuda)} with backend cuda, {len(differ)} differ")
for k in differ[:10]: print("  differs:", k)
sys.exit(1 if differ or not cpu else 0)
PY
} 2>&1 | tee "$out/pipeline.log"
exit "${PIPESTATUS[0]}"

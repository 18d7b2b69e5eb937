#!/usr/bin/env bash
# Gathers the built synthcohort binary and the shared libraries it needs beyond glibc and
# libstdc++ (HDF5, Open MPI, htslib, Boost, oneTBB, OpenSSL, curl and theirs) into .devrun/ (ignored
# by git), with the Open MPI plugins a singleton process on one node loads and PMIx's plugins, so
# that bench/gpu/pipeline_check.sh can run the whole pipeline on a bare GPU node (which has its
# own newer glibc and libstdc++). About 37 MB; the device tool carries it.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/apps/synthcohort}
[[ -x $binary ]] || { echo "device-pipeline-bundle: $binary is missing; build first" >&2; exit 1; }
plugins=/usr/lib/x86_64-linux-gnu/openmpi/lib/openmpi3
rm -rf .devrun && mkdir -p .devrun/lib .devrun/mca .devrun/pmix
cp "$binary" .devrun/synthcohort
# Shared memory and TCP transports, ROMIO and OMPIO for MPI-IO, the collectives, and the runtime's
# singleton, state, routing, errmgr and schizo frameworks (no InfiniBand, UCX, libfabric or PSM).
for prefix in ess_singleton ess_pmi ess_tool pmix_ pml_ob1 btl_self btl_vader btl_tcp bml_ io_ fs_ufs fbtl_posix fcoll_ \
              sharedfp_ coll_basic coll_libnbc coll_self coll_sm coll_tuned coll_inter osc_sm osc_pt2pt osc_rdma \
              vprotocol_ shmem_ state_ routed_ rml_ oob_tcp grpcomm_ errmgr_ schizo_ patcher_ mpool_ rcache_ \
              allocator_ reachable_ pstat_ dfs_ filem_ iof_ odls_ plm_ ras_ rmaps_ rtc_ topo_ compress_ regx_; do
  for f in "$plugins"/mca_$prefix*.so; do [[ -e $f ]] && cp "$f" .devrun/mca/; done
done
cp /usr/lib/x86_64-linux-gnu/pmix2/lib/pmix/*.so .devrun/pmix/ 2>/dev/null || true
for f in .devrun/synthcohort .devrun/mca/*.so .devrun/pmix/*.so; do
  ldd "$f" 2>/dev/null | awk '$3 ~ /^\// {print $3}'
done | sort -u | while read -r lib; do
  name=$(basename "$lib")
  [[ $name =~ ^(libc|libm|libpthread|libdl|librt|libstdc\+\+|libgcc_s|ld-linux-x86-64)\.so ]] && continue
  cp -L "$lib" .devrun/lib/"$name"
done
grep -qx '/.devrun/' .git/info/exclude 2>/dev/null || echo '/.devrun/' >> .git/info/exclude
echo "device-pipeline-bundle: $(du -sh .devrun | cut -f1) in .devrun/"

# Sourced by the fidelity and speed drivers after they set `here`, `source_dir`, `build` and
# `work`: `bin` (our binary), `data` (the bundled registry tables), Open MPI's settings for root
# and MPI-IO, the SDV virtual environment in $build/sdvenv (created from requirements.txt on first
# use) with `py` its Python, the work folder made and entered, and machine_line, the line each
# driver prints first (cores, processor, load, commit, build type, then the driver's own words).
bin=$build/apps/synthcohort
data=$source_dir/data/registry
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_io=romio321
py=$build/sdvenv/bin/python
if [ ! -x "$py" ]; then
  python3 -m venv "$build/sdvenv"
  "$build/sdvenv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
fi
mkdir -p "$work"
cd "$work"
machine_line() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$source_dir" rev-parse --short HEAD), build $(grep -m1 CMAKE_BUILD_TYPE:STRING "$build/CMakeCache.txt" | cut -d= -f2)${1:+, $1}"
}

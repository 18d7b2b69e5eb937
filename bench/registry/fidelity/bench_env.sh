# Sourced by the fidelity and speed drivers after they set `here`, `source_dir` and `build`: the
# SDV virtual environment in $build/sdvenv (created from requirements.txt on first use), `py` its
# Python, and machine_line, the line each driver prints first (cores, processor, load, commit,
# build type, then the driver's own words).
py=$build/sdvenv/bin/python
if [ ! -x "$py" ]; then
  python3 -m venv "$build/sdvenv"
  "$build/sdvenv/bin/pip" install -q --disable-pip-version-check -r "$here/requirements.txt"
fi
machine_line() {
  echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg), commit $(git -C "$source_dir" rev-parse --short HEAD), build $(grep -m1 CMAKE_BUILD_TYPE:STRING "$build/CMakeCache.txt" | cut -d= -f2)${1:+, $1}"
}

#!/usr/bin/env bash
# The Python tools the tests compare our numbers with (SDMetrics), pinned, in build/pyenv.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x build/pyenv/bin/python ]; then
  python3 -m venv build/pyenv
fi
build/pyenv/bin/pip install -q --disable-pip-version-check -r setup/python-requirements.txt

#!/usr/bin/env bash
# The environment of the peer extractors benchmarks/extract.py compares the crawler with (benchmarks/peers.py
# runs in it), apart from the crawler's: newspaper4k 0.9.6 requires python-dateutil<3, the crawler pins 4.0.0.
# Usage: bash benchmarks/peers-env.sh [folder, default .venv-peers]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:-.venv-peers}"
python3 -m venv "$target"
# The pip a venv starts with can fail to resolve lxml's extras ("Candidate is not for this requirement").
"$target/bin/python" -m pip install -q --upgrade pip
"$target/bin/python" -m pip install -q -r benchmarks/requirements-peers.txt
"$target/bin/python" -W ignore -c "import newspaper, trafilatura; print('peers ready in $target')"

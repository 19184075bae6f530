#!/usr/bin/env bash
# README command 1: set up, make the sample calls, run them through broker -> ASR -> inspection -> DuckDB,
# and leave the dashboard serving at http://127.0.0.1:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ops/setup.sh
exec .venv/bin/hotline demo "$@"

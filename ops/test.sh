#!/usr/bin/env bash
# README command 2: set up (including the stand-in LLM server the client tests talk to) and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ops/setup.sh --with-llm-standin
exec .venv/bin/python -m pytest "$@"

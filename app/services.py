"""Background processes for the demo: each a real `hotline` command with a pid file and a log.

Workers get the demo's settings through a JSON settings file, so a subprocess sees exactly what
the parent saw; secrets (settings declared with ``secret``) are left out of that file and reach the
process in its environment instead, which only its owner can read. `hotline stop` ends them
(SIGTERM, then SIGKILL).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from pydantic import BaseModel, SecretStr

from hotline.broker import stop_pid
from hotline.settings import SETTINGS_FILE_ENV, Settings

SERVICES = ("dashboard", "judge", "llm-server", "sink", "inspect-worker", "asr-worker", "broker")


def run_dir(s: Settings) -> Path:
    return s.paths.under("run")


def log_dir(s: Settings) -> Path:
    return s.paths.under("log")


def _secret_fields(s: Settings) -> list[tuple[str, str, object]]:
    """(section, field, value) of every setting declared secret (or typed SecretStr)."""
    found = []
    for section_name in type(s).model_fields:
        section = getattr(s, section_name)
        if not isinstance(section, BaseModel):
            continue
        for name, info in type(section).model_fields.items():
            marked = isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("secret") is True
            value = getattr(section, name)
            if marked or isinstance(value, SecretStr):
                found.append((section_name, name, value))
    return found


def secret_environment(s: Settings) -> dict[str, str]:
    """The secrets that are set, as the HOTLINE_<SECTION>__<FIELD> variables the settings read."""
    return {
        f"HOTLINE_{section}__{name}".upper(): value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        for section, name, value in _secret_fields(s)
        if value is not None
    }


def write_settings_file(s: Settings) -> Path:
    """Every setting but the secrets (those travel by secret_environment), readable by the owner only."""
    path = run_dir(s) / "settings.json"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    dumped = s.model_dump(mode="json")
    for section, name, _ in _secret_fields(s):
        dumped[section].pop(name, None)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(dumped, out, indent=2)
    os.replace(tmp, path)
    return path


def _pid_file(s: Settings, name: str) -> Path:
    return run_dir(s) / f"{name}.pid"


def running_pid(s: Settings, name: str) -> int | None:
    pid_file = _pid_file(s, name)
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return None
    except PermissionError:
        return pid
    return pid


def start_service(s: Settings, name: str, argv: list[str]) -> int:
    """Start a detached process (own session, survives the demo command) and record its pid."""
    settings_file = write_settings_file(s)
    log_dir(s).mkdir(parents=True, exist_ok=True)
    env = dict(os.environ) | secret_environment(s)
    env[SETTINGS_FILE_ENV] = str(settings_file.resolve())
    with open(log_dir(s) / f"{name}.log", "ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True)
    _pid_file(s, name).write_text(str(proc.pid))
    return proc.pid


def hotline_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "hotline", *args]


def stop_services(s: Settings, names: tuple[str, ...] = SERVICES) -> list[str]:
    stopped = []
    for name in names:
        pid = running_pid(s, name)
        if pid is not None:
            stop_pid(pid, grace_s=10.0)
            stopped.append(name)
        _pid_file(s, name).unlink(missing_ok=True)
    return stopped


def streamlit_command(s: Settings) -> list[str]:
    import hotline.dashboards

    app = Path(hotline.dashboards.__file__).resolve().parent / "app.py"
    return [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.address", s.dashboard.host,
        "--server.port", str(s.dashboard.port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--client.showErrorDetails", "type",  # no stack traces in front of users
        "--client.toolbarMode", "minimal",
    ]


def dashboard_url(s: Settings) -> str:
    return f"http://{s.dashboard.host}:{s.dashboard.port}"


def wait_http_ok(url: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout_s:.0f}s ({last})")


def start_dashboard(s: Settings, timeout_s: float = 60.0) -> str:
    stop_services(s, ("dashboard",))
    start_service(s, "dashboard", streamlit_command(s))
    url = dashboard_url(s)
    wait_http_ok(f"{url}/_stcore/health", timeout_s)
    return url

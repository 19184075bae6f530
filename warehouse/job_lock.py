"""One run of a job at a time across processes: an exclusive, non-blocking file lock per job.

APScheduler's ``max_instances=1`` only holds within one scheduler; two ``hotline jobs``
processes (a restart overlapping the old one, a cron ``--once`` beside the daemon) would each run
the job. ``flock`` is released by the kernel when the holder exits, so a crashed run leaves no
stale lock behind.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


class JobLocked(RuntimeError):
    """Another process (or thread) is running this job now."""


@contextmanager
def job_lock(folder: Path, name: str) -> Iterator[Path]:
    """Hold ``<folder>/<name>.lock`` for the block; raises JobLocked at once if someone else holds it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise JobLocked(f"job {name} is already running ({path} is held)") from exc
        # Who holds it, for a person looking at a stuck job; the lock itself is the flock.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)

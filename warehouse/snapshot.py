"""Published snapshots: how readers see the warehouse while the sink holds its file.

DuckDB lets one process open a file for writing and then no other process may open it, not
even read-only. So the sink (the only writer) checkpoints and copies the file next to
``warehouse.snapshot`` and renames it into place atomically; readers only ever open the snapshot
and always see a whole, committed state.
"""

from __future__ import annotations

import logging
import os
import shutil
import time

import duckdb

from hotline.settings import WarehouseSettings

log = logging.getLogger(__name__)


def publish_snapshot(con: duckdb.DuckDBPyConnection, cfg: WarehouseSettings) -> None:
    """Checkpoint the writer's database and atomically replace the snapshot with a copy of it.

    Call between transactions on the writer's own connection: after the checkpoint the file
    holds every committed change and nothing else writes to it while it is copied.
    """
    con.checkpoint()
    cfg.snapshot.parent.mkdir(parents=True, exist_ok=True)
    tmp = cfg.snapshot.with_name(f".{cfg.snapshot.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(cfg.database, tmp)
        os.replace(tmp, cfg.snapshot)
    finally:
        tmp.unlink(missing_ok=True)
    log.debug("warehouse: published snapshot %s", cfg.snapshot)


class SnapshotPublisher:
    """Publishes after writes, at most every ``snapshot_min_interval_s``; ``flush`` publishes pending ones now."""

    def __init__(self, con: duckdb.DuckDBPyConnection, cfg: WarehouseSettings, *, clock=time.monotonic):
        self._con = con
        self._cfg = cfg
        self._clock = clock
        self._last_s: float | None = None
        # Publish once at start, so readers see the schema before the first call lands.
        self._dirty = True

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        return self._con

    def rebind(self, con: duckdb.DuckDBPyConnection) -> None:
        """Publish from a new writer connection (after compaction reopened the file); publishes next."""
        self._con = con
        self._dirty = True

    def mark_dirty(self) -> None:
        self._dirty = True

    def publish_if_due(self) -> bool:
        if not self._dirty:
            return False
        if self._last_s is not None and self._clock() - self._last_s < self._cfg.snapshot_min_interval_s:
            return False
        return self.flush()

    def flush(self) -> bool:
        if not self._dirty:
            return False
        publish_snapshot(self._con, self._cfg)
        self._dirty = False
        self._last_s = self._clock()
        return True

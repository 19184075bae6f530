"""Writer-side maintenance: transcript retention and compaction, done by the sink between batches.

The sink is the only process that may open the warehouse file, so the nightly job cannot purge
or compact it; it leaves a request file beside the database (``request_maintenance``) and the sink
carries it out the next time its topics are idle (``WriterMaintenance``). Purging first, then
compacting: DuckDB reuses the blocks a delete frees but never shrinks its file, so the purge's
space only comes back when the file is rewritten. Compaction copies every table, view and macro
into a fresh file, lays the work-order rows out again in the order the routing pages read them
(the sink appends them out of it), and renames the file over the old one while the writer's
connection is closed; a failure leaves the old file in place and the request pending.
"""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Literal

import duckdb

from hotline.settings import WarehouseSettings
from hotline.warehouse import sqlfiles
from hotline.warehouse.retention import purge_expired_transcripts
from hotline.warehouse.store import open_writer

log = logging.getLogger(__name__)

Compact = Literal["if_purged", "always", "never"]


def request_path(cfg: WarehouseSettings) -> Path:
    return cfg.database.with_name(f"{cfg.database.name}.maintenance.json")


def request_maintenance(cfg: WarehouseSettings, *, keep_transcripts_days: int | None, compact: Compact = "if_purged") -> Path:
    """Leave a request for the sink (written atomically; a newer request replaces an older one).

    ``compact``: "if_purged" rewrites the file only when the purge deleted something (the
    rewrite of a large file takes minutes, during which the sink writes nothing), "always", "never".
    """
    path = request_path(cfg)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"requested_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "keep_transcripts_days": keep_transcripts_days, "compact": compact}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(body), encoding="utf-8")
    os.replace(tmp, path)
    log.info("maintenance requested: %s", body)
    return path


def pending_request(cfg: WarehouseSettings) -> dict | None:
    try:
        return json.loads(request_path(cfg).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        log.warning("maintenance: unreadable request %s ignored", request_path(cfg))
        request_path(cfg).unlink(missing_ok=True)
        return None


def compact_database(con: duckdb.DuckDBPyConnection, cfg: WarehouseSettings) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """Rewrite the writer's file without its free blocks. Closes ``con``; returns the connection to
    write with from now on and whether the file was compacted (on failure: the old file, reopened).

    Only the writer may call this, between transactions.
    """
    con.checkpoint()
    con.close()
    fresh = cfg.database.with_name(f".{cfg.database.name}.compact.tmp")
    before = cfg.database.stat().st_size
    try:
        _rewrite(cfg.database, fresh)
    except (duckdb.Error, OSError):
        log.exception("maintenance: compaction failed; %s is unchanged", cfg.database)
        return open_writer(cfg), False
    finally:
        fresh.unlink(missing_ok=True)
        fresh.with_name(f"{fresh.name}.wal").unlink(missing_ok=True)
    log.info("maintenance: compacted %s from %.1f to %.1f MiB", cfg.database, before / 2**20, cfg.database.stat().st_size / 2**20)
    return open_writer(cfg), True


def _rewrite(database: Path, fresh: Path) -> None:
    fresh.unlink(missing_ok=True)
    copier = duckdb.connect(":memory:")
    try:
        copier.execute(sqlfiles.load("attach_compaction_source", "internal"), {"path": str(database)})
        copier.execute(sqlfiles.load("attach_compaction_target", "internal"), {"path": str(fresh)})
        copier.execute(sqlfiles.load("copy_compaction", "internal"))
        copier.execute(sqlfiles.load("order_compaction_work_orders", "internal"))
        copier.execute(sqlfiles.load("detach_compaction", "internal"))
    finally:
        copier.close()
    # The rename is the commit: until here the writer's file is untouched.
    os.replace(fresh, database)


class WriterMaintenance:
    """Carries out a pending request on the sink's connection, between batches.

    ``run_if_requested`` returns the connection to write with afterwards (a new one after a
    compaction). A failed step leaves the request pending and is retried after ``retry_s``.
    """

    def __init__(self, cfg: WarehouseSettings, *, now=lambda: datetime.now(timezone.utc), clock=time.monotonic, retry_s: float = 3600.0):
        self._cfg = cfg
        self._now = now
        self._clock = clock
        self._retry_s = retry_s
        self._retry_at = 0.0

    def run_if_requested(self, con: duckdb.DuckDBPyConnection) -> tuple[duckdb.DuckDBPyConnection, bool]:
        """(connection, whether the request was carried out)."""
        if self._clock() < self._retry_at:
            return con, False
        request = pending_request(self._cfg)
        if request is None:
            return con, False
        days = request.get("keep_transcripts_days")
        purged = 0
        try:
            if days is not None:
                purged = purge_expired_transcripts(con, self._now() - timedelta(days=days))
        except duckdb.Error:
            log.exception("maintenance: transcript purge failed; retrying in %.0f s", self._retry_s)
            self._retry_at = self._clock() + self._retry_s
            return con, False
        compact = request.get("compact", "if_purged")
        if compact == "always" or (compact == "if_purged" and purged > 0):
            con, compacted = compact_database(con, self._cfg)
            if not compacted:
                self._retry_at = self._clock() + self._retry_s
                return con, False
        # Done: a request written meanwhile is removed too; its work was just done.
        request_path(self._cfg).unlink(missing_ok=True)
        return con, True

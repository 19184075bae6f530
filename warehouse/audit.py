"""The audit log: who saw or exported what, and when; read by administrators.

Entries go to the dashboard's SQLite store synchronously, before the page shows what was
audited: if the entry cannot be written, the page shows nothing (dashboards/auth.py). The log
is append-only and hash-chained (each entry's hash covers the one before), so a removed or
edited entry is detected by ``verify_audit_chain``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import polars as pl

from hotline.warehouse.access import User, now_iso, open_store, store_execute, store_frame

log = logging.getLogger(__name__)

Action = Literal[
    "login",
    "login_failed",
    "logout",
    "view_call",
    "view_denied",
    "export",
    "review",
    "appeal",
    "user_saved",
]
ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "view_call": "查看通话",
    "view_denied": "越权访问被拒",
    "export": "导出",
    "review": "复核决定",
    "appeal": "登记申诉",
    "user_saved": "保存用户",
}
GENESIS_HASH = "0" * 64


def _entry_hash(prev_hash: str, at: str, username: str, role: str | None, action: str, call_id: str | None, detail: str) -> str:
    canonical = json.dumps([prev_hash, at, username, role, action, call_id, detail], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(path: Path, who: User | str, action: Action, *, call_id: str | None = None, **detail: Any) -> int:
    """Append one entry; returns its id. Raises when it cannot be stored (callers must not go on)."""
    username, role = (who.username, who.role) if isinstance(who, User) else (who, None)
    detail_json = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    at = now_iso()
    with open_store(path) as con:
        # IMMEDIATE takes the write lock before reading the last hash: two writers cannot fork the chain.
        con.execute("BEGIN IMMEDIATE")
        try:
            row = store_execute(con, "audit_last_hash").fetchone()
            prev = row["entry_hash"] if row else GENESIS_HASH
            entry_hash = _entry_hash(prev, at, username, role, action, call_id, detail_json)
            cur = store_execute(
                con,
                "audit_append",
                at=at,
                username=username,
                role=role,
                action=action,
                call_id=call_id,
                detail=detail_json,
                prev_hash=prev,
                entry_hash=entry_hash,
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return int(cur.lastrowid)


def read_log(
    path: Path,
    *,
    username: str | None = None,
    action: str | None = None,
    call_id: str | None = None,
    day_from: str | None = None,
    day_to: str | None = None,
    limit: int | None = 1000,
) -> pl.DataFrame:
    """Entries, newest first (days as 'YYYY-MM-DD', UTC). Only administrators' pages call this."""
    return store_frame(path, "audit_list", username=username, action=action, call_id=call_id, day_from=day_from, day_to=day_to, limit=limit)


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken_at: int | None  # the first entry whose hash does not follow, or None when intact

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_audit_chain(path: Path) -> ChainCheck:
    """Recompute every entry's hash in order; the first mismatch is where the log was tampered with."""
    prev = GENESIS_HASH
    n = 0
    with open_store(path) as con:
        for row in store_execute(con, "audit_chain"):
            n += 1
            expected = _entry_hash(prev, row["at"], row["username"], row["role"], row["action"], row["call_id"], row["detail"])
            if row["prev_hash"] != prev or row["entry_hash"] != expected:
                log.error("audit: chain broken at entry %d", row["entry_id"])
                return ChainCheck(n, row["entry_id"])
            prev = row["entry_hash"]
    return ChainCheck(n, None)

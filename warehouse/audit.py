"""The audit log: who saw or exported what, and when; read by administrators.

Entries go to the dashboard's SQLite store synchronously, before the page shows what was
audited: if the entry cannot be written, the page shows nothing (dashboards/auth.py).

The log is append-only and chained: each entry carries a MAC (HMAC-SHA256) over its fields and
the previous entry's MAC, under a key kept apart from the store (``audit_key_dir``: a folder of
mode 0700 beside it, the key file 0600, made on first use). Whoever can write the store but not
read the key can neither edit an entry nor rewrite the whole chain. A head file beside the key
holds the number of entries and the last one's id and MAC (itself MAC'd), advanced by every
append, so entries deleted from the end are detected too. ``verify_audit_chain`` checks all of it.

Entries written before the key existed carry an unkeyed SHA-256 chain (``GENESIS_HASH`` first);
they are still checked, and the first keyed entry's MAC covers the last of them.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
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
    "user_disabled",
    "sessions_ended",
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
    "user_disabled": "停用用户",
    "sessions_ended": "结束会话",
}
GENESIS_HASH = "0" * 64
MAC_PREFIX = "hmac-sha256:"
_KEY_FILE, _HEAD_FILE, _LOCK_FILE = "audit.key", "audit.head", "audit.lock"


class AuditKeyError(OSError):
    """The audit key is missing or unreadable while keyed entries exist: nothing can be appended or checked."""


def audit_key_dir(path: Path) -> Path:
    """Where the MAC key and the head of the store at ``path`` live: a folder of their own beside it."""
    return path.with_name(path.name + ".audit-keys")


def _canonical(prev_hash: str, at: str, username: str, role: str | None, action: str, call_id: str | None, detail: str) -> bytes:
    return json.dumps([prev_hash, at, username, role, action, call_id, detail], ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _legacy_hash(*fields: Any) -> str:
    return hashlib.sha256(_canonical(*fields)).hexdigest()


def _entry_mac(key: bytes, *fields: Any) -> str:
    return MAC_PREFIX + hmac.new(key, _canonical(*fields), hashlib.sha256).hexdigest()


# --- the key and the head ------------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> Path:
    """``data`` in a new file of mode 0600 beside ``path`` (fsynced); returns the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    return tmp


def _read_key(folder: Path) -> bytes | None:
    try:
        text = (folder / _KEY_FILE).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    try:
        key = bytes.fromhex(text)
    except ValueError as exc:
        raise AuditKeyError(f"audit key {folder / _KEY_FILE} is not a hex key") from exc
    if len(key) < 32:
        raise AuditKeyError(f"audit key {folder / _KEY_FILE} is too short")
    return key


def _create_key(folder: Path) -> bytes:
    """A new random key, unless another process made one first (then that one)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = _write_private(folder / _KEY_FILE, secrets.token_bytes(32).hex().encode("ascii"))
    try:
        os.link(tmp, folder / _KEY_FILE)  # atomic, and never replaces a key that exists
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    key = _read_key(folder)
    assert key is not None
    return key


@dataclass(frozen=True)
class Head:
    entries: int
    last_entry_id: int
    last_mac: str


def _head_mac(key: bytes, entries: int, last_entry_id: int, last_mac: str) -> str:
    return hmac.new(key, f"head:{entries}:{last_entry_id}:{last_mac}".encode("ascii"), hashlib.sha256).hexdigest()


def _read_head(folder: Path, key: bytes) -> Head | None | str:
    """The head, None when there is none, or what is wrong with it."""
    try:
        raw = json.loads((folder / _HEAD_FILE).read_text(encoding="utf-8"))
        head = Head(int(raw["entries"]), int(raw["last_entry_id"]), str(raw["last_mac"]))
        mac = str(raw["mac"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        return "the head file is unreadable"
    if not hmac.compare_digest(mac, _head_mac(key, head.entries, head.last_entry_id, head.last_mac)):
        return "the head file was altered (its MAC does not match)"
    return head


def _write_head(folder: Path, key: bytes, head: Head) -> None:
    body = {"entries": head.entries, "last_entry_id": head.last_entry_id, "last_mac": head.last_mac,
            "mac": _head_mac(key, head.entries, head.last_entry_id, head.last_mac)}
    os.replace(_write_private(folder / _HEAD_FILE, json.dumps(body).encode("ascii")), folder / _HEAD_FILE)


@contextmanager
def _appending(folder: Path) -> Iterator[None]:
    """One appender at a time on this host, from its transaction until its head is written."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(folder / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --- appending and reading ----------------------------------------------------------------------


def record(path: Path, who: User | str, action: Action, *, call_id: str | None = None, **detail: Any) -> int:
    """Append one entry; returns its id. Raises when it cannot be stored (callers must not go on)."""
    username, role = (who.username, who.role) if isinstance(who, User) else (who, None)
    detail_json = json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
    at = now_iso()
    folder = audit_key_dir(path)
    with _appending(folder), open_store(path) as con:
        # IMMEDIATE takes the write lock before reading the last entry: two writers cannot fork the chain.
        con.execute("BEGIN IMMEDIATE")
        try:
            last = store_execute(con, "audit_last_hash").fetchone()
            prev = last["entry_hash"] if last else GENESIS_HASH
            key = _read_key(folder)
            if key is None:
                if prev.startswith(MAC_PREFIX):
                    raise AuditKeyError(f"audit key {folder / _KEY_FILE} is missing, but the log holds keyed entries: restore the key")
                key = _create_key(folder)
            entry_mac = _entry_mac(key, prev, at, username, role, action, call_id, detail_json)
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
                entry_hash=entry_mac,
            )
            entry_id = int(cur.lastrowid)
            head = _next_head(con, folder, key, last, entry_id, entry_mac)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        if head is not None:
            _write_head(folder, key, head)
    return entry_id


def _next_head(con, folder: Path, key: bytes, last, entry_id: int, entry_mac: str) -> Head | None:
    """The head after this append, or None to leave the head as it is.

    A head is only ever advanced from itself: when what it names is gone or altered, or it was
    altered, it stays as the evidence ``verify_audit_chain`` reports (appending goes on).
    """
    head = _read_head(folder, key)
    if isinstance(head, str):
        log.error("audit: %s; head left as it is", head)
        return None
    if head is None:
        if last is not None and last["entry_hash"].startswith(MAC_PREFIX):
            log.error("audit: the head file is missing though the log holds keyed entries; not recreated")
            return None
        # The first keyed entry: everything before it counts.
        return Head(store_execute(con, "audit_count_after", after_id=0).fetchone()["entries"], entry_id, entry_mac)
    anchored = store_execute(con, "audit_entry", entry_id=head.last_entry_id).fetchone()
    if anchored is None or anchored["entry_hash"] != head.last_mac:
        log.error("audit: entry %d named by the head is gone or altered; head left as it is", head.last_entry_id)
        return None
    # Usually just this entry; more when an appender died between its commit and its head.
    newer = store_execute(con, "audit_count_after", after_id=head.last_entry_id).fetchone()["entries"]
    return Head(head.entries + newer, entry_id, entry_mac)


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


# --- verifying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainCheck:
    entries: int
    broken_at: int | None  # the first entry that does not follow, or None
    problem: str | None = None  # what is wrong, in words; None when intact
    unkeyed: int = 0  # leading entries from before the key existed (SHA-256 chain only)
    anchored: bool = True  # False while no head exists yet (an empty log, or only unkeyed entries)

    @property
    def intact(self) -> bool:
        return self.problem is None

    def summary(self) -> str:
        if not self.intact:
            return self.problem or ""
        text = f"{self.entries} entries"
        if self.unkeyed:
            text += f", the first {self.unkeyed} from before the keyed chain (SHA-256 only; the keyed entries after them cover them)"
        if not self.anchored and self.entries:
            text += "; not anchored yet: the next entry starts the keyed chain"
        return text


def verify_audit_chain(path: Path) -> ChainCheck:
    """Recompute every entry's MAC (or legacy hash) in order and compare the end with the head."""
    folder = audit_key_dir(path)
    try:
        key = _read_key(folder)
    except AuditKeyError as exc:
        return ChainCheck(0, None, str(exc), 0, False)
    if key is None and (folder / _HEAD_FILE).exists():
        return ChainCheck(0, None, f"audit key {folder / _KEY_FILE} is missing but its head exists: restore the key", 0, True)
    head = _read_head(folder, key) if key is not None else None
    prev, n, unkeyed, keyed_seen = GENESIS_HASH, 0, 0, False
    at_head: tuple[int, str] | None = None

    def broken(entry_id: int, why: str) -> ChainCheck:
        log.error("audit: chain broken at entry %d: %s", entry_id, why)
        return ChainCheck(n, entry_id, f"broken at entry {entry_id}: {why}", unkeyed, head is not None)

    with open_store(path) as con:
        for row in store_execute(con, "audit_chain"):
            n += 1
            fields = (prev, row["at"], row["username"], row["role"], row["action"], row["call_id"], row["detail"])
            if row["prev_hash"] != prev:
                return broken(row["entry_id"], "it does not follow the entry before it (one was removed or edited)")
            if row["entry_hash"].startswith(MAC_PREFIX):
                if key is None:
                    return ChainCheck(n, None, f"audit key {folder / _KEY_FILE} is missing: the keyed entries cannot be checked (restore the key)", unkeyed, False)
                keyed_seen = True
                ok = hmac.compare_digest(row["entry_hash"], _entry_mac(key, *fields))
            elif keyed_seen:
                return broken(row["entry_id"], "an unkeyed entry after keyed ones (the chain was rewritten)")
            else:
                unkeyed += 1
                ok = row["entry_hash"] == _legacy_hash(*fields)
            if not ok:
                return broken(row["entry_id"], "its contents do not match its MAC (edited)")
            if isinstance(head, Head) and row["entry_id"] == head.last_entry_id:
                at_head = (n, row["entry_hash"])
            prev = row["entry_hash"]
    if isinstance(head, str):
        return ChainCheck(n, None, head, unkeyed, True)
    if head is None:
        if keyed_seen:
            return ChainCheck(n, None, f"the head file {folder / _HEAD_FILE} is missing though the log holds keyed entries (deleted?)", unkeyed, False)
        return ChainCheck(n, None, None, unkeyed, False)
    if at_head != (head.entries, head.last_mac):
        if at_head is None:
            why = f"entry {head.last_entry_id}, the last of the {head.entries} entries the head counts, is gone: entries were deleted from the end"
            why += f" (the log holds {n})" if n < head.entries else ""
        else:
            why = (f"the log holds {at_head[0]} entries up to entry {head.last_entry_id} where the head counts {head.entries}, "
                   "or that entry's MAC is not the head's: entries were removed or the chain rewritten")
        log.error("audit: %s", why)
        return ChainCheck(n, head.last_entry_id, why, unkeyed, True)
    return ChainCheck(n, None, None, unkeyed, True)

"""The audit log is anchored (issue 19 item 7): a keyed MAC chain whose key and head live apart from
the log, so an edit, a deletion at the end and a rewrite of the whole chain are all detected, by the
library and by `hotline audit-verify`. Real SQLite stores, the real command line."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hotline.warehouse import access, audit

REPO = Path(__file__).resolve().parents[1]
USER = access.User("supervisor", "S", "qa_supervisor", "centre-01")


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "dash" / "access.sqlite3"
    for i in range(10):
        audit.record(path, USER, "view_call", call_id=f"call-{i:03d}", audio=False)
    return path


def rows(store: Path) -> list[sqlite3.Row]:
    con = sqlite3.connect(store)
    con.row_factory = sqlite3.Row
    out = con.execute("SELECT * FROM audit_log ORDER BY entry_id").fetchall()
    con.close()
    return out


def execute(store: Path, sql: str, *params) -> None:
    con = sqlite3.connect(store)
    con.execute(sql, params)
    con.commit()
    con.close()


def canonical(prev, r) -> bytes:
    return json.dumps([prev, r["at"], r["username"], r["role"], r["action"], r["call_id"], r["detail"]], ensure_ascii=False, separators=(",", ":")).encode()


def rewrite_chain(store: Path, sign) -> None:
    """What someone who can write the store does to hide an edit: recompute every entry after it."""
    prev = audit.GENESIS_HASH
    con = sqlite3.connect(store)
    for r in rows(store):
        entry = sign(canonical(prev, r))
        con.execute("UPDATE audit_log SET prev_hash = ?, entry_hash = ? WHERE entry_id = ?", (prev, entry, r["entry_id"]))
        prev = entry
    con.commit()
    con.close()


def verify_cli(store: Path) -> subprocess.CompletedProcess:
    env = os.environ | {"HOTLINE_DASHBOARD__ACCESS_DB": str(store)}
    env.pop("HOTLINE_SETTINGS_FILE", None)
    return subprocess.run([sys.executable, "-m", "hotline", "audit-verify"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def test_an_intact_log_verifies_and_its_key_is_private_and_apart(store):
    check = audit.verify_audit_chain(store)
    assert check.intact and check.entries == 10 and check.anchored and check.unkeyed == 0
    keys = audit.audit_key_dir(store)
    assert keys.parent == store.parent and keys.stat().st_mode & 0o777 == 0o700
    key = (keys / "audit.key").read_text().strip()
    assert (keys / "audit.key").stat().st_mode & 0o777 == 0o600 and (keys / "audit.head").stat().st_mode & 0o777 == 0o600
    assert key.encode() not in store.read_bytes()
    assert all(r["entry_hash"].startswith(audit.MAC_PREFIX) for r in rows(store))
    out = verify_cli(store)
    assert out.returncode == 0 and "audit log intact: 10 entries" in out.stdout


def test_deleting_the_newest_entries_is_detected(store):
    execute(store, "DELETE FROM audit_log WHERE entry_id > 7")
    check = audit.verify_audit_chain(store)
    assert not check.intact and "deleted from the end" in check.problem and "(the log holds 7)" in check.problem
    out = verify_cli(store)
    assert out.returncode == 1 and "NOT INTACT" in out.stderr and "entry 10" in out.stderr
    # Entries written afterwards do not paper over it: the head stays as the evidence.
    for _ in range(5):
        audit.record(store, USER, "view_call", call_id="call-new")
    assert not audit.verify_audit_chain(store).intact
    assert verify_cli(store).returncode == 1


def test_an_edited_entry_is_detected_where_it_is(store):
    execute(store, "UPDATE audit_log SET call_id = 'call-999' WHERE entry_id = 4")
    check = audit.verify_audit_chain(store)
    assert check.broken_at == 4 and "edited" in check.problem
    assert verify_cli(store).returncode == 1


@pytest.mark.parametrize("scheme", ["unkeyed sha256", "a key of the attacker's"])
def test_rewriting_the_whole_chain_is_detected(store, scheme):
    execute(store, "UPDATE audit_log SET call_id = 'call-999' WHERE entry_id = 4")
    their_key = os.urandom(32)
    sign = (lambda b: hashlib.sha256(b).hexdigest()) if scheme.startswith("unkeyed") else (
        lambda b: audit.MAC_PREFIX + hmac.new(their_key, b, hashlib.sha256).hexdigest()
    )
    rewrite_chain(store, sign)
    check = audit.verify_audit_chain(store)
    assert not check.intact
    assert verify_cli(store).returncode == 1


def test_deleting_or_forging_the_head_is_detected(store):
    head = audit.audit_key_dir(store) / "audit.head"
    saved = json.loads(head.read_text())
    execute(store, "DELETE FROM audit_log WHERE entry_id > 7")
    forged = saved | {"entries": 7, "last_entry_id": 7, "last_mac": rows(store)[-1]["entry_hash"]}
    head.write_text(json.dumps(forged))  # the MAC over the head no longer matches
    assert "altered" in audit.verify_audit_chain(store).problem
    head.unlink()
    assert "head file" in audit.verify_audit_chain(store).problem and "missing" in audit.verify_audit_chain(store).problem


def test_without_its_key_the_log_is_not_appended_to_and_says_why(store):
    (audit.audit_key_dir(store) / "audit.key").unlink()
    with pytest.raises(audit.AuditKeyError, match="restore the key"):
        audit.record(store, USER, "view_call", call_id="call-x")
    assert len(rows(store)) == 10
    check = audit.verify_audit_chain(store)
    assert not check.intact and "key" in check.problem
    assert verify_cli(store).returncode == 1


def test_a_log_from_before_the_key_still_verifies_and_is_then_anchored(tmp_path):
    store = tmp_path / "access.sqlite3"
    with access.open_store(store):
        pass
    prev = audit.GENESIS_HASH
    con = sqlite3.connect(store)
    for i in range(4):  # entries as the unkeyed chain wrote them
        r = {"at": f"2025-01-0{i + 1}T00:00:00+00:00", "username": "supervisor", "role": "qa_supervisor", "action": "view_call", "call_id": f"c{i}", "detail": "{}"}
        entry = hashlib.sha256(canonical(prev, r)).hexdigest()
        con.execute(
            "INSERT INTO audit_log (at, username, role, action, call_id, detail, prev_hash, entry_hash) VALUES (?,?,?,?,?,?,?,?)",
            (r["at"], r["username"], r["role"], r["action"], r["call_id"], r["detail"], prev, entry),
        )
        prev = entry
    con.commit()
    con.close()
    check = audit.verify_audit_chain(store)
    assert check.intact and check.unkeyed == 4 and not check.anchored
    out = verify_cli(store)
    assert out.returncode == 0 and "the next entry starts the keyed chain" in out.stdout
    audit.record(store, USER, "login")
    check = audit.verify_audit_chain(store)
    assert check.intact and check.anchored and check.entries == 5 and check.unkeyed == 4
    # From now on the old entries are covered too: rewriting one of them (and the unkeyed chain
    # after it) breaks the first keyed entry.
    execute(store, "UPDATE audit_log SET call_id = 'c9' WHERE entry_id = 2")
    legacy = rows(store)[:4]
    prev = audit.GENESIS_HASH
    con = sqlite3.connect(store)
    for r in legacy:
        entry = hashlib.sha256(canonical(prev, r)).hexdigest()
        con.execute("UPDATE audit_log SET prev_hash = ?, entry_hash = ? WHERE entry_id = ?", (prev, entry, r["entry_id"]))
        prev = entry
    con.commit()
    con.close()
    assert audit.verify_audit_chain(store).broken_at == 5


def test_concurrent_writers_keep_one_chain_and_one_head(tmp_path):
    store = tmp_path / "access.sqlite3"
    code = (
        "import sys; from pathlib import Path; from hotline.warehouse import audit; "
        "[audit.record(Path(sys.argv[1]), f'w{sys.argv[2]}', 'login') for _ in range(25)]"
    )
    procs = [subprocess.Popen([sys.executable, "-c", code, str(store), str(i)], cwd=REPO) for i in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    check = audit.verify_audit_chain(store)
    assert check.intact and check.entries == 100
    assert json.loads((audit.audit_key_dir(store) / "audit.head").read_text())["entries"] == 100

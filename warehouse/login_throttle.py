"""Failed log-ins: throttled per account and per client with exponential backoff, audited in bounded rows.

Each account and each client address has a streak of failures. The first few cost nothing; every
further one locks that subject for twice as long as the one before (up to a cap), and while either
the account or the client is locked, a log-in is refused without looking at the password. A streak
is forgotten a while after its last failure; a successful log-in ends its account's streak.

So that a flood of failures cannot grow the audit log without limit, a failure is written to it
only while its streaks are short, and after that only when a streak reaches a power of two (with
the count): a million failures are about twenty rows, and the exact counts are in the store.
Unknown user names are throttled like real ones: the answer never tells whether an account exists.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from hotline.warehouse.access import open_store, store_execute

# Failures without delay before backoff starts: an account (typos) and a client (an office's
# shared address, many users).
ACCOUNT_FREE_FAILURES = 5
CLIENT_FREE_FAILURES = 20
FIRST_LOCK_S = 2.0
MAX_LOCK_S = 15 * 60.0
FORGET_AFTER_S = 60 * 60.0
# Longer names are cut for the throttle's key (a form field can hold anything).
MAX_NAME_CHARS = 128
LOCAL_CLIENT = "local"


@dataclass(frozen=True)
class Failure:
    account_failures: int
    client_failures: int
    locked_for_s: float  # how long the next attempt of this account or client must wait
    audit: bool  # write this failure to the audit log (bounded, see the module's doc)


def _subjects(username: str, client: str | None) -> tuple[str, str]:
    return f"user:{username[:MAX_NAME_CHARS]}", f"client:{client or LOCAL_CLIENT}"


def _lock_s(failures: int, free: int) -> float:
    if failures <= free:
        return 0.0
    return min(MAX_LOCK_S, FIRST_LOCK_S * 2.0 ** min(failures - free - 1, 32))


def _audited(failures: int, free: int) -> bool:
    return failures <= free or failures & (failures - 1) == 0


def wait_s(path: Path, username: str, client: str | None, *, now: float | None = None) -> float:
    """Seconds before this account may try again from this client (0: it may try now)."""
    now = time.time() if now is None else now
    account, client_key = _subjects(username, client)
    with open_store(path) as con:
        rows = store_execute(con, "login_failures_get", account=account, client=client_key).fetchall()
    return max([0.0, *(row["locked_until_s"] - now for row in rows)])


def record_failure(path: Path, username: str, client: str | None, *, now: float | None = None) -> Failure:
    """Count a failed log-in against its account and its client; lock them once past the free failures."""
    now = time.time() if now is None else now
    account, client_key = _subjects(username, client)
    counts: dict[str, tuple[int, float]] = {}
    with open_store(path) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            store_execute(con, "login_failures_forget", before=now - FORGET_AFTER_S, now=now)
            rows = {r["subject"]: r for r in store_execute(con, "login_failures_get", account=account, client=client_key)}
            for subject, free in ((account, ACCOUNT_FREE_FAILURES), (client_key, CLIENT_FREE_FAILURES)):
                row = rows.get(subject)
                failures = 1 if row is None or row["last_failure_s"] < now - FORGET_AFTER_S else row["failures"] + 1
                locked_until = max(now + _lock_s(failures, free), row["locked_until_s"] if row is not None else 0.0)
                store_execute(con, "login_failures_put", subject=subject, failures=failures, last_failure_s=now, locked_until_s=locked_until)
                counts[subject] = (failures, locked_until)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    (account_n, account_until), (client_n, client_until) = counts[account], counts[client_key]
    return Failure(
        account_failures=account_n,
        client_failures=client_n,
        locked_for_s=max(0.0, account_until - now, client_until - now),
        audit=_audited(account_n, ACCOUNT_FREE_FAILURES) and _audited(client_n, CLIENT_FREE_FAILURES),
    )


def record_success(path: Path, username: str) -> None:
    """End the account's failure streak."""
    account, _ = _subjects(username, None)
    with open_store(path) as con:
        store_execute(con, "login_failures_clear", subject=account)

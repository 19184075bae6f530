"""Who may see what: users and their roles, hashed credentials, scoped queries and PII masking.

Access is enforced where data is read, not in the pages. Every warehouse query a dashboard runs
goes through ``run_scoped``: it refuses a query that does not take the user's scope as bound
parameters (``$scope_centre``, ``$scope_team``; NULL = unrestricted), refuses a caller that tries
to set the scope itself, and masks the result by role before a page receives it. So a team lead
who edits ``?call_id=`` in the address bar, or picks another team in a filter, gets nothing back.

Users live in the dashboard's own SQLite store (``dashboard.access_db``), not in the warehouse:
the sink is the only process allowed to write the DuckDB file, while log-ins, audit entries and
review decisions are written by the dashboard and the CLI, possibly several processes at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import math
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, get_args

import polars as pl

from hotline.warehouse import rollups, sqlfiles

log = logging.getLogger(__name__)

Role = Literal["qa_supervisor", "team_lead", "policy_analyst", "admin"]
ROLES: tuple[str, ...] = get_args(Role)
ROLE_LABELS = {"qa_supervisor": "质检主管", "team_lead": "班组长", "policy_analyst": "政策分析员", "admin": "系统管理员"}

Permission = Literal["hear_audio", "see_pii", "review", "appeal", "export", "read_audit", "manage_users"]
PERMISSIONS: dict[str, frozenset[str]] = {
    "qa_supervisor": frozenset({"hear_audio", "see_pii", "review", "appeal", "export"}),
    "team_lead": frozenset({"hear_audio", "see_pii", "appeal", "export"}),
    # Aggregates and demands only: numbers, ID numbers and exact addresses masked, no recordings.
    "policy_analyst": frozenset({"export"}),
    "admin": frozenset({"hear_audio", "see_pii", "export", "read_audit", "manage_users"}),
}
SCOPE_PARAMETERS = ("scope_centre", "scope_team")


class AccessDenied(PermissionError):
    """The user's role does not allow this."""


class UnscopedQuery(ValueError):
    """A query that does not take the user's scope: it must not reach a page."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    centre_id: str | None = None
    team_id: str | None = None
    # The user row's session_version when this session signed in (see account()).
    session_version: int = 0

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def can(user: User, permission: Permission) -> bool:
    return permission in PERMISSIONS[user.role]


def require(user: User, permission: Permission) -> None:
    if not can(user, permission):
        raise AccessDenied(f"{user.username} ({user.role}) may not {permission}")


def scope_params(user: User) -> dict[str, str | None]:
    """The user's scope as bound parameters: a centre for supervisors and analysts, a team for leads."""
    if user.role == "admin":
        return {"scope_centre": None, "scope_team": None}
    team = user.team_id if user.role == "team_lead" else None
    return {"scope_centre": user.centre_id, "scope_team": team}


# --- credentials -------------------------------------------------------------------------------

# scrypt at n=2**14, r=8: about 16 MiB and tens of milliseconds per check, per OWASP's minimum.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


# Checked against when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


# --- the store -----------------------------------------------------------------------------------


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _make_private(path: Path) -> None:
    """Create the store file readable by its owner only (it holds password hashes and the audit log),
    or take back wider permissions it was created with. SQLite gives its -wal and -shm files the
    database file's mode."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)
        except FileNotFoundError:
            pass


def _connect(path: Path) -> sqlite3.Connection:
    _make_private(path)
    # Autocommit mode: transactions are opened explicitly (BEGIN IMMEDIATE) where they matter.
    con = sqlite3.connect(str(path), timeout=10.0, isolation_level=None)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    # FULL: an audit entry is on disk before the page that caused it shows anything.
    con.execute("PRAGMA synchronous=FULL")
    con.execute("PRAGMA foreign_keys=ON")
    return con


_SCHEMA_READY: set[Path] = set()


@contextmanager
def open_store(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the dashboard's store with the schema in place; closed on exit.

    One connection per operation: Streamlit runs each page in its own thread, and SQLite
    connections do not travel between threads.
    """
    con = _connect(path)
    try:
        key = path.resolve()
        if key not in _SCHEMA_READY:
            con.executescript(sqlfiles.load("access_schema", "store"))
            _add_session_version(con)
            _SCHEMA_READY.add(key)
        yield con
    finally:
        con.close()


def _add_session_version(con: sqlite3.Connection) -> None:
    if any(row["name"] == "session_version" for row in con.execute("PRAGMA table_info(users)")):
        return
    try:
        con.executescript(sqlfiles.load("access_add_session_version", "store"))
    except sqlite3.OperationalError:  # another process added it first
        if not any(row["name"] == "session_version" for row in con.execute("PRAGMA table_info(users)")):
            raise


def store_execute(con: sqlite3.Connection, name: str, **params: Any) -> sqlite3.Cursor:
    """Run a named store statement with every parameter it takes bound (unset ones as NULL)."""
    wanted = sqlfiles.parameters(name, "store")
    unknown = set(params) - set(wanted)
    if unknown:
        raise TypeError(f"store statement {name} takes {', '.join(wanted)}; got unknown {', '.join(sorted(unknown))}")
    return con.execute(sqlfiles.load(name, "store"), {p: params.get(p) for p in wanted})


def store_frame(path: Path, name: str, **params: Any) -> pl.DataFrame:
    """A named store query's rows as a frame (columns kept even when there are no rows)."""
    with open_store(path) as con:
        cur = store_execute(con, name, **params)
        columns = [d[0] for d in cur.description]
        rows = [tuple(r) for r in cur.fetchall()]
    frame = pl.DataFrame(rows, schema=columns, orient="row", infer_schema_length=None)
    # A column with no values yet (no rows, or all NULL) is text as far as the pages are concerned.
    return frame.with_columns(pl.col(c).cast(pl.String) for c, t in frame.schema.items() if t == pl.Null)


# --- users ---------------------------------------------------------------------------------------


def _check_scope(role: str, centre_id: str | None, team_id: str | None) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if role == "qa_supervisor" and not centre_id:
        raise ValueError("a QA supervisor needs a centre (--centre)")
    if role == "team_lead" and not (centre_id and team_id):
        raise ValueError("a team lead needs a centre and a team (--centre, --team)")


def add_user(
    path: Path,
    username: str,
    role: str,
    password: str,
    *,
    centre_id: str | None = None,
    team_id: str | None = None,
    display_name: str | None = None,
) -> User:
    """Create a user, or reset an existing one's role, scope and password."""
    _check_scope(role, centre_id, team_id)
    if not username or not password:
        raise ValueError("a user needs a name and a non-empty password")
    team_id = team_id if role == "team_lead" else None
    with open_store(path) as con:
        store_execute(
            con,
            "access_upsert_user",
            username=username,
            display_name=display_name or username,
            role=role,
            centre_id=centre_id,
            team_id=team_id,
            password_hash=hash_password(password),
            now=now_iso(),
        )
    log.info("access: user %s saved as %s", username, role)
    return User(username, display_name or username, role, centre_id, team_id)  # type: ignore[arg-type]


def disable_user(path: Path, username: str) -> bool:
    """Disable a user and end their sessions; False when there is no such user."""
    with open_store(path) as con:
        return store_execute(con, "access_disable_user", username=username, now=now_iso()).rowcount > 0


def end_sessions(path: Path, username: str) -> bool:
    """Sign the user out everywhere at their next page run; False when there is no such user."""
    with open_store(path) as con:
        return store_execute(con, "access_end_sessions", username=username, now=now_iso()).rowcount > 0


def _user_of(row: sqlite3.Row) -> User:
    return User(row["username"], row["display_name"], row["role"], row["centre_id"], row["team_id"], row["session_version"])


def authenticate(path: Path, username: str, password: str) -> User | None:
    """The user when the name and password match an enabled account, else None."""
    with open_store(path) as con:
        row = store_execute(con, "access_get_user", username=username).fetchone()
    if row is None:
        verify_password(password, _DUMMY_HASH)
        return None
    if not verify_password(password, row["password_hash"]) or row["disabled"]:
        return None
    return _user_of(row)


def account(path: Path, username: str) -> User | None:
    """The user as the store has them now (role, scope, session version), or None when disabled or gone.

    A signed-in session is still valid only while this equals the user it signed in as.
    """
    with open_store(path) as con:
        row = store_execute(con, "access_get_user", username=username).fetchone()
    return None if row is None or row["disabled"] else _user_of(row)


def list_users(path: Path) -> pl.DataFrame:
    return store_frame(path, "access_list_users")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_USERS = (
    ("supervisor", "qa_supervisor", "质检主管（演示）"),
    ("teamlead", "team_lead", "班组长（演示）"),
    ("analyst", "policy_analyst", "政策分析员（演示）"),
    ("admin", "admin", "系统管理员（演示）"),
)


def create_demo_users(path: Path, *, centre_id: str, team_id: str, password: str | None = None) -> list[DemoLogin]:
    """One user per role (the lead of ``team_id``, the others in ``centre_id``); returns the log-ins to print.

    ``password``: the same for all (from settings.dashboard.demo_password), or None for a random one each.
    """
    logins = []
    for username, role, display in DEMO_USERS:
        pw = password or secrets.token_urlsafe(9)
        add_user(path, username, role, pw, centre_id=centre_id if role != "admin" else None, team_id=team_id, display_name=display)
        logins.append(DemoLogin(username, pw, role))
    return logins


# --- PII masking -------------------------------------------------------------------------------

# A digit as transcripts and typed notes write it: Arabic (half and full width), Chinese, and 幺/两
# as 1 and 2 are read out.
_DIGIT = "0-9０-９零〇○一二三四五六七八九幺两"
# What may stand between the digits of one number, as said or typed: spaces, dashes (and 杠, how a
# dash is read out), dots, commas (ASCII and Chinese), 、, slashes, brackets round an area code.
_SEPARATOR = r"\s\-－‐‑–—―·.．。,，、/／()（）杠"
# Phone numbers (7 digits and up), ID numbers (18 characters, the last possibly X), bank cards.
MIN_NUMBER_DIGITS = 7
# Spans that look like a number but are something a reader must keep: a date (2024-05-01), a
# time range (8.30-17.30), an amount in thousands (1,234,567) or before a currency or percent
# sign. Tried before _NUMBER at each position, so they are never cut into.
_KEEP = (
    r"(?<![0-9０-９])(?:19|20)[0-9]{2}(?P<ds>[-./．／])(?:0?[1-9]|1[0-2])(?P=ds)(?:0?[1-9]|[12][0-9]|3[01])(?![0-9０-９])"
    r"|(?<![0-9])(?:[01]?[0-9]|2[0-3])[.:：][0-5][0-9]\s*[-－~～至到]\s*(?:[01]?[0-9]|2[0-3])[.:：][0-5][0-9](?![0-9])"
    r"|(?<![0-9])[0-9]{1,3}(?:[,，][0-9]{3})+(?:\.[0-9]+)?(?![0-9])"
    r"|[0-9０-９]+(?:[.．][0-9０-９]+)?(?=\s*(?:元|块|圆|角|万|亿|美元|%|％))"
)
# An opening bracket round an area code goes with the number: (010) 6512 3456.
_NUMBER = rf"(?:[(（](?=[{_DIGIT}]))?[{_DIGIT}](?:[{_SEPARATOR}]{{0,3}}[{_DIGIT}])*[XxＸ]?"
_NUMBER_OR_KEEP = re.compile(rf"(?P<keep>{_KEEP})|(?P<number>{_NUMBER})")
_DIGIT_CHAR = re.compile(rf"[{_DIGIT}XxＸ]")
# A house number and what follows it (building, unit, room): the road or estate name stays, so an
# analyst still sees where in the city, but not the door.
_UNIT = "号楼|号院|号|弄|栋|幢|座|单元|室|层|户"
_DOOR = re.compile(rf"(?:[{_DIGIT}十百千]+[-－之]?)+(?:{_UNIT})(?:(?:[{_DIGIT}十百千]+[-－之]?)+(?:{_UNIT}|楼))*")
NUMBER_MASK = "[号码]"
DOOR_MASK = "[门牌]"

# Identifiers and codes: never masked (a masked call id would break the links to a call).
_CODE_COLUMNS = frozenset(
    {
        "call_id", "centre_id", "team_id", "agent_id", "item_id", "item_name", "name", "kind", "status", "severity",
        "speaker", "review_state", "category", "category_method", "scorecard_id", "scorecard_version", "language",
        "asr_model", "channel_layout", "model", "prompt_version", "verdict", "human_status", "machine_status",
        "outcome", "appeal_outcome", "decided_by", "recorded_by", "role", "username", "display_name", "action",
    }
)
# Left out entirely for a role that may not see the caller or hear the call.
_CALLER_COLUMNS = frozenset({"caller_number", "caller_masked"})
_AUDIO_COLUMNS = frozenset({"source_uri"})


def _mask_number(match: re.Match[str]) -> str:
    span = match.group(0)
    if match.group("keep") is not None or len(_DIGIT_CHAR.findall(span)) < MIN_NUMBER_DIGITS:
        return span
    return NUMBER_MASK


def mask_text(text: str | None) -> str | None:
    """Phone and ID numbers and house numbers replaced by a placeholder, in whatever form they
    were said or typed (134 1234 5678, 010.6512.3456, 一三九，一二三四，五六七八, …X).

    The one definition of free-text masking: frames are masked with it too (``mask_frame``).
    """
    if text is None:
        return None
    return _DOOR.sub(DOOR_MASK, _NUMBER_OR_KEEP.sub(_mask_number, text))


def _masked(expr: pl.Expr, dtype: pl.DataType) -> pl.Expr | None:
    """``expr`` with every text inside it masked (strings, lists and structs at any depth, but the
    code fields of a struct), or None when it holds no text."""
    if dtype == pl.String:
        return expr.map_elements(mask_text, return_dtype=pl.String, skip_nulls=True)
    if isinstance(dtype, (pl.List, pl.Array)):
        inner = _masked(pl.element(), dtype.inner)
        return None if inner is None else expr.list.eval(inner) if isinstance(dtype, pl.List) else expr.arr.eval(inner)
    if isinstance(dtype, pl.Struct):
        fields = [(f.name, _masked(pl.field(f.name), f.dtype)) for f in dtype.fields if f.name not in _CODE_COLUMNS]
        fields = [m.alias(n) for n, m in fields if m is not None]
        return expr.struct.with_fields(*fields) if fields else None
    return None


def mask_frame(frame: pl.DataFrame, user: User) -> pl.DataFrame:
    """The frame as this user may see it.

    Without ``see_pii`` every free-text column is masked (deny by default: only the identifier
    and code columns named in _CODE_COLUMNS pass unchanged) and the caller's number is removed;
    without ``hear_audio`` the recording's location is removed.
    """
    exprs: list[pl.Expr] = []
    if not can(user, "hear_audio"):
        exprs += [pl.lit(None, dtype=frame.schema[c]).alias(c) for c in _AUDIO_COLUMNS & set(frame.columns)]
    if not can(user, "see_pii"):
        for name, dtype in frame.schema.items():
            if name in _CALLER_COLUMNS:
                exprs.append(pl.when(pl.col(name).is_null()).then(None).otherwise(pl.lit(NUMBER_MASK)).alias(name))
            elif name not in _CODE_COLUMNS and name not in _AUDIO_COLUMNS:
                masked = _masked(pl.col(name), dtype)
                if masked is not None:
                    exprs.append(masked.alias(name))
    return frame.with_columns(exprs) if exprs else frame


# --- the query layer -----------------------------------------------------------------------------


def run_scoped(
    user: User,
    name: str,
    run: Callable[[str, dict[str, Any]], pl.DataFrame],
    params: dict[str, Any] | None = None,
    *,
    kind: sqlfiles.Kind = "queries",
) -> pl.DataFrame:
    """Run named query ``name`` for ``user``: scope bound from the user, result masked by role.

    ``run(name, params)`` executes the query (on a warehouse snapshot, or on the store).
    """
    params = dict(params or {})
    taken = sqlfiles.parameters(name, kind)
    missing = [p for p in SCOPE_PARAMETERS if p not in taken]
    if missing:
        raise UnscopedQuery(f"query {name} does not take {', '.join(missing)}: it cannot be run for a user")
    forged = set(params) & set(SCOPE_PARAMETERS)
    if forged:
        raise AccessDenied(f"the scope comes from the user, not from the caller ({', '.join(sorted(forged))})")
    scoped = params | scope_params(user)
    # A rollup-backed variant where the page's filters allow it (same result, warehouse/rollups.py).
    name, scoped = rollups.pick(name, scoped, kind)
    frame = read_newest_first(name, run, scoped) if name in NEWEST_FIRST else run(name, scoped)
    return mask_frame(frame, user)


# --- newest first: a list of the newest N calls without sorting all of them ----------------------

# Lists that show the newest N rows and take $since (only rows from that day on, see the query).
NEWEST_FIRST = frozenset({"access_calls", "access_agent_calls_needing_review"})
# What each lists when the page passes no $limit (the queries' own coalesce($limit, N)).
DEFAULT_LIMITS = {"access_calls": 500, "access_agent_calls_needing_review": 200}
# How far back to look first, in days; each further step looks back far enough for the rows
# still missing at the density found so far, at least FACTOR times as far.
FIRST_LOOKBACK_DAYS = 1
FACTOR = 4
# Margin on the density estimate: a second step that falls short costs a third.
MARGIN = 1.5
_NEWEST_DAY_QUERY = "access_calls_newest_day"
# access_calls' queue-first head (the queue's inspected calls), read from the review queue's table.
_QUEUE_HEAD_QUERY = "access_review_queue"


def read_newest_first(name: str, run: Callable[[str, dict[str, Any]], pl.DataFrame], params: dict[str, Any]) -> pl.DataFrame:
    """The same rows as ``run(name, params)``, found by looking back a day, then further.

    Sorting every call in scope to show the newest 500 reads the whole year at ten million
    calls; the newest day of a centre usually holds them already. Each step runs the same named
    query with ``since`` and stops once the result cannot change by looking further back (see
    ``covers_older``); once ``since`` reaches the page's first day or the oldest data, the step is
    the query without ``since``. ``params`` carry the scope.
    """
    span = run(_NEWEST_DAY_QUERY, {p: params.get(p) for p in SCOPE_PARAMETERS})
    newest, oldest = (span["newest"][0], span["oldest"][0]) if span.height else (None, None)
    # Look back from the page's last day or the newest data, whichever is earlier (newer calls are
    # still in every window: it has no upper bound but the page's own).
    last = min((d for d in (_as_date(params.get("date_to")), newest) if d is not None), default=None)
    first = _as_date(params.get("date_from"))
    if first is None or (oldest is not None and oldest > first):
        first = oldest
    if last is None or first is None:
        return run(name, params)
    limit = params.get("limit") or DEFAULT_LIMITS[name]
    if params.get("queue_first"):
        return _queue_first(name, run, params, limit, first, last)
    return _look_back(name, run, params, limit, first, last)


def _look_back(name: str, run: Callable[[str, dict[str, Any]], pl.DataFrame], params: dict[str, Any], limit: int, first: date, last: date) -> pl.DataFrame:
    """The newest-first list from ``last`` back, widening ``since`` until it is complete."""
    days = FIRST_LOOKBACK_DAYS
    while True:
        since = last - timedelta(days=days - 1)
        if since <= first:
            return run(name, params | {"since": None})
        frame = run(name, params | {"since": since})
        if covers_older(frame, limit):
            return frame
        wanted = days * limit / frame.height * MARGIN if frame.height else days * FACTOR
        days = max(days * FACTOR, math.ceil(wanted))


def covers_older(frame: pl.DataFrame, limit: int) -> bool:
    """Whether no call older than ``since`` could enter this newest-first list: it holds ``limit``
    rows, and every call it left out is older than all of them."""
    return frame.height >= limit


def _queue_first(name: str, run: Callable[[str, dict[str, Any]], pl.DataFrame], params: dict[str, Any], limit: int,
                 first: date, last: date) -> pl.DataFrame:
    """access_calls with the review queue first, without sorting every call of the window.

    In that order the list is: the queue's inspected calls (mandatory or alerted, read from the
    queue's own table, whatever their age), then the window's other inspected calls newest first,
    then calls not inspected yet. When the queue does not fill the list, the newest calls of the
    window (looked back for as above) hold the rest, unless too few of them are inspected: then
    the whole window is read.
    """
    taken = sqlfiles.parameters(_QUEUE_HEAD_QUERY)
    head = run(_QUEUE_HEAD_QUERY, {k: v for k, v in params.items() if k in taken})
    if head.height >= limit:
        return head
    newest = _look_back(name, run, params | {"queue_first": False}, limit, first, last)
    rest = newest.filter(pl.col("review_state").is_not_null() & (pl.col("review_state") != "mandatory_review") & (pl.col("alerts") == 0))
    if rest.height >= limit - head.height:
        return pl.concat([head, rest.head(limit - head.height)])
    return run(name, params | {"since": None})


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)

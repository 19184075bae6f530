"""Shared fixtures: a real development broker on a free loopback port, per-test topics and settings."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from hotline.broker import DevBroker, free_port
from hotline.bus import ensure_topics
from hotline.settings import BrokerSettings, Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def broker(tmp_path_factory) -> str:
    """Start tansu once per test session; yields its bootstrap address."""
    port = free_port()
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    b = DevBroker(BrokerSettings(port=port), log_path=log)
    b.start()
    try:
        yield b.bootstrap
    finally:
        b.stop()


@pytest.fixture
def settings(tmp_path, broker) -> Settings:
    """Settings for one test: its own topic namespace and data folder, the shared model files."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    s = Settings(
        paths={"data_dir": tmp_path},
        kafka={"bootstrap_servers": broker, "topic_prefix": prefix, "client_id": "hotline-test"},
        asr={"model_dir": REPO_ROOT / "var" / "models" / "whisper-base"},
        warehouse={"database": tmp_path / "wh" / "hotline.duckdb", "snapshot": tmp_path / "wh" / "snapshot.duckdb"},
        samples={"out_dir": tmp_path / "samples"},
    )
    ensure_topics(s.kafka)
    return s


TTS_PYTHON = REPO_ROOT / ".venv-tts" / "bin" / "python"
# Generated once and kept between runs (the generator caches every utterance it synthesises).
TEST_SAMPLES_DIR = REPO_ROOT / "var" / "test-samples"
# Four calls that between them plant every rule defect (greeting, forbidden phrase, address
# read-back, closing, long silence) and a risk phrase, while keeping ASR time in the tests low.
TEST_SAMPLE_CALLS = ("c002-water-outage", "c005-social-insurance", "c007-traffic-light", "c012-parking-fees-protest")


@pytest.fixture(scope="session")
def sample_calls() -> list[Path]:
    """The project's own scripted Mandarin calls (dual-channel + mono, 8/16 kHz, truth.json, meta.json)."""
    if not TTS_PYTHON.is_file():
        pytest.skip("sample-call voice not installed: run `bash ops/setup_tts.sh` (ops/test.sh does)")
    from devtools.samples.generate import make_samples
    from hotline.settings import SamplesSettings

    cfg = SamplesSettings(out_dir=TEST_SAMPLES_DIR, tts_python=TTS_PYTHON)
    return make_samples(cfg, only=TEST_SAMPLE_CALLS, progress=False)

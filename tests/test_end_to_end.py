"""A call travels from audio to the warehouse on real parts.

The project's own sample calls go through the real broker (TCP), the real `hotline` worker
processes (ASR with the real Whisper weights, inspection, sink) and land in a real DuckDB file;
a corrupt recording is dead-lettered with its reason. Every call is accounted for.
"""

from __future__ import annotations

import json
import re
import time

import jiwer
import opencc
import pytest

from hotline.app.accounting import account_calls
from hotline.app.demo import DEMO_VARIANT, write_corrupt_recording
from hotline.app.services import hotline_command, log_dir, start_service, stop_services
from hotline.asr.model_files import prepare_whisper_model
from hotline.bus import Publisher
from hotline.ingest.stream import ingest_paths
from hotline.warehouse.reader import run_query

pytestmark = pytest.mark.slow

RULE_ITEMS = ("greeting", "closing", "forbidden_phrase", "address_repeat", "long_silence")
_T2S = opencc.OpenCC("t2s")
_NOT_HANZI_OR_ALNUM = re.compile(r"[^\w]|_", re.UNICODE)


def normalise(text: str) -> str:
    return _NOT_HANZI_OR_ALNUM.sub("", _T2S.convert(text))


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def _wait_for_accounting(s, expected: set[str], timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while True:
        acct = account_calls(s.warehouse, expected)
        if not acct.pending or time.monotonic() > deadline:
            return acct
        time.sleep(1.0)


@pytest.fixture
def pipeline(settings):
    """The three stage workers as real `hotline` processes on this test's topics."""
    prepare_whisper_model(settings.asr.model_dir)
    for name in ("asr-worker", "inspect-worker", "sink"):
        start_service(settings, name, hotline_command(name))
    try:
        yield settings
    finally:
        stopped = stop_services(settings, ("asr-worker", "inspect-worker", "sink"))
        assert sorted(stopped) == ["asr-worker", "inspect-worker", "sink"], f"a worker died early; logs in {log_dir(settings)}"


def test_sample_calls_land_with_roles_defects_and_accounting(pipeline, sample_calls, tmp_path):
    s = pipeline
    corrupt = write_corrupt_recording(tmp_path / "bad")
    pub = Publisher.connect(s.kafka)
    report = ingest_paths([d / DEMO_VARIANT for d in sample_calls] + [corrupt], s.ingest, pub, progress=False)
    pub.close()
    expected = set(report.sent) | set(report.dead_lettered)
    assert len(report.sent) == len(sample_calls) and len(report.dead_lettered) == 1

    acct = _wait_for_accounting(s, expected, timeout_s=900)
    logs = {p.name: p.read_text(errors="replace")[-2000:] for p in log_dir(s).glob("*.log")}
    assert not acct.pending, f"calls stuck in the pipeline: {sorted(acct.pending)}; logs: {logs}"
    # Every call accounted for: each sample landed and was inspected, the corrupt file dead-lettered with a reason.
    assert acct.landed == len(sample_calls)
    assert acct.dead_lettered == 1
    (bad_id,) = report.dead_lettered
    assert acct.outcomes[bad_id] == "dead_lettered" and "decode" in acct.reasons[bad_id]

    refs, hyps = [], []
    for call_dir in sample_calls:
        truth = json.loads((call_dir / "truth.json").read_text(encoding="utf-8"))
        call_id = truth["call_id"]
        turns = run_query(s.warehouse, "access_call_turns", call_id=call_id, scope_centre=None, scope_team=None)
        assert turns.height > 0

        # Roles come from the channels: every transcribed segment lies on (or within a 0.5 s collar of,
        # since Whisper's timestamps on short words drift) a truth turn of the role it was given.
        for seg in turns.iter_rows(named=True):
            same_role = [t for t in truth["turns"] if t["role"] == seg["speaker"]]
            assert any(_overlap(seg["start_s"] - 0.5, seg["end_s"] + 0.5, t["start_s"], t["end_s"]) > 0 for t in same_role), (call_id, seg)

        for role in ("agent", "caller"):
            refs.append(normalise("".join(t["text"] for t in truth["turns"] if t["role"] == role)))
            hyps.append(normalise("".join(r["text"] for r in turns.iter_rows(named=True) if r["speaker"] == role)))

        # The planted defects are found, and nothing else among the rule items is flagged.
        checks = {r["item_id"]: r for r in run_query(s.warehouse, "access_call_checks", call_id=call_id, scope_centre=None, scope_team=None).iter_rows(named=True)}
        assert set(RULE_ITEMS) <= set(checks)
        failed = {i for i in RULE_ITEMS if checks[i]["status"] == "failed"}
        assert failed == set(truth["defects"]), (call_id, {i: checks[i]["reason"] for i in RULE_ITEMS})
        for item in RULE_ITEMS:
            if checks[item]["status"] in ("passed", "failed"):
                assert checks[item]["evidence"], (call_id, item, "a decided item must carry its evidence")

        # Risk phrases raise alerts with the quote.
        alerts = run_query(s.warehouse, "access_call_alerts", call_id=call_id, scope_centre=None, scope_team=None)
        assert set(alerts["kind"].to_list()) == set(truth["risks"]), call_id

    cer = jiwer.cer(refs, hyps)
    print(f"\nCER of the ASR worker on {len(sample_calls)} sample calls (8 kHz dual-channel): {cer:.3f}")
    assert cer < 0.25

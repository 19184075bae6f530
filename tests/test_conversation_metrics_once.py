"""One definition of talk and silence (hotline/conversation.py): the metrics the ASR carries, the
figures the sink stores on the calls row and the silences the long-silence rule reads agree on the
same transcript, whether the transcript carries its metrics or not."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from hotline.asr.transcriber import measure_conversation as asr_measure  # what the ASR runs
from hotline.contracts import CallMeta, ConversationMetrics, Segment, Silence, TranscriptReady
from hotline.conversation import measure_conversation, party
from hotline.inspection.callview import CallView
from hotline.inspection.rules import check_long_silence
from hotline.inspection.scorecard import load_scorecard
from hotline.settings import AsrSettings, InspectionSettings, WarehouseSettings
from hotline.warehouse.batch import collect
from hotline.warehouse.store import open_writer, store_batch

LONG_SILENCE = load_scorecard().item("long_silence")
ASR_THRESHOLD_S = AsrSettings().silence_threshold_s  # 3 s
RULE_THRESHOLD_S = InspectionSettings().long_silence_s  # 8 s

TALK_COLUMNS = ("turn_count", "agent_talk_s", "caller_talk_s", "silence_s", "longest_silence_s", "overlap_s",
                "agent_talk_share", "silence_share", "interruptions", "silence_threshold_s")


def seg(speaker: str, start: float, end: float, text: str) -> Segment:
    return Segment(speaker=speaker, channel=0 if speaker == "agent" else 1, start_s=start, end_s=end, text=text)  # type: ignore[arg-type]


SEGMENTS = (
    seg("agent", 0.0, 4.0, "您好，12345政务服务热线，请问有什么可以帮您？"),
    seg("caller", 4.5, 12.0, "我家楼下的路灯坏了一个星期了，在幸福路十八号。"),
    # The agent comes in while the caller has a second to go: 1 s of overlap, an interruption.
    seg("agent", 11.0, 13.0, "好的，我记一下。"),
    seg("agent", 13.5, 16.0, "请您稍等，我帮您查一下。"),
    # 12 s on hold (announced: allowed), then a 4.2 s silence (under the rule's 8 s) and a 10 s one.
    seg("agent", 28.0, 33.0, "让您久等了，已经为您登记。"),
    seg("caller", 33.4, 34.0, "好的。"),
    seg("caller", 38.2, 40.0, "还有一件事。"),
    seg("agent", 50.0, 53.0, "感谢您的来电，再见。"),
)
DURATION_S = 55.0


def transcript(metrics: ConversationMetrics | None) -> TranscriptReady:
    meta = CallMeta(call_id="call-once", centre_id="centre-01", team_id="team-a", agent_id="agent-7",
                    started_at=datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc), channel_layout="stereo", agent_channel=0)
    return TranscriptReady(meta=meta, duration_s=DURATION_S, language="zh", asr_model="test", segments=SEGMENTS,
                           processing_s=1.0, metrics=metrics)


@pytest.fixture(scope="module")
def asr_metrics() -> ConversationMetrics:
    # What the ASR stage carries in TranscriptReady.metrics (asr/transcriber.py, asr/partials.py).
    return asr_measure(SEGMENTS, DURATION_S, silence_threshold_s=ASR_THRESHOLD_S)


def test_the_asr_measures_the_definition(asr_metrics):
    m = asr_metrics
    # Speech: 0-4, 4.5-13 (caller and agent), 13.5-16, 28-33, 33.4-34, 38.2-40, 50-53. Gaps 0.5, 0.5,
    # 12, 0.4, 4.2 and 10 s: the three over 3 s are silences, the rest pauses between turns.
    assert m.silence_spans == (Silence(start_s=16.0, end_s=28.0), Silence(start_s=34.0, end_s=38.2), Silence(start_s=40.0, end_s=50.0))
    assert m.silences == 3 and m.silence_s == pytest.approx(12.0 + 4.2 + 10.0)
    assert m.longest_silence_s == pytest.approx(12.0) and m.longest_silence_start_s == pytest.approx(16.0)
    assert party(m, "agent").talk_s == pytest.approx(4.0 + 2.0 + 2.5 + 5.0 + 3.0)
    assert party(m, "caller").talk_s == pytest.approx(7.5 + 0.6 + 1.8)
    assert m.overlap_s == pytest.approx(1.0) and m.interruptions == 1
    # The kernel's function is the ASR's: one definition.
    assert measure_conversation(SEGMENTS, DURATION_S) == m


def test_the_sink_stores_the_carried_metrics_and_the_same_without_them(asr_metrics, tmp_path):
    carried = collect([transcript(asr_metrics)]).rows(set())["calls"][0]
    computed = collect([transcript(None)]).rows(set())["calls"][0]
    assert {k: carried[k] for k in TALK_COLUMNS} == {k: computed[k] for k in TALK_COLUMNS}
    m = asr_metrics
    assert carried["turn_count"] == len(SEGMENTS)
    assert (carried["silence_s"], carried["longest_silence_s"], carried["overlap_s"]) == (m.silence_s, m.longest_silence_s, m.overlap_s)
    assert (carried["interruptions"], carried["silence_threshold_s"]) == (1, ASR_THRESHOLD_S)
    assert carried["agent_talk_s"] == party(m, "agent").talk_s and carried["caller_talk_s"] == party(m, "caller").talk_s
    assert carried["agent_talk_share"] == pytest.approx(16.5 / 26.4) == pytest.approx(party(m, "agent").talk_share, abs=1e-4)
    assert carried["silence_share"] == pytest.approx(26.2 / DURATION_S)

    # And the calls row (through call_metrics) holds them as the row was built.
    cfg = WarehouseSettings(database=tmp_path / "wh.duckdb", snapshot=tmp_path / "snap.duckdb")
    con = open_writer(cfg)
    try:
        store_batch(con, [transcript(asr_metrics)])
        stored = con.sql("SELECT * FROM call_metrics").pl().row(0, named=True)
    finally:
        con.close()
    assert stored["turns"] == len(SEGMENTS)
    assert {k: stored[k] for k in TALK_COLUMNS if k != "turn_count"} == {k: carried[k] for k in TALK_COLUMNS if k != "turn_count"}


def test_the_rule_reads_the_carried_silences_and_measures_the_same_without_them(asr_metrics):
    with_metrics = CallView.of(SEGMENTS, incomplete=False, long_silence_s=RULE_THRESHOLD_S, metrics=asr_metrics)
    without = CallView.of(SEGMENTS, incomplete=False, long_silence_s=RULE_THRESHOLD_S)
    assert with_metrics.silences == without.silences == asr_metrics.silence_spans
    check = check_long_silence(LONG_SILENCE, with_metrics)
    assert check == check_long_silence(LONG_SILENCE, without)
    # The 12 s hold was announced ("请您稍等"); the 10 s silence after the caller's turn was not.
    assert check.status == "failed"
    assert check.reason == "1 silence(s) over 8 s; longest 10.0 s between 40.0 s and 50.0 s"
    assert [(e.speaker, e.end_s) for e in check.evidence][0] == ("caller", 40.0) and check.evidence[1].start_s == 50.0


def test_the_rule_reads_what_the_transcript_carries_not_gaps_of_its_own(asr_metrics):
    # Carried metrics that found no silence: the rule takes them as they are.
    quiet = asr_metrics.model_copy(update={"silence_spans": ()})
    assert check_long_silence(LONG_SILENCE, CallView.of(SEGMENTS, incomplete=False, long_silence_s=8.0, metrics=quiet)).status == "passed"
    # Metrics from an older producer (no silences carried), or found over a threshold above the
    # rule's: measured again from the segments with the same function.
    older = ConversationMetrics.model_validate_json(asr_metrics.model_dump_json(exclude={"silence_spans"}))
    assert older.silence_spans is None
    assert CallView.of(SEGMENTS, incomplete=False, long_silence_s=8.0, metrics=older).silences == asr_metrics.silence_spans
    coarse = asr_measure(SEGMENTS, DURATION_S, silence_threshold_s=11.0)
    view = CallView.of(SEGMENTS, incomplete=False, long_silence_s=8.0, metrics=coarse)
    assert view.silences == asr_metrics.silence_spans and view.silence_threshold_s == ASR_THRESHOLD_S
    # A rule threshold under the ASR's: measured at the rule's own.
    low = CallView.of(SEGMENTS, incomplete=False, long_silence_s=2.0, metrics=asr_metrics)
    assert low.silence_threshold_s == 2.0 and [s.end_s - s.start_s for s in low.silences] == pytest.approx([12.0, 4.2, 10.0])


def test_a_transcript_from_an_older_producer_still_decodes(asr_metrics):
    raw = transcript(asr_metrics).model_dump(mode="json")
    del raw["metrics"]["silence_spans"]
    decoded = TranscriptReady.decode(json.dumps(raw).encode())
    assert decoded.metrics is not None and decoded.metrics.silence_spans is None
    assert collect([decoded]).rows(set())["calls"][0]["silence_s"] == asr_metrics.silence_s

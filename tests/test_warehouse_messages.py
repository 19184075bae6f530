"""Hand-made contract messages for the warehouse and dashboard tests (no other stage's code).

Imported by test_warehouse_*.py and test_dashboard_*.py; its own tests check the messages
survive the wire format, so a contract change shows up here first.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hotline.contracts import (
    AlertRaised,
    CallInspected,
    CallMeta,
    CategorySuggestion,
    CheckResult,
    DeadLetter,
    Evidence,
    LlmJudgement,
    Segment,
    TranscriptReady,
    Word,
)

DAY1 = datetime(2025, 3, 3, 4, 0, tzinfo=timezone.utc)  # noon in Beijing: same date in any zone from -4h to +8h
DAY2 = DAY1 + timedelta(days=1)


def make_meta(call_id: str, *, started_at: datetime = DAY1, team: str = "team-a", agent: str = "agent-1", caller: str | None = "13812341234") -> CallMeta:
    return CallMeta(
        call_id=call_id,
        centre_id="centre-01",
        team_id=team,
        agent_id=agent,
        caller_number=caller,
        started_at=started_at,
        channel_layout="stereo",
        agent_channel=0,
        source_uri=f"file:///recordings/{call_id}.wav",
    )


def make_transcript(meta: CallMeta, *, is_final: bool = True, turns: int = 3) -> TranscriptReady:
    lines = [
        ("agent", "您好，12345热线，请问有什么可以帮您？"),
        ("caller", "我家楼下的路灯坏了一个星期了。"),
        ("agent", "好的，我帮您登记，请问具体地址是哪里？"),
        ("caller", "在幸福路十八号。"),
        ("agent", "感谢您的来电，再见。"),
    ]
    segments = []
    for i in range(turns):
        speaker, text = lines[i % len(lines)]
        start = i * 4.0
        words = (Word(start_s=start, end_s=start + 0.5, text=text[:2], probability=0.91), Word(start_s=start + 0.5, end_s=start + 3.0, text=text[2:], probability=0.8))
        segments.append(Segment(speaker=speaker, channel=0 if speaker == "agent" else 1, start_s=start, end_s=start + 3.5, text=text, words=words if i != 1 else ()))
    return TranscriptReady(
        meta=meta,
        is_final=is_final,
        duration_s=turns * 4.0,
        language="zh",
        asr_model="whisper-base-int8",
        segments=tuple(segments),
        processing_s=1.5,
        transcribed_at=meta.started_at + timedelta(minutes=5),
    )


def make_inspection(meta: CallMeta, *, score: float = 85.0, defects: tuple[str, ...] = (), review_state: str = "auto_pass", category: str = "市政设施") -> CallInspected:
    greeting_failed = "greeting" in defects
    checks = (
        CheckResult(
            item_id="greeting",
            name="标准开场白",
            kind="rule",
            status="failed" if greeting_failed else "passed",
            weight=10,
            points=0 if greeting_failed else 10,
            reason="未使用标准开场白" if greeting_failed else "使用了标准开场白",
            evidence=(Evidence(quote="您好，12345热线", speaker="agent", start_s=0.0, end_s=1.2, verified=True),),
        ),
        CheckResult(item_id="long_silence", name="长时间静默", kind="timing", status="passed", weight=5, points=5, reason="无超过8秒的静默"),
        CheckResult(item_id="empathy", name="共情表达", kind="llm", status="pending", weight=10, points=0, reason="未配置大模型，待人工或模型评估"),
    )
    return CallInspected(
        meta=meta,
        scorecard_id="12345-standard",
        scorecard_version="2025.1",
        score=score,
        max_score=100.0,
        fatal=False,
        checks=checks,
        defects=defects,
        category=CategorySuggestion(category=category, score=0.93, method="e5-nearest", neighbours=("路灯不亮", "路灯损坏报修")),
        llm=(LlmJudgement(name="demand_summary", status="pending", reason="未配置大模型"),),
        review_state=review_state,
        inspected_at=meta.started_at + timedelta(minutes=6),
    )


def make_alert(call_id: str, *, start_s: float = 4.0, kind: str = "media_exposure") -> AlertRaised:
    return AlertRaised(
        call_id=call_id,
        kind=kind,
        severity="high",
        quote="再不修我就找媒体曝光",
        speaker="caller",
        start_s=start_s,
        end_s=start_s + 2.0,
        raised_at=DAY1 + timedelta(minutes=5),
    )


def make_dead_letter(call_id: str, *, offset: int = 7) -> DeadLetter:
    return DeadLetter(
        stage="asr",
        call_id=call_id,
        reason="audio chunk could not be decoded",
        error_type="PoisonMessage",
        original_topic="calls.audio.v1",
        original_partition=1,
        original_offset=offset,
        original_key=call_id,
        payload=b"\x00\x01",
        failed_at=DAY1 + timedelta(minutes=1),
    )


def make_ingest_dead_letter(source_uri: str) -> DeadLetter:
    return DeadLetter(stage="ingest", call_id=None, reason="not an audio file", error_type="PoisonMessage", source_uri=source_uri, failed_at=DAY2)


def make_day(n_calls: int = 3) -> list:
    """A small, varied warehouse: two days, two teams, defects, an alert, dead letters."""
    msgs: list = []
    for i in range(n_calls):
        meta = make_meta(f"call-{i:03d}", started_at=DAY1 if i % 2 == 0 else DAY2, team="team-a" if i < 2 else "team-b", agent=f"agent-{i % 2 + 1}")
        msgs.append(make_transcript(meta))
        msgs.append(make_inspection(meta, score=90.0 - 10 * i, defects=("greeting",) if i == 1 else (), review_state="mandatory_review" if i == 1 else "auto_pass"))
    msgs.append(make_alert("call-001"))
    msgs.append(make_dead_letter("call-lost"))
    msgs.append(make_ingest_dead_letter("file:///recordings/broken.wav"))
    return msgs


def test_messages_survive_the_wire():
    for msg in make_day():
        assert type(msg).decode(msg.encode()) == msg

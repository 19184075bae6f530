"""The call explorer: the recording plays from the clicked line, evidence is highlighted, and the
recording is served only to roles allowed to hear it."""

from __future__ import annotations

import wave

import pytest

from hotline.dashboards.transcript import audio_path, escape_markdown, highlight
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import run_app, warehouse  # noqa: F401
from test_warehouse_messages import make_inspection, make_meta, make_transcript


@pytest.fixture
def recorded_call(warehouse, tmp_path):  # noqa: F811
    wav = tmp_path / "rec" / "call-audio.wav"
    wav.parent.mkdir()
    with wave.open(str(wav), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 8000 * 12)
    meta = make_meta("call-audio").model_copy(update={"source_uri": str(wav)})
    seed_warehouse(warehouse, [make_transcript(meta), make_inspection(meta)])
    return wav


def test_clicking_a_line_plays_the_recording_from_there(recorded_call):
    at = run_app("views/call.py", as_user="teamlead", call_id="call-audio")
    players = at.get("audio")
    assert len(players) == 1 and players[0].proto.start_time == 0
    at.button(key="play_1").click().run()  # the caller's line at 00:04
    players = at.get("audio")
    assert players[0].proto.start_time == 4 and players[0].proto.autoplay
    assert not at.exception


def test_evidence_is_highlighted_in_the_transcript(recorded_call):
    at = run_app("views/call.py", as_user="supervisor", call_id="call-audio")
    first_line = at.chat_message[0].markdown[0].value
    assert first_line.startswith(":orange-background[您好，12345热线]")


def test_the_recording_is_not_served_to_an_analyst(recorded_call):
    at = run_app("views/call.py", as_user="analyst", call_id="call-audio")
    assert not at.get("audio")
    assert not [b for b in at.button if b.label.startswith("▶")]
    assert any("不能收听录音" in c.value for c in at.caption)


def test_highlight_marks_quotes_and_escapes_markdown():
    assert highlight("路灯坏了*两天*", ["路灯坏了"]) == r":orange-background[路灯坏了]\*两天\*"
    # Alerts win over evidence where they overlap; no quote, no marks.
    assert highlight("我要找媒体曝光", ["找媒体"], ["媒体曝光"]) == "我要找:red-background[媒体曝光]"
    assert highlight("[号码]", []) == escape_markdown("[号码]") == r"\[号码\]"


def test_audio_path_only_for_local_files(tmp_path):
    f = tmp_path / "a.wav"
    f.write_bytes(b"RIFF")
    assert audio_path(str(f)) == f and audio_path(f.as_uri()) == f
    assert audio_path("s3://bucket/a.wav") is None and audio_path(str(tmp_path / "missing.wav")) is None and audio_path(None) is None

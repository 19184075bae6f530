"""The call explorer: the recording plays from the clicked line, evidence is highlighted, and a
recording is served only to roles allowed to hear it, only from the recording folders, and only
when it is audio."""

from __future__ import annotations

import json
import os
import shutil
import wave

import pytest

from hotline.dashboards.transcript import RecordingRefused, escape_markdown, highlight, load_recording
from hotline.warehouse import audit
from hotline.warehouse.store import seed_warehouse
from test_dashboard_pages import run_app, warehouse  # noqa: F401
from test_warehouse_messages import make_inspection, make_meta, make_transcript

MAX_BYTES = 2**20


def write_wav(path, seconds: int = 12):
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * 8000 * seconds)
    return path


def seed_calls(cfg, uris: dict[str, str | None]) -> None:
    msgs = []
    for call_id, uri in uris.items():
        meta = make_meta(call_id).model_copy(update={"source_uri": uri})
        msgs += [make_transcript(meta), make_inspection(meta)]
    seed_warehouse(cfg, msgs)


@pytest.fixture
def roots(tmp_path, monkeypatch):
    """The recording folder the dashboard is configured with (tmp/rec); tmp/elsewhere is outside it."""
    root = tmp_path / "rec"
    root.mkdir()
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.setenv("HOTLINE_DASHBOARD__AUDIO_ROOTS", json.dumps([str(root)]))
    return root


@pytest.fixture
def recorded_call(warehouse, roots):  # noqa: F811
    wav = write_wav(roots / "call-audio.wav")
    seed_calls(warehouse, {"call-audio": str(wav)})
    return wav


def test_clicking_a_line_plays_the_recording_from_there(recorded_call):
    at = run_app("views/call.py", as_user="teamlead", call_id="call-audio")
    players = at.get("audio")
    assert len(players) == 1 and players[0].proto.start_time == 0
    # The player gets the recording's bytes (a /media/ URL of them), not a path on the server.
    assert "/media/" in players[0].proto.url and recorded_call.name not in players[0].proto.url
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


def test_a_server_file_named_as_the_recording_is_not_served(warehouse, roots, tmp_path):  # noqa: F811
    """Issue 19 item 4: a transcript naming the user database got it served as audio."""
    store = tmp_path / "access.sqlite3"  # the dashboard's own user store, password hashes inside
    (roots / "link.wav").symlink_to(store)
    shutil.copy(store, roots / "copy.wav")
    seed_calls(warehouse, {
        "call-store": str(store),
        "call-link": str(roots / "link.wav"),
        "call-dotdot": str(roots / ".." / "access.sqlite3"),
        "call-copy": (roots / "copy.wav").as_uri(),
    })
    for call_id in ("call-store", "call-link", "call-dotdot", "call-copy"):
        at = run_app("views/call.py", as_user="supervisor", call_id=call_id)
        assert not at.get("audio"), call_id
        assert any("录音文件不可用" in c.value for c in at.caption)
    refused = {e["call_id"]: json.loads(e["detail"]) for e in audit.read_log(store, action="view_call").to_dicts()}
    assert refused["call-store"]["audio_refused"] == "outside the recording folders"
    assert refused["call-link"]["audio_refused"] == "outside the recording folders"
    assert refused["call-dotdot"]["audio_refused"] == "outside the recording folders"
    assert refused["call-copy"]["audio_refused"] == "its content is not audio/wav"
    assert not any(d["audio"] for d in refused.values())


def test_load_recording_serves_audio_inside_the_roots(tmp_path):
    root = tmp_path / "rec"
    wav = write_wav(root / "day1" / "0001.wav", seconds=1)
    got = load_recording(str(wav), (root,), max_bytes=MAX_BYTES)
    assert got.data == wav.read_bytes() and got.mime == "audio/wav" and got.path == wav.resolve()
    assert load_recording(wav.as_uri(), (root,), max_bytes=MAX_BYTES).data == got.data
    # A symlink whose target is inside a root is followed: the root is what matters.
    (root / "latest.wav").symlink_to(wav)
    assert load_recording(str(root / "latest.wav"), (root,), max_bytes=MAX_BYTES).path == wav.resolve()
    # A root that is itself a link (recordings mounted elsewhere) counts as where it points.
    (tmp_path / "mounted").symlink_to(root, target_is_directory=True)
    assert load_recording(str(wav), (tmp_path / "mounted",), max_bytes=MAX_BYTES).data == got.data


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda t: None, "no recording location"),
        (lambda t: "s3://bucket/a.wav", "not a local file (s3:)"),
        (lambda t: "file://otherhost/etc/passwd", "not a local file (file:)"),
        (lambda t: str(t / "rec" / "missing.wav"), "the file is missing"),
        (lambda t: "/etc/passwd", "outside the recording folders"),
        (lambda t: str(t / "rec" / ".." / "outside.wav"), "outside the recording folders"),
        (lambda t: str(t / "rec-sibling" / "a.wav"), "outside the recording folders"),  # a prefix is not a parent
        (lambda t: str(t / "rec" / "escape.wav"), "outside the recording folders"),  # a link out of the root
        (lambda t: str(t / "rec" / "notes.txt"), "not a playable audio type (.txt)"),
        (lambda t: str(t / "rec" / "fake.mp3"), "its content is not audio/mpeg"),
        (lambda t: str(t / "rec" / "folder.wav"), "not a regular file"),
        (lambda t: str(t / "rec" / "big.wav"), f"larger than {MAX_BYTES} bytes"),
        # A NUL in a stored source_uri (found by bench.adversarial): refused, not a ValueError that ends the page.
        (lambda t: str(t / "rec" / "big.wav") + "\x00.txt", "not a valid file name (NUL)"),
        (lambda t: (t / "rec" / "big.wav").as_uri() + "%00.txt", "not a valid file name (NUL)"),
    ],
)
def test_load_recording_refuses_what_is_not_a_recording_in_a_root(tmp_path, make, reason):
    root = tmp_path / "rec"
    write_wav(tmp_path / "outside.wav", seconds=1)
    write_wav(tmp_path / "rec-sibling" / "a.wav", seconds=1)
    write_wav(root / "big.wav", seconds=70)  # > 1 MiB
    (root / "escape.wav").symlink_to(tmp_path / "outside.wav")
    (root / "notes.txt").write_text("RIFF....WAVE")
    (root / "fake.mp3").write_bytes(b"SQLite format 3\x00" + os.urandom(64))
    (root / "folder.wav").mkdir()
    with pytest.raises(RecordingRefused) as refused:
        load_recording(make(tmp_path), (root,), max_bytes=MAX_BYTES)
    assert str(refused.value) == reason


def test_highlight_marks_quotes_and_escapes_markdown():
    assert highlight("路灯坏了*两天*", ["路灯坏了"]) == r":orange-background[路灯坏了]\*两天\*"
    # Alerts win over evidence where they overlap; no quote, no marks.
    assert highlight("我要找媒体曝光", ["找媒体"], ["媒体曝光"]) == "我要找:red-background[媒体曝光]"
    assert highlight("[号码]", []) == escape_markdown("[号码]") == r"\[号码\]"

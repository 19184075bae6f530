"""Ingest: real files decoded by PyAV, real chunks over the real broker."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hotline.bus import Publisher, make_consumer
from hotline.contracts import AudioChunk, DeadLetter
from hotline.ingest.recording import RecordingError, decode_recording
from hotline.ingest.stream import chunk_recording, ingest_paths

from bench.adversarial_inputs import write_encoded, write_wav as write_pcm_wav


def _tone(rate: int, seconds: float, channels: int) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    left = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    right = (0.2 * np.sin(2 * np.pi * 660 * t) * 32767).astype(np.int16)
    return np.stack([left, right][:channels], axis=1)


def test_pcm_wav_decodes_bit_exact(tmp_path):
    pcm = _tone(8000, 2.0, 2)
    rec = decode_recording(write_pcm_wav(tmp_path / "a.wav", pcm, 8000))
    assert rec.sample_rate_hz == 8000 and rec.channels == 2
    assert np.array_equal(rec.pcm, pcm)


@pytest.mark.parametrize(("codec", "suffix"), [("pcm_mulaw", ".wav"), ("pcm_alaw", ".wav"), ("libmp3lame", ".mp3")])
def test_telephone_codecs_decode(tmp_path, codec, suffix):
    pcm = _tone(8000, 2.0, 1)
    rec = decode_recording(write_encoded(tmp_path / f"a{suffix}", pcm, 8000, codec))
    assert rec.sample_rate_hz == 8000 and rec.channels == 1
    # Lossy codecs: same length (±one MP3 frame of padding) and the same tone.
    assert abs(rec.pcm.shape[0] - pcm.shape[0]) <= 2400
    n = min(rec.pcm.shape[0], pcm.shape[0]) - 2400
    corr = np.corrcoef(rec.pcm[1200:n, 0].astype(float), pcm[1200:n, 0].astype(float))[0, 1]
    if codec != "libmp3lame":  # MP3 adds an encoder delay; the spectrum check below covers it
        assert corr > 0.8
    spectrum = np.abs(np.fft.rfft(rec.pcm[:, 0].astype(float)))
    assert abs(np.argmax(spectrum) * 8000 / len(rec.pcm) - 440) < 5


@pytest.mark.parametrize(
    "content",
    [b"", b"RIFF\x00\x00\x00\x00WAVE", b"this is not audio at all" * 40, b"RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00" + b"\xff" * 16 + b"data\xff\xff\xff\x7f"],
    ids=["empty", "header-only", "text", "bad-fmt"],
)
def test_undecodable_files_raise_recording_error(tmp_path, content):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(RecordingError):
        decode_recording(path)


def test_chunks_are_ordered_and_reassemble(tmp_path, settings):
    pcm = _tone(16000, 7.5, 2)
    rec = decode_recording(write_pcm_wav(tmp_path / "c.wav", pcm, 16000))
    from hotline.ingest.recording import read_meta, recording_digest

    meta = read_meta(tmp_path / "c.wav", rec.channels, settings.ingest, recording_digest(tmp_path / "c.wav"))
    chunks = list(chunk_recording(meta, rec, 3.0))
    assert [c.seq for c in chunks] == [0, 1, 2]
    assert [c.is_last for c in chunks] == [False, False, True]
    assert [c.offset_s for c in chunks] == [0.0, 3.0, 6.0]
    joined = np.frombuffer(b"".join(c.audio for c in chunks), dtype=np.int16).reshape(-1, 2)
    assert np.array_equal(joined, pcm)


def _drain(settings, topic_contracts, want: int, timeout_s: float = 30.0):
    import time

    consumer = make_consumer(settings.kafka, "test-drain", [c.topic for c in topic_contracts])
    by_topic = {settings.kafka.topic(c.topic): c for c in topic_contracts}
    got = []
    deadline = time.monotonic() + timeout_s
    try:
        while len(got) < want and time.monotonic() < deadline:
            for _tp, records in consumer.poll(timeout_ms=500).items():
                got.extend((r, by_topic[r.topic].decode(r.value)) for r in records)
    finally:
        consumer.close()
    return got


def test_ingest_streams_good_file_and_dead_letters_corrupt_one(tmp_path, settings):
    good = write_pcm_wav(tmp_path / "good.wav", _tone(8000, 7.0, 2), 8000)
    (tmp_path / "good.json").write_text(
        json.dumps({"call_id": "call-good", "centre_id": "c1", "team_id": "t1", "agent_id": "a7", "caller_number": "13800001111",
                    "started_at": "2026-11-01T09:00:00+08:00", "channel_layout": "stereo", "agent_channel": 1}),
        encoding="utf-8",
    )
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    pub = Publisher.connect(settings.kafka)
    report = ingest_paths([good, bad], settings.ingest, pub, progress=False)
    pub.close()

    assert report.sent == ["call-good"]
    (broken_id,) = report.dead_lettered
    assert broken_id.startswith("broken-")
    msgs = _drain(settings, [AudioChunk, DeadLetter], want=4)
    chunks = [m for _r, m in msgs if isinstance(m, AudioChunk)]
    dead = [m for _r, m in msgs if isinstance(m, DeadLetter)]
    assert [c.seq for c in chunks] == [0, 1, 2]
    assert all(r.key == b"call-good" for r, m in msgs if isinstance(m, AudioChunk))
    meta = chunks[0].meta
    assert (meta.agent_id, meta.agent_channel, meta.channel_layout, meta.caller_number) == ("a7", 1, "stereo", "13800001111")
    assert len(dead) == 1 and dead[0].stage == "ingest" and dead[0].call_id == broken_id
    assert dead[0].source_uri == str(bad) and "decode" in dead[0].reason


def test_oversized_message_is_refused_before_the_broker(settings):
    from hotline.contracts import CallMeta

    small = settings.kafka.model_copy(update={"max_message_bytes": 1000})
    pub = Publisher.connect(small)
    meta = CallMeta(call_id="x", centre_id="c", team_id="t", agent_id="a", started_at="2026-11-01T00:00:00Z", channel_layout="mono")
    chunk = AudioChunk(meta=meta, seq=0, is_last=True, sample_rate_hz=8000, channels=1, offset_s=0, audio=b"\x00" * 4000)
    with pytest.raises(ValueError, match="max_message_bytes"):
        pub.publish(chunk, key="x")
    pub.close()


def _write_meta(path: Path, call_id: str) -> None:
    path.write_text(json.dumps({"call_id": call_id, "centre_id": "c1", "team_id": "t1", "agent_id": "a1",
                                "started_at": "2026-11-01T09:00:00+08:00", "channel_layout": "mono"}), encoding="utf-8")


def test_distinct_recordings_get_distinct_call_ids_and_the_same_recording_keeps_its_id(tmp_path, settings):
    # Names that collided when a call id was the file name's stem with non-ASCII characters dropped.
    files = [
        write_pcm_wav(tmp_path / "市民 来电 录音.wav", _tone(8000, 1.0, 1), 8000),
        write_pcm_wav(tmp_path / "另一个 来电.wav", _tone(8000, 1.2, 1), 8000),
        write_encoded(tmp_path / "stereo48k.flac", _tone(48000, 1.0, 2), 48000, "flac"),
        write_encoded(tmp_path / "stereo48k.mp3", _tone(48000, 1.0, 2), 48000, "libmp3lame"),
    ]
    for day, seconds in (("day1", 1.4), ("day2", 1.5)):
        (tmp_path / day).mkdir()
        files.append(write_pcm_wav(tmp_path / day / "0001.wav", _tone(8000, seconds, 1), 8000))
    sidecar = write_pcm_wav(tmp_path / "named.wav", _tone(8000, 1.7, 1), 8000)
    _write_meta(tmp_path / "named.json", "crm-2026-000123")
    pub = Publisher.connect(settings.kafka)
    first = ingest_paths([*files, sidecar], settings.ingest, pub, progress=False)
    # The same recordings again (a recorder retrying): the same ids, so each stays one call.
    again = ingest_paths([files[0], files[4], sidecar], settings.ingest, pub, progress=False)
    pub.close()

    assert not first.rejected and len(set(first.sent)) == len(files) + 1
    assert first.sent[-1] == "crm-2026-000123"  # a sidecar's call id wins
    assert first.sent[0].startswith("call-") and first.sent[2].startswith("stereo48k-") and first.sent[4].startswith("0001-")
    assert again.sent == [first.sent[0], first.sent[4], first.sent[-1]]
    chunks = [m for _r, m in _drain(settings, [AudioChunk], want=first.chunks + again.chunks) if isinstance(m, AudioChunk)]
    assert {c.call_id for c in chunks} == set(first.sent)
    # Each chunk names the recording it came from, so a stage can tell a redelivery from a collision.
    digests = {c.call_id: c.meta.recording_sha256 for c in chunks}
    assert len(set(digests.values())) == len(files) + 1 and all(len(d) == 64 for d in digests.values())


def test_a_second_recording_under_a_taken_call_id_is_dead_lettered_not_sent(tmp_path, settings):
    # One meta.json for a folder names every recording in it: the sample-call layout, holding four variants.
    folder = tmp_path / "c001"
    folder.mkdir()
    _write_meta(folder / "meta.json", "c001")
    first = write_pcm_wav(folder / "a_mono.wav", _tone(8000, 1.0, 1), 8000)
    second = write_pcm_wav(folder / "b_mono.wav", _tone(8000, 2.0, 1), 8000)
    pub = Publisher.connect(settings.kafka)
    report = ingest_paths([folder], settings.ingest, pub, progress=False)
    pub.close()

    assert report.sent == ["c001"]
    (rejected,) = report.rejected
    assert rejected.path == second and rejected.call_id == "c001"
    assert "already used in this run by" in rejected.reason and str(first) in rejected.reason
    dead = [m for _r, m in _drain(settings, [AudioChunk, DeadLetter], want=2) if isinstance(m, DeadLetter)]
    (dl,) = dead
    assert (dl.stage, dl.call_id, dl.error_type, dl.source_uri) == ("ingest", "c001", "CallIdCollision", str(second))
    assert dl.recording_sha256 is not None and len(dl.recording_sha256) == 64


def _wav_claiming_rate(path: Path, rate: int) -> Path:
    """A PCM WAV whose header claims ``rate`` (what a broken or hostile recorder writes)."""
    return write_pcm_wav(path, _tone(8000, 0.5, 1), rate)


def test_each_file_is_its_own_unit_of_failure(tmp_path, settings):
    good_1 = write_pcm_wav(tmp_path / "good1.wav", _tone(8000, 1.0, 1), 8000)
    megahertz = _wav_claiming_rate(tmp_path / "megahertz.wav", 1_000_000)
    bad_sidecar = write_pcm_wav(tmp_path / "sidecar.wav", _tone(8000, 1.0, 1), 8000)
    (tmp_path / "sidecar.json").write_text('{"call_id": "has spaces/and slashes", "centre_id": "c1"}', encoding="utf-8")
    missing = tmp_path / "gone.wav"
    good_2 = write_pcm_wav(tmp_path / "good2.wav", _tone(8000, 1.0, 2), 8000)
    pub = Publisher.connect(settings.kafka)
    report = ingest_paths([good_1, megahertz, bad_sidecar, missing, good_2], settings.ingest, pub, progress=False)
    pub.close()

    assert [s.split("-")[0] for s in report.sent] == ["good1", "good2"]  # the files after the bad ones were sent
    reasons = {r.path.name: r.reason for r in report.rejected}
    assert set(reasons) == {"megahertz.wav", "sidecar.wav", "gone.wav"}
    assert "sample_rate_hz" in reasons["megahertz.wav"] and "1000000" in reasons["megahertz.wav"]
    assert "call_id" in reasons["sidecar.wav"] and "metadata" in reasons["sidecar.wav"]
    assert reasons["gone.wav"] == "no such file"
    assert not any("settings" in r for r in reasons.values())
    dead = {m.source_uri: m for _r, m in _drain(settings, [AudioChunk, DeadLetter], want=report.chunks + 3) if isinstance(m, DeadLetter)}
    assert set(dead) == {str(megahertz), str(bad_sidecar), str(missing)}
    assert all(d.stage == "ingest" and d.reason == reasons[Path(uri).name] for uri, d in dead.items())


def test_hotline_ingest_prints_a_summary_and_exits_non_zero_when_a_file_was_rejected(tmp_path, settings):
    import subprocess
    import sys

    from hotline.app.services import write_settings_file
    from hotline.settings import SETTINGS_FILE_ENV

    good = write_pcm_wav(tmp_path / "good.wav", _tone(8000, 1.0, 1), 8000)
    megahertz = _wav_claiming_rate(tmp_path / "megahertz.wav", 1_000_000)
    env = {"PATH": "/usr/bin:/bin", SETTINGS_FILE_ENV: str(write_settings_file(settings))}
    out = subprocess.run([sys.executable, "-m", "hotline", "ingest", "--no-progress", str(megahertz), str(good)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 1, out.stderr
    assert "sent 1 calls" in out.stdout and "rejected 1 files" in out.stdout
    assert f"rejected {megahertz}" in out.stdout and "sample_rate_hz" in out.stdout
    assert "invalid settings" not in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize("sidecar", [b"[" * 50_000 + b"]" * 50_000, b"\xff\xfe{}"], ids=["nested-past-the-limit", "not-utf8"])
def test_a_hostile_sidecar_is_its_files_dead_letter_and_the_next_file_is_sent(tmp_path, settings, sidecar):
    """Found by bench.adversarial: a sidecar nested past Python's recursion limit ended the whole ingest."""
    bad = write_pcm_wav(tmp_path / "bad.wav", _tone(8000, 0.5, 1), 8000)
    (tmp_path / "bad.json").write_bytes(sidecar)
    good = write_pcm_wav(tmp_path / "good.wav", _tone(8000, 0.5, 1), 8000)
    pub = Publisher.connect(settings.kafka)
    report = ingest_paths([bad, good], settings.ingest, pub, progress=False)
    pub.close()
    assert [s.split("-")[0] for s in report.sent] == ["good"]
    (rejected,) = report.rejected
    assert rejected.path == bad and rejected.reason.startswith("unreadable metadata bad.json: ")

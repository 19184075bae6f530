"""Ingest: real files decoded by PyAV, real chunks over the real broker."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from hotline.bus import Publisher, make_consumer
from hotline.contracts import AudioChunk, DeadLetter
from hotline.ingest.recording import RecordingError, decode_recording
from hotline.ingest.stream import chunk_recording, ingest_paths


def _tone(rate: int, seconds: float, channels: int) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    left = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype(np.int16)
    right = (0.2 * np.sin(2 * np.pi * 660 * t) * 32767).astype(np.int16)
    return np.stack([left, right][:channels], axis=1)


def write_pcm_wav(path: Path, pcm: np.ndarray, rate: int) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def write_encoded(path: Path, pcm: np.ndarray, rate: int, codec: str) -> Path:
    """Encode with FFmpeg (through PyAV), as a recorder would: μ-law/A-law WAV, MP3, ..."""
    layout = "stereo" if pcm.shape[1] == 2 else "mono"
    with av.open(str(path), mode="w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(pcm.reshape(1, -1)), format="s16", layout=layout)
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return path


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
    from hotline.ingest.recording import read_meta

    meta = read_meta(tmp_path / "c.wav", rec.channels, settings.ingest)
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
    assert list(report.dead_lettered) == ["broken"]
    msgs = _drain(settings, [AudioChunk, DeadLetter], want=4)
    chunks = [m for _r, m in msgs if isinstance(m, AudioChunk)]
    dead = [m for _r, m in msgs if isinstance(m, DeadLetter)]
    assert [c.seq for c in chunks] == [0, 1, 2]
    assert all(r.key == b"call-good" for r, m in msgs if isinstance(m, AudioChunk))
    meta = chunks[0].meta
    assert (meta.agent_id, meta.agent_channel, meta.channel_layout, meta.caller_number) == ("a7", 1, "stereo", "13800001111")
    assert len(dead) == 1 and dead[0].stage == "ingest" and dead[0].call_id == "broken"
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

"""The hostile inputs bench.adversarial tries: recordings, messages, raw bytes, paths, log tampering.

Pure makers (files written into a folder the caller names, messages built in memory); the bench
sends them through the live pipeline and reads back what became of them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import av
import numpy as np

from bench.load import call_meta, entry_chunk, replayed_transcript
from hotline.contracts import (
    AgentAttitude,
    AlertRaised,
    AudioChunk,
    CallInspected,
    CallMeta,
    CallSentiment,
    CategorySuggestion,
    CheckResult,
    Contract,
    DeadLetter,
    Demand,
    Evidence,
    LlmJudgement,
    RoutingSuggestion,
    Segment,
    TranscriptReady,
    TurnAttitude,
    WorkOrderEvent,
)
from hotline.warehouse import audit

# --- recordings ---------------------------------------------------------------------------------


def tone(rate: int, seconds: float, channels: int = 1, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    wave_ = (0.3 * np.sin(2 * np.pi * freq * t) * 32767).astype(np.int16)
    return np.stack([wave_] * channels, axis=1)


def write_wav(path: Path, pcm: np.ndarray, rate: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(pcm.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def write_encoded(path: Path, pcm: np.ndarray, rate: int, codec: str) -> Path:
    """Encode with FFmpeg (through PyAV), as a recorder would (FLAC, MP3)."""
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


def colliding_recordings(folder: Path) -> list[Path]:
    """The issue's names: distinct recordings whose ids collided when an id was the stem's ASCII."""
    files = [
        write_wav(folder / "市民 来电 录音.wav", tone(8000, 1.0, freq=440), 8000),
        write_wav(folder / "另一个 来电.wav", tone(8000, 1.2, freq=520), 8000),
        write_encoded(folder / "stereo48k.flac", tone(48000, 1.0, 2, freq=600), 48000, "flac"),
        write_encoded(folder / "stereo48k.mp3", tone(48000, 1.0, 2, freq=660), 48000, "libmp3lame"),
        write_wav(folder / "day1" / "0001.wav", tone(8000, 1.4, freq=700), 8000),
        write_wav(folder / "day2" / "0001.wav", tone(8000, 1.5, freq=760), 8000),
    ]
    # One meta.json for a folder names every recording in it (the sample-call layout): the second
    # recording under its call id is a genuine collision.
    shared = folder / "shared-sidecar"
    shared.mkdir(parents=True, exist_ok=True)
    (shared / "meta.json").write_text(json.dumps({"call_id": "adv-sidecar", "centre_id": "centre-01", "team_id": "team-01",
                                                  "agent_id": "agent-01", "started_at": datetime.now(timezone.utc).isoformat(),
                                                  "channel_layout": "mono"}), encoding="utf-8")
    files += [write_wav(shared / "a_mono.wav", tone(8000, 1.0, freq=800), 8000),
              write_wav(shared / "b_mono.wav", tone(8000, 1.3, freq=820), 8000)]
    return files


def audio_pathologies(folder: Path, *, with_asr: bool) -> list[Path]:
    """Files a careless recorder or an attacker leaves where recordings are read. Without an ASR
    stage, only the ones ingest must refuse (they never reach it)."""
    folder.mkdir(parents=True, exist_ok=True)
    whole = write_wav(folder / "whole.wav", tone(8000, 2.0), 8000).read_bytes()
    (folder / "whole.wav").unlink()
    out = []
    (folder / "zero-length.wav").write_bytes(b"")
    (folder / "not-audio.wav").write_text("<html><body>this is not a recording</body></html>\n" * 20, encoding="utf-8")
    (folder / "header-only.wav").write_bytes(whole[:44])
    (folder / "header-cut.wav").write_bytes(whole[:20])
    out += [folder / n for n in ("zero-length.wav", "not-audio.wav", "header-only.wav", "header-cut.wav")]
    out.append(write_wav(folder / "megahertz.wav", tone(8000, 0.5), 1_000_000))  # the header claims 1 MHz
    out.append(write_wav(folder / "three-channels.wav", tone(8000, 0.5, 3), 8000))
    (folder / "elf.wav").write_bytes(Path("/bin/true").read_bytes()[:65536] if Path("/bin/true").is_file() else b"\x7fELF" + b"\x00" * 4096)
    out.append(folder / "elf.wav")
    # Good audio, hostile sidecars: nested past Python's recursion limit, not UTF-8, not an object, a forged id.
    for i, (name, sidecar) in enumerate((("nested-sidecar", b"[" * 50_000 + b"]" * 50_000), ("latin1-sidecar", b"\xff\xfe{\"call_id\": 1}"),
                                         ("list-sidecar", b"[]"), ("forged-id-sidecar", b'{"call_id": "../../etc/passwd"}'))):
        out.append(write_wav(folder / f"{name}.wav", tone(8000, 0.5, freq=300 + 20 * i), 8000))
        (folder / f"{name}.json").write_bytes(sidecar)
    if with_asr:
        (folder / "truncated.wav").write_bytes(whole[: len(whole) * 3 // 5])  # the header claims more data than there is
        out.append(folder / "truncated.wav")
        out.append(write_wav(folder / "one-sample.wav", tone(8000, 1 / 8000), 8000))
        out.append(write_wav(folder / "silence.wav", np.zeros((8000, 1), dtype=np.int16), 8000))
    return out


def chunk_collision(call_id: str) -> list[AudioChunk]:
    """Two different recordings (digests named in their metadata) under one call id, straight onto the audio topic."""
    chunks = []
    for n, seed in enumerate((1, 2)):
        pcm = np.random.default_rng(seed).integers(-2000, 2000, size=(1600, 1), dtype=np.int16)
        meta = call_meta(call_id).model_copy(update={"recording_sha256": hashlib.sha256(pcm.tobytes()).hexdigest(),
                                                     "channel_layout": "mono", "agent_channel": None})
        chunks += [AudioChunk(meta=meta, seq=i, is_last=i == 1, sample_rate_hz=8000, channels=1, offset_s=i * 0.1,
                              audio=pcm[i * 800:(i + 1) * 800].tobytes()) for i in range(2)]
    return chunks


# --- messages -----------------------------------------------------------------------------------


def meta(call_id: str, **update) -> CallMeta:
    return call_meta(call_id).model_copy(update={"team_id": "team-01", **update})


def transcript(call_id: str, lines: list[str], **meta_update) -> TranscriptReady:
    """A final transcript as the ASR stage publishes it, agent and caller taking turns."""
    segments = tuple(Segment(speaker="agent" if i % 2 == 0 else "caller", channel=i % 2, start_s=4.0 * i, end_s=4.0 * i + 3.5, text=text)
                     for i, text in enumerate(lines))
    return TranscriptReady(meta=meta(call_id, **meta_update), duration_s=4.0 * max(1, len(lines)), language="zh",
                           asr_model="adversarial", segments=segments, processing_s=0.0)


def ordinary_call(call_id: str, **meta_update) -> TranscriptReady:
    return replayed_transcript(call_id).model_copy(update={"meta": meta(call_id, **meta_update)})


def silent_call(call_id: str, murmur: bool = False) -> TranscriptReady:
    """What the ASR stage makes of a silent recording: no words, or a lone murmur nobody can be told to have said."""
    segments = (Segment(speaker="unknown", start_s=0.0, end_s=0.6, text="嗯"),) if murmur else ()
    return transcript(call_id, []).model_copy(update={"duration_s": 1.0, "segments": segments})


# The free-text fields of a call a hostile string is planted in, in the order of field_texts.
TEXT_FIELDS = (
    "transcript.agent_1", "transcript.caller_1", "transcript.agent_2", "transcript.caller_2",
    "check.reason", "check.evidence_quote", "demand.summary", "demand.address", "demand.street", "demand.requested_action",
    "demand.todo", "llm.reason", "llm.value_summary", "sentiment.evidence_quote", "attitude.turn_reason", "routing.reason",
    "alert.quote", "work_order.address", "work_order.note_created", "work_order.note_dispatched", "work_order.department",
    "work_order.from_department", "work_order.district",
)
# Shown on pages, never masked (code columns: categories, names): markup is planted there too.
LABEL_FIELDS = ("inspection.category", "demand.category", "work_order.category", "work_order.recorded_type", "routing.department")


@dataclass(frozen=True)
class CraftedCall:
    """One call whose every text field carries a planted string: its transcript goes through the
    inspection stage; the rest follows as a re-judged inspection, an alert and work-order events."""

    transcript: TranscriptReady
    inspection: CallInspected
    alert: AlertRaised
    events: tuple[WorkOrderEvent, ...]

    @property
    def call_id(self) -> str:
        return self.transcript.call_id


def crafted_call(call_id: str, text_of: Callable[[str], str], label_of: Callable[[str], str] | None = None) -> CraftedCall:
    """``text_of(field)`` gives the string planted in each of TEXT_FIELDS, ``label_of`` in LABEL_FIELDS."""
    f = text_of
    lab = label_of or (lambda _name: "公用事业/供水")
    t = transcript(call_id, [f(n) for n in TEXT_FIELDS[:4]])
    caller = t.segments[1]

    def quote(text: str) -> Evidence:
        return Evidence(quote=text, speaker="caller", start_s=caller.start_s, end_s=caller.end_s, verified=True)

    checks = (
        CheckResult(item_id="greeting", name="标准开场白", kind="rule", status="passed", weight=10, points=10, reason=f("check.reason"),
                    evidence=(quote(f("check.evidence_quote")),)),
        CheckResult(item_id="empathy", name="共情表达", kind="llm", status="pending", weight=10, points=0, reason="待评估"),
    )
    demand = Demand(summary=f("demand.summary"), category=lab("demand.category"), address=f("demand.address"), street=f("demand.street"),
                    requested_action=f("demand.requested_action"), todos=(f("demand.todo"),), source="llm", evidence=(quote(caller.text),),
                    demand_type="求助", type_evidence=(quote(caller.text),))
    inspected = CallInspected(
        meta=t.meta, scorecard_id="12345-standard", scorecard_version="adv", score=80.0, max_score=100.0, fatal=False, checks=checks,
        defects=(), category=CategorySuggestion(category=lab("inspection.category"), score=0.9, method="llm"), review_state="auto_pass",
        llm=(LlmJudgement(name="demand_summary", status="judged", reason=f("llm.reason"), value={"summary": f("llm.value_summary"), "confidence": 0.8},
                          model="adversarial"),),
        sentiment=CallSentiment(method="adv", overall="anxious", evidence=(quote(f("sentiment.evidence_quote")),)),
        agent_attitude=AgentAttitude(method="adv", overall="polite", turns=(TurnAttitude(start_s=0.0, end_s=3.5, label="polite", reason=f("attitude.turn_reason")),)),
        demands=(demand,),
        routing=RoutingSuggestion(department=lab("routing.department"), rule_id="adv", catalogue_version="adv", reason=f("routing.reason")),
        # Later than the stage's own inspection of the transcript: this one replaces it, as a re-judged inspection does.
        inspected_at=datetime.now(timezone.utc) + timedelta(minutes=1),
    )
    alert = AlertRaised(call_id=call_id, kind="media_exposure", severity="high", quote=f("alert.quote"), speaker="caller",
                        start_s=caller.start_s, end_s=caller.end_s, identity="adv#1")
    t0 = datetime.now(timezone.utc)
    order = f"WO-{call_id}"
    events = (
        WorkOrderEvent(event_id=f"{order}-0", work_order_id=order, call_id=call_id, kind="created", occurred_at=t0, category=lab("work_order.category"),
                       recorded_type=lab("work_order.recorded_type"), district=f("work_order.district"), address=f("work_order.address"),
                       note=f("work_order.note_created")),
        WorkOrderEvent(event_id=f"{order}-1", work_order_id=order, call_id=call_id, kind="dispatched", occurred_at=t0 + timedelta(minutes=5),
                       department=f("work_order.department"), note=f("work_order.note_dispatched")),
        WorkOrderEvent(event_id=f"{order}-2", work_order_id=order, call_id=call_id, kind="transferred", occurred_at=t0 + timedelta(minutes=9),
                       from_department=f("work_order.from_department"), department=f("work_order.department") + "二"),
    )
    return CraftedCall(t, inspected, alert, events)


# --- malformed and non-finite messages ----------------------------------------------------------


def valid_example(contract: type[Contract], key: str) -> Contract:
    if contract is AudioChunk:
        return entry_chunk(key)
    if contract is TranscriptReady:
        return replayed_transcript(key)
    if contract is CallInspected:
        return crafted_call(key, lambda _n: "正常文本").inspection
    if contract is AlertRaised:
        return AlertRaised(call_id=key, kind="self_harm", severity="critical", quote="q", speaker="caller", start_s=1.0, end_s=2.0)
    if contract is DeadLetter:
        return DeadLetter(stage="asr", call_id=key, reason="r", error_type="E")
    if contract is WorkOrderEvent:
        return WorkOrderEvent(event_id=f"{key}-0", work_order_id=key, call_id=key, kind="created", occurred_at=datetime.now(timezone.utc))
    raise ValueError(contract)


# Where each contract carries a number (or, without one, any field): a non-finite literal goes there.
NUMBER_PATH = {
    AudioChunk: "offset_s",
    TranscriptReady: "segments.0.start_s",
    CallInspected: "llm.0.value.confidence",
    AlertRaised: "end_s",
    DeadLetter: "original_offset",
    WorkOrderEvent: "call_id",
}


def _with_literal(message: Contract, path: str, literal: str) -> bytes:
    doc = json.loads(message.encode())
    *parents, last = path.split(".")
    node = doc
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    marker = "__ADVERSARIAL_LITERAL__"
    node[int(last) if isinstance(node, list) else last] = marker
    return json.dumps(doc).replace(f'"{marker}"', literal).encode()


def malformed_values(contract: type[Contract], key: str, max_message_bytes: int) -> Iterator[tuple[str, bytes | None]]:
    """(what, raw value) of messages a broken or hostile producer writes to ``contract``'s topic."""
    good = valid_example(contract, key)
    raw = good.encode()
    future = json.loads(raw)
    future["schema_version"] = 99
    extra = json.loads(raw)
    extra["injected"] = {"role": "admin"}
    yield "not-json", b"\xff\xfe this is not json"
    yield "truncated", raw[: len(raw) // 2]
    yield "wrong-shape", b'{"schema_version": 1, "meta": "not an object", "segments": 7}'
    yield "empty", None
    yield "json-null", b"null"
    yield "json-list", b"[1, 2, 3]"
    yield "future-schema", json.dumps(future).encode()
    yield "extra-field", json.dumps(extra).encode()
    yield "deep-nesting", b"[" * 50_000 + b"]" * 50_000
    for literal in ("NaN", "Infinity", "-Infinity", "1e999"):
        yield f"non-finite-{literal}", _with_literal(good, NUMBER_PATH[contract], literal)
    if contract is TranscriptReady:  # over kafka.max_message_bytes: a producer that skipped the Publisher's check
        yield "oversized", b'{"schema_version": 1, "meta": "' + b"x" * (max_message_bytes + 1024) + b'"}'


# --- path tricks in source_uri ------------------------------------------------------------------


@dataclass(frozen=True)
class PathTricks:
    good: str  # a real recording inside the roots: the one that must be served
    tricks: dict[str, str]  # what -> source_uri that must be refused


def path_tricks(root: Path, recordings: Path, access_db: Path, settings_file: Path, warehouse_file: Path) -> PathTricks:
    """Files and links set up in and around the recording folder, and the URIs that reach for them."""
    recordings.mkdir(parents=True, exist_ok=True)
    good = write_wav(recordings / "good.wav", tone(8000, 0.5), 8000)
    links = {"link-passwd.wav": Path("/etc/passwd"), "link-db.wav": access_db, "link-up": root}
    for name, target in links.items():
        (recordings / name).unlink(missing_ok=True)
        (recordings / name).symlink_to(target)
    (recordings / "db-copy.wav").write_bytes(access_db.read_bytes())
    (recordings / "passwd-copy.wav").write_bytes(Path("/etc/passwd").read_bytes())
    hard = recordings / "hardlink-db.wav"
    hard.unlink(missing_ok=True)
    try:
        os.link(access_db, hard)
    except OSError:  # another file system: a copy stands in
        shutil.copyfile(access_db, hard)
    fifo = recordings / "fifo.wav"
    if not fifo.exists():
        os.mkfifo(fifo)
    (recordings / "folder.wav").mkdir(exist_ok=True)
    (recordings / "html.mp3").write_text("<script>alert(1)</script>", encoding="utf-8")
    up = os.path.relpath(access_db, recordings)
    tricks = {
        "absolute /etc/passwd": "/etc/passwd",
        "file:///etc/passwd": "file:///etc/passwd",
        "file://localhost/etc/passwd": "file://localhost/etc/passwd",
        "file://host/etc/passwd": "file://evil.example/etc/passwd",
        "the user database": str(access_db),
        "the user database as file://": access_db.as_uri(),
        "the settings file": str(settings_file),
        "the warehouse file": str(warehouse_file),
        "../ out of the roots": f"{recordings}/{up}",
        "../ to /etc/passwd": f"{recordings}/../../../../../../../../etc/passwd",
        "file:// with ../": f"file://{recordings}/{up}",
        "file:// with %2e%2e": f"file://{recordings}/%2e%2e/{'/'.join(Path(up).parts[1:])}",
        "relative ../": f"{os.path.relpath(recordings, Path.cwd())}/{up}",
        "symlink to /etc/passwd named .wav": str(recordings / "link-passwd.wav"),
        "symlink to the user database named .wav": str(recordings / "link-db.wav"),
        "symlinked folder out of the roots": str(recordings / "link-up" / access_db.relative_to(root)),
        "hard link to the user database named .wav": str(hard),
        "copy of the user database named .wav": str(recordings / "db-copy.wav"),
        "copy of /etc/passwd named .wav": str(recordings / "passwd-copy.wav"),
        "html named .mp3": str(recordings / "html.mp3"),
        "fifo named .wav": str(fifo),
        "folder named .wav": str(recordings / "folder.wav"),
        "/proc/self/environ": "/proc/self/environ",
        "/dev/zero": "/dev/zero",
        "home folder": "~/.ssh/id_rsa",
        "NUL byte": f"{good}\x00.txt",
        "file:// with %00": f"{good.as_uri()}%00.txt",
        "http URL": "http://evil.example/x.wav",
        "data URI": "data:audio/wav;base64,UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=",
        "UNC path": "\\\\evil.example\\share\\x.wav",
        "very long path": f"{recordings}/{'a' * 5000}.wav",
    }
    return PathTricks(good=str(good), tricks=tricks)


# --- audit tampering ----------------------------------------------------------------------------


def copy_store(store: Path, into: Path) -> Path:
    """A consistent copy of the access store (SQLite's backup) with its audit key folder beside it."""
    into.mkdir(parents=True, exist_ok=True)
    copy = into / store.name
    src, dst = sqlite3.connect(store), sqlite3.connect(copy)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    shutil.copytree(audit.audit_key_dir(store), audit.audit_key_dir(copy))
    return copy


def _sql(store: Path, sql: str, *params) -> None:
    con = sqlite3.connect(store)
    try:
        con.execute(sql, params)
        con.commit()
    finally:
        con.close()


def _rows(store: Path) -> list[sqlite3.Row]:
    con = sqlite3.connect(store)
    con.row_factory = sqlite3.Row
    try:
        return con.execute("SELECT * FROM audit_log ORDER BY entry_id").fetchall()
    finally:
        con.close()


def _rewrite_chain(store: Path, sign: Callable[[bytes], str]) -> None:
    """What someone who can write the store does to hide an edit: recompute every entry's hash."""
    prev = audit.GENESIS_HASH
    con = sqlite3.connect(store)
    try:
        for r in _rows(store):
            body = json.dumps([prev, r["at"], r["username"], r["role"], r["action"], r["call_id"], r["detail"]],
                              ensure_ascii=False, separators=(",", ":")).encode()
            entry = sign(body)
            con.execute("UPDATE audit_log SET prev_hash = ?, entry_hash = ? WHERE entry_id = ?", (prev, entry, r["entry_id"]))
            prev = entry
        con.commit()
    finally:
        con.close()


def _forge_head(store: Path) -> None:
    """Delete the newest entry and write a head that counts what is left (without the key)."""
    rows = _rows(store)
    _sql(store, "DELETE FROM audit_log WHERE entry_id = ?", rows[-1]["entry_id"])
    head = audit.audit_key_dir(store) / "audit.head"
    saved = json.loads(head.read_text())
    head.write_text(json.dumps(saved | {"entries": len(rows) - 1, "last_entry_id": rows[-2]["entry_id"], "last_mac": rows[-2]["entry_hash"]}))


def _middle(store: Path) -> int:
    rows = _rows(store)
    return rows[len(rows) // 2]["entry_id"]


def _newest(store: Path, n: int) -> int:
    return _rows(store)[-n]["entry_id"]


AUDIT_TAMPERING: dict[str, Callable[[Path], None]] = {
    "edit an entry": lambda s: _sql(s, "UPDATE audit_log SET call_id = 'someone-else' WHERE entry_id = ?", _middle(s)),
    "edit who did it": lambda s: _sql(s, "UPDATE audit_log SET username = 'admin' WHERE entry_id = ?", _middle(s)),
    "delete the newest entry": lambda s: _sql(s, "DELETE FROM audit_log WHERE entry_id >= ?", _newest(s, 1)),
    "delete the newest 3 entries": lambda s: _sql(s, "DELETE FROM audit_log WHERE entry_id >= ?", _newest(s, 3)),
    "delete every entry": lambda s: _sql(s, "DELETE FROM audit_log"),
    "delete an entry in the middle": lambda s: _sql(s, "DELETE FROM audit_log WHERE entry_id = ?", _middle(s)),
    "rewrite the chain unkeyed after an edit": lambda s: (
        _sql(s, "UPDATE audit_log SET call_id = 'someone-else' WHERE entry_id = ?", _middle(s)),
        _rewrite_chain(s, lambda b: hashlib.sha256(b).hexdigest())),
    "rewrite the chain with another key after an edit": lambda s: (
        _sql(s, "UPDATE audit_log SET call_id = 'someone-else' WHERE entry_id = ?", _middle(s)),
        _rewrite_chain(s, lambda b: audit.MAC_PREFIX + hmac.new(b"not the key", b, hashlib.sha256).hexdigest())),
    "delete the head": lambda s: (audit.audit_key_dir(s) / "audit.head").unlink(),
    "forge the head after deleting the newest entry": _forge_head,
    "delete the key": lambda s: (audit.audit_key_dir(s) / "audit.key").unlink(),
    "swap two entries' contents": lambda s: (
        _sql(s, "UPDATE audit_log SET action = 'view_call', call_id = 'swapped' WHERE entry_id = ?", _newest(s, 2)),
        _sql(s, "UPDATE audit_log SET action = 'logout' WHERE entry_id = ?", _newest(s, 1))),
}

"""A stored call keeps its recording: the sink's side of "a call id names one recording" (issue 19).

The ASR stage refuses a different recording under a call id only while it remembers the id, in
memory; after a restart, or days later, a second recording sent under an explicit sidecar call id
is transcribed and inspected, and its messages would replace the first call's rows. The calls row
keeps the recording it was stored from (``CallMeta.recording_sha256``, in calls), so a
transcript (partial or final) or an inspection naming another recording is refused before the
batch is written. Within a batch the first recording named for a new call holds it, as the bus
order says. A message that names no recording (older producers, imported transcripts) cannot be
told apart and is written as before; a call stored without one takes the first one named.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb

from hotline.contracts import CallInspected, Contract, TranscriptReady
from hotline.warehouse import sqlfiles


def _named_recording(msg: Contract) -> str | None:
    if isinstance(msg, (TranscriptReady, CallInspected)):
        return msg.meta.recording_sha256
    return None


def stored_recordings(con: duckdb.DuckDBPyConnection, messages: Sequence[Contract]) -> dict[str, str]:
    """Call id -> the recording it is stored from, for the calls whose messages here name one."""
    call_ids = sorted({msg.call_id for msg in messages if _named_recording(msg) is not None})
    if not call_ids:
        return {}
    rows = con.sql(sqlfiles.load("stored_recordings", "internal"), params={"call_ids": call_ids}).fetchall()
    return dict(rows)


def colliding(messages: Sequence[Contract], stored: dict[str, str]) -> dict[int, str]:
    """Position -> the recording holding the call id, of each message naming a different one."""
    holders = dict(stored)
    refused: dict[int, str] = {}
    for i, msg in enumerate(messages):
        recording = _named_recording(msg)
        if recording is None:
            continue
        holder = holders.setdefault(msg.call_id, recording)
        if holder != recording:
            refused[i] = holder
    return refused


def collision_reason(msg: TranscriptReady | CallInspected, holder: str) -> str:
    """Why the message is refused, naming both recordings (the dead letter's reason)."""
    if isinstance(msg, TranscriptReady):
        what = "final transcript" if msg.is_final else "partial transcript"
    else:
        what = "inspection"
    return (
        f"call id {msg.call_id} is stored from recording sha256:{holder}; this {what} is of a different recording, "
        f"sha256:{msg.meta.recording_sha256} ({msg.meta.source_uri or 'source not given'}). Refused by the sink so "
        "that it does not replace the stored call: send the recording again under a call id of its own"
    )

"""Give each word of a mono transcript to the speaker talking at that moment, re-cutting segments.

A Whisper segment can run across a change of speaker (the caller starts while the agent's sentence
ends): the words decide, each by its time overlap with the diarizer's turns, and a segment is cut
wherever consecutive words change speaker.
"""

from __future__ import annotations

from collections.abc import Sequence

from hotline.contracts import Segment, Word

from .diarization import SpeakerTurn


def speaker_at(start_s: float, end_s: float, turns: Sequence[SpeakerTurn]) -> int | None:
    """The speaker overlapping [start_s, end_s] most; the nearest turn's when none overlaps."""
    if not turns:
        return None
    overlap: dict[int, float] = {}
    for t in turns:
        o = min(end_s, t.end_s) - max(start_s, t.start_s)
        if o > 0:
            overlap[t.speaker] = overlap.get(t.speaker, 0.0) + o
    if overlap:
        return max(overlap, key=overlap.get)
    mid = (start_s + end_s) / 2
    nearest = min(turns, key=lambda t: 0.0 if t.start_s <= mid <= t.end_s else min(abs(t.start_s - mid), abs(t.end_s - mid)))
    return nearest.speaker


def split_by_speaker(segments: Sequence[Segment], turns: Sequence[SpeakerTurn]) -> list[tuple[Segment, int | None]]:
    """(segment, diarizer speaker index) pairs; segments whose words change speaker are cut between them."""
    out: list[tuple[Segment, int | None]] = []
    for seg in segments:
        if not seg.words:
            out.append((seg, speaker_at(seg.start_s, seg.end_s, turns)))
            continue
        owners = [speaker_at(w.start_s, w.end_s, turns) for w in seg.words]
        if len(set(owners)) == 1:
            out.append((seg, owners[0]))
            continue
        groups: list[tuple[int | None, list[Word]]] = []
        for word, owner in zip(seg.words, owners):
            if not groups or groups[-1][0] != owner:
                groups.append((owner, []))
            groups[-1][1].append(word)
        for owner, words in groups:
            out.append((
                seg.model_copy(update={
                    "start_s": words[0].start_s,
                    "end_s": max(words[-1].end_s, words[0].start_s),
                    "text": join_words(words),
                    "words": tuple(words),
                }),
                owner,
            ))
    return out


def join_words(words: Sequence[Word]) -> str:
    """Chinese words join as they are; two Latin/digit words keep a space between them."""
    text = ""
    for w in words:
        if text and text[-1].isascii() and text[-1].isalnum() and w.text[:1].isascii() and w.text[:1].isalnum():
            text += " "
        text += w.text
    return text

"""Pure helpers of the call explorer: evidence highlighted in a transcript line, the recording's bytes.

No Streamlit here, so they are tested directly.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

# A transcript line is outside text: shown as text, its URLs never links (dashboards/plain.py).
from hotline.dashboards.plain import markdown_text as escape_markdown
from hotline.settings import Settings


def highlight(text: str, evidence: list[str], alerts: list[str] = ()) -> str:
    """The line as markdown, each evidence quote on an orange and each alert quote on a red background.

    Quotes are matched verbatim (the inspection verified them against this very transcript);
    where two overlap, the longer wins.
    """
    marks: list[tuple[int, int, str]] = []
    for colour, quotes in (("red", alerts), ("orange", evidence)):
        for quote in sorted({q for q in quotes if q}, key=len, reverse=True):
            start = text.find(quote)
            while start >= 0:
                end = start + len(quote)
                if not any(s < end and start < e for s, e, _ in marks):
                    marks.append((start, end, colour))
                start = text.find(quote, end)
    out, pos = [], 0
    for start, end, colour in sorted(marks):
        out.append(escape_markdown(text[pos:start]))
        out.append(f":{colour}-background[{escape_markdown(text[start:end])}]")
        pos = end
    out.append(escape_markdown(text[pos:]))
    return "".join(out)


class RecordingRefused(Exception):
    """A call's recording that is not served, and why (logged and audited, never shown as a path)."""


@dataclass(frozen=True)
class Recording:
    path: Path  # resolved
    data: bytes
    mime: str


def _is_wav(head: bytes) -> bool:
    return head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE"


def _is_mpeg_audio(head: bytes) -> bool:  # an ID3 tag, or an MPEG audio frame's sync word
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _is_adts(head: bytes) -> bool:
    return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xF6 == 0xF0)


# What a browser plays, by file name ending: its MIME type and what its first bytes must be.
AUDIO_TYPES: dict[str, tuple[str, Callable[[bytes], bool]]] = {
    ".wav": ("audio/wav", _is_wav),
    ".mp3": ("audio/mpeg", _is_mpeg_audio),
    ".flac": ("audio/flac", lambda head: head[:4] == b"fLaC"),
    ".ogg": ("audio/ogg", lambda head: head[:4] == b"OggS"),
    ".opus": ("audio/ogg", lambda head: head[:4] == b"OggS"),
    ".m4a": ("audio/mp4", lambda head: head[4:8] == b"ftyp"),
    ".aac": ("audio/aac", _is_adts),
}


def recording_roots(s: Settings) -> tuple[Path, ...]:
    """The folders recordings may be played from: configured ones, the ones ingest reads, the sample calls."""
    return (*s.dashboard.audio_roots, *s.jobs.audio_dirs, s.samples.out_dir)


def _local_path(source_uri: str | None) -> Path:
    if not source_uri:
        raise RecordingRefused("no recording location")
    parsed = urlparse(source_uri)
    if parsed.scheme == "file" and parsed.netloc in ("", "localhost"):
        path = unquote(parsed.path)
    elif parsed.scheme == "" or len(parsed.scheme) == 1:  # a plain path (a Windows drive looks like a scheme)
        path = source_uri
    else:
        raise RecordingRefused(f"not a local file ({parsed.scheme}:)")
    # No file name holds a NUL: the OS would refuse it with a ValueError that would end the page.
    if "\x00" in path:
        raise RecordingRefused("not a valid file name (NUL)")
    return Path(path)


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path.is_relative_to(root) for root in roots)


def load_recording(source_uri: str | None, roots: tuple[Path, ...], *, max_bytes: int) -> Recording:
    """The bytes of a call's recording, only when it is a real audio file inside one of ``roots``.

    Symlinks and ".." are resolved before the check, the file is opened without following a
    link and checked again by what was opened, and its first bytes must be of the type its name
    says. The caller has checked that the user may hear this call. Raises RecordingRefused.
    """
    path = _local_path(source_uri)
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        raise RecordingRefused("the file is missing") from exc
    resolved_roots = [root.resolve() for root in roots if root.is_dir()]
    if not _inside(real, resolved_roots):
        raise RecordingRefused("outside the recording folders")
    kind = AUDIO_TYPES.get(real.suffix.lower())
    if kind is None:
        raise RecordingRefused(f"not a playable audio type ({real.suffix or 'no extension'})")
    mime, looks_right = kind
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise RecordingRefused("the file cannot be opened") from exc
    try:
        info = os.fstat(fd)
        opened = Path(f"/proc/self/fd/{fd}")
        # A folder on the way swapped for a link between the check and the open shows here.
        if opened.is_symlink() and not _inside(Path(os.readlink(opened)), resolved_roots):
            raise RecordingRefused("outside the recording folders")
        if not stat.S_ISREG(info.st_mode):
            raise RecordingRefused("not a regular file")
        if info.st_size > max_bytes:
            raise RecordingRefused(f"larger than {max_bytes} bytes")
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RecordingRefused(f"larger than {max_bytes} bytes")
    if not looks_right(data[:16]):
        raise RecordingRefused(f"its content is not {mime}")
    return Recording(real, data, mime)

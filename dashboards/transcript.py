"""Pure helpers of the call explorer: evidence highlighted in a transcript line, the recording's file.

No Streamlit here, so they are tested directly.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

# Characters Streamlit's markdown would read as formatting (masked text is full of "*").
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:<>$])")


def escape_markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


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


def audio_path(source_uri: str | None) -> Path | None:
    """The local file a call's recording sits in, or None (no URI, a remote one, or a missing file)."""
    if not source_uri:
        return None
    parsed = urlparse(source_uri)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
    elif parsed.scheme in ("",) or len(parsed.scheme) == 1:  # a plain path (a Windows drive looks like a scheme)
        path = Path(source_uri)
    else:
        return None
    return path if path.is_file() else None

"""Text that came from outside (callers' words, work-order fields, model answers, reviewers'
reasons) shown as text wherever a page writes markdown.

Backslash escapes stop markdown's syntax (links, images, emphasis, headings, tables, math,
Streamlit's :colour[...] directives). They do not stop Streamlit's text-level rewrites, which run
on the text after escapes are resolved: GFM's literal autolinks (http://…, www.…, a@b.cn) and
emoji shortcodes (:smile:). Those are broken up with a WORD JOINER (U+2060): invisible, never a
line break, and not a character either pattern accepts.
"""

from __future__ import annotations

import re

WORD_JOINER = "\u2060"
# Where a text-level rewrite would match: after any ':' (http://, :smile:, :material/…:), after
# '@' (an e-mail address), between 'www' and its '.'.
_REWRITE_SEED = re.compile(r"(?<=[:@])|(?<=www)(?=\.)", re.IGNORECASE)
# CommonMark lets any ASCII punctuation be escaped; escaping all of it leaves no syntax to find.
_ASCII_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# Indentation at the start of a line would open a code block: as character references it is text.
_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)


def markdown_text(value: object) -> str:
    """``value`` as markdown that renders exactly its text (None as an empty string).

    Line breaks stay line breaks (hard breaks, so a blank line cannot start a new block).
    """
    if value is None:
        return ""
    text = _ASCII_PUNCTUATION.sub(r"\\\1", _REWRITE_SEED.sub(WORD_JOINER, str(value)))
    text = _INDENT.sub(lambda m: "".join(f"&#{ord(c)};" for c in m.group(0)), text)
    return re.sub(r"\r\n?|\n", "\\\\\n", text)

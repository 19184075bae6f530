"""Text that came from outside (callers' words, work-order fields, model answers, reviewers'
reasons) shown as text wherever a page writes markdown.

Backslash escapes stop markdown's syntax (links, images, emphasis, headings, tables, math,
Streamlit's :colour[...] directives). They do not stop Streamlit's text-level rewrites, which run
on the text after escapes are resolved: GFM's literal autolinks (http://…, www.…, a@b.cn) and
emoji shortcodes (:smile:). Those are broken up with a WORD JOINER (U+2060): invisible, never a
line break, and not a character either pattern accepts.

Plotly is the other renderer: it draws a subset of HTML (<a href>, <b>, <br>, <span style> ...) in
titles, tick labels, legends and hover text, and decodes entities. ``plot_text`` escapes a label
for it; the figure functions (dashboards/*figures.py) pass every outside string through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def plot_text(value: object) -> str | None:
    """``value`` as plotly text that shows exactly its characters (None stays None: a gap, as before).

    Plotly resolves &amp;, &lt;, &gt; (and numeric references) after reading its tags, so escaping
    those three characters leaves no tag for it to find and shows a literal "&lt;" as typed.
    """
    if value is None:
        return None
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plot_texts(values: Iterable[object]) -> list[str | None]:
    """Each of ``values`` through plot_text (a column of labels)."""
    return [plot_text(v) for v in values]

"""Hostile text, shared by the tests and bench.adversarial (one corpus, not copies).

* Numbers as they are said and typed (phone, ID and bank-card numbers in every spoken and written
  form) that must be masked for a role without ``see_pii``, and ordinary text with numbers that
  must stay readable; ``leaks`` names the corpus numbers whose digits can still be read in a text.
* Markdown and HTML that must be shown as text, and ``rendered``: what a browser shows of a
  markdown string (markdown-it, CommonMark as the browser's parser, plus the text-level rewrites
  Streamlit's renderer runs afterwards on the resolved text: GFM literal autolinks, with its own
  patterns copied below, and emoji shortcodes).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from hotline.dashboards.plain import WORD_JOINER

# --- numbers -----------------------------------------------------------------------------------

# (as said or typed, its digits): each a different number, so a leak names its form.
MUST_MASK = [
    ("139，1234，5678", "13912345678"),
    ("138,2345,6789", "13823456789"),
    ("137 3456 7890", "13734567890"),
    ("136-4567-8901", "13645678901"),
    ("135 - 5678 - 9012", "13556789012"),
    ("134、6789、0123", "13467890123"),
    ("010.6512.3456", "01065123456"),
    ("(021) 6234 5678", "02162345678"),
    ("（0755）83456789", "075583456789"),
    ("零幺零杠六五幺二三四五七", "01065123457"),
    ("一三九，一二三四，五六七九", "13912345679"),
    ("幺三八 两三四五 六七八九", "13823456789"),
    ("一八六〇〇〇〇一二三四", "18600001234"),
    ("159一二三四5670", "15912345670"),
    ("１５８１２３４５６７１", "15812345671"),
    ("110101199003071234", "110101199003071234"),
    ("11010519491231002X", "11010519491231002"),
    ("440301 19800101 123x", "44030119800101123"),
    ("6222 0212 3456 7890 123", "6222021234567890123"),
]
# Ordinary text an analyst must still read as it is.
KEEP = [
    "2024年5月3日来电",
    "2024-05-03 至 2024.5.7 多次反映",
    "欠薪1,234,567元未付",
    "罚款3500元，押金12000元",
    "补贴1234567元",
    "上涨了12.5%",
    "12345热线，工号1001",
    "营业时间8.30-17.30",
    "等了3天，打了2次",
    "第1、2、3条",
    "车牌京A12345",
    "10:30到11:45之间",
]
CHINESE_DIGITS = str.maketrans("零〇○幺一二两三四五六七八九０１２３４５６７８９", "000112234567890123456789")


def digits_of(text: str) -> str:
    return re.sub(r"\D", "", text.translate(CHINESE_DIGITS))


def leaks(text: str) -> list[str]:
    """The corpus numbers whose digits can still be read in ``text``."""
    seen = digits_of(text)
    return [said for said, number in MUST_MASK if number in seen]


def strings_in(value) -> list[str]:
    """Every string inside a value read from a frame (lists and structs at any depth)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings_in(v)]
    return []


# --- markup ------------------------------------------------------------------------------------

IMAGE_LINK = "![wo](http://evil.example/x.png)[点此处理](http://evil.example/go)"
HOSTILE = (
    IMAGE_LINK,
    "详见 http://evil.example/a?b=1 或 www.evil.example",
    "联系 someone@evil.example 处理",
    "**加急** _下划线_ ~~删除~~ `代码` <b>粗</b> <img src=x onerror=alert(1)>",
    ":red[红字] :smile: :material/home: $x^2$",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "# 标题\n- 列表\n1. 编号\n> 引用",
    "第一行\n\n    缩进的代码\n===",
)

_PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Streamlit's renderer (mdast-util-gfm-autolink-literal, remark-emoji) on text nodes.
_AUTOLINK = re.compile(r"(https?://|www(?=\.))([-.\w]+)", re.IGNORECASE)
_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
# (names of digits only left out: a clock, 12:00:00, is no emoji)
_EMOJI = re.compile(r":\+1:|:-1:|:(?![0-9]+:)[\w-]+:")
_MARKUP_TOKENS = {"link_open", "image", "html_inline", "html_block", "heading_open", "code_block", "fence", "code_inline", "table_open", "s_open"}


def rendered(source: str) -> tuple[str, list[str]]:
    """What a browser shows of markdown ``source``: its text, and every markup the text became."""
    markup: list[str] = []
    text: list[str] = []
    for block in _PARSER.parse(source):
        if block.type in _MARKUP_TOKENS:
            markup.append(block.type)
        for token in block.children or ():
            if token.type in _MARKUP_TOKENS:
                markup.append(token.type)
            elif token.type in ("softbreak", "hardbreak"):
                text.append("\n")
            elif token.type == "text":
                content = token.content
                markup += [f"autolink {m.group(0)}" for m in _AUTOLINK.finditer(content) if m.start() == 0 or not content[m.start() - 1].isalnum()]
                markup += [f"email {m.group(0)}" for m in _EMAIL.finditer(content)]
                markup += [f"emoji {m.group(0)}" for m in _EMOJI.finditer(content)]
                text.append(content.replace(WORD_JOINER, ""))
        if block.type == "paragraph_close":
            text.append("\n")
    return "".join(text).strip("\n"), markup


def page_markdown(at) -> list[str]:
    """Every string a page (a Streamlit AppTest after a run) handed Streamlit's markdown renderer."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [w.value for w in at.warning] + [e.label for e in at.expander]
    parts += [md.value for c in at.chat_message for md in c.markdown]
    return parts

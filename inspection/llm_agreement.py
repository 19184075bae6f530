"""What each judge model's answers are worth, as measured: shown beside every LLM-judged item.

The figures live in llm_agreement.yaml, written from bench.eval_inspection runs (the file says
which command, which sets and how many items). An item no labelled set covers is shown as
unmeasured: a small model's verdict is a judgement to check, not a fact.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

UNMEASURED = "未经人工标注数据测量，仅供参考"


@lru_cache(maxsize=1)
def _table() -> dict:
    text = resources.files("hotline.inspection").joinpath("llm_agreement.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text) or {}


def agreement_note(model: str | None, item: str) -> str:
    """'measured …' for this model and item, or why there is no figure."""
    entry = (_table().get("models") or {}).get(model or "")
    if entry is None:
        return f"模型 {model or '未知'}：{UNMEASURED}"
    figure = (entry.get("items") or {}).get(item)
    return f"模型 {model}：{figure}（{entry['measured']}）" if figure else f"模型 {model}：{UNMEASURED}"

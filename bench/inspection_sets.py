"""Readers for the evaluation sets bench.eval_inspection uses (all under ../shared/data, evaluation only).

Each reader returns plain records and never copies text into the project. A missing file returns
None so the benchmark reports null for that figure and says it was skipped.
"""

from __future__ import annotations

import csv
import gzip
import json
import random
from dataclasses import dataclass
from pathlib import Path

from hotline.contracts import Segment

# Our taxonomy's top level -> TipDM 2020's 7 labelled top-level classes. 公用事业 (water, power,
# gas) and 物业管理 sit under 城乡建设 in TipDM's own 3-level taxonomy (附件1: 城乡建设 / 城市建设和市政管理 /
# 燃气供应; 城乡建设 / 住房保障与房地产 / 物业服务). 表扬建议 has no TipDM class: a message suggested there is wrong.
TIPDM_TOP_LEVEL = {
    "城乡建设": "城乡建设",
    "公用事业": "城乡建设",
    "物业管理": "城乡建设",
    "环境保护": "环境保护",
    "劳动和社会保障": "劳动和社会保障",
    "交通运输": "交通运输",
    "教育文体": "教育文体",
    "卫生计生": "卫生计生",
    "商贸旅游": "商贸旅游",
    "表扬建议": None,
}
# Roughly how fast people speak Mandarin; only used to give text-only turns plausible times.
_CHARS_PER_S = 4.0


@dataclass(frozen=True)
class Labelled:
    key: str
    text: str
    label: str


@dataclass(frozen=True)
class Dialogue:
    key: str
    segments: tuple[Segment, ...]
    # Mean of the annotators' A (task accomplishment), S (satisfaction), E (effectiveness), -2..2.
    scores: dict[str, float]


def _sample(rows: list, limit: int | None, seed: int) -> list:
    if limit is None or limit >= len(rows):
        return rows
    return random.Random(seed).sample(rows, limit)


def segments_from_turns(turns: list[tuple[str, str]]) -> tuple[Segment, ...]:
    """Text-only turns -> segments with times spaced as speech would be."""
    out, t = [], 0.0
    for speaker, text in turns:
        text = text.strip()
        if not text:
            continue
        dur = max(len(text) / _CHARS_PER_S, 0.5)
        out.append(Segment(speaker=speaker, start_s=round(t, 2), end_s=round(t + dur, 2), text=text))  # type: ignore[arg-type]
        t += dur + 0.6
    return tuple(out)


def read_tipdm(data: Path, limit: int | None, seed: int) -> list[Labelled] | None:
    path = data / "tipdm2020_gov_messages" / "attachment2_messages_with_level1_label_sample495.csv"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as f:
        rows = [
            Labelled(key=r["留言编号"], text=(r["留言主题"].strip() + "。" + " ".join(r["留言详情"].split())), label=r["一级分类"].strip())
            for r in csv.DictReader(f)
        ]
    return _sample(rows, limit, seed)


def read_waimai(data: Path, limit: int | None, seed: int) -> list[Labelled] | None:
    return _read_reviews(data / "chinese_sentiment" / "waimai_10k.csv", limit, seed)


def read_chnsenticorp(data: Path, limit: int | None, seed: int) -> list[Labelled] | None:
    """ChnSentiCorp hotel reviews (label 1 positive, 0 negative), the same columns as waimai_10k."""
    return _read_reviews(data / "chinese_sentiment" / "ChnSentiCorp_htl_all.csv", limit, seed)


def _read_reviews(path: Path, limit: int | None, seed: int) -> list[Labelled] | None:
    if not path.is_file():
        return None
    with path.open(encoding="utf-8", newline="") as f:
        rows = [Labelled(key=str(i), text=r["review"], label=r["label"]) for i, r in enumerate(csv.DictReader(f)) if r["review"].strip()]
    return _sample(rows, limit, seed)


def read_stc3(data: Path, limit: int | None, seed: int) -> list[Dialogue] | None:
    path = data / "stc3_helpdesk_quality" / "train_data_cn.json.gz"
    if not path.is_file():
        return None
    with gzip.open(path, "rt", encoding="utf-8") as f:
        raw = json.load(f)
    out = []
    for d in raw:
        turns = [("caller" if t["sender"] == "customer" else "agent", " ".join(t["utterances"])) for t in d["turns"]]
        anns = [a["quality"] for a in d["annotations"]]
        scores = {k: sum(a[k] for a in anns) / len(anns) for k in ("A", "S", "E")}
        out.append(Dialogue(key=str(d["id"]), segments=segments_from_turns(turns), scores=scores))
    return _sample(out, limit, seed)


def read_mobilecs(data: Path) -> list[tuple[str, tuple[Segment, ...]]] | None:
    """The 10 real China Mobile calls: [SPEAKER 1] is the agent (the turns its 客服意图 annotates)."""
    path = data / "mobilecs_callcenter" / "mobilecs1_example_10dialogs.json"
    if not path.is_file():
        return None
    dialogs = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for d in dialogs:
        turns = []
        for turn in d["content"]:
            # Each record pairs one utterance of each speaker, in the order they spoke.
            for key, text in turn.items():
                if key == "[SPEAKER 1]":
                    turns.append(("agent", text))
                elif key == "[SPEAKER 2]":
                    turns.append(("caller", text))
        out.append((d["id"], segments_from_turns(turns)))
    return out

"""The agent's attitude (服务态度) without an LLM: service-taboo rules first, then nearest prototypes.

Each agent turn gets polite / neutral / impatient / rude. The scorecard's own 服务忌语 phrases
decide first (abuse -> rude; impatience or shirking -> impatient), with the phrase quoted; then
courtesy phrases (您好, 请您, 抱歉 ...) make a turn polite. The remaining turns are compared with
invented prototype sentences (attitude_prototypes.yaml) with the categoriser's embedding model;
a prototype may only call a turn impatient or rude by a clear margin, because e5's similarities
sit in a narrow band and a false accusation costs an agent more than a missed one.
Overall: rude if any turn is rude by rule (one abuse is one too many); impatient if a rule found
impatience or at least two turns read impatient or rude; else polite when at least a third of the
agent's turns are polite; else neutral. There are no attitude labels to measure this against:
bench.eval_inspection reports the distribution on real calls (MobileCS) for spot checks.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hotline.contracts import AgentAttitude, AttitudeLabel, Evidence, Segment, TurnAttitude

from .config_file import load_config_file
from .evidence import quote_segment, verify_evidence
from .scorecard import ForbiddenPhraseParams, Scorecard
from .textmatch import find_phrases

PACKAGED_PROTOTYPES = "attitude_prototypes.yaml"
LABELS: tuple[str, ...] = get_args(AttitudeLabel)
# Which attitude a class of the scorecard's forbidden phrases shows; unknown classes count as impatient.
TABOO_ATTITUDE = {"abuse": "rude", "impatience": "impatient", "shirking": "impatient"}
COURTESY = ("您好", "请您", "麻烦您", "不好意思", "抱歉", "对不起", "感谢您", "谢谢您", "理解您", "您别着急", "请放心", "您放心", "辛苦您", "感谢来电", "感谢您的来电")
# A prototype must beat the runner-up by this much to call a turn impatient or rude.
NEGATIVE_MARGIN = 0.015
MIN_TURN_CHARS = 4
MAX_TURN_CHARS = 200
SEVERITY = {"polite": 0, "neutral": 1, "impatient": 2, "rude": 3}
_CLAUSE_END = re.compile(r"[，。！？；,.!?;]")

Embed = Callable[[Sequence[str]], np.ndarray]


class AttitudePrototypesError(ValueError):
    pass


class AttitudePrototypes(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Annotated[str, Field(min_length=1, max_length=32)]
    labels: dict[AttitudeLabel, tuple[Annotated[str, Field(min_length=2)], ...]]


def load_attitude_prototypes(path: Path | None = None) -> AttitudePrototypes:
    protos, source = load_config_file(
        AttitudePrototypes, path, packaged=PACKAGED_PROTOTYPES, what="attitude prototypes", error=AttitudePrototypesError,
        not_found=f"attitude prototypes file not found: {path}",
    )
    missing = [label for label in LABELS if not protos.labels.get(label)]
    if missing:
        raise AttitudePrototypesError(f"attitude prototypes {source}: no sentences for {', '.join(missing)}")
    return protos


def _content(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _clause(seg: Segment, start: int, end: int) -> Evidence:
    """The clause around characters [start, end): the phrase with enough context to judge it."""
    before = [m.end() for m in _CLAUSE_END.finditer(seg.text, 0, start)]
    after = _CLAUSE_END.search(seg.text, end)
    return quote_segment(seg, before[-1] if before else 0, after.start() if after else len(seg.text))


def taboo_phrases(scorecard: Scorecard) -> ForbiddenPhraseParams | None:
    item = scorecard.item("forbidden_phrase")
    return item.params if item is not None and isinstance(item.params, ForbiddenPhraseParams) else None


def rule_attitude(seg: Segment, taboo: ForbiddenPhraseParams | None) -> tuple[str, str, Evidence] | None:
    """(label, reason, quote) when a service-taboo or courtesy phrase decides the turn, else None."""
    worst: tuple[str, str, Evidence] | None = None
    if taboo is not None:
        for cls_name, cls in taboo.classes.items():
            label = TABOO_ATTITUDE.get(cls_name, "impatient")
            for hit in find_phrases(seg.text, cls.phrases):
                if worst is None or SEVERITY[label] > SEVERITY[worst[0]]:
                    worst = (label, f"服务忌语（{cls_name}）：{hit.quote}", _clause(seg, hit.start, hit.end))
    if worst is not None:
        return worst
    for hit in find_phrases(seg.text, COURTESY):
        return ("polite", f"礼貌用语：{hit.quote}", _clause(seg, hit.start, hit.end))
    return None


class AttitudeClassifier:
    """Rules, then nearest prototypes; borrows an embedding function (the categoriser's model)."""

    def __init__(self, prototypes: AttitudePrototypes, embed: Embed | None, *, k: int = 3):
        self.prototypes = prototypes
        self.k = k
        self._embed = embed
        pairs = [(label, t) for label, texts in prototypes.labels.items() for t in texts]
        self._texts = [t for _, t in pairs]
        self._rows = {label: [i for i, (lab, _) in enumerate(pairs) if lab == label] for label in LABELS}
        self._lock = threading.Lock()
        self._matrix: np.ndarray | None = None

    @property
    def method(self) -> str:
        if self._embed is None:
            return "rules:forbidden_phrase+courtesy"
        return f"rules+nearest-prototypes:multilingual-e5-small:prototypes-{self.prototypes.version}:k{self.k}"

    def _scores(self, texts: Sequence[str]) -> np.ndarray:
        assert self._embed is not None
        with self._lock:
            if self._matrix is None:
                self._matrix = self._embed(self._texts)
        sims = self._embed([t[:MAX_TURN_CHARS] for t in texts]) @ self._matrix.T
        return np.stack([np.sort(sims[:, self._rows[label]], axis=1)[:, -self.k:].mean(axis=1) for label in LABELS], axis=1)

    def _prototype_label(self, row: np.ndarray) -> tuple[str, float]:
        order = np.argsort(-row)
        label, margin = LABELS[int(order[0])], float(row[order[0]] - row[order[1]])
        if SEVERITY[label] >= SEVERITY["impatient"] and margin < NEGATIVE_MARGIN:
            # Not clear enough to accuse the agent: the best of the other two.
            label = max(("polite", "neutral"), key=lambda lab: row[LABELS.index(lab)])
        return label, margin

    def agent_attitude(self, segments: Sequence[Segment], scorecard: Scorecard) -> AgentAttitude | None:
        """Per-turn and overall attitude of the agent's turns; None when no agent turn is known."""
        turns = sorted((s for s in segments if s.speaker == "agent" and s.text.strip()), key=lambda s: s.start_s)
        if not turns:
            return None
        taboo = taboo_phrases(scorecard)
        decided: list[tuple[str, str, Evidence | None, bool]] = []  # label, reason, quote, by rule
        open_turns = []
        for i, seg in enumerate(turns):
            ruled = rule_attitude(seg, taboo)
            if ruled is not None:
                decided.append((ruled[0], ruled[1], ruled[2], True))
            else:
                decided.append(("neutral", "短句", None, False))
                if self._embed is not None and len(_content(seg.text)) >= MIN_TURN_CHARS:
                    open_turns.append(i)
        if open_turns:
            for i, row in zip(open_turns, self._scores([turns[i].text.strip() for i in open_turns])):
                label, margin = self._prototype_label(row)
                decided[i] = (label, f"相近样例：{label}（差值 {margin:.3f}）", quote_segment(turns[i]), False)
        overall = _overall(decided)
        support = [(i, d) for i, d in enumerate(decided) if d[0] == overall and d[2] is not None]
        # Rule quotes first: they name the phrase.
        support.sort(key=lambda x: (not x[1][3], x[0]))
        evidence = tuple(verify_evidence(d[2], segments) for _, d in support[:3] if d[2] is not None)
        return AgentAttitude(
            method=self.method,
            overall=overall,  # type: ignore[arg-type]
            turns=tuple(TurnAttitude(start_s=seg.start_s, end_s=seg.end_s, label=d[0], reason=d[1]) for seg, d in zip(turns, decided)),  # type: ignore[arg-type]
            evidence=evidence,
        )


def _overall(decided: Sequence[tuple[str, str, Evidence | None, bool]]) -> str:
    if any(label == "rude" and by_rule for label, _, _, by_rule in decided):
        return "rude"
    negative = [label for label, _, _, _ in decided if SEVERITY[label] >= SEVERITY["impatient"]]
    if any(label == "impatient" and by_rule for label, _, _, by_rule in decided) or len(negative) >= 2:
        return "impatient"
    polite = sum(label == "polite" for label, _, _, _ in decided)
    return "polite" if polite * 3 >= len(decided) else "neutral"

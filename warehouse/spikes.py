"""Spikes in daily count series, each tested against its own trailing baseline.

For every series (e.g. category × district) and day, the baseline is the mean and variance of
``baseline_days`` days that end ``guard_days`` before it (the day itself and the days just before
it left out, so the second and third day of a surge are still measured against normal days,
not against the surge's own first day). The day's count is tested with the
upper tail of a negative binomial of that mean and variance (a Poisson when the series is not
over-dispersed): p = P(X >= count). A day is a spike when p < ``alpha`` and the count is at least
``min_count``; the expected count, ratio and p-value are kept so a reader sees the figure.
No fixed threshold on counts: a quiet series spikes at 6 calls, a busy one does not at 60.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import polars as pl

TEST_NAME = "negative-binomial upper tail vs trailing baseline"


@dataclass(frozen=True)
class SpikeTest:
    baseline_days: int = 28
    # A series needs this much history before any of its days is tested.
    min_history_days: int = 14
    guard_days: int = 2
    alpha: float = 1e-4
    min_count: int = 5
    # Floor on the baseline mean: a series silent for four weeks still expects "a little".
    min_expected: float = 0.25


def upper_tail_p(count: int, mean: float, var: float) -> float:
    """P(X >= count) for a negative binomial with this mean and variance (Poisson if var <= mean)."""
    if count <= 0:
        return 1.0
    mean = max(mean, 1e-9)
    if var > mean * 1.000001:
        r = mean * mean / (var - mean)
        q = mean / (r + mean)  # chance of a "failure" per trial; pmf(k+1)/pmf(k) = (k+r)/(k+1)*q
        log_pmf = math.lgamma(count + r) - math.lgamma(r) - math.lgamma(count + 1) + r * math.log1p(-q) + count * math.log(q)
        k = np.arange(count, count + _tail_terms(count, mean, var), dtype=np.float64)
        ratios = (k[:-1] + r) / (k[:-1] + 1.0) * q
    else:
        log_pmf = -mean + count * math.log(mean) - math.lgamma(count + 1)
        k = np.arange(count, count + _tail_terms(count, mean, mean), dtype=np.float64)
        ratios = mean / (k[:-1] + 1.0)
    # Sum pmf(count) * (1 + r1 + r1*r2 + ...) in log space: stable for p-values far below 1e-300.
    terms = np.concatenate(([0.0], np.cumsum(np.log(ratios))))
    top = terms.max()
    log_tail = log_pmf + top + math.log(np.exp(terms - top).sum())
    return float(min(1.0, math.exp(log_tail)))


def _tail_terms(count: int, mean: float, var: float) -> int:
    # Enough terms that the rest of the tail is negligible (well past the mean plus many sds).
    return int(max(60, count - mean + 0, 12 * math.sqrt(var) + 40))


def complete_days(daily: pl.DataFrame, keys: list[str], day: str = "day", value: str = "calls") -> pl.DataFrame:
    """Every series on every day from the first day of data to the last, missing days as 0."""
    if daily.is_empty():
        return daily
    days = pl.DataFrame({day: pl.date_range(daily[day].min(), daily[day].max(), "1d", eager=True)})
    series = daily.select(keys).unique()
    grid = series.join(days, how="cross")
    return grid.join(daily, on=[*keys, day], how="left").with_columns(pl.col(value).fill_null(0)).sort([*keys, day])


def score_series(daily: pl.DataFrame, keys: list[str], test: SpikeTest = SpikeTest(), day: str = "day", value: str = "calls") -> pl.DataFrame:
    """Every series-day with its baseline, ratio, p-value and spike flag (days without enough history: p NULL)."""
    full = complete_days(daily.select([*keys, day, value]), keys, day, value)
    if full.is_empty():
        return full.with_columns(
            pl.lit(None, pl.Float64).alias("expected"), pl.lit(None, pl.Float64).alias("baseline_var"),
            pl.lit(None, pl.Float64).alias("p_value"), pl.lit(False).alias("spike"),
        )
    w = test.baseline_days
    shifted = pl.col(value).cast(pl.Float64).shift(1 + test.guard_days).over(keys)
    full = full.with_columns(
        shifted.rolling_mean(w, min_samples=test.min_history_days).over(keys).alias("expected"),
        shifted.rolling_var(w, min_samples=test.min_history_days).over(keys).alias("baseline_var"),
    )
    counts = full[value].to_numpy()
    expected = full["expected"].to_numpy()
    var = full["baseline_var"].to_numpy()
    p = np.full(len(full), np.nan)
    # Only days above their expectation can be spikes; the rest keep p NULL (not tested upward).
    for i in np.flatnonzero(~np.isnan(expected) & (counts > np.nan_to_num(expected))):
        mean = max(float(expected[i]), test.min_expected)
        p[i] = upper_tail_p(int(counts[i]), mean, max(float(var[i]), mean) if not np.isnan(var[i]) else mean)
    return full.with_columns(
        pl.Series("p_value", p).fill_nan(None),
        (pl.col(value) / pl.col("expected").clip(lower_bound=test.min_expected)).alias("ratio"),
    ).with_columns(
        ((pl.col("p_value") < test.alpha) & (pl.col(value) >= test.min_count)).fill_null(False).alias("spike"),
        pl.lit(TEST_NAME).alias("test"),
    )


def flag_spikes(daily: pl.DataFrame, keys: list[str], test: SpikeTest = SpikeTest(), day: str = "day", value: str = "calls") -> pl.DataFrame:
    """Only the spike days, most significant first."""
    return score_series(daily, keys, test, day, value).filter(pl.col("spike")).sort("p_value", value, descending=[False, True])

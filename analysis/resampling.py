"""Seeded bootstrap intervals for the survey figures: villages are the resampling unit.

The household survey sampled villages first and households within them, so households of one
village are not independent draws. A *cluster bootstrap* respects that: each resample draws as
many villages as the sample has, with replacement, and keeps every household of each drawn
village (a village drawn twice counts twice). The percentile interval of the statistic over the
resamples is the reported interval (Efron and Tibshirani 1993, ch. 13; Cameron, Gelbach and
Miller 2008 for clustered data). With eight villages the intervals are coarse and, if anything,
too narrow; the captions say so.

Every function is pure: a DataFrame in, numbers out, the same numbers for the same ``seed``.
The draws are made in one documented way (``rng.integers(0, k, size=(n_resamples, k))`` over
the sorted cluster labels, with ``rng = np.random.default_rng(seed)``), so that an independent
loop can repeat them exactly (``tests/test_resampling.py`` does).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "LEVEL",
    "N_RESAMPLES",
    "SEED",
    "Interval",
    "cluster_draws",
    "cluster_interval",
    "grouped_intervals",
    "line_band",
    "method_note",
]

SEED = 20190708
"""The seed of every resampling in the thesis (the first day of the field work, 8 July 2019)."""
N_RESAMPLES = 2000
"""Resamples per interval: enough for stable 2.5th and 97.5th percentiles."""
LEVEL = 0.95
"""Confidence level of every plotted interval."""

STATISTICS = ("mean", "median")


@dataclass(frozen=True)
class Interval:
    """A statistic and its percentile bootstrap interval.

    ``n`` counts the observations and ``n_clusters`` the villages behind the estimate.
    """

    estimate: float
    ci_low: float
    ci_high: float
    n: int
    n_clusters: int


def method_note(*, clustered: bool = True) -> str:
    """One sentence fragment naming level, method, resamples and seed, for captions and CSVs.

    Parameters
    ----------
    clustered : bool, default True
        Villages (True) or respondents (False) are resampled.

    Returns
    -------
    str
        E.g. "95% percentile bootstrap interval, 2,000 resamples of villages, seed ...".

    Examples
    --------
    >>> method_note(clustered=False).startswith("95% percentile bootstrap interval")
    True
    """
    unit = "villages" if clustered else "respondents"
    return (
        f"{LEVEL:.0%} percentile bootstrap interval, {N_RESAMPLES:,} resamples of {unit}, "
        f"seed {SEED}"
    )


def cluster_draws(
    n_clusters: int, *, n_resamples: int = N_RESAMPLES, seed: int = SEED
) -> np.ndarray:
    """Indices of the clusters drawn by each resample.

    Parameters
    ----------
    n_clusters : int
        Number of clusters (at least 2).
    n_resamples : int, default :data:`N_RESAMPLES`
        Number of resamples.
    seed : int, default :data:`SEED`
        Seed of the generator.

    Returns
    -------
    numpy.ndarray
        Integer array of shape ``(n_resamples, n_clusters)``, drawn with replacement.

    Examples
    --------
    >>> cluster_draws(8, n_resamples=3).shape
    (3, 8)
    """
    if n_clusters < 2:
        raise ValueError(f"a cluster bootstrap needs at least 2 clusters, got {n_clusters}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be positive, got {n_resamples}")
    rng = np.random.default_rng(seed)
    return rng.integers(0, n_clusters, size=(n_resamples, n_clusters))


def _check(data: pd.DataFrame, columns: Sequence[str], statistic: str, level: float) -> None:
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise KeyError(f"resampling: missing column(s) {missing}")
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, got {statistic!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1, got {level!r}")


def _weighted_statistic(values: np.ndarray, weights: np.ndarray, statistic: str) -> float:
    """The statistic of ``values`` each repeated ``weights`` times (weights are whole numbers)."""
    if weights.sum() == 0:
        return float("nan")
    if statistic == "mean":
        return float(np.dot(values, weights) / weights.sum())
    return float(np.median(np.repeat(values, weights)))


def _replicates(
    values: np.ndarray, codes: np.ndarray, draws: np.ndarray, statistic: str
) -> np.ndarray:
    """The statistic in each resample; ``codes`` gives each value's cluster index."""
    b, k = draws.shape
    # times[b, c]: how often resample b drew cluster c; each value inherits its cluster's count
    times = np.bincount((draws + k * np.arange(b)[:, None]).ravel(), minlength=b * k)
    times = times.reshape(b, k)
    if statistic == "mean":
        sums = np.bincount(codes, weights=values, minlength=k)
        counts = np.bincount(codes, minlength=k).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (times @ sums) / (times @ counts)
    if np.isnan(values).any():  # np.median's NaN rules: one resample at a time
        return np.array([_weighted_statistic(values, row[codes], statistic) for row in times])
    return _weighted_medians(values, times[:, codes])


def _weighted_medians(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``np.median(np.repeat(values, w))`` for each row ``w`` of ``weights`` (whole numbers),
    without building the repeated arrays: the middle one or two of the sorted values by
    cumulative weight, averaged as ``np.median`` does, so each value is the same to the bit."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    cumulative = np.cumsum(weights[:, order], axis=1)
    total = cumulative[:, -1]
    low = (cumulative > ((total - 1) // 2)[:, None]).argmax(axis=1)
    high = (cumulative > (total // 2)[:, None]).argmax(axis=1)
    medians = (ordered[low] + ordered[high]) / 2
    medians[total == 0] = np.nan
    return medians


def _interval(
    values: np.ndarray, codes: np.ndarray, draws: np.ndarray, statistic: str, level: float
) -> Interval:
    estimate = _weighted_statistic(values, np.ones(len(values), dtype=int), statistic)
    replicates = _replicates(values, codes, draws, statistic)
    replicates = replicates[~np.isnan(replicates)]  # resamples that drew none of this group
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(replicates, [tail, 100 - tail]) if len(replicates) else (np.nan,) * 2
    return Interval(float(estimate), float(low), float(high), len(values), len(np.unique(codes)))


def cluster_interval(
    data: pd.DataFrame,
    *,
    value: str,
    cluster: str,
    statistic: str = "mean",
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> Interval:
    """The ``statistic`` of ``value`` with a cluster-bootstrap percentile interval.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows with ``value`` and ``cluster``; rows with a missing value are dropped first.
    value : str
        The column summarised.
    cluster : str
        The column of the resampled clusters (villages).
    statistic : {"mean", "median"}, default "mean"
        The summary.
    n_resamples, seed, level
        Resamples, seed and confidence level (defaults :data:`N_RESAMPLES`, :data:`SEED`,
        :data:`LEVEL`).

    Returns
    -------
    Interval
        ``estimate``, ``ci_low``, ``ci_high``, ``n`` and ``n_clusters``.

    Examples
    --------
    >>> data = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "village": ["a", "a", "b", "b"]})
    >>> result = cluster_interval(data, value="y", cluster="village", n_resamples=200)
    >>> result.estimate, result.ci_low <= result.estimate <= result.ci_high
    (2.5, True)
    """
    row = grouped_intervals(
        data.assign(_all=0),
        value=value,
        group="_all",
        cluster=cluster,
        statistic=statistic,
        n_resamples=n_resamples,
        seed=seed,
        level=level,
    ).iloc[0]
    return Interval(
        float(row["estimate"]),
        float(row["ci_low"]),
        float(row["ci_high"]),
        int(row["n"]),
        int(row["n_clusters"]),
    )


def grouped_intervals(
    data: pd.DataFrame,
    *,
    value: str,
    group: str | Sequence[str],
    cluster: str,
    statistic: str = "mean",
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> pd.DataFrame:
    """The ``statistic`` of ``value`` for every group, each with a cluster-bootstrap interval.

    All groups share the same resamples of clusters (a drawn village brings all its households,
    whatever their group), so the intervals of different groups rest on the same draws.

    Parameters
    ----------
    data : pandas.DataFrame
        Rows with ``value``, ``cluster`` and the group column(s).
    value : str
        The column summarised.
    group : str or sequence of str
        Group column(s); groups appear in sorted order (categoricals: category order, as
        observed).
    cluster : str
        The column of the resampled clusters.
    statistic : {"mean", "median"}, default "mean"
        The summary.
    n_resamples, seed, level
        Resamples, seed and confidence level.

    Returns
    -------
    pandas.DataFrame
        The group column(s), ``estimate``, ``ci_low``, ``ci_high``, ``n`` and ``n_clusters``
        (villages with at least one observation of the group).

    Examples
    --------
    >>> data = pd.DataFrame(
    ...     {"y": [1.0, 2.0, 3.0, 5.0], "g": ["x", "y", "x", "y"], "village": ["a", "a", "b", "b"]}
    ... )
    >>> table = grouped_intervals(data, value="y", group="g", cluster="village", n_resamples=200)
    >>> table["g"].tolist()
    ['x', 'y']
    """
    groups = [group] if isinstance(group, str) else list(group)
    _check(data, [value, cluster, *groups], statistic, level)
    data = data.dropna(subset=[value])
    labels = np.sort(data[cluster].astype(str).unique())
    draws = cluster_draws(len(labels), n_resamples=n_resamples, seed=seed)
    codes = np.searchsorted(labels, data[cluster].astype(str).to_numpy())
    values = data[value].to_numpy(dtype=float)
    rows = []
    for key, index in data.groupby(groups, sort=True, observed=True).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        interval = _interval(values[index], codes[index], draws, statistic, level)
        rows.append({**dict(zip(groups, key, strict=True)), **interval.__dict__})
    table = pd.DataFrame(
        rows, columns=[*groups, "estimate", "ci_low", "ci_high", "n", "n_clusters"]
    )
    return table.astype({g: data[g].dtype for g in groups})  # keep categories and their order


def line_band(
    x: np.ndarray,
    y: np.ndarray,
    grid: np.ndarray,
    *,
    n_resamples: int = N_RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> pd.DataFrame:
    """Least-squares line of ``y`` on ``x`` at ``grid``, with a pointwise bootstrap band.

    Respondents (pairs) are resampled with replacement; at each grid point the band is the
    percentile interval of the refitted lines.

    Parameters
    ----------
    x, y : numpy.ndarray
        The paired observations (at least three).
    grid : numpy.ndarray
        Where the line and band are evaluated.
    n_resamples, seed, level
        Resamples, seed and confidence level.

    Returns
    -------
    pandas.DataFrame
        ``x``, ``estimate``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> band = line_band(np.array([1.0, 2.0, 3.0, 4.0]), np.array([2.0, 4.1, 5.9, 8.0]),
    ...                  np.array([1.0, 4.0]), n_resamples=200)
    >>> band["estimate"].round(2).tolist()
    [2.03, 7.97]
    """
    x, y, grid = (np.asarray(a, dtype=float) for a in (x, y, grid))
    if len(x) != len(y) or len(x) < 3:
        raise ValueError("line_band needs at least 3 (x, y) pairs of equal length")
    slope, intercept = np.polyfit(x, y, 1)
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(x), size=(n_resamples, len(x)))
    xs, ys = x[draws], y[draws]
    x_mean, y_mean = xs.mean(axis=1, keepdims=True), ys.mean(axis=1, keepdims=True)
    sxx = ((xs - x_mean) ** 2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        slopes = ((xs - x_mean) * (ys - y_mean)).sum(axis=1) / sxx
    intercepts = y_mean[:, 0] - slopes * x_mean[:, 0]
    keep = np.isfinite(slopes)  # a resample of one repeated x has no line
    lines = intercepts[keep, None] + slopes[keep, None] * grid[None, :]
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(lines, [tail, 100 - tail], axis=0)
    return pd.DataFrame(
        {"x": grid, "estimate": intercept + slope * grid, "ci_low": low, "ci_high": high}
    )

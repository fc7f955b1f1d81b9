"""A deliberately plain cluster bootstrap, the reference the resampling and figure tests use.

It repeats the draws that ``analysis.resampling`` documents (``default_rng(seed).integers(0, k,
size=(n_resamples, k))`` over the sorted cluster labels) but computes every resample the slow,
obvious way: concatenate the rows of the drawn villages, then compute the statistic per group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def loop_intervals(
    data: pd.DataFrame,
    *,
    value: str,
    cluster: str,
    statistic: str,
    n_resamples: int,
    seed: int,
    group: str | list[str] | None = None,
    level: float = 0.95,
) -> dict[object, tuple[float, float]]:
    """Percentile interval per group key (``"all"`` without groups) from a loop over resamples."""
    data = data.dropna(subset=[value])
    labels = sorted(data[cluster].astype(str).unique())
    draws = np.random.default_rng(seed).integers(0, len(labels), size=(n_resamples, len(labels)))
    by_cluster = {str(c): part for c, part in data.groupby(cluster, observed=True)}
    replicates: dict[object, list[float]] = {}
    for row in draws:
        pooled = pd.concat([by_cluster[labels[i]] for i in row])
        parts = pooled.groupby(group, observed=True) if group else [("all", pooled)]
        for key, part in parts:
            replicates.setdefault(key, []).append(getattr(part[value], statistic)())
    tail = (1 - level) / 2 * 100
    return {
        key: tuple(np.percentile(values, [tail, 100 - tail])) for key, values in replicates.items()
    }

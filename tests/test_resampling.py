"""analysis.resampling: cluster-bootstrap intervals against a plain loop that pools villages."""

import numpy as np
import pandas as pd
import pytest
from bootstrap_reference import loop_intervals

from analysis import resampling


def _clustered(seed: int = 3, n_villages: int = 8, per_village: int = 30) -> pd.DataFrame:
    """Households in villages with a village effect, two groups, a few missing values."""
    rng = np.random.default_rng(seed)
    village = np.repeat([f"V{i}" for i in range(n_villages)], per_village)
    effect = np.repeat(rng.normal(0, 1, n_villages), per_village)
    group = rng.choice(["a", "b"], len(village))
    value = 3 + effect + (group == "b") * 0.5 + rng.normal(0, 1, len(village))
    value[rng.choice(len(village), 5, replace=False)] = np.nan
    return pd.DataFrame({"village": village, "group": group, "value": value})


def _loop_bootstrap(data, statistic, n_resamples, seed, group=None):
    return loop_intervals(
        data,
        value="value",
        cluster="village",
        statistic=statistic,
        n_resamples=n_resamples,
        seed=seed,
        group=group,
    )


@pytest.mark.parametrize("statistic", ["mean", "median"])
def test_interval_equals_a_loop_over_resampled_villages(statistic):
    data = _clustered()
    interval = resampling.cluster_interval(
        data, value="value", cluster="village", statistic=statistic, n_resamples=300, seed=11
    )
    low, high = _loop_bootstrap(data, statistic, 300, 11)["all"]
    assert interval.ci_low == pytest.approx(low)
    assert interval.ci_high == pytest.approx(high)
    assert interval.estimate == pytest.approx(getattr(data["value"].dropna(), statistic)())
    assert interval.n == data["value"].notna().sum()
    assert interval.n_clusters == 8


def test_grouped_intervals_share_draws_and_match_the_loop():
    data = _clustered()
    table = resampling.grouped_intervals(
        data, value="value", group="group", cluster="village", n_resamples=300, seed=5
    ).set_index("group")
    reference = _loop_bootstrap(data, "mean", 300, 5, group="group")
    for key in ("a", "b"):
        assert table.loc[key, ["ci_low", "ci_high"]].tolist() == pytest.approx(reference[key])
        part = data.loc[data["group"] == key, "value"].dropna()
        assert table.loc[key, "estimate"] == pytest.approx(part.mean())
        assert table.loc[key, "n"] == len(part)


def test_same_seed_same_interval_other_seed_other_interval():
    data = _clustered()
    first = resampling.cluster_interval(data, value="value", cluster="village")
    again = resampling.cluster_interval(data, value="value", cluster="village")
    other = resampling.cluster_interval(data, value="value", cluster="village", seed=1)
    assert first == again
    assert (first.ci_low, first.ci_high) != (other.ci_low, other.ci_high)


def test_clustering_widens_the_interval_when_villages_differ():
    data = _clustered(per_village=60)
    clustered = resampling.cluster_interval(data, value="value", cluster="village")
    households = resampling.cluster_interval(
        data.assign(hh=range(len(data))), value="value", cluster="hh"
    )
    assert clustered.ci_high - clustered.ci_low > 2 * (households.ci_high - households.ci_low)
    # with one household per cluster it is the ordinary bootstrap: close to mean +- 1.96 se
    values = data["value"].dropna()
    half = 1.96 * values.std(ddof=1) / np.sqrt(len(values))
    assert households.ci_high - households.ci_low == pytest.approx(2 * half, rel=0.1)


def test_line_band_equals_a_loop_of_refitted_lines():
    rng = np.random.default_rng(2)
    x = rng.uniform(20, 60, 40)
    y = 1 + 0.05 * x + rng.normal(0, 0.5, 40)
    grid = np.linspace(20, 60, 5)
    band = resampling.line_band(x, y, grid, n_resamples=250, seed=9)
    draws = np.random.default_rng(9).integers(0, 40, size=(250, 40))
    lines = np.array([np.polyval(np.polyfit(x[d], y[d], 1), grid) for d in draws])
    np.testing.assert_allclose(band["ci_low"], np.percentile(lines, 2.5, axis=0))
    np.testing.assert_allclose(band["ci_high"], np.percentile(lines, 97.5, axis=0))
    np.testing.assert_allclose(band["estimate"], np.polyval(np.polyfit(x, y, 1), grid))
    assert (band["ci_low"] < band["estimate"]).all() and (band["estimate"] < band["ci_high"]).all()


def test_bad_arguments_are_refused_with_a_message():
    data = _clustered()
    with pytest.raises(ValueError, match="statistic must be one of"):
        resampling.cluster_interval(data, value="value", cluster="village", statistic="mode")
    with pytest.raises(KeyError, match="missing column"):
        resampling.cluster_interval(data, value="income", cluster="village")
    with pytest.raises(ValueError, match="at least 2 clusters"):
        resampling.cluster_interval(data.assign(village="V0"), value="value", cluster="village")
    with pytest.raises(ValueError, match="level"):
        resampling.cluster_interval(data, value="value", cluster="village", level=95)


@pytest.mark.parametrize("seed", range(6))
def test_batched_medians_equal_the_median_of_each_repeated_resample(seed):
    """Bootstrap medians are taken for all resamples at once; each must be exactly the
    `np.median` of that resample's values, repeated as often as their cluster was drawn
    (ties, even and odd sizes, and resamples that draw none of the group included)."""
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(5, 80)), int(rng.integers(2, 9))
    values = np.round(rng.normal(size=n) * rng.choice([1, 10, 1000]), int(rng.integers(0, 3)))
    codes = rng.integers(0, k, n)
    draws = rng.integers(0, k, (300, k))
    expected = []
    for row in draws:
        weights = np.bincount(row, minlength=k)[codes]
        expected.append(np.median(np.repeat(values, weights)) if weights.sum() else np.nan)
    got = resampling._replicates(values, codes, draws, "median")
    assert np.array_equal(got, np.array(expected), equal_nan=True)

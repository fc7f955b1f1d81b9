"""Inference that respects the survey design: households clustered in villages.

The household sample is 8 villages x 40 households, so households in one village share a
context and are not independent observations. This module measures that dependence (ICC and
design effect) and offers tests that account for it:

* :func:`icc` - one-way ANOVA intraclass correlation by village and the design effect;
* :func:`cluster_comparison` - marginal vs registered households within villages (village
  fixed effects) with village-clustered standard errors, beside the naive OLS error;
* :func:`assistance_permutation` - for each assistance type, a household-level test of
  dependence on the cause of poverty, permuting causes among households *within* villages,
  with rare causes merged by a stated rule and a Holm correction across types;
* :func:`ordered_satisfaction` - proportional-odds (ordered logit) model of satisfaction with
  village-clustered standard errors, to set beside the OLS of :mod:`analysis.inference`;
* :func:`ols_diagnostics` - VIF, Breusch-Pagan and Jarque-Bera for that OLS;
* :func:`growth_model` - log income growth on status, log baseline income and village;
* :func:`waiting_within_status` - the waiting-mindset/growth association within status.

With eight villages, cluster-robust errors rest on few clusters; they use the small-sample
correction and t(G - 1) reference distribution, and the permutation tests do not depend on
large-sample theory at all. All data are the simulated survey (``data/README.md``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import inference

__all__ = [
    "ICC",
    "ICC_OUTCOMES",
    "MIN_CAUSE_HOUSEHOLDS",
    "PERMUTATIONS",
    "PERMUTATION_SEED",
    "ClusterComparison",
    "Diagnostics",
    "GrowthModel",
    "OrderedModelResult",
    "WaitingWithin",
    "assistance_permutation",
    "cause_group_sizes",
    "cluster_comparison",
    "growth_model",
    "holm",
    "icc",
    "merge_rare_causes",
    "negative_iccs",
    "ols_diagnostics",
    "ols_satisfaction_clustered",
    "ordered_satisfaction",
    "outcome_iccs",
    "waiting_within_status",
    "with_log_growth",
    "within_difference",
]

MIN_CAUSE_HOUSEHOLDS = 15
"""A cause of poverty with fewer registered households than this is merged into "other"."""
PERMUTATIONS = 4999
"""Number of within-village permutations per assistance type."""
PERMUTATION_SEED = 20190715
"""Seed of the permutation generator (the simulation's master seed; any fixed value works)."""

PREDICTORS = ("precision", "sharing", "problems")


def _float(series: pd.Series) -> np.ndarray:
    return series.astype("Float64").astype("float64").to_numpy()


# --------------------------------------------------------------------------------------------
# ICC and design effect
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ICC:
    """One-way ANOVA intraclass correlation of ``outcome`` by ``cluster``.

    ``icc`` = (MSB - MSW) / (MSB + (n0 - 1) MSW), with n0 the ANOVA average cluster size
    (Donner 1986) for unequal clusters; ``design_effect`` = 1 + (mean size - 1) * icc, the
    factor by which clustering inflates the variance of a mean; ``effective_n`` = n / deff.
    """

    outcome: str
    n: int
    n_clusters: int
    msb: float
    msw: float
    icc: float
    design_effect: float
    effective_n: float


def icc(frame: pd.DataFrame, outcome: str, cluster: str = "village") -> ICC:
    """One-way ANOVA intraclass correlation of ``outcome`` within ``cluster``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``outcome`` (numeric) and ``cluster``; rows with a missing outcome are dropped.
    outcome : str
        The column whose clustering is measured.
    cluster : str, default "village"
        The cluster column.

    Returns
    -------
    ICC
        ``icc``, ``design_effect``, ``effective_n`` and the mean squares behind them.

    Raises
    ------
    ValueError
        With fewer than two clusters or no more rows than clusters.

    Notes
    -----
    icc = (MSB - MSW) / (MSB + (n0 - 1) MSW), n0 the ANOVA average cluster size (Donner 1986);
    design effect = 1 + (mean cluster size - 1) icc.

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, 2.0, 5.0, 6.0], "village": ["a", "a", "b", "b"]})
    >>> result = icc(frame, "y")
    >>> round(result.icc, 3), round(result.design_effect, 3)
    (0.939, 1.939)
    """
    data = pd.DataFrame(
        {"y": _float(frame[outcome]), "g": frame[cluster].astype(str).to_numpy()}
    ).dropna()
    groups = data.groupby("g")["y"]
    sizes, means = groups.size().to_numpy(float), groups.mean().to_numpy()
    k, n = len(sizes), len(data)
    if k < 2 or n <= k:
        raise ValueError(f"icc({outcome!r}): need at least two {cluster}s and more rows than them")
    grand = data["y"].mean()
    ssb = float((sizes * (means - grand) ** 2).sum())
    ssw = float(((data["y"] - groups.transform("mean")) ** 2).sum())
    msb, msw = ssb / (k - 1), ssw / (n - k)
    n0 = (n - (sizes**2).sum() / n) / (k - 1)
    value = (msb - msw) / (msb + (n0 - 1) * msw)
    deff = 1 + (n / k - 1) * value
    return ICC(outcome, n, k, msb, msw, float(value), float(deff), float(n / deff))


ICC_OUTCOMES = ("precision", "sharing", "problems", "satisfaction", "log_growth")
"""The outcomes whose clustering by village the appendix reports, in its order."""


def outcome_iccs(hh: pd.DataFrame) -> dict[str, ICC]:
    """:func:`icc` by village of each outcome of :data:`ICC_OUTCOMES`.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (scale scores are computed from the items when absent).

    Returns
    -------
    dict of str to ICC
        Outcome -> its ICC, design effect and effective sample size, in :data:`ICC_OUTCOMES`
        order (``log_growth`` is log(income_2019 / income_2014)).

    Examples
    --------
    >>> from analysis import survey
    >>> hh = survey.load_households()
    >>> list(outcome_iccs(hh)) == list(ICC_OUTCOMES)
    True
    """
    scored = with_log_growth(inference.with_scores(hh, list(PREDICTORS)))
    return {outcome: icc(scored, outcome) for outcome in ICC_OUTCOMES}


def negative_iccs(hh: pd.DataFrame) -> tuple[int, int]:
    """How many of the outcomes' ICCs are negative, and how many outcomes there are.

    A negative ANOVA estimate means that villages differ less than chance alone would make
    them differ; the appendix reports how often that happens.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame.

    Returns
    -------
    tuple of int
        (outcomes with ICC < 0, number of outcomes in :data:`ICC_OUTCOMES`).

    Examples
    --------
    >>> from analysis import survey
    >>> hh = survey.load_households()
    >>> negative_iccs(hh)
    (2, 5)
    """
    values = [r.icc for r in outcome_iccs(hh).values()]
    return sum(v < 0 for v in values), len(values)


# --------------------------------------------------------------------------------------------
# cluster-robust group comparison
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterComparison:
    """Difference marginal - registered in ``outcome``, within villages (village fixed effects).

    ``se_cluster`` is the village-clustered (CR1) standard error, tested against t with
    ``n_clusters - 1`` df; ``se_naive`` the classical OLS error of the same coefficient, so
    their ratio shows what ignoring the clustering would have claimed.
    """

    outcome: str
    n: int
    n_clusters: int
    difference: float
    se_cluster: float
    ci_low: float
    ci_high: float
    p_value: float
    se_naive: float
    perm_p_value: float


def within_difference(y: np.ndarray, flag: np.ndarray, strata: np.ndarray) -> float:
    """Weighted mean of the per-stratum differences flag - rest, weights n1 n0 / n.

    This is exactly the coefficient of ``flag`` in OLS with stratum fixed effects.

    Parameters
    ----------
    y : numpy.ndarray
        The outcome.
    flag : numpy.ndarray
        Boolean group indicator (e.g. marginal).
    strata : numpy.ndarray
        Integer stratum codes 0..k-1 (e.g. villages).

    Returns
    -------
    float
        The within-stratum difference; NaN when no stratum holds both groups.

    Examples
    --------
    >>> y = np.array([1.0, 3.0, 2.0, 6.0])
    >>> within_difference(y, np.array([False, True, False, True]), np.array([0, 0, 1, 1]))
    3.0
    """
    flag = np.asarray(flag, dtype=bool)
    n = np.bincount(strata).astype(float)
    n1 = np.bincount(strata, weights=flag.astype(float), minlength=len(n))
    s1 = np.bincount(strata, weights=np.where(flag, y, 0.0), minlength=len(n))
    s_all = np.bincount(strata, weights=y, minlength=len(n))
    n0 = n - n1
    both = (n1 > 0) & (n0 > 0)
    if not both.any():
        return np.nan
    diff = s1[both] / n1[both] - (s_all[both] - s1[both]) / n0[both]
    w = n1[both] * n0[both] / n[both]
    return float((w * diff).sum() / w.sum())


def _fit_cluster(formula: str, data: pd.DataFrame, cluster: str = "village"):
    import statsmodels.formula.api as smf

    groups = pd.factorize(data[cluster].astype(str))[0]
    model = smf.ols(formula, data=data)
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True), model.fit()


def cluster_comparison(
    hh: pd.DataFrame,
    outcome: str = "precision",
    *,
    permutations: int = PERMUTATIONS,
    seed: int = PERMUTATION_SEED,
) -> ClusterComparison:
    """OLS ``outcome ~ marginal + C(village)`` with village-clustered standard errors.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``registered`` and ``village``.
    outcome : str, default "precision"
        The outcome (a scale is scored from its items if absent).
    permutations : int, default :data:`PERMUTATIONS`
        Within-village permutations for ``perm_p_value``.
    seed : int, default :data:`PERMUTATION_SEED`
        Seed of the permutation generator.

    Returns
    -------
    ClusterComparison
        ``difference`` (marginal - registered, within villages), ``se_cluster`` with its 95% CI
        and ``p_value`` (t with villages - 1 df), ``se_naive``, and ``perm_p_value``, a
        two-sided permutation test that reassigns the labels among households within villages.

    Examples
    --------
    >>> from analysis import survey
    >>> hh = survey.load_households()
    >>> result = cluster_comparison(hh, permutations=99)
    >>> result.n_clusters, result.difference < 0, result.se_cluster > result.se_naive
    (8, True, True)
    """
    scored = inference.with_scores(hh, [outcome]) if outcome in PREDICTORS else hh
    registered = scored["registered"].astype("boolean")
    data = pd.DataFrame(
        {
            "y": _float(scored[outcome]),
            "marginal": _float(~registered),
            "village": scored["village"].astype(str).to_numpy(),
        }
    ).dropna()
    robust, naive = _fit_cluster("y ~ marginal + C(village)", data)
    lo, hi = robust.conf_int().loc["marginal"]
    y, flag = data["y"].to_numpy(), data["marginal"].to_numpy() == 1
    strata = pd.factorize(data["village"])[0]
    observed = abs(within_difference(y, flag, strata))
    rng = np.random.default_rng(seed)
    shuffled = _within_permutations(flag, strata, rng, permutations)
    null = np.abs(_by_chunks(shuffled, lambda rows: _within_differences(y, rows, strata)))
    return ClusterComparison(
        outcome=outcome,
        n=len(data),
        n_clusters=int(data["village"].nunique()),
        difference=float(robust.params["marginal"]),
        se_cluster=float(robust.bse["marginal"]),
        ci_low=float(lo),
        ci_high=float(hi),
        p_value=float(robust.pvalues["marginal"]),
        se_naive=float(naive.bse["marginal"]),
        perm_p_value=(1 + int((null >= observed - 1e-12).sum())) / (1 + permutations),
    )


# --------------------------------------------------------------------------------------------
# assistance by cause: household-level permutation tests within villages
# --------------------------------------------------------------------------------------------


def holm(p_values: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """Holm's step-down adjusted p-values (monotone, capped at 1), in the input order.

    Parameters
    ----------
    p_values : sequence of float
        Unadjusted p-values.

    Returns
    -------
    numpy.ndarray
        The adjusted p-values.

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = len(p)
    stepped = np.maximum.accumulate((m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def merge_rare_causes(cause: pd.Series, minimum: int = MIN_CAUSE_HOUSEHOLDS) -> pd.Series:
    """Causes with fewer than ``minimum`` households become "other" (string labels).

    Parameters
    ----------
    cause : pandas.Series
        Causes of poverty (no missing values).
    minimum : int, default :data:`MIN_CAUSE_HOUSEHOLDS`
        The smallest group kept as it is.

    Returns
    -------
    pandas.Series
        The causes as strings, rare ones replaced by "other".

    Examples
    --------
    >>> merge_rare_causes(pd.Series(["illness", "illness", "disaster"]), minimum=2).tolist()
    ['illness', 'illness', 'other']
    """
    labels = cause.astype(str)
    counts = labels.value_counts()
    rare = set(counts[counts < minimum].index)
    return labels.where(~labels.isin(rare), "other")


def cause_group_sizes(hh: pd.DataFrame, minimum: int = MIN_CAUSE_HOUSEHOLDS) -> pd.Series:
    """Registered households per cause group, after rare causes are merged into "other".

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``cause`` (NA for marginal households).
    minimum : int, default :data:`MIN_CAUSE_HOUSEHOLDS`
        Causes with fewer households are merged (:func:`merge_rare_causes`).

    Returns
    -------
    pandas.Series
        Cause group -> number of households, largest first.

    Examples
    --------
    >>> cause = pd.Series(["illness"] * 3 + ["disaster", None])
    >>> cause_group_sizes(pd.DataFrame({"cause": cause}), minimum=2).to_dict()
    {'illness': 3, 'other': 1}
    """
    return merge_rare_causes(hh["cause"].dropna(), minimum).value_counts()


def _chi2_stat(received: np.ndarray, codes: np.ndarray, n_levels: int) -> float:
    """Pearson chi-square of a 0/1 outcome across groups (2 x k table)."""
    n_g = np.bincount(codes, minlength=n_levels).astype(float)
    yes = np.bincount(codes, weights=received, minlength=n_levels)
    p = received.mean()
    if p in (0.0, 1.0):
        return 0.0
    expected_yes, expected_no = n_g * p, n_g * (1 - p)
    no = n_g - yes
    return float(
        ((yes - expected_yes) ** 2 / expected_yes).sum()
        + ((no - expected_no) ** 2 / expected_no).sum()
    )


def _within_permutations(
    codes: np.ndarray, strata: np.ndarray, rng: np.random.Generator, count: int
) -> np.ndarray:
    """``count`` rows, each ``codes`` shuffled among the rows of each stratum (one uniform draw
    per row, sorted within the stratum), the rows drawn one after the other from ``rng``, in
    one pass (a permutation test's thousands of shuffles were seconds of Python loop)."""
    order = np.argsort(strata, kind="stable")
    codes = np.asarray(codes)
    out = np.empty((count, len(codes)), dtype=codes.dtype)
    for start in range(0, count, _CHUNK):
        rows = min(_CHUNK, count - start)
        keys = rng.random((rows, len(codes)))  # the stream `rows` draws of len(codes) take
        ranks = np.broadcast_to(strata[order], keys.shape)
        out[start : start + rows, order] = codes[order[np.lexsort((keys, ranks), axis=-1)]]
    return out


_CHUNK = 1000
"""Permutations handled at once: bounds the arrays of permutations x households to a few MB
(all 9,999 at once took a chapter's kernel past 1 GiB)."""


def _by_chunks(rows: np.ndarray, statistic: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``statistic`` of ``rows`` (one value per row), `_CHUNK` rows at a time."""
    parts = [statistic(rows[i : i + _CHUNK]) for i in range(0, len(rows), _CHUNK)]
    return np.concatenate(parts) if parts else np.zeros(0)


def _chi2_stats(received: np.ndarray, codes: np.ndarray, n_levels: int) -> np.ndarray:
    """:func:`_chi2_stat` of each row of ``codes`` (permutations x rows), computed at once with
    the same operations in the same order, so each value is the same to the last bit."""
    count = codes.shape[0]
    p = received.mean()
    if p in (0.0, 1.0):
        return np.zeros(count)
    cells = n_levels * count
    flat = (codes + n_levels * np.arange(count)[:, None]).ravel()
    n_g = np.bincount(flat, minlength=cells).astype(float).reshape(count, n_levels)
    yes = np.bincount(flat, weights=np.tile(received, count), minlength=cells).reshape(
        count, n_levels
    )
    expected_yes, expected_no = n_g * p, n_g * (1 - p)
    no = n_g - yes
    return ((yes - expected_yes) ** 2 / expected_yes).sum(axis=1) + (
        (no - expected_no) ** 2 / expected_no
    ).sum(axis=1)


def _within_differences(y: np.ndarray, flags: np.ndarray, strata: np.ndarray) -> np.ndarray:
    """:func:`within_difference` of each row of ``flags`` (permutations x rows) that keeps
    each stratum's number of flagged rows (a within-stratum shuffle does): the same
    operations over the same strata, so each value is the same to the last bit."""
    count = flags.shape[0]
    n = np.bincount(strata).astype(float)
    k = len(n)
    flat = (strata + k * np.arange(count)[:, None]).ravel()
    n1 = np.bincount(flat, weights=flags.astype(float).ravel(), minlength=k * count)
    s1 = np.bincount(flat, weights=np.where(flags, y, 0.0).ravel(), minlength=k * count)
    n1, s1 = n1.reshape(count, k), s1.reshape(count, k)
    s_all = np.bincount(strata, weights=y, minlength=k)
    n0 = n - n1
    both = (n1[0] > 0) & (n0[0] > 0)
    if not both.any():
        return np.full(count, np.nan)
    n1, n0, s1 = n1[:, both], n0[:, both], s1[:, both]
    diff = s1 / n1 - (s_all[both] - s1) / n0
    w = n1 * n0 / n[both]
    return (w * diff).sum(axis=1) / w.sum(axis=1)


def assistance_permutation(
    hh: pd.DataFrame,
    *,
    permutations: int = PERMUTATIONS,
    seed: int = PERMUTATION_SEED,
    minimum: int = MIN_CAUSE_HOUSEHOLDS,
) -> pd.DataFrame:
    """Per assistance type: does receipt depend on the cause? One household, one observation.

    Registered households only (marginal ones have no cause); rare causes are merged into
    "other" (:func:`merge_rare_causes`).

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``cause``, ``village`` and the assist_* flags.
    permutations : int, default :data:`PERMUTATIONS`
        Within-village permutations of the causes.
    seed : int, default :data:`PERMUTATION_SEED`
        Seed of the permutation generator.
    minimum : int, default :data:`MIN_CAUSE_HOUSEHOLDS`
        Causes with fewer households are merged.

    Returns
    -------
    pandas.DataFrame
        One row per assistance type: ``assistance``, ``n``, ``n_causes``, ``received``,
        ``share_min``/``share_max`` (lowest/highest share across causes), ``statistic``
        (Pearson chi-square of receipt x cause), ``perm_p_value`` and ``holm_p_value``.

    Notes
    -----
    The null distribution permutes the causes among households within each village, which
    keeps every village's mix of causes and of assistance; p = (1 + #{perm >= observed}) /
    (1 + permutations).

    Examples
    --------
    >>> from analysis import survey
    >>> hh = survey.load_households()
    >>> table = assistance_permutation(hh, permutations=99)
    >>> len(table), bool((table["holm_p_value"] >= table["perm_p_value"]).all())
    (10, True)
    """
    inference._require(
        hh, ["cause", "village", *inference.assistance_labels()], "assistance_permutation"
    )
    data = hh[hh["cause"].notna()]
    cause = merge_rare_causes(data["cause"], minimum)
    codes, levels = pd.factorize(cause, sort=True)
    strata = pd.factorize(data["village"].astype(str))[0]
    rng = np.random.default_rng(seed)
    perms = _within_permutations(codes, strata, rng, permutations)
    rows = []
    for column, label in inference.assistance_labels().items():
        received = data[column].astype("boolean").fillna(False).to_numpy(dtype=float)
        observed = _chi2_stat(received, codes, len(levels))
        null = _by_chunks(perms, functools.partial(_chi2_stats, received, n_levels=len(levels)))
        shares = pd.Series(received).groupby(codes).mean()
        rows.append(
            {
                "assistance": label,
                "n": len(data),
                "n_causes": len(levels),
                "received": int(received.sum()),
                "share_min": float(shares.min()),
                "share_max": float(shares.max()),
                "statistic": observed,
                "perm_p_value": (1 + int((null >= observed - 1e-12).sum())) / (1 + permutations),
            }
        )
    out = pd.DataFrame(rows)
    out["holm_p_value"] = holm(out["perm_p_value"])
    return out


# --------------------------------------------------------------------------------------------
# satisfaction: ordered logit, OLS diagnostics
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class OrderedModelResult:
    """Proportional-odds logit of satisfaction (1-5) on the three scale scores.

    ``coefficients`` has ``term``, ``coef`` (log odds of a higher category per scale point),
    ``se`` (village-clustered), ``p_value``, ``ci_low``, ``ci_high``, ``odds_ratio``; thresholds are
    left out. ``n_clusters`` villages.
    """

    n: int
    n_clusters: int
    coefficients: pd.DataFrame


def _satisfaction_frame(hh: pd.DataFrame) -> pd.DataFrame:
    scored = inference.with_scores(hh, list(PREDICTORS))
    data = pd.DataFrame({c: _float(scored[c]) for c in ("satisfaction", *PREDICTORS)})
    data["village"] = scored["village"].astype(str).to_numpy()
    return data.dropna().reset_index(drop=True)


def ordered_satisfaction(hh: pd.DataFrame) -> OrderedModelResult:
    """Ordered logit of satisfaction with village-clustered (sandwich) standard errors.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``satisfaction`` and ``village``.

    Returns
    -------
    OrderedModelResult
        ``coefficients``: ``term``, ``coef`` (log odds of a higher category per scale point),
        ``se``, ``p_value``, ``ci_low``, ``ci_high`` (t with villages - 1 df), ``odds_ratio``.

    Examples
    --------
    >>> from analysis import survey
    >>> hh = survey.load_households()
    >>> ordered_satisfaction(hh).coefficients["term"].tolist()
    ['precision', 'sharing', 'problems']
    """
    from scipy import stats
    from statsmodels.miscmodels.ordinal_model import OrderedModel

    data = _satisfaction_frame(hh)
    y = pd.Categorical(data["satisfaction"].astype(int), ordered=True)
    model = OrderedModel(y, data[list(PREDICTORS)], distr="logit")
    fit = model.fit(method="bfgs", disp=False, maxiter=2000, gtol=1e-8)
    groups = pd.factorize(data["village"])[0]
    cov = _cluster_cov(model, fit.params.to_numpy(), groups)
    k = len(PREDICTORS)
    coef = fit.params.to_numpy()[:k]
    se = np.sqrt(np.diag(cov)[:k])
    g = int(groups.max()) + 1
    t_crit = stats.t.ppf(0.975, g - 1)
    table = pd.DataFrame(
        {
            "term": list(PREDICTORS),
            "coef": coef,
            "se": se,
            "p_value": 2 * stats.t.sf(np.abs(coef / se), g - 1),
            "ci_low": coef - t_crit * se,
            "ci_high": coef + t_crit * se,
        }
    )
    table["odds_ratio"] = np.exp(table["coef"])
    return OrderedModelResult(n=len(data), n_clusters=g, coefficients=table)


def _cluster_cov(model, params: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """CR1 sandwich H^-1 (sum_g s_g s_g') H^-1 * G/(G-1) * (n-1)/(n-p) from a likelihood."""
    scores = model.score_obs(params)
    hessian = model.hessian(params)
    bread = np.linalg.inv(-hessian)
    n_groups = int(groups.max()) + 1
    summed = np.zeros((n_groups, scores.shape[1]))
    np.add.at(summed, groups, scores)
    meat = summed.T @ summed
    n, p = scores.shape
    factor = n_groups / (n_groups - 1) * (n - 1) / (n - p)
    return factor * bread @ meat @ bread


def ols_satisfaction_clustered(hh: pd.DataFrame) -> pd.DataFrame:
    """The OLS of satisfaction on the three scores with village-clustered (CR1) errors.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``satisfaction`` and ``village``.

    Returns
    -------
    pandas.DataFrame
        ``term``, ``coef``, ``se``, ``p_value``, ``ci_low``, ``ci_high`` (t with G - 1 df).

    Examples
    --------
    >>> from analysis import survey
    >>> hh = survey.load_households()
    >>> list(ols_satisfaction_clustered(hh).columns)
    ['term', 'coef', 'se', 'p_value', 'ci_low', 'ci_high']
    """
    data = _satisfaction_frame(hh)
    robust, _ = _fit_cluster("satisfaction ~ precision + sharing + problems", data)
    return _coef_table(robust, list(PREDICTORS)).drop(
        columns=["ratio", "ratio_ci_low", "ratio_ci_high"]
    )


@dataclass(frozen=True, eq=False)
class Diagnostics:
    """Diagnostics of the OLS satisfaction ~ precision + sharing + problems.

    ``vif`` maps each predictor to its variance inflation factor; Breusch-Pagan (LM form,
    on the predictors) tests heteroscedasticity; Jarque-Bera tests normality of residuals.
    """

    n: int
    vif: dict[str, float]
    bp_statistic: float
    bp_p_value: float
    jb_statistic: float
    jb_p_value: float
    skew: float
    kurtosis: float


def ols_diagnostics(hh: pd.DataFrame) -> Diagnostics:
    """VIF, Breusch-Pagan and Jarque-Bera for the satisfaction OLS.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``satisfaction``.

    Returns
    -------
    Diagnostics
        ``vif`` per predictor, ``bp_statistic``/``bp_p_value`` (LM form, 3 df),
        ``jb_statistic``/``jb_p_value``, residual ``skew`` and ``kurtosis``.

    Examples
    --------
    >>> from analysis import survey
    >>> hh = survey.load_households()
    >>> sorted(ols_diagnostics(hh).vif)
    ['precision', 'problems', 'sharing']
    """
    import statsmodels.api as sm
    from statsmodels.stats.diagnostic import het_breuschpagan
    from statsmodels.stats.outliers_influence import variance_inflation_factor
    from statsmodels.stats.stattools import jarque_bera

    data = _satisfaction_frame(hh)
    x = sm.add_constant(data[list(PREDICTORS)])
    fit = sm.OLS(data["satisfaction"], x).fit()
    vif = {
        name: float(variance_inflation_factor(x.to_numpy(), i))
        for i, name in enumerate(x.columns)
        if name != "const"
    }
    lm, lm_p, _f, _f_p = het_breuschpagan(fit.resid, x)
    jb, jb_p, skew, kurt = jarque_bera(fit.resid)
    return Diagnostics(
        n=len(data),
        vif=vif,
        bp_statistic=float(lm),
        bp_p_value=float(lm_p),
        jb_statistic=float(jb),
        jb_p_value=float(jb_p),
        skew=float(skew),
        kurtosis=float(kurt),
    )


# --------------------------------------------------------------------------------------------
# income growth and the waiting mindset
# --------------------------------------------------------------------------------------------


def with_log_growth(hh: pd.DataFrame) -> pd.DataFrame:
    """``hh`` with a ``log_growth`` column: log(income_2019 / income_2014).

    Parameters
    ----------
    hh : pandas.DataFrame
        Household frame with both incomes (yuan per person per year).

    Returns
    -------
    pandas.DataFrame
        A copy with ``log_growth`` (natural log; NaN where an income is missing).

    Examples
    --------
    >>> frame = pd.DataFrame({"income_2014": [1000.0], "income_2019": [1000.0 * np.e]})
    >>> float(with_log_growth(frame)["log_growth"].iloc[0])
    1.0
    """
    return hh.assign(log_growth=np.log(inference.growth_ratio(hh).to_numpy(dtype=float)))


def _growth_frame(hh: pd.DataFrame) -> pd.DataFrame:
    ratio = inference.growth_ratio(hh).to_numpy(dtype=float)
    data = pd.DataFrame(
        {
            "log_growth": np.log(ratio),
            "log_base": np.log(_float(hh["income_2014"])),
            "status": hh["status"].astype(str).to_numpy(),
            "village": hh["village"].astype(str).to_numpy(),
        }
    )
    return data


@dataclass(frozen=True, eq=False)
class GrowthModel:
    """OLS of log(income_2019 / income_2014) on status, log 2014 income and village.

    ``coefficients`` has ``term``, ``coef``, ``se`` (village-clustered), ``p_value``, ``ci_low``,
    ``ci_high`` and ``ratio`` = exp(coef) with ``ratio_ci_low``/``ratio_ci_high``: for a status,
    the growth ratio relative to households still registered at the same baseline income in
    the same village.
    """

    n: int
    n_clusters: int
    r2: float
    coefficients: pd.DataFrame


_TREATMENT = "C(status, Treatment(reference='registered'))"


def _coef_table(fit, keep: Sequence[str]) -> pd.DataFrame:
    ci = fit.conf_int()
    rows = []
    for name in fit.params.index:
        term = next((k for k in keep if name.endswith(f"[T.{k}]") or name == k), None)
        if term is None:
            continue
        rows.append(
            {
                "term": term,
                "coef": float(fit.params[name]),
                "se": float(fit.bse[name]),
                "p_value": float(fit.pvalues[name]),
                "ci_low": float(ci.loc[name, 0]),
                "ci_high": float(ci.loc[name, 1]),
            }
        )
    table = pd.DataFrame(rows)
    table["ratio"] = np.exp(table["coef"])
    table["ratio_ci_low"] = np.exp(table["ci_low"])
    table["ratio_ci_high"] = np.exp(table["ci_high"])
    return table


def growth_model(hh: pd.DataFrame) -> GrowthModel:
    """Log growth ~ status + log baseline income + village, village-clustered errors.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``status``, ``village`` and both incomes.

    Returns
    -------
    GrowthModel
        ``coefficients`` for each status (against still-registered households) and
        ``log_base``: ``coef``, ``se``, ``p_value``, ``ci_low``, ``ci_high``, and ``ratio`` =
        exp(coef) with ``ratio_ci_low``/``ratio_ci_high``.

    Examples
    --------
    >>> from analysis import survey
    >>> hh = survey.load_households()
    >>> growth_model(hh).coefficients["term"].tolist()
    ['exited 2016', 'exited 2017-2019', 'marginal', 'log_base']
    """
    data = _growth_frame(hh).dropna()
    robust, _ = _fit_cluster(f"log_growth ~ {_TREATMENT} + log_base + C(village)", data)
    keep = [s for s in inference.status_order() if s != "registered"] + ["log_base"]
    return GrowthModel(
        n=len(data),
        n_clusters=int(data["village"].nunique()),
        r2=float(robust.rsquared),
        coefficients=_coef_table(robust, keep),
    )


@dataclass(frozen=True, eq=False)
class WaitingWithin:
    """Waiting mindset (prob_6 agree) and income growth, compared within status.

    ``by_status`` has ``status``, ``n``, ``n_agree``, ``median_agree``, ``median_others``
    (median growth ratios; NaN where a group is empty). ``ratio`` = exp(coef of agree) in
    log growth ~ agree + status + village, with village-clustered CI and p.
    """

    n: int
    n_agree: int
    by_status: pd.DataFrame
    ratio: float
    ci_low: float
    ci_high: float
    p_value: float


def waiting_within_status(hh: pd.DataFrame) -> WaitingWithin:
    """Growth of households agreeing that it is better to wait, against others of their status.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``prob_6``, ``status``, ``village`` and both incomes.

    Returns
    -------
    WaitingWithin
        ``by_status`` medians, and ``ratio`` = exp(coef of agree) in log growth ~ agree + status
        + village with its village-clustered 95% CI and ``p_value``.

    Examples
    --------
    >>> from analysis import survey
    >>> hh = survey.load_households()
    >>> result = waiting_within_status(hh)
    >>> result.by_status["status"].tolist(), result.ratio < 1
    (['registered', 'exited 2016', 'exited 2017-2019', 'marginal'], True)
    """
    groups = inference.wait_groups(hh)
    answered = hh[hh[inference.WAIT_ITEM].notna().to_numpy()].reset_index(drop=True)
    data = _growth_frame(answered)
    data["agree"] = groups["agree"].astype(float).to_numpy()
    data = data.dropna()
    robust, _ = _fit_cluster(f"log_growth ~ agree + {_TREATMENT} + C(village)", data)
    rows = []
    for status in inference.status_order():
        part = data[data["status"] == status]
        if part.empty:
            continue
        ratio = np.exp(part["log_growth"])
        agree = part["agree"] == 1
        rows.append(
            {
                "status": status,
                "n": len(part),
                "n_agree": int(agree.sum()),
                "median_agree": float(ratio[agree].median()) if agree.any() else np.nan,
                "median_others": float(ratio[~agree].median()) if (~agree).any() else np.nan,
            }
        )
    lo, hi = robust.conf_int().loc["agree"]
    return WaitingWithin(
        n=len(data),
        n_agree=int(data["agree"].sum()),
        by_status=pd.DataFrame(rows),
        ratio=float(np.exp(robust.params["agree"])),
        ci_low=float(np.exp(lo)),
        ci_high=float(np.exp(hi)),
        p_value=float(robust.pvalues["agree"]),
    )

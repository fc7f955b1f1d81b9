"""Statistical tests of the findings chapter (protocol section 7), via pingouin.

Every function takes a cleaned frame (``analysis.survey``) and returns a frozen dataclass or a
tidy DataFrame. Scale scores are computed with :func:`analysis.scales.score_scales` when the
frame does not already carry them.

pandas 3 / pingouin 0.7 compatibility: pingouin 0.7 calls ``float()`` on cells in places
(e.g. ``linear_regression``), which fails on the nullable ``pd.NA`` of ``Int64``/``Float64``
columns. :func:`_float` therefore converts every column handed to pingouin to plain ``float64``
with NaN, and missing values are dropped here, explicitly, so that each result's ``n`` is the
number of observations actually used. pingouin 0.6 renamed its output columns (``p_val``,
``p_unc``, ``p_corr``, ``W_val``, ``U_val``, ``mean_A``, ``CI2.5``); they are read by those
names, so ``pyproject.toml`` requires pingouin >= 0.6.

pingouin and SciPy are imported inside the functions that use them: importing pingouin takes
about a second (it loads SciPy's statistics and matplotlib.pyplot), and most chapters import
this module, through ``analysis.figures``, without running a test.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analysis import codebook, fmt, scales

__all__ = [
    "AGREE_MIN",
    "Association",
    "Correlation",
    "GroupTest",
    "IncomeChange",
    "Regression",
    "StaffFormalism",
    "ThemeMentions",
    "TwoGroupTest",
    "Waiting",
    "assistance_by_cause",
    "assistance_labels",
    "assistance_shares",
    "cause_assistance",
    "growth_ratio",
    "income_change",
    "income_change_by_status",
    "interview_roles",
    "interview_themes",
    "marginal_vs_registered",
    "precision_by_status",
    "precision_games_howell",
    "precision_posthoc",
    "precision_sharing",
    "precision_welch",
    "role_order",
    "satisfaction_model",
    "staff_formalism",
    "staff_scores",
    "status_order",
    "theme_labels",
    "theme_mentions",
    "wait_groups",
    "waiting_mindset",
    "with_scores",
]

# Category orders and short labels come from data/codebook.yaml (the single source). They are
# read on first use, not at import, so that a chapter importing this module for something else
# does not record the codebook as one of its inputs.


def status_order() -> tuple[str, ...]:
    """Registration statuses in codebook order (the order of every table and figure).

    Returns
    -------
    tuple of str
        The status codes of the data contract.

    Examples
    --------
    >>> status_order()
    ('registered', 'exited 2016', 'exited 2017-2019', 'marginal')
    """
    return codebook.categories("households", "status")


def role_order() -> tuple[str, ...]:
    """Roles of the staff questionnaire, in codebook order.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> role_order()
    ('first secretary', 'township cadre', 'county office')
    """
    return codebook.categories("staff", "role")


def interview_roles() -> tuple[str, ...]:
    """Roles of the interviewees, in codebook order.

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> interview_roles()
    ('household head', 'first secretary', 'staff')
    """
    return codebook.categories("interviews", "role")


def assistance_labels() -> dict[str, str]:
    """Assistance flag column -> short English label, in codebook order.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> assistance_labels()["assist_training"]
    'skills training'
    """
    return codebook.flag_labels("households", "multi_select")


def theme_labels() -> dict[str, str]:
    """Interview theme column -> short English label, in codebook order.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> theme_labels()["uneven_assistance"]
    'uneven assistance (cliff effect)'
    """
    return codebook.flag_labels("interviews", "flag01")


WAIT_ITEM = "prob_6"
AGREE_MIN = 4
"""prob_6 ("better to wait for government help") >= 4 counts as agreeing."""


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"{what}: the data lack column(s) {missing}")


def _float(series: pd.Series) -> pd.Series:
    """Nullable numbers -> float64 with NaN (pingouin 0.7 cannot take pd.NA; see module doc)."""
    return series.astype("Float64").astype("float64")


def with_scores(hh: pd.DataFrame, needed: Sequence[str]) -> pd.DataFrame:
    """``hh`` with the scale score columns in ``needed``, scored from the items if absent.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household (or staff) frame.
    needed : sequence of str
        Scale names of the codebook, e.g. ``["precision", "sharing"]``.

    Returns
    -------
    pandas.DataFrame
        ``hh`` itself when every scale is present, else a copy with the missing ones added
        (:func:`analysis.scales.score_scales`; means of the items, 1-5).

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> scored = with_scores(hh, ["precision"])
    >>> "precision" in scored, "precision" in hh
    (True, False)
    """
    absent = [s for s in needed if s not in hh.columns]
    return scales.score_scales(hh, scales=absent) if absent else hh


def _present_order(values: pd.Series, order: Sequence[str]) -> list[str]:
    present = set(values.dropna().astype(str))
    unknown = sorted(present - set(order))
    if unknown:
        raise ValueError(f"unexpected group label(s) {unknown}; expected {list(order)}")
    return [level for level in order if level in present]


def _rank_biserial(u_x: float, n_x: int, n_y: int) -> float:
    """Rank-biserial correlation from the U of the first sample: 2U/(n_x n_y) - 1.

    Positive when the first sample tends to be larger (same sign convention as pingouin).
    """
    return 2.0 * u_x / (n_x * n_y) - 1.0


def growth_ratio(hh: pd.DataFrame) -> pd.Series:
    """Per-household income ratio income_2019 / income_2014.

    Parameters
    ----------
    hh : pandas.DataFrame
        Household frame with ``income_2014`` and ``income_2019`` (yuan per person per year).

    Returns
    -------
    pandas.Series
        The ratio (unitless), NaN where either income is missing.

    Raises
    ------
    ValueError
        When a 2014 income is zero or negative, naming the household.

    Examples
    --------
    >>> frame = pd.DataFrame({"income_2014": [2000.0, 4000.0], "income_2019": [5000.0, None]})
    >>> growth_ratio(frame).tolist()
    [2.5, nan]
    """
    _require(hh, ["income_2014", "income_2019"], "growth_ratio")
    before, after = _float(hh["income_2014"]), _float(hh["income_2019"])
    if (before <= 0).any():
        row = hh.loc[before <= 0].iloc[0]
        raise ValueError(
            f"household {row.get('hh_id', '?')}, column 'income_2014': income must be positive"
        )
    return after / before


# --------------------------------------------------------------------------------------------
# income change
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncomeChange:
    """Paired change of per-capita income, 2014 -> 2019 (yuan per person per year).

    ``median_ratio`` is the median of the household ratios income_2019 / income_2014.
    ``statistic`` and ``p_value`` are the two-sided Wilcoxon signed-rank test of 2019 against 2014;
    ``rank_biserial`` is the matched-pairs rank-biserial correlation, positive when incomes rose;
    ``n_rose`` counts the pairs whose 2019 income is the larger.
    """

    group: str
    n: int
    median_2014_yuan: float
    median_2019_yuan: float
    median_ratio: float
    statistic: float
    p_value: float
    rank_biserial: float
    n_rose: int


def income_change(
    hh: pd.DataFrame, group: str | None = None, *, registered: bool | None = None
) -> IncomeChange:
    """Wilcoxon signed-rank test of per-capita income 2019 against 2014.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``status``, ``income_2014``, ``income_2019`` (yuan per
        person per year) and, for ``registered``, the boolean ``registered``.
    group : str, optional
        Restrict the test to one registration status (e.g. "marginal").
    registered : bool, optional
        ``True``: every registered household (current and exited); ``False``: the marginal ones.
        Give at most one of ``group`` and ``registered``; with neither, all households are used.

    Returns
    -------
    IncomeChange
        ``n`` counts the complete pairs used (households missing either income are left out);
        medians in yuan; ``statistic`` is W, ``p_value`` two-sided; ``rank_biserial`` positive
        when incomes rose; ``n_rose`` pairs with the larger 2019 income.

    Raises
    ------
    ValueError
        For both selectors at once, an empty group or fewer than two complete pairs.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> result = income_change(hh, "marginal")
    >>> result.group, result.n, result.p_value < 0.001
    ('marginal', 102, True)
    """
    import pingouin as pg

    _require(hh, ["status", "income_2014", "income_2019"], "income_change")
    if group is not None and registered is not None:
        raise ValueError("give either group or registered, not both")
    data, label = hh, "all"
    if group is not None:
        data, label = hh[hh["status"].astype(str) == group], group
    elif registered is not None:
        _require(hh, ["registered"], "income_change")
        flag = hh["registered"].astype("boolean")
        data = hh[(flag if registered else ~flag).fillna(False).astype(bool)]
        label = "all registered" if registered else "not registered"
    if data.empty:
        raise ValueError(f"no households in group {label!r}")
    pairs = pd.DataFrame(
        {"y2014": _float(data["income_2014"]), "y2019": _float(data["income_2019"])}
    ).dropna()
    if len(pairs) < 2:
        raise ValueError(f"income_change: fewer than 2 complete pairs for group {group!r}")
    test = pg.wilcoxon(pairs["y2019"], pairs["y2014"], alternative="two-sided")
    return IncomeChange(
        group=label,
        n=len(pairs),
        median_2014_yuan=float(pairs["y2014"].median()),
        median_2019_yuan=float(pairs["y2019"].median()),
        median_ratio=float((pairs["y2019"] / pairs["y2014"]).median()),
        statistic=float(test["W_val"].iloc[0]),
        p_value=float(test["p_val"].iloc[0]),
        rank_biserial=float(test["RBC"].iloc[0]),
        n_rose=int((pairs["y2019"] > pairs["y2014"]).sum()),
    )


def income_change_by_status(hh: pd.DataFrame) -> pd.DataFrame:
    """:func:`income_change` for every status present, in status order.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (see :func:`income_change`).

    Returns
    -------
    pandas.DataFrame
        One row per status, with the fields of :class:`IncomeChange` as columns.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> income_change_by_status(hh)["group"].tolist()
    ['registered', 'exited 2016', 'exited 2017-2019', 'marginal']
    """
    _require(hh, ["status"], "income_change_by_status")
    rows = [asdict(income_change(hh, s)) for s in _present_order(hh["status"], status_order())]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------
# precision by status
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupTest:
    """An omnibus test across groups.

    ``df`` is the (numerator) degrees of freedom; ``df2`` the denominator df of Welch's F
    (NaN for Kruskal-Wallis). ``effect_size`` is named by ``effect_name``.
    """

    test: str
    statistic: float
    df: float
    df2: float
    p_value: float
    effect_size: float
    effect_name: str
    n: int


def _status_scores(hh: pd.DataFrame, scale: str) -> pd.DataFrame:
    _require(hh, ["status"], scale)
    scored = with_scores(hh, [scale])
    data = pd.DataFrame({"status": scored["status"].astype(str), scale: _float(scored[scale])})
    data = data[scored["status"].notna().to_numpy()].dropna(subset=[scale])
    order = _present_order(data["status"], status_order())
    if len(order) < 2:
        raise ValueError(f"need at least two status groups with {scale} scores, got {order}")
    data["status"] = pd.Categorical(data["status"], categories=order, ordered=True)
    return data.reset_index(drop=True)


def precision_by_status(hh: pd.DataFrame, scale: str = "precision") -> GroupTest:
    """Kruskal-Wallis test of a scale score across the registration statuses.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``status`` (the scale is scored from the items if absent).
    scale : str, default "precision"
        The scale of the codebook to compare.

    Returns
    -------
    GroupTest
        ``statistic`` is H with ``df`` = groups - 1, ``effect_size`` epsilon-squared.

    Notes
    -----
    epsilon^2 = H / ((n^2 - 1) / (n + 1)) = H / (n - 1) (Tomczak & Tomczak 2014).

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> result = precision_by_status(hh)
    >>> result.test, result.df, result.n
    ('Kruskal-Wallis', 3.0, 320)
    """
    import pingouin as pg

    data = _status_scores(hh, scale)
    test = pg.kruskal(data, dv=scale, between="status")
    h = float(test["H"].iloc[0])
    n = len(data)
    return GroupTest(
        test="Kruskal-Wallis",
        statistic=h,
        df=float(test["ddof1"].iloc[0]),
        df2=np.nan,
        p_value=float(test["p_unc"].iloc[0]),
        effect_size=h / (n - 1),
        effect_name="epsilon-squared",
        n=n,
    )


def precision_posthoc(hh: pd.DataFrame, scale: str = "precision") -> pd.DataFrame:
    """Pairwise Mann-Whitney U tests of a scale score between statuses, Holm-adjusted.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``status``.
    scale : str, default "precision"
        The scale to compare.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``group_a``, ``group_b``, ``n_a``, ``n_b``, ``statistic`` (U of
        group_a), ``p_value``, ``holm_p_value``, ``rank_biserial`` (positive when group_a scores
        higher).

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> table = precision_posthoc(hh)
    >>> len(table), bool((table["holm_p_value"] >= table["p_value"]).all())
    (6, True)
    """
    import pingouin as pg

    data = _status_scores(hh, scale)
    table = pg.pairwise_tests(
        data=data, dv=scale, between="status", parametric=False, padjust="holm", effsize="none"
    )
    sizes = data["status"].value_counts()
    out = pd.DataFrame(
        {
            "group_a": table["A"].astype(str),
            "group_b": table["B"].astype(str),
            "n_a": table["A"].astype(str).map(sizes).astype("int64"),
            "n_b": table["B"].astype(str).map(sizes).astype("int64"),
            "statistic": table["U_val"].astype(float),
            "p_value": table["p_unc"].astype(float),
            "holm_p_value": table["p_corr"].astype(float),
        }
    )
    out["rank_biserial"] = [
        _rank_biserial(u, a, b)
        for u, a, b in zip(out["statistic"], out["n_a"], out["n_b"], strict=True)
    ]
    return out


def precision_welch(hh: pd.DataFrame, scale: str = "precision") -> GroupTest:
    """Welch's ANOVA of a scale score across statuses (unequal variances), with eta-squared.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``status``.
    scale : str, default "precision"
        The scale to compare.

    Returns
    -------
    GroupTest
        ``statistic`` is F on ``df`` and ``df2`` degrees of freedom; ``effect_size`` is
        (partial) eta-squared.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> result = precision_welch(hh)
    >>> result.test, result.df
    ('Welch ANOVA', 3.0)
    """
    import pingouin as pg

    data = _status_scores(hh, scale)
    test = pg.welch_anova(data=data, dv=scale, between="status")
    return GroupTest(
        test="Welch ANOVA",
        statistic=float(test["F"].iloc[0]),
        df=float(test["ddof1"].iloc[0]),
        df2=float(test["ddof2"].iloc[0]),
        p_value=float(test["p_unc"].iloc[0]),
        effect_size=float(test["np2"].iloc[0]),
        effect_name="eta-squared",
        n=len(data),
    )


def precision_games_howell(hh: pd.DataFrame, scale: str = "precision") -> pd.DataFrame:
    """Games-Howell pairwise comparisons of a scale score between statuses.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``status``.
    scale : str, default "precision"
        The scale to compare (score points, 1-5).

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``group_a``, ``group_b``, ``mean_a``, ``mean_b``, ``diff``
        (mean_a - mean_b), ``se``, ``statistic`` (t), ``df``, ``p_value``, ``hedges_g``.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> list(precision_games_howell(hh).columns)[:4]
    ['group_a', 'group_b', 'mean_a', 'mean_b']
    """
    import pingouin as pg

    data = _status_scores(hh, scale)
    table = pg.pairwise_gameshowell(data=data, dv=scale, between="status", effsize="hedges")
    return pd.DataFrame(
        {
            "group_a": table["A"].astype(str),
            "group_b": table["B"].astype(str),
            "mean_a": table["mean_A"].astype(float),
            "mean_b": table["mean_B"].astype(float),
            "diff": table["diff"].astype(float),
            "se": table["se"].astype(float),
            "statistic": table["T"].astype(float),
            "df": table["df"].astype(float),
            "p_value": table["pval"].astype(float),
            "hedges_g": table["hedges"].astype(float),
        }
    )


@dataclass(frozen=True)
class TwoGroupTest:
    """Mann-Whitney U test of a scale score, marginal vs registered (all non-marginal) households.

    ``statistic`` is the U of the marginal group; ``rank_biserial`` = 2U/(n_m n_r) - 1 is negative
    when marginal households score lower; ``cles`` is P(marginal > registered), ties counted 1/2.
    """

    scale: str
    n_marginal: int
    n_registered: int
    median_marginal: float
    median_registered: float
    statistic: float
    p_value: float
    rank_biserial: float
    cles: float


def marginal_vs_registered(hh: pd.DataFrame, scale: str = "precision") -> TwoGroupTest:
    """Compare a scale score between marginal and registered households (two-sided MWU).

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with the boolean ``registered``; a household with unknown
        registration belongs to neither group.
    scale : str, default "precision"
        The scale to compare.

    Returns
    -------
    TwoGroupTest
        Group sizes and medians, ``statistic`` (U of the marginal group), ``p_value``,
        ``rank_biserial`` (negative when marginal households score lower) and ``cles``.

    Raises
    ------
    ValueError
        When a group has fewer than two scores.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> result = marginal_vs_registered(hh)
    >>> result.n_marginal + result.n_registered == len(hh), result.rank_biserial < 0
    (True, True)
    """
    import pingouin as pg

    _require(hh, ["registered"], "marginal_vs_registered")
    scored = with_scores(hh, [scale])
    score = _float(scored[scale])
    registered = scored["registered"].astype("boolean")
    # a household with unknown registration (NA) belongs to neither group
    marginal = score[(~registered.fillna(True)).astype(bool)].dropna()
    reg = score[registered.fillna(False).astype(bool)].dropna()
    if len(marginal) < 2 or len(reg) < 2:
        raise ValueError("marginal_vs_registered: each group needs at least 2 scores")
    test = pg.mwu(marginal, reg, alternative="two-sided")
    u = float(test["U_val"].iloc[0])
    return TwoGroupTest(
        scale=scale,
        n_marginal=len(marginal),
        n_registered=len(reg),
        median_marginal=float(marginal.median()),
        median_registered=float(reg.median()),
        statistic=u,
        p_value=float(test["p_val"].iloc[0]),
        rank_biserial=_rank_biserial(u, len(marginal), len(reg)),
        cles=float(test["CLES"].iloc[0]),
    )


# --------------------------------------------------------------------------------------------
# cause x assistance
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Association:
    """Pearson chi-square test of independence of cause and assistance type, with Cramér's V.

    The unit is a household-assistance pair (a household receiving three types counts three
    times), so the pairs are not independent: read the p-value as descriptive and Cramér's V
    as the measure of how strongly the mix depends on the cause. ``min_expected`` is the
    smallest expected cell count (below 5 the chi-square approximation is rough).
    """

    statistic: float
    df: int
    p_value: float
    cramers_v: float
    n: int
    n_households: int
    min_expected: float


def _assistance_long(hh: pd.DataFrame) -> pd.DataFrame:
    _require(hh, ["cause", *assistance_labels()], "cause_assistance")
    data = hh[hh["cause"].notna()]
    flags = data[list(assistance_labels())].astype("boolean").fillna(False).astype(bool)
    long = flags.assign(cause=data["cause"].astype(str)).melt(
        id_vars="cause", var_name="column", value_name="received"
    )
    long = long[long["received"]]
    return pd.DataFrame(
        {"cause": long["cause"], "assistance": long["column"].map(assistance_labels())}
    ).reset_index(drop=True)


def cause_assistance(hh: pd.DataFrame) -> Association:
    """Chi-square test of cause of poverty x assistance type (registered households).

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``cause`` and the assist_* flags.

    Returns
    -------
    Association
        ``statistic`` (Pearson chi-square) on ``df`` degrees of freedom, ``p_value``,
        ``cramers_v``; ``n`` household-assistance pairs from ``n_households`` households.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> result = cause_assistance(hh)
    >>> result.df, 0 <= result.cramers_v <= 1
    (63, True)
    """
    import pingouin as pg

    long = _assistance_long(hh)
    if long["cause"].nunique() < 2 or long["assistance"].nunique() < 2:
        raise ValueError("cause_assistance: need at least two causes and two assistance types")
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        # pingouin warns "Low count on ... frequencies" for expected counts < 5; the result
        # reports min_expected instead, so only that message is silenced, only here. The
        # errstate silences divisions by zero in the Cressie-Read variants with lambda <= 0
        # (log-likelihood, Neyman), which an empty cell triggers; only the Pearson row is used.
        warnings.filterwarnings("ignore", message="Low count on", category=UserWarning)
        expected, _observed, table = pg.chi2_independence(long, x="cause", y="assistance")
    pearson = table[table["test"] == "pearson"].iloc[0]
    return Association(
        statistic=float(pearson["chi2"]),
        df=int(pearson["dof"]),
        p_value=float(pearson["pval"]),
        cramers_v=float(pearson["cramer"]),
        n=len(long),
        n_households=int(hh["cause"].notna().sum()),
        min_expected=float(expected.to_numpy().min()),
    )


def assistance_by_cause(hh: pd.DataFrame) -> pd.DataFrame:
    """Share of registered households of each cause that received each assistance type.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``cause`` and the assist_* flags.

    Returns
    -------
    pandas.DataFrame
        Long frame: ``cause``, ``assistance`` (short label), ``n_households`` (of that cause),
        ``n_received``, ``share`` (fraction 0-1); causes in codebook order, as present.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> table = assistance_by_cause(hh)
    >>> list(table.columns), len(table) % 10
    (['cause', 'assistance', 'n_households', 'n_received', 'share'], 0)
    """
    _require(hh, ["cause", *assistance_labels()], "assistance_by_cause")
    data = hh[hh["cause"].notna()]
    flags = data[list(assistance_labels())].astype("boolean").fillna(False).astype(bool)
    causes = data["cause"]
    order = (
        [c for c in causes.cat.categories if c in set(causes)]
        if isinstance(causes.dtype, pd.CategoricalDtype)
        else sorted(set(causes))
    )
    rows = []
    for cause in order:
        mask = (causes == cause).to_numpy()
        n = int(mask.sum())
        for column, label in assistance_labels().items():
            received = int(flags[column].to_numpy()[mask].sum())
            rows.append(
                {
                    "cause": str(cause),
                    "assistance": label,
                    "n_households": n,
                    "n_received": received,
                    "share": received / n,
                }
            )
    return pd.DataFrame(rows)


def assistance_shares(hh: pd.DataFrame, assistance: str) -> pd.Series:
    """Share of registered households of each cause that received one kind of assistance.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``cause`` and the assist_* flags.
    assistance : str
        The short label of the assistance (:func:`assistance_labels`), e.g. "industry project".

    Returns
    -------
    pandas.Series
        Cause -> fraction 0-1 of that cause's households, causes in codebook order as present.

    Raises
    ------
    ValueError
        When ``assistance`` is not one of the labels (the message lists them).

    See Also
    --------
    assistance_by_cause : every cause and kind of assistance in one long frame.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> shares = assistance_shares(hh, "industry project")
    >>> shares.index[0], bool(shares.between(0, 1).all())
    ('illness', True)
    """
    labels = list(assistance_labels().values())
    if assistance not in labels:
        raise ValueError(f"assistance must be one of {labels}, got {assistance!r}")
    table = assistance_by_cause(hh)
    rows = table[table["assistance"] == assistance]
    return pd.Series(rows["share"].to_numpy(), index=pd.Index(rows["cause"], name="cause"))


# --------------------------------------------------------------------------------------------
# correlation, regression
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correlation:
    """Spearman correlation of the precision and shared-development scores.

    ``partial_rho``/``partial_p_value``: Spearman partial correlation controlling for income_2019.
    ``n`` counts households with both scores and income_2019 (used for both).
    """

    rho: float
    p_value: float
    n: int
    partial_rho: float
    partial_p_value: float


def precision_sharing(hh: pd.DataFrame) -> Correlation:
    """Spearman rho of the precision and sharing scores, and partial rho given 2019 income.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``income_2019`` (scores are computed if absent).

    Returns
    -------
    Correlation
        ``rho``/``p_value`` and ``partial_rho``/``partial_p_value``, both on the ``n``
        households with both scores and the income.

    Raises
    ------
    ValueError
        With fewer than four complete households.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> result = precision_sharing(hh)
    >>> result.rho > 0, result.n <= len(hh)
    (True, True)
    """
    import pingouin as pg

    _require(hh, ["income_2019"], "precision_sharing")
    scored = with_scores(hh, ["precision", "sharing"])
    data = pd.DataFrame(
        {c: _float(scored[c]) for c in ("precision", "sharing", "income_2019")}
    ).dropna()
    if len(data) < 4:
        raise ValueError("precision_sharing: fewer than 4 complete households")
    simple = pg.corr(data["precision"], data["sharing"], method="spearman")
    partial = pg.partial_corr(
        data=data, x="precision", y="sharing", covar="income_2019", method="spearman"
    )
    return Correlation(
        rho=float(simple["r"].iloc[0]),
        p_value=float(simple["p_val"].iloc[0]),
        n=len(data),
        partial_rho=float(partial["r"].iloc[0]),
        partial_p_value=float(partial["p_val"].iloc[0]),
    )


@dataclass(frozen=True, eq=False)  # holds a DataFrame: compare fields explicitly
class Regression:
    """OLS regression of satisfaction (1-5) on scale scores.

    ``coefficients`` has ``term``, ``coef``, ``se``, ``statistic`` (t), ``p_value``,
    ``ci_low``, ``ci_high`` (95%); ``f_p_value`` is the p-value of the overall F test.
    """

    n: int
    r2: float
    adj_r2: float
    f_statistic: float
    f_p_value: float
    coefficients: pd.DataFrame


def satisfaction_model(hh: pd.DataFrame, controls: Sequence[str] = ()) -> Regression:
    """OLS of satisfaction (1-5) on the precision, sharing and problem scores.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``satisfaction`` (scores computed if absent).
    controls : sequence of str, default ()
        Numeric columns added as further predictors.

    Returns
    -------
    Regression
        ``n`` households with no missing value in the model, ``r2``, ``adj_r2``, the overall
        ``f_statistic``/``f_p_value`` and the ``coefficients`` frame (``term``, ``coef``, ``se``,
        ``statistic`` (t), ``p_value``, ``ci_low``, ``ci_high``; 95%).

    Raises
    ------
    ValueError
        When there are no more complete rows than predictors + 1.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> model = satisfaction_model(hh)
    >>> model.coefficients["term"].tolist()
    ['Intercept', 'precision', 'sharing', 'problems']
    """
    import pingouin as pg
    from scipy import stats

    predictors = ["precision", "sharing", "problems", *controls]
    _require(hh, ["satisfaction", *controls], "satisfaction_model")
    scored = with_scores(hh, ["precision", "sharing", "problems"])
    data = pd.DataFrame({c: _float(scored[c]) for c in ["satisfaction", *predictors]}).dropna()
    k = len(predictors)
    if len(data) <= k + 1:
        raise ValueError(f"satisfaction_model: {len(data)} complete rows for {k} predictors")
    model = pg.linear_regression(data[predictors], data["satisfaction"], alpha=0.05)
    r2 = float(model["r2"].iloc[0])
    n = len(data)
    f_statistic = (r2 / k) / ((1.0 - r2) / (n - k - 1))
    coefficients = pd.DataFrame(
        {
            "term": model["names"].astype(str),
            "coef": model["coef"].astype(float),
            "se": model["se"].astype(float),
            "statistic": model["T"].astype(float),
            "p_value": model["pval"].astype(float),
            "ci_low": model["CI2.5"].astype(float),
            "ci_high": model["CI97.5"].astype(float),
        }
    )
    return Regression(
        n=n,
        r2=r2,
        adj_r2=float(model["adj_r2"].iloc[0]),
        f_statistic=float(f_statistic),
        f_p_value=float(stats.f.sf(f_statistic, k, n - k - 1)),
        coefficients=coefficients,
    )


# --------------------------------------------------------------------------------------------
# waiting mindset
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """ "Better to wait for government help" (prob_6 >= 4 = agree) and income growth.

    ``share_agree`` is a fraction of the ``n`` households who answered prob_6. Growth ratios
    are income_2019 / income_2014; the MWU test compares agreeing households (``statistic`` is
    their U) with the others; ``rank_biserial`` is negative when agreeing households grew less.
    """

    share_agree: float
    n: int
    n_agree: int
    median_growth_agree: float
    median_growth_others: float
    statistic: float
    p_value: float
    rank_biserial: float


def wait_groups(hh: pd.DataFrame) -> pd.DataFrame:
    """The households that answered prob_6, whether they agree, and their income growth.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``prob_6`` and both incomes.

    Returns
    -------
    pandas.DataFrame
        ``hh_id``, ``agree`` (bool: answer >= :data:`AGREE_MIN`) and ``growth_ratio``
        (income_2019 / income_2014), one row per household that answered.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> groups = wait_groups(hh)
    >>> list(groups.columns), len(groups) <= len(hh)
    (['hh_id', 'agree', 'growth_ratio'], True)
    """
    _require(hh, [WAIT_ITEM], "waiting_mindset")
    answer = scales.likert_items(hh, [WAIT_ITEM], id_column="hh_id" if "hh_id" in hh else None)
    out = pd.DataFrame(
        {
            "hh_id": hh.get("hh_id", hh.index),
            "agree": answer[WAIT_ITEM] >= AGREE_MIN,
            "growth_ratio": growth_ratio(hh),
        }
    )
    return out[answer[WAIT_ITEM].notna().to_numpy()].reset_index(drop=True)


def waiting_mindset(hh: pd.DataFrame) -> Waiting:
    """Share agreeing that it is better to wait for help, and their income growth vs others'.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame with ``prob_6`` and both incomes.

    Returns
    -------
    Waiting
        ``share_agree`` (fraction of the ``n`` who answered), median growth ratios of both
        groups, the MWU ``statistic`` (U of the agreeing group), ``p_value`` and
        ``rank_biserial``.

    Raises
    ------
    ValueError
        When a group has fewer than two households with both incomes.

    Examples
    --------
        >>> from analysis import survey
        >>> hh = survey.load_households()
    >>> result = waiting_mindset(hh)
    >>> result.share_agree < 0.5, result.median_growth_agree < result.median_growth_others
    (True, True)
    """
    import pingouin as pg

    groups = wait_groups(hh)
    agree = groups.loc[groups["agree"], "growth_ratio"].dropna()
    others = groups.loc[~groups["agree"], "growth_ratio"].dropna()
    if len(agree) < 2 or len(others) < 2:
        raise ValueError("waiting_mindset: each group needs at least 2 households with incomes")
    test = pg.mwu(agree, others, alternative="two-sided")
    u = float(test["U_val"].iloc[0])
    return Waiting(
        share_agree=float(groups["agree"].mean()),
        n=len(groups),
        n_agree=int(groups["agree"].sum()),
        median_growth_agree=float(agree.median()),
        median_growth_others=float(others.median()),
        statistic=u,
        p_value=float(test["p_val"].iloc[0]),
        rank_biserial=_rank_biserial(u, len(agree), len(others)),
    )


# --------------------------------------------------------------------------------------------
# staff and interviews
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # holds a DataFrame: compare fields explicitly
class StaffFormalism:
    """Formalism index (mean of the codebook's ``formalism`` items, 1-5) among staff.

    ``means`` has ``role``, ``n`` and the mean of each item and of the index by role;
    ``kruskal_statistic``/``kruskal_p_value`` test the index across roles;
    ``rho``/``rho_p_value`` are the Spearman correlation of hours_per_week with the index
    (``n`` staff with both).
    """

    means: pd.DataFrame
    kruskal_statistic: float
    kruskal_df: int
    kruskal_p_value: float
    rho: float
    rho_p_value: float
    n: int
    highest_role: str


def staff_scores(staff: pd.DataFrame, items: Sequence[str] | None = None) -> pd.DataFrame:
    """The staff frame with a ``formalism`` column, the mean of its items (1-5).

    Parameters
    ----------
    staff : pandas.DataFrame
        Cleaned staff frame.
    items : sequence of str, optional
        The items of the index; the codebook's ``formalism`` scale by default.

    Returns
    -------
    pandas.DataFrame
        ``staff`` with ``formalism`` added.

    Examples
    --------
    >>> from analysis import survey
    >>> scored = staff_scores(survey.load_staff())
    >>> bool(scored["formalism"].between(1, 5).all())
    True
    """
    spec = None if items is None else {"formalism": list(items)}
    return scales.score_scales(staff, scales=("formalism",), items=spec, reverse=())


def staff_formalism(staff: pd.DataFrame, items: Sequence[str] | None = None) -> StaffFormalism:
    """Formalism by role (Kruskal-Wallis) and its Spearman correlation with weekly hours.

    Parameters
    ----------
    staff : pandas.DataFrame
        Cleaned staff frame with ``role`` and ``hours_per_week``.
    items : sequence of str, optional
        The items of the index; the codebook's ``formalism`` scale by default.

    Returns
    -------
    StaffFormalism
        ``means`` by role, ``kruskal_statistic``/``kruskal_df``/``kruskal_p_value`` across roles,
        ``rho``/``rho_p_value`` with hours per week (``n`` staff with both) and the
        ``highest_role``.

    Examples
    --------
    >>> from analysis import survey
    >>> result = staff_formalism(survey.load_staff())
    >>> result.means["role"].tolist()
    ['first secretary', 'township cadre', 'county office']
    """
    import pingouin as pg

    _require(staff, ["role", "hours_per_week"], "staff_formalism")
    scored = staff_scores(staff, items)
    item_columns = list(items) if items is not None else scales.items_of("formalism")
    order = _present_order(scored["role"], role_order())
    data = pd.DataFrame(
        {
            "role": pd.Categorical(scored["role"].astype(str), categories=order, ordered=True),
            "formalism": scored["formalism"],
            "hours_per_week": _float(scored["hours_per_week"]),
        }
        | {c: _float(scored[c]) for c in item_columns}
    )
    grouped = data.groupby("role", observed=True)
    means = grouped[[*item_columns, "formalism"]].mean()
    means.insert(0, "n", grouped.size())
    means = means.reset_index()
    means["role"] = means["role"].astype(str)
    valid = data.dropna(subset=["formalism"])
    kw = pg.kruskal(valid, dv="formalism", between="role")
    both = data.dropna(subset=["formalism", "hours_per_week"])
    corr = pg.corr(both["hours_per_week"], both["formalism"], method="spearman")
    return StaffFormalism(
        means=means,
        kruskal_statistic=float(kw["H"].iloc[0]),
        kruskal_df=int(kw["ddof1"].iloc[0]),
        kruskal_p_value=float(kw["p_unc"].iloc[0]),
        rho=float(corr["r"].iloc[0]),
        rho_p_value=float(corr["p_val"].iloc[0]),
        n=len(both),
        highest_role=str(means.loc[means["formalism"].idxmax(), "role"]),
    )


@dataclass(frozen=True, eq=False)  # holds DataFrames: compare fields explicitly
class ThemeMentions:
    """How often each interview theme was raised, overall and by interviewee role.

    ``mentions`` and ``share`` are theme column x role frames (interviews mentioning the theme,
    and that count as a fraction 0-1 of the role's interviews); ``n_by_role`` counts the
    interviews of each role, ``total`` the interviews mentioning each theme across all roles,
    and ``per_interview`` the mean number of themes an interview of each role raised.
    """

    mentions: pd.DataFrame
    share: pd.DataFrame
    n_by_role: pd.Series
    total: pd.Series
    per_interview: pd.Series

    def mention(self, theme: str, role: str) -> str:
        """Mentions of ``theme`` in the interviews of ``role`` as "k of n".

        Parameters
        ----------
        theme : str
            A theme column, e.g. ``"formalism"``.
        role : str
            An interviewee role, e.g. ``"staff"``.

        Returns
        -------
        str
            :func:`analysis.fmt.count_share` of the mentions (a share is added from 20 interviews).

        Examples
        --------
        >>> frame = pd.DataFrame({"role": ["staff", "staff"], "formalism": [True, False]})
        >>> theme_mentions(frame, themes=["formalism"]).mention("formalism", "staff")
        '1 of 2'
        """
        return fmt.count_share(int(self.mentions.at[theme, role]), int(self.n_by_role[role]))


def theme_mentions(interviews: pd.DataFrame, themes: Sequence[str] | None = None) -> ThemeMentions:
    """Count the interviews mentioning each theme, by role and overall.

    Parameters
    ----------
    interviews : pandas.DataFrame
        The interview coding matrix: ``role`` and one boolean column per theme.
    themes : sequence of str, optional
        Theme columns; by default every theme of the codebook (:func:`theme_labels`).

    Returns
    -------
    ThemeMentions
        Counts and shares indexed by theme column and role.

    Examples
    --------
    >>> frame = pd.DataFrame(
    ...     {"role": ["staff", "staff", "household head"], "formalism": [True, True, False]}
    ... )
    >>> result = theme_mentions(frame, themes=["formalism"])
    >>> int(result.total["formalism"]), float(result.per_interview["staff"])
    (2, 1.0)
    """
    columns = list(theme_labels()) if themes is None else list(themes)
    _require(interviews, ["role", *columns], "theme_mentions")
    role = interviews["role"].astype(str)
    flags = interviews[columns].astype("boolean")
    if flags.isna().to_numpy().any():
        raise ValueError("theme_mentions: a theme flag is missing")
    flags = flags.astype(bool)
    roles = _present_order(role, interview_roles())
    grouped = flags.groupby(role.to_numpy())
    mentions = grouped.sum().T.reindex(columns=roles).astype("int64")
    n_by_role = role.value_counts().reindex(roles).astype("int64")
    return ThemeMentions(
        mentions=mentions,
        share=mentions / n_by_role,
        n_by_role=n_by_role,
        total=flags.sum().astype("int64"),
        per_interview=flags.sum(axis=1).groupby(role.to_numpy()).mean().reindex(roles),
    )


def interview_themes(interviews: pd.DataFrame) -> pd.DataFrame:
    """Share of interviews in each role that mention each theme.

    Parameters
    ----------
    interviews : pandas.DataFrame
        The interview coding matrix: ``role``, ``interview_id`` and one boolean per theme.

    Returns
    -------
    pandas.DataFrame
        Long frame in theme and role order: ``theme`` (short label), ``role``,
        ``n_interviews`` (of that role), ``n_mentions``, ``share`` (fraction 0-1).

    Raises
    ------
    ValueError
        When a theme flag is missing, naming the interview.

    Examples
    --------
    >>> from analysis import survey
    >>> table = interview_themes(survey.load_interviews())
    >>> list(table.columns), len(table)
    (['theme', 'role', 'n_interviews', 'n_mentions', 'share'], 30)
    """
    _require(interviews, ["role", *theme_labels()], "interview_themes")
    roles = _present_order(interviews["role"], interview_roles())
    role = interviews["role"].astype(str)
    rows = []
    for column, label in theme_labels().items():
        flags = interviews[column].astype("boolean")
        if flags.isna().any():
            i = int(np.flatnonzero(flags.isna().to_numpy())[0])
            ident = interviews["interview_id"].iloc[i] if "interview_id" in interviews else i
            raise ValueError(f"interview {ident!r}, column {column!r}: theme flag is missing")
        for r in roles:
            mask = (role == r).to_numpy()
            mentions = int(flags.to_numpy(dtype=bool)[mask].sum())
            rows.append(
                {
                    "theme": label,
                    "role": r,
                    "n_interviews": int(mask.sum()),
                    "n_mentions": mentions,
                    "share": mentions / int(mask.sum()),
                }
            )
    return pd.DataFrame(rows)

"""Statistical tests (analysis.inference) against independent computations.

Independent means scipy.stats, statsmodels or a textbook formula computed here, never pingouin,
which analysis.inference itself calls. Published reference values are used where they exist.
"""

import itertools

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.oneway import anova_oneway

from analysis import inference

STATUSES = list(inference.status_order())


def _rank_biserial_paired(diff: np.ndarray) -> float:
    """Matched-pairs rank-biserial (Kerby 2014): (R+ - R-) / (R+ + R-), zero differences dropped."""
    diff = diff[diff != 0]
    ranks = stats.rankdata(np.abs(diff))
    positive, negative = ranks[diff > 0].sum(), ranks[diff < 0].sum()
    return (positive - negative) / (positive + negative)


def _cles(x: np.ndarray, y: np.ndarray) -> float:
    """P(X > Y) + P(X = Y) / 2 over all pairs."""
    d = x[:, None] - y[None, :]
    return float(((d > 0).sum() + 0.5 * (d == 0).sum()) / d.size)


# ---- income change ------------------------------------------------------------------------


def test_income_change_matches_scipy_and_kerby(hh):
    result = inference.income_change(hh)
    ref = stats.wilcoxon(hh["income_2019"], hh["income_2014"])
    assert result.n == len(hh)
    assert result.statistic == ref.statistic
    assert result.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    diff = (hh["income_2019"] - hh["income_2014"]).to_numpy()
    assert result.rank_biserial == pytest.approx(_rank_biserial_paired(diff))
    assert result.median_2014_yuan == np.median(hh["income_2014"])
    assert result.median_ratio == pytest.approx(np.median(hh["income_2019"] / hh["income_2014"]))
    assert result.rank_biserial > 0.9  # planted: incomes roughly double


def test_income_change_reference_values_from_jasp(hh):
    # x2, y2 and the JASP results W = 20.5, matched rank-biserial = -0.379 are those quoted in
    # pingouin's tests/test_nonparametric.py::test_wilcoxon (wilcoxon(x2, y2)).
    x2 = [20, 22, 19, 20, 22, 18, 24, 20, 19, 24, 26, 13]
    y2 = [38, 37, 33, 29, 14, 12, 20, 22, 17, 25, 26, 16]
    frame = pd.DataFrame({"status": "registered", "income_2014": y2, "income_2019": x2})
    result = inference.income_change(frame)
    assert result.statistic == 20.5
    assert round(result.rank_biserial, 3) == -0.379
    assert result.n == 12


def test_income_change_by_status_and_missing_pairs(hh):
    frame = hh.copy()
    frame["income_2019"] = frame["income_2019"].astype("Float64")
    frame.loc[frame.index[:3], "income_2019"] = pd.NA
    table = inference.income_change_by_status(frame)
    assert table["group"].tolist() == STATUSES
    assert table["n"].sum() == len(hh) - 3
    marginal = frame[frame["status"] == "marginal"].dropna(subset=["income_2019"])
    row = table.set_index("group").loc["marginal"]
    ref = stats.wilcoxon(marginal["income_2019"].astype(float), marginal["income_2014"])
    assert row["p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    # planted: marginal households grew less
    assert row["median_ratio"] < table.set_index("group").loc["registered", "median_ratio"]
    with pytest.raises(ValueError, match="no households in group 'nobody'"):
        inference.income_change(hh, "nobody")


def test_income_change_of_all_registered_households(hh):
    result = inference.income_change(hh, registered=True)
    subset = hh[hh["registered"]]
    assert result.group == "all registered"
    assert result.n == len(subset)
    ref = stats.wilcoxon(subset["income_2019"], subset["income_2014"])
    assert result.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    marginal = inference.income_change(hh, registered=False)
    assert marginal.n == (~hh["registered"]).sum()
    with pytest.raises(ValueError, match="either group or registered"):
        inference.income_change(hh, "marginal", registered=False)


def test_non_positive_income_is_rejected_by_name(hh):
    frame = hh.copy()
    frame.loc[4, "income_2014"] = 0
    with pytest.raises(ValueError, match=r"household 5, column 'income_2014'"):
        inference.growth_ratio(frame)


# ---- precision by status --------------------------------------------------------------------


def test_kruskal_and_epsilon_squared(hh):
    result = inference.precision_by_status(hh)
    data = hh.dropna(subset=["precision"])
    groups = [data.loc[data["status"] == s, "precision"] for s in STATUSES]
    ref = stats.kruskal(*groups)
    n = len(data)
    assert result.n == n
    assert result.df == 3
    assert result.statistic == pytest.approx(ref.statistic)
    assert result.p_value == pytest.approx(ref.pvalue)
    # Tomczak & Tomczak (2014): epsilon^2 = H / ((n^2 - 1) / (n + 1))
    assert result.effect_size == pytest.approx(ref.statistic / ((n**2 - 1) / (n + 1)))


def _pain_as_statuses() -> pd.DataFrame:
    """pingouin's "anova" data (McClave & Dietrich 1991), four hair colours as four groups."""
    pain = pg.read_dataset("anova")
    mapping = dict(zip(pain["Hair color"].unique(), STATUSES, strict=True))
    return pd.DataFrame(
        {"status": pain["Hair color"].map(mapping), "precision": pain["Pain threshold"]}
    )


def test_welch_anova_reference_and_statsmodels(hh):
    # Reference: R oneway.test on these data gives F = 5.890, denominator df = 8.330,
    # p = 0.0188 (values quoted in pingouin's tests/test_parametric.py::test_welch_anova).
    result = inference.precision_welch(_pain_as_statuses())
    assert result.df == 3
    assert result.statistic == pytest.approx(5.890, abs=5e-4)
    assert result.df2 == pytest.approx(8.330, abs=5e-4)
    assert round(result.p_value, 4) == 0.0188
    # and on the synthetic data against statsmodels
    result = inference.precision_welch(hh)
    data = hh.dropna(subset=["precision"])
    ref = anova_oneway(
        [data.loc[data["status"] == s, "precision"] for s in STATUSES],
        use_var="unequal",
        welch_correction=True,
    )
    assert result.statistic == pytest.approx(ref.statistic)
    assert result.p_value == pytest.approx(ref.pvalue)
    assert result.df2 == pytest.approx(ref.df[1])


def test_posthoc_matches_scipy_with_holm(hh):
    table = inference.precision_posthoc(hh)
    data = hh.dropna(subset=["precision"])
    assert len(table) == 6
    raw_p = []
    for row in table.itertuples():
        a = data.loc[data["status"] == row.group_a, "precision"].to_numpy()
        b = data.loc[data["status"] == row.group_b, "precision"].to_numpy()
        ref = stats.mannwhitneyu(a, b, alternative="two-sided")
        assert row.statistic == ref.statistic
        assert row.p_value == pytest.approx(ref.pvalue)
        assert row.rank_biserial == pytest.approx(2 * _cles(a, b) - 1)
        assert (row.n_a, row.n_b) == (len(a), len(b))
        raw_p.append(ref.pvalue)
    holm = multipletests(raw_p, method="holm")[1]
    np.testing.assert_allclose(table["holm_p_value"], holm)


def test_games_howell_matches_textbook_formula(hh):
    table = inference.precision_games_howell(hh)
    data = hh.dropna(subset=["precision"])
    k = data["status"].nunique()
    assert len(table) == 6
    for row in table.itertuples():
        a = data.loc[data["status"] == row.group_a, "precision"].to_numpy()
        b = data.loc[data["status"] == row.group_b, "precision"].to_numpy()
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        t = (a.mean() - b.mean()) / np.sqrt(va + vb)
        df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
        p = stats.studentized_range.sf(abs(t) * np.sqrt(2), k, df)
        assert row.statistic == pytest.approx(t)
        assert row.df == pytest.approx(df)
        assert row.p_value == pytest.approx(p, abs=1e-4)
        assert row.diff == pytest.approx(a.mean() - b.mean())


def test_marginal_vs_registered(hh):
    result = inference.marginal_vs_registered(hh)
    data = hh.dropna(subset=["precision"])
    m = data.loc[~data["registered"], "precision"].to_numpy()
    r = data.loc[data["registered"], "precision"].to_numpy()
    ref = stats.mannwhitneyu(m, r, alternative="two-sided")
    assert (result.n_marginal, result.n_registered) == (len(m), len(r))
    assert result.statistic == ref.statistic
    assert result.p_value == pytest.approx(ref.pvalue)
    assert result.rank_biserial == pytest.approx(2 * ref.statistic / (len(m) * len(r)) - 1)
    assert result.cles == pytest.approx(_cles(m, r))
    assert result.median_marginal == np.median(m)
    assert result.rank_biserial < -0.2  # planted: marginal households rate precision lower


# ---- cause x assistance ---------------------------------------------------------------------


def test_cause_assistance_chi_square_and_cramers_v(hh):
    result = inference.cause_assistance(hh)
    registered = hh[hh["cause"].notna()]
    pairs = [
        (str(cause), label)
        for cause, flags in zip(
            registered["cause"],
            registered[list(inference.assistance_labels())].to_numpy(),
            strict=True,
        )
        for label, received in zip(inference.assistance_labels().values(), flags, strict=True)
        if received
    ]
    table = pd.crosstab(*zip(*pairs, strict=True))
    chi2, p, dof, expected = stats.chi2_contingency(table.to_numpy(), correction=False)
    n = table.to_numpy().sum()
    assert result.n == n == len(pairs)
    assert result.statistic == pytest.approx(chi2)
    assert result.df == dof
    assert result.p_value == pytest.approx(p)
    assert result.cramers_v == pytest.approx(np.sqrt(chi2 / (n * (min(table.shape) - 1))))
    assert result.min_expected == pytest.approx(expected.min())
    assert result.n_households == len(registered)


def test_assistance_by_cause_shares(hh):
    table = inference.assistance_by_cause(hh)
    causes = [c for c in hh["cause"].cat.categories if (hh["cause"] == c).any()]
    assert table["cause"].unique().tolist() == causes
    assert len(table) == len(causes) * len(inference.assistance_labels())
    illness = hh[hh["cause"] == "illness"]
    row = table[(table["cause"] == "illness") & (table["assistance"] == "industry project")].iloc[0]
    assert row["n_households"] == len(illness)
    assert row["share"] == pytest.approx(illness["assist_industry"].mean())


# ---- correlation and regression ------------------------------------------------------------


def test_spearman_and_partial_spearman(hh):
    result = inference.precision_sharing(hh)
    data = hh[["precision", "sharing", "income_2019"]].dropna()
    ref = stats.spearmanr(data["precision"], data["sharing"])
    assert result.n == len(data)
    assert result.rho == pytest.approx(ref.statistic)
    assert result.p_value == pytest.approx(ref.pvalue)
    # partial Spearman: Pearson correlation of rank residuals after regressing on rank(income)
    ranks = data.rank()
    z = sm.add_constant(ranks["income_2019"])
    ex = sm.OLS(ranks["precision"], z).fit().resid
    ey = sm.OLS(ranks["sharing"], z).fit().resid
    r = np.corrcoef(ex, ey)[0, 1]
    n = len(data)
    t = r * np.sqrt((n - 3) / (1 - r**2))
    assert result.partial_rho == pytest.approx(r)
    assert result.partial_p_value == pytest.approx(2 * stats.t.sf(abs(t), n - 3))
    assert result.rho > 0.3  # planted


def test_satisfaction_model_matches_statsmodels(hh):
    result = inference.satisfaction_model(hh, controls=["age"])
    columns = ["satisfaction", "precision", "sharing", "problems", "age"]
    data = hh[columns].astype("float64").dropna()
    fit = sm.OLS(data["satisfaction"], sm.add_constant(data[columns[1:]])).fit()
    assert result.n == len(data)
    assert result.r2 == pytest.approx(fit.rsquared)
    assert result.adj_r2 == pytest.approx(fit.rsquared_adj)
    assert result.f_statistic == pytest.approx(fit.fvalue)
    assert result.f_p_value == pytest.approx(fit.f_pvalue)
    coefs = result.coefficients.set_index("term")
    assert coefs.index.tolist() == ["Intercept", "precision", "sharing", "problems", "age"]
    np.testing.assert_allclose(coefs["coef"], fit.params.to_numpy())
    np.testing.assert_allclose(coefs["se"], fit.bse.to_numpy())
    np.testing.assert_allclose(coefs["p_value"], fit.pvalues.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(coefs["ci_low"], fit.conf_int()[0].to_numpy())
    # planted signs
    assert coefs.at["precision", "coef"] > 0 and coefs.at["problems", "coef"] < 0


def test_satisfaction_model_handles_nullable_missing_values(hh):
    # pingouin 0.7 cannot take pd.NA (see analysis.inference): the Int64 satisfaction column
    # with NA must still work, dropping those rows
    assert hh["satisfaction"].dtype == "Int64" and hh["satisfaction"].isna().any()
    result = inference.satisfaction_model(hh)
    assert result.n == hh[["satisfaction", "precision", "sharing", "problems"]].dropna().shape[0]


# ---- waiting mindset ------------------------------------------------------------------------


def test_waiting_mindset(hh):
    result = inference.waiting_mindset(hh)
    answered = hh[hh["prob_6"].notna()]
    agree = answered["prob_6"].astype(int) >= 4
    growth = (answered["income_2019"] / answered["income_2014"]).to_numpy()
    assert result.n == len(answered)
    assert result.share_agree == pytest.approx(agree.mean())
    ref = stats.mannwhitneyu(growth[agree.to_numpy()], growth[~agree.to_numpy()])
    assert result.statistic == ref.statistic
    assert result.p_value == pytest.approx(ref.pvalue)
    assert result.median_growth_agree == pytest.approx(np.median(growth[agree.to_numpy()]))
    assert result.rank_biserial < 0  # planted: those who agree grew less


# ---- staff and interviews -------------------------------------------------------------------


def test_staff_formalism(staff):
    result = inference.staff_formalism(staff, items=["paperwork", "inspections"])
    index = staff[["paperwork", "inspections"]].astype(float).mean(axis=1)
    groups = [index[staff["role"] == r] for r in inference.role_order()]
    ref = stats.kruskal(*groups)
    assert result.kruskal_statistic == pytest.approx(ref.statistic)
    assert result.kruskal_p_value == pytest.approx(ref.pvalue)
    rho = stats.spearmanr(staff["hours_per_week"], index)
    assert result.rho == pytest.approx(rho.statistic)
    assert result.rho_p_value == pytest.approx(rho.pvalue)
    means = result.means.set_index("role")
    assert means.loc["first secretary", "formalism"] == pytest.approx(groups[0].mean())
    assert means["n"].sum() == len(staff)
    assert result.highest_role == "first secretary"  # planted


def test_interview_themes_counts(interviews):
    table = inference.interview_themes(interviews)
    assert len(table) == 10 * 3
    for theme_column, label in inference.theme_labels().items():
        counts = interviews.groupby("role", observed=True)[theme_column].agg(["sum", "size"])
        for role, (mentions, size) in counts.iterrows():
            row = table[(table["theme"] == label) & (table["role"] == role)].iloc[0]
            assert (row["n_mentions"], row["n_interviews"]) == (mentions, size)
            assert row["share"] == pytest.approx(mentions / size)


def test_unknown_group_labels_are_errors(hh):
    frame = hh.copy()
    frame["status"] = frame["status"].astype(str)
    frame.loc[0, "status"] = "exited 2015"
    with pytest.raises(ValueError, match="unexpected group label"):
        inference.precision_by_status(frame)


def test_pairs_cover_all_status_combinations(hh):
    table = inference.precision_posthoc(hh)
    pairs = {frozenset(p) for p in zip(table["group_a"], table["group_b"], strict=True)}
    assert pairs == {frozenset(p) for p in itertools.combinations(STATUSES, 2)}

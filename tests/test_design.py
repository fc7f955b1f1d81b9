"""Design-based inference (analysis.design) against independent computations.

Independent means numpy by hand (sandwich estimators, least squares), scipy, pingouin or a
statsmodels routine that analysis.design does not call for that result.
"""

import itertools
import re

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
import statsmodels.api as sm
from bookbuild_helpers import REPO, thesis_page_text
from scipy import optimize, stats
from statsmodels.stats.multitest import multipletests

from analysis import design, inference
from tests.conftest import make_households


def _dummies(values: pd.Series) -> np.ndarray:
    """Treatment-coded dummies (first level sorted is the reference)."""
    levels = sorted(values.unique())
    return np.column_stack([(values == lev).to_numpy(float) for lev in levels[1:]])


def _cr1(x: np.ndarray, resid: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """CR1 cluster-robust covariance of OLS, by hand."""
    n, k = x.shape
    bread = np.linalg.inv(x.T @ x)
    labels = np.unique(groups)
    meat = sum(
        np.outer(x[groups == g].T @ resid[groups == g], x[groups == g].T @ resid[groups == g])
        for g in labels
    )
    g = len(labels)
    return g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread


# ---- ICC ----------------------------------------------------------------------------------


def test_icc_by_hand_with_unequal_clusters():
    frame = pd.DataFrame({"y": [1, 2, 3, 4, 6, 8, 9, 10, 11], "village": list("aaabbcccc")})
    result = design.icc(frame, "y")
    # by hand: MSB = 99/2, MSW = 9/6, n0 = (9 - 29/9)/2 = 26/9
    assert result.msb == pytest.approx(49.5)
    assert result.msw == pytest.approx(1.5)
    assert result.icc == pytest.approx(48 / (49.5 + (26 / 9 - 1) * 1.5))
    assert result.design_effect == pytest.approx(1 + (3 - 1) * result.icc)
    assert result.effective_n == pytest.approx(9 / result.design_effect)


def test_icc_matches_pingouin_icc1_on_balanced_data():
    rng = np.random.default_rng(3)
    village = np.repeat([f"v{i}" for i in range(8)], 40)
    y = np.repeat(rng.normal(0, 0.5, 8), 40) + rng.normal(0, 1, 320)
    frame = pd.DataFrame({"y": y, "village": village, "rater": np.tile(np.arange(40), 8)})
    ref = pg.intraclass_corr(frame, targets="village", raters="rater", ratings="y")
    icc1 = float(ref.set_index("Type").loc["ICC(1,1)", "ICC"])
    assert design.icc(frame, "y").icc == pytest.approx(icc1, rel=1e-9)


def test_icc_near_zero_without_clustering_and_rejects_one_cluster():
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"y": rng.normal(size=400), "village": np.repeat(list("abcdefgh"), 50)})
    assert abs(design.icc(frame, "y").icc) < 0.05
    with pytest.raises(ValueError, match="two"):
        design.icc(frame.assign(village="a"), "y")


# ---- cluster-robust comparison ----------------------------------------------------------


def test_cluster_comparison_matches_hand_sandwich(hh):
    result = design.cluster_comparison(hh, "precision")
    data = hh.dropna(subset=["precision"])
    x = np.column_stack(
        [np.ones(len(data)), (~data["registered"]).to_numpy(float), _dummies(data["village"])]
    )
    y = data["precision"].to_numpy(float)
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    cov = _cr1(x, resid, data["village"].to_numpy())
    naive = resid @ resid / (len(y) - x.shape[1]) * np.linalg.inv(x.T @ x)
    assert result.difference == pytest.approx(beta[1])
    assert result.se_cluster == pytest.approx(np.sqrt(cov[1, 1]))
    assert result.se_naive == pytest.approx(np.sqrt(naive[1, 1]))
    t = beta[1] / np.sqrt(cov[1, 1])
    assert result.p_value == pytest.approx(2 * stats.t.sf(abs(t), 7))  # t(G - 1), G = 8
    assert result.n_clusters == 8
    assert result.difference < 0  # planted: marginal households rate precision lower


# ---- permutation tests over households within villages ----------------------------------


def test_holm_matches_statsmodels():
    p = [0.01, 0.04, 0.03, 0.2, 0.005, 0.5]
    assert design.holm(p) == pytest.approx(multipletests(p, method="holm")[1])


def test_merge_rare_causes_by_stated_rule():
    cause = pd.Series(["illness"] * 20 + ["disaster"] * 3 + ["disability"] * 15 + ["other"] * 2)
    merged = design.merge_rare_causes(cause, minimum=15)
    assert merged.value_counts().to_dict() == {"illness": 20, "disability": 15, "other": 5}


def test_chi2_statistic_matches_scipy():
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 4, 90)
    received = (rng.random(90) < 0.3 + 0.1 * codes).astype(float)
    table = pd.crosstab(codes, received).to_numpy()
    ref = stats.chi2_contingency(table, correction=False).statistic
    assert design._chi2_stat(received, codes, 4) == pytest.approx(ref)


def _tiny_frame(received: list[int]) -> pd.DataFrame:
    frame = make_households(n=12).iloc[:12].copy()
    frame["village"] = ["a"] * 6 + ["b"] * 6
    frame["cause"] = ["illness", "illness", "illness", "disability", "disability", "disability"] * 2
    for column in inference.assistance_labels():
        frame[column] = False
    frame["assist_medical"] = np.array(received, dtype=bool)
    return frame


def test_permutation_p_matches_exact_enumeration_within_villages():
    received = [1, 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0]
    frame = _tiny_frame(received)
    result = design.assistance_permutation(frame, permutations=4999, minimum=1)
    row = result.set_index("assistance").loc["medical aid"]
    # exact: every way of placing the 3 "illness" labels among the 6 households of each village
    y = np.array(received, dtype=float)
    codes = np.array([1, 1, 1, 0, 0, 0] * 2)
    observed = design._chi2_stat(y, codes, 2)
    null = []
    for a in itertools.combinations(range(6), 3):
        for b in itertools.combinations(range(6, 12), 3):
            c = np.zeros(12, dtype=int)
            c[list(a + b)] = 1
            null.append(design._chi2_stat(y, c, 2))
    exact = np.mean(np.array(null) >= observed - 1e-12)
    assert row["statistic"] == pytest.approx(observed)
    assert row["perm_p_value"] == pytest.approx(exact, abs=0.02)
    assert row["n"] == 12 and row["n_causes"] == 2


def test_permutation_finds_planted_dependence_only(hh):
    frame = hh.copy()
    illness = frame["cause"].astype(str).eq("illness") & frame["registered"]
    rng = np.random.default_rng(9)
    frame["assist_medical"] = np.where(
        illness, rng.random(len(frame)) < 0.9, rng.random(len(frame)) < 0.1
    )
    frame.loc[~frame["registered"], "assist_medical"] = False
    result = design.assistance_permutation(frame, permutations=1999, minimum=1).set_index(
        "assistance"
    )
    assert result.loc["medical aid", "holm_p_value"] < 0.01
    assert result["holm_p_value"].drop("medical aid").min() > 0.05  # the other flags are noise
    assert result["holm_p_value"].ge(result["perm_p_value"]).all()


# ---- ordered logit, diagnostics ---------------------------------------------------------


def _ordered_logit_mle(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Own proportional-odds MLE (scipy): returns the slopes."""
    levels = np.unique(y)
    k, j = x.shape[1], len(levels) - 1

    def negll(theta):
        beta, raw = theta[:k], theta[k:]
        cuts = np.concatenate([[raw[0]], raw[0] + np.cumsum(np.exp(raw[1:]))])
        bounds = np.concatenate([[-np.inf], cuts, [np.inf]])
        idx = np.searchsorted(levels, y)
        eta = x @ beta
        p = stats.logistic.cdf(bounds[idx + 1] - eta) - stats.logistic.cdf(bounds[idx] - eta)
        return -np.log(np.clip(p, 1e-300, None)).sum()

    start = np.concatenate([np.zeros(k), [-1.0], np.zeros(j - 1)])
    return optimize.minimize(negll, start, method="BFGS", options={"gtol": 1e-8}).x[:k]


def test_ordered_satisfaction_matches_own_mle(hh):
    result = design.ordered_satisfaction(hh)
    data = hh.dropna(subset=["satisfaction", "precision", "sharing", "problems"])
    slopes = _ordered_logit_mle(
        data["satisfaction"].to_numpy(int),
        data[["precision", "sharing", "problems"]].to_numpy(float),
    )
    coef = result.coefficients.set_index("term")
    assert coef["coef"].to_numpy() == pytest.approx(slopes, abs=1e-3)
    assert coef.loc["precision", "coef"] > 0 and coef.loc["problems", "coef"] < 0  # planted
    assert coef["odds_ratio"].to_numpy() == pytest.approx(np.exp(slopes), rel=1e-2)
    assert result.n == len(data) and result.n_clusters == 8


def test_cluster_sandwich_matches_statsmodels_logit_cluster():
    # the same sandwich applied to a Logit, where statsmodels has its own cluster covariance
    rng = np.random.default_rng(11)
    n = 300
    groups = np.repeat(np.arange(10), 30)
    x = sm.add_constant(np.column_stack([rng.normal(size=n), rng.normal(size=n)]))
    y = (
        rng.random(n)
        < 1 / (1 + np.exp(-(x @ [0.2, 0.8, -0.5]) - np.repeat(rng.normal(0, 0.5, 10), 30)))
    ).astype(float)
    model = sm.Logit(y, x)
    ref = model.fit(disp=False, cov_type="cluster", cov_kwds={"groups": groups})
    cov = design._cluster_cov(model, ref.params, groups)
    assert np.sqrt(np.diag(cov)) == pytest.approx(ref.bse, rel=1e-6)


def test_ols_diagnostics_by_hand(hh):
    result = design.ols_diagnostics(hh)
    data = hh.dropna(subset=["satisfaction", "precision", "sharing", "problems"])
    predictors = ["precision", "sharing", "problems"]
    x = np.column_stack([np.ones(len(data)), data[predictors].to_numpy(float)])
    y = data["satisfaction"].to_numpy(float)

    def r2(target, design_matrix):
        fitted = design_matrix @ np.linalg.lstsq(design_matrix, target, rcond=None)[0]
        return 1 - ((target - fitted) ** 2).sum() / ((target - target.mean()) ** 2).sum()

    for j, name in enumerate(predictors, start=1):
        others = np.delete(x, j, axis=1)
        assert result.vif[name] == pytest.approx(1 / (1 - r2(x[:, j], others)))
    resid = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    lm = len(y) * r2(resid**2, x)  # Breusch-Pagan LM = n R^2 of e^2 on the predictors
    assert result.bp_statistic == pytest.approx(lm)
    assert result.bp_p_value == pytest.approx(stats.chi2.sf(lm, 3))
    ref = stats.jarque_bera(resid)
    assert result.jb_statistic == pytest.approx(ref.statistic)
    assert result.jb_p_value == pytest.approx(ref.pvalue)
    assert result.n == len(data)


# ---- growth model, waiting within status ------------------------------------------------


def test_growth_model_matches_hand_least_squares(hh):
    result = design.growth_model(hh)
    y = np.log(hh["income_2019"] / hh["income_2014"]).to_numpy()
    status = hh["status"].astype(str)
    others = [s for s in inference.status_order() if s != "registered"]
    x = np.column_stack(
        [np.ones(len(hh))]
        + [(status == s).to_numpy(float) for s in others]
        + [np.log(hh["income_2014"].to_numpy(float)), _dummies(hh["village"])]
    )
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    cov = _cr1(x, y - x @ beta, hh["village"].to_numpy())
    coef = result.coefficients.set_index("term")
    assert coef.loc[others, "coef"].to_numpy() == pytest.approx(beta[1:4])
    assert coef.loc["log_base", "coef"] == pytest.approx(beta[4])
    assert coef.loc[others, "se"].to_numpy() == pytest.approx(np.sqrt(np.diag(cov))[1:4])
    assert coef.loc["marginal", "ratio"] < 1  # planted: marginal households grew less


def test_waiting_within_status(hh):
    result = design.waiting_within_status(hh)
    data = hh.dropna(subset=["prob_6"])
    agree = (data["prob_6"] >= 4).to_numpy()
    ratio = (data["income_2019"] / data["income_2014"]).to_numpy()
    by = result.by_status.set_index("status")
    for status in by.index:
        mask = (data["status"].astype(str) == status).to_numpy()
        assert by.loc[status, "n"] == mask.sum()
        assert by.loc[status, "n_agree"] == (mask & agree).sum()
        if (mask & agree).any():
            assert by.loc[status, "median_agree"] == pytest.approx(np.median(ratio[mask & agree]))
        assert by.loc[status, "median_others"] == pytest.approx(np.median(ratio[mask & ~agree]))
    status = data["status"].astype(str)
    x = np.column_stack(
        [np.ones(len(data)), agree.astype(float)]
        + [(status == s).to_numpy(float) for s in inference.status_order()[1:]]
        + [_dummies(data["village"])]
    )
    beta, *_ = np.linalg.lstsq(x, np.log(ratio), rcond=None)
    assert result.ratio == pytest.approx(np.exp(beta[1]))
    assert result.ratio < 1  # planted: those who would rather wait grew less
    assert result.n == len(data) and result.n_agree == agree.sum()


def test_within_difference_is_the_fixed_effects_coefficient(hh):
    data = hh.dropna(subset=["precision"])
    y = data["precision"].to_numpy(float)
    flag = (~data["registered"]).to_numpy()
    x = np.column_stack([np.ones(len(data)), flag.astype(float), _dummies(data["village"])])
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    strata = pd.factorize(data["village"])[0]
    assert design.within_difference(y, flag, strata) == pytest.approx(beta[1])


def test_cluster_comparison_permutation_p_is_exact_on_tiny_data():
    frame = make_households(n=8).copy()
    frame["village"] = list("aaaabbbb")
    frame["registered"] = [True, True, False, False] * 2
    y = np.array([4.0, 3.5, 2.0, 2.5, 3.0, 4.5, 2.0, 3.5])
    frame["satisfaction"] = y
    result = design.cluster_comparison(frame, "satisfaction", permutations=4999)
    strata = np.array([0] * 4 + [1] * 4)
    observed = abs(design.within_difference(y, ~frame["registered"].to_numpy(), strata))
    null = []
    for a in itertools.combinations(range(4), 2):
        for b in itertools.combinations(range(4, 8), 2):
            f = np.zeros(8, dtype=bool)
            f[list(a + b)] = True
            null.append(abs(design.within_difference(y, f, strata)))
    assert result.perm_p_value == pytest.approx(
        np.mean(np.array(null) >= observed - 1e-12), abs=0.02
    )


# ---- display tables ---------------------------------------------------------------------


def test_design_tables_show_the_results_with_one_rounding_rule(hh):
    from analysis import design_tables, fmt

    table = design_tables.design_effect_table(hh).set_index("Outcome")
    r = design.icc(hh, "precision")
    assert table.loc["Precision score", "ICC"] == fmt.num(r.icc, 3)
    assert table.loc["Precision score", "Effective n"] == fmt.integer(r.effective_n)
    perm = design_tables.assistance_permutation_table(hh).set_index("Assistance")
    n_registered = int(hh["registered"].sum())
    received = int(hh.loc[hh["registered"], "assist_industry"].sum())
    assert perm.loc["industry project", "Received"] == fmt.count_share(received, n_registered)
    models = design_tables.satisfaction_models_table(hh).set_index("Score")
    ordered = design.ordered_satisfaction(hh).coefficients.set_index("term")
    assert models.loc["Precision score", "Odds ratio"] == fmt.num(
        ordered.loc["precision", "odds_ratio"], 2
    )
    waiting = design_tables.waiting_table(hh)
    assert list(waiting["Status"]) == [  # the status codes, their year range with an en dash
        s.replace("2017-2019", "2017\u20132019")
        for s in inference.status_order()
        if (hh["status"].astype(str) == s).any()
    ]


# ---- the rendered thesis ------------------------------------------------------------------


def test_thesis_reports_the_within_village_gap_and_household_level_tests():
    from analysis import scales, survey

    hh = scales.score_scales(survey.load_households())
    y = hh["precision"].to_numpy(float)
    x = np.column_stack(
        [np.ones(len(hh)), (~hh["registered"]).to_numpy(float), _dummies(hh["village"])]
    )
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    cov = _cr1(x, y - x @ beta, hh["village"].to_numpy())
    t_crit = stats.t.ppf(0.975, hh["village"].nunique() - 1)
    lo, hi = beta[1] - t_crit * np.sqrt(cov[1, 1]), beta[1] + t_crit * np.sqrt(cov[1, 1])
    text = thesis_page_text("05-findings")
    assert f"score {-beta[1]:.2f} points lower on precision" in text
    assert f"[{lo:.2f}, {hi:.2f}]".replace("-", "\u2212") in text  # true minus signs
    # the pair-level chi-square is gone; the household-level tests name their unit
    assert "household–assistance pairs" not in text
    assert f"each of the {int(hh['registered'].sum())} registered households counts once" in text
    assert "Limitations" in text and "ordered logit" in text
    table = re.search(
        r'id="tbl-assistance-permutation".*?</table>',
        (REPO / "_book" / "05-findings.html").read_text("utf-8"),
        re.S,
    )
    assert table and table[0].count("<tr") == 1 + len(inference.assistance_labels())


def test_thesis_majority_words_and_small_group_counts_follow_the_data():
    from analysis import survey

    staff = survey.load_staff()
    answered = staff["measures_fit"].dropna().astype(int)
    agree = int((answered >= 4).sum())
    word = "a majority" if 2 * agree > len(answered) else "a minority"
    text = thesis_page_text("05-findings")
    assert f"among staff: {word} agreed that they fit" in text
    # three-way split by hand, half up
    shares = [
        float(np.floor(1000 * k / len(answered) + 0.5) / 10)
        for k in (agree, int((answered == 3).sum()), int((answered <= 2).sum()))
    ]
    assert (
        f"{shares[0]:.1f}% agreed, {shares[1]:.1f}% were neutral and {shares[2]:.1f}% disagreed "
        f"( n = {len(answered)})"  # the page text has a space for the <em> around n
    ) in text
    # shares of the 8 first-secretary interviews are printed as counts, never as percentages
    interviews = survey.load_interviews()
    fs = interviews[interviews["role"].astype(str) == "first secretary"]
    assert f"{int(fs['formalism'].sum())} of {len(fs)} interviews with first secretaries" in text
    assert not re.search(r"\d+% of first secretaries", text)


def test_batched_shuffles_and_statistics_equal_one_at_a_time_to_the_last_bit():
    """The permutation tests shuffle and score thousands of times in one pass; each shuffle
    must be the one a single draw gives (same generator stream), and each statistic the
    scalar function's value exactly, so the thesis's p-values do not move."""
    rng = np.random.default_rng(11)
    strata = rng.integers(0, 7, 240)
    codes = rng.integers(0, 5, 240)
    y = rng.normal(size=240)
    flags = rng.random(240) < 0.4
    batch = design._within_permutations(codes, strata, np.random.default_rng(3), 2100)
    one_by_one = np.random.default_rng(3)
    order = np.argsort(strata, kind="stable")
    for row in batch:
        keys = one_by_one.random(len(codes))
        expected = np.empty_like(codes)
        expected[order] = codes[order[np.lexsort((keys, strata[order]))]]
        assert np.array_equal(row, expected)
        for s in np.unique(strata):  # a shuffle within each stratum
            assert sorted(row[strata == s]) == sorted(codes[strata == s])
    received = (rng.random(240) < 0.3).astype(float)
    chi2 = design._chi2_stats(received, batch, 5)
    assert [design._chi2_stat(received, row, 5) for row in batch] == chi2.tolist()
    shuffled = design._within_permutations(flags, strata, np.random.default_rng(4), 2100)
    within = design._within_differences(y, shuffled, strata)
    assert [design.within_difference(y, row, strata) for row in shuffled] == within.tolist()

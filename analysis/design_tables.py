"""Display tables for the design-based analyses (:mod:`analysis.design`, :mod:`analysis.agreement`).

Every cell is text formatted by :mod:`analysis.fmt`, so tables and prose share one rounding
rule (half up). Counts of small groups are printed as counts ("11 of 12").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import agreement, design, fmt, inference

__all__ = [
    "agreement_table",
    "assistance_permutation_table",
    "design_effect_table",
    "diagnostics_table",
    "growth_table",
    "marginal_comparison_table",
    "satisfaction_models_table",
    "waiting_table",
]

OUTCOMES = {
    "precision": "Precision score",
    "sharing": "Shared-development score",
    "problems": "Problem score",
    "satisfaction": "Overall satisfaction",
}


def _p(p: float) -> str:
    return fmt.p_cell(p)


def design_effect_table(hh: pd.DataFrame) -> pd.DataFrame:
    """ICC by village, design effect and effective sample size of the main outcomes.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> from analysis import survey
    >>> list(design_effect_table(survey.load_households()).columns)
    ['Outcome', 'n', 'Villages', 'ICC', 'Design effect', 'Effective n']
    """
    labels = OUTCOMES | {"log_growth": "Log income growth 2014–2019"}
    rows = []
    for column, r in design.outcome_iccs(hh).items():
        label = labels[column]
        rows.append(
            {
                "Outcome": label,
                "n": fmt.integer(r.n),
                "Villages": fmt.integer(r.n_clusters),
                "ICC": fmt.num(r.icc, 3),
                "Design effect": fmt.num(r.design_effect, 2),
                "Effective n": fmt.integer(r.effective_n),
            }
        )
    return fmt.headers(fmt.table_ranges(pd.DataFrame(rows)))


def marginal_comparison_table(
    hh: pd.DataFrame, *, permutations: int = design.PERMUTATIONS
) -> pd.DataFrame:
    """Marginal minus registered, within villages: naive and clustered errors, permutation p.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).
    permutations : int, default :data:`analysis.design.PERMUTATIONS`
        Within-village permutations behind the permutation p-values.

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> from analysis import survey
    >>> list(marginal_comparison_table(survey.load_households(), permutations=99).columns)
    ['Outcome', 'Difference', 'SE (naive)', 'SE (village-clustered)', '95% CI (clustered)', 'p
     (clustered)', 'p (permutation)']
    """
    rows = []
    for column, label in OUTCOMES.items():
        r = design.cluster_comparison(hh, column, permutations=permutations)
        rows.append(
            {
                "Outcome": label,
                "Difference": fmt.num(r.difference, 2),
                "SE (naive)": fmt.num(r.se_naive, 3),
                "SE (village-clustered)": fmt.num(r.se_cluster, 3),
                "95% CI (clustered)": fmt.ci(r.ci_low, r.ci_high, 2),
                "p (clustered)": _p(r.p_value),
                "p (permutation)": _p(r.perm_p_value),
            }
        )
    return fmt.headers(fmt.table_ranges(pd.DataFrame(rows)))


def assistance_permutation_table(
    hh: pd.DataFrame, *, permutations: int = design.PERMUTATIONS
) -> pd.DataFrame:
    """Per assistance type: receipt across causes, permutation chi-square, Holm-adjusted p.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).
    permutations : int, default :data:`analysis.design.PERMUTATIONS`
        Within-village permutations behind the permutation p-values.

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> from analysis import survey
    >>> list(assistance_permutation_table(survey.load_households(), permutations=99).columns)
    ['Assistance', 'Received', 'Share by cause (lowest–highest)', 'χ²', 'p (permutation)', 'p
     (Holm)']
    """
    t = design.assistance_permutation(hh, permutations=permutations)
    table = pd.DataFrame(
        {
            "Assistance": t["assistance"],
            "Received": [fmt.count_share(k, n) for k, n in zip(t["received"], t["n"], strict=True)],
            "Share by cause (lowest–highest)": [
                f"{fmt.share(lo, 0)}–{fmt.share(hi, 0)}"
                for lo, hi in zip(t["share_min"], t["share_max"], strict=True)
            ],
            "χ²": t["statistic"].map(lambda x: fmt.num(x, 2)),
            "p (permutation)": t["perm_p_value"].map(_p),
            "p (Holm)": t["holm_p_value"].map(_p),
        }
    )
    return fmt.headers(fmt.table_ranges(table))


def satisfaction_models_table(hh: pd.DataFrame) -> pd.DataFrame:
    """OLS and ordered logit of satisfaction side by side, both with village-clustered errors.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> from analysis import survey
    >>> list(satisfaction_models_table(survey.load_households()).columns)
    ['Score', 'OLS B', 'OLS 95% CI', 'Ordered logit (log odds)', 'Odds ratio', 'Odds ratio 95%
     CI', 'p (ordered logit)']
    """
    ols = design.ols_satisfaction_clustered(hh).set_index("term")
    ordered = design.ordered_satisfaction(hh).coefficients.set_index("term")
    rows = []
    for term in design.PREDICTORS:
        o, g = ols.loc[term], ordered.loc[term]
        rows.append(
            {
                "Score": OUTCOMES[term],
                "OLS B": fmt.num(o["coef"], 2),
                "OLS 95% CI": fmt.ci(o["ci_low"], o["ci_high"], 2),
                "Ordered logit (log odds)": fmt.num(g["coef"], 2),
                "Odds ratio": fmt.num(g["odds_ratio"], 2),
                "Odds ratio 95% CI": fmt.ci(np.exp(g["ci_low"]), np.exp(g["ci_high"]), 2),
                "p (ordered logit)": _p(g["p_value"]),
            }
        )
    return fmt.headers(fmt.table_ranges(pd.DataFrame(rows)))


def diagnostics_table(hh: pd.DataFrame) -> pd.DataFrame:
    """VIF of each score, Breusch-Pagan and Jarque-Bera for the satisfaction OLS.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> from analysis import survey
    >>> list(diagnostics_table(survey.load_households()).columns)
    ['Check', 'Value', 'p']
    """
    d = design.ols_diagnostics(hh)
    rows = [
        {"Check": f"VIF, {OUTCOMES[name].lower()}", "Value": fmt.num(v, 2), "p": "—"}
        for name, v in d.vif.items()
    ]
    rows.append(
        {
            "Check": "Breusch–Pagan LM (3 df)",
            "Value": fmt.num(d.bp_statistic, 2),
            "p": _p(d.bp_p_value),
        }
    )
    rows.append(
        {"Check": "Jarque–Bera (2 df)", "Value": fmt.num(d.jb_statistic, 2), "p": _p(d.jb_p_value)}
    )
    rows.append({"Check": "Residual skewness", "Value": fmt.num(d.skew, 2), "p": "—"})
    rows.append({"Check": "Residual kurtosis", "Value": fmt.num(d.kurtosis, 2), "p": "—"})
    return fmt.headers(fmt.table_ranges(pd.DataFrame(rows)))


def growth_table(hh: pd.DataFrame) -> pd.DataFrame:
    """Growth model: ratio of growth against still-registered households, village-clustered.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> from analysis import survey
    >>> list(growth_table(survey.load_households()).columns)
    ['Term', 'B (log growth)', 'Growth ratio exp(B)', '95% CI of ratio', 'p']
    """
    m = design.growth_model(hh)
    labels = {"log_base": "log income 2014 (per unit)"} | {
        s: f"{s} (vs registered)" for s in inference.status_order()
    }
    c = m.coefficients
    table = pd.DataFrame(
        {
            "Term": c["term"].map(labels),
            "B (log growth)": c["coef"].map(lambda x: fmt.num(x, 3)),
            "Growth ratio exp(B)": c["ratio"].map(lambda x: fmt.num(x, 2)),
            "95% CI of ratio": [
                fmt.ci(lo, hi, 2)
                for lo, hi in zip(c["ratio_ci_low"], c["ratio_ci_high"], strict=True)
            ],
            "p": c["p_value"].map(_p),
        }
    )
    return fmt.headers(fmt.table_ranges(table))


def waiting_table(hh: pd.DataFrame) -> pd.DataFrame:
    """Median growth ratio of households agreeing that it is better to wait, within status.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> from analysis import survey
    >>> list(waiting_table(survey.load_households()).columns)
    ['Status', 'Agree (of status)', 'Median ratio, agree', 'Median ratio, others']
    """
    w = design.waiting_within_status(hh).by_status
    table = pd.DataFrame(
        {
            "Status": w["status"],
            "Agree (of status)": [
                fmt.count_share(k, n) for k, n in zip(w["n_agree"], w["n"], strict=True)
            ],
            "Median ratio, agree": w["median_agree"].map(lambda x: fmt.num(x, 2)),
            "Median ratio, others": w["median_others"].map(lambda x: fmt.num(x, 2)),
        }
    )
    return fmt.headers(fmt.table_ranges(table))


def agreement_table(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Per theme: equal codes of the two coders (k of n) and Cohen's kappa, plus all pooled.

    Parameters
    ----------
    first : pandas.DataFrame
        The full interview coding.
    second : pandas.DataFrame
        The second coding (:func:`analysis.agreement.load_second_coding`).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> from analysis import agreement, survey
    >>> list(agreement_table(survey.load_interviews(), agreement.load_second_coding()).columns)
    ['Theme', 'Same code', 'Chance agreement', "Cohen's κ"]
    """
    a = agreement.agreement(first, second)
    t = a.by_theme
    out = pd.DataFrame(
        {
            "Theme": t["label"],
            "Same code": [fmt.count_share(k, n) for k, n in zip(t["agree"], t["n"], strict=True)],
            "Chance agreement": t["expected_agreement"].map(lambda x: fmt.num(x, 2)),
            "Cohen's κ": t["kappa"].map(lambda x: fmt.num(x, 2)),
        }
    )
    pooled = {
        "Theme": "all themes pooled",
        "Same code": fmt.count_share(a.n_agree, a.n_codes),
        "Chance agreement": fmt.num(a.expected_agreement, 2),
        "Cohen's κ": fmt.num(a.kappa, 2),
    }
    return fmt.headers(
        fmt.table_ranges(pd.concat([out, pd.DataFrame([pooled])], ignore_index=True))
    )

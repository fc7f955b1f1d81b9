"""Display-ready tables for ``tbl-`` cells: human column names, values rounded, RangeIndex.

Every number is formatted text, a column at a time (:func:`analysis.fmt.column`): one number
of decimals per column (counts and the W and U statistics as whole numbers, other statistics
to 2-3 decimals), thousands separators and the true minus sign. p-values and intervals read
``"< 0.001"`` and ``"[0.71, 0.80]"``. Missing public values read "not stated"; derived
values are marked "(derived)".
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from analysis import codebook, fmt, inference, public, scales

if TYPE_CHECKING:  # imported where used at run time (codebook_table)
    from analysis.codebook import Codebook

__all__ = [
    "assistance_table",
    "codebook_table",
    "exit_criteria_table",
    "income_change_table",
    "lankao_facts_table",
    "national_poverty_table",
    "precision_posthoc_table",
    "regression_table",
    "reliability_table",
    "sample_profile",
    "staff_table",
]

NOT_STATED = "not stated"


def _p(p: float) -> str:
    """p-value text for a table cell: "< 0.001" or "0.023"."""
    return fmt.p_cell(p)


def _col(values: pd.Series, digits: int) -> list[str]:
    """``values`` as text with ``digits`` decimals each, rounded half up like the prose."""
    return fmt.column((None if pd.isna(v) else float(v) for v in values), digits)


def _done(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a RangeIndex; ranges in its labels and headers take an en dash; the
    statistical symbols of its headers are italic (:func:`analysis.fmt.headers`)."""
    return fmt.headers(fmt.table_ranges(frame))


# --------------------------------------------------------------------------------------------
# survey (simulated)
# --------------------------------------------------------------------------------------------


def sample_profile(hh: pd.DataFrame) -> pd.DataFrame:
    """Characteristics of the household sample by registration status and overall.

    Rows are characteristics; columns are the statuses present and "All". Cells are formatted
    text (thousands separators). Percentages are of households with a known value; medians are
    in the unit named in the row.

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
    >>> list(sample_profile(survey.load_households()).columns)
    ['Characteristic', 'registered', 'exited 2016', 'exited 2017–2019', 'marginal', 'All']
    """
    statuses = [s for s in inference.status_order() if (hh["status"].astype(str) == s).any()]
    groups = {s: hh[hh["status"].astype(str) == s] for s in statuses} | {"All": hh}
    education = codebook.categories("households", "education")
    educated = education[education.index("junior secondary") :]

    def pct(mask: pd.Series) -> str:
        mask = mask.dropna()
        return fmt.num(100 * float(mask.mean()), 1) if len(mask) else fmt.MISSING

    def median(values: pd.Series, digits: int = 0) -> str:
        values = values.astype("Float64").dropna()
        return fmt.num(float(values.median()), digits) if len(values) else fmt.MISSING

    rows = {
        "Households (n)": lambda g: fmt.integer(len(g)),
        "Female household head (%)": lambda g: pct(g["gender"].astype(str).eq("female")),
        "Age of head, median (years)": lambda g: median(g["age"]),
        "Junior secondary education or more (%)": lambda g: pct(
            g["education"].astype(str).isin(educated)
        ),
        "Household size, median (persons)": lambda g: median(g["hh_size"], 1),
        "Working-age labourers, median (persons)": lambda g: median(g["labour"], 1),
        "In a formerly poor village (%)": lambda g: pct(g["poor_village"].astype("boolean")),
        "Income 2014, median (yuan per person)": lambda g: median(g["income_2014"]),
        "Income 2019, median (yuan per person)": lambda g: median(g["income_2019"]),
    }
    table = pd.DataFrame(
        {"Characteristic": list(rows)}
        | {name: [f(group) for f in rows.values()] for name, group in groups.items()}
    )
    return _done(table)


def reliability_table(hh: pd.DataFrame) -> pd.DataFrame:
    """Cronbach's alpha with 95% CI for the three household scales.

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
    >>> list(reliability_table(survey.load_households()).columns)
    ['Scale', 'Items', 'n', "Cronbach's alpha", '95% CI']
    """
    rel = scales.reliability(hh)
    return _done(
        pd.DataFrame(
            {
                "Scale": rel["scale"],
                "Items": _col(rel["n_items"], 0),
                "n": _col(rel["n"], 0),
                "Cronbach's alpha": _col(rel["alpha"], 2),
                "95% CI": [
                    fmt.ci(lo, hi) for lo, hi in zip(rel["ci_low"], rel["ci_high"], strict=True)
                ],
            }
        )
    )


def income_change_table(hh: pd.DataFrame) -> pd.DataFrame:
    """Wilcoxon signed-rank tests of income 2014 -> 2019, all households and by status.

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
    >>> list(income_change_table(survey.load_households()).columns)
    ['Group', 'n', 'Median 2014 (yuan)', 'Median 2019 (yuan)', 'Median ratio 2019/2014', 'W',
     'p', 'Rank-biserial r']
    """
    overall = pd.DataFrame([asdict(inference.income_change(hh))])
    table = pd.concat([overall, inference.income_change_by_status(hh)], ignore_index=True)
    return _done(
        pd.DataFrame(
            {
                "Group": table["group"].replace({"all": "all households"}),
                "n": _col(table["n"], 0),
                "Median 2014 (yuan)": _col(table["median_2014_yuan"], 0),
                "Median 2019 (yuan)": _col(table["median_2019_yuan"], 0),
                "Median ratio 2019/2014": _col(table["median_ratio"], 2),
                "W": _col(table["statistic"], 0),
                "p": table["p_value"].map(_p),
                "Rank-biserial r": _col(table["rank_biserial"], 2),
            }
        )
    )


def precision_posthoc_table(hh: pd.DataFrame) -> pd.DataFrame:
    """Pairwise Mann-Whitney tests of the precision score between statuses (Holm).

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
    >>> list(precision_posthoc_table(survey.load_households()).columns)
    ['Comparison', 'n', 'U', 'p (unadjusted)', 'p (Holm)', 'Rank-biserial r']
    """
    table = inference.precision_posthoc(hh)
    return _done(
        pd.DataFrame(
            {
                "Comparison": table["group_a"] + " vs " + table["group_b"],
                "n": [
                    f"{a} / {b}"
                    for a, b in zip(_col(table["n_a"], 0), _col(table["n_b"], 0), strict=True)
                ],
                "U": _col(table["statistic"], 0),
                "p (unadjusted)": table["p_value"].map(_p),
                "p (Holm)": table["holm_p_value"].map(_p),
                "Rank-biserial r": _col(table["rank_biserial"], 2),
            }
        )
    )


def assistance_table(hh: pd.DataFrame) -> pd.DataFrame:
    """Share (%) of registered households of each cause receiving each kind of assistance.

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
    >>> list(assistance_table(survey.load_households()).columns)
    ['Cause of poverty', 'n', 'industry project (%)', 'skills training (%)', 'microcredit (%)',
     'education aid (%)', 'medical aid (%)', 'housing renovation (%)', 'relocation (%)',
     'public-welfare job (%)', 'asset-income dividend (%)', 'technology extension (%)']
    """
    long = inference.assistance_by_cause(hh)
    causes = list(dict.fromkeys(long["cause"]))
    wide = long.pivot(index="cause", columns="assistance", values="share").loc[
        causes, list(inference.assistance_labels().values())
    ]
    sizes = long.drop_duplicates("cause").set_index("cause")["n_households"]
    out = pd.DataFrame({f"{c} (%)": _col(wide[c] * 100, 0) for c in wide.columns})
    out.insert(0, "n", _col(sizes.loc[causes], 0))
    out.insert(0, "Cause of poverty", causes)
    return _done(out)


def regression_table(hh: pd.DataFrame) -> pd.DataFrame:
    """OLS coefficients of satisfaction on the precision, sharing and problem scores.

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
    >>> list(regression_table(survey.load_households()).columns)
    ['Term', 'B', 'SE', 't', 'p', '95% CI']
    """
    model = inference.satisfaction_model(hh)
    c = model.coefficients
    return _done(
        pd.DataFrame(
            {
                "Term": c["term"].replace({"Intercept": "(intercept)"}),
                "B": _col(c["coef"], 3),
                "SE": _col(c["se"], 3),
                "t": _col(c["statistic"], 2),
                "p": c["p_value"].map(_p),
                "95% CI": [
                    fmt.ci(lo, hi, 3) for lo, hi in zip(c["ci_low"], c["ci_high"], strict=True)
                ],
            }
        )
    )


def staff_table(staff: pd.DataFrame) -> pd.DataFrame:
    """Mean formalism items (1-5) and index by staff role, with hours per week.

    Parameters
    ----------
    staff : pandas.DataFrame
        Cleaned staff frame (:func:`analysis.survey.load_staff`).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> from analysis import survey
    >>> list(staff_table(survey.load_staff()).columns)
    ['Role', 'n', 'paperwork (mean, 1–5)', 'inspections (mean, 1–5)', 'Formalism index (mean,
     1–5)', 'Hours per week (mean)']
    """
    result = inference.staff_formalism(staff)
    means = result.means
    hours = staff.groupby(staff["role"].astype(str))["hours_per_week"].mean()
    table = pd.DataFrame({"Role": means["role"], "n": _col(means["n"], 0)})
    for column in means.columns.drop(["role", "n"]):
        name = "Formalism index" if column == "formalism" else column.replace("_", " ")
        table[f"{name} (mean, 1{fmt.EN_DASH}5)"] = _col(means[column], 2)
    table["Hours per week (mean)"] = _col(means["role"].map(hours), 1)
    return _done(table)


# --------------------------------------------------------------------------------------------
# public statistics
# --------------------------------------------------------------------------------------------


def _value_text(value: float, digits: int) -> str:
    return NOT_STATED if np.isnan(value) else fmt.num(value, digits)


def national_poverty_table(data_dir: Path | str | None = None) -> pd.DataFrame:
    """National rural poverty 2012-2020 from stated values (not-stated cells say so).

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> list(national_poverty_table().columns)
    ['Year', 'Rural poor, year-end (million)', 'Reduction during year (million)', 'Poverty
     incidence (%)', 'Sources']
    """
    frame = public.poverty_reduction(data_dir)
    reduction = [
        NOT_STATED if np.isnan(v) else fmt.num(v, 2) + (" (derived)" if derived else "")
        for v, derived in zip(frame["reduction_million"], frame["reduction_derived"], strict=True)
    ]
    return _done(
        pd.DataFrame(
            {
                "Year": frame["year"],
                "Rural poor, year-end (million)": frame["poor_million"].map(
                    lambda v: _value_text(v, 2)
                ),
                "Reduction during year (million)": reduction,
                "Poverty incidence (%)": frame["incidence_pct"].map(lambda v: _value_text(v, 1)),
                "Sources": frame["source_id"].str.replace(";", ", "),
            }
        )
    )


def _readable(indicator: str) -> str:
    text = indicator.replace("_", " ")
    return text[:1].upper() + text[1:]


def lankao_facts_table(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Every stated Lankao figure with unit and source label.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> list(lankao_facts_table().columns)
    ['Indicator', 'Year', 'Value', 'Unit', 'Source']
    """
    facts = public.lankao_facts(data_dir)

    def show(row: pd.Series) -> str:
        number = row["value_num"]
        if np.isnan(number) or not float(number).is_integer():
            text = row["value"]  # dates, and decimals exactly as stated
        else:
            text = fmt.integer(number)
        return f"more than {text}" if row["lower_bound"] else text

    return _done(
        pd.DataFrame(
            {
                "Indicator": facts["indicator"].map(_readable),
                "Year": facts["year"].map(lambda y: "" if pd.isna(y) else str(int(y))),
                "Value": facts.apply(show, axis=1),
                "Unit": facts["unit"],
                "Source": facts["source"] + " [" + facts["stated_by"].str.replace(";", ", ") + "]",
            }
        )
    )


def exit_criteria_table(data_dir: Path | str | None = None) -> pd.DataFrame:
    """Lankao against the national county-exit criteria, stated values only.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> list(exit_criteria_table().columns)
    ['Criterion', 'Threshold', 'Lankao', 'Stated by', 'Source', 'Met']
    """
    check = public.exit_criteria_check(data_dir)

    def value(row: pd.Series) -> str:
        if np.isnan(row["lankao_value"]):
            return public.NOT_REPORTED
        text = f"{row['lankao_value']:g}%"
        return f"at least {text}" if row["lankao_lower_bound"] else text

    return _done(
        pd.DataFrame(
            {
                "Criterion": check["criterion"],
                "Threshold": check["threshold"],
                "Lankao": check.apply(value, axis=1),
                "Stated by": check["basis"],
                "Source": [
                    public.NOT_REPORTED if not sid else sid.replace(";", ", ")
                    for sid in check["source_id"]
                ],
                "Met": check["met"],
            }
        )
    )


# --------------------------------------------------------------------------------------------
# codebook
# --------------------------------------------------------------------------------------------


def _values_text(book: Codebook, col: dict) -> str:
    kind = col["kind"]
    if kind == "likert":
        labels = book.likert_labels(col["option_set"])
        return "; ".join(f"{k} {v}" for k, v in labels.items())
    if kind in ("single", "ordinal"):
        codes = list(dict.fromkeys(col["options"].values()))
        return "; ".join(str(c) for c in codes)
    if kind in ("integer", "number") and "range" in col:
        low, high = col["range"]
        return fmt.span(low, high)
    if kind == "income":
        return col.get("unit", "yuan")
    if kind == "text":
        return "free text"
    if kind in ("flag", "flag01"):
        return "true / false (coded 1 / 0)"
    if kind == "id":
        return "identifier"
    return ""


def codebook_table(file: str = "households") -> pd.DataFrame:
    """Variables of one survey file from the codebook: variable, question, type, values.

    Metadata columns that are not kept (timestamp, duration, IP) are left out; a multi-select
    question gives one row per true/false flag.

    Parameters
    ----------
    file : {"households", "staff", "interviews"}, default "households"
        The survey file.

    Returns
    -------
    pandas.DataFrame
        Display table: every cell text formatted by :mod:`analysis.fmt`, a RangeIndex,
        ranges with an en dash; the columns are those the Example lists.

    Examples
    --------
    >>> list(codebook_table("staff").columns)
    ['Variable', 'Question', 'Type', 'Values']
    """
    from analysis import codebook

    book = codebook.load_codebook()
    rows = []
    for col in book.columns(file):
        if col["kind"] == "multi_select":
            for option in col["options"].values():
                rows.append(
                    {
                        "Variable": option["var"],
                        "Question": f"{col['question_en']}: {option['label_en']}",
                        "Type": "flag (multi-select)",
                        "Values": "true / false",
                    }
                )
            continue
        if not col.get("var"):
            continue
        rows.append(
            {
                "Variable": col["var"],
                "Question": col.get("question_en", ""),
                "Type": col["kind"],
                "Values": _values_text(book, col),
            }
        )
    return _done(pd.DataFrame(rows))

"""Display-ready tables (analysis.tables): content checked against direct computations."""

import pandas as pd
import pytest

from analysis import codebook, inference, tables


def _half_up(x: float, digits: int) -> float:
    """Conventional rounding by hand: ties away from zero on the printed decimal digits."""
    from decimal import ROUND_HALF_UP, Decimal

    step = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(x))).quantize(step, rounding=ROUND_HALF_UP))


def _half_up_text(x: float, digits: int) -> str:
    return f"{_half_up(x, digits):.{digits}f}"


def _display_ready(table: pd.DataFrame) -> None:
    assert table.index.equals(pd.RangeIndex(len(table)))
    assert all(isinstance(c, str) and c and "_" not in c for c in table.columns)


def test_sample_profile_counts_and_shares(hh):
    table = tables.sample_profile(hh).set_index("Characteristic")
    _display_ready(table.reset_index())
    assert list(table.columns) == [
        s.replace("2017-2019", "2017\u20132019") for s in inference.status_order()
    ] + ["All"]
    counts = hh["status"].value_counts()
    for status in inference.status_order():
        shown = status.replace("2017-2019", "2017\u20132019")
        assert table.at["Households (n)", shown] == f"{counts[status]:,}"
    female = 100 * (hh["gender"] == "female").mean()
    assert table.at["Female household head (%)", "All"] == _half_up_text(female, 1)
    marginal = hh[hh["status"] == "marginal"]
    assert table.at["Income 2019, median (yuan per person)", "marginal"] == (
        f"{marginal['income_2019'].median():,.0f}"
    )


def test_reliability_table_rounds_alpha_and_formats_ci(hh):
    table = tables.reliability_table(hh)
    _display_ready(table)
    items = hh[[f"prec_{i}" for i in range(1, 7)]].astype("float64").dropna()
    k = items.shape[1]
    alpha = k / (k - 1) * (1 - items.var().sum() / items.sum(axis=1).var())
    row = table[table["Scale"] == "precision"].iloc[0]
    assert row["Cronbach's alpha"] == _half_up_text(alpha, 2)
    assert row["n"] == f"{len(items):,}"
    assert row["95% CI"].startswith("[") and row["95% CI"].endswith("]")


def test_income_change_table(hh):
    table = tables.income_change_table(hh)
    _display_ready(table)
    assert table["Group"].tolist() == [
        "all households",
        *(s.replace("2017-2019", "2017\u20132019") for s in inference.status_order()),
    ]
    assert table["n"].iloc[0] == f"{len(hh):,}"
    assert table["Median 2014 (yuan)"].iloc[0] == f"{_half_up(hh['income_2014'].median(), 0):,.0f}"
    assert set(table["p"]) <= {"<\u00a00.001"} | {f"{x / 1000:.3f}" for x in range(1000)}
    assert all("." not in w for w in table["W"])  # W is a whole number


def test_posthoc_and_regression_tables(hh):
    posthoc = tables.precision_posthoc_table(hh)
    _display_ready(posthoc)
    assert len(posthoc) == 6
    raw = inference.precision_posthoc(hh)
    assert posthoc["Rank-biserial r"].tolist() == [
        _half_up_text(v, 2).replace("-", "\u2212") for v in raw["rank_biserial"]
    ]
    assert posthoc["U"].tolist() == [f"{_half_up(v, 0):,.0f}" for v in raw["statistic"]]
    regression = tables.regression_table(hh)
    _display_ready(regression)
    assert regression["Term"].tolist() == ["(intercept)", "precision", "sharing", "problems"]
    coefs = inference.satisfaction_model(hh).coefficients
    assert regression["B"].tolist() == [
        _half_up_text(v, 3).replace("-", "\u2212") for v in coefs["coef"]
    ]


def test_assistance_table_is_wide_percentages(hh):
    table = tables.assistance_table(hh)
    _display_ready(table)
    illness = hh[hh["cause"] == "illness"]
    row = table[table["Cause of poverty"] == "illness"].iloc[0]
    assert row["n"] == f"{len(illness):,}"
    assert row["industry project (%)"] == _half_up_text(100 * illness["assist_industry"].mean(), 0)


def test_staff_table(staff):
    table = tables.staff_table(staff)
    _display_ready(table)
    first = staff[staff["role"] == "first secretary"]
    row = table[table["Role"] == "first secretary"].iloc[0]
    index = first[["paperwork", "inspections"]].astype(float).mean(axis=1).mean()
    assert row["Formalism index (mean, 1\u20135)"] == _half_up_text(index, 2)
    assert row["Hours per week (mean)"] == _half_up_text(first["hours_per_week"].mean(), 1)


def test_public_tables_say_not_stated_and_derived(public_dir):
    national = tables.national_poverty_table(public_dir).set_index("Year")
    assert national.at[2013, "Rural poor, year-end (million)"] == "not stated"
    assert national.at[2020, "Poverty incidence (%)"] == "not stated"
    assert national.at[2020, "Reduction during year (million)"] == "5.51 (derived)"
    assert national.at[2012, "Rural poor, year-end (million)"] == "98.99"
    exit_table = tables.exit_criteria_table(public_dir)
    _display_ready(exit_table)
    assert (exit_table["Lankao"] == "not reported").sum() == 2
    assert "at least 98.5%" in exit_table["Lankao"].tolist()
    facts = tables.lankao_facts_table(public_dir)
    _display_ready(facts)
    baseline = facts[(facts["Indicator"] == "Poverty incidence") & (facts["Value"] == "11.8")]
    assert baseline["Source"].iloc[0].endswith("[S18]")
    assert "more than 98.5" in facts["Value"].tolist()


@pytest.mark.parametrize("file", ["households", "staff", "interviews"])
def test_codebook_table_lists_every_contract_variable(file):
    table = tables.codebook_table(file)
    _display_ready(table)
    derived = {"poor_village", "registered"}  # derived in cleaning, not asked
    expected = [v for v in codebook.load_codebook().variables(file) if v not in derived]
    assert table["Variable"].tolist() == expected
    assert (table["Question"] != "").all()

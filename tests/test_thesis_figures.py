"""The thesis's figures as built: sources named in captions, data beside each SVG, intervals
described as computed, and the numbers and claims of the text equal to the plotted data.

These tests read the edition that `make test` builds first (`_book/`).
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from bookbuild_helpers import pdf_text

from analysis import figures, fmt, resampling, scales, survey

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_book"
CLUSTERED = {
    "fig-income-change",
    "fig-precision-status",
    "fig-waiting-income",
    "fig-assistance-cause",
}
"""Figures whose intervals come from resampling villages."""
NUMBER_WORDS = {8: "eight"}


@pytest.fixture(scope="module", autouse=True)
def _edition() -> None:
    if not (BOOK / "thesis.pdf").exists():
        pytest.fail("no built edition in _book/: run `make` (or `make test`) first")


@cache
def figure_cells() -> dict[str, dict[str, str]]:
    """label -> {chapter, caption, alt, code} for every figure cell of the chapters."""
    cells = {}
    for chapter in sorted((ROOT / "chapters").glob("*.qmd")):
        for body in re.findall(r"```\{python\}\n(.*?)```", chapter.read_text("utf-8"), re.S):
            options = dict(re.findall(r'^#\| ([\w-]+): "?(.*?)"?$', body, re.M))
            if options.get("label", "").startswith("fig-"):
                code = "\n".join(line for line in body.splitlines() if not line.startswith("#|"))
                cells[options["label"]] = {
                    "chapter": chapter.name,
                    "caption": options["fig-cap"],
                    "alt": options["fig-alt"],
                    "code": code,
                }
    return cells


def book_csv(label: str) -> pd.DataFrame:
    return pd.read_csv(BOOK / "figures" / f"{label}.csv")


def _function(code: str) -> str:
    (name,) = set(re.findall(r"figures\.(\w+)\(", code))
    return name


def test_every_figure_caption_names_its_data_file_and_function():
    cells = figure_cells()
    assert len(cells) == 12
    for label, cell in cells.items():
        name = _function(cell["code"])
        assert name in figures.__all__, label
        assert f"Data: `figures/{label}.csv`, from `analysis.figures.{name}`." in cell["caption"]
        assert (BOOK / "figures" / f"{label}.csv").stat().st_size > 0, label
        assert (BOOK / "figures" / f"{label}.svg").stat().st_size > 0, label
    html = (BOOK / "05-findings.html").read_text("utf-8")
    assert "figures/fig-income-change.csv" in html
    assert "analysis.figures.income_change" in pdf_text(BOOK / "thesis.pdf")


def test_interval_captions_state_level_method_resamples_and_clusters():
    for label, cell in figure_cells().items():
        data = book_csv(label)
        if "ci_low" not in data or label == "fig-satisfaction-coefs":
            continue
        caption = cell["caption"]
        assert f"{resampling.LEVEL:.0%}" in caption and "percentile" in caption, label
        assert f"{resampling.N_RESAMPLES:,} bootstrap resamples" in caption, label
        assert f"seed {resampling.SEED}" in caption, label
        methods = set(data["method"].dropna())
        clustered = label in CLUSTERED
        assert methods == {resampling.method_note(clustered=clustered)}, label
        if clustered:
            n_villages = int(data["n_villages"].max())
            assert f"the {NUMBER_WORDS[n_villages]} villages" in caption, label


@cache
def fresh() -> dict[str, figures.FigureResult]:
    """The survey figures computed again in this process, from the raw data."""
    hh = scales.score_scales(survey.load_households())
    staff = survey.load_staff()
    return {
        "fig-income-change": figures.income_change(hh),
        "fig-precision-status": figures.precision_by_status(hh),
        "fig-waiting-income": figures.waiting_income(hh),
        "fig-assistance-cause": figures.assistance_by_cause(hh),
        "fig-staff-workload": figures.staff_workload(staff),
    }


def test_book_figures_and_data_equal_a_fresh_computation_byte_for_byte():
    for label, result in fresh().items():
        assert (BOOK / "figures" / f"{label}.svg").read_text("utf-8") == result.svg(), label
        assert (BOOK / "figures" / f"{label}.csv").read_text("utf-8") == result.data.to_csv(
            index=False
        ), label
        data = pd.read_csv(io.StringIO(result.data.to_csv(index=False)))
        assert {"estimate", "ci_low", "ci_high"} <= set(data.columns), label


def _text(name: str) -> str:
    raw = re.sub(r"<[^>]+>", " ", (BOOK / f"{name}.html").read_text("utf-8"))
    import html

    return " ".join(html.unescape(raw).split())


def test_numbers_in_the_text_are_the_plotted_ones():
    income = fresh()["fig-income-change"]
    precision = fresh()["fig-precision-status"]
    waiting = fresh()["fig-waiting-income"]
    page = _text("05-findings")
    pdf = re.sub(r"–\s+", "–", pdf_text(BOOK / "thesis.pdf"))  # a line may break after a dash
    marginal_2014 = income.row("median", status="marginal", year=2014)
    exited_2019 = income.row("median", status="exited 2016", year=2019)
    expected = [
        f"{fmt.yuan(marginal_2014['estimate'])} (95% interval "
        f"{fmt.integer(marginal_2014['ci_low'])}–{fmt.integer(marginal_2014['ci_high'])})",
        f"{fmt.yuan(exited_2019['estimate'])} "
        f"({fmt.integer(exited_2019['ci_low'])}–{fmt.integer(exited_2019['ci_high'])})",
    ]
    for status in ("marginal", "registered"):
        row = precision.row("mean", status=status)
        expected.append(f"{fmt.num(row['estimate'], 2)} ")
        expected.append(fmt.ci(row["ci_low"], row["ci_high"]))
    for group in ("agree (4\u20135)", "others (1\u20133)"):
        row = waiting.row("median", group=group)
        expected.append(fmt.ci(row["ci_low"], row["ci_high"]))
    for text in expected:
        assert text in page, text
        assert text in pdf, text


def test_what_the_alt_texts_and_captions_claim_is_true_of_the_data():
    medians = book_csv("fig-income-change").query("layer == 'median'")
    wide = medians.pivot(index="status", columns="year", values=["estimate", "ci_low", "ci_high"])
    assert (wide[("ci_low", 2019)] > wide[("ci_high", 2014)]).all()  # intervals do not overlap
    assert wide[("estimate", 2014)].idxmax() == "marginal"
    assert (wide[("estimate", 2019)] / wide[("estimate", 2014)]).idxmin() == "marginal"
    assert wide[("estimate", 2019)].idxmax() == "exited 2016"
    waiting = book_csv("fig-waiting-income").query("layer == 'median'").set_index("group")
    assert waiting.loc["agree (4\u20135)", "ci_high"] < waiting.loc["others (1\u20133)", "ci_low"]
    precision = book_csv("fig-precision-status")
    means = precision.query("layer == 'mean'").set_index("status")["estimate"]
    assert means.idxmin() == "marginal"
    village = precision.query("layer == 'village mean'").pivot(
        index="village", columns="status", values="estimate"
    )
    registered = village.drop(columns="marginal").mean(axis=1)
    below = village["marginal"] < registered
    lowest = village.idxmin(axis=1) == "marginal"
    assert below.sum() > len(village) / 2 and lowest.sum() > len(village) / 2
    assert not lowest.all()  # "but not in every village"
    cells = book_csv("fig-assistance-cause")
    widths = (cells["ci_high"] - cells["ci_low"]).groupby(cells["cause"]).mean()
    sizes = cells.groupby("cause")["n_households"].first()
    by_size = sizes.sort_values().index
    assert widths[by_size[:2]].min() > widths[by_size[-2:]].max()  # "rare causes ... wider"
    assert "disaster" in by_size[:2]

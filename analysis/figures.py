"""One function per thesis figure; each returns a :class:`FigureResult`.

A :class:`FigureResult` holds the matplotlib figure and ``data``: exactly the numbers drawn, as a
tidy DataFrame, so that every figure can be checked and re-plotted from its data. Figures are
built with ``matplotlib.figure.Figure`` (not pyplot), inside :func:`analysis.style.house_style`,
so nothing global is touched and no second copy is shown by a notebook's inline backend.
Nothing is written to disk here; the build saves ``svg()`` and ``data`` next to each other.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter

from analysis import inference, public, scales
from analysis.style import (
    FIGURE_HEIGHT_IN,
    FIGURE_WIDTH_IN,
    GREY,
    OKABE_ITO,
    SVG_METADATA,
    house_style,
    palette,
)

__all__ = [
    "FigureResult",
    "assistance_by_cause",
    "income_change",
    "interview_themes",
    "lankao_incidence",
    "likert_items",
    "national_poverty",
    "poor_area_income",
    "precision_by_status",
    "regional_poor",
    "satisfaction_coefficients",
    "staff_workload",
    "waiting_income",
]

SIMULATED_NOTE = "Simulated survey data"
"""Printed on every survey figure so that no reader takes it for real microdata."""


@dataclass(frozen=True, eq=False)
class FigureResult:
    """A figure and the data it shows.

    ``figure`` is a matplotlib Figure; ``data`` is exactly the plotted numbers (tidy, one row
    per plotted value or point). ``svg()`` renders deterministic SVG text.
    """

    figure: Figure
    data: pd.DataFrame

    def svg(self) -> str:
        """The figure as SVG text; identical bytes on every call and machine (house style)."""
        buffer = io.StringIO()
        with house_style():
            self.figure.savefig(buffer, format="svg", metadata=SVG_METADATA)
        return buffer.getvalue()

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        """Jupyter display: the SVG plus the plotted data as CSV; closes the figure after."""
        bundle = {"image/svg+xml": self.svg(), "text/csv": self.data.to_csv(index=False)}
        plt.close(self.figure)  # a no-op unless someone registered it with pyplot
        if include:
            bundle = {k: v for k, v in bundle.items() if k in include}
        if exclude:
            bundle = {k: v for k, v in bundle.items() if k not in exclude}
        return bundle


def _figure(height: float = FIGURE_HEIGHT_IN, ncols: int = 1) -> tuple[Figure, list[Axes]]:
    fig = Figure(figsize=(FIGURE_WIDTH_IN, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def _freeze(fig: Figure) -> Figure:
    """Run the constrained layout once, then fix the axes where it put them.

    Constrained layout re-runs at every draw and does not always land on the same floats twice,
    which would change the SVG clip-path ids from one rendering to the next. Freezing the layout
    after one pass makes every later rendering identical. Call inside ``house_style()``.
    """
    fig.draw_without_rendering()
    fig.set_layout_engine("none")
    return fig


def _result(fig: Figure, data: pd.DataFrame) -> FigureResult:
    return FigureResult(_freeze(fig), data.reset_index(drop=True))


def _note(ax: Axes, text: str) -> None:
    """A small grey note at the top right of the axes (inside the layout, unlike fig.text)."""
    ax.set_title(text, loc="right", fontsize=7, color=GREY)


# --------------------------------------------------------------------------------------------
# public statistics
# --------------------------------------------------------------------------------------------


def national_poverty(data_dir: Path | str | None = None) -> FigureResult:
    """National rural poor population (bars) and poverty incidence (line), 2012-2020.

    Years without a stated value have no bar or point (2013 population, 2020 incidence).
    """
    data = public.national_poverty(data_dir)
    with house_style():
        fig, (left, right) = _figure(ncols=2)
        stated = data.dropna(subset=["rural_poor_million"])
        left.bar(stated["year"], stated["rural_poor_million"], color=OKABE_ITO["blue"])
        for year in data.loc[data["rural_poor_million"].isna(), "year"]:
            left.text(year, 2, "not\nstated", ha="center", va="bottom", fontsize=7, color=GREY)
        left.set_xlabel("Year (year-end)")
        left.set_ylabel("Rural poor population (million persons)")
        left.set_title("Rural poor population")
        rate = data.dropna(subset=["poverty_incidence_pct"])
        right.plot(
            rate["year"], rate["poverty_incidence_pct"], marker="o", color=OKABE_ITO["vermillion"]
        )
        right.set_xlabel("Year (year-end)")
        right.set_ylabel("Poverty incidence (% of rural population)")
        right.set_title("Poverty incidence")
        right.set_ylim(bottom=0)
        for ax in (left, right):
            ax.set_xticks(data["year"], [str(y) for y in data["year"]], rotation=45)
        result = _result(fig, data)
    return result


def regional_poor(data_dir: Path | str | None = None) -> FigureResult:
    """Rural poor population by region, for the years where the sources state it."""
    data = public.regional_poor(data_dir)
    years = sorted(data["year"].unique())
    regions = list(data["region"].cat.categories)
    width = 0.8 / len(regions)
    with house_style():
        fig, (ax,) = _figure()
        for i, (region, colour) in enumerate(zip(regions, palette(len(regions)), strict=True)):
            part = data[data["region"] == region]
            positions = [
                years.index(y) + (i - (len(regions) - 1) / 2) * width for y in part["year"]
            ]
            ax.bar(positions, part["poor_million"], width=width, label=region, color=colour)
        ax.set_xticks(range(len(years)), [str(y) for y in years])
        ax.set_xlabel("Year (year-end)")
        ax.set_ylabel("Rural poor population (million persons)")
        ax.legend(title="Region")
        _note(ax, "missing bar: no stated value")
        result = _result(fig, data)
    return result


def poor_area_income(data_dir: Path | str | None = None) -> FigureResult:
    """Per-capita disposable income of rural residents in poor areas, with real growth."""
    data = public.poor_area_income(data_dir)
    with house_style():
        fig, (ax,) = _figure()
        ax.bar(data["year"], data["income_yuan"], color=OKABE_ITO["bluish green"])
        for year, income, growth in data[["year", "income_yuan", "real_growth_pct"]].itertuples(
            index=False
        ):
            if not np.isnan(growth):
                ax.annotate(
                    f"+{growth:.1f}% real",
                    (year, income),
                    xytext=(0, 2),
                    textcoords="offset points",
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                )
        ax.set_xticks(data["year"])
        ax.set_xlabel("Year")
        ax.set_ylabel("Income (yuan per person per year, current prices)")
        ax.margins(y=0.12)
        result = _result(fig, data)
    return result


def lankao_incidence(data_dir: Path | str | None = None) -> FigureResult:
    """Lankao's poverty incidence in 2014 and at exit, every competing stated value shown,
    with the national exit threshold (central China) as a dashed line."""
    discrepancies = public.lankao_discrepancies(data_dir)
    keep = discrepancies["quantity"].isin(
        ["poverty incidence 2014 (%)", "poverty incidence at exit, end 2016 (%)"]
    )
    rows = discrepancies[keep]
    national = public.indicators("national", data_dir)
    stated_threshold = national[national["indicator"] == "exit_threshold_poverty_incidence_central"]
    if len(stated_threshold) != 1:
        raise KeyError("national_indicators.csv: need exactly one central exit threshold")
    threshold = float(stated_threshold["value"].iloc[0])
    data = pd.DataFrame(
        {
            "kind": "stated value",
            "period": np.where(rows["year"] == 2014, "2014 baseline", "end 2016 (exit)"),
            "basis": rows["indicator"].map(
                {
                    "poverty_incidence": "",
                    "poverty_incidence_national_assessment_end2016": "national assessment",
                    "poverty_incidence_provincial_verification": "provincial verification",
                }
            ),
            "value_pct": rows["value"].astype(float),
            "source_id": rows["source_id"],
        }
    ).sort_values(["period", "value_pct"], ascending=[True, False], ignore_index=True)
    threshold_row = pd.DataFrame(
        [
            {
                "kind": "exit threshold",
                "period": "",
                "basis": "central China maximum",
                "value_pct": threshold,
                "source_id": stated_threshold["source_id"].iloc[0],
            }
        ]
    )
    data = pd.concat([data, threshold_row], ignore_index=True)
    stated = data[data["kind"] == "stated value"]
    colours = {"2014 baseline": OKABE_ITO["vermillion"], "end 2016 (exit)": OKABE_ITO["blue"]}
    with house_style():
        fig, (ax,) = _figure()
        positions = np.arange(len(stated))
        ax.bar(positions, stated["value_pct"], color=stated["period"].map(colours).tolist())
        for x, value in zip(positions, stated["value_pct"], strict=True):
            ax.annotate(
                f"{value:g}%",
                (x, value),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
        labels = [
            f"{period}\n{basis + chr(10) if basis else ''}({sid.split(';')[0]})"
            for period, basis, sid in stated[["period", "basis", "source_id"]].itertuples(
                index=False
            )
        ]
        ax.set_xticks(positions, labels, fontsize=7.5)
        ax.axhline(threshold, color=GREY, linestyle="--", linewidth=1)
        ax.annotate(
            f"exit threshold < {threshold:g}%",
            (positions[-1] + 0.45, threshold),
            xytext=(0, 3),
            textcoords="offset points",
            ha="right",
            fontsize=7.5,
            color=GREY,
        )
        ax.set_xlabel("Date and source of the stated figure")
        ax.set_ylabel("Poverty incidence (% of population)")
        ax.margins(y=0.1)
        result = _result(fig, data)
    return result


# --------------------------------------------------------------------------------------------
# household survey (simulated)
# --------------------------------------------------------------------------------------------


def income_change(hh: pd.DataFrame) -> FigureResult:
    """Median per-capita income in 2014 and 2019 by registration status (simulated data)."""
    table = inference.income_change_by_status(hh)
    data = pd.DataFrame(
        [
            {"status": row.group, "year": year, "median_income_yuan": value, "n": row.n}
            for row in table.itertuples()
            for year, value in ((2014, row.median_2014_yuan), (2019, row.median_2019_yuan))
        ]
    )
    with house_style():
        fig, (ax,) = _figure()
        for (status, part), colour in zip(
            data.groupby("status", sort=False), palette(data["status"].nunique()), strict=True
        ):
            n = int(part["n"].iloc[0])
            ax.plot(
                part["year"],
                part["median_income_yuan"],
                marker="o",
                color=colour,
                label=f"{status} (n = {n})",
            )
        ax.set_xticks([2014, 2019])
        ax.set_xlim(2013, 2020)
        ax.set_xlabel("Survey reference year")
        ax.set_ylabel("Median per-capita net income (yuan per year)")
        ax.legend(title="Status", loc="upper left")
        _note(ax, SIMULATED_NOTE)
        result = _result(fig, data)
    return result


def precision_by_status(hh: pd.DataFrame) -> FigureResult:
    """Box plots of the precision score (1-5) by registration status (simulated data)."""
    scored = inference.with_scores(hh, ["precision"])
    data = (
        pd.DataFrame(
            {
                "hh_id": scored["hh_id"],
                "status": scored["status"].astype(str),
                "precision": scored["precision"].astype("float64"),
            }
        )
        .dropna(subset=["precision"])
        .reset_index(drop=True)
    )
    order = [s for s in inference.STATUS_ORDER if s in set(data["status"])]
    groups = [data.loc[data["status"] == s, "precision"].to_numpy() for s in order]
    with house_style():
        fig, (ax,) = _figure()
        ax.boxplot(
            groups,
            tick_labels=[f"{s}\n(n = {len(g)})" for s, g in zip(order, groups, strict=True)],
            widths=0.5,
            medianprops={"color": OKABE_ITO["vermillion"]},
            flierprops={"markersize": 3, "markeredgecolor": GREY},
        )
        ax.set_ylim(0.8, 5.2)
        ax.set_xlabel("Registration status")
        ax.set_ylabel("Precision score (mean of 6 items, 1-5)")
        _note(ax, SIMULATED_NOTE)
        result = _result(fig, data)
    return result


def assistance_by_cause(hh: pd.DataFrame) -> FigureResult:
    """Heatmap: share of registered households of each cause receiving each assistance type."""
    data = inference.assistance_by_cause(hh)
    causes = list(dict.fromkeys(data["cause"]))
    kinds = list(inference.ASSISTANCE.values())
    grid = (
        data.pivot(index="cause", columns="assistance", values="share")
        .loc[causes, kinds]
        .to_numpy()
        * 100
    )
    sizes = data.drop_duplicates("cause").set_index("cause")["n_households"]
    with house_style():
        fig, (ax,) = _figure(height=4.2)
        image = ax.imshow(grid, cmap="cividis", vmin=0, vmax=100, aspect="auto")
        for (i, j), value in np.ndenumerate(grid):
            ax.text(
                j,
                i,
                f"{value:.0f}",
                ha="center",
                va="center",
                fontsize=7,
                color="black" if value > 55 else "white",
            )
        ax.set_xticks(range(len(kinds)), kinds, rotation=40, ha="right")
        ax.set_yticks(range(len(causes)), [f"{c} (n = {sizes[c]})" for c in causes])
        ax.grid(False)
        ax.set_xlabel("Assistance received")
        ax.set_ylabel("Main cause of poverty")
        fig.colorbar(image, ax=ax, label="Households receiving it (%)", shrink=0.9)
        _note(ax, SIMULATED_NOTE)
        result = _result(fig, data)
    return result


def _item_labels(items: list[str]) -> dict[str, str]:
    from analysis import codebook

    book = codebook.load_codebook()
    labels = {}
    for item in items:
        text = book.column("households", item)["question_en"].split(" (")[0]
        labels[item] = textwrap.shorten(text, 52, placeholder="...")
    return labels


LIKERT_COLOURS = ["#D55E00", "#F2B183", "#D9D9D9", "#8FC1E3", "#0072B2"]
"""Strongly disagree ... strongly agree: a vermillion-grey-blue diverging ramp (Okabe-Ito ends)."""


def likert_items(hh: pd.DataFrame, labels: Mapping[str, str] | None = None) -> FigureResult:
    """100% stacked bars: distribution of answers 1-5 for every scale item, as answered.

    ``labels`` maps item -> text; by default the English question text from the codebook.
    """
    items = [item for scale in scales.HOUSEHOLD_SCALES for item in scales.items_of(scale)]
    labels = dict(labels) if labels is not None else _item_labels(items)
    answers = scales.likert_items(hh, items, id_column="hh_id" if "hh_id" in hh else None)
    rows = []
    for item in items:
        counts = answers[item].value_counts().reindex(range(1, 6), fill_value=0)
        n = int(counts.sum())
        for response, count in counts.items():
            rows.append(
                {
                    "item": item,
                    "label": labels[item],
                    "response": int(response),
                    "n": n,
                    "share": count / n,
                }
            )
    data = pd.DataFrame(rows)
    with house_style():
        fig, (ax,) = _figure(height=5.6)
        positions = np.arange(len(items))[::-1]
        left = np.zeros(len(items))
        response_names = ["strongly disagree", "disagree", "neutral", "agree", "strongly agree"]
        for response, colour, name in zip(range(1, 6), LIKERT_COLOURS, response_names, strict=True):
            share = data.loc[data["response"] == response, "share"].to_numpy() * 100
            ax.barh(positions, share, left=left, color=colour, label=name, height=0.75)
            left += share
        ax.set_yticks(positions, [f"{i}  {labels[i]}" for i in items], fontsize=7)
        ax.set_xlim(0, 100)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Share of answers (%)")
        ax.set_ylabel("Questionnaire item (as answered; prob_5 not reversed)")
        fig.legend(ncols=5, loc="outside upper center", fontsize=7)
        _note(ax, SIMULATED_NOTE)
        result = _result(fig, data)
    return result


def satisfaction_coefficients(hh: pd.DataFrame) -> FigureResult:
    """OLS coefficients (95% CI) of satisfaction on the three scale scores."""
    model = inference.satisfaction_model(hh)
    data = model.coefficients.loc[
        model.coefficients["term"] != "Intercept", ["term", "coef", "ci_low", "ci_high"]
    ].reset_index(drop=True)
    with house_style():
        fig, (ax,) = _figure(height=2.6)
        positions = np.arange(len(data))[::-1]
        ax.errorbar(
            data["coef"],
            positions,
            xerr=[data["coef"] - data["ci_low"], data["ci_high"] - data["coef"]],
            fmt="o",
            color=OKABE_ITO["blue"],
            capsize=3,
        )
        ax.axvline(0, color=GREY, linewidth=1)
        ax.set_yticks(positions, [f"{t} score" for t in data["term"]])
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Change in satisfaction (1-5) per scale point, with 95% CI")
        ax.set_ylabel("Predictor")
        _note(ax, f"{SIMULATED_NOTE}; n = {model.n}, R² = {model.r2:.2f}")
        result = _result(fig, data)
    return result


def waiting_income(hh: pd.DataFrame) -> FigureResult:
    """Income growth (2019/2014) of households agreeing it is better to wait for help vs others."""
    groups = inference.wait_groups(hh).dropna(subset=["growth_ratio"])
    data = pd.DataFrame(
        {
            "hh_id": groups["hh_id"],
            "group": np.where(groups["agree"], "agree (4-5)", "others (1-3)"),
            "growth_ratio": groups["growth_ratio"],
        }
    )
    order = ["agree (4-5)", "others (1-3)"]
    values = [data.loc[data["group"] == g, "growth_ratio"].to_numpy() for g in order]
    with house_style():
        fig, (ax,) = _figure(height=3.2)
        ax.boxplot(
            values,
            tick_labels=[f"{g}\n(n = {len(v)})" for g, v in zip(order, values, strict=True)],
            widths=0.5,
            medianprops={"color": OKABE_ITO["vermillion"]},
            flierprops={"markersize": 3, "markeredgecolor": GREY},
        )
        ax.set_yscale("log")
        low, high = data["growth_ratio"].min(), data["growth_ratio"].max()
        ticks = [
            t for t in (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12) if low / 1.5 <= t <= high * 1.5
        ]
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_yticks(ticks, [f"{t:g}" for t in ticks])
        ax.set_xlabel("'Better to wait for government help' (prob_6)")
        ax.set_ylabel("Income ratio 2019 / 2014 (log scale)")
        _note(ax, SIMULATED_NOTE)
        result = _result(fig, data)
    return result


def staff_workload(staff: pd.DataFrame) -> FigureResult:
    """Weekly working hours against the formalism index, by role (simulated staff survey)."""
    scored = inference.staff_scores(staff)
    data = (
        pd.DataFrame(
            {
                "staff_id": scored["staff_id"],
                "role": scored["role"].astype(str),
                "hours_per_week": scored["hours_per_week"].astype("float64"),
                "formalism": scored["formalism"],
            }
        )
        .dropna(subset=["hours_per_week", "formalism"])
        .reset_index(drop=True)
    )
    roles = [r for r in inference.ROLE_ORDER if r in set(data["role"])]
    markers = ["o", "s", "^"]
    with house_style():
        fig, (ax,) = _figure()
        for role, colour, marker in zip(roles, palette(len(roles)), markers, strict=False):
            part = data[data["role"] == role]
            ax.scatter(
                part["hours_per_week"],
                part["formalism"],
                s=18,
                alpha=0.8,
                color=colour,
                marker=marker,
                label=f"{role} (n = {len(part)})",
            )
        ax.set_xlabel("Working hours per week (h)")
        ax.set_ylabel("Formalism index (paperwork, inspections; 1-5)")
        ax.legend(title="Role")
        _note(ax, SIMULATED_NOTE)
        result = _result(fig, data)
    return result


def interview_themes(interviews: pd.DataFrame) -> FigureResult:
    """Heatmap: share of interviews in each role mentioning each theme (counts annotated)."""
    data = inference.interview_themes(interviews)
    themes = list(dict.fromkeys(data["theme"]))
    roles = list(dict.fromkeys(data["role"]))
    grid = data.pivot(index="theme", columns="role", values="share").loc[themes, roles]
    counts = data.set_index(["theme", "role"])
    with house_style():
        fig, (ax,) = _figure(height=4.0)
        image = ax.imshow(grid.to_numpy() * 100, cmap="cividis", vmin=0, vmax=100, aspect="auto")
        for i, theme in enumerate(themes):
            for j, role in enumerate(roles):
                row = counts.loc[(theme, role)]
                ax.text(
                    j,
                    i,
                    f"{int(row['n_mentions'])}/{int(row['n_interviews'])}",
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="black" if row["share"] > 0.55 else "white",
                )
        ax.set_xticks(range(len(roles)), roles)
        ax.set_yticks(range(len(themes)), themes)
        ax.grid(False)
        ax.set_xlabel("Interviewee role")
        ax.set_ylabel("Theme coded in the interview notes")
        fig.colorbar(image, ax=ax, label="Interviews mentioning the theme (%)", shrink=0.9)
        _note(ax, "Coding matrix (simulated)")
        result = _result(fig, data)
    return result

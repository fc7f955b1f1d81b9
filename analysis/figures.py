"""One function per thesis figure; each returns a :class:`FigureResult`.

A :class:`FigureResult` holds the matplotlib figure and ``data``: exactly the numbers drawn, as a
tidy DataFrame, so that every figure can be checked and re-plotted from its data. Figures are
built with ``matplotlib.figure.Figure`` (not pyplot), inside :func:`analysis.style.house_style`,
so nothing global is touched and no second copy is shown by a notebook's inline backend.
Nothing is written to disk here; the build saves ``svg()`` and ``data`` next to each other.

The survey figures show spread and uncertainty: seaborn draws the points, boxes, heatmap and
scatter; matplotlib does the layout, error bars and bands. Their ``data`` stack the layers of
the figure in one frame, told apart by a ``layer`` column (``household``, ``median``, ``mean``,
``village mean`` ...); the summary layers carry ``estimate``, ``ci_low``, ``ci_high``, the
counts behind them and the ``method`` of the interval (:mod:`analysis.resampling`: villages
resampled, seeded). Point jitter is drawn here from a seeded generator, because seaborn's strip
jitter uses numpy's global one and would make every rendering different.
"""

from __future__ import annotations

import io
import textwrap
import warnings
from collections.abc import Container, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import NullFormatter

from analysis import fmt, inference, public, resampling, scales, typeface
from analysis.style import (
    FIGURE_HEIGHT_IN,
    FIGURE_WIDTH_IN,
    GREY,
    OKABE_ITO,
    SMALLEST_TEXT_PT,
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
        """The figure as SVG text, its text in the body's face (a subset embedded); identical
        bytes on every call and machine (house style).

        Returns
        -------
        str
            SVG text (no date in the metadata).

        Examples
        --------
        >>> national_poverty().svg().lstrip().startswith("<?xml")
        True
        """
        buffer = io.StringIO()
        with house_style():
            self.figure.savefig(buffer, format="svg", metadata=SVG_METADATA)
        return typeface.embed_font(buffer.getvalue())

    def row(self, layer: str, **where: object) -> pd.Series:
        """The one row of ``data`` in ``layer`` whose columns equal ``where`` (for the prose).

        ``result.row("median", status="marginal", year=2019)["ci_high"]`` is the number the
        figure draws, so the text quotes exactly what the reader sees.

        Parameters
        ----------
        layer : str
            The ``layer`` value of the row (ignored when ``data`` has no ``layer``).
        **where
            Column -> value the row must have.

        Returns
        -------
        pandas.Series
            The one matching row.

        Raises
        ------
        KeyError
            When no row or more than one matches.

        Examples
        --------
        >>> from analysis import survey
        >>> result = income_change(survey.load_households())
        >>> row = result.row("median", status="marginal", year=2019)
        >>> bool(row["ci_low"] <= row["estimate"] <= row["ci_high"])
        True
        """
        mask = self.data["layer"] == layer if "layer" in self.data else True
        for column, value in where.items():
            mask = mask & (self.data[column] == value)
        rows = self.data[mask]
        if len(rows) != 1:
            raise KeyError(f"{len(rows)} rows of layer {layer!r} match {where!r}; need one")
        return rows.iloc[0]

    def _repr_mimebundle_(
        self, include: Container[str] | None = None, exclude: Container[str] | None = None
    ) -> dict[str, str]:
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
    ax.set_title(text, loc="right", fontsize=SMALLEST_TEXT_PT, color=GREY)


# --------------------------------------------------------------------------------------------
# public statistics
# --------------------------------------------------------------------------------------------


def national_poverty(data_dir: Path | str | None = None) -> FigureResult:
    """National rural poor population (bars) and poverty incidence (line), 2012-2020.

    Years without a stated value have no bar or point (2013 population, 2020 incidence).

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> result = national_poverty()
    >>> list(result.data.columns)
    ['year', 'rural_poor_million', 'poverty_incidence_pct', 'source_id']
    """
    data = public.national_poverty(data_dir)
    with house_style():
        fig, (left, right) = _figure(ncols=2)
        stated = data.dropna(subset=["rural_poor_million"])
        left.bar(stated["year"], stated["rural_poor_million"], color=OKABE_ITO["blue"])
        for year in data.loc[data["rural_poor_million"].isna(), "year"]:
            left.text(
                year,
                2,
                "not\nstated",
                ha="center",
                va="bottom",
                fontsize=SMALLEST_TEXT_PT,
                color=GREY,
            )
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
    """Rural poor population by region, for the years where the sources state it.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> result = regional_poor()
    >>> list(result.data.columns)
    ['year', 'region', 'poor_million', 'source_id']
    """
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
    """Per-capita disposable income of rural residents in poor areas, with real growth.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> result = poor_area_income()
    >>> list(result.data.columns)
    ['year', 'income_yuan', 'real_growth_pct', 'source_id']
    """
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
                    fontsize=SMALLEST_TEXT_PT,
                )
        ax.set_xticks(data["year"])
        ax.set_xlabel("Year")
        ax.set_ylabel("Income (yuan per person per year, current prices)")
        ax.margins(y=0.12)
        result = _result(fig, data)
    return result


def lankao_incidence(data_dir: Path | str | None = None) -> FigureResult:
    """Lankao's poverty incidence in 2014 and at exit, every competing stated value shown,
    with the national exit threshold (central China) as a dashed line.

    Parameters
    ----------
    data_dir : path, optional
        Another copy of ``data/raw/public`` (tests).

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> result = lankao_incidence()
    >>> list(result.data.columns)
    ['kind', 'period', 'basis', 'value_pct', 'source_id']
    """
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
        ax.set_xticks(positions, labels, fontsize=SMALLEST_TEXT_PT)
        ax.axhline(threshold, color=GREY, linestyle="--", linewidth=1)
        ax.annotate(
            f"exit threshold < {threshold:g}%",
            (positions[-1] + 0.45, threshold),
            xytext=(0, 3),
            textcoords="offset points",
            ha="right",
            fontsize=SMALLEST_TEXT_PT,
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


@cache
def status_colours() -> dict[str, str]:
    """One colour per registration status (codebook order), the same in every figure.

    Returns
    -------
    dict of str to str
        Status code -> hex colour of :func:`analysis.style.palette`.

    Examples
    --------
    >>> list(status_colours())
    ['registered', 'exited 2016', 'exited 2017-2019', 'marginal']
    """
    order = inference.status_order()
    return dict(zip(order, palette(len(order)), strict=True))


@cache
def role_colours() -> dict[str, str]:
    """One colour per staff role (codebook order).

    Returns
    -------
    dict of str to str
        Role -> hex colour of :func:`analysis.style.palette`.

    Examples
    --------
    >>> list(role_colours())
    ['first secretary', 'township cadre', 'county office']
    """
    order = inference.role_order()
    return dict(zip(order, palette(len(order)), strict=True))


YEAR_COLOURS = {2014: GREY, 2019: OKABE_ITO["blue"]}
INTERVAL_COLOUR = "black"
POINT_SIZE = 7
HEATMAP_TEXT_PT = 11.5
"""Heatmap cell numbers, in pt at the figure's width: the main reading of each cell, larger
than the rest (10.4 pt as the PDF prints the figure, below the body's 12 pt)."""
POINT_ALPHA = 0.35


def _codebook_label(file: str, var: str, width: int = 60) -> str:
    """The codebook's English question for ``var``, without its parenthetical note, wrapped."""
    from analysis import codebook

    text = codebook.load_codebook().column(file, var)["question_en"].split(" (")[0]
    return _wrap(fmt.ranges(text), width)


def _wrap(text: str, width: int) -> str:
    """Wrap ``text`` on spaces at ``width`` characters; words are never cut."""
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _jitter(n: int, half_width: float) -> np.ndarray:
    """Seeded horizontal offsets for strip plots (seaborn's own strip jitter is not seeded)."""
    return np.random.default_rng(resampling.SEED).uniform(-half_width, half_width, n)


def _summary(table: pd.DataFrame, layer: str) -> pd.DataFrame:
    """Interval rows for a figure's data: the layer name first, the method last."""
    rows = table.rename(columns={"n_clusters": "n_villages"})
    return rows.assign(layer=layer, method=resampling.method_note())


def _with_layer(frame: pd.DataFrame, layer: str) -> pd.DataFrame:
    return frame.assign(layer=layer)


def _stack(*parts: pd.DataFrame) -> pd.DataFrame:
    """One tidy frame from a figure's layers, ``layer`` as the first column."""
    data = pd.concat(parts, ignore_index=True)
    counts = [c for c in ("hh_id", "staff_id", "year", "n", "n_villages") if c in data.columns]
    data = data.astype(dict.fromkeys(counts, "Int64"))  # whole numbers stay whole beside blanks
    return data[["layer", *[c for c in data.columns if c != "layer"]]]


def _strip(
    ax: Axes,
    positions: np.ndarray,
    values: np.ndarray,
    hue: pd.Series,
    colours: Mapping[Any, str],  # category -> colour (codes or labels, by figure)
    half_width: float = 0.16,
) -> None:
    """Every observation as a faint, seeded-jittered dot."""
    sns.scatterplot(
        x=positions + _jitter(len(positions), half_width),
        y=values,
        hue=hue,
        palette=dict(colours),
        s=POINT_SIZE,
        alpha=POINT_ALPHA,
        linewidth=0,
        legend=False,
        ax=ax,
    )


def _boxes(
    ax: Axes,
    data: pd.DataFrame,
    x: str,
    order: list[str],
    colours: Mapping[str, str],
    width: float,
    **options: object,
) -> None:
    """Outline box plots (no fliers: every point is drawn as a dot anyway), one per group."""
    with warnings.catch_warnings():
        # seaborn 0.13.2 passes ``vert`` to Axes.bxp, deprecated since matplotlib 3.10
        warnings.filterwarnings("ignore", message=".*vert: bool", category=DeprecationWarning)
        sns.boxplot(
            data=data,
            x=x,
            y="value",
            order=order,
            hue=x,
            hue_order=order,
            palette=dict(colours),
            fill=False,
            showfliers=False,
            dodge=False,
            width=width,
            linewidth=0.9,
            legend=False,
            ax=ax,
            **options,
        )


def _intervals(ax: Axes, positions: np.ndarray, table: pd.DataFrame, marker: str = "D") -> None:
    """Estimates as markers with their interval as a vertical bar."""
    estimate = table["estimate"].to_numpy()
    below, above = estimate - table["ci_low"].to_numpy(), table["ci_high"].to_numpy() - estimate
    ax.errorbar(
        positions,
        estimate,
        yerr=[below, above],
        fmt=marker,
        color=INTERVAL_COLOUR,
        markersize=4.5,
        capsize=3,
        elinewidth=1.3,
        zorder=5,
    )


def _interval_handle(statistic: str) -> Line2D:
    return Line2D(
        [],
        [],
        color=INTERVAL_COLOUR,
        marker="D",
        markersize=4.5,
        label=f"{statistic}, {resampling.LEVEL:.0%} CI (villages resampled)",
    )


def _dot_handle(colour: str, label: str) -> Line2D:
    return Line2D([], [], color=colour, marker="o", linestyle="", markersize=4, label=label)


def _log_ticks(
    ax: Axes, low: float, high: float, candidates: tuple[float, ...], formatter: str = "{:g}"
) -> None:
    ax.set_yscale("log")
    ax.yaxis.set_minor_formatter(NullFormatter())
    ticks = [t for t in candidates if low / 1.5 <= t <= high * 1.5]
    ax.set_yticks(ticks, [formatter.format(t) for t in ticks])


def _households(hh: pd.DataFrame, columns: Mapping[str, str]) -> pd.DataFrame:
    """``hh_id``, ``village`` and ``status`` (as text) plus the renamed ``columns``."""
    frame = pd.DataFrame(
        {
            "hh_id": hh.get("hh_id", hh.index),
            "village": hh["village"].astype(str),
            "status": hh["status"].astype(str),
        }
    )
    for new, old in columns.items():
        frame[new] = hh[old].astype("float64").to_numpy()
    return frame.reset_index(drop=True)


def _status_order(statuses: pd.Series) -> list[str]:
    return [s for s in inference.status_order() if s in set(statuses)]


def income_change(hh: pd.DataFrame) -> FigureResult:
    """Per-capita income 2014 and 2019 by registration status: every household, and the
    medians with village-cluster bootstrap intervals (simulated data).

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> from analysis import survey
    >>> result = income_change(survey.load_households())
    >>> list(result.data.columns)
    ['layer', 'hh_id', 'village', 'status', 'year', 'value', 'estimate', 'ci_low', 'ci_high',
     'n', 'n_villages', 'method']
    """
    wide = _households(hh, {"2014": "income_2014", "2019": "income_2019"})
    long = wide.melt(
        id_vars=["hh_id", "village", "status"],
        value_vars=["2014", "2019"],
        var_name="year",
        value_name="value",
    ).dropna(subset=["value"])
    long["year"] = long["year"].astype(int)
    order = _status_order(long["status"])
    long["status"] = pd.Categorical(long["status"], categories=order)
    long = long.sort_values(["status", "year", "hh_id"], ignore_index=True)
    table = resampling.grouped_intervals(
        long, value="value", group=["status", "year"], cluster="village", statistic="median"
    )
    offsets = {2014: -0.2, 2019: 0.2}
    with house_style():
        fig, (ax,) = _figure(height=3.8)
        positions = long["status"].cat.codes.to_numpy() + long["year"].map(offsets).to_numpy()
        _strip(ax, positions, long["value"].to_numpy(), long["year"], YEAR_COLOURS, 0.12)
        centres = table["status"].cat.codes.to_numpy() + table["year"].map(offsets).to_numpy()
        for code in range(len(order)):
            pair = table[table["status"].cat.codes == code]
            ax.plot(centres[pair.index], pair["estimate"], color=GREY, linewidth=1, zorder=4)
        _intervals(ax, centres, table)
        sizes = wide.groupby("status").size()
        ax.set_xticks(range(len(order)), [f"{fmt.ranges(s)}\n(n = {sizes[s]})" for s in order])
        _log_ticks(
            ax,
            long["value"].min(),
            long["value"].max(),
            (500, 1000, 2000, 3000, 5000, 10000, 20000, 30000, 50000),
            "{:,.0f}",
        )
        ax.set_xlabel(_codebook_label("households", "status"))
        ax.set_ylabel(_wrap("Per-capita annual net income (yuan per person, log scale)", 36))
        ax.legend(
            handles=[
                _dot_handle(YEAR_COLOURS[2014], "household, 2014"),
                _dot_handle(YEAR_COLOURS[2019], "household, 2019"),
                _interval_handle("median"),
            ],
            loc="upper left",
            fontsize=SMALLEST_TEXT_PT,
        )
        _note(ax, SIMULATED_NOTE)
        data = _stack(
            _with_layer(long.assign(status=long["status"].astype(str)), "household"),
            _summary(table.assign(status=table["status"].astype(str)), "median"),
        )
        result = _result(fig, data)
    return result


def _village_labels(villages: list[str]) -> dict[str, str]:
    from analysis import codebook

    lookup = codebook.load_codebook().villages()
    return {v: f"{v}\n(poor)" if lookup.get(v, {}).get("poor_village") else v for v in villages}


def precision_by_status(hh: pd.DataFrame) -> FigureResult:
    """Precision score by status: households with box plots and means with village-cluster
    bootstrap intervals (left), and the mean of each status in each village (right).

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> from analysis import survey
    >>> result = precision_by_status(survey.load_households())
    >>> list(result.data.columns)
    ['layer', 'hh_id', 'village', 'status', 'value', 'estimate', 'ci_low', 'ci_high', 'n',
     'n_villages', 'method']
    """
    scored = inference.with_scores(hh, ["precision"])
    households = _households(scored, {"value": "precision"}).dropna(subset=["value"])
    order = _status_order(households["status"])
    households["status"] = pd.Categorical(households["status"], categories=order)
    households = households.sort_values(["status", "hh_id"], ignore_index=True)
    table = resampling.grouped_intervals(
        households, value="value", group="status", cluster="village"
    )
    villages = sorted(households["village"].unique())
    means = (
        households.groupby(["village", "status"], observed=True)["value"]
        .agg(estimate="mean", n="size")
        .reset_index()
    )
    with house_style():
        fig = Figure(figsize=(FIGURE_WIDTH_IN, 3.9), layout="constrained")
        left, right = fig.subplots(1, 2, sharey=True, width_ratios=[1, 1.25])
        codes = households["status"].cat.codes.to_numpy()
        _boxes(left, households, "status", order, status_colours(), 0.55)
        _strip(
            left,
            codes.astype(float),
            households["value"].to_numpy(),
            households["status"].astype(str),
            status_colours(),
        )
        _intervals(left, np.arange(len(order)), table)
        left.set_xticks(
            range(len(order)),
            [
                f"{_wrap(fmt.ranges(s), 9)}\n(n = {n})"
                for s, n in zip(order, table["n"], strict=True)
            ],
            fontsize=SMALLEST_TEXT_PT,
        )
        left.set_xlabel(_codebook_label("households", "status", 24))
        left.set_ylabel("Precision score (mean of 6 items, 1\u20135)")
        left.set_ylim(0.8, 5.2)
        left.legend(handles=[_interval_handle("mean")], loc="lower left", fontsize=SMALLEST_TEXT_PT)
        step = 0.6 / len(order)
        village_x = means["village"].map({v: i for i, v in enumerate(villages)}).to_numpy()
        status_offset = (means["status"].cat.codes.to_numpy() - (len(order) - 1) / 2) * step
        sns.scatterplot(
            x=village_x + status_offset,
            y=means["estimate"],
            hue=means["status"],
            style=means["status"],
            hue_order=order,
            style_order=order,
            palette=status_colours(),
            s=22,
            ax=right,
            legend=False,
        )
        labels = _village_labels(villages)
        right.set_xticks(
            range(len(villages)), [labels[v] for v in villages], fontsize=SMALLEST_TEXT_PT
        )
        right.set_xlim(-0.6, len(villages) - 0.4)
        right.set_xlabel("Village (poor: a formerly registered poor village)", fontsize=8)
        right.set_ylabel("Village mean of the precision score")
        right.yaxis.set_tick_params(labelleft=True)
        markers = dict(zip(order, ["o", "X", "s", "P"], strict=False))
        handles = [
            Line2D(
                [],
                [],
                color=status_colours()[s],
                marker=markers[s],
                linestyle="",
                markersize=5,
                label=fmt.ranges(s),
            )
            for s in order
        ]
        right.legend(
            handles=handles,
            title="Status",
            loc="lower left",
            fontsize=SMALLEST_TEXT_PT,
            title_fontsize=SMALLEST_TEXT_PT,
            ncols=2,
        )
        _note(right, SIMULATED_NOTE)
        data = _stack(
            _with_layer(households.assign(status=households["status"].astype(str)), "household"),
            _summary(table.assign(status=table["status"].astype(str)), "mean"),
            _with_layer(means.assign(status=means["status"].astype(str)), "village mean"),
        )
        result = _result(fig, data)
    return result


def assistance_by_cause(hh: pd.DataFrame) -> FigureResult:
    """Heatmap: share of registered households of each cause receiving each assistance type,
    each cell with its village-cluster bootstrap interval.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> from analysis import survey
    >>> result = assistance_by_cause(survey.load_households())
    >>> list(result.data.columns)
    ['cause', 'assistance', 'n_households', 'n_received', 'estimate', 'ci_low', 'ci_high',
     'n_villages', 'method']
    """
    shares = inference.assistance_by_cause(hh)
    causes = list(dict.fromkeys(shares["cause"]))
    kinds = list(inference.assistance_labels().values())
    registered = hh[hh["cause"].notna()]
    base = pd.DataFrame(
        {
            "village": registered["village"].astype(str).to_numpy(),
            "cause": registered["cause"].astype(str).to_numpy(),
        }
    )
    tables = []
    for column, label in inference.assistance_labels().items():
        flags = registered[column].astype("boolean").fillna(False).astype(float).to_numpy()
        table = resampling.grouped_intervals(
            base.assign(value=flags), value="value", group="cause", cluster="village"
        )
        tables.append(
            table.assign(assistance=label)[
                ["cause", "assistance", "estimate", "ci_low", "ci_high", "n_clusters"]
            ]
        )
    intervals = pd.concat(tables, ignore_index=True)
    data = (
        shares.drop(columns="share")
        .merge(intervals, on=["cause", "assistance"], how="left", validate="one_to_one")
        .rename(columns={"n_clusters": "n_villages"})
        .assign(method=resampling.method_note())
    )
    grid = data.pivot(index="cause", columns="assistance", values="estimate").loc[causes, kinds]
    low = data.pivot(index="cause", columns="assistance", values="ci_low").loc[causes, kinds]
    high = data.pivot(index="cause", columns="assistance", values="ci_high").loc[causes, kinds]
    sizes = data.drop_duplicates("cause").set_index("cause")["n_households"]
    with house_style():
        fig, (ax,) = _figure(height=5.8)
        sns.heatmap(
            grid * 100,
            vmin=0,
            vmax=100,
            cmap="cividis",
            linewidths=0.6,
            linecolor="white",
            cbar_kws={"label": "Households receiving it (%)", "shrink": 0.9},
            ax=ax,
        )
        # each cell: the share large enough to read on a phone, its interval below it smaller
        for i, j in np.ndindex(grid.shape):
            share, lo, hi = (frame.iloc[i, j] * 100 for frame in (grid, low, high))
            colour = "black" if share > 55 else "white"
            ax.text(
                j + 0.5,
                i + 0.4,
                f"{share:.0f}",
                ha="center",
                va="center",
                color=colour,
                fontsize=HEATMAP_TEXT_PT,
            )
            ax.text(
                j + 0.5,
                i + 0.76,
                f"{lo:.0f}–{hi:.0f}",
                ha="center",
                va="center",
                color=colour,
                fontsize=SMALLEST_TEXT_PT,
            )
        ax.set_xticks(
            np.arange(len(kinds)) + 0.5, kinds, rotation=40, ha="right", rotation_mode="anchor"
        )
        ax.set_yticks(
            np.arange(len(causes)) + 0.5, [f"{c} (n = {sizes[c]})" for c in causes], rotation=0
        )
        ax.grid(False)
        ax.set_xlabel("Assistance received")
        ax.set_ylabel(_codebook_label("households", "cause", 30))
        _note(ax, f"cell: % and {resampling.LEVEL:.0%} CI (villages resampled); simulated")
        result = _result(fig, data)
    return result


def _item_labels(items: list[str]) -> dict[str, str]:
    from analysis import codebook

    book = codebook.load_codebook()
    labels = {}
    for item in items:
        text = book.column("households", item)["question_en"].split(" (")[0]
        labels[item] = _wrap(text, 46)
    return labels


SCALE_NAMES = {"precision": "precision", "sharing": "shared development", "problems": "problems"}
"""How the figures name the household scales."""

LIKERT_COLOURS = ["#D55E00", "#F2B183", "#D9D9D9", "#8FC1E3", "#0072B2"]
"""Strongly disagree ... strongly agree: a vermillion-grey-blue diverging ramp (Okabe-Ito ends)."""


def likert_items(hh: pd.DataFrame, labels: Mapping[str, str] | None = None) -> FigureResult:
    """100% stacked bars: distribution of answers 1-5 for every scale item, as answered.

    ``labels`` maps item -> text; by default the English question text from the codebook.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).
    labels : mapping of str to str, optional
        Item -> label; the codebook's English questions by default.

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> from analysis import survey
    >>> result = likert_items(survey.load_households())
    >>> list(result.data.columns)
    ['item', 'label', 'response', 'n', 'share']
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
        ax.set_yticks(positions, [labels[i] for i in items], fontsize=SMALLEST_TEXT_PT)
        sizes = [len(scales.items_of(scale)) for scale in scales.HOUSEHOLD_SCALES]
        for boundary in np.cumsum(sizes)[:-1]:
            ax.axhline(len(items) - boundary - 0.5, color="black", linewidth=0.8)
        ax.set_xlim(0, 100)
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Share of answers (%)")
        groups = ", ".join(
            f"{SCALE_NAMES.get(scale, scale)} ({size})"
            for scale, size in zip(scales.HOUSEHOLD_SCALES, sizes, strict=True)
        )
        ax.set_ylabel(_wrap(f"Item by scale, top to bottom: {groups}; as answered", 60))
        fig.legend(ncols=5, loc="outside upper center", fontsize=SMALLEST_TEXT_PT)
        _note(ax, SIMULATED_NOTE)
        result = _result(fig, data)
    return result


def satisfaction_coefficients(hh: pd.DataFrame) -> FigureResult:
    """OLS coefficients (95% CI) of satisfaction on the three scale scores.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> from analysis import survey
    >>> result = satisfaction_coefficients(survey.load_households())
    >>> list(result.data.columns)
    ['term', 'estimate', 'ci_low', 'ci_high']
    """
    model = inference.satisfaction_model(hh)
    data = (
        model.coefficients.loc[
            model.coefficients["term"] != "Intercept", ["term", "coef", "ci_low", "ci_high"]
        ]
        .rename(columns={"coef": "estimate"})
        .reset_index(drop=True)
    )
    with house_style():
        fig, (ax,) = _figure(height=2.6)
        positions = np.arange(len(data))[::-1]
        ax.errorbar(
            data["estimate"],
            positions,
            xerr=[data["estimate"] - data["ci_low"], data["ci_high"] - data["estimate"]],
            fmt="o",
            color=OKABE_ITO["blue"],
            capsize=3,
        )
        ax.axvline(0, color=GREY, linewidth=1)
        ax.set_yticks(positions, [f"{t} score" for t in data["term"]])
        ax.grid(axis="x")
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Change in satisfaction (1\u20135) per scale point, with 95% CI")
        ax.set_ylabel("Predictor")
        _note(ax, f"{SIMULATED_NOTE}; n = {model.n}, R² = {model.r2:.2f}")
        result = _result(fig, data)
    return result


def waiting_income(hh: pd.DataFrame) -> FigureResult:
    """Income growth (2019/2014) of households agreeing it is better to wait for help vs others:
    every household, box plots, and medians with village-cluster bootstrap intervals.

    Parameters
    ----------
    hh : pandas.DataFrame
        Cleaned household frame (:func:`analysis.survey.load_households`).

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> from analysis import survey
    >>> result = waiting_income(survey.load_households())
    >>> list(result.data.columns)
    ['layer', 'hh_id', 'village', 'group', 'value', 'estimate', 'ci_low', 'ci_high', 'n',
     'n_villages', 'method']
    """
    groups = inference.wait_groups(hh)
    villages = pd.Series(hh["village"].astype(str).to_numpy(), index=hh.get("hh_id", hh.index))
    order = ["agree (4\u20135)", "others (1\u20133)"]
    households = pd.DataFrame(
        {
            "hh_id": groups["hh_id"],
            "village": groups["hh_id"].map(villages),
            "group": pd.Categorical(np.where(groups["agree"], *order), categories=order),
            "value": groups["growth_ratio"],
        }
    ).dropna(subset=["value"])
    households = households.sort_values(["group", "hh_id"], ignore_index=True)
    table = resampling.grouped_intervals(
        households, value="value", group="group", cluster="village", statistic="median"
    )
    colours = {order[0]: OKABE_ITO["vermillion"], order[1]: OKABE_ITO["blue"]}
    with house_style():
        fig, (ax,) = _figure(height=3.4)
        _boxes(ax, households, "group", order, colours, 0.45, log_scale=True)
        _strip(
            ax,
            households["group"].cat.codes.to_numpy().astype(float),
            households["value"].to_numpy(),
            households["group"].astype(str),
            colours,
            0.14,
        )
        _intervals(ax, np.arange(len(order)), table)
        ax.set_xticks(
            range(len(order)), [f"{g}\n(n = {n})" for g, n in zip(order, table["n"], strict=True)]
        )
        _log_ticks(
            ax,
            households["value"].min(),
            households["value"].max(),
            (0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12),
        )
        ax.set_xlabel(_wrap(f"Answer to '{_codebook_label('households', 'prob_6', 200)}'", 70))
        ax.set_ylabel("Income ratio 2019 / 2014 (log scale)")
        ax.legend(
            handles=[_interval_handle("median")], loc="upper right", fontsize=SMALLEST_TEXT_PT
        )
        _note(ax, SIMULATED_NOTE)
        data = _stack(
            _with_layer(households.assign(group=households["group"].astype(str)), "household"),
            _summary(table.assign(group=table["group"].astype(str)), "median"),
        )
        result = _result(fig, data)
    return result


STAFF_GRID_POINTS = 50
"""Points along the hours axis at which the fitted line and its band are evaluated."""


def staff_workload(staff: pd.DataFrame) -> FigureResult:
    """Weekly working hours against the formalism index, by role, with the least-squares line
    and its seeded bootstrap band (staff resampled; simulated staff survey).

    Parameters
    ----------
    staff : pandas.DataFrame
        Cleaned staff frame.

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> from analysis import survey
    >>> result = staff_workload(survey.load_staff())
    >>> list(result.data.columns)
    ['layer', 'staff_id', 'role', 'hours_per_week', 'formalism', 'estimate', 'ci_low',
     'ci_high', 'method']
    """
    scored = inference.staff_scores(staff)
    points = (
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
    roles = [r for r in inference.role_order() if r in set(points["role"])]
    hours, index = points["hours_per_week"].to_numpy(), points["formalism"].to_numpy()
    grid = np.linspace(hours.min(), hours.max(), STAFF_GRID_POINTS)
    band = resampling.line_band(hours, index, grid)
    sizes = points["role"].value_counts()
    with house_style():
        fig, (ax,) = _figure()
        ax.fill_between(
            band["x"],
            band["ci_low"],
            band["ci_high"],
            color=GREY,
            alpha=0.25,
            linewidth=0,
            label=f"{resampling.LEVEL:.0%} band (staff resampled)",
        )
        ax.plot(
            band["x"],
            band["estimate"],
            color=INTERVAL_COLOUR,
            linewidth=1.2,
            label="least-squares line",
        )
        sns.scatterplot(
            data=points.assign(role=[f"{r} (n = {sizes[r]})" for r in points["role"]]),
            x="hours_per_week",
            y="formalism",
            hue="role",
            style="role",
            hue_order=[f"{r} (n = {sizes[r]})" for r in roles],
            style_order=[f"{r} (n = {sizes[r]})" for r in roles],
            palette=[role_colours()[r] for r in roles],
            s=18,
            alpha=0.8,
            linewidth=0,
            ax=ax,
        )
        ax.set_xlabel(_codebook_label("staff", "hours_per_week") + " (h)")
        ax.set_ylabel(_wrap("Formalism index (paperwork, inspections; 1\u20135)", 32))
        ax.legend(fontsize=SMALLEST_TEXT_PT, loc="lower right")
        _note(ax, SIMULATED_NOTE)
        line = band.rename(columns={"x": "hours_per_week"}).assign(
            layer="least-squares line", method=resampling.method_note(clustered=False)
        )
        data = _stack(_with_layer(points, "staff member"), line)
        result = _result(fig, data)
    return result


def interview_themes(interviews: pd.DataFrame) -> FigureResult:
    """Heatmap: share of interviews in each role mentioning each theme (counts annotated).

    Parameters
    ----------
    interviews : pandas.DataFrame
        The interview coding matrix.

    Returns
    -------
    FigureResult
        The figure and its plotted data (``data``: one row per plotted value; the columns
        the Example lists).

    Examples
    --------
    >>> from analysis import survey
    >>> result = interview_themes(survey.load_interviews())
    >>> list(result.data.columns)
    ['theme', 'role', 'n_interviews', 'n_mentions', 'share']
    """
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
                    fontsize=HEATMAP_TEXT_PT,
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

"""Figures (analysis.figures): data match the inputs, SVG is deterministic, axes are labelled."""

import io

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from bootstrap_reference import loop_intervals
from matplotlib.collections import PolyCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.patches import Rectangle

from analysis import figures, inference, public, resampling, style

FAKE_LABELS = {
    item: f"question {item}"
    for item in [
        *[f"prec_{i}" for i in range(1, 7)],
        *[f"share_{i}" for i in range(1, 6)],
        *[f"prob_{i}" for i in range(1, 7)],
    ]
}


def _bars(ax) -> list[Rectangle]:
    """Bars drawn by ax.bar/barh (Rectangles inside BarContainers)."""
    return [patch for container in ax.containers for patch in container.patches]


def _all_figures(hh, staff, interviews, public_dir):
    return {
        "national_poverty": figures.national_poverty(public_dir),
        "regional_poor": figures.regional_poor(public_dir),
        "poor_area_income": figures.poor_area_income(public_dir),
        "lankao_incidence": figures.lankao_incidence(public_dir),
        "income_change": figures.income_change(hh),
        "precision_by_status": figures.precision_by_status(hh),
        "assistance_by_cause": figures.assistance_by_cause(hh),
        "likert_items": figures.likert_items(hh, labels=FAKE_LABELS),
        "satisfaction_coefficients": figures.satisfaction_coefficients(hh),
        "waiting_income": figures.waiting_income(hh),
        "staff_workload": figures.staff_workload(staff),
        "interview_themes": figures.interview_themes(interviews),
    }


def test_every_figure_is_labelled_sized_and_deterministic(hh, staff, interviews):
    results = _all_figures(hh, staff, interviews, None)
    assert set(results) == set(figures.__all__) - {"FigureResult"}
    for name, result in results.items():
        assert isinstance(result, figures.FigureResult), name
        assert isinstance(result.data, pd.DataFrame) and not result.data.empty, name
        assert result.data.index.equals(pd.RangeIndex(len(result.data))), name
        width, _height = result.figure.get_size_inches()
        assert width <= style.MAX_WIDTH_IN, name
        for ax in result.figure.axes:
            if ax.get_label() == "<colorbar>":
                continue
            assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), name
        first, second = result.svg(), result.svg()
        assert first == second, name
        assert first.lstrip().startswith("<?xml") and "<dc:date>" not in first, name


def test_svg_is_identical_when_the_figure_is_rebuilt(hh):
    assert figures.precision_by_status(hh).svg() == figures.precision_by_status(hh).svg()
    np.random.seed(1)  # the legacy global generator must play no part (seaborn's jitter uses it)
    first = figures.income_change(hh).svg()
    np.random.seed(2)
    assert figures.income_change(hh).svg() == first


def test_svg_uses_house_style_even_outside_the_context(hh):
    svg = figures.income_change(hh).svg()
    # svg.fonttype = none: real text in the body's face, whose subset the SVG carries
    assert "<text" in svg and "font-family: 'Libertinus Serif'" in svg
    assert '@font-face{font-family:"Libertinus Serif";src:url(data:font/woff2;base64,' in svg
    assert mpl.rcParams["svg.hashsalt"] != style.RC_PARAMS["svg.hashsalt"]  # nothing leaked


def test_mimebundle_carries_svg_and_csv(hh):
    result = figures.waiting_income(hh)
    bundle = result._repr_mimebundle_()
    assert bundle["image/svg+xml"] == result.svg()
    assert pd.read_csv(pd.io.common.StringIO(bundle["text/csv"])).shape == result.data.shape
    only_svg = result._repr_mimebundle_(include={"image/svg+xml"})
    assert set(only_svg) == {"image/svg+xml"}


def test_national_poverty_bars_are_the_stated_values(public_dir):
    result = figures.national_poverty(public_dir)
    left, right = result.figure.axes
    heights = [bar.get_height() for bar in _bars(left)]
    stated = public.national_poverty(public_dir).dropna(subset=["rural_poor_million"])
    assert heights == stated["rural_poor_million"].tolist()
    line = right.get_lines()[0]
    incidence = result.data.dropna(subset=["poverty_incidence_pct"])
    np.testing.assert_array_equal(line.get_ydata(), incidence["poverty_incidence_pct"])
    pd.testing.assert_frame_equal(result.data, public.national_poverty(public_dir))


def test_regional_and_income_figures_plot_their_data(public_dir):
    regional = figures.regional_poor(public_dir)
    heights = sorted(bar.get_height() for bar in _bars(regional.figure.axes[0]))
    assert heights == sorted(public.regional_poor(public_dir)["poor_million"])
    income = figures.poor_area_income(public_dir)
    heights = [bar.get_height() for bar in _bars(income.figure.axes[0])]
    assert heights == public.poor_area_income(public_dir)["income_yuan"].tolist()


def test_lankao_incidence_shows_every_competing_value_and_threshold(public_dir):
    result = figures.lankao_incidence(public_dir)
    stated = result.data[result.data["kind"] == "stated value"]
    assert sorted(stated["value_pct"]) == [0.46, 1.27, 10.2, 11.8]
    heights = [bar.get_height() for bar in _bars(result.figure.axes[0])]
    assert heights == stated["value_pct"].tolist()
    threshold = result.data.loc[result.data["kind"] == "exit threshold", "value_pct"]
    assert threshold.tolist() == [2.0]
    assert (
        result.data.loc[result.data["kind"] == "exit threshold", "source_id"].iloc[0] == "S28;S29c"
    )
    assert any(list(line.get_ydata()) == [2.0, 2.0] for line in result.figure.axes[0].get_lines())


def _drawn_intervals(ax) -> pd.DataFrame:
    """Every error bar drawn on ``ax``: x, marker y, and the bar's two ends."""
    rows = []
    for container in ax.containers:
        if not isinstance(container, ErrorbarContainer):
            continue
        line, _caps, (bars,) = container.lines
        for x, y, segment in zip(
            line.get_xdata(), line.get_ydata(), bars.get_segments(), strict=True
        ):
            rows.append({"x": x, "estimate": y, "ci_low": segment[0][1], "ci_high": segment[1][1]})
    return pd.DataFrame(rows)


def _layer(result, layer):
    return result.data[result.data["layer"] == layer].reset_index(drop=True)


def test_income_change_draws_every_household_and_cluster_medians(hh):
    result = figures.income_change(hh)
    households = _layer(result, "household")
    assert len(households) == hh["income_2014"].notna().sum() + hh["income_2019"].notna().sum()
    medians = _layer(result, "median")
    expected = households.groupby(["status", "year"])["value"].median()
    for row in medians.itertuples():
        assert row.estimate == expected[(row.status, row.year)]
        assert row.ci_low <= row.estimate <= row.ci_high
    drawn = _drawn_intervals(result.figure.axes[0])
    np.testing.assert_allclose(
        drawn[["estimate", "ci_low", "ci_high"]], medians[["estimate", "ci_low", "ci_high"]]
    )
    # every interval, recomputed by a plain loop over resampled villages
    reference = loop_intervals(
        households,
        value="value",
        cluster="village",
        statistic="median",
        n_resamples=resampling.N_RESAMPLES,
        seed=resampling.SEED,
        group=["status", "year"],
    )
    for row in medians.itertuples():
        assert (row.ci_low, row.ci_high) == pytest.approx(reference[(row.status, row.year)])
    row = result.row("median", status="marginal", year=2019)
    assert row["estimate"] == expected[("marginal", 2019)]


def test_precision_shows_households_cluster_means_and_village_means(hh):
    result = figures.precision_by_status(hh)
    households = _layer(result, "household")
    assert len(households) == hh["precision"].notna().sum()
    means = _layer(result, "mean")
    assert means["status"].tolist() == list(inference.status_order())
    np.testing.assert_allclose(
        means["estimate"],
        [
            households.loc[households["status"] == s, "value"].mean()
            for s in inference.status_order()
        ],
    )
    reference = loop_intervals(
        households,
        value="value",
        cluster="village",
        statistic="mean",
        n_resamples=resampling.N_RESAMPLES,
        seed=resampling.SEED,
        group="status",
    )
    for row in means.itertuples():
        assert (row.ci_low, row.ci_high) == pytest.approx(reference[row.status])
    left, right = result.figure.axes
    drawn = _drawn_intervals(left)
    np.testing.assert_allclose(drawn["estimate"], means["estimate"])
    np.testing.assert_allclose(drawn["ci_high"], means["ci_high"])
    villages = _layer(result, "village mean")
    expected = households.groupby(["village", "status"])["value"].mean()
    for row in villages.itertuples():
        assert row.estimate == pytest.approx(expected[(row.village, row.status)])
    plotted = np.sort(np.concatenate([c.get_offsets()[:, 1] for c in right.collections]))
    np.testing.assert_allclose(plotted, np.sort(villages["estimate"]))
    assert len(right.get_xticklabels()) == hh["village"].nunique()


def test_heatmap_cells_carry_shares_and_cluster_intervals(hh, interviews):
    result = figures.assistance_by_cause(hh)
    mesh = result.figure.axes[0].collections[0].get_array()
    assert mesh.size == result.data["cause"].nunique() * len(inference.assistance_labels())
    np.testing.assert_allclose(np.sort(np.ravel(mesh)), np.sort(result.data["estimate"] * 100))
    shares = inference.assistance_by_cause(hh)
    np.testing.assert_allclose(result.data["estimate"], shares["share"])
    texts = {t.get_text() for t in result.figure.axes[0].texts}
    row = result.data.iloc[0]
    assert f"{row.estimate * 100:.0f}" in texts  # the share, and its interval below it
    assert f"{row.ci_low * 100:.0f}–{row.ci_high * 100:.0f}" in texts
    assert len(texts) > 1 and len(result.figure.axes[0].texts) == 2 * mesh.size
    registered = hh[hh["cause"].notna()].assign(
        value=lambda f: f["assist_industry"].astype(float), cause=lambda f: f["cause"].astype(str)
    )
    reference = loop_intervals(
        registered,
        value="value",
        cluster="village",
        statistic="mean",
        n_resamples=resampling.N_RESAMPLES,
        seed=resampling.SEED,
        group="cause",
    )
    industry = result.data[result.data["assistance"] == "industry project"]
    for cell in industry.itertuples():
        assert (cell.ci_low, cell.ci_high) == pytest.approx(reference[cell.cause])
    themes = figures.interview_themes(interviews)
    grid = themes.figure.axes[0].get_images()[0].get_array()
    np.testing.assert_allclose(grid.ravel(), themes.data["share"].to_numpy() * 100)


def test_likert_shares_add_to_one_per_item(hh):
    result = figures.likert_items(hh, labels=FAKE_LABELS)
    totals = result.data.groupby("item")["share"].sum()
    np.testing.assert_allclose(totals, 1.0)
    answered = hh["prec_1"].dropna().astype(int)
    row = result.data[(result.data["item"] == "prec_1") & (result.data["response"] == 5)].iloc[0]
    assert row["share"] == pytest.approx((answered == 5).mean())
    widths = sum(bar.get_width() for bar in _bars(result.figure.axes[0]))
    assert widths == pytest.approx(100 * 17)


def test_coefficients_and_staff_band_plot_their_data(hh, staff):
    coefs = figures.satisfaction_coefficients(hh)
    assert coefs.data["term"].tolist() == ["precision", "sharing", "problems"]
    model = inference.satisfaction_model(hh).coefficients.iloc[1:]
    np.testing.assert_allclose(coefs.data["estimate"], model["coef"])
    scatter = figures.staff_workload(staff)
    points = _layer(scatter, "staff member")
    assert len(points) == len(staff)
    ax = scatter.figure.axes[0]
    offsets = np.vstack(
        [
            c.get_offsets()
            for c in ax.collections
            if len(c.get_offsets()) and not isinstance(c, PolyCollection)
        ]
    )
    np.testing.assert_allclose(np.sort(offsets[:, 0]), np.sort(staff["hours_per_week"]))
    line = _layer(scatter, "least-squares line")
    x, y = points["hours_per_week"].to_numpy(), points["formalism"].to_numpy()
    np.testing.assert_allclose(
        line["estimate"], np.polyval(np.polyfit(x, y, 1), line["hours_per_week"])
    )
    draws = np.random.default_rng(resampling.SEED).integers(0, len(x), (400, len(x)))
    refits = np.array(
        [np.polyval(np.polyfit(x[d], y[d], 1), line["hours_per_week"]) for d in draws]
    )
    # 400 refits against the figure's 2000: the band ends agree to within sampling noise
    width = (line["ci_high"] - line["ci_low"]).to_numpy()
    assert np.abs(np.percentile(refits, 97.5, axis=0) - line["ci_high"]).max() < 0.25 * width.max()
    assert (line["ci_low"] < line["estimate"]).all() and (line["estimate"] < line["ci_high"]).all()


def test_waiting_groups_match_prob6_with_cluster_medians(hh):
    result = figures.waiting_income(hh)
    households = _layer(result, "household")
    answered = hh[hh["prob_6"].notna()]
    assert (households["group"] == "agree (4\u20135)").sum() == (answered["prob_6"] >= 4).sum()
    assert len(households) == len(answered)
    medians = _layer(result, "median")
    reference = loop_intervals(
        households,
        value="value",
        cluster="village",
        statistic="median",
        n_resamples=resampling.N_RESAMPLES,
        seed=resampling.SEED,
        group="group",
    )
    for row in medians.itertuples():
        assert row.estimate == households.loc[households["group"] == row.group, "value"].median()
        assert (row.ci_low, row.ci_high) == pytest.approx(reference[row.group])
    np.testing.assert_allclose(_drawn_intervals(result.figure.axes[0])["ci_low"], medians["ci_low"])


SURVEY_FIGURES = [
    "income_change",
    "precision_by_status",
    "assistance_by_cause",
    "waiting_income",
    "staff_workload",
    "satisfaction_coefficients",
]


def test_every_survey_figure_saves_estimates_with_interval_bounds(hh, staff):
    for name in SURVEY_FIGURES:
        result = getattr(figures, name)(staff if name == "staff_workload" else hh)
        data = result.data
        assert {"estimate", "ci_low", "ci_high"} <= set(data.columns), name
        bounded = data.dropna(subset=["ci_low", "ci_high"])
        assert len(bounded) > 0, name
        assert (bounded["ci_low"] <= bounded["estimate"] + 1e-12).all(), name
        assert (bounded["estimate"] <= bounded["ci_high"] + 1e-12).all(), name
        csv = pd.read_csv(io.StringIO(result._repr_mimebundle_()["text/csv"]))
        assert csv.shape == data.shape, name


def test_labels_come_from_the_codebook_and_are_wrapped_not_cut(hh):
    from analysis import codebook

    book = codebook.load_codebook()
    result = figures.likert_items(hh)
    labels = [t.get_text() for t in result.figure.axes[0].get_yticklabels()]
    question = book.column("households", "prec_2")["question_en"].split(" (")[0]
    assert " ".join(labels[1].split()) == question  # whole question, wrapped over lines
    assert not any("..." in label or "prec_" in label or "prob_" in label for label in labels)
    assert "prob_" not in result.figure.axes[0].get_ylabel()
    waiting = figures.waiting_income(hh).figure.axes[0].get_xlabel()
    assert "prob_6" not in waiting
    assert book.column("households", "prob_6")["question_en"] in " ".join(waiting.split())

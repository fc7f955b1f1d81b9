"""Figures (analysis.figures): data match the inputs, SVG is deterministic, axes are labelled."""

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from analysis import figures, inference, public, style

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


def test_svg_uses_house_style_even_outside_the_context(hh):
    svg = figures.income_change(hh).svg()
    assert "<text" not in svg  # svg.fonttype = path: glyphs are paths, no font dependency
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


def test_income_change_plots_status_medians(hh):
    result = figures.income_change(hh)
    table = inference.income_change_by_status(hh)
    for line, row in zip(result.figure.axes[0].get_lines(), table.itertuples(), strict=True):
        assert list(line.get_ydata()) == [row.median_2014_yuan, row.median_2019_yuan]
    assert len(result.data) == 2 * len(table)


def test_precision_boxes_use_every_scored_household(hh):
    result = figures.precision_by_status(hh)
    assert len(result.data) == hh["precision"].notna().sum()
    medians = [
        line.get_ydata()[0]
        for line in result.figure.axes[0].get_lines()
        if line.get_color() == style.OKABE_ITO["vermillion"]
    ]
    expected = result.data.groupby("status")["precision"].median()
    assert medians == [expected[s] for s in inference.STATUS_ORDER]


def test_heatmaps_show_the_data_grid(hh, interviews):
    result = figures.assistance_by_cause(hh)
    image = result.figure.axes[0].get_images()[0].get_array()
    assert image.shape == (result.data["cause"].nunique(), len(inference.ASSISTANCE))
    np.testing.assert_allclose(np.sort(image.ravel()), np.sort(result.data["share"] * 100))
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


def test_coefficients_and_scatter_plot_their_data(hh, staff):
    coefs = figures.satisfaction_coefficients(hh)
    assert coefs.data["term"].tolist() == ["precision", "sharing", "problems"]
    model = inference.satisfaction_model(hh).coefficients.iloc[1:]
    np.testing.assert_allclose(coefs.data["coef"], model["coef"])
    scatter = figures.staff_workload(staff)
    points = np.vstack([c.get_offsets() for c in scatter.figure.axes[0].collections])
    assert len(points) == len(scatter.data) == len(staff)
    np.testing.assert_allclose(np.sort(points[:, 0]), np.sort(staff["hours_per_week"]))


def test_waiting_groups_match_prob6(hh):
    result = figures.waiting_income(hh)
    agree = result.data["group"] == "agree (4-5)"
    answered = hh[hh["prob_6"].notna()]
    assert agree.sum() == (answered["prob_6"] >= 4).sum()
    assert len(result.data) == len(answered)

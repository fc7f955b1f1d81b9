"""Scale scores and Cronbach's alpha (analysis.scales)."""

import importlib.util

import numpy as np
import pandas as pd
import pingouin as pg
import pytest

from analysis import scales


def _alpha_textbook(items: pd.DataFrame) -> float:
    """Cronbach (1951): k/(k-1) * (1 - sum of item variances / variance of the total)."""
    k = items.shape[1]
    item_var = items.var(axis=0, ddof=1).sum()
    total_var = items.sum(axis=1).var(ddof=1)
    return k / (k - 1) * (1 - item_var / total_var)


def test_scores_are_item_means_with_prob5_reversed(hh_raw, SPEC, REVERSE):
    scored = scales.score_scales(hh_raw, items=SPEC, reverse=REVERSE)
    row = hh_raw.dropna(subset=SPEC["problems"]).iloc[0]
    expected = np.mean([*(float(row[f"prob_{i}"]) for i in (1, 2, 3, 4, 6)), 6 - row["prob_5"]])
    assert scored.loc[row.name, "problems"] == pytest.approx(expected)
    complete = hh_raw.dropna(subset=SPEC["precision"])
    manual = complete[SPEC["precision"]].astype(float).mean(axis=1)
    np.testing.assert_allclose(scored.loc[complete.index, "precision"], manual)
    # the input is not modified and the items keep their answered values
    assert "precision" not in hh_raw.columns
    assert scored["prob_5"].equals(hh_raw["prob_5"])


def test_partially_answered_scales_need_half_the_items(hh_raw, SPEC, REVERSE):
    frame = hh_raw.copy()
    frame.loc[0, SPEC["sharing"]] = [pd.NA, pd.NA, pd.NA, 4, 2]  # 2 of 5 answered: too few
    frame.loc[1, SPEC["sharing"]] = [pd.NA, pd.NA, 5, 4, 3]  # 3 of 5 answered: scored
    scored = scales.score_scales(frame, items=SPEC, reverse=REVERSE)
    assert np.isnan(scored.loc[0, "sharing"])
    assert scored.loc[1, "sharing"] == pytest.approx(4.0)


def test_out_of_range_answer_names_row_and_column(hh_raw, SPEC, REVERSE):
    frame = hh_raw.copy()
    frame.loc[5, "share_3"] = 7
    with pytest.raises(ValueError, match=r"hh_id=6.*'share_3'.*7"):
        scales.score_scales(frame, items=SPEC, reverse=REVERSE)


def test_alpha_matches_textbook_formula(hh_raw, SPEC, REVERSE):
    for scale in ("precision", "sharing", "problems"):
        result = scales.cronbach(hh_raw, scale, items=SPEC[scale], reverse=REVERSE)
        items = scales.reverse_code(hh_raw[SPEC[scale]].astype("float64").dropna(), REVERSE)
        assert result.n == len(items)
        assert result.n_items == len(SPEC[scale])
        assert result.alpha == pytest.approx(_alpha_textbook(items), rel=1e-10)
        assert result.ci_low < result.alpha < result.ci_high


def test_forgetting_to_reverse_lowers_alpha(hh_raw, SPEC, REVERSE):
    right = scales.cronbach(hh_raw, "problems", items=SPEC["problems"], reverse=REVERSE)
    wrong = scales.cronbach(hh_raw, "problems", items=SPEC["problems"], reverse=[])
    assert wrong.alpha < right.alpha - 0.1


def test_alpha_matches_published_reference():
    # pingouin's bundled "cronbach_alpha" data (from real-statistics.com); the reference values
    # alpha = 0.592, 95% CI [0.195, 0.840] are those of R psych::alpha quoted in pingouin's
    # tests/test_reliability.py.
    # The items are answered on a 1-7 scale.
    long = pg.read_dataset("cronbach_alpha")
    wide = long.pivot(index="Subj", columns="Items", values="Scores").reset_index(drop=True)
    result = scales.cronbach(wide, "ref", items=list(wide.columns), reverse=[], points=(1, 7))
    assert round(result.alpha, 3) == 0.592
    assert (result.ci_low, result.ci_high) == (0.195, 0.840)
    assert result.n == 15
    with pytest.raises(ValueError, match=r"not a Likert answer 1\.\.5"):
        scales.cronbach(wide, "ref", items=list(wide.columns), reverse=[])


def test_reliability_table_has_all_three_scales(hh_raw, SPEC, REVERSE):
    table = scales.reliability(hh_raw, items=SPEC, reverse=REVERSE)
    assert table["scale"].tolist() == ["precision", "sharing", "problems"]
    assert list(table.columns) == ["scale", "n_items", "n", "alpha", "ci_low", "ci_high"]
    assert (table["alpha"] > 0.5).all()


@pytest.mark.skipif(
    importlib.util.find_spec("analysis.codebook") is None, reason="codebook module not written yet"
)
def test_codebook_defines_the_contract_scales(SPEC, REVERSE):
    assert {s: scales.items_of(s) for s in SPEC} == SPEC
    assert scales.items_of("formalism") == ["paperwork", "inspections"]
    from analysis import codebook

    assert list(codebook.reverse_items()) == REVERSE

"""The functions that replaced the logic of the chapters' set-up cells, against plain counting.

Each test recomputes the value the way a reader would (a loop or a boolean mask over the
synthetic frames of ``conftest.py`` or the public tables) and compares.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import answers, codebook, design, inference, public, survey


# ---- answers ----------------------------------------------------------------------------------
def test_agree_shares_count_four_and_five_among_those_who_answered(hh):
    items = codebook.scale_items("problems")
    shares = answers.agree_shares(hh, items)
    assert list(shares) == items
    for item in items:
        answered = [int(v) for v in hh[item] if not pd.isna(v)]
        assert shares[item] == pytest.approx(sum(v >= 4 for v in answered) / len(answered))


def test_answer_counts_agree_disagree_and_answered(staff):
    items = codebook.likert_variables("staff")
    counts = answers.answer_counts(staff, items)
    assert list(counts.index) == items
    assert list(counts.columns) == ["n", "n_agree", "n_disagree", "share_agree"]
    for item in items:
        answered = [int(v) for v in staff[item] if not pd.isna(v)]
        assert counts.at[item, "n"] == len(answered)
        assert counts.at[item, "n_agree"] == sum(v >= 4 for v in answered)
        assert counts.at[item, "n_disagree"] == sum(v <= 2 for v in answered)
        assert counts.at[item, "share_agree"] == pytest.approx(
            counts.at[item, "n_agree"] / len(answered)
        )


def test_a_share_of_nobody_is_nan_and_a_missing_column_is_named():
    assert np.isnan(answers.agree_share(pd.Series([None, None], dtype="Int64")))
    with pytest.raises(KeyError, match="prob_9"):
        answers.agree_shares(pd.DataFrame({"prob_1": [4]}), ["prob_1", "prob_9"])


def test_majority_words_follow_the_counts():
    frame = pd.DataFrame(
        {"a": [4, 4, 1, None], "b": [4, 1, 1, 5], "c": [1, 2, 5, None]}, dtype="Int64"
    )
    assert answers.agree_majorities(frame, ["a", "b", "c"]) == {
        "a": "a majority",
        "b": "exactly half",
        "c": "a minority",
    }
    assert "uneasily" in answers.measures_fit_reading(41, 80)
    assert "consistent" in answers.measures_fit_reading(40, 80)


# ---- survey -------------------------------------------------------------------------------
def test_split_by_registration_partitions_the_households(hh):
    marginal, registered = survey.split_by_registration(hh, "poor_village")
    assert len(marginal) + len(registered) == len(hh)
    assert set(marginal.index) == set(hh.index[hh["status"] == "marginal"])
    assert set(registered.index).isdisjoint(marginal.index)


def test_n_excluded_counts_the_loaders_record():
    frame = pd.DataFrame({"x": [1]})
    frame.attrs["excluded"] = [{"line": 3}, {"line": 9}]
    assert survey.n_excluded(frame) == 2


# ---- inference ------------------------------------------------------------------------------
def test_n_rose_counts_pairs_whose_2019_income_is_larger(hh):
    result = inference.income_change(hh)
    rose = sum(
        1
        for a, b in zip(hh["income_2014"], hh["income_2019"], strict=True)
        if not (pd.isna(a) or pd.isna(b)) and b > a
    )
    assert result.n_rose == rose


def test_assistance_shares_are_one_column_of_assistance_by_cause(hh):
    shares = inference.assistance_shares(hh, "industry project")
    registered = hh[hh["cause"].notna()]
    for cause, share in shares.items():
        group = registered[registered["cause"].astype(str) == cause]
        assert share == pytest.approx(group["assist_industry"].astype(bool).mean())
    with pytest.raises(ValueError, match="industry project"):
        inference.assistance_shares(hh, "industry")


def test_theme_mentions_count_by_role_and_overall(interviews):
    result = inference.theme_mentions(interviews)
    themes = list(inference.theme_labels())
    for role in inference.interview_roles():
        rows = interviews[interviews["role"].astype(str) == role]
        assert result.n_by_role[role] == len(rows)
        assert result.per_interview[role] == pytest.approx(
            rows[themes].astype(bool).sum(axis=1).mean()
        )
        for theme in themes:
            k = int(rows[theme].astype(bool).sum())
            assert result.mentions.at[theme, role] == k
            assert result.share.at[theme, role] == pytest.approx(k / len(rows))
            assert result.mention(theme, role).startswith(f"{k} of {len(rows)}")
    assert result.total.to_dict() == {t: int(interviews[t].astype(bool).sum()) for t in themes}


# ---- design ---------------------------------------------------------------------------------
def test_cause_group_sizes_merge_rare_causes_into_other(hh):
    sizes = design.cause_group_sizes(hh, minimum=15)
    counts = hh["cause"].dropna().astype(str).value_counts()
    rare = counts[counts < 15]
    assert sizes.sum() == counts.sum()
    assert sizes.get("other", 0) == rare.sum() + (
        counts.get("other", 0) if "other" not in rare else 0
    )
    assert all(sizes[c] == counts[c] for c in counts.index if c not in rare and c != "other")


def test_negative_iccs_count_the_outcomes_below_zero(hh):
    iccs = design.outcome_iccs(hh)
    assert list(iccs) == list(design.ICC_OUTCOMES)
    assert design.negative_iccs(hh) == (sum(r.icc < 0 for r in iccs.values()), len(iccs))


# ---- public ---------------------------------------------------------------------------------
def test_stated_values_collect_every_source_of_one_indicator():
    table = public.indicators("lankao")
    rows = table[(table["indicator"] == "poverty_incidence") & (table["year"] == 2014)]
    assert public.stated_values("lankao", "poverty_incidence", 2014) == dict(
        zip(rows["source_id"], rows["value"], strict=True)
    )
    assert public.stated_values("lankao", "no_such_indicator") == {}


def test_implied_incidence_divides_each_count_by_the_rural_population():
    rural = public.value("lankao", "rural_population")
    counts = public.stated_values("lankao", "poor_population_registered")
    assert len(counts) >= 2
    assert public.implied_incidence() == {s: 100 * c / rural for s, c in counts.items()}


def test_stated_dates_and_text_are_as_the_source_gives_them():
    dates = public.stated_dates("lankao")
    table = public.indicators("lankao")
    dated = table[table["unit"].str.startswith("date")]
    assert set(dates) == set(dated["indicator"])
    for indicator, text in zip(dated["indicator"], dated["value_text"], strict=True):
        day = pd.Timestamp(text)
        assert dates[indicator] == f"{day.day} {day.strftime('%B')} {day.year}"
    assert public.stated_text("henan", "poverty_incidence_NBS_survey_band") == "3-5"
    with pytest.raises(KeyError, match="no stated value"):
        public.stated_text("henan", "no_such_indicator")


def test_sources_note_splits_joined_ids_and_skips_empty_cells():
    cells = pd.Series(["S19;S18", "", None, "S18"])
    assert public.sources_note(cells) == public.sources_note(["S18", "S19"])
    assert public.sources_note(cells).count("[S") == 2


def test_exit_criteria_counts_criteria_and_those_met():
    check = public.exit_criteria_check()
    n, met = public.exit_criteria_counts(check)
    assert n == len(set(check["criterion"]))
    assert met == len(
        {c for c, m in zip(check["criterion"], check["met"], strict=True) if m == "yes"}
    )

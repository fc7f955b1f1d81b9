"""Ranges in the labels the package writes take an en dash (fmt.ranges, fmt.table_ranges)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import fmt

EN = "\u2013"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("exited 2017-2019", f"exited 2017{EN}2019"),
        ("exited 2017-2019 (vs registered)", f"exited 2017{EN}2019 (vs registered)"),
        ("agree (4-5)", f"agree (4{EN}5)"),
        ("Precision score (mean of 6 items, 1-5)", f"Precision score (mean of 6 items, 1{EN}5)"),
        ("aged 16-64 and able to work", f"aged 16{EN}64 and able to work"),
        ("from 2014-2019.", f"from 2014{EN}2019."),
    ],
)
def test_a_hyphenated_range_takes_an_en_dash(text, expected):
    assert fmt.ranges(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Xinhua, 2017-03-28",  # a date
        "www.gov.cn/xinwen/2013-02/27/content_28070712.htm",  # a path
        "2021/04-21/828752.html",
        "A1-B2",  # codes
        "2-3.5",  # a decimal bound is not a small-number range
        "x -5",  # a minus
        "poverty_incidence_NBS_survey_band",
        "already 2017\u20132019",
        "1234-5678",  # not years, not small numbers
    ],
)
def test_dates_paths_codes_and_numbers_are_left_alone(text):
    assert fmt.ranges(text) == text


def test_table_ranges_sets_headers_and_text_cells_but_not_numbers():
    frame = pd.DataFrame(
        {"Status": ["exited 2017-2019", "marginal"], "Years 2014-2019": ["1-5", None], "n": [3, 4]},
        index=[7, 9],
    )
    out = fmt.table_ranges(frame)
    assert list(out.columns) == ["Status", f"Years 2014{EN}2019", "n"]
    assert out["Status"].tolist() == [f"exited 2017{EN}2019", "marginal"]
    assert out[f"Years 2014{EN}2019"].iloc[0] == f"1{EN}5"
    assert pd.isna(out[f"Years 2014{EN}2019"].iloc[1])
    assert out["n"].tolist() == [3, 4] and list(out.index) == [0, 1]
    assert frame.columns[1] == "Years 2014-2019"  # the input is not changed

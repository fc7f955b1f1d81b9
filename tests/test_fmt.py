"""Inline number formatting (analysis.fmt)."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import fmt


def test_num_uses_thousands_separators_and_digits():
    assert fmt.num(1234.5) == "1,234.5"
    assert fmt.num(1234.5678, digits=2) == "1,234.57"
    assert fmt.num(-0.04, digits=1) == "0.0"  # a value that rounds to zero loses its sign
    assert fmt.num(-0.05, digits=1) == "\u22120.1"
    assert fmt.num(np.float64(98.99), digits=2) == "98.99"


def test_integer_rounds_to_whole_numbers():
    assert fmt.integer(77350) == "77,350"
    assert fmt.integer(np.int64(850000)) == "850,000"
    assert fmt.integer(9942.6) == "9,943"


def test_pct_takes_percent_and_share_takes_fraction():
    assert fmt.pct(11.8) == "11.8%"
    assert fmt.pct(1.27, digits=2) == "1.27%"
    assert fmt.share(0.25) == "25.0%"
    assert fmt.share(0.0046, digits=2) == "0.46%"


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.0004, "p\u00a0<\u00a00.001"),
        (0.001, "p\u00a0=\u00a00.001"),
        (0.0234, "p\u00a0=\u00a00.023"),
        (1.0, "p\u00a0=\u00a01.000"),
    ],
)
def test_pval_apa_style(p, text):
    assert fmt.pval(p) == text


def test_pval_rejects_values_outside_unit_interval():
    with pytest.raises(ValueError, match="p-value"):
        fmt.pval(1.2)
    with pytest.raises(ValueError, match="p-value"):
        fmt.pval(-0.01)


def test_yuan_and_ci():
    assert fmt.yuan(9943) == "9,943 yuan"
    assert fmt.ci(0.712, 0.8) == "[0.71, 0.80]"
    assert fmt.ci(1.5, 2.25, digits=1) == "[1.5, 2.3]"  # 2.25 -> 2.3: round half up
    with pytest.raises(ValueError, match="reversed"):
        fmt.ci(0.9, 0.1)


@pytest.mark.parametrize("missing", [None, math.nan, np.nan, pd.NA])
def test_missing_values_are_visible(missing):
    assert fmt.num(missing) == fmt.MISSING
    assert fmt.pct(missing) == fmt.MISSING
    assert fmt.share(missing) == fmt.MISSING
    assert fmt.pval(missing) == fmt.MISSING
    assert fmt.yuan(missing) == fmt.MISSING
    assert fmt.ci(missing, 1.0) == fmt.MISSING


def test_non_numbers_are_rejected():
    with pytest.raises(TypeError):
        fmt.num("12")
    with pytest.raises(TypeError):
        fmt.pct(True)
    with pytest.raises(ValueError, match="digits"):
        fmt.num(1.0, digits=-1)


# ---- one rounding rule: half up ---------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "digits", "text"),
    [
        (278.5, 0, "279"),  # Python's format gives "278" (half to even)
        (0.5, 0, "1"),
        (1.5, 0, "2"),
        (2.5, 0, "3"),
        (-2.5, 0, "\u22123"),  # a tie goes away from zero
        (2.675, 2, "2.68"),  # the binary value is 2.67499..., the printed digits are a tie
        (0.125, 2, "0.13"),
        (1234.45, 1, "1,234.5"),
        (0.0449, 2, "0.04"),
        (-0.004, 2, "0.00"),
    ],
)
def test_num_rounds_half_up_as_by_hand(x, digits, text):
    assert fmt.num(x, digits) == text


def test_integer_pct_share_pval_use_the_same_rule():
    assert fmt.integer(77350.5) == "77,351"
    assert fmt.pct(12.25) == "12.3%"
    assert fmt.share(0.5625) == "56.3%"  # 56.25 -> 56.3
    assert fmt.pval(0.0125) == "p\u00a0=\u00a00.013"
    assert fmt.yuan(2600.5) == "2,601 yuan"


def test_round_half_up_agrees_with_hand_rule_on_many_values():
    # by hand: floor(x * 10^d + 1/2) / 10^d on exact decimal strings
    from decimal import Decimal
    from math import floor

    for cents in range(0, 2000, 5):
        text = f"{cents / 1000:.3f}"  # 0.000, 0.005, 0.010, ... exact decimal strings
        expected = floor(Decimal(text) * 100 + Decimal("0.5")) / Decimal(100)
        assert fmt.round_half_up(float(text), 2) == expected, text


# ---- counts with shares, majorities, agree/neutral/disagree ---------------------------------


def test_count_share_prints_small_groups_as_counts():
    assert fmt.count_share(7, 8) == "7 of 8"
    assert fmt.count_share(19, 19) == "19 of 19"
    assert fmt.count_share(145, 320) == "145 of 320 (45.3%)"
    assert fmt.count_share(np.int64(1), np.int64(20)) == "1 of 20 (5.0%)"
    with pytest.raises(ValueError, match="0 <= k <= n"):
        fmt.count_share(9, 8)
    with pytest.raises(TypeError):
        fmt.count_share(1.5, 8)


@pytest.mark.parametrize(
    ("k", "n", "word"),
    [
        (49, 86, "a majority"),
        (43, 86, "exactly half"),
        (42, 86, "a minority"),
        (1, 1, "a majority"),
    ],
)
def test_majority_follows_the_count(k, n, word):
    assert fmt.majority(k, n) == word


def test_likert_split_reports_all_three_parts():
    answers = [5] * 30 + [4] * 18 + [3] * 17 + [2] * 10 + [1] * 10 + [pd.NA, None]
    # by hand: 48/85 = 56.47%, 17/85 = 20.00%, 20/85 = 23.53%
    assert fmt.likert_split(answers) == (
        "56.5% agreed, 20.0% were neutral and 23.5% disagreed (n = 85)"
    )
    assert (
        fmt.likert_split([4, 4, 3, 1])
        == "2 of 4 agreed, 1 of 4 were neutral and 1 of 4 disagreed (n = 4)"
    )
    assert fmt.likert_split([]) == fmt.MISSING
    with pytest.raises(ValueError, match="1-5"):
        fmt.likert_split([6])

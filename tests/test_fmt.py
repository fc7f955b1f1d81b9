"""Inline number formatting (analysis.fmt)."""

import math

import numpy as np
import pandas as pd
import pytest

from analysis import fmt


def test_num_uses_thousands_separators_and_digits():
    assert fmt.num(1234.5) == "1,234.5"
    assert fmt.num(1234.5678, digits=2) == "1,234.57"
    assert fmt.num(-0.04, digits=1) == "-0.0"
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
    [(0.0004, "p < 0.001"), (0.001, "p = 0.001"), (0.0234, "p = 0.023"), (1.0, "p = 1.000")],
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
    assert fmt.ci(1.5, 2.25, digits=1) == "[1.5, 2.2]"  # 2.25 -> 2.2: round half to even
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

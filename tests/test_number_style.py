"""One number style in both editions: true minus, en-dash ranges, p-values that cannot break,
fixed decimals per table column, thousands separators. Hand-written expectations, then the
built editions (`_book/`, so build first)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from analysis import fmt
from tests.bookbuild_helpers import pdf_text

BOOK = Path(__file__).resolve().parents[1] / "_book"
MINUS, NBSP, EN = "\u2212", "\u00a0", "\u2013"


def test_negative_numbers_take_the_minus_sign() -> None:
    assert fmt.num(-0.3189, 2) == MINUS + "0.32"
    assert fmt.num(-12345.6, 0) == MINUS + "12,346"
    assert fmt.num(-0.004, 2) == "0.00"  # rounds to zero: no sign
    assert fmt.ci(-0.891, 0.012) == f"[{MINUS}0.89, 0.01]"


def test_p_values_are_held_together_by_no_break_spaces() -> None:
    assert fmt.pval(0.0004) == f"p{NBSP}<{NBSP}0.001"
    assert fmt.pval(0.05) == f"p{NBSP}={NBSP}0.050"
    assert fmt.p_cell(0.0004) == f"<{NBSP}0.001"
    assert fmt.p_cell(0.0234) == "0.023"
    assert fmt.p_cell(None) == fmt.MISSING


def test_ranges_take_an_en_dash() -> None:
    assert fmt.span(3850, 4030) == f"3,850{EN}4,030"
    assert fmt.span(-1.25, 0.5, 1) == f"{MINUS}1.3{EN}0.5"
    assert fmt.year_span(2017, 2019) == f"2017{EN}2019"
    with pytest.raises(ValueError, match="reversed"):
        fmt.span(2, 1)
    with pytest.raises(TypeError, match="whole year"):
        fmt.year_span(2017.5, 2019)


def test_a_column_has_one_number_of_decimals() -> None:
    assert fmt.column([2.0, 1.86, 1711.0, float("nan")], 2) == ["2.00", "1.86", "1,711.00", "n/a"]
    assert fmt.column([0.0, 1711.0, 7592.4], 0) == ["0", "1,711", "7,592"]


def _table_cells(page: str, label: str) -> list[list[str]]:
    text = (BOOK / page).read_text(encoding="utf-8")
    start = text.index(f'id="{label}"')
    table = text[start : text.index("</table>", start)]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)
        ]
        for row in rows
    ]


def _column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


def test_built_income_table_sets_w_as_whole_numbers_with_separators() -> None:
    rows = _table_cells("05-findings.html", "tbl-income-change")
    w = _column(rows, "W")
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", v) for v in w), w
    ratios = _column(rows, "Median ratio 2019/2014")
    assert all(re.fullmatch(r"\d+\.\d\d", v) for v in ratios), ratios
    medians = _column(rows, "Median 2019 (yuan)")
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})+", v) for v in medians), medians


def test_built_regression_table_uses_minus_and_fixed_decimals() -> None:
    rows = _table_cells("05-findings.html", "tbl-regression")
    b = _column(rows, "B")
    assert all(re.fullmatch(f"{MINUS}?\\d+\\.\\d{{3}}", v) for v in b), b
    assert any(v.startswith(MINUS) for v in b)
    assert not any(v.startswith("-") for row in rows for v in row)


def test_built_prose_p_values_cannot_break_in_either_edition() -> None:
    text = html.unescape((BOOK / "05-findings.html").read_text(encoding="utf-8"))
    text = text.replace("<em>p</em>", "p")  # the symbol is italic (test_stat_symbols)
    assert f"p{NBSP}={NBSP}0.026" in text  # the Kruskal-Wallis test of the formalism index
    assert not re.search(r"\bp [<=] \d", re.sub(r"<[^>]+>", "", text))
    pdf = pdf_text(BOOK / "thesis.pdf")
    assert f"{MINUS}0.32" in pdf and "-0.32" not in pdf

"""Unit tests of the pure cell parsers in analysis.parsing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis import parsing
from analysis.parsing import ParseError

FULLWIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12000", 12000.0),
        ("12,000", 12000.0),
        ("1,234,567", 1234567.0),
        ("1.2万", 12000.0),
        ("0.83万", 8300.0),
        ("1.23万元", 12300.0),
        ("１２０００", 12000.0),
        ("１２，０００", 12000.0),
        ("3500元", 3500.0),
        (" 4500 ", 4500.0),
        ("2600.5", 2600.5),
        ("-500", -500.0),  # parsed; the range rule (not the parser) rejects it
    ],
)
def test_parse_income_forms(text: str, expected: float) -> None:
    assert parsing.parse_income(text) == expected


@pytest.mark.parametrize(
    "text", ["不知道", "1,20,00", "12.000.5", "万", "约3000", "3000-4000", "1e4"]
)
def test_parse_income_rejects(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parsing.parse_income(text)
    assert "not a number of yuan" in info.value.rule


@pytest.mark.parametrize("text", ["", "   ", "(跳过)", "（跳过）", None])
def test_missing_answers_are_none(text: str | None) -> None:
    assert parsing.parse_income(text) is None
    assert parsing.parse_integer(text) is None
    assert parsing.parse_likert(text, {"同意": 4}) is None
    assert parsing.is_missing(text)


@given(st.integers(min_value=1, max_value=10**7))
def test_income_grouped_and_fullwidth_roundtrip(n: int) -> None:
    assert parsing.parse_income(f"{n:,}") == n
    assert parsing.parse_income(str(n).translate(FULLWIDTH)) == n
    assert parsing.parse_income(f"{n}元") == n


@given(st.integers(min_value=1, max_value=99999))
def test_income_wan_is_exact(hundreds: int) -> None:
    value = hundreds * 100
    text = f"{value / 10000:.4f}".rstrip("0").rstrip(".") + "万"
    assert parsing.parse_income(text) == value


def test_parse_integer_units_and_width() -> None:
    assert parsing.parse_integer("56岁", units=["岁", "周岁"]) == 56
    assert parsing.parse_integer("56周岁", units=["岁", "周岁"]) == 56
    assert parsing.parse_integer("５６") == 56
    with pytest.raises(ParseError):
        parsing.parse_integer("56.5")
    with pytest.raises(ParseError):
        parsing.parse_integer("五十六")


def test_parse_number() -> None:
    assert parsing.parse_number("2.5") == 2.5
    assert parsing.parse_number("60小时", units=["小时"]) == 60.0
    with pytest.raises(ParseError):
        parsing.parse_number("两年")


def test_parse_likert() -> None:
    options = {"非常不同意": 1, "不同意": 2, "一般": 3, "同意": 4, "非常同意": 5}
    assert parsing.parse_likert("同意", options) == 4
    assert parsing.parse_likert(" 非常同意 ", options) == 5
    assert parsing.parse_likert("3", options) == 3
    assert parsing.parse_likert("５", options) == 5
    with pytest.raises(ParseError, match="out of range"):
        parsing.parse_likert("6", options)
    with pytest.raises(ParseError, match="out of range"):
        parsing.parse_likert("0", options)
    with pytest.raises(ParseError, match="not a listed option"):
        parsing.parse_likert("很同意", options)


def test_parse_option() -> None:
    assert parsing.parse_option("男", {"男": "male", "女": "female"}) == "male"
    with pytest.raises(ParseError) as info:
        parsing.parse_option("未知", {"男": "male", "女": "female"})
    assert "男 / 女" in info.value.rule


def test_parse_multi_select() -> None:
    options = {
        "产业扶贫项目": "assist_industry",
        "小额信贷": "assist_microcredit",
        "分红": "assist_dividend",
    }
    assert parsing.split_multi_select("产业扶贫项目┋小额信贷") == ["产业扶贫项目", "小额信贷"]
    flags = parsing.parse_multi_select("产业扶贫项目┋小额信贷", options, "以上都没有")
    assert flags == {"assist_industry": True, "assist_microcredit": True, "assist_dividend": False}
    assert parsing.parse_multi_select("以上都没有", options, "以上都没有") == dict.fromkeys(
        options.values(), False
    )
    assert parsing.parse_multi_select("(跳过)", options, "以上都没有") is None
    with pytest.raises(ParseError, match="unknown option '低保'"):
        parsing.parse_multi_select("产业扶贫项目┋低保", options, "以上都没有")
    with pytest.raises(ParseError, match="combined"):
        parsing.parse_multi_select("以上都没有┋小额信贷", options, "以上都没有")
    with pytest.raises(ParseError, match="repeated"):
        parsing.parse_multi_select("小额信贷┋小额信贷", options, "以上都没有")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("312秒", 312), ("5分12秒", 312), ("1小时2分3秒", 3723), ("３１２秒", 312), ("10分钟", 600)],
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parsing.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["312", "5 minutes", "秒", "-3秒"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ParseError):
        parsing.parse_duration(text)


def test_parse_timestamp_and_flags() -> None:
    assert parsing.parse_timestamp("2019/7/15 10:23:45") == dt.datetime(2019, 7, 15, 10, 23, 45)
    with pytest.raises(ParseError):
        parsing.parse_timestamp("15.07.2019")
    assert parsing.parse_flag01("1") is True
    assert parsing.parse_flag01("0") is False
    with pytest.raises(ParseError):
        parsing.parse_flag01("2")

"""Malformed exports (tests/corpus/*.csv): exact cleaned values, or errors naming the place.

Each error case asserts that ONE listed failure names the file, the line and row id (序号 or
访谈编号), the question header and the bad value, and that the same facts appear in the error
message text. Regenerate the corpus with ``python tests/corpus/make_corpus.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis import survey
from analysis.validation import DataValidationError, SurveyDecodeError

CORPUS = Path(__file__).resolve().parent / "corpus"

EDU = "5、您的文化程度："
INC14 = "10、2014年您家人均年纯收入（元）："
INC19 = "11、2019年您家人均年纯收入（元）："
ASSIST = "12、您家享受过哪些帮扶措施？（多选）"
PREC1 = "13、贫困户的识别公平公正："


def _loader(name: str) -> Callable[..., pd.DataFrame]:
    prefix = name.split("_", 1)[0]
    return {
        "hh": survey.load_households,
        "staff": survey.load_staff,
        "interviews": survey.load_interviews,
    }[prefix]


def _load(name: str) -> pd.DataFrame:
    return _loader(name)(CORPUS / name, verify=False)


# file, line, row id, column header, bad value, fragment of the rule
ERROR_CASES = [
    ("hh_unknown_option.csv", 3, "2", EDU, "博士", "not a listed option"),
    ("hh_likert_out_of_range.csv", 4, "3", PREC1, "6", "out of range 1-5"),
    ("hh_duplicate_id.csv", 4, "2", "序号", "2", "duplicate id"),
    ("hh_income_negative.csv", 3, "2", INC14, "-500", "positive"),
    ("hh_income_absurd.csv", 4, "3", INC19, "1200000", "plausibility threshold of 100000"),
    ("hh_income_text.csv", 2, "1", INC14, "不知道", "not a number of yuan"),
    ("hh_income_bad_grouping.csv", 2, "1", INC19, "1,20,00", "not a number of yuan"),
    ("hh_multi_unknown.csv", 2, "1", ASSIST, "产业扶贫项目┋低保", "listed options"),
    ("hh_multi_none_combined.csv", 4, "3", ASSIST, "以上都没有┋小额信贷", "alone"),
    ("hh_skip_required.csv", 3, "2", "3、您的性别：", "(跳过)", "required answer missing"),
    (
        "hh_labour_gt_size.csv",
        3,
        "2",
        "7、您家有几个劳动力（16—64岁、有劳动能力）：",
        "5",
        "labour <= hh_size",
    ),
    ("hh_village_mismatch.csv", 2, "1", "2、您所在的村：", "乙镇一村", "township"),
    (
        "hh_marginal_with_cause.csv",
        3,
        "2",
        "9、您家致贫的主要原因（建档立卡户填写）：",
        "因病",
        "marginal",
    ),
    ("hh_age_out_of_range.csv", 4, "3", "4、户主年龄（周岁）：", "130", "valid range 18-95"),
    ("hh_bad_id.csv", 3, "abc", "序号", "abc", "positive whole number"),
    ("hh_bad_duration.csv", 2, "1", "所用时间", "5 minutes", "duration"),
    ("staff_unknown_role.csv", 3, "2", "1、您的岗位：", "村支书", "not a listed option"),
    ("interviews_bad_flag.csv", 3, "F01", "形式主义", "2", "0 or 1"),
    ("interviews_duplicate_id.csv", 3, "H01", "访谈编号", "H01", "duplicate id"),
]


@pytest.mark.parametrize(
    ("name", "line", "row_id", "header", "value", "rule"),
    ERROR_CASES,
    ids=[c[0] for c in ERROR_CASES],
)
def test_error_names_file_row_column_value(
    name: str, line: int, row_id: str, header: str, value: str, rule: str
) -> None:
    with pytest.raises(DataValidationError) as info:
        _load(name)
    err = info.value
    matches = [
        f
        for f in err.failures
        if f.file == name
        and f.line == line
        and f.row_id == row_id
        and f.column == header
        and f.value == value
        and rule in f.rule
    ]
    assert matches, str(err)
    id_label = "访谈编号" if name.startswith("interviews") else "序号"
    expected_text = (
        f"{name}, line {line} ({id_label} {row_id}), column '{header}', value {value!r}: "
    )
    assert expected_text in str(err)


def test_missing_column() -> None:
    with pytest.raises(DataValidationError) as info:
        _load("hh_missing_column.csv")
    assert [(f.column, f.rule) for f in info.value.failures] == [(EDU, "required column missing")]
    assert f"hh_missing_column.csv, column '{EDU}': required column missing" in str(info.value)


def test_renamed_column() -> None:
    with pytest.raises(DataValidationError) as info:
        _load("hh_renamed_column.csv")
    text = str(info.value)
    assert f"column '{EDU}': required column missing" in text
    assert "column '5、文化程度：': unexpected column" in text
    assert "renamed?" in text
    assert len(info.value.failures) == 2  # reported once, not once per row


def test_extra_column() -> None:
    with pytest.raises(DataValidationError, match=r"column '32、备注': unexpected column"):
        _load("hh_extra_column.csv")


def test_ragged_row() -> None:
    with pytest.raises(DataValidationError) as info:
        _load("hh_ragged_row.csv")
    assert "hh_ragged_row.csv, line 3 (序号 2): row has 37 fields but the header has 35" in str(
        info.value
    )


def test_bad_quoting_names_line() -> None:
    with pytest.raises(DataValidationError) as info:
        _load("hh_bad_quoting.csv")
    failure = info.value.failures[0]
    assert failure.line == 4 and "malformed CSV" in failure.rule
    assert str(info.value).startswith("1 problem(s) in hh_bad_quoting.csv:")


def test_multiple_errors_all_reported() -> None:
    with pytest.raises(DataValidationError) as info:
        _load("hh_multiple_errors.csv")
    found = {(f.row_id, f.column, f.value) for f in info.value.failures}
    assert found == {
        ("1", EDU, "博士"),
        ("1", INC19, "-1"),
        ("2", "28、干部了解我们的实际情况：", "7"),
        ("3", ASSIST, "低保"),
    }
    assert str(info.value).startswith("4 problem(s) in hh_multiple_errors.csv:")


@pytest.mark.parametrize(
    ("name", "line", "offset"),
    [
        ("hh_gbk_encoded.csv", 1, "byte offset 0"),
        ("staff_bad_bytes.csv", 3, "byte offset "),
    ],
)
def test_wrong_encoding_names_offset_and_line(name: str, line: int, offset: str) -> None:
    with pytest.raises(SurveyDecodeError) as info:
        _load(name)
    failure = info.value.failures[0]
    assert failure.line == line and offset in failure.rule
    assert f"{name}, line {line}" in str(info.value)


def test_staff_bad_bytes_offset_is_exact() -> None:
    data = (CORPUS / "staff_bad_bytes.csv").read_bytes()
    with pytest.raises(SurveyDecodeError) as info:
        _load("staff_bad_bytes.csv")
    offset = data.index(b"\xff\xfe")
    assert f"byte offset {offset}" in str(info.value)


@pytest.mark.parametrize("name", ["staff_utf8_bom.csv", "staff_utf8_nobom.csv"])
def test_staff_in_utf8_is_not_read_as_gbk(name: str) -> None:
    with pytest.raises(SurveyDecodeError, match="declared encoding is gbk but the file is UTF-8"):
        _load(name)


# ---- files that load: exact cleaned values --------------------------------------------
def test_valid_household_values() -> None:
    df = _load("hh_valid.csv")
    assert df["hh_id"].tolist() == [1, 2, 3]
    assert df["village"].tolist() == ["A1", "B2", "C1"]
    assert df["poor_village"].tolist() == [True, False, True]
    assert df["age"].tolist() == [56, 61, 47]  # '61岁' -> 61
    assert df["status"].tolist() == ["exited 2016", "marginal", "registered"]
    assert df["registered"].tolist() == [True, False, True]
    assert df["cause"].isna().tolist() == [False, True, False]
    assert df["income_2019"].tolist() == [7800.0, 5600.0, 4500.0]
    assert df.loc[0, "assist_industry"] and df.loc[0, "assist_dividend"]
    assert not df.loc[1, [c for c in df if c.startswith("assist_")]].any()  # 以上都没有
    assert df.loc[2, "assist_training"] and df.loc[2, "assist_microcredit"]
    assert df["suggestion"].tolist() == ["希望继续加大产业扶持力度", "", "没有"]


def test_missing_bom_is_harmless() -> None:
    pd.testing.assert_frame_equal(_load("hh_no_bom.csv"), _load("hh_valid.csv"))


@pytest.mark.parametrize(
    ("name", "column", "expected"),
    [
        ("hh_income_wan.csv", "income_2019", 12000.0),
        ("hh_income_comma.csv", "income_2019", 12000.0),
        ("hh_income_fullwidth.csv", "income_2019", 12000.0),
        ("hh_income_fullwidth.csv", "income_2014", 3500.0),
    ],
)
def test_income_forms(name: str, column: str, expected: float) -> None:
    df = _load(name)
    assert df.loc[0, column] == expected
    assert df.loc[1:, column].tolist() == _load("hh_valid.csv").loc[1:, column].tolist()


def test_likert_numeric_codes() -> None:
    df = _load("hh_likert_numeric_code.csv")
    assert df.loc[0, "prec_1"] == 4 and df.loc[0, "share_2"] == 5


def test_skips_become_missing() -> None:
    df = _load("hh_skips_optional.csv")
    assert df.loc[0, ["prec_2", "share_1", "satisfaction"]].isna().all()
    assert df["prec_2"].dtype == "Int64"
    assert df.loc[0, "prec_1"] == 4  # neighbours untouched
    assert df.loc[0, "suggestion"] == ""


def test_markup_free_text_is_inert() -> None:
    df = _load("hh_markup_free_text.csv")
    assert (
        df.loc[0, "suggestion"] == '<script>alert(1)</script> 表格太多, "检查"也多\n<b>希望</b>改进'
    )


def test_blank_rows_dropped_by_rule_and_counted(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="analysis.survey"):
        df = _load("hh_blank_rows.csv")
    assert df["hh_id"].tolist() == [1, 2, 3]
    excluded = df.attrs["excluded"]
    assert [(e["line"], e["id"]) for e in excluded] == [(5, None), (6, "9"), (7, None)]
    assert all(e["file"] == "hh_blank_rows.csv" and "blank row" in e["reason"] for e in excluded)
    assert len([r for r in caplog.records if "excluded line" in r.getMessage()]) == 3


def test_valid_staff_and_interviews() -> None:
    staff = _load("staff_valid.csv")
    assert staff["role"].tolist() == ["first secretary", "county office"]
    assert staff["years_in_post"].tolist() == [2.5, 4.0]
    assert staff["paperwork"].tolist() == [5, 5] and staff["enough_staff"].tolist() == [1, 1]
    assert staff["comment"].tolist() == ["表格太多，希望精简", ""]
    interviews = _load("interviews_valid.csv")
    assert interviews["interview_id"].tolist() == ["H01", "F01"]
    assert interviews["infrastructure_improved"].tolist() == [True, True]
    assert interviews["staff_capacity"].tolist() == [False, False]
    assert interviews["formalism"].tolist() == [False, True]


def test_corpus_is_complete_and_every_file_is_tested() -> None:
    files = {p.name for p in CORPUS.glob("*.csv")}
    assert len(files) >= 20
    source = Path(__file__).read_text(encoding="utf-8")
    untested = sorted(f for f in files if f'"{f}"' not in source)
    assert untested == []

"""The loaders on the committed (simulated) exports: the frames match the data contract.

Expected column lists and categories are written out here from the data contract (not read
from the codebook) so that a codebook edit that breaks the contract fails these tests. Counts
are checked against an independent read of the raw text with pandas.
"""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from analysis import codebook, survey
from analysis.paths import RAW_SURVEY
from analysis.validation import contract_schema

HOUSEHOLD_COLUMNS = (
    [
        "hh_id",
        "township",
        "village",
        "poor_village",
        "gender",
        "age",
        "education",
        "hh_size",
        "labour",
        "status",
        "registered",
        "cause",
        "income_2014",
        "income_2019",
    ]
    + [
        "assist_" + a
        for a in (
            "industry",
            "training",
            "microcredit",
            "education",
            "medical",
            "housing",
            "relocation",
            "welfare_job",
            "dividend",
            "technology",
        )
    ]
    + [f"prec_{i}" for i in range(1, 7)]
    + [f"share_{i}" for i in range(1, 6)]
    + [f"prob_{i}" for i in range(1, 7)]
    + ["satisfaction", "suggestion"]
)
STAFF_COLUMNS = [
    "staff_id",
    "role",
    "years_in_post",
    "hours_per_week",
    "households_assisted",
    "paperwork",
    "inspections",
    "assessment_fair",
    "training",
    "enough_staff",
    "measures_fit",
    "initiative",
    "comment",
]
THEMES = [
    "formalism",
    "uniform_measures",
    "uneven_assistance",
    "assessment_pressure",
    "staff_shortage",
    "staff_capacity",
    "waiting_mindset",
    "industry_sustainability",
    "infrastructure_improved",
    "social_security_improved",
]
LIKERT = [c for c in HOUSEHOLD_COLUMNS if c.startswith(("prec_", "share_", "prob_"))] + [
    "satisfaction"
]


@pytest.fixture(scope="module")
def households() -> pd.DataFrame:
    return survey.load_households()


@pytest.fixture(scope="module")
def staff() -> pd.DataFrame:
    return survey.load_staff()


@pytest.fixture(scope="module")
def interviews() -> pd.DataFrame:
    return survey.load_interviews()


@pytest.fixture(scope="module")
def raw_households() -> pd.DataFrame:
    """Independent read of the raw export (pandas, declared encoding, all text)."""
    return pd.read_csv(
        RAW_SURVEY / "households.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False
    )


def test_household_frame_contract(households: pd.DataFrame) -> None:
    assert list(households.columns) == HOUSEHOLD_COLUMNS
    assert len(households) == 320
    assert households["hh_id"].dtype == "int64" and households["hh_id"].is_unique
    for col in ("age", "hh_size", "labour"):
        assert households[col].dtype == "int64"
    for col in ("income_2014", "income_2019"):
        assert households[col].dtype == "float64"
    for col in [c for c in HOUSEHOLD_COLUMNS if c.startswith("assist_")] + [
        "poor_village",
        "registered",
    ]:
        assert households[col].dtype == bool
    for col in LIKERT:
        assert households[col].dtype == "Int64"
        assert households[col].dropna().between(1, 5).all()
    assert list(households["gender"].cat.categories) == ["male", "female"]
    assert households["education"].cat.ordered
    assert list(households["education"].cat.categories) == [
        "none",
        "primary",
        "junior secondary",
        "senior secondary",
        "college+",
    ]
    assert list(households["status"].cat.categories) == [
        "registered",
        "exited 2016",
        "exited 2017-2019",
        "marginal",
    ]
    assert set(households["cause"].cat.categories) == {
        "illness",
        "disability",
        "lack of skills",
        "lack of labour",
        "education costs",
        "lack of capital",
        "disaster",
        "other",
    }
    assert households["age"].between(18, 95).all()
    assert households["hh_size"].between(1, 12).all()
    assert (households["labour"] <= households["hh_size"]).all()
    assert (households[["income_2014", "income_2019"]] > 0).all().all()
    contract_schema(codebook.load_codebook(), "households").validate(households)


def test_household_design(households: pd.DataFrame) -> None:
    counts = households.groupby(["township", "village"]).size()
    assert len(counts) == 8 and (counts == 40).all()
    poor = households.groupby("village")["poor_village"].agg(["min", "max"])
    assert (poor["min"] == poor["max"]).all()  # constant within village
    assert poor["min"].to_dict() == {
        "A1": True,
        "A2": False,
        "B1": True,
        "B2": False,
        "C1": True,
        "C2": False,
        "D1": True,
        "D2": False,
    }
    assert (households["registered"] == (households["status"] != "marginal")).all()
    assert households["cause"].isna().equals(households["status"] == "marginal")


def test_household_values_match_raw_text(
    households: pd.DataFrame, raw_households: pd.DataFrame
) -> None:
    answered = raw_households[raw_households["3、您的性别："] != ""]
    assert len(answered) == 320
    assert (households["gender"] == "male").sum() == (answered["3、您的性别："] == "男").sum()
    assert households["hh_id"].tolist() == answered["序号"].astype(int).tolist()
    wait = answered["29、等着政府帮扶比自己干更好："]
    assert (households["prob_6"] == 5).sum() == (wait == "非常同意").sum()
    skipped = wait.isin(["(跳过)", ""]).sum()
    assert households["prob_6"].isna().sum() == skipped
    industry = answered["12、您家享受过哪些帮扶措施？（多选）"].str.contains(
        "产业扶贫项目", regex=False
    )
    assert households["assist_industry"].tolist() == industry.tolist()


def test_blank_rows_excluded_and_reported(
    caplog: pytest.LogCaptureFixture, raw_households: pd.DataFrame
) -> None:
    with caplog.at_level(logging.WARNING, logger="analysis.survey"):
        frame = survey.load_households()
    excluded = frame.attrs["excluded"]
    blank_ids = raw_households.loc[raw_households["1、您所在的乡镇："] == "", "序号"].tolist()
    assert [e["id"] for e in excluded] == blank_ids and len(blank_ids) == 2
    assert all("blank row" in e["reason"] and e["file"] == "households.csv" for e in excluded)
    assert not set(frame["hh_id"].astype(str)) & set(blank_ids)
    assert sum("excluded line" in r.getMessage() for r in caplog.records) == 2


def test_personal_data_dropped_and_text_inert(
    households: pd.DataFrame, staff: pd.DataFrame
) -> None:
    for frame in (households, staff):
        assert not any("IP" in c for c in frame.columns)
        text = frame.select_dtypes(include=["object", "string"]).astype(str)
        assert (
            not text.apply(lambda s: s.str.contains(r"\d+\.\d+\.\d+\.\d+", regex=True)).any().any()
        )
    suggestions = set(households["suggestion"])
    assert "<script>alert(1)</script>" in suggestions
    assert '希望干部少搞"材料"，多办实事' in suggestions
    assert "一是加强技能培训；\n二是壮大村集体经济" in suggestions
    assert "" in suggestions


def test_staff_frame_contract(staff: pd.DataFrame) -> None:
    assert list(staff.columns) == STAFF_COLUMNS
    assert len(staff) == 86
    assert staff["staff_id"].dtype == "int64" and staff["staff_id"].is_unique
    assert list(staff["role"].cat.categories) == [
        "first secretary",
        "township cadre",
        "county office",
    ]
    assert staff["role"].value_counts().to_dict() == {
        "township cadre": 36,
        "first secretary": 30,
        "county office": 20,
    }
    for col in ("years_in_post", "hours_per_week"):
        assert staff[col].dtype == "float64"
    assert staff["households_assisted"].dtype == "int64"
    for col in STAFF_COLUMNS[5:12]:
        assert staff[col].dtype == "Int64" and staff[col].dropna().between(1, 5).all()
    raw = pd.read_csv(RAW_SURVEY / "staff.csv", encoding="gbk", dtype=str, keep_default_na=False)
    assert (staff["role"] == "first secretary").sum() == (
        raw["1、您的岗位："] == "驻村第一书记"
    ).sum()
    assert (
        staff["hours_per_week"].tolist()
        == raw["3、您平均每周用于扶贫工作的时间（小时）："].astype(float).tolist()
    )
    contract_schema(codebook.load_codebook(), "staff").validate(staff)


def test_interviews_frame_contract(interviews: pd.DataFrame) -> None:
    assert list(interviews.columns) == ["interview_id", "role", *THEMES]
    assert interviews["role"].value_counts().to_dict() == {
        "household head": 12,
        "staff": 10,
        "first secretary": 8,
    }
    assert all(interviews[t].dtype == bool for t in THEMES)
    raw = pd.read_csv(RAW_SURVEY / "interviews.csv", encoding="utf-8", dtype=str)
    assert interviews["interview_id"].tolist() == raw["访谈编号"].tolist()
    assert interviews["formalism"].sum() == (raw["形式主义"] == "1").sum()


def test_codebook_accessors() -> None:
    cb = codebook.load_codebook()
    assert codebook.scale_items("precision") == [f"prec_{i}" for i in range(1, 7)]
    assert codebook.scale_items("sharing") == [f"share_{i}" for i in range(1, 6)]
    assert codebook.scale_items("problems") == [f"prob_{i}" for i in range(1, 7)]
    assert codebook.scale_items("formalism") == ["paperwork", "inspections"]
    assert codebook.reverse_items() == ["prob_5"]
    assert codebook.reverse_items("precision") == []
    assert cb.header("households", "education") == "5、您的文化程度："
    assert cb.header("households", "assist_dividend") == "12、您家享受过哪些帮扶措施？（多选）"
    assert cb.variables("households") == HOUSEHOLD_COLUMNS
    assert cb.variables("staff") == STAFF_COLUMNS
    with pytest.raises(KeyError, match="valid: precision"):
        cb.scale_items("nonexistent")

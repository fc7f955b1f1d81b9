"""Public indicators (analysis.public) against the stated figures in the source CSVs."""

import csv
import os
import shutil

import numpy as np
import pandas as pd
import pytest

from analysis import public


def _rows(directory, name):
    """The CSV read with the standard library: an independent reading of the file."""
    with open(directory / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_national_series_keeps_stated_values_and_gaps(public_dir):
    frame = public.national_poverty(public_dir)
    assert frame["year"].tolist() == list(range(2012, 2021))
    for row in _rows(public_dir, "national_poverty.csv"):
        got = frame[frame["year"] == int(row["year"])].iloc[0]
        assert got["source_id"] == row["source_id"]
        for column in ("rural_poor_million", "poverty_incidence_pct"):
            if row[column] == "":
                assert np.isnan(got[column])
            else:
                assert got[column] == float(row[column])
    start, end = frame.iloc[0], frame[frame["year"] == 2019].iloc[0]
    assert (start["rural_poor_million"], start["poverty_incidence_pct"]) == (98.99, 10.2)
    assert (end["rural_poor_million"], end["poverty_incidence_pct"]) == (5.51, 0.6)
    # 2013 population and 2020 incidence are not stated (README) and must not be filled in
    assert np.isnan(frame.loc[frame["year"] == 2013, "rural_poor_million"].iloc[0])
    assert np.isnan(frame.loc[frame["year"] == 2020, "poverty_incidence_pct"].iloc[0])


def test_reduction_uses_stated_figures_which_match_population_differences(public_dir):
    frame = public.poverty_reduction(public_dir).set_index("year")
    stated = {
        int(r["year"]): float(r["value"])
        for r in _rows(public_dir, "national_indicators.csv")
        if r["indicator"] == "rural_poor_reduction"
    }
    for year, reduction in stated.items():
        assert frame.at[year, "reduction_million"] == reduction
        assert not frame.at[year, "reduction_derived"]
        assert "S11" in frame.at[year, "source_id"] or "S12" in frame.at[year, "source_id"]
    # where both year-end populations are stated, the stated reduction equals their difference
    checked = 0
    for year in range(2015, 2020):
        diff = frame.at[year - 1, "poor_million"] - frame.at[year, "poor_million"]
        assert frame.at[year, "reduction_million"] == pytest.approx(diff, abs=0.005)
        checked += 1
    assert checked == 5
    # 2020: no stated reduction; derived from 5.51 -> 0 and flagged
    assert frame.at[2020, "reduction_million"] == pytest.approx(5.51)
    assert frame.at[2020, "reduction_derived"]
    assert frame["reduction_derived"].sum() == 1
    # 2013 population stays missing; 2012 has no reduction (no 2011 value in the series)
    assert np.isnan(frame.at[2013, "poor_million"])
    assert np.isnan(frame.at[2012, "reduction_million"])


def test_reduction_summary(public_dir):
    summary = public.reduction_summary(public_dir)
    assert (summary.start_year, summary.end_year) == (2012, 2020)
    assert summary.poor_start_million == 98.99
    assert summary.poor_end_million == 0.0
    # S37 states the total directly: "9899万农村贫困人口全部脱贫"
    assert summary.total_reduction_million == pytest.approx(98.99)
    assert summary.total_reduction_derived
    assert (summary.incidence_start_pct, summary.incidence_end_pct) == (10.2, 0.6)
    assert summary.incidence_end_year == 2019


def test_regional_poor_matches_stated_rows(public_dir):
    frame = public.regional_poor(public_dir)
    stated = [
        r
        for r in _rows(public_dir, "national_indicators.csv")
        if r["indicator"] in ("rural_poor_east", "rural_poor_central", "rural_poor_west")
    ]
    assert len(frame) == len(stated) == 13
    row = frame[(frame["year"] == 2016) & (frame["region"] == "central")].iloc[0]
    assert (row["poor_million"], row["source_id"]) == (15.94, "S05a")
    # 2016-2019 regional figures add up to the national total (to rounding)
    national = public.national_poverty(public_dir).set_index("year")["rural_poor_million"]
    for year in (2016, 2017, 2018, 2019):
        total = frame.loc[frame["year"] == year, "poor_million"].sum()
        assert total == pytest.approx(national[year], abs=0.02)


def test_poor_area_income(public_dir):
    frame = public.poor_area_income(public_dir)
    assert frame["year"].tolist() == [2016, 2017, 2018, 2019, 2020]
    assert frame["income_yuan"].tolist() == [8452, 9377, 10371, 11567, 12588]
    assert np.isnan(frame["real_growth_pct"].iloc[0])
    assert frame["real_growth_pct"].iloc[1:].tolist() == [9.1, 8.3, 8.0, 5.6]
    assert frame["source_id"].iloc[3] == "S13"


def test_value_lookup_and_errors(public_dir):
    assert public.value("lankao", "rural_per_capita_disposable_income", 2016, public_dir) == 9943
    assert public.value("henan", "poverty_incidence", 2013, public_dir) == 8.79
    with pytest.raises(KeyError, match="ambiguous"):
        public.value("lankao", "poverty_incidence", 2014, public_dir)  # 11.8 and 10.2
    with pytest.raises(KeyError, match="indicator='nope'"):
        public.value("national", "nope", data_dir=public_dir)
    with pytest.raises(ValueError, match="not a number"):
        public.value("henan", "poverty_incidence_NBS_survey_band", 2016, public_dir)  # "3-5"
    with pytest.raises(ValueError, match="table must be one of"):
        public.indicators("beijing", public_dir)


def test_indicators_keep_text_and_flag_lower_bounds(public_dir):
    lankao = public.indicators("lankao", public_dir)
    assert len(lankao) == len(_rows(public_dir, "lankao_indicators.csv"))
    exit_date = lankao[lankao["indicator"] == "exit_approved_by_Henan_provincial_government"]
    assert exit_date["value_text"].iloc[0] == "2017-02-27"
    assert np.isnan(exit_date["value"].iloc[0])
    recognition = lankao[lankao["indicator"] == "public_recognition_rate_provincial_verification"]
    assert recognition["lower_bound"].iloc[0]
    assert lankao["year"].isna().sum() == 6  # the rows whose source gives no year


def test_source_labels(public_dir):
    assert public.source_label("S18", public_dir) == "Xinhua, 2017-03-28"
    assert public.source_label("S18;S17b", public_dir) == ("Xinhua, 2017-03-28; CGTN, 2017-03-28")
    with pytest.raises(KeyError, match="S99"):
        public.source_label("S99", public_dir)
    table = public.sources(public_dir)
    assert len(table) == len(_rows(public_dir, "sources.csv"))


def test_lankao_facts_carry_sources(public_dir):
    facts = public.lankao_facts(public_dir)
    baseline = facts[(facts["indicator"] == "poverty_incidence") & (facts["value"] == "11.8")]
    assert baseline["source_id"].tolist() == ["S18"]
    at_exit = facts[facts["indicator"] == "poverty_incidence_national_assessment_end2016"]
    assert at_exit["value_num"].tolist() == [1.27]
    assert at_exit["source_id"].iloc[0].split(";")[0] == "S18"
    assert at_exit["source"].iloc[0].startswith("Xinhua, 2017-03-28")


def test_discrepancies_list_every_competing_figure(public_dir):
    frame = public.lankao_discrepancies(public_dir)
    by_quantity = frame.groupby("quantity")["value"].apply(set).to_dict()
    assert by_quantity["poverty incidence 2014 (%)"] == {"11.8", "10.2"}
    assert by_quantity["registered poor population 2014 (persons)"] == {
        "72100",
        "77000",
        "77350",
        "79000",
    }
    assert by_quantity["poverty incidence at exit, end 2016 (%)"] == {"1.27", "0.46"}
    assert by_quantity["exit date"] == {"2017-02-27", "2017-03-27"}
    assert by_quantity["people lifted out of poverty 2015 (persons)"] == {"47000", "37556"}
    assert (frame["source"] != "").all()


def test_exit_criteria_use_stated_values_only(public_dir):
    check = public.exit_criteria_check(public_dir)
    assert set(check["criterion"]) == {
        "poverty incidence (central China)",
        "misclassified-exit rate",
        "omission rate",
        "public recognition",
    }
    incidence = check[check["criterion"] == "poverty incidence (central China)"]
    assert sorted(incidence["lankao_value"]) == [0.46, 1.27]
    assert (incidence["threshold_pct"] == 2).all() and (incidence["met"] == "yes").all()
    assert set(incidence["source_id"]) == {"S21", "S18;S17b;S19"}
    recognition = check[check["criterion"] == "public recognition"].iloc[0]
    assert recognition["threshold"] == "> 90%"
    assert recognition["lankao_value"] == 98.5 and recognition["lankao_lower_bound"]
    assert recognition["source_id"] == "S21" and recognition["met"] == "yes"
    for criterion in ("misclassified-exit rate", "omission rate"):
        row = check[check["criterion"] == criterion]
        assert len(row) == 1
        assert row["met"].iloc[0] == public.NOT_REPORTED
        assert np.isnan(row["lankao_value"].iloc[0])


def _copy(public_dir, tmp_path):
    target = tmp_path / "public"
    shutil.copytree(public_dir, target)
    return target


def test_bad_year_is_reported_with_file_row_and_column(public_dir, tmp_path):
    target = _copy(public_dir, tmp_path)
    path = target / "national_poverty.csv"
    path.chmod(0o644)
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace("2014", "20l4")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"national_poverty.csv, row 4, column 'year'"):
        public.national_poverty(target)


def test_unknown_source_id_is_reported(public_dir, tmp_path):
    target = _copy(public_dir, tmp_path)
    path = target / "henan_poverty.csv"
    path.chmod(0o644)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "source_id"] = "H99"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"henan_poverty.csv, row 3, column 'source_id'.*H99"):
        public.indicators("henan", target)


def test_tables_read_again_follow_an_edited_file_and_are_the_callers_own(public_dir, tmp_path):
    """Tables are parsed once per file content: an edit is seen at once (even one that keeps
    the file's size and time), and changing a returned frame does not change the next one."""
    target = _copy(public_dir, tmp_path)
    path = target / "lankao_indicators.csv"
    path.chmod(0o644)
    first = public.indicators("lankao", target)
    first.loc[0, "value_text"] = "changed by the caller"
    assert public.indicators("lankao", target).loc[0, "value_text"] != "changed by the caller"
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    name = text.splitlines()[1].split(",")[0]
    path.write_text(text.replace(name, name[::-1], 1), encoding="utf-8")  # same length
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert public.indicators("lankao", target)["indicator"].iloc[0] == name[::-1]


def test_stating_ids_follow_an_edited_source_quote(public_dir, tmp_path):
    target = _copy(public_dir, tmp_path)
    row = public.lankao_facts(target).iloc[0]
    stated_by = public.stating_ids(row["source_id"], row["value"], row["unit"], target)
    assert stated_by
    path = target / "sources.csv"
    path.chmod(0o644)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame["source_id"].isin(stated_by.split(";")), ["quote", "title"]] = "nothing"
    frame.to_csv(path, index=False)
    assert public.stating_ids(row["source_id"], row["value"], row["unit"], target) == ""

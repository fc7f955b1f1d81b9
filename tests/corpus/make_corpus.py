"""Write the malformed-export corpus used by ``tests/test_bad_input.py``.

Each file is a small export (a header and two to four rows) with ONE kind of defect (or, for
``hh_multiple_errors.csv``, several), built from three hand-written valid households, two staff
rows and two interviews. Headers come from ``data/codebook.yaml``. The files are committed;
rerun this script only when the codebook's headers change::

    python tests/corpus/make_corpus.py
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CODEBOOK = HERE.parents[1] / "data" / "codebook.yaml"

LIKERT_OK = ["同意", "一般", "非常同意", "同意", "不同意", "同意"]


def _households() -> list[dict[str, str]]:
    """Three valid household rows keyed by variable (metadata keyed by kind)."""
    common = {
        "timestamp": "2019/7/15 10:23:45",
        "duration": "312秒",
        "ip": "192.0.2.10(河南-开封)",
    }
    rows = [
        {
            "id": "1",
            "township": "甲乡",
            "village": "甲乡一村",
            "gender": "男",
            "age": "56",
            "education": "小学",
            "hh_size": "4",
            "labour": "2",
            "status": "2016年脱贫",
            "cause": "因病",
            "income_2014": "2600",
            "income_2019": "7800",
            "assist": "产业扶贫项目┋资产收益分红",
            "suggestion": "希望继续加大产业扶持力度",
        },
        {
            "id": "2",
            "township": "乙镇",
            "village": "乙镇二村",
            "gender": "女",
            "age": "61岁",
            "education": "未上过学",
            "hh_size": "2",
            "labour": "1",
            "status": "非建档立卡户（边缘户）",
            "cause": "(跳过)",
            "income_2014": "4100",
            "income_2019": "5600",
            "assist": "以上都没有",
            "suggestion": "",
        },
        {
            "id": "3",
            "township": "丙镇",
            "village": "丙镇一村",
            "gender": "男",
            "age": "47",
            "education": "初中",
            "hh_size": "5",
            "labour": "3",
            "status": "建档立卡贫困户（未脱贫）",
            "cause": "缺技术",
            "income_2014": "2300",
            "income_2019": "4500",
            "assist": "就业和技能培训┋小额信贷",
            "suggestion": "没有",
        },
    ]
    for row in rows:
        row.update(common)
        for k, item in enumerate(
            [f"prec_{j}" for j in range(1, 7)]
            + [f"share_{j}" for j in range(1, 6)]
            + [f"prob_{j}" for j in range(1, 7)]
        ):
            row[item] = LIKERT_OK[k % len(LIKERT_OK)]
        row["satisfaction"] = "满意"
    return rows


def _staff() -> list[dict[str, str]]:
    base = {"timestamp": "2019/8/2 09:10:11", "duration": "205秒", "ip": "198.51.100.7(河南-开封)"}
    rows = [
        {
            "id": "1",
            "role": "驻村第一书记",
            "years_in_post": "2.5",
            "hours_per_week": "60",
            "households_assisted": "45",
            "comment": "表格太多，希望精简",
        },
        {
            "id": "2",
            "role": "县扶贫办工作人员",
            "years_in_post": "4",
            "hours_per_week": "42",
            "households_assisted": "10",
            "comment": "",
        },
    ]
    for row in rows:
        row.update(base)
        for var, text in zip(
            [
                "paperwork",
                "inspections",
                "assessment_fair",
                "training",
                "enough_staff",
                "measures_fit",
                "initiative",
            ],
            ["非常同意", "同意", "一般", "不同意", "非常不同意", "一般", "同意"],
            strict=True,
        ):
            row[var] = text
    return rows


def _interviews() -> list[dict[str, str]]:
    themes = [
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
    first = {"id": "H01", "role": "户主", **{t: "0" for t in themes}}
    first["infrastructure_improved"] = "1"
    second = {"id": "F01", "role": "驻村第一书记", **{t: "1" for t in themes}}
    second["staff_capacity"] = "0"
    return [first, second]


def _key(col: dict) -> str:
    if col["kind"] == "multi_select":
        return "assist"
    return col["kind"] if col["kind"] in ("id", "timestamp", "duration", "ip") else col["var"]


def _render(headers: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buf.getvalue()


def build() -> dict[str, bytes]:
    """All corpus files as name -> bytes."""
    with open(CODEBOOK, encoding="utf-8") as fh:
        cb = yaml.safe_load(fh)
    files: dict[str, bytes] = {}

    def table(file: str, rows: list[dict[str, str]]) -> tuple[list[str], list[list[str]]]:
        cols = cb["files"][file]["columns"]
        return [c["header"] for c in cols], [[r[_key(c)] for c in cols] for r in rows]

    def hh(name: str, rows=None, headers=None, encoding="utf-8-sig", extra: str = "") -> None:
        h, body = table("households", rows if rows is not None else _households())
        text = _render(headers or h, body) + extra
        files[name] = text.encode(encoding)

    def edit(row: int, **changes: str) -> list[dict[str, str]]:
        rows = _households()
        rows[row].update(changes)
        return rows

    header_of = {c.get("var") or _key(c): c["header"] for c in cb["files"]["households"]["columns"]}

    hh("hh_valid.csv")
    hh("hh_no_bom.csv", encoding="utf-8")
    hh("hh_gbk_encoded.csv", encoding="gbk")
    h, _ = table("households", _households())
    rows = _households()
    cols = cb["files"]["households"]["columns"]
    drop = [c["header"] for c in cols].index(header_of["education"])
    body = [[r[_key(c)] for c in cols] for r in rows]
    files["hh_missing_column.csv"] = _render(
        [x for i, x in enumerate(h) if i != drop],
        [[x for i, x in enumerate(r) if i != drop] for r in body],
    ).encode("utf-8-sig")
    renamed = list(h)
    renamed[drop] = "5、文化程度："
    hh("hh_renamed_column.csv", headers=renamed)
    files["hh_extra_column.csv"] = _render([*h, "32、备注"], [[*r, "x"] for r in body]).encode(
        "utf-8-sig"
    )
    hh("hh_unknown_option.csv", edit(1, education="博士"))
    hh("hh_likert_out_of_range.csv", edit(2, prec_1="6"))
    hh("hh_likert_numeric_code.csv", edit(0, prec_1="4", share_2="５"))
    dup = _households()
    dup[2]["id"] = "2"
    hh("hh_duplicate_id.csv", dup)
    hh(
        "hh_blank_rows.csv",
        extra=",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\r\n"
        + "9,2019/7/16 08:00:01,12秒,192.0.2.99(河南-开封)"
        + ",(跳过)" * 31
        + "\r\n\r\n",
    )
    hh("hh_income_wan.csv", edit(0, income_2019="1.2万"))
    hh("hh_income_comma.csv", edit(0, income_2019="12,000"))
    hh("hh_income_fullwidth.csv", edit(0, income_2019="１２０００", income_2014="3500元"))
    hh("hh_income_negative.csv", edit(1, income_2014="-500"))
    hh("hh_income_absurd.csv", edit(2, income_2019="1200000"))
    hh("hh_income_text.csv", edit(0, income_2014="不知道"))
    hh("hh_income_bad_grouping.csv", edit(0, income_2019="1,20,00"))
    hh("hh_multi_unknown.csv", edit(0, assist="产业扶贫项目┋低保"))
    hh("hh_multi_none_combined.csv", edit(2, assist="以上都没有┋小额信贷"))
    hh(
        "hh_markup_free_text.csv",
        edit(0, suggestion='<script>alert(1)</script> 表格太多, "检查"也多\n<b>希望</b>改进'),
    )
    hh("hh_skip_required.csv", edit(1, gender="(跳过)"))
    hh(
        "hh_skips_optional.csv",
        edit(0, prec_2="(跳过)", share_1="", satisfaction="（跳过）", suggestion="(跳过)"),
    )
    hh("hh_labour_gt_size.csv", edit(1, labour="5"))
    hh("hh_village_mismatch.csv", edit(0, village="乙镇一村"))
    hh("hh_marginal_with_cause.csv", edit(1, cause="因病"))
    hh("hh_age_out_of_range.csv", edit(2, age="130"))
    hh("hh_bad_id.csv", edit(1, id="abc"))
    hh("hh_bad_duration.csv", edit(0, duration="5 minutes"))
    ragged = _render(h, body[:1]) + "2," + ",".join(body[1][1:]) + ",多余的,逗号\r\n"
    files["hh_ragged_row.csv"] = ragged.encode("utf-8-sig")
    quoted = _render(h, body[:2]) + '3,"2019/7/15 10:23:45"x,' + ",".join(body[2][2:]) + "\r\n"
    files["hh_bad_quoting.csv"] = quoted.encode("utf-8-sig")
    multi = _households()
    multi[0].update(education="博士", income_2019="-1")
    multi[1].update(prob_5="7")
    multi[2].update(assist="低保")
    hh("hh_multiple_errors.csv", multi)

    def staff(name: str, rows=None, encoding="gbk", raw_bytes: bytes | None = None) -> None:
        h, body = table("staff", rows if rows is not None else _staff())
        files[name] = raw_bytes if raw_bytes is not None else _render(h, body).encode(encoding)

    staff("staff_valid.csv")
    staff("staff_utf8_bom.csv", encoding="utf-8-sig")
    staff("staff_utf8_nobom.csv", encoding="utf-8")
    good = _render(*table("staff", _staff())).encode("gbk")
    lines = good.split(b"\r\n")
    lines[2] = lines[2] + b"\xff\xfe"  # bytes that are not GBK, at the end of line 3
    staff("staff_bad_bytes.csv", raw_bytes=b"\r\n".join(lines))
    bad_role = _staff()
    bad_role[1]["role"] = "村支书"
    staff("staff_unknown_role.csv", bad_role)

    def interviews(name: str, rows) -> None:
        files[name] = _render(*table("interviews", rows)).encode("utf-8")

    interviews("interviews_valid.csv", _interviews())
    bad = _interviews()
    bad[1]["formalism"] = "2"
    interviews("interviews_bad_flag.csv", bad)
    dup_i = _interviews()
    dup_i[1]["id"] = "H01"
    interviews("interviews_duplicate_id.csv", dup_i)
    return files


def main() -> None:
    """Write every corpus file next to this script."""
    for name, data in build().items():
        (HERE / name).write_bytes(data)
        print(name)


if __name__ == "__main__":
    main()

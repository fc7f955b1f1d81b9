"""Audit of every public (non-survey) figure the built thesis shows (issue 13).

Each figure shown in chapter 3's prose and captions, in its three public-data tables, and in the
public figures of the introduction, the conclusion and the preface must be a value of a row of
``data/raw/public/`` at least one of whose sources *states* it in its quoted text; a figure in
a table must be stated by every source id printed beside it. The data are read here with the
``csv`` module, independently of ``analysis.public``.

Conversions allowed when a quote "states" a value (nothing else counts):

- digits with or without thousands commas (``2,300`` = ``2300``);
- Chinese units: ``万``/``萬`` x 10^4, ``亿``/``億`` x 10^8, English ``million`` x 10^6; the
  Chinese numerals ``十多万``/``十多萬`` (= 100,000, a lower bound) and ``一亿``/``一億``;
- a value in "million persons" may be quoted in persons (``1650万人`` = 16.50 million);
- a date ``YYYY-MM-DD`` as ``M月D日`` (or ``D日`` after another date of the same month) or
  ``<Month> D``; a band ``a-b`` as ``a%~b%``;
- a year-end population of 0 as "all lifted out of poverty" (``全部实现脱贫``/``全部脱贫``);
- the source's title counts as quoted text (S09's title states the 2018 reduction).

A figure shown in the prose is matched to rows after undoing the thesis's formatting (``6.98
million`` = 6,980,000, ``100 million yuan`` = 10^8) within half a unit of its last printed digit.
Numbers that are not public figures are skipped only by a rule stated below (years, day numbers
of dates, cross-reference numbers); numbers derived from public figures are listed in
``DERIVED`` and recomputed here from the rows.
"""

from __future__ import annotations

import csv
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = ROOT / "data" / "raw" / "public"
BOOK = ROOT / "_book"

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
CHINESE_NUMERALS = {"十多万": 1e5, "十多萬": 1e5, "一亿": 1e8, "一億": 1e8}
ALL_LIFTED = ("全部实现脱贫", "全部脱贫")


# --------------------------------------------------------------------------------------------
# the public data, read independently
# --------------------------------------------------------------------------------------------


@cache
def sources() -> dict[str, dict[str, str]]:
    with (PUBLIC / "sources.csv").open(encoding="utf-8") as handle:
        return {row["source_id"]: row for row in csv.DictReader(handle)}


@cache
def rows() -> list[dict[str, str]]:
    """Every stated value: ``file, indicator, year, value, unit, source_id``."""
    out = []
    for name in ("national_indicators.csv", "henan_poverty.csv", "lankao_indicators.csv"):
        with (PUBLIC / name).open(encoding="utf-8") as handle:
            out += [dict(row, file=name) for row in csv.DictReader(handle)]
    with (PUBLIC / "national_poverty.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for column, unit in (
                ("rural_poor_million", "million persons"),
                ("poverty_incidence_pct", "%"),
            ):
                if row[column]:
                    out.append(
                        {
                            "file": "national_poverty.csv",
                            "indicator": column,
                            "year": row["year"],
                            "value": row[column],
                            "unit": unit,
                            "source_id": row["source_id"],
                        }
                    )
    return out


def numbers_in(text: str) -> set[float]:
    """Every number a quote states, with its Chinese or English unit applied and without."""
    found: set[float] = set()
    for match in re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s*(万|萬|亿|億|[Mm]illion)?", text):
        number = float(match.group(1).replace(",", ""))
        unit = match.group(2)
        scale = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}.get(unit, 1e6 if unit else 1.0)
        found |= {number, round(number * scale, 6)}
    found |= {v for word, v in CHINESE_NUMERALS.items() if word in text}
    return found


def states(source_id: str, value: str, unit: str) -> bool:
    """Whether the quoted text (quote or title) of ``source_id`` states ``value``."""
    record = sources()[source_id]
    text = record["quote"] + " " + record["title"]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        _, month, day = map(int, value.split("-"))
        return bool(re.search(rf"(?<!\d){day}日", text)) or f"{MONTHS[month - 1]} {day}" in text
    if re.fullmatch(r"\d+-\d+", value):
        low, high = value.split("-")
        return bool(re.search(rf"{low}%?\s*[~～-]\s*{high}%", text))
    number = float(value)
    if number == 0:
        return any(phrase in text for phrase in ALL_LIFTED)
    candidates = {number, round(number * 1e6, 6)} if unit.startswith("million") else {number}
    return any(abs(c - n) < 1e-9 for c in candidates for n in numbers_in(text))


def stated_rows() -> list[dict[str, str]]:
    """The rows at least one of whose sources states the value."""
    return [
        r
        for r in rows()
        if any(states(s, r["value"], r["unit"]) for s in r["source_id"].split(";"))
    ]


# --------------------------------------------------------------------------------------------
# the built edition
# --------------------------------------------------------------------------------------------


@cache
def page(name: str) -> BeautifulSoup:
    path = BOOK / f"{name}.html"
    if not path.is_file():
        pytest.skip("build the book first (_book/ missing)")
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main")
    for tag in main.select("details.provenance, nav, script, style, .csl-bib-body"):
        tag.decompose()
    return main


def table_rows(chapter: str, label: str) -> list[dict[str, str]]:
    table = page(chapter).find(id=label)
    assert table is not None, f"{label} not found in {chapter}.html"
    head = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")]
    return [
        dict(zip(head, (td.get_text(" ", strip=True) for td in tr.find_all("td")), strict=True))
        for tr in table.find("tbody").find_all("tr")
    ]


def shown_number(token: str, after: str) -> tuple[float, float, bool]:
    """A printed number as (value, tolerance, is_percent), its formatting undone."""
    text = token.rstrip("%")
    decimals = len(text.split(".")[1]) if "." in text else 0
    number, tolerance = float(text.replace(",", "")), 0.5 * 10**-decimals
    if re.match(r"\s*million", after):
        number, tolerance = number * 1e6, tolerance * 1e6
    return number, tolerance + 1e-9, token.endswith("%")


def matches(number: float, tolerance: float, candidates: list[dict[str, str]]) -> list[dict]:
    found = []
    for row in candidates:
        try:
            value = float(row["value"])
        except ValueError:
            continue
        scaled = [value, value * 1e6] if row["unit"].startswith("million") else [value]
        if any(abs(v - number) <= tolerance for v in scaled):
            found.append(row)
    return found


# --------------------------------------------------------------------------------------------
# the conversion rules themselves
# --------------------------------------------------------------------------------------------


def test_the_conversions_recognise_stated_values_and_reject_others():
    assert states("H01", "6980000", "persons")  # 698萬
    assert states("S11", "16.50", "million persons")  # 1650萬人
    assert states("S25", "100000000", "yuan (lower bound)")  # 超過一億元
    assert states("S32", "2017-02-24", "date") and states("S18c", "2017-03-27", "date")
    assert states("S14", "0", "million persons")  # 全部实现脱贫
    assert states("S05c", "3-5", "% (NBS survey band)")
    assert not states("H01", "3", "rank among provinces")  # the quote gives no rank
    assert not states("S31", "28", "counties")
    assert not states("S17", "2017-03-27", "date")


# --------------------------------------------------------------------------------------------
# tables
# --------------------------------------------------------------------------------------------


def _ids(cell: str) -> list[str]:
    match = re.search(r"\[([^\]]+)\]\s*$", cell)
    assert match, f"no source ids in {cell!r}"
    return [s.strip() for s in match.group(1).split(",")]


def test_every_figure_of_table_3_1_is_stated_by_each_source_printed_beside_it():
    lankao = [r for r in rows() if r["file"] == "lankao_indicators.csv"]
    shown = table_rows("03-lankao", "tbl-lankao-facts")
    assert len(shown) == len(lankao)
    for row, cell in zip(lankao, shown, strict=True):
        readable = row["indicator"].replace("_", " ")
        assert cell["Indicator"].lower() == readable.lower(), (cell, row)
        assert cell["Year"] == row["year"], (cell, row)
        value = cell["Value"].removeprefix("more than ").replace(",", "")
        assert value == row["value"], (cell, row)
        assert cell["Value"].startswith("more than ") == ("lower bound" in row["unit"])
        printed = _ids(cell["Source"])
        assert set(printed) <= set(row["source_id"].split(";")), (cell, row)
        for source_id in printed:
            assert states(source_id, row["value"], row["unit"]), (
                f"Table 3.1, {readable} {row['year']}: {source_id}'s quote does not state "
                f"{row['value']}"
            )


@pytest.mark.parametrize(
    ("label", "column"),
    [("lankao-facts", "Source"), ("national-poverty", "Sources"), ("exit-criteria", "Source")],
)
def test_each_public_table_note_explains_every_source_id_the_table_prints(label, column):
    note = page("03-lankao").find(id=f"{label}-sources")
    assert note is not None, f"tbl-{label} has no note explaining its source ids"
    text = note.get_text(" ", strip=True).replace("\u2019", "'")  # smart apostrophes
    for cell in table_rows("03-lankao", f"tbl-{label}"):
        printed = cell[column]
        if printed == "not reported":
            continue
        ids = _ids(printed) if "[" in printed else [s.strip() for s in printed.split(",")]
        assert ids
        for source_id in ids:
            record = sources()[source_id]
            assert source_id in text
            assert record["url"] in text, f"{source_id}'s URL missing from the note"
            outlet = re.split(r" \(|, ", record["publisher"])[0]
            assert outlet in text, f"{source_id}'s publisher missing from the note"


def test_every_figure_of_the_national_poverty_table_is_stated_or_derived():
    poverty = {
        int(r["year"]): r
        for r in csv.DictReader((PUBLIC / "national_poverty.csv").open(encoding="utf-8"))
    }
    for cell in table_rows("03-lankao", "tbl-national-poverty"):
        year, ids = int(cell["Year"]), [s.strip() for s in cell["Sources"].split(",")]
        for column, unit in (
            ("Rural poor, year-end (million)", "million persons"),
            ("Reduction during year (million)", "million persons"),
            ("Poverty incidence (%)", "%"),
        ):
            text = cell[column]
            if text == "not stated":
                continue
            if text.endswith("(derived)"):
                before, now = poverty[year - 1], poverty[year]
                derived = float(before["rural_poor_million"]) - float(now["rural_poor_million"])
                assert float(text.split()[0]) == pytest.approx(derived, abs=0.005)
                continue
            assert any(states(s, text, unit) or states(s, str(float(text)), unit) for s in ids), (
                f"{year} {column} {text}: stated by none of {ids}"
            )


def test_every_lankao_value_of_the_exit_criteria_table_is_stated_by_its_source():
    lankao = [r for r in rows() if r["file"] == "lankao_indicators.csv"]
    for cell in table_rows("03-lankao", "tbl-exit-criteria"):
        if cell["Source"] == "not reported":
            assert cell["Lankao"] == "not reported"
            continue
        number = float(re.search(r"[\d.]+", cell["Lankao"]).group())
        found = [r for r in matches(number, 1e-9, lankao) if r["unit"].startswith("%")]
        assert found, cell
        for source_id in (s.strip() for s in cell["Source"].split(",")):
            assert any(states(source_id, r["value"], r["unit"]) for r in found), (
                f"exit criteria, {cell['Criterion']}: {source_id} does not state {number}"
            )


# --------------------------------------------------------------------------------------------
# prose and captions
# --------------------------------------------------------------------------------------------


def _derived() -> dict[str, float]:
    """Numbers chapter 3 derives from stated figures, recomputed here from the rows."""

    def one(indicator: str, source_id: str | None = None, year: str | None = None) -> float:
        found = [
            r
            for r in rows()
            if r["indicator"] == indicator
            and (source_id is None or r["source_id"] == source_id)
            and (year is None or r["year"] == year)
        ]
        assert len(found) == 1, (indicator, source_id, found)
        return float(found[0]["value"])

    rural = one("rural_population")
    registered = [
        float(r["value"]) for r in rows() if r["indicator"] == "poor_population_registered"
    ]
    return {
        # share of the population counted as rural
        "rural share (%)": 100 * rural / one("total_population"),
        # spread of the four registered counts
        "registered spread": max(registered) - min(registered),
        # the registered counts as a share of the rural population
        "implied incidence, lowest (%)": 100 * min(registered) / rural,
        "implied incidence, highest (%)": 100 * max(registered) / rural,
        # the poor population Xinhua's 11.8% would imply (to the hundred)
        "implied poor at 11.8%": round(one("poverty_incidence", "S18") / 100 * rural, -2),
    }


YEAR = re.compile(r"^(19|20)\d{2}$")
DAY_OF_DATE = re.compile(rf"^\s*(?:{'|'.join(MONTHS)})\b")
NOT_FIGURES = (
    # patterns removed before the scan, each a kind of number that is no public figure
    re.compile(r"\b\d{4}-\d{2}(?:-\d{2})?\b"),  # ISO dates of the source labels
    re.compile(r"\b(?:Figure|Table|Section|Chapter|Appendix)[ \xa0][A-Z\d]+(?:\.\d+)*"),  # labels
    re.compile(r"at the age of 42"),  # Jiao Yulu's age at death, from a cited biography
)


def _prose_numbers(chapter: str) -> list[tuple[str, str, str]]:
    """(number, the text after it, its paragraph) for each number in prose and captions."""
    main = page(chapter)
    found = []
    for block in main.find_all(["p", "li", "figcaption"]):
        if block.find_parent(class_="table-note"):
            continue  # the source lists of the tables (ids, titles, URLs), checked above
        nested = block.find_parent("li") is not None and block.name == "p"
        if nested or block.find_parent(["table", "figcaption"]):
            continue
        for link in block.find_all("a"):
            if isinstance(link, Tag) and link.get("href", "").startswith(("#", "0", "1", "a-")):
                link.replace_with(" ")  # cross-references: "Figure 3.2", "Section 5.3"
        text = block.get_text(" ")
        for pattern in NOT_FIGURES:
            text = pattern.sub(" ", text)
        for match in re.finditer(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?%?(?![\w])", text):
            token = match.group().rstrip(",")
            found.append((token, text[match.end() : match.end() + 30], text))
    return found


def test_every_public_figure_in_chapter_3_is_stated_by_a_source():
    stated = stated_rows()
    derived = list(_derived().values())
    unexplained = []
    for token, after, _context in _prose_numbers("03-lankao"):
        if YEAR.match(token) or DAY_OF_DATE.match(after):
            continue
        number, tolerance, _ = shown_number(token, after)
        if matches(number, tolerance, stated):
            continue
        if any(abs(d - number) <= tolerance for d in derived):
            continue
        unexplained.append(f"{token} ({after.strip()[:25]!r})")
    assert not unexplained, "numbers in chapter 3 no stated source gives: " + "; ".join(unexplained)


VALUE_CALL = re.compile(r'public\.value\("(\w+)", "(\w+)"(?:, (\d{4}))?\)')
FILES = {
    "national": "national_indicators.csv",
    "henan": "henan_poverty.csv",
    "lankao": "lankao_indicators.csv",
}


@pytest.mark.parametrize("chapter", ["01-introduction", "03-lankao"])
def test_every_public_value_call_shown_reads_a_row_its_source_states(chapter: str):
    """Each inline ``public.value(table, indicator, year)`` of the page names a stated row."""
    import json

    provenance = json.loads((BOOK / "provenance.json").read_text(encoding="utf-8"))
    entry = next(c for c in provenance["chapters"] if c["source"].endswith(f"{chapter}.qmd"))
    calls = [
        (m.groups(), item["code"])
        for item in entry["items"]
        for m in VALUE_CALL.finditer(item["code"])
    ]
    assert calls, f"{chapter}: no public.value call found"
    for (table, indicator, year), code in calls:
        found = [
            r
            for r in rows()
            if r["file"] == FILES[table]
            and r["indicator"] == indicator
            and (year is None or r["year"] == year)
        ]
        assert len(found) == 1, (chapter, code)
        row = found[0]
        assert any(states(s, row["value"], row["unit"]) for s in row["source_id"].split(";")), (
            f"{chapter}: {code} shows {row['value']}, which no quote of {row['source_id']} states"
        )


@pytest.mark.parametrize("chapter", ["index", "01-introduction", "07-conclusion"])
def test_public_figures_outside_chapter_3_are_stated_by_a_source(chapter: str):
    """The inline values these chapters compute from public data, found in the page."""
    import json

    provenance = json.loads((BOOK / "provenance.json").read_text(encoding="utf-8"))
    entry = next(c for c in provenance["chapters"] if c["source"].endswith(f"{chapter}.qmd"))
    public_names = (
        "public.",
        "nat.",
        "nat[",
        "reduction.",
        "lankao_2014",
        "incidence_exit",
        "exit_threshold",
    )
    items = [
        i
        for i in entry["items"]
        if i["kind"] == "value" and any(n in i["code"] for n in public_names)
    ]
    assert items, f"{chapter}: no public figure found"
    text = page(chapter).get_text(" ")
    stated = stated_rows()
    for item in items:
        shown = item["value"]
        assert shown in text, (chapter, item["code"], shown)
        token = re.search(r"\d[\d,]*(?:\.\d+)?%?", shown).group()
        if YEAR.match(token):
            continue
        after = " million" if "1e6" in item["code"] or "million" in item["code"] else ""
        number, tolerance, _ = shown_number(token, after)
        assert matches(number, tolerance, stated), (
            f"{chapter}: {item['code']} = {shown} is stated by no source"
        )


def test_the_pdf_prints_the_same_public_figures_as_the_html():
    pdf = BOOK / "thesis.pdf"
    if not pdf.is_file():
        pytest.skip("build the book first")
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    text = re.sub(r"\s+", " ", text)
    for token, after, _ in _prose_numbers("03-lankao"):
        if not YEAR.match(token):
            assert token in text, f"chapter 3's {token} ({after[:20]!r}) missing from the PDF"
    assert "23,275" not in text and "23,275" not in page("03-lankao").get_text()


# --------------------------------------------------------------------------------------------
# research question 2 and the years the county data cover
# --------------------------------------------------------------------------------------------

COUNTY_OUTCOMES = re.compile(r"poverty|poor_population|income|infrastructure|social_security")


def test_the_county_data_hold_no_outcome_figures_after_2016():
    """The premise of narrowing research question 2: if Lankao outcome figures for 2017-2020 are
    added to data/raw/public, this fails and the question can be widened again."""
    later = [
        r["indicator"]
        for r in rows()
        if r["file"] == "lankao_indicators.csv"
        and r["year"]
        and 2017 <= int(r["year"]) <= 2020
        and COUNTY_OUTCOMES.search(r["indicator"])
    ]
    assert later == []
    years = {
        int(r["year"])
        for r in rows()
        if r["file"] == "lankao_indicators.csv"
        and r["year"]
        and COUNTY_OUTCOMES.search(r["indicator"])
    }
    assert max(years) == 2016


def _section_text(chapter: str, heading_id: str) -> str:
    """The text from a heading to the next heading of the same or a higher level."""
    heading = page(chapter).find(id=heading_id)
    assert heading is not None, (chapter, heading_id)
    if heading.name == "section":  # Quarto's section wrapper holds the heading and its text
        return re.sub(r"\s+", " ", heading.get_text(" "))
    stop = {f"h{n}" for n in range(1, int(heading.name[1]) + 1)}
    parts = [heading.get_text(" ")]
    for sibling in heading.find_next_siblings():
        if sibling.name in stop:
            break
        parts.append(sibling.get_text(" "))
    return re.sub(r"\s+", " ", " ".join(parts))


def test_research_question_2_is_limited_to_the_years_the_public_record_covers():
    heading = page("01-introduction").find(id="sec-intro-questions")
    question_2 = heading.find_next("ol").find_all("li")[1].get_text(" ", strip=True)
    question_2 = re.sub(r"\s+", " ", question_2)
    assert "years that followed" not in question_2
    assert "left the list of poor counties in early 2017" in question_2
    assert "For 2017–2020 it holds no county figures on poverty, incomes" in _section_text(
        "01-introduction", "sec-intro-questions"
    )
    for chapter, heading_id in (
        ("03-lankao", "sec-lankao-summary"),
        ("07-conclusion", "sec-conclusion-answers"),
    ):
        text = _section_text(chapter, heading_id)
        assert "none on poverty or incomes was found for 2017–2020" in text or (
            "no Lankao figures on poverty or incomes for 2017–2020" in text
        ), chapter


# --------------------------------------------------------------------------------------------
# attributions in the prose
# --------------------------------------------------------------------------------------------


def _label(source_id: str) -> str:
    """The printed label of a source: its outlet (publisher up to the first note) and date."""
    record = sources()[source_id]
    outlet = re.split(r" \(|, ", record["publisher"])[0]
    return f"{outlet}, {record['published'].split(' (')[0]}"


def test_each_figure_in_a_clause_that_names_a_source_is_stated_by_that_source():
    """In chapter 3, a clause (up to ``;`` or the end of the sentence) that prints a source
    label ("Xinhua, 2017-01-11") attributes its figures to it: one of the ids behind that label
    must state each figure, as a value of a data row or as written in its quote. A citation of
    a bibliography entry whose URL is a source's URL counts as naming that source."""
    labels: dict[str, list[str]] = {}
    for source_id in sources():
        labels.setdefault(_label(source_id).replace("'", "\u2019"), []).append(source_id)
    # a bibliography entry whose URL is a source's URL cites that source ("[@xinhua2017china]")
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    cited = {
        key: [s for s, r in sources().items() if r["url"] == url]
        for key, url in re.findall(r"@\w+\{(\w+),[^@]*?\burl\s*=\s*\{([^}]+)\}", bib)
    }
    wrong = []
    for block in page("03-lankao").find_all(["p", "li", "figcaption"]):
        if block.find_parent(class_="table-note") or block.find_parent("table"):
            continue
        for link in block.find_all("a", href=re.compile(r"^references\.html#ref-")):
            ids = cited.get(link["href"].split("#ref-")[1], [])
            if ids:
                link.replace_with(" " + " ".join(f"<<{s}>>" for s in ids) + " ")
        text = re.sub(r"\s+([,;)])", r"\1", re.sub(r"\s+", " ", block.get_text(" ")))
        for pattern in NOT_FIGURES[1:]:
            text = pattern.sub(" ", text)
        for clause in re.split(r"(?<=[.;])\s+", text):
            ids = [s for label, group in labels.items() if label in clause for s in group]
            ids += re.findall(r"<<(\w+)>>", clause)
            if not ids:
                continue
            clause = NOT_FIGURES[0].sub(" ", clause)
            for match in re.finditer(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?%?(?![\w])", clause):
                token, after = match.group().rstrip(","), clause[match.end() : match.end() + 30]
                if YEAR.match(token) or DAY_OF_DATE.match(after):
                    continue
                number, tolerance, _ = shown_number(token, after)
                candidates = matches(number, tolerance, rows())
                if not any(states(s, r["value"], r["unit"]) for r in candidates for s in ids):
                    wrong.append(f"{token} in {clause[:90]!r}")
    assert not wrong, "figures their named source does not state: " + "; ".join(wrong)

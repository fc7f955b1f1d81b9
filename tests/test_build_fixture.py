"""Build a copy of the fixture book once, then check every supported construct in the HTML
edition (parsed with html.parser) and in the PDF (text from pdftotext, links from pdftohtml).

Expected values are computed here from the fixture's own data file, not copied from output.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import pytest
from bookbuild_helpers import (
    FIXTURE,
    executed,
    page,
    pdf_links,
    pdf_text,
    snapshot,
)

pytestmark = pytest.mark.slow

NBSP = "\u00a0"


def norm(text: str) -> str:
    return " ".join(text.replace(NBSP, " ").split())


@pytest.fixture(scope="module")
def fixture_before() -> dict[str, bytes]:
    return snapshot(FIXTURE)


@pytest.fixture(scope="module")
def book(fixture_book: Path, fixture_before) -> Path:
    """The fixture book built once per session (conftest)."""
    return fixture_book


@pytest.fixture(scope="module")
def values(book: Path) -> list[dict[str, str]]:
    with (book / "data" / "values.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def pdf(book: Path) -> str:
    return norm(pdf_text(book / "_book" / "thesis.pdf"))


def xrefs(root: Path, name: str) -> dict[str, str]:
    """Cross-reference links on a page: href -> link text."""
    return {a.attrs["href"]: norm(a.text()) for a in page(root, name).find_all("a", "quarto-xref")}


def test_fixture_folder_itself_is_untouched(book: Path, fixture_before: dict[str, bytes]):
    assert snapshot(FIXTURE) == fixture_before
    assert not (book / "_book" / "_freeze").exists()


def test_code_chapters_executed_in_their_own_kernels(book: Path):
    assert executed(book) == {"chapters/01-data.qmd", "chapters/a-extra.qmd"}


def test_numbered_headings_html(book: Path):
    data = page(book, "01-data.html")
    assert norm(data.find("h1", id="sec-data").text()) == "1 Data and results"
    # each section in Quarto's <section id class="level2">, its heading inside
    assert norm(data.find("section", id="sec-figures").find("h2").text()) == "1.1 Figures"
    assert norm(data.find("section", id="sec-tables").find("h2").text()) == "1.2 Tables"
    prose = page(book, "02-prose.html")
    titles = [
        norm(h.text())
        for h in prose.find_all("h2")
        if h.find_all("span", "header-section-number") or "unnumbered" in h.classes
    ]
    assert titles == ["An unnumbered aside", "2.1 A numbered section"]
    assert norm(page(book, "a-extra.html").find("h1", id="sec-extra").text()) == "A Extra material"


def test_unnumbered_headings_html(book: Path):
    for name, title in (("index.html", "Preface"), ("references.html", "References")):
        h1 = page(book, name).find("h1")
        assert norm(h1.text()) == title
        assert not h1.find_all("span", "header-section-number")
    aside = [h for h in page(book, "02-prose.html").find_all("h2") if "aside" in h.text()]
    assert len(aside) == 1 and not aside[0].find_all("span", "header-section-number")


def test_numbered_headings_pdf(pdf: str):
    for heading in (
        "1 Data and results",
        "1.1 Figures",
        "1.2 Tables",
        "2 Prose only",
        "2.1 A numbered section",
        "A Extra material",
    ):
        assert heading in pdf
    # in the body, the unnumbered headings follow the text before them with no number
    assert "Caution callout body. An unnumbered aside Nothing here is numbered." in pdf
    assert "2026-01-01 Preface This book tests the build." in pdf
    assert "References Cronbach" in pdf  # (a page number precedes it, not a chapter number)


def test_cross_references_are_links_html(book: Path):
    assert xrefs(book, "01-data.html") == {
        "#fig-income": "Figure 1.1",
        "#tbl-income": "Table 1.1",
        "#eq-growth": "Equation 1.1",
    }
    assert xrefs(book, "02-prose.html") == {
        "01-data.html#sec-figures": "Section 1.1",
        "01-data.html#sec-data": "Chapter 1",
        "01-data.html#fig-income": "Figure 1.1",
    }
    assert xrefs(book, "a-extra.html") == {
        "#tbl-terms": "Table A.1",
        "01-data.html#sec-data": "Chapter 1",
    }


def test_reference_targets_exist_html(book: Path):
    data = page(book, "01-data.html")
    figure = data.find("div", id="fig-income").find("figure")
    assert norm(figure.find("figcaption").text()) == "Figure 1.1: Income by year"
    assert (
        norm(data.find("div", id="tbl-income").find("caption").text())
        == "Table 1.1: Income by year"
    )
    assert norm(data.find(id="eq-growth").text()).endswith("(1.1)")
    glossary = page(book, "a-extra.html").find("div", id="tbl-terms")
    assert norm(glossary.find("caption").text()) == "Table A.1: Glossary"


def test_cross_references_pdf(pdf: str, book: Path):
    for text in (
        "see Figure 1.1 and Table 1.1",
        "defined in Equation 1.1",
        "refers back to Section 1.1 and Chapter 1",
        "to Figure 1.1 in another chapter",
        "See Table A.1 and Chapter 1",
        "Figure 1.1: Income by year",
        "Table 1.1: Income by year",
        "Table A.1: Glossary",
        "(1.1)",
    ):
        assert text in pdf, text
    links = {text for text, href in pdf_links(book / "_book" / "thesis.pdf") if href}
    for text in ("Figure 1.1", "Table 1.1", "Table A.1", "Equation 1.1", "Section 1.1"):
        assert text in links, text


def test_figure_file_and_image(book: Path):
    svg = book / "figures" / "fig-income.svg"
    assert svg.read_bytes() == (book / "_book" / "figures" / "fig-income.svg").read_bytes()
    assert b"<svg" in svg.read_bytes()[:2000]
    img = page(book, "01-data.html").find("div", id="fig-income").find("img")
    assert img.attrs["src"] == "figures/fig-income.svg"
    assert img.attrs["alt"] == "A line rising from 3,500 yuan in 2014 to 9,943 yuan in 2019."


def test_dataframe_became_a_captioned_table(book: Path, values: list[dict[str, str]], pdf: str):
    table = page(book, "01-data.html").find("div", id="tbl-income").find("table")
    assert [norm(th.text()) for th in table.find_all("th")] == ["year", "income"]
    cells = [[norm(td.text()) for td in tr.find_all("td")] for tr in table.find_all("tr")]
    assert [c for c in cells if c] == [[v["year"], v["income"]] for v in values]
    assert all(f"{v['year']} {v['income']}" in pdf for v in values)


def test_inline_value_from_data_and_module(book: Path, values, pdf: str):
    growth = float(values[1]["income"]) / float(values[0]["income"])
    sentence = f"Income grew {growth:.2f} times"
    assert sentence in norm(page(book, "01-data.html").find("main").text())
    assert sentence in pdf
    assert "Six times seven is 42" in pdf
    assert "Six times seven is 42" in norm(page(book, "a-extra.html").find("main").text())


def test_inline_values_follow_document_order(book: Path, pdf: str):
    text = norm(page(book, "a-extra.html").find("main").text())
    assert "Inline values follow document order: before 1," in text and "after 2." in text
    assert "Inline values follow document order: before 1, after 2." in pdf


def test_citations_and_bibliography(book: Path, pdf: str):
    data = page(book, "01-data.html")
    cites = {c.attrs["data-cites"]: norm(c.text()) for c in data.find_all("span", "citation")}
    assert cites == {
        "cronbach1951coefficient": "Cronbach (1951)",
        "knuth1984literate": "(Knuth 1984, 97)",
    }
    hrefs = {a.attrs["href"] for c in data.find_all("span", "citation") for a in c.find_all("a")}
    assert hrefs == {
        "references.html#ref-cronbach1951coefficient",
        "references.html#ref-knuth1984literate",
    }
    refs = page(book, "references.html")
    cronbach = norm(refs.find(id="ref-cronbach1951coefficient").text())
    assert "Cronbach, Lee J. 1951" in cronbach and "Psychometrika 16 (3): 297–334" in cronbach
    assert "Literate Programming" in norm(refs.find(id="ref-knuth1984literate").text())
    assert "Cronbach (1951)" in pdf and "(Knuth 1984, 97)" in pdf
    assert "Cronbach, Lee J. 1951" in pdf and "Knuth, Donald E. 1984" in pdf


def test_callouts_of_all_five_kinds(book: Path, pdf: str):
    found = {}
    for name in ("01-data.html", "02-prose.html"):
        for div in page(book, name).find_all("div", "callout"):
            kind = next(c.removeprefix("callout-") for c in div.classes if c.startswith("callout-"))
            found[kind] = (
                norm(div.find("div", "callout-title").text()),
                norm(div.find("div", "callout-body").text()),
            )
    assert found == {
        "warning": ("Simulated data", "These numbers are made up for the test."),
        "note": ("Note", "Note callout body."),
        "tip": ("Tip title", "Tip callout body."),
        "important": ("Important", "Important callout body."),
        "caution": ("Caution", "Caution callout body."),
    }
    for title, body in found.values():
        assert f"{title} {body}" in pdf


def test_echoed_code_and_escaped_script_output(book: Path, pdf: str):
    data = page(book, "01-data.html")
    code = [norm(pre.text()) for pre in data.find_all("pre", "cell-code")]
    assert code == ['print("<script>alert(1)</script>")']  # execute: echo: false elsewhere
    outputs = [pre.text().strip() for pre in data.find_all("pre", "cell-output")]
    assert "<script>alert(1)</script>" in outputs
    assert not [s for s in data.find_all("script") if "alert" in s.text()]
    assert 'print("<script>alert(1)</script>") <script>alert(1)</script>' in pdf


def test_execute_defaults_hide_code_unless_echo_true(book: Path):
    extra = page(book, "a-extra.html")
    code = [norm(pre.text()) for pre in extra.find_all("pre", "cell-code")]
    assert code == ['raise RuntimeError("EVAL-FALSE-RAN")']


def test_include_false_hides_code_and_output(book: Path, pdf: str):
    html = (book / "_book" / "01-data.html").read_text("utf-8")
    assert "HIDDEN-INCLUDE-FALSE" not in html and "import minilib" not in html
    assert "HIDDEN-INCLUDE-FALSE" not in pdf


def test_eval_false_shows_but_does_not_run(book: Path, pdf: str):
    html = (book / "_book" / "a-extra.html").read_text("utf-8")
    assert html.count("EVAL-FALSE-RAN") == 1  # in the echoed code only
    assert "Traceback" not in html and "cell-output-error" not in html
    assert 'raise RuntimeError("EVAL-FALSE-RAN")' in pdf
    notebook = nbformat.read(book / "_freeze" / "chapters" / "a-extra" / "notebook.ipynb", 4)
    assert not [c for c in notebook.cells if "EVAL-FALSE-RAN" in c.source]


def test_output_asis_becomes_markup(book: Path, pdf: str):
    extra = page(book, "a-extra.html")
    strong = [s for s in extra.find_all("strong") if s.text() == "ASIS-BOLD"]
    assert len(strong) == 1
    assert not any(a.tag == "pre" for a in strong[0].ancestors())
    assert "ASIS-BOLD output" in pdf and "**ASIS-BOLD**" not in pdf


def test_warning_false_hides_warnings_only(book: Path, pdf: str):
    extra = page(book, "a-extra.html")
    stderr = norm(" ".join(p.text() for p in extra.find_all("pre", "cell-output-stderr")))
    assert "SHOWN-WARNING" in stderr and "HIDDEN-WARNING" not in stderr
    assert "after hidden warning" in [
        p.text().strip() for p in extra.find_all("pre", "cell-output")
    ]
    assert "HIDDEN-WARNING" not in (book / "_book" / "a-extra.html").read_text("utf-8")
    assert "SHOWN-WARNING" in pdf and "HIDDEN-WARNING" not in pdf and "after hidden warning" in pdf


def test_warning_text_is_reproducible(book: Path):
    """No kernel process id or temporary path in shown warnings (editions must not differ)."""
    stderr = " ".join(
        p.text() for p in page(book, "a-extra.html").find_all("pre", "cell-output-stderr")
    )
    assert "ipykernel_" not in stderr and "/tmp/" not in stderr
    assert "UserWarning: SHOWN-WARNING" in stderr


def test_chinese_text_in_pdf(pdf: str):
    assert "兰考县" in pdf and "精准扶贫" in pdf


def test_provenance_names_data_file_and_module(book: Path):
    record = json.loads((book / "_book" / "provenance.json").read_text("utf-8"))
    chapter = next(c for c in record["chapters"] if c["source"] == "chapters/01-data.qmd")
    assert set(chapter["inputs"]) == {"data/values.csv"}
    assert set(chapter["modules"]) == {"minilib.py"}

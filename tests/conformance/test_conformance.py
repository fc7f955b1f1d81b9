"""Conformance: the project's own small Quarto documents (`tests/conformance/book/`, one
chapter per feature area), built once into both editions and checked as Quarto renders them:
the HTML page's structure and text, and the PDF's text (`pdftotext`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

pytestmark = [
    pytest.mark.slow,  # builds a whole book with a chapter per feature area
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) needed"
    ),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("conformance") / "book"
    shutil.copytree(HERE / "book", root)
    proc = subprocess.run(
        [sys.executable, "-m", "bookbuild", "--root", str(root), "build"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    return root / "_book"


def article(book: Path, chapter: str) -> BeautifulSoup:
    """The chapter's `<article>` element."""
    soup = BeautifulSoup((book / f"{chapter}.html").read_text("utf-8"), "html.parser")
    found = soup.find("article")
    assert found is not None, f"{chapter}.html has no <article>"
    return found


@pytest.fixture(scope="module")
def pdf(book: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(book / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(text.split())


def words(element) -> str:
    """An element's text, stripped, with Quarto's non-breaking spaces (`Figure&nbsp;1.1`) read
    as spaces."""
    return element.get_text(" ", strip=True).replace("\xa0", " ")


def chapter_text(pdf: str, title: str, following: str) -> str:
    """The PDF text of one chapter: from its opening to the next chapter's."""
    start = pdf.index(f"CHAPTER {title}")
    return pdf[start : pdf.index(following, start + 1)]


def test_figures_are_numbered_with_lettered_subfigures(book, pdf):
    page = article(book, "figures")
    numbered = {  # Quarto's markup: the label on the float's div, around its <figure>
        f.parent.get("id"): words(f.find("figcaption", recursive=False))
        for f in page.find_all("figure")
        if f.parent.get("id")
    }
    assert numbered["fig-square"] == "Figure 1.1: A blue square"
    assert numbered["fig-pair"] == "Figure 1.2: Two panels side by side"
    assert numbered["fig-pair-left"] == "(a) Left panel"
    assert numbered["fig-pair-right"] == "(b) Right panel"
    unlabelled = [f for f in page.find_all("figure") if not f.parent.get("id")]
    assert len(unlabelled) == 1 and "Figure" not in unlabelled[0].get_text()
    assert (book / "img" / "square.svg").is_file()
    assert all(img["src"] == "img/square.svg" for img in page.find_all("img"))
    refs = [words(a) for a in page.find_all("a", class_="quarto-xref")]
    assert refs == ["Figure 1.1", "Figure 1.2", "Figure 1.2 (b)"]
    assert page.find("a", class_="quarto-xref").get_text() == "Figure\xa01.1"  # as Quarto
    text = chapter_text(pdf, "1 Figures", "CHAPTER 2")
    for phrase in (
        "Figure 1.1: A blue square",
        "(a) Left panel",
        "(b) Right panel",
        "Figure 1.2: Two panels side by side",
        "An unlabelled picture",
        "See Figure 1.1, Figure 1.2 and Figure 1.2 (b).",
    ):
        assert phrase in text
    assert "Figure 1.3" not in pdf


def test_tables_take_captions_and_numbers(book, pdf):
    page = article(book, "tables")
    tables = {d["id"]: d.find("table") for d in page.find_all("div", class_="quarto-float")}
    assert words(tables["tbl-households"].caption) == "Table 2.1: Households by district"
    assert words(tables["tbl-div"].caption) == "Table 2.2: Counts by year"
    rows = [
        [c.get_text() for c in tr.find_all(["th", "td"])]
        for tr in tables["tbl-households"].find_all("tr")
    ]
    assert rows == [["District", "Households"], ["North", "120"], ["South", "85"]]
    assert "As Table 2.1 and Table 2.2 show." in words(page)
    text = chapter_text(pdf, "2 Tables", "CHAPTER 3")
    assert "Table 2.1: Households by district District Households North 120 South 85" in text
    assert "Table 2.2: Counts by year Year Count 2024 17" in text


def test_cross_references_of_each_kind(book, pdf):
    page = article(book, "crossrefs")
    assert page.find(id="eq-pythagoras").get_text().strip().endswith("(3.1)")
    assert words(page.find(id="thm-bound")).startswith(
        "Theorem 3.1 (Upper bound) Every count is finite."
    )
    assert words(page.find(id="lem-small")).startswith("Lemma 3.1")
    assert page.find("div", class_="proof").get_text(" ", strip=True).startswith("Proof")
    refs = [(a["href"], words(a)) for a in page.find_all("a", class_="quarto-xref")]
    assert refs == [
        ("#sec-method", "Section 3.1"),
        ("#eq-pythagoras", "Equation 3.1"),
        ("#thm-bound", "Theorem 3.1"),
        ("#lem-small", "Lemma 3.1"),
        ("#eq-pythagoras", "3.1"),
    ]
    text = chapter_text(pdf, "3 Cross-references", "CHAPTER 4")
    assert (
        "Section 3.1 explains it; Equation 3.1 holds; Theorem 3.1 and Lemma 3.1 "
        "follow. Suppressed prefix: 3.1."
    ) in text
    assert "Theorem 3.1 (Upper bound) Every count is finite." in text
    assert "Proof. By construction." in text


def test_callouts_titles_collapse_and_references(book, pdf):
    page = article(book, "callouts")
    callouts = page.find_all(class_="callout")
    kinds = [next(c for c in el["class"] if c.startswith("callout-")) for el in callouts]
    assert kinds == ["callout-note", "callout-warning", "callout-tip", "callout-caution"]
    titles = [words(el.find(class_="callout-title")) for el in callouts]
    assert titles == ["Note", "Mind the gap", "Tip 4.1: Check twice", "Folded caution"]
    assert callouts[3].name == "details" and not callouts[3].has_attr("open")
    assert words(page.find("a", class_="quarto-xref", href="#tip-check")) == "Tip 4.1"
    text = chapter_text(pdf, "4 Callouts", "CHAPTER 5")
    for phrase in (
        "Note Note body text.",
        "Mind the gap Warning body text.",
        "Tip 4.1: Check twice Tip body text.",
        "Folded caution Caution body text.",
        "See Tip 4.1.",
    ):
        assert phrase in text


def test_shortcodes_are_resolved(book, pdf):
    page = article(book, "shortcodes")
    text = page.get_text(" ")
    assert "{{<" not in text
    assert "Included paragraph from the part file." in text
    assert "The book is called Conformance and surveys Ward Seven Survey." in text
    assert page.find("kbd").get_text() == "Ctrl-C"
    assert page.find("div", style=re.compile("page-break-after"))
    chapter = chapter_text(pdf, "5 Shortcodes", "CHAPTER 6")
    assert "{{<" not in chapter
    assert "The book is called Conformance and surveys Ward Seven Survey." in chapter
    # the page break: the last paragraph is on a later page than the first
    _, after = chapter.split("Press Ctrl-C to stop.")
    assert re.match(r"\s*\d+\s", after) and "After the page break." in after


def test_tabsets_are_tabs_in_html_and_sequential_in_pdf(book, pdf):
    page = article(book, "tabsets")
    tabs = page.find(class_="panel-tabset")
    assert [b.get_text() for b in tabs.find_all(role="tab")] == ["First tab", "Second tab"]
    panes = tabs.find_all(role="tabpanel")
    assert [p.has_attr("hidden") for p in panes] == [False, True]
    assert panes[1].get_text(strip=True) == "Second tab body."
    text = chapter_text(pdf, "6 Tabsets", "CHAPTER 7")
    assert "First tab First tab body. Second tab Second tab body. After the tabs." in text


def test_conditional_content_per_format(book, pdf):
    text = article(book, "conditional").get_text(" ")
    assert "Seen only in HTML." in text and "Always shown." in text
    assert "Named twice, in both." in text  # a repeated key matches if any value does
    for absent in ("Seen only in PDF.", "Hidden from HTML.", "Never shown anywhere."):
        assert absent not in text
    chapter = chapter_text(pdf, "7 Conditional content", "CHAPTER 8")
    assert "Seen only in PDF. Hidden from HTML. Named twice, in both. Always shown." in chapter
    assert "Seen only in HTML." not in chapter and "Never shown" not in chapter


def test_cell_options(book, pdf):
    page = article(book, "cells")
    code = [c.get_text() for c in page.find_all("pre", class_="cell-code")]
    outputs = [o.get_text() for o in page.find_all("pre", class_="cell-output")]
    assert outputs == ["total is 42", "hidden code, shown output", "fenced echo", "6"]
    assert code[0].startswith("shown_total = 40 + 2")
    assert not any("hidden code" in c for c in code)  # echo: false
    assert "secret" not in page.get_text()  # include: false
    assert code[1].splitlines()[:2] == ["```{python}", "#| echo: fenced"]
    assert code[2] == 'print("not evaluated output")'  # eval: false: code, no output
    fold = page.find("details", class_="code-fold")
    assert fold.summary.get_text() == "Show the sum" and "sum([1, 2, 3])" in fold.get_text()
    assert "The inline value is 42." in page.get_text(" ")
    chapter = chapter_text(pdf, "8 Cell options", "Colophon")
    assert "total is 42 hidden code, shown output ```{python} #| echo: fenced" in chapter
    assert 'print("not evaluated output") print(sum([1, 2, 3])) 6' in chapter
    assert "secret" not in chapter and "The inline value is 42." in chapter


def test_html_markup_is_quarto_s(book):
    """Quarto's own HTML structure: plain-text float captions (no number span), a labelled
    equation's `span.math`, and the callout header with the kind for screen readers."""
    raw = {name: (book / f"{name}.html").read_text("utf-8") for name in ("figures", "tables")}
    assert "figure-number" not in raw["figures"] + raw["tables"]
    captions = [c for c in article(book, "figures").find_all("figcaption") if c.find(True)]
    assert captions == []  # each caption is plain text
    assert "Figure\xa01.1: A blue square\n</figcaption>" in raw["figures"]
    assert "<caption>Table\xa02.1: Households by district</caption>" in raw["tables"]
    page = article(book, "crossrefs")
    assert page.select_one("span#eq-pythagoras > span.math.display > math") is not None
    assert [a["href"] for a in page.select("a.quarto-xref[href='#eq-pythagoras']")] == [
        "#eq-pythagoras",
        "#eq-pythagoras",
    ]
    page = article(book, "callouts")
    spoken = page.select(
        "div.callout > div.callout-header > div.callout-title-container > span.screen-reader-only"
    )
    assert [s.get_text() for s in spoken] == ["Note", "Warning", "Tip"]
    warning = page.select_one("div.callout-warning")
    assert words(warning.select_one(".callout-title")) == "Mind the gap"
    assert warning.select_one("div.callout-body-container.callout-body") is not None

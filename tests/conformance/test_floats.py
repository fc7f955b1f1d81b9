"""Conformance: floats of every kind Quarto allows (`tests/conformance/floats-book/`), built once
into both editions. The HTML page has Quarto's float markup (the selectors Quarto's own smoke
tests assert, `crossrefs/float/html/*.qmd`); the PDF lists each float by its label's kind."""

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
    pytest.mark.slow,  # builds a three-chapter book, one chapter with a kernel
    pytest.mark.skipif(
        shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) needed"
    ),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("floats") / "book"
    shutil.copytree(
        HERE / "floats-book",
        root,
        ignore=shutil.ignore_patterns("_book", "_freeze", "figures", ".bookbuild"),
    )
    proc = subprocess.run(
        [sys.executable, "-m", "bookbuild", "--root", str(root), "build"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    return root / "_book"


@pytest.fixture(scope="module")
def page(book: Path) -> BeautifulSoup:
    return BeautifulSoup((book / "floats.html").read_text("utf-8"), "html.parser")


@pytest.fixture(scope="module")
def pdf(book: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(book / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


def caption(page: BeautifulSoup, selector: str) -> str:
    found = page.select(selector)
    assert len(found) == 1, selector
    return norm(found[0].get_text())


def test_a_figure_is_quartos_float_markup(page):
    assert page.select("div#fig-square.quarto-float.quarto-figure > figure.quarto-float-fig img")
    assert page.select_one("div#fig-square img.figure-img")["alt"] == "A blue square"
    assert (
        caption(page, "div#fig-square figure > figcaption.quarto-float-caption.quarto-float-fig")
        == "Figure 1.1: A blue square"
    )
    assert not page.select("figure[id]")  # the label is on the float's div, as in Quarto


def test_a_table_div_around_an_image_is_a_table(page):
    assert page.select("div#tbl-picture figure.quarto-float-tbl img")
    assert (
        caption(page, "div#tbl-picture figcaption.quarto-float-caption.quarto-float-tbl")
        == "Table 1.1: A table that is a picture"
    )
    # the caption comes first, as Quarto places a table's caption (tbl-cap-location: top)
    figure = page.select_one("div#tbl-picture > figure")
    assert figure.find(True, recursive=False).name == "figcaption"


def test_an_image_labelled_tbl_is_a_table(page):
    assert page.select("div#tbl-image-table figure.quarto-float-tbl img")
    assert caption(page, "div#tbl-image-table figcaption") == (
        "Table 1.2: A square captioned as a table"
    )


def test_a_figure_div_around_a_table_is_a_figure(page):
    assert page.select("div#fig-grid figure.quarto-float-fig table")
    assert caption(page, "div#fig-grid figcaption.quarto-float-fig") == (
        "Figure 1.2: A figure that is a table"
    )


def test_fig_cap_on_a_div_is_its_caption(page):
    assert caption(page, "div#fig-attr figcaption") == "Figure 1.3: A caption from the attribute"


def test_a_numbered_table_keeps_its_own_caption_inside_the_float(page):
    table = page.select_one("div#tbl-plain > figure.quarto-float-tbl table")
    assert norm(table.find("caption").get_text()) == "Table 1.3: A plain numbered table"


def test_subfigures_are_quartos_subfloats(page):
    subs = page.select("div#fig-pair figure.quarto-float-fig div.quarto-float > figure")
    assert [s.parent["id"] for s in subs] == ["fig-pair-left", "fig-pair-right"]
    assert all("quarto-subfloat-fig" in s["class"] for s in subs)
    assert [
        norm(c.get_text()) for c in page.select("div#fig-pair figcaption.quarto-subfloat-caption")
    ] == ["(a) Left panel", "(b) Right panel"]
    assert caption(page, "div#fig-pair figure.quarto-float-fig > figcaption.quarto-float-caption")


def test_an_unlabelled_figure_is_not_a_float_and_its_caption_is_not_read_twice(page):
    figure = page.select_one("div.quarto-figure:not(.quarto-float) > figure.figure")
    assert "quarto-float" not in figure["class"]
    assert figure.find("figcaption")["aria-hidden"] == "true"
    assert figure.find("img")["alt"] == "An unlabelled picture"


def test_references_show_each_floats_kind_and_number(page):
    text = norm(page.find("article").find_all("p")[-1].get_text())
    assert text == (
        "See Figure 1.1, Table 1.1, Table 1.2, Figure 1.2, Figure 1.3, Table 1.3, "
        "Figure 1.4 and Figure 1.4 (b)."
    )


def _listed(pdf: str, title: str) -> list[str]:
    part = pdf.split(title, 1)[1].split("\f", 1)[0]
    return re.findall(r"^\s*((?:Figure|Table) \d\.\d)\s+(\S.*?)\s*\.[ .]*", part, re.M)


def test_the_pdf_lists_each_float_under_its_labels_kind(pdf):
    assert _listed(pdf, "List of Figures") == [
        ("Figure 1.1", "A blue square"),
        ("Figure 1.2", "A figure that is a table"),
        ("Figure 1.3", "A caption from the attribute"),
        ("Figure 1.4", "Two panels side by side"),
        ("Figure 2.1", "Two plots from one cell"),  # cells.qmd; its subfigures are not listed
        ("Figure 3.1", "A linked square"),
    ]
    assert _listed(pdf, "List of Tables") == [
        ("Table 1.1", "A table that is a picture"),
        ("Table 1.2", "A square captioned as a table"),
        ("Table 1.3", "A plain numbered table"),
        ("Table 3.1", "Two pictures as sub-tables"),  # panels.qmd; not its sub-tables
        ("Table 3.2", "A list table"),
    ]
    body = norm(pdf.split("CHAPTER 1", 1)[1])
    for text in ("Table 1.1: A table that is a picture", "Figure 1.2: A figure that is a table"):
        assert text in body


@pytest.fixture(scope="module")
def cells(book: Path) -> BeautifulSoup:
    return BeautifulSoup((book / "cells.html").read_text("utf-8"), "html.parser")


def test_a_cells_plots_with_fig_subcap_are_lettered_subfigures(cells, book):
    subs = cells.select("div#fig-cell .layout-row > div.quarto-float")
    assert [s["id"] for s in subs] == ["fig-cell-1", "fig-cell-2"]
    assert cells.select_one("div#fig-cell .layout-row")["style"] == (
        "grid-template-columns: 1fr 1fr"  # layout-ncol: 2
    )
    assert [norm(s.select_one("figcaption.quarto-subfloat-caption").get_text()) for s in subs] == [
        "(a) Rising",
        "(b) Falling",
    ]
    assert [s.find("img")["alt"] for s in subs] == [
        "A line rising from left to right",
        "A line falling from left to right",
    ]
    for sub in subs:  # each plot its own file, in the edition
        src = sub.find("img")["src"]
        assert src == f"figures/{sub['id']}.svg" and b"<svg" in (book / src).read_bytes()[:500]
    assert caption(cells, "div#fig-cell > figure > figcaption.quarto-float-caption") == (
        "Figure 2.1: Two plots from one cell"
    )
    refs = [norm(a.get_text()) for a in cells.select("article p a.quarto-xref")]
    assert refs[:3] == ["Figure 2.1", "Figure 2.1 (a)", "Figure 2.1 (b)"]


def test_a_cell_with_lst_label_is_a_numbered_listing(cells):
    listing = cells.select_one("div#lst-sum > figure.quarto-float-lst")
    assert norm(listing.select_one("figcaption.quarto-float-caption").get_text()) == (
        "Listing 2.1: Adding two numbers"
    )
    assert "total = 2 + 3" in listing.find("pre").get_text()
    assert norm(cells.select("article p a.quarto-xref")[-1].get_text()) == "Listing 2.1"


def test_cell_floats_in_the_pdf(pdf):
    body = norm(pdf.split("CHAPTER 2", 1)[1])
    for text in (
        "(a) Rising",
        "(b) Falling",
        "Figure 2.1: Two plots from one cell",
        "As Figure 2.1 shows, Figure 2.1 (a) rises and Figure 2.1 (b) falls.",
        "Listing 2.1: Adding two numbers",
        "total = 2 + 3",
        "Listing 2.1 prints the sum.",
    ):
        assert text in body, text


def test_images_labelled_tbl_are_the_sub_tables_of_a_table_panel(book):
    page = BeautifulSoup((book / "panels.html").read_text("utf-8"), "html.parser")
    subs = page.select("div#tbl-squares figure.quarto-float-tbl .layout-row > div.quarto-float")
    assert [s["id"] for s in subs] == ["tbl-squares-a", "tbl-squares-b"]
    assert [
        norm(s.select_one("figure.quarto-subfloat-tbl > figcaption.quarto-subfloat-caption").text)
        for s in subs
    ] == ["(a) A square as a table", "(b) Another square as a table"]
    assert caption(page, "div#tbl-squares > figure > figcaption.quarto-float-caption") == (
        "Table 3.1: Two pictures as sub-tables"
    )
    linked = page.select_one(
        "div#fig-linked figure.quarto-float-fig a[href='https://example.org/']"
    )
    assert linked.find("img")["alt"] == "A linked square"
    assert norm(page.select("article p")[-2].get_text()) == (
        "See Table 3.1, Table 3.1 (b) and Figure 3.1."
    )


def test_a_list_table_is_a_numbered_table(book, pdf):
    page = BeautifulSoup((book / "panels.html").read_text("utf-8"), "html.parser")
    table = page.select_one("div#tbl-listed > figure.quarto-float-tbl table")
    assert norm(table.caption.get_text()) == "Table 3.2: A list table"
    assert [norm(c.get_text()) for c in table.select("thead th")] == ["Name", "Count"]
    assert [[norm(c.get_text()) for c in r.select("td")] for r in table.select("tbody tr")] == [
        ["Apples", "3"],
        ["Pears", "12"],
    ]
    assert [c["style"] for c in table.select("col")] == ["width: 70%", "width: 30%"]
    assert table.select("td")[1]["style"] == "text-align: right;"  # aligns="l,r"
    assert norm(page.select("article p")[-1].get_text()) == "See Table 3.2."
    body = norm(pdf.split("CHAPTER 3", 1)[1])
    assert "Table 3.2: A list table Name Count Apples 3 Pears 12 See Table 3.2." in body


def test_a_listing_caption_below_and_in_markdown(cells):
    figure = cells.select_one("div#lst-below > figure.quarto-float-lst")
    children = figure.find_all(True, recursive=False)
    assert children[-1].name == "figcaption"  # lst-cap-location="bottom" on the listing
    assert "quarto-float-caption-bottom" in children[-1]["class"]
    assert children[-1].em.get_text() == "below"  # lst-cap is markdown, as in Quarto

"""Conformance: numbering and conditions on metadata (`tests/conformance/numbering/`).

`.content-visible`/`.content-hidden` with `when-meta`/`unless-meta` are decided by the chapter's
front matter over `_quarto.yml` (dotted keys; only the boolean true counts, as in Quarto), the
same in both editions and before numbering, so dropped headings and theorems take no number."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils needed"),
]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("numbering") / "book"
    shutil.copytree(HERE / "numbering", root)
    proc = subprocess.run(
        [sys.executable, "-m", "bookbuild", "--root", str(root), "build"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    return root / "_book"


@pytest.fixture(scope="module")
def pdf(book: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(book / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(text.split())


def article(book: Path, page: str):
    return BeautifulSoup((book / f"{page}.html").read_text("utf-8"), "html.parser").article


def text_of(element) -> str:
    return " ".join(element.get_text().split())


def test_meta_conditions_in_html(book):
    page = article(book, "meta")
    assert [text_of(h) for h in page.find_all("h2")] == ["1.1 Shown section", "1.2 Last section"]
    text = text_of(page)
    for shown in (
        "Shown because show-extra is true.",
        "Shown: the deep flag is true.",
        "Shown in HTML only.",
        "Theorem 1.1 The theorem after the dropped one.",
        "inline kept and .",
    ):
        assert shown in text
    for dropped in ("Draft section", "Never numbered", "Dropped:", "inline dropped"):
        assert dropped not in text
    assert page.find(id="thm-dropped") is None
    assert not page.select(".content-visible, .content-hidden, [data-when-meta]")
    assert "See Theorem 1.1 and Section 1.1." in text_of(article(book, "index"))


def test_meta_conditions_in_pdf(pdf):
    chapter = pdf[pdf.index("CHAPTER 1") : pdf.index("Colophon", pdf.index("CHAPTER 1"))]
    assert (
        "CHAPTER 1 Conditions on metadata 1.1 Shown section Shown because show-extra is true. "
        "Shown: the deep flag is true. Theorem 1.1 The theorem after the dropped one. "
        "inline kept and . 1.2 Last section"
    ) in chapter
    for dropped in ("Draft section", "Never numbered", "Dropped:", "inline dropped", "HTML only"):
        assert dropped not in chapter


def test_html_numbers_only_what_html_shows(book):
    page = article(book, "formats")
    captions = [text_of(c) for c in page.find_all("caption")]
    assert captions == [
        "Table 2.1: First web table",
        "Table 2.2: Second web table",
        "Table 2.3: Common table",
    ]
    assert [text_of(h) for h in page.find_all("h2")] == [
        "2.1 Online extras",
        "2.2 Common",
        "2.3 End",
    ]
    text = text_of(page)
    assert "The web tables are Table 2.1 and Table 2.2." in text
    assert "In every edition: Table 2.3, in Section 2.3." in text
    assert "Print table" not in text and page.find(id="tbl-print") is None


def test_pdf_numbers_only_what_the_pdf_shows(pdf):
    start = pdf.index("CHAPTER 2 Numbered per format")
    chapter = pdf[start : pdf.index("Colophon", start)]
    assert (
        "Table 2.1: Print table c d 5 6 The print table is Table 2.1. 2.1 Common "
        "Table 2.2: Common table e f 7 8 In every edition: Table 2.2, in Section 2.2. 2.2 End"
    ) in chapter
    assert "web table" not in chapter and "Online extras" not in chapter


def test_crossref_options_of_a_chapter_in_html(book):
    page = article(book, "options")
    text = text_of(page)
    for phrase in (
        "Tab. 3.x— First",  # tbl-labels: alpha x, tbl-title, title-delim
        "(i) Left",  # subref-labels: roman i
        "(ii) Right",
        "Tab. 3.y— Two small tables",
        "Theorem 3.I One.",  # thm-labels: roman
        "Theorem 3.II Two.",
        "Lemma 3.i A lemma.",  # labels: roman i
        "(3.i)",
        "See tab. 3.x, tab. 3.y, tab. 3.y (ii), Theorem 3.II, Lemma 3.i and Equation 3.i.",
    ):
        assert phrase in text, phrase
    assert not page.find_all("a")  # ref-hyperlink: false
    assert "Table 2.3" in text_of(article(book, "formats"))  # other chapters keep the defaults


def test_crossref_options_of_a_chapter_in_pdf(pdf):
    start = pdf.index("CHAPTER 3 Numbering options")
    chapter = pdf[start : pdf.index("Colophon", start)]
    for phrase in (
        "Tab. 3.x— First",
        "Tab. 3.y— Two small tables (i) Left (ii) Right",
        "Theorem 3.I One. Theorem 3.II Two. Lemma 3.i A lemma.",
        "(3.i)",
        "See tab. 3.x, tab. 3.y, tab. 3.y (ii), Theorem 3.II, Lemma 3.i and Equation 3.i.",
    ):
        assert phrase in chapter, phrase

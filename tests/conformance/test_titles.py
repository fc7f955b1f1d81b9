"""Conformance: a chapter's title as Quarto takes it in a book (`tests/conformance/titles/`):
`title:` in the front matter is the chapter's level-1 heading (its attributes give the id and
`.unnumbered`), else the first heading, moved to the top; a chapter with neither is titled
with its page's name. Checked in the HTML pages, the contents, the search index, the PDF's
text, its bookmarks and its running heads."""

from __future__ import annotations

import json
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
def built(tmp_path_factory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("titles") / "book"
    shutil.copytree(HERE / "titles", root)
    proc = subprocess.run(
        [sys.executable, "-m", "bookbuild", "--root", str(root), "build"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    return root / "_book", proc.stderr


@pytest.fixture(scope="module")
def book(built) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def pdf(book: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(book / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return " ".join(text.split())


def text_of(element) -> str:
    """An element's text with its white space (and non-breaking spaces) made single spaces."""
    return " ".join(element.get_text().split())


def headings(book: Path, page: str) -> list[tuple[str, str | None, str]]:
    soup = BeautifulSoup((book / f"{page}.html").read_text("utf-8"), "html.parser")
    article = soup.find("article")
    return [
        (
            h.name,
            h.get("id") or h.get("data-anchor-id"),
            h.get_text(" ", strip=True).replace("\xa0", " "),
        )
        for h in article.find_all(["h1", "h2", "h3"])
    ]


def test_front_matter_title_is_the_numbered_level_one_heading(book):
    assert headings(book, "titled") == [
        ("h1", "sec-titled", "1 A titled chapter"),
        ("h2", "sec-titled-first", "1.1 Its first section"),
    ]
    soup = BeautifulSoup((book / "titled.html").read_text("utf-8"), "html.parser")
    h1 = soup.find("article").find("h1")
    assert h1.find("em").get_text() == "titled"  # the title is markdown, as in Quarto
    assert soup.title.get_text().startswith("A titled chapter")
    assert soup.find("article").find("p").get_text() == "Text of the titled chapter."
    assert "See Section 1.1." in text_of(soup.find("article"))


def test_unnumbered_title_and_appendix_title(book):
    assert headings(book, "preface")[0][0::2] == ("h1", "Interlude")
    assert headings(book, "extra")[:2] == [
        ("h1", "sec-extra", "A More material"),
        ("h2", "tables-of-more", "A.1 Tables of more"),
    ]


def test_first_heading_becomes_the_title_at_the_top(book):
    assert headings(book, "promoted") == [
        ("h1", "sec-promoted", "2 Promoted heading"),
        ("h3", "under-it", "2.0.1 Under it"),  # a skipped level, numbered as Quarto does
    ]
    soup = BeautifulSoup((book / "promoted.html").read_text("utf-8"), "html.parser")
    first = soup.find("article").find(True)
    assert first.name == "h1"  # the words before it follow the title, as in Quarto
    assert first.find_next_sibling().get_text() == "Words before the first heading."


def test_a_skipped_heading_level_is_set_one_level_down_in_the_pdf(built):
    import pypdf

    book, stderr = built
    assert "promoted.qmd:10: heading level 3 follows level 1: the PDF sets it at level 2" in stderr
    outline = pypdf.PdfReader(book / "thesis.pdf").outline
    top = [item.title if not isinstance(item, list) else item for item in outline]
    below = top[top.index("2 Promoted heading") + 1]
    assert [item.title for item in below] == ["2.0.1 Under it"]


def test_untitled_chapter_takes_its_page_name_with_a_warning(built):
    book, stderr = built
    assert headings(book, "untitled") == [("h1", "untitled.html", "3 untitled.html")]
    assert "untitled.qmd:1: the chapter has neither 'title:'" in stderr
    text = (book / "untitled.html").read_text("utf-8")
    assert "Theorem\xa03.1" in text  # numbered in chapter 3


def test_contents_and_references_use_the_titles(book):
    soup = BeautifulSoup((book / "index.html").read_text("utf-8"), "html.parser")
    entries = [" ".join(li.get_text(" ", strip=True).split()) for li in soup.select("ul.toc > li")]
    assert entries[:6] == [
        "Welcome",
        "1 A titled chapter",
        "Interlude",
        "2 Promoted heading",
        "3 untitled.html",
        "4 A heading chapter",
    ]
    assert "A More material" in entries
    assert "See Chapter 1, Chapter 4 and Appendix A." in text_of(soup.find("article"))


def test_search_index_sections_carry_the_titles(book):
    text = (book / "assets" / "search-index.js").read_text("utf-8")
    data = json.loads(text[text.index("[") : text.rindex("]") + 1])
    sections = {d.get("section") for d in data if isinstance(d, dict)}
    assert {"1 A titled chapter", "Interlude", "2 Promoted heading"} <= sections
    assert "Appendix A More material" in sections


def test_pdf_chapters_bookmarks_and_running_heads(book, pdf):
    import pypdf

    for phrase in (
        "CHAPTER 1 A titled chapter Text of the titled chapter. 1.1 Its first section",
        "Interlude An unnumbered chapter whose title is in its front matter.",
        "CHAPTER 2 Promoted heading Words before the first heading. 2.0.1 Under it",
        "CHAPTER 3 untitled.html Only text",
        "APPENDIX A More material",
    ):
        assert phrase in pdf
    reader = pypdf.PdfReader(book / "thesis.pdf")
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    assert [t for t in top if t[:1] in "1234A" or t == "Interlude"][:6] == [
        "1 A titled chapter",
        "Interlude",
        "2 Promoted heading",
        "3 untitled.html",
        "4 A heading chapter",
        "A More material",
    ]
    heads = [page.extract_text().split("\n", 1)[0] for page in reader.pages]
    opening = heads.index("CHAPTER 1")
    assert heads[opening + 1].startswith("1 A titled chapter")  # the running head


def test_level_one_headings_under_a_front_matter_title_are_its_sections(built):
    book, stderr = built
    assert headings(book, "sections") == [
        ("h1", "sec-sectioned", "5 Sectioned chapter"),
        ("h2", "sec-first-part", "5.1 First part"),
        ("h3", "sec-inner-detail", "5.1.1 Inner detail"),
        ("h2", "sec-second-part", "5.2 Second part"),
    ]
    soup = BeautifulSoup((book / "sections.html").read_text("utf-8"), "html.parser")
    assert "See Section 5.1, Section 5.1.1 and Section 5.2." in text_of(soup.find("article"))
    toc = [text_of(a) for a in soup.select("nav.page-toc a")]
    assert toc == ["5.1 First part", "5.1.1 Inner detail", "5.2 Second part"]
    warnings = [line for line in stderr.splitlines() if "under 'title:'" in line]
    assert len(warnings) == 1  # once per chapter
    assert "sections.qmd:7: the level-1 headings under 'title:' (line 2)" in warnings[0]
    assert "Quarto's HTML would number them as the chapters after this one" in warnings[0]
    assert "write them as '##'" in warnings[0]


def test_pdf_sets_them_as_sections_with_the_same_numbers(book, pdf):
    import pypdf

    assert (
        "CHAPTER 5 Sectioned chapter A chapter titled in its front matter whose body has "
        "level-1 headings. 5.1 First part 5.1.1 Inner detail See Section 5.1, Section 5.1.1 "
        "and Section 5.2. 5.2 Second part Closing words."
    ) in pdf
    outline = pypdf.PdfReader(book / "thesis.pdf").outline
    top = [item.title if not isinstance(item, list) else item for item in outline]
    below = top[top.index("5 Sectioned chapter") + 1]
    flat = [item.title if not isinstance(item, list) else [i.title for i in item] for item in below]
    assert flat == ["5.1 First part", ["5.1.1 Inner detail"], "5.2 Second part"]

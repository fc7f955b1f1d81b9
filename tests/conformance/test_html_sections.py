"""Quarto's section wrappers in the HTML edition (its smoke tests `2024/04/19/9422.qmd`,
`citations/citeproc-refs-position.qmd`, `2024/12/12/11520/index.qmd`): each heading's
section is a `<section id class="levelN">`, the heading inside `anchored` with
`data-anchor-id`; a chapter's own title heading stays outside, the first page's are
sections. And a paragraph's margin spans moved out of it (`2024/06/20/10018.qmd`). Built
once as a small HTML book."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from bookbuild_helpers import bookbuild_process
from bs4 import BeautifulSoup

from bookbuild.document.ast import Div, RawBlock, Str
from bookbuild.writers.html_sections import sectioned

INDEX = """# Preface {.unnumbered}

Welcome.

## About {#sec-about}

Text.

# Second part {.unnumbered}

More.
"""
CHAPTER = """# A chapter {#sec-chapter}

Opening text.

## Scatter {#scatter}

See @sec-deep and @sec-about.

::: {.column-margin}
A margin note.
:::

### Deep {#sec-deep}

Deep text.

::: {.callout-note}
## A note

### Inside the note

x
:::

::: {.panel-tabset}
## Tab one

### Under the tab

one

## Tab two

two
:::

## Unnumbered here {.unnumbered}

end
"""

ASIDES = """# Asides

I'm confused... [why isn't this aside working?]{.aside}

Before [in the margin]{.column-margin} after.

::: aside
This aside works!
:::

[This aside doesn't.]{.aside}

## A heading [with a margin span]{.aside}
"""


def _build(root: Path, chapters: dict[str, str]) -> subprocess.CompletedProcess:
    names = ", ".join(chapters)
    (root / "_quarto.yml").write_text(
        f"project:\n  type: book\nbook:\n  title: Sections\n  chapters: [{names}]\n", "utf-8"
    )
    for name, text in chapters.items():
        (root / name).write_text(text, "utf-8")
    return bookbuild_process(root, "build", "--to", "html")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sections")
    proc = _build(root, {"index.qmd": INDEX, "chapter.qmd": CHAPTER, "asides.qmd": ASIDES})
    assert proc.returncode == 0, proc.stderr
    return root / "_book"


def _article(book: Path, name: str) -> BeautifulSoup:
    soup = BeautifulSoup((book / name).read_text("utf-8"), "html.parser")
    article = soup.select_one("article.chapter")
    assert article is not None
    return article


def test_each_section_is_a_section_element_with_the_headings_id(book: Path) -> None:
    article = _article(book, "chapter.html")
    scatter = article.select_one("section#scatter.level2")
    assert scatter is not None
    heading = scatter.find("h2", recursive=False)
    assert heading is not None and heading.get("id") is None
    assert heading["class"] == ["anchored"] and heading["data-anchor-id"] == "scatter"
    deep = scatter.select_one(":scope > section#sec-deep.level3")
    assert deep is not None and "Deep text." in deep.get_text()
    assert scatter.select_one("aside.margin-note") is not None  # in its own section
    assert "A margin note." not in deep.get_text()
    unnumbered = article.select_one("section#unnumbered-here.level2.unnumbered")
    assert unnumbered is not None and unnumbered.parent is article
    assert unnumbered.h2["class"] == ["unnumbered", "anchored"]


def test_the_chapters_title_heading_is_outside_every_section(book: Path) -> None:
    article = _article(book, "chapter.html")
    title = article.find("h1")
    assert title["id"] == "sec-chapter" and title.parent is article
    assert article.select("section.level1") == []
    assert article.find("p").parent is article  # the opening text, under no section


def test_the_first_pages_headings_are_level1_sections(book: Path) -> None:
    article = _article(book, "index.html")
    tops = article.find_all("section", recursive=False)
    assert [s["class"] for s in tops] == [["level1", "unnumbered"], ["level1", "unnumbered"]]
    assert tops[0].h1["data-anchor-id"] == tops[0]["id"]
    assert tops[0].select_one("section#sec-about.level2") is not None


def test_headings_in_callouts_and_tabs_are_sections_there(book: Path) -> None:
    article = _article(book, "chapter.html")
    callout = article.select_one("div.callout")
    assert callout.select_one("section.level3 > h3.anchored") is not None
    pane = article.select_one("#tabset-1-1")
    assert pane.select_one("section#under-the-tab.level3 > h3.anchored") is not None
    assert article.select("section > h2.anchored") and not article.select("h2[id]")


def test_links_contents_and_search_still_name_the_sections(book: Path) -> None:
    page = BeautifulSoup((book / "chapter.html").read_text("utf-8"), "html.parser")
    hrefs = {a["href"] for a in page.select("article a.quarto-xref")}
    assert hrefs == {"#sec-deep", "index.html#sec-about"}
    assert page.select_one('.page-toc a[href="#scatter"]') is not None
    index = (book / "assets" / "search-index.js").read_text("utf-8")
    assert "chapter.html#scatter" in index


def test_a_raw_closing_tag_closes_the_sections_opened_inside_it() -> None:
    header = {"t": "Header", "c": [2, ["h", [], []], [Str("H")]]}
    blocks = [
        Div("", [], [RawBlock("html", "<figure>"), header, {"t": "Para", "c": [Str("x")]}]),
    ]
    blocks[0]["c"][1].append(RawBlock("html", "</figure>"))
    inner = sectioned(blocks)[0]["c"][1]
    texts = [b["c"][1] for b in inner if b["t"] == "RawBlock"]
    assert texts == ["<figure>", '<section id="h" class="level2">', "</section>", "</figure>"]


def test_a_paragraphs_margin_spans_go_after_it(book: Path) -> None:
    article = _article(book, "asides.html")
    assert article.select("p span.margin-aside") == []
    containers = article.select("div.no-row-height.column-margin.column-container")
    texts = [c.get_text(strip=True) for c in containers]
    assert texts == ["why isn’t this aside working?", "in the margin", "This aside doesn’t."]
    first = containers[0].find_previous_sibling("p")
    assert first.get_text() == "I’m confused…"  # no space left at its end
    assert containers[1].find_previous_sibling("p").get_text() == "Before after."
    assert article.select_one("aside.margin-note").get_text(strip=True) == "This aside works!"
    assert article.select_one("h2 span.margin-aside") is not None  # a heading's stays


def _canonical_book(root: Path, book_keys: str, html: str) -> subprocess.CompletedProcess:
    root.mkdir(exist_ok=True)
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Canon\n"
        f"{book_keys}  chapters: [index.qmd, two.qmd]\nformat:\n  html:\n{html}",
        "utf-8",
    )
    (root / "index.qmd").write_text("# Home {.unnumbered}\n\nHi.\n", "utf-8")
    (root / "two.qmd").write_text("# Two\n\nThere.\n", "utf-8")
    return bookbuild_process(root, "build", "--to", "html")


def _canonicals(root: Path) -> dict[str, list[str]]:
    found = {}
    for name in ("index.html", "two.html", "colophon.html"):
        soup = BeautifulSoup((root / "_book" / name).read_text("utf-8"), "html.parser")
        found[name] = [link["href"] for link in soup.select('head link[rel="canonical"]')]
    return found


def test_canonical_url_builds_each_pages_link_from_site_url(tmp_path: Path) -> None:
    """Smoke `2024/05/06/9524/`: the index page's link is the site's address."""
    proc = _canonical_book(
        tmp_path, "  site-url: https://example.org/thesis/\n", "    canonical-url: true\n"
    )
    assert proc.returncode == 0, proc.stderr
    assert "site-url" not in proc.stderr  # a supported book option now
    assert _canonicals(tmp_path) == {
        "index.html": ["https://example.org/thesis/"],
        "two.html": ["https://example.org/thesis/two.html"],
        "colophon.html": ["https://example.org/thesis/colophon.html"],
    }


def test_canonical_url_without_site_url_is_warned_about(tmp_path: Path) -> None:
    proc = _canonical_book(tmp_path, "", "    canonical-url: true\n")
    assert proc.returncode == 0, proc.stderr
    assert "_quarto.yml:8: format: html option 'canonical-url: true' needs book: site-url:" in (
        proc.stderr
    )
    assert set(map(len, _canonicals(tmp_path).values())) == {0}


def test_no_canonical_link_unless_asked_and_a_given_url_is_written(tmp_path: Path) -> None:
    proc = _canonical_book(tmp_path / "off", "  site-url: https://example.org\n", "    toc: true\n")
    assert proc.returncode == 0, proc.stderr
    assert set(map(len, _canonicals(tmp_path / "off").values())) == {0}
    given = tmp_path / "given"
    proc = _canonical_book(given, "", "    canonical-url: https://example.org/the-one\n")
    assert proc.returncode == 0, proc.stderr
    assert set(map(tuple, _canonicals(given).values())) == {("https://example.org/the-one",)}


def test_site_url_must_be_text(tmp_path: Path) -> None:
    proc = _canonical_book(tmp_path, "  site-url: [a, b]\n", "    canonical-url: true\n")
    assert proc.returncode != 0
    assert "_quarto.yml:5: book option 'site-url' must be the site's address" in proc.stderr
    assert "Traceback" not in proc.stderr

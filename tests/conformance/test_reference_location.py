"""`reference-location: margin` sets each footnote in the HTML margin beside the block citing
it (Quarto's `div.column-margin div#fn1`), a chapter's own value over the book's; the PDF keeps
footnotes, with a warning. Values and options this build does not render are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.bookbuild_helpers import pdf_text, run

CONFIG = """project:
  type: book
book:
  title: Notes
  chapters:
    - index.qmd
    - plain.qmd
reference-location: margin
format:
  html: {}
  typst: {}
"""
INDEX = """# Notes

A claim[^1] and another[^2].

- An item.[^3]

A last paragraph.

[^1]: The first note.
[^2]: The second note.
[^3]: The item's note.
"""
PLAIN = """---
reference-location: document
---

# Plain

Text.[^a]

[^a]: At the end.
"""


def _book(root: Path, config: str = CONFIG) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_quarto.yml").write_text(config, "utf-8")
    (root / "index.qmd").write_text(INDEX, "utf-8")
    (root / "plain.qmd").write_text(PLAIN, "utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = _book(tmp_path_factory.mktemp("notes") / "book")
    result = run(root, "build")
    assert result.code == 0, result.err
    return root


def _page(root: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_book" / name).read_text("utf-8"), "html.parser")


def test_margin_footnotes_beside_their_block(built):
    page = _page(built, "index.html")
    notes = page.select("div.column-margin > div[id^=fn]")
    assert [n["id"] for n in notes] == ["fn1", "fn2", "fn3"]
    assert notes[0].get_text().strip() == "1\u00a0The first note."
    margin = page.select_one("div.column-margin:has(#fn1)")
    assert "A claim" in margin.find_previous_sibling("p").get_text()
    assert margin.find_next_sibling("div").select_one("#fn2") is not None
    assert page.select_one("li div.column-margin #fn3") is not None  # beside the list item
    refs = page.select("a.footnote-ref")
    assert [(a["href"], a.get_text()) for a in refs] == [(f"#fn{n}", str(n)) for n in (1, 2, 3)]
    assert page.select_one("section.footnotes") is None


def test_chapter_value_over_the_book(built):
    page = _page(built, "plain.html")
    assert page.select_one("div.column-margin") is None
    assert "At the end." in page.select_one("section.footnotes").get_text()


def test_pdf_keeps_footnotes(built, caplog):
    text = pdf_text(built / "_book" / "thesis.pdf")
    assert "The first note." in text and "The item\u2019s note." in text  # smart quotes
    result = run(built, "build", "--to", "pdf")
    assert result.code == 0, result.err
    assert "_quarto.yml:8: reference-location: margin: the PDF keeps its footnotes" in (caplog.text)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("reference-location: margin", "reference-location: section"),
            "_quarto.yml:8: 'reference-location: section' in _quarto.yml is not supported",
        ),
        (
            ("reference-location: margin", "citation-location: margin"),
            "_quarto.yml:8: 'citation-location: margin' in _quarto.yml is not supported",
        ),
        (
            ("  html: {}", "  html:\n    variant: +literate_haskell"),
            "_quarto.yml:11: format: html option 'variant' is not supported by this build",
        ),
        (
            ("  html: {}", "  html: {}\n  html+without: {}"),
            "unsupported output format(s): html+without (a format with Markdown extensions",
        ),
    ],
)
def test_refused(tmp_path, change, message):
    root = _book(tmp_path / "book", CONFIG.replace(*change))
    result = run(root, "build", "--to", "html")
    assert result.code != 0
    assert message in result.err

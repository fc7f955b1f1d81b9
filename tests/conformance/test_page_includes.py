"""`include-in-header`, `include-before-body`, `include-after-body` put their text into every
HTML page (a chapter's own into its page only), shortcodes in a `text:` resolved; under
`format: typst:` they hold Typst code for the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.bookbuild_helpers import pdf_text, run

CONFIG = """project:
  type: book
book:
  title: Includes
  chapters:
    - index.qmd
    - two.qmd
release: RC1
include-in-header: head.html
format:
  html:
    include-before-body:
      - text: '<div id="banner">{{{{< meta release >}}}}</div>'
    include-after-body:
      file: tail.html
  typst:
{typst}
"""
TYPST = """    include-before-body:
      text: "Printed first."
    include-after-body:
      - text: "Printed last."
"""
TWO = """---
my-value: Release Candidate
include-after-body:
  text: |
    <script>window["test-include"] = '{{< meta my-value >}}';</script>
---

# Two

```{=html}
<script>window["test-rawblock"] = '{{< meta my-value >}}';</script>
```
"""


def _book(root: Path, typst: str = TYPST) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "_quarto.yml").write_text(CONFIG.format(typst=typst), "utf-8")
    (root / "head.html").write_text('<meta name="included" content="yes">\n', "utf-8")
    (root / "tail.html").write_text('<p id="tail">the end</p>\n', "utf-8")
    (root / "index.qmd").write_text("# One\n\nText.\n", "utf-8")
    (root / "two.qmd").write_text(TWO, "utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = _book(tmp_path_factory.mktemp("includes") / "book")
    result = run(root, "build")
    assert result.code == 0, result.err
    return root


def _page(root: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((root / "_book" / name).read_text("utf-8"), "html.parser")


@pytest.mark.parametrize("name", ["index.html", "two.html"])
def test_every_page_has_the_book_includes(built, name):
    page = _page(built, name)
    assert page.head.select_one('meta[name="included"]') is not None
    body = page.body.find_all(True, recursive=False)
    assert body[0]["id"] == "banner" and body[0].get_text() == "RC1"  # shortcode resolved
    tail = page.body.select_one("#tail")
    assert tail is not None and tail.parent is page.body
    assert tail.find_next_sibling() is None or name == "two.html"  # last, but the chapter's


def test_a_chapter_include_is_on_its_page_only(built):
    two = (built / "_book" / "two.html").read_text("utf-8")
    assert """window["test-include"] = 'Release Candidate';""" in two
    assert """window["test-rawblock"] = 'Release Candidate';""" in two
    assert two.index('id="tail"') < two.index("test-include") < two.index("</body>")
    assert "test-include" not in (built / "_book" / "index.html").read_text("utf-8")


def test_pdf_includes_are_typst(built):
    text = pdf_text(built / "_book" / "thesis.pdf")
    assert text.index("Printed first.") < text.index("One") < text.index("Printed last.")
    assert "the end" not in text and "RC1" not in text  # the HTML ones stay out


def test_top_level_include_warns_for_the_pdf(built, caplog):
    result = run(built, "build", "--to", "html")
    assert result.code == 0, result.err
    assert "_quarto.yml:9: include-in-header at the top level goes into the HTML pages" in (
        caplog.text
    )


def test_missing_file_is_an_error(tmp_path):
    root = _book(tmp_path / "book")
    (root / "tail.html").unlink()
    result = run(root, "build")
    assert result.code != 0
    assert "include-after-body: file not found: tail.html" in result.err
    assert "_quarto.yml:14:" in result.err


def test_an_edited_include_or_language_file_is_rendered_again(tmp_path):
    """The files these options name are inputs of the edition: a rebuild after editing one
    (nothing else changed) renders again instead of keeping the last edition."""
    (tmp_path / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: T\n  chapters:\n    - index.qmd\n"
        "language: words.yml\nformat:\n  html:\n    include-in-header: head.html\n"
        "  typst:\n    include-before-body: first.typ\n"
    )
    (tmp_path / "index.qmd").write_text("# Hello\n\n::: {.callout-note}\nText.\n:::\n")
    files = {"head.html": '<meta name="v" content="{}">', "first.typ": "Version {}."}
    files["words.yml"] = "callout-note-title: Note {}\n"
    for version in ("one", "two"):
        for name, text in files.items():
            (tmp_path / name).write_text(text.format(version) + "\n")
        result = run(tmp_path, "build")
        assert result.code == 0, result.err
        page = (tmp_path / "_book" / "index.html").read_text("utf-8")
        assert f'<meta name="v" content="{version}">' in page
        assert f"Note {version}" in page
        assert f"Version {version}." in pdf_text(tmp_path / "_book" / "thesis.pdf")

"""Text the PDF cannot carry: control characters are left out with a warning naming the
line; a character no font has stops the build at its source line, never inside thesis.typ."""

from __future__ import annotations

from pathlib import Path

import pytest
from bookbuild_helpers import pdf_text, run, run_process, snapshot

CONFIG = """project:
  type: book
book:
  title: "Glyphs"
  author: "A. Writer"
  chapters:
    - index.qmd
    - one.qmd
"""


def book(root: Path, chapter: str) -> Path:
    (root / "_quarto.yml").write_text(CONFIG)
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nHello.\n")
    (root / "one.qmd").write_text(chapter, "utf-8")
    return root


def test_control_characters_are_left_out_of_the_pdf_with_the_line(tmp_path: Path) -> None:
    root = book(
        tmp_path, "# One\n\nA bell \x07 rings.\n\n```{python}\nprint('start\\x01end')\n```\n"
    )
    result = run_process(root, "build")
    assert result.code == 0, result.err
    assert "one.qmd:3: control character U+0007 left out of the PDF" in result.err
    assert "one.qmd (in a cell's output): control character U+0001" in result.err
    text = pdf_text(root / "_book" / "thesis.pdf")
    assert "A bell rings." in text and "startend" in text
    assert "\x07" not in text and "\x01" not in text


@pytest.mark.parametrize(
    ("chapter", "message"),
    [
        (
            "# One\n\nFine.\n\nA smile 😀 here.\n",
            "one.qmd:5: the PDF's fonts have no glyph for '😀' (U+1F600; tried ",
        ),
        (
            "# One\n\n```{python}\nprint(chr(0xF8D0))\n```\n",
            "one.qmd: a cell's output prints '\\uf8d0' (U+F8D0), which the PDF's fonts cannot show",
        ),
    ],
)
def test_a_character_no_font_has_is_an_error_at_its_source(
    tmp_path: Path, chapter: str, message: str
) -> None:
    root = book(tmp_path, "# One\n\nFine.\n")
    assert run(root, "build").code == 0
    before = snapshot(root / "_book")
    (root / "one.qmd").write_text(chapter, "utf-8")
    result = run(root, "build")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and message in errors[0], result.err
    assert "thesis.typ" not in result.err
    assert snapshot(root / "_book") == before  # the last good edition is untouched

"""A chapter's own `bibliography:` (and `csl:`), as Quarto's smoke document
`citations/citeproc-refs-position.qmd` uses it: Quarto renders each chapter with its front
matter, so the files it names (relative to the chapter) are read for its citations. Here they
join the book's for citeproc; a missing file, a conflicting entry, another style and a key
in no file are errors naming the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from bookbuild_helpers import pdf_text, run, run_process
from bs4 import BeautifulSoup

LOVELACE = """@article{Lovelace1842,
  author = {Lovelace, Augusta Ada},
  title = {Sketch of the Analytical Engine},
  journal = {Scientific Memoirs},
  date = {1842}
}
"""
TURING = """@article{Turing1936,
  author = {Turing, Alan},
  title = {On Computable Numbers},
  journal = {Proceedings of the London Mathematical Society},
  date = {1936}
}
"""
CHAPTER = """---
title: Engines
bibliography: {bib}
---

As @Lovelace1842 wrote, and @Turing1936 later.

## References {{#references}}

::: {{#refs}}
:::
"""


def _book(root: Path, bib: str = "refs/engines.bib", chapter: str = CHAPTER) -> Path:
    """A book whose `_quarto.yml` names `book.bib` (Turing) and whose chapter, in
    `chapters/`, names its own file (Lovelace) under `chapters/refs/`."""
    (root / "chapters" / "refs").mkdir(parents=True)
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Engines\n  chapters: [chapters/engines.qmd]\n"
        "bibliography: book.bib\n",
        "utf-8",
    )
    (root / "book.bib").write_text(TURING, "utf-8")
    (root / "chapters" / "refs" / "engines.bib").write_text(LOVELACE, "utf-8")
    (root / "chapters" / "engines.qmd").write_text(chapter.format(bib=bib), "utf-8")
    return root


def test_a_chapter_bibliography_is_read_relative_to_the_chapter(tmp_path: Path) -> None:
    root = _book(tmp_path)
    proc = run_process(root, "build", timeout=300)
    assert proc.code == 0, proc.err
    assert "'bibliography' is ignored" not in proc.err
    soup = BeautifulSoup((root / "_book" / "engines.html").read_text("utf-8"), "html.parser")
    entries = [e.get_text(" ", strip=True) for e in soup.select("div#refs div.csl-entry")]
    assert len(entries) == 2
    assert entries[0].startswith("Lovelace, Augusta Ada. 1842")
    assert entries[1].startswith("Turing, Alan. 1936")
    assert soup.select_one('a[href="#ref-Lovelace1842"]').get_text() == "1842"
    text = pdf_text(root / "_book" / "thesis.pdf")
    assert "As Lovelace (1842) wrote, and Turing (1936) later." in text
    assert "Lovelace, Augusta Ada. 1842. “Sketch of the Analytical Engine.”" in text


def test_a_list_of_files_and_the_same_entry_twice_are_fine(tmp_path: Path) -> None:
    root = _book(tmp_path, bib="\n  - refs/engines.bib\n  - ../book.bib")
    (root / "chapters" / "refs" / "more.bib").write_text(LOVELACE, "utf-8")  # same entry
    text = (root / "chapters" / "engines.qmd").read_text("utf-8")
    (root / "chapters" / "engines.qmd").write_text(
        text.replace("  - ../book.bib", "  - ../book.bib\n  - refs/more.bib"), "utf-8"
    )
    assert run(root, "build", "--to", "html").code == 0


def test_a_missing_file_is_an_error_at_its_front_matter_line(tmp_path: Path) -> None:
    root = _book(tmp_path, bib="\n  - refs/engines.bib\n  - refs/gone.bib")
    result = run(root, "build", "--to", "html")
    assert result.code != 0
    assert (
        "chapters/engines.qmd:5: bibliography not found: refs/gone.bib (relative to "
        "engines.qmd)" in result.err
    )
    assert "Traceback" not in result.err


def test_a_key_with_two_different_entries_names_both_files(tmp_path: Path) -> None:
    root = _book(tmp_path)
    (root / "book.bib").write_text(TURING + "\n" + LOVELACE.replace("1842}", "1843}"), "utf-8")
    result = run(root, "build", "--to", "html")
    assert result.code != 0
    assert (
        "chapters/refs/engines.bib:1: citation key 'Lovelace1842' is also in book.bib "
        "(line 8) with a different entry" in result.err
    )


def test_another_style_is_refused(tmp_path: Path) -> None:
    root = _book(tmp_path, bib="refs/engines.bib\ncsl: refs/other.csl")
    (root / "chapters" / "refs" / "other.csl").write_text("<style/>", "utf-8")
    result = run(root, "build", "--to", "html")
    assert result.code != 0
    assert (
        "chapters/engines.qmd:4: csl: chapters/refs/other.csl differs from the book's style, "
        "Pandoc's default (no csl: in _quarto.yml)" in result.err
    )


def test_a_key_in_no_file_names_the_files_searched(tmp_path: Path) -> None:
    root = _book(tmp_path, chapter=CHAPTER.replace("@Turing1936", "@Hopper1952"))
    result = run(root, "build", "--to", "html")
    assert result.code != 0
    assert (
        "chapters/engines.qmd:6: unknown citation key '@Hopper1952' (not in book.bib or "
        "chapters/refs/engines.bib)" in result.err
    )


def test_nocite_and_suppress_bibliography_are_warned_about_at_both_levels(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = _book(tmp_path, bib="refs/engines.bib\nnocite: '@*'")
    with (root / "_quarto.yml").open("a", encoding="utf-8") as config:
        config.write("suppress-bibliography: true\n")
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    assert "_quarto.yml:7: option 'suppress-bibliography' is ignored by this build" in caplog.text
    assert (
        "chapters/engines.qmd:4: front matter option 'nocite' is ignored by this build: Quarto "
        "adds the entries it names to the chapter's reference list" in caplog.text
    )


TINY_CSL = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Numbers</title><id>numbers</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="[" suffix="]"><text variable="citation-number"/></layout></citation>
  <bibliography><layout><text variable="title"/></layout></bibliography>
</style>
"""


def test_the_book_s_own_style_named_by_a_chapter_is_fine(tmp_path: Path) -> None:
    root = _book(tmp_path, bib="refs/engines.bib\ncsl: ../numbers.csl")
    (root / "numbers.csl").write_text(TINY_CSL, "utf-8")
    with (root / "_quarto.yml").open("a", encoding="utf-8") as config:
        config.write("csl: numbers.csl\n")
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    soup = BeautifulSoup((root / "_book" / "engines.html").read_text("utf-8"), "html.parser")
    assert [c.get_text() for c in soup.select("span.citation")] == ["[1]", "[2]"]


def test_a_csl_json_chapter_bibliography_gives_its_keys(tmp_path: Path) -> None:
    root = _book(tmp_path, bib="refs/engines.json")
    (root / "chapters" / "refs" / "engines.json").write_text(
        '[{"id": "Lovelace1842", "type": "article-journal", "title": "Sketch of the '
        'Analytical Engine", "author": [{"family": "Lovelace", "given": "Augusta Ada"}], '
        '"issued": {"date-parts": [[1842]]}}]',
        "utf-8",
    )
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    soup = BeautifulSoup((root / "_book" / "engines.html").read_text("utf-8"), "html.parser")
    assert (
        soup.select_one("#ref-Lovelace1842")
        .get_text(strip=True)
        .startswith("Lovelace, Augusta Ada. 1842")
    )
    (root / "chapters" / "refs" / "engines.json").write_text('[{"id": "x",\n}', "utf-8")
    result = run(root, "build", "--to", "html")
    assert "chapters/refs/engines.json:2: not CSL JSON" in result.err

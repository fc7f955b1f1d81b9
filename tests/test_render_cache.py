"""The render cache (`.bookbuild/render/`): an edit re-renders only the chapters whose
rendering inputs changed and runs citeproc only when citations changed, and what it publishes
is byte for byte what a build without the cache renders. Builds of the fixture book (HTML and
PDF), and unit checks of the citation outline that keys citeproc.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bookbuild_helpers import FIXTURE, copy_book, last_build, pdf_text, run, snapshot

from bookbuild.document.citations import citation_outline, is_note_style
from bookbuild.document.pandoc import markdown_to_ast
from bookbuild.state.store import RENDER_DIR as FOLDER

DATA = "chapters/01-data.qmd"
PROSE = "chapters/02-prose.qmd"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_book(FIXTURE, tmp_path_factory.mktemp("render") / "minibook")
    result = run(root, "build", "--quiet")
    assert result.code == 0, result.err
    rendered = last_build(root)["rendered_chapters"]
    assert len(rendered["html"]) == len(rendered["typst"]) > 3  # a first build renders all
    return root


@pytest.fixture
def book(built: Path, tmp_path: Path) -> Path:
    return copy_book(built, tmp_path / "minibook", with_products=True)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def build(root: Path) -> dict[str, list[str]]:
    """Build; the chapters rendered anew, by format."""
    result = run(root, "build", "--quiet")
    assert result.code == 0, result.err
    return last_build(root)["rendered_chapters"]


def rendered_without_cache(root: Path) -> dict[str, bytes]:
    """The edition a build renders with an empty render cache (the last one is kept aside)."""
    kept = snapshot(root / "_book")
    shutil.rmtree(root / FOLDER)
    (root / ".bookbuild" / "edition.json").unlink()
    rendered = build(root)
    assert len(rendered["html"]) > 3
    fresh = snapshot(root / "_book")
    assert kept.keys() == fresh.keys()
    return {name: data for name, data in kept.items() if fresh[name] != data}


@pytest.mark.slow
def test_prose_edit_renders_only_its_chapter(book: Path):
    edit(book / PROSE, "This chapter has no code.", "This chapter, edited, has no code.")
    assert build(book) == {"html": [PROSE], "typst": [PROSE]}
    assert "This chapter, edited, has no code." in pdf_text(book / "_book" / "thesis.pdf")
    assert rendered_without_cache(book) == {}


@pytest.mark.slow
def test_renumbering_edit_renders_the_chapters_that_show_the_numbers(book: Path):
    # a new section before "Figures" makes it 1.2; chapter 2 refers to it, the appendix not
    edit(
        book / DATA,
        "## Figures {#sec-figures}",
        "## Early results\n\nFirst.\n\n## Figures {#sec-figures}",
    )
    rendered = build(book)
    assert sorted(rendered["html"]) == sorted(rendered["typst"]) == [DATA, PROSE]
    assert "Section\u00a01.2" in (book / "_book" / "02-prose.html").read_text("utf-8")
    assert rendered_without_cache(book) == {}


@pytest.mark.slow
def test_unreadable_entries_are_rendered_again(book: Path):
    for entry in (book / FOLDER).iterdir():
        entry.write_text("{truncated", "utf-8")
    (book / ".bookbuild" / "edition.json").unlink()
    rendered = build(book)
    assert len(rendered["html"]) == len(rendered["typst"]) > 3
    assert rendered_without_cache(book) == {}


@pytest.mark.slow
def test_citation_edit_runs_citeproc_again(book: Path):
    edit(
        book / PROSE,
        "This chapter has no code.",
        "This chapter has no code [@knuth1984literate, p. 12].",
    )
    rendered = build(book)
    assert rendered["citeproc"] == ["the citations"]
    assert "Knuth 1984, 12" in " ".join(pdf_text(book / "_book" / "thesis.pdf").split())
    assert rendered_without_cache(book) == {}


def outline(markdown: str) -> list:
    return citation_outline(markdown_to_ast(markdown, Path.cwd(), "a test")["blocks"])


def test_citation_outline_ignores_prose_and_sees_citations():
    base = outline("Some text [@a]. More text @b.\n\n::: {#refs}\n:::\n")
    assert [kind for kind, _trail, _data in base] == ["cite", "cite", "refs"]
    assert (
        outline("Other words [@a]. Still more @b.\n\nNew paragraph.\n\n::: {#refs}\n:::\n") == base
    )
    assert outline("Some text [@a, p. 3]. More text @b.\n\n::: {#refs}\n:::\n") != base
    assert outline("Some text @b. More text [@a].\n\n::: {#refs}\n:::\n") != base
    in_note = outline("Some text.[^1] More text @b.\n\n[^1]: See [@a].\n\n::: {#refs}\n:::\n")
    assert in_note != base and "Note" in in_note[0][1]


def test_note_styles_are_recognised(tmp_path: Path):
    note, in_text = tmp_path / "note.csl", tmp_path / "author-date.csl"
    note.write_text(
        '<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" '
        'class="note" version="1.0"></style>\n',
        "utf-8",
    )
    in_text.write_text('<style class="in-text" version="1.0"></style>\n', "utf-8")
    assert is_note_style(note) and not is_note_style(in_text) and not is_note_style(None)

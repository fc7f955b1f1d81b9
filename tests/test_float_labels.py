"""Labelled images as Quarto reads them: `![](img){#fig-x}` without a caption and a linked
`[![c](img){#fig-x}](url)` are figures; images labelled tbl- in a table div are its
sub-tables; a labelled image inside running text is refused, naming its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookbuild.document import pandoc
from bookbuild.document.ast import stringify, walk
from bookbuild.document.chapter import Chapter
from bookbuild.document.crossref import check_attrs, number_book
from bookbuild.errors import BuildError


def _numbered(text: str) -> tuple[list, dict]:
    blocks = pandoc.markdown_to_ast(text, Path.cwd(), "one.qmd")["blocks"]
    chapter = Chapter(
        path=Path("one.qmd"), page="one.html", appendix=False, part=None, source=text, blocks=blocks
    )
    check_attrs([chapter])
    return chapter.blocks, number_book([chapter])


def test_an_image_labelled_without_a_caption_is_a_numbered_figure():
    blocks, targets = _numbered("# One\n\n![](a.svg){#fig-bare}\n\nSee @fig-bare.\n")
    figure = next(n for n in walk(blocks) if n["t"] == "Figure")
    assert figure["c"][0][0] == "fig-bare"
    assert stringify(figure["c"][1][1]) == "Figure\u00a01.1:"
    assert targets["fig-bare"].text == "Figure\u00a01.1"


def test_a_linked_labelled_image_is_a_figure_that_keeps_its_link():
    blocks, targets = _numbered("# One\n\n[![Cap](a.svg){#tbl-linked}](https://x.org/)\n")
    figure = next(n for n in walk(blocks) if n["t"] == "Figure")
    assert stringify(figure["c"][1][1]) == "Table\u00a01.1: Cap"
    link = next(n for n in walk(figure["c"][2]) if n["t"] == "Link")
    assert link["c"][2][0] == "https://x.org/"
    assert next(n for n in walk(link) if n["t"] == "Image")["c"][0][0] == ""  # id on the float
    assert targets["tbl-linked"].kind == "tbl"


def test_images_labelled_tbl_in_a_table_div_are_its_sub_tables():
    text = (
        "# One\n\n::: {#tbl-pair layout-ncol=2}\n![A](a.svg){#tbl-pair-a}\n\n"
        "![B](b.svg){#tbl-pair-b}\n\nBoth\n:::\n"
    )
    _, targets = _numbered(text)
    assert {k: t.number for k, t in targets.items()} == {
        "tbl-pair": "1.1",
        "tbl-pair-a": "1.1 (a)",
        "tbl-pair-b": "1.1 (b)",
    }


def test_a_labelled_image_inside_text_is_refused():
    with pytest.raises(BuildError) as raised:
        _numbered("# One\n\nText ![A](a.svg){#fig-inline} more text.\n")
    assert "one.qmd:3" in str(raised.value)
    assert "the labelled image 'fig-inline' must be a paragraph of its own" in str(raised.value)

"""Quarto's `.list-table` divs become tables; what they cannot hold is refused by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bookbuild.document import pandoc
from bookbuild.document.ast import stringify, walk
from bookbuild.document.chapter import Chapter
from bookbuild.document.crossref import number_book
from bookbuild.errors import BuildError

ROWS = "* - a\n  - b\n\n* - 1\n  - 2\n\n* - 3\n"


def _numbered(text: str) -> tuple[list, dict]:
    blocks = pandoc.markdown_to_ast(text, Path.cwd(), "one.qmd")["blocks"]
    chapter = Chapter(
        path=Path("one.qmd"), page="one.html", appendix=False, part=None, source=text, blocks=blocks
    )
    return chapter.blocks, number_book([chapter])


def _cells(rows: list) -> list[list[str]]:
    return [[stringify(cell[4]) for cell in row[1]] for row in rows]


def test_an_unlabelled_list_table_with_two_header_rows_and_a_short_row_padded():
    blocks, targets = _numbered(f'# One\n\n::: {{.list-table header-rows="2"}}\n{ROWS}:::\n')
    table = next(n for n in walk(blocks) if n["t"] == "Table")
    assert _cells(table["c"][3][1]) == [["a", "b"], ["1", "2"]]
    assert _cells(table["c"][4][0][3]) == [["3", ""]]
    assert not targets


def test_a_labelled_list_table_takes_its_caption_and_number():
    text = f"# One\n\n::: {{#tbl-l .list-table}}\nThe caption.\n\n{ROWS}:::\n"
    blocks, targets = _numbered(text)
    table = next(n for n in walk(blocks) if n["t"] == "Table")
    assert table["c"][0][0] == "tbl-l"
    assert stringify(table["c"][1][1]) == "Table\u00a01.1: The caption."
    assert targets["tbl-l"].number == "1.1"


@pytest.mark.parametrize(
    ("attrs", "body", "message"),
    [
        ('header-cols="1"', ROWS, "'header-cols' is not supported by this build"),
        ('widths="1"', ROWS, "widths must be 2 positive numbers"),
        ('aligns="l,x"', ROWS, "aligns must be 2 of l, c, r, d"),
        ("", "* a\n* b\n", "each row must be a list of cells"),
        ("", "Text.\n\nMore text.\n", "it must hold one list of rows"),
    ],
)
def test_what_a_list_table_refuses(attrs, body, message):
    with pytest.raises(BuildError) as raised:
        _numbered(f"# One\n\n::: {{#tbl-bad .list-table {attrs}}}\n{body}:::\n")
    assert f"one.qmd:3: list table 'tbl-bad': {message}" in str(raised.value)

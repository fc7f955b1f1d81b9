"""A table's `tbl-colwidths` attribute (`: caption {tbl-colwidths="[30,70]"}`): the column
widths in percent, read and checked before numbering, so both editions use them (Pandoc
writes them as the HTML `<colgroup>` and the Typst table's `columns`). The attribute stays
on the table as the mark that the widths were given (`given_widths`): the PDF does not
size such a table's columns from their content, and the HTML writer drops it."""

from __future__ import annotations

import json
from pathlib import Path

from bookbuild.document.ast import Node
from bookbuild.errors import BuildError

COLWIDTHS = "tbl-colwidths"


def _line(source: str, given: str) -> int | None:
    """The first line that gives `tbl-colwidths` the value `given` (else any that names it)."""
    lines = [(n, line) for n, line in enumerate(source.splitlines(), 1) if COLWIDTHS in line]
    return next((n for n, line in lines if given in line), lines[0][0] if lines else None)


def _percentages(text: str) -> list[float] | None:
    """The widths `text` lists ("[30, 70]"), or None when it is not a list of positive
    numbers."""
    try:
        values = json.loads(text)
    except ValueError:
        return None
    if not isinstance(values, list) or not values:
        return None
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values):
        return None
    return [float(v) for v in values]


def table_colwidths(nodes: list[Node], path: Path, source: str) -> None:
    """Each table among `nodes` (`ast.elements`) with a `tbl-colwidths` attribute gets those
    column widths (percent of the text width), in place; a value that is not one positive
    number per column stops the build."""
    if COLWIDTHS not in source:
        return
    for node in nodes:
        if node["t"] != "Table":
            continue
        given = dict(node["c"][0][2]).get(COLWIDTHS)
        if given is None:
            continue
        specs = node["c"][2]
        widths = _percentages(given)
        if widths is None or len(widths) != len(specs):
            raise BuildError(
                f"table {COLWIDTHS}={given!r}: give {len(specs)} positive numbers, one per "
                f'column, in percent (as {COLWIDTHS}="[{", ".join(["50"] * len(specs))}]")',
                path,
                _line(source, given),
            )
        node["c"][2] = [
            [align, {"t": "ColWidth", "c": width / 100}]
            for (align, _), width in zip(specs, widths, strict=True)
        ]


def given_widths(table: Node) -> bool:
    """Whether the author gave the table's column widths (`tbl-colwidths`)."""
    return any(key == COLWIDTHS for key, _ in table["c"][0][2])

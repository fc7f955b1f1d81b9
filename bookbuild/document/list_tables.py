"""Quarto's list tables: a `::: {.list-table}` div holding a list of rows, each a list of
cells, becomes a table (in place, before numbering). `header-rows` (default 1), `widths`
("0.2,0.8") and `aligns` ("l,c,r,d") are read; a paragraph in the div is the caption, and a
trailing `{tbl-colwidths=[20,80]}` in it sets the widths too. Other attributes are refused.
"""

from __future__ import annotations

import json
from pathlib import Path

from bookbuild.document.ast import Node
from bookbuild.errors import BuildError

CLASS = "list-table"
ATTRIBUTES = ("header-rows", "widths", "aligns")
_ALIGNS = {"l": "AlignLeft", "c": "AlignCenter", "r": "AlignRight", "d": "AlignDefault"}


def _line(source: str, needle: str) -> int | None:
    return next((n for n, line in enumerate(source.splitlines(), 1) if needle in line), None)


def list_tables(nodes: list[Node], path: Path, source: str) -> None:
    """Each `.list-table` div among `nodes` (`ast.elements`) becomes a table, in place; a
    labelled one stays a div around its table and caption, as a table div does."""
    if CLASS not in source:
        return
    for node in nodes:
        if node["t"] == "Div" and CLASS in node["c"][0][1]:
            _convert(node, path, source)


def _fail(what: str, path: Path, source: str, ident: str) -> BuildError:
    where = _line(source, f"#{ident}") if ident else _line(source, CLASS)
    return BuildError(f"list table{f' {ident!r}' if ident else ''}: {what}", path, where)


def _convert(div: Node, path: Path, source: str) -> None:
    (ident, classes, attrs), blocks = div["c"]
    options = dict(attrs)
    other = [k for k in options if k not in ATTRIBUTES]
    if other:
        raise _fail(
            f"'{other[0]}' is not supported by this build (it reads {', '.join(ATTRIBUTES)})",
            path,
            source,
            ident,
        )
    lists = [b for b in blocks if b["t"] == "BulletList"]
    paras = [b for b in blocks if b["t"] in ("Para", "Plain")]
    if len(lists) != 1 or len(lists) + len(paras) != len(blocks) or len(paras) > 1:
        raise _fail(
            "it must hold one list of rows (and at most one caption paragraph)",
            path,
            source,
            ident,
        )
    rows = []
    for item in lists[0]["c"]:
        if len(item) != 1 or item[0]["t"] != "BulletList":
            raise _fail("each row must be a list of cells", path, source, ident)
        rows.append(item[0]["c"])
    ncols = max(len(r) for r in rows)
    caption = paras[0]["c"] if paras else []
    widths = _widths(options.get("widths"), ncols, path, source, ident)
    if caption and caption[-1]["t"] == "Str" and caption[-1]["c"].startswith("{tbl-colwidths="):
        given = caption[-1]["c"].removeprefix("{tbl-colwidths=").removesuffix("}")
        widths = widths or _widths(given.strip("[]"), ncols, path, source, ident)
        caption = caption[:-1]
        while caption and caption[-1]["t"] in ("Space", "SoftBreak"):
            caption = caption[:-1]
    aligns = _aligns(options.get("aligns"), ncols, path, source, ident)
    try:
        head_rows = int(options.get("header-rows", "1"))
    except ValueError:
        head_rows = -1
    if not 0 <= head_rows <= len(rows):
        raise _fail("header-rows must be a whole number of rows", path, source, ident)
    table = _table(rows, ncols, head_rows, widths, aligns)
    if ident:  # a labelled list table: a table div, its caption the last paragraph
        div["c"] = [[ident, [c for c in classes if c != CLASS], []], [table]]
        if caption:
            div["c"][1].append({"t": "Para", "c": caption})
        return
    table["c"][1] = [None, [{"t": "Plain", "c": caption}] if caption else []]
    div["t"], div["c"] = table["t"], table["c"]


def _widths(text: str | None, ncols: int, path: Path, source: str, ident: str) -> list | None:
    if not text:
        return None
    try:
        values = [float(w) for w in text.replace(" ", "").split(",")]
    except ValueError:
        values = []
    if len(values) != ncols or not all(v > 0 for v in values):
        raise _fail(f"widths must be {ncols} positive numbers", path, source, ident)
    total = sum(values)
    return [v / total for v in values]


def _aligns(text: str | None, ncols: int, path: Path, source: str, ident: str) -> list[str]:
    if not text:
        return ["AlignDefault"] * ncols
    letters = text.replace(" ", "").split(",")
    if len(letters) != ncols or any(a not in _ALIGNS for a in letters):
        raise _fail(f"aligns must be {ncols} of l, c, r, d", path, source, ident)
    return [_ALIGNS[a] for a in letters]


def _table(
    rows: list[list[list[Node]]],
    ncols: int,
    head_rows: int,
    widths: list[float] | None,
    aligns: list[str],
) -> Node:
    """A Pandoc table from rows of cells (each cell a list of blocks), short rows padded."""

    def row(cells: list[list[Node]]) -> list:
        padded = [*cells, *([[]] * (ncols - len(cells)))]
        return [["", [], []], [[["", [], []], {"t": "AlignDefault"}, 1, 1, c] for c in padded]]

    colspecs = [
        [{"t": align}, {"t": "ColWidth", "c": w} if widths else {"t": "ColWidthDefault"}]
        for align, w in zip(aligns, widths or [0.0] * ncols, strict=True)
    ]
    head = [["", [], []], [row(r) for r in rows[:head_rows]]]
    body = [["", [], []], 0, [], [row(r) for r in rows[head_rows:]]]
    return json.loads(
        json.dumps(
            {
                "t": "Table",
                "c": [["", [], []], [None, []], colspecs, head, [body], [["", [], []], []]],
            }
        )
    )

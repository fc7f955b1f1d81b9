"""Figure and table divs, subfigures (`::: {#fig-x layout-ncol=2}`) and margin content.

A div labelled `fig-…` becomes a figure whose caption is its last paragraph (or its `fig-cap`
attribute); what it holds may be anything, a table too. A `tbl-…` div around one table labels
that table; around other content (an image, a plot) it is a Table float all the same, as is
an image figure labelled `tbl-…` (`![caption](img){#tbl-x}`). The figures
inside it (images, or divs labelled `fig-…`) are its subfigures when there are two or more
or any is labelled: crossref numbers them (a), (b) and `@fig-x-1` shows "Figure 1.2 (a)".
`layout-ncol`, `layout-nrow` and `layout="[[1,1],[1]]"` arrange them in rows (on a div
without a label, its blocks); the writers lay the rows out as grids.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from pathlib import Path

from bookbuild.document.ast import Node, copy_of, walk
from bookbuild.document.pandoc import markdown_to_ast
from bookbuild.errors import BuildError

MARGIN_CLASSES = ("column-margin", "aside")
# Quarto's other article-layout columns: shown at the body's width, as Quarto's PDF shows them
# without a margin layout (this build's HTML has one text column and a margin), with a warning;
# the class stays on the element, so CSS written for Quarto still finds it.
OTHER_COLUMNS = (
    "column-body",
    "column-body-outset",
    "column-page",
    "column-page-inset",
    "column-screen",
    "column-screen-inset",
    "column-body-outset-left",
    "column-body-outset-right",
    "column-page-left",
    "column-page-right",
    "column-page-inset-left",
    "column-page-inset-right",
    "column-screen-left",
    "column-screen-right",
    "column-screen-inset-left",
    "column-screen-inset-right",
    "column-screen-inset-shaded",
    "column-margin-left",
)
log = logging.getLogger("bookbuild")

SUBFIGURE = "subfigure"  # also marks the sub-tables of a table panel
TABLE_PANEL = "table-panel"  # a figure holding sub-tables (`::: {#tbl-x layout-ncol=2}`)
ROWS = "layout-rows"  # attribute on the figure: the rows' relative widths, as JSON
LAYOUT_KEYS = ("layout-ncol", "layout-nrow", "layout")


def _line(source: str, needle: str) -> int | None:
    return next((n for n, line in enumerate(source.splitlines(), 1) if needle in line), None)


def figure_of(div: Node) -> Node:
    """A `fig-` div as a Pandoc Figure: the last paragraph is the caption, or the div's
    `fig-cap` (`tbl-cap` on a `tbl-` div) attribute when it has one."""
    (ident, classes, attrs), blocks = div["c"]
    caption: list[Node] = []
    key = f"{ident.split('-', 1)[0]}-cap"
    given = [value for name, value in attrs if name == key]
    if given:
        caption = [{"t": "Plain", "c": caption_inlines(given[0])}]
        attrs = [kv for kv in attrs if kv[0] != key]
    elif len(blocks) > 1 and blocks[-1]["t"] == "Para":
        caption, blocks = [{"t": "Plain", "c": blocks[-1]["c"]}], blocks[:-1]
    else:
        caption, blocks = _raw_table_caption(blocks)
    return {"t": "Figure", "c": [[ident, classes, attrs], [None, caption], blocks]}


_RAW_CAPTION = re.compile(r"<caption\b[^>]*>(.*?)</caption>\s*", re.S | re.I)


def _raw_table_caption(blocks: list[Node]) -> tuple[list[Node], list[Node]]:
    """The float's caption from a raw HTML table's own `<caption>`, as Quarto takes it (the
    element leaves the table, so the caption is not shown twice); none when there is none."""
    for index, block in enumerate(blocks):
        if block["t"] == "RawBlock" and block["c"][0] == "html":
            found = _RAW_CAPTION.search(block["c"][1])
            if found:
                text = html.unescape(re.sub(r"<[^>]+>", "", found[1])).strip()
                raw = block["c"][1][: found.start()] + block["c"][1][found.end() :]
                rest = [
                    *blocks[:index],
                    {"t": "RawBlock", "c": ["html", raw]},
                    *blocks[index + 1 :],
                ]
                return [{"t": "Plain", "c": caption_inlines(text)}], rest
    return [], blocks


def caption_inlines(text: str) -> list[Node]:
    """A caption written in an attribute as Pandoc inlines: markdown, as in Quarto (parsed
    only when it holds markup characters; plain words and spaces otherwise)."""
    if re.search(r"[*_`$\[\\^~<@]", text):
        blocks = markdown_to_ast(text, Path.cwd(), "a caption attribute")["blocks"]
        if len(blocks) == 1 and blocks[0]["t"] in ("Para", "Plain"):
            return blocks[0]["c"]
    out: list[Node] = []
    for word in text.split():
        if out:
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": word})
    return out


def _convert(nodes: list[Node], path: Path, source: str) -> None:
    """In place: `fig-` divs become figures, `tbl-` divs label their table, other divs with a
    layout get their rows."""
    for node in nodes:
        if node["t"] == "Figure" and node["c"][0][0].startswith("tbl-"):
            node["c"][0][1].append(TABLE_PANEL)  # `![caption](img){#tbl-x}`: a Table
        if node["t"] != "Div":
            continue
        ident, _classes, attrs = node["c"][0]
        if ident.startswith("fig-"):
            figure = figure_of(node)
            node["t"], node["c"] = figure["t"], figure["c"]
        elif ident.startswith("tbl-") and sum(b["t"] == "Table" for b in node["c"][1]) > 1:
            figure = figure_of(node)  # a panel of sub-tables, captioned like a table
            node["t"], node["c"] = figure["t"], figure["c"]
            node["c"][0][1].append(TABLE_PANEL)
        elif ident.startswith("tbl-") and not any(b["t"] == "Table" for b in node["c"][1]):
            # a Table float around other content (an image, a plot, text): as Quarto, a
            # Table all the same, captioned and numbered as a table
            figure = figure_of(node)
            node["t"], node["c"] = figure["t"], figure["c"]
            node["c"][0][1].append(TABLE_PANEL)
        elif ident.startswith("tbl-"):
            if any(key in LAYOUT_KEYS for key, _ in attrs) and any(
                b["t"] == "Table" for b in node["c"][1]
            ):
                raise BuildError(
                    f"a layout on the table div '{ident}' needs two or more sub-tables",
                    path,
                    _line(source, ident),
                )
            _table_of(node, path, source)
        elif any(key in LAYOUT_KEYS for key, _ in attrs):
            _layout_div(node, path, source)


def _image_label(inline: Node) -> tuple[Node, str] | None:
    """(the image, its label) of an image labelled fig-/tbl-, bare or inside a link."""
    image = inline
    if inline["t"] == "Link" and len(inline["c"][1]) == 1:
        image = inline["c"][1][0]
    if image["t"] == "Image" and image["c"][0][0].split("-", 1)[0] in ("fig", "tbl"):
        return image, image["c"][0][0]
    return None


def labelled_images(blocks: list[Node], path: Path, source: str) -> None:
    """Paragraphs that are one labelled image become figures (`_labelled_image`), and so do
    paragraphs that are one linked image with a caption (`_linked_image`), in place; before
    `prepare_figures`, which then sees them as figures."""
    labelled = "{#fig-" in source or "{#tbl-" in source
    if not labelled and "[![" not in source:
        return
    for node in walk(blocks):
        if node["t"] == "Para":
            _linked_image(node)
        if labelled and node["t"] in ("Para", "Plain"):
            _labelled_image(node, path, source)


def _linked_image(para: Node) -> None:
    """A paragraph that is one link around one unlabelled image with a caption
    (`[![A map](map.png)](https://...)`) becomes an unnumbered figure of the linked image, in
    place, as in Quarto (Pandoc makes figures of bare images only)."""
    inlines = [i for i in para["c"] if i["t"] not in ("Space", "SoftBreak")]
    if len(inlines) != 1 or inlines[0]["t"] != "Link" or len(inlines[0]["c"][1]) != 1:
        return
    image = inlines[0]["c"][1][0]
    if image["t"] != "Image" or image["c"][0][0] or not image["c"][1]:
        return
    caption = [{"t": "Plain", "c": copy_of(image["c"][1])}]
    para["t"], para["c"] = "Figure", [["", [], []], [None, caption], [{"t": "Plain", "c": inlines}]]


def _labelled_image(para: Node, path: Path, source: str) -> None:
    """A paragraph that is one labelled image (`![c](img){#fig-x}`, also without a caption or
    inside a link) becomes that figure, in place, as in Quarto; a labelled image among other
    text is refused (it would be neither a figure nor numbered)."""
    inlines = [i for i in para["c"] if i["t"] not in ("Space", "SoftBreak")]
    found = [f for i in para["c"] if (f := _image_label(i))]
    if not found:
        return
    image, ident = found[0]
    if len(inlines) != 1 or len(found) != 1:
        raise BuildError(
            f"the labelled image '{ident}' must be a paragraph of its own to be a figure or table",
            path,
            _line(source, f"#{ident}"),
        )
    image["c"][0][0] = ""
    caption = [{"t": "Plain", "c": image["c"][1]}] if image["c"][1] else []
    figure = {
        "t": "Figure",
        "c": [[ident, [], []], [None, caption], [{"t": "Plain", "c": inlines}]],
    }
    para["t"], para["c"] = figure["t"], figure["c"]


def _layout_div(div: Node, path: Path, source: str) -> None:
    """A div with a layout and no figure label: its blocks are laid out in rows (in place)."""
    attrs = div["c"][0][2]
    key = next(k for k, _ in attrs if k in LAYOUT_KEYS)
    cells = div["c"][1]
    rows = _rows(dict(attrs), len(cells), (path, _line(source, key)))
    div["c"][0][2] = [kv for kv in attrs if kv[0] not in LAYOUT_KEYS]
    div["c"][0][2].append([ROWS, json.dumps(rows)])


def _table_of(div: Node, path: Path, source: str) -> None:
    """A `tbl-` div around one table: the table takes the label, and the div's last
    paragraph is its caption unless the table has its own (in place)."""
    ident, blocks = div["c"][0][0], div["c"][1]
    tables = [b for b in blocks if b["t"] == "Table"]
    if not tables:
        raise BuildError(
            f"the div '{ident}' must hold a table (found none)", path, _line(source, ident)
        )
    table = tables[0]
    last = blocks[-1]
    if last is not table and last["t"] == "Para" and not table["c"][1][1]:
        table["c"][1] = [None, [{"t": "Plain", "c": last["c"]}]]
        div["c"][1] = blocks[:-1]
    table["c"][0][0] = ident
    div["c"][0][0] = ""


def _rows(attrs: dict[str, str], count: int, where: tuple[Path, int | None]) -> list[list[float]]:
    try:
        if "layout" in attrs:
            rows = json.loads(attrs["layout"])
            if not (
                isinstance(rows, list)
                and rows
                and all(isinstance(r, list) and r for r in rows)
                and all(isinstance(w, int | float) and w > 0 for r in rows for w in r)
            ):
                raise ValueError
            return [[float(w) for w in row] for row in rows]
        if "layout-ncol" in attrs:
            ncol = int(attrs["layout-ncol"])
        elif "layout-nrow" in attrs:
            ncol = math.ceil(count / int(attrs["layout-nrow"]))
        else:
            ncol = count
        if ncol < 1:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise BuildError(
            "a figure layout must be layout-ncol=N, layout-nrow=N or "
            'layout="[[1,1],[1]]" (positive widths; spacers are not supported)',
            *where,
        ) from None
    return [[1.0] * min(ncol, count - start) for start in range(0, count, ncol)]


def prepare_figures(nodes: list[Node], path: Path, source: str) -> None:
    """Figure divs become figures; their subfigures are marked and laid out in rows.
    `nodes`: the chapter's elements (`ast.elements`)."""
    _convert(nodes, path, source)
    for node in nodes:
        if node["t"] != "Figure" or SUBFIGURE in node["c"][0][1]:
            continue
        ident, _classes, attr_list = node["c"][0]
        attrs = dict(attr_list)
        content = node["c"][2]
        inner = "Table" if TABLE_PANEL in _classes else "Figure"
        subs = [  # a table panel's sub-tables may be images labelled tbl- too
            b
            for b in content
            if b["t"] == inner
            or (inner == "Table" and b["t"] == "Figure" and TABLE_PANEL in b["c"][0][1])
        ]
        labelled = [s for s in subs if s["c"][0][0]]
        layout = any(key in attrs for key in LAYOUT_KEYS)
        where = (path, _line(source, ident) if ident else None)
        if len(subs) >= 2 or labelled:
            rows = _rows(attrs, len(subs), where)
            if sum(len(r) for r in rows) < len(subs):
                raise BuildError(
                    f"the layout of '{ident}' has room for "
                    f"{sum(len(r) for r in rows)} subfigures, not {len(subs)}",
                    *where,
                )
            for sub in subs:
                sub["c"][0][1].append(SUBFIGURE)
            node["c"][0][2] = [kv for kv in attr_list if kv[0] not in LAYOUT_KEYS]
            node["c"][0][2].append([ROWS, json.dumps(rows)])
        elif layout:
            what = "sub-tables (tables or tbl- divs)" if inner == "Table" else "subfigures"
            raise BuildError(
                f"{'table' if inner == 'Table' else 'figure'} '{ident}' has a layout but no "
                f"{what} to lay out" + ("" if inner == "Table" else " (images or fig- divs)"),
                *where,
            )
        elif len(subs) == 1:  # a div around one image: the image is the figure's content
            at = content.index(subs[0])
            content[at : at + 1] = subs[0]["c"][2]
        elif inner == "Table" and len(images := [b for b in content if b["t"] == "Figure"]) == 1:
            at = content.index(images[0])  # a table div around one image, as for figures
            content[at : at + 1] = images[0]["c"][2]


def subfigure_rows(figure: Node) -> list[list[float]] | None:
    """The rows (relative widths) of a figure with subfigures or a layout div, else None."""
    rows = dict(figure["c"][0][2]).get(ROWS)
    return json.loads(rows) if rows else None


def is_margin(node: Node) -> bool:
    """A `.column-margin` or `.aside` div or span (margin content)."""
    return node.get("t") in ("Div", "Span") and any(c in MARGIN_CLASSES for c in node["c"][0][1])


def check_columns(nodes: list[Node], path: Path, source: str) -> None:
    """Column classes other than the margin are shown at the body's width, with a warning
    naming the line. `nodes`: the chapter's elements (`ast.elements`)."""
    for node in nodes:
        if node["t"] not in ("Div", "Span", "Figure", "Table", "CodeBlock"):
            continue
        attr = node["c"][0]
        if "margin-caption" in attr[1]:
            where = _line(source, f"#{attr[0]}") if attr[0] else None
            log.warning(
                "%s:%s: .margin-caption is ignored: the caption stays with its "
                "figure, table or listing",
                path,
                where or _line(source, "margin-caption"),
            )
        other = [c for c in attr[1] if c in OTHER_COLUMNS and c != "column-body"]
        if other:
            log.warning(
                "%s:%s: .%s is shown at the body's width in both editions (this build has "
                "one text column and a margin; Quarto's PDF does the same)",
                path,
                _line(source, other[0]),
                other[0],
            )

"""Tables' classes as Quarto writes them in HTML: every table is a Bootstrap `table`; the
Bootstrap names an author gives on its caption (`: caption {.striped .hover}`) become
Bootstrap's classes (`table-striped`, `table-hover`), other classes stay as given; a captioned
table whose caption is above it is `caption-top` (`caption-bottom` below, which the book's
CSS places). Labelled, unlabelled and a cell's DataFrame tables (woven into pipe tables) alike;
a raw HTML table's `<table>` tag gets `table` and Bootstrap's names too, unless
`html-table-processing: none` (front matter, or an attribute of a div around it) says not.
"""

from __future__ import annotations

import html
import re

from bookbuild.document.ast import Div, Node, walk
from bookbuild.document.table_options import COLWIDTHS
from bookbuild.writers.caption_locations import location
from bookbuild.writers.rewrites import rewrite_blocks

# the table-wide Bootstrap classes Quarto prefixes with `table-` (Quarto's "Tables" page)
BOOTSTRAP = frozenset(
    (
        "primary",
        "secondary",
        "success",
        "danger",
        "warning",
        "info",
        "light",
        "dark",
        "striped",
        "hover",
        "active",
        "bordered",
        "borderless",
        "sm",
        "responsive",
        "responsive-sm",
        "responsive-md",
        "responsive-lg",
        "responsive-xl",
        "responsive-xxl",
    )
)


def _responsive(name: str) -> bool:
    return name == "responsive" or name.startswith("responsive-")


def table_classes(classes: list[str], captioned: bool, where: str) -> list[str]:
    """A table's classes in Quarto's HTML: `caption-top`/`caption-bottom` when `captioned`
    (`where` the caption goes), `table`, then the author's, Bootstrap's names prefixed (but
    `responsive`, which goes on a div around the table: `responsive_tables`)."""
    placed = [f"caption-{where}"] if captioned else []
    own = [f"table-{c}" if c in BOOTSTRAP else c for c in classes if not _responsive(c)]
    return [*placed, "table", *(c for c in own if c not in ("table", *placed))]


PROCESSING = "html-table-processing"
_TABLE_TAG = re.compile(r"<table(?=[\s>/])([^>]*)>", re.I)
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.I)


def _raw_table_tag(match: re.Match[str]) -> str:
    """A raw `<table ...>` tag with `table` and Bootstrap's names among its classes."""
    attrs = match[1]
    found = _CLASS.search(attrs)
    given = html.unescape(next((g for g in found.groups() if g is not None), "")) if found else ""
    classes = html.escape(" ".join(table_classes(given.split(), False, "top")))
    rest = attrs[: found.start()] + attrs[found.end() :] if found else attrs
    return f'<table class="{classes}"{rest}>'


def raw_html_tables(blocks: list[Node], processing: str | None = None) -> list[Node]:
    """The raw HTML tables of `blocks` with Quarto's classes (in place), except under
    `processing` "none" (the chapter's `html-table-processing`) or in a div whose
    `html-table-processing` attribute is none; the attribute is dropped."""
    for block in blocks:
        if block.get("t") == "Div":
            attrs = block["c"][0][2]
            own = dict(attrs).get(PROCESSING, processing)
            block["c"][0][2] = [kv for kv in attrs if kv[0] != PROCESSING]
            raw_html_tables(block["c"][1], own)
        elif block.get("t") == "BlockQuote":
            raw_html_tables(block["c"], processing)
        elif block.get("t") == "Figure":
            raw_html_tables(block["c"][2], processing)
        elif block.get("t") in ("BulletList", "OrderedList"):
            items = block["c"] if block["t"] == "BulletList" else block["c"][1]
            for item in items:
                raw_html_tables(item, processing)
        elif block.get("t") == "RawBlock" and block["c"][0] == "html" and processing != "none":
            block["c"][1] = _TABLE_TAG.sub(_raw_table_tag, block["c"][1])
    return blocks


def responsive_tables(blocks: list[Node]) -> list[Node]:
    """A table given Bootstrap's `responsive` (or `responsive-sm` ...) class in a div of
    `table-responsive` (`-sm` ...), as Quarto writes it (Bootstrap scrolls that div)."""

    def fn(block: Node) -> list[Node]:
        if block.get("t") != "Table":
            return [block]
        wanted = [c for c in block["c"][0][1] if _responsive(c)]
        return [Div("", [f"table-{wanted[0]}"], [block])] if wanted else [block]

    return rewrite_blocks(blocks, fn)


def html_tables(
    blocks: list[Node], locations: dict[str, str] | None = None, processing: str | None = None
) -> list[Node]:
    """Every table in `blocks` with Quarto's classes (in place; `locations`: where captions
    go when not in Quarto's default place; `processing`: the chapter's
    `html-table-processing`, for raw HTML tables); the `tbl-colwidths` mark is dropped (the
    widths are the table's column specs already)."""
    where = location("tbl", locations or {})
    blocks = responsive_tables(raw_html_tables(blocks, processing))
    for node in walk(blocks):
        if node.get("t") != "Table":
            continue
        ident, classes, attrs = node["c"][0]
        captioned = bool(node["c"][1][1])
        node["c"][0] = [
            ident,
            table_classes(classes, captioned, where),
            [[k, v] for k, v in attrs if k != COLWIDTHS],
        ]
    return blocks

"""Tables' classes as Quarto writes them in HTML: every table is a Bootstrap `table`; the
Bootstrap names an author gives on its caption (`: caption {.striped .hover}`) become
Bootstrap's classes (`table-striped`, `table-hover`), other classes stay as given; a captioned
table whose caption is above it is `caption-top` (`caption-bottom` below, which the book's
CSS places). Labelled, unlabelled and a cell's DataFrame tables (woven into pipe tables) alike.
"""

from __future__ import annotations

from bookbuild.document.ast import Node, walk
from bookbuild.document.table_options import COLWIDTHS
from bookbuild.writers.caption_locations import location

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


def table_classes(classes: list[str], captioned: bool, where: str) -> list[str]:
    """A table's classes in Quarto's HTML: `caption-top`/`caption-bottom` when `captioned`
    (`where` the caption goes), `table`, then the author's, Bootstrap's names prefixed."""
    placed = [f"caption-{where}"] if captioned else []
    own = [f"table-{c}" if c in BOOTSTRAP else c for c in classes]
    return [*placed, "table", *(c for c in own if c not in ("table", *placed))]


def html_tables(blocks: list[Node], locations: dict[str, str] | None = None) -> list[Node]:
    """Every table in `blocks` with Quarto's classes (in place; `locations`: where captions
    go when not in Quarto's default place); the `tbl-colwidths` mark is dropped (the widths
    are the table's column specs already)."""
    where = location("tbl", locations or {})
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

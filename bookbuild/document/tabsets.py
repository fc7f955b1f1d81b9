"""`::: {.panel-tabset}`: tabs split at the level of the tabset's first heading, as Quarto does.

Before numbering, each tab's heading is marked `.unnumbered .unlisted` (Quarto numbers no tab
titles); the writers then make tabs of them in HTML and plain headed sections in the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bookbuild.document.ast import Node
from bookbuild.errors import BuildError

TABSET = "panel-tabset"
TAB_TITLE = "panel-tab-title"


@dataclass
class Tab:
    title: list[Node]  # the heading's inlines
    header: Node  # the heading itself
    blocks: list[Node]  # the tab's content
    active: bool


def is_tabset(node: Node) -> bool:
    return node.get("t") == "Div" and TABSET in node["c"][0][1]


def split_tabs(div: Node) -> tuple[list[Node], list[Tab]]:
    """(content before the first tab, the tabs) of a tabset div."""
    content = div["c"][1]
    level = next((b["c"][0] for b in content if b["t"] == "Header"), None)
    before: list[Node] = []
    tabs: list[Tab] = []
    for block in content:
        if block["t"] == "Header" and block["c"][0] == level:
            tabs.append(Tab(block["c"][2], block, [], "active" in block["c"][1][1]))
        elif tabs:
            tabs[-1].blocks.append(block)
        else:
            before.append(block)
    return before, tabs


def _line(source: str, needle: str) -> int | None:
    return next((n for n, line in enumerate(source.splitlines(), 1) if needle in line), None)


def prepare_tabsets(nodes: list[Node], path: Path, source: str) -> None:
    """Mark tab headings unnumbered and unlisted; a tabset without headings is an error.
    `nodes`: the chapter's elements (`ast.elements`)."""
    for node in nodes:
        if not is_tabset(node):
            continue
        _before, tabs = split_tabs(node)
        if not tabs:
            raise BuildError(
                "a .panel-tabset needs a heading for each tab (e.g. '## Tab')",
                path,
                _line(source, TABSET),
            )
        for tab in tabs:
            classes = tab.header["c"][1][1]
            for cls in ("unnumbered", "unlisted", TAB_TITLE):
                if cls not in classes:
                    classes.append(cls)

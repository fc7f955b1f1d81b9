"""Section wrappers in the HTML edition, as Quarto writes them (Pandoc's section divs).

Each heading and what follows it, up to the next heading of its level or above, sit in a
`<section id="..." class="levelN">`; the heading inside keeps its classes but not its id,
and carries Quarto's `class="anchored" data-anchor-id="..."` instead. Authors' CSS and
Quarto's own tests select through these (`section#scatter img`). On a chapter's page the
chapter's own first-level heading is its title, outside every section (Quarto moves it into
the title block); on the book's first page every heading is a section's, as in Quarto.

The wrappers are raw HTML blocks around the heading's blocks (Pandoc, which sections
headings itself, would merge attributes of a section div with its heading's). A block list
is sectioned on its own (a div's headings make sections inside the div); a raw HTML block
that closes an element opened before a section (`</figure>`) closes that section first.
"""

from __future__ import annotations

import html
import re

from bookbuild.document.ast import Node, RawBlock

_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)\b[^>]*?(/?)>")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


def _depth_change(text: str) -> int:
    """How many elements a raw HTML block leaves open (negative: closes outer ones)."""
    change = 0
    for closing, name, self_closing in _TAG.findall(text):
        if self_closing or name.lower() in _VOID:
            continue
        change += -1 if closing else 1
    return change


def _opening(header: Node) -> Node:
    """The `<section>` start tag of a heading (its id, level and classes, its attributes)."""
    level, (ident, classes, attrs), _ = header["c"]
    parts = [f' id="{html.escape(ident)}"'] if ident else []
    parts.append(f' class="{html.escape(" ".join([f"level{level}", *classes]))}"')
    parts.extend(f' {html.escape(k)}="{html.escape(v)}"' for k, v in attrs)
    return RawBlock("html", f"<section{''.join(parts)}>")


def _anchored(header: Node) -> Node:
    """The heading inside its section: no id, Quarto's anchor class and attribute."""
    level, (ident, classes, attrs), inlines = header["c"]
    if not ident:
        return header
    marks = [*classes, "anchored"], [*attrs, ["data-anchor-id", ident]]
    return {"t": "Header", "c": [level, ["", *marks], inlines]}


def sectioned(blocks: list[Node], title: bool = False) -> list[Node]:
    """`blocks` with every heading's section wrapped (see the module); `title`: the first
    top-level first-level heading is the page's title and stays outside (a chapter page)."""
    out: list[Node] = []
    open_at: list[tuple[int, int]] = []  # (level, raw depth) of each open section
    depth = 0

    def close(until: int, at_depth: int | None = None) -> None:
        while open_at and (
            open_at[-1][0] >= until if at_depth is None else open_at[-1][1] > at_depth
        ):
            open_at.pop()
            out.append(RawBlock("html", "</section>"))

    for block in blocks:
        kind = block.get("t")
        if kind == "Header" and title and block["c"][0] == 1:
            title = False
            out.append(block)
        elif kind == "Header":
            level = block["c"][0]
            close(level)
            out.extend([_opening(block), _anchored(block)])
            open_at.append((level, depth))
        elif kind == "RawBlock" and block["c"][0] == "html":
            depth += _depth_change(block["c"][1])
            close(0, depth)
            out.append(block)
        elif kind == "Div":
            attr, inner = block["c"]
            out.append({"t": "Div", "c": [attr, sectioned(inner)]})
        else:
            out.append(block)
    close(0)
    return out

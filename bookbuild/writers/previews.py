"""Previews of cross-reference and citation targets for the HTML edition's hover cards.

For every figure, table, section and bibliography entry of the book, a short plain-text
preview (the caption; the heading and the start of its first paragraph; the reference as the
bibliography prints it), written as one script (`assets/preview-data.js`) that `previews.js`
loads the first time a reader points at or focuses such a link. A script, not a fetched JSON
file, so previews also work from file://, where pages cannot fetch other files.
"""

from __future__ import annotations

import json
from typing import Any

from bookbuild.document.ast import Node, stringify
from bookbuild.document.chapter import Chapter

MAX_CHARS = 320  # about four lines of a card


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_CHARS:
        return text
    cut = text[:MAX_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def _caption(node: Node) -> str:
    return stringify(node["c"][1][1])


def _block_previews(blocks: list[Node], out: dict[str, dict[str, str]]) -> None:
    for position, block in enumerate(blocks):
        kind = block.get("t")
        if kind in ("Figure", "Table") and block["c"][0][0]:
            out.setdefault(block["c"][0][0], {"kind": kind.lower(), "text": _clip(_caption(block))})
        elif kind == "Header" and block["c"][1][0]:
            following = next(
                (b for b in blocks[position + 1 :] if b.get("t") in ("Para", "Plain", "Header")),
                None,
            )
            text = stringify(following["c"]) if following and following["t"] != "Header" else ""
            out.setdefault(
                block["c"][1][0],
                {
                    "kind": "section",
                    "title": " ".join(stringify(block["c"][2]).split()),
                    "text": _clip(text),
                },
            )
        elif kind == "Div":
            ident = block["c"][0][0]
            if ident.startswith("ref-"):
                out.setdefault(ident, {"kind": "reference", "text": _clip(stringify(block))})
            else:
                _block_previews(block["c"][1], out)


def previews(chapters: list[Chapter]) -> dict[str, dict[str, str]]:
    """id -> preview ({"kind", "text"} and for a section its "title"), in book order."""
    found: dict[str, dict[str, str]] = {}
    for chapter in chapters:
        _block_previews(chapter.blocks, found)
    return found


def preview_script(chapters: list[Chapter]) -> str:
    """`assets/preview-data.js`: the previews as `window.BOOK_PREVIEWS`."""
    data: Any = previews(chapters)
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return f"window.BOOK_PREVIEWS = {text};\n"

"""Chinese passages marked with their language in the HTML edition (screen readers switch voice,
browsers pick the font and line breaking by it).

Two rewrites of the AST the HTML writer converts: a heading with `lang` (`## 中文摘要
{lang="zh"}`) marks its whole section, not just the heading, by wrapping what follows it (to
the next heading of the same or a higher level) in a `<div lang>`; and any run of Chinese
characters in text not already inside an element with a language gets a `<span lang="zh">`.
"""

from __future__ import annotations

import re
from typing import Any

from bookbuild.document.ast import Node

CHINESE = "zh"
# Han ideographs, CJK symbols and punctuation, full-width forms
_CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_ATTR_AT = {"Div": 0, "Span": 0, "Link": 0, "Figure": 0, "Table": 0, "Header": 1}
_OPAQUE = {"Code", "CodeBlock", "RawInline", "RawBlock", "Math", "Image"}


def _lang(node: Node) -> str | None:
    position = _ATTR_AT.get(node.get("t", ""))
    if position is None:
        return None
    return dict(node["c"][position][2]).get("lang")


def language_sections(blocks: list[Node]) -> list[Node]:
    """Wrap the content of each section whose heading has `lang` in a Div with that `lang`
    (the heading itself stays where the contents lists and search find it)."""
    out: list[Node] = []
    open_section: tuple[int, list[Node]] | None = None
    for block in blocks:
        if block.get("t") == "Header":
            level = block["c"][0]
            if open_section is not None and level <= open_section[0]:
                open_section = None
            if open_section is not None:  # a subsection: inside the marked section
                open_section[1].append(block)
                continue
            out.append(block)
            lang = _lang(block)
            if lang:
                div: Node = {"t": "Div", "c": [["", [], [["lang", lang]]], []]}
                out.append(div)
                open_section = (level, div["c"][1])
            continue
        (open_section[1] if open_section is not None else out).append(block)
    return [b for b in out if not (b.get("t") == "Div" and not b["c"][1])]


def _split(text: str) -> list[Node]:
    pieces: list[Node] = []
    position = 0
    for match in _CJK_RUN.finditer(text):
        if match.start() > position:
            pieces.append({"t": "Str", "c": text[position : match.start()]})
        pieces.append(
            {"t": "Span", "c": [["", [], [["lang", CHINESE]]], [{"t": "Str", "c": match[0]}]]}
        )
        position = match.end()
    if position < len(text):
        pieces.append({"t": "Str", "c": text[position:]})
    return pieces


def _mark(value: Any, inside: bool) -> Any:
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            if (
                not inside
                and isinstance(item, dict)
                and item.get("t") == "Str"
                and _CJK_RUN.search(item["c"])
            ):
                out.extend(_split(item["c"]))
            else:
                out.append(_mark(item, inside))
        return out
    if isinstance(value, dict) and "t" in value:
        if value["t"] in _OPAQUE:
            return value
        here = inside or bool(_lang(value))
        if "c" in value:
            return {**value, "c": _mark(value["c"], here)}
    return value


def mark_chinese(blocks: list[Node], book_lang: str) -> list[Node]:
    """`blocks` with Chinese sections and runs marked `lang="zh"` (a copy; nothing to do in a
    book whose own language is Chinese)."""
    if book_lang.split("-")[0] == CHINESE:
        return blocks
    return _mark(language_sections(blocks), False)

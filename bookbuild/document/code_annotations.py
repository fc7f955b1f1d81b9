"""Quarto's code annotations: `# <1>` at the end of a code line, explained by the ordered list
right after the code block (or after the cell that echoes it).

Both editions show them as Quarto shows them in formats without its HTML machinery (Word,
GitHub Markdown): the markers leave the code, and the list becomes a definition list whose
terms name the lines each item explains ("Line 3", "Lines 4–7"). `code-annotations: none`
drops the markers and the list; `false` leaves both as written. `hover` and `select` (HTML
tooltips in Quarto) are shown as `below`.
"""

from __future__ import annotations

import re
from typing import Any

from bookbuild.document.ast import Node, Space, Str

# a line's trailing annotation: a comment opener, "<N>", and a closer for block comments
_MARKER = re.compile(r"[ \t]*(?:#|//|--|%|;|/\*|<!--)[ \t]*<(\d+)>[ \t]*(?:\*/|-->)?[ \t]*$")
MODES = ("below", "hover", "select", "none")


def _strip(code: str) -> tuple[str, dict[int, list[int]]]:
    """The code without its markers, and the lines (1-based) each annotation number names."""
    lines: dict[int, list[int]] = {}
    out = []
    for number, line in enumerate(code.split("\n"), 1):
        match = _MARKER.search(line)
        if match:
            lines.setdefault(int(match[1]), []).append(number)
            line = line[: match.start()]
        out.append(line)
    return "\n".join(out), lines


def _ranges(numbers: list[int]) -> str:
    """ "3", "4–7", "2, 5–6": the lines as ranges."""
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}\u2013{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)


def _term(numbers: list[int]) -> list[Node]:
    word = "Line" if len(numbers) == 1 else "Lines"
    return [Str(word), Space(), Str(_ranges(numbers))]


def _annotated(block: Node) -> Node | None:
    """The code block `block` shows, when it holds annotation markers (a cell's `Div` holds
    its echoed code)."""
    if block.get("t") == "Div":
        inner = [b for b in block["c"][1] if b.get("t") == "CodeBlock"]
        block = inner[0] if inner else {}
    if block.get("t") != "CodeBlock":
        return None
    return block if any(_MARKER.search(line) for line in block["c"][1].split("\n")) else None


def annotate(blocks: list[Node], mode: Any = "below") -> list[Node]:
    """`blocks` with each annotated code block and the ordered list after it rendered (see
    the module); `mode`: the `code-annotations` value (False: leave them as written)."""
    if mode is False:
        return blocks
    out: list[Node] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        if block.get("t") == "Div":
            block["c"][1] = annotate(block["c"][1], mode)
        elif block.get("t") == "BlockQuote":
            block["c"] = annotate(block["c"], mode)
        code = _annotated(block)
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        out.append(block)
        index += 1
        if code is None or after is None or after.get("t") != "OrderedList":
            continue
        code["c"][1], lines = _strip(code["c"][1])
        (start, _style, _delim), items = after["c"]
        if mode != "none":
            entries = [
                (_term(lines[n]) if n in lines else [Str(str(n))], item)
                for n, item in enumerate(items, start)
            ]
            out.append({"t": "DefinitionList", "c": [[t, [d]] for t, d in entries]})
        index += 1
    return out

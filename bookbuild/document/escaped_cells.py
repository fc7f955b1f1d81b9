"""Cells shown, not run: Quarto's doubled braces, ```` ```{{python}} ```` and `` `{{python}} x` ``.

An author who writes about Quarto shows a cell's syntax by doubling its braces: a fence
```` ```{{python}} ```` is a code block showing ```` ```{python} ````, its code and its
closing fence (highlighted as markdown); `` `{{python}} 1 + 1` `` is inline code showing
`` `{python} 1 + 1` ``; inside a code block, each ```` ```{{…}} ```` and `` `{{…}} `` loses
one pair of braces (so `{{{python}}}` shows `{{python}}`). As Quarto's `engine-escape` filter
does. Pandoc cannot read such a fence (it takes it for inline code), so `mark_fences` marks it
before parsing, line for line, and `unescape` finishes the work on the parsed AST.
"""

from __future__ import annotations

import re

from bookbuild.document.ast import Node, walk
from bookbuild.source.fences import FENCE

ATTRIBUTE = "data-escaped-cell"  # the marked fence's doubled-brace info, without one pair
_ESCAPED = r"\{(\{+[^<}]+\}+)\}"  # `{{python}}`: the info less its outer braces
_ESCAPED_INFO = re.compile(rf"^{_ESCAPED}$")
_IN_CODE_FENCE = re.compile(rf"```{_ESCAPED}")
_IN_CODE_INLINE = re.compile(rf"([^`\n]+`+){_ESCAPED}")
_CODE = re.compile(rf"^(`*){_ESCAPED}")


def mark_fences(markdown: str) -> str:
    """`markdown` with each top-level ```` ```{{…}} ```` fence written as a markdown code
    block Pandoc reads, its info kept in `ATTRIBUTE` (the same lines, so lines still match)."""
    if "{{" not in markdown:
        return markdown
    lines = markdown.split("\n")
    fence: str | None = None
    for number, line in enumerate(lines):
        match = FENCE.match(line)
        if match is None:
            continue
        mark, info = match["fence"], match["info"]
        if fence is None:
            escaped = _ESCAPED_INFO.match(info)
            if escaped:
                value = escaped[1].replace("&", "&amp;").replace('"', "&quot;")
                lines[number] = f'{match["indent"]}{mark}{{.markdown {ATTRIBUTE}="{value}"}}'
            fence = mark
        elif mark[0] == fence[0] and len(mark) >= len(fence) and not info:
            fence = None
    return "\n".join(lines)


def unescape(blocks: list[Node], source: str) -> None:
    """In place: a marked fence's code block shows the cell as written with one pair of
    braces less; other code blocks and inline code lose a pair of braces from each escaped
    cell fence and inline cell in them (but a cell's own echoed code is left as it ran).
    `source`: the chapter's text (nothing to do without doubled braces in it)."""
    if "{{" not in source:
        return
    for node in walk(blocks):
        if node["t"] == "CodeBlock":
            _code_block(node)
        elif node["t"] == "Code" and "{{" in node["c"][1]:
            node["c"][1] = _CODE.sub(r"\1\2", node["c"][1])


def _code_block(node: Node) -> None:
    (ident, classes, attrs), text = node["c"]
    given = dict(attrs).get(ATTRIBUTE)
    if given is not None:
        rest = [kv for kv in attrs if kv[0] != ATTRIBUTE]
        node["c"] = [[ident, classes, rest], f"```{given}\n{text}\n```"]
        return
    if "{{" not in text or "cell-code" in classes:
        return
    text, fences = _IN_CODE_FENCE.subn(r"```\1", text)
    if fences and not classes:
        classes.insert(0, "markdown")
    text = "\n".join(
        _IN_CODE_INLINE.sub(r"\1\2", line) if "`" in line else line for line in text.split("\n")
    )
    node["c"][1] = text

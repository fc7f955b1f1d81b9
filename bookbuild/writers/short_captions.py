"""The entry a figure or table gets in the PDF's lists of figures and tables.

The author's short caption when there is one (Quarto's `fig-scap` cell option, a `fig-scap` /
`tbl-scap` attribute on a figure or markdown table, or the label's entry under
`thesis: short-captions:` in `_quarto.yml`, for tables made by cells), otherwise the caption's first
sentence without its cross-references and citations: "(simulated data, see Section 4.4)" is
left out whole, a bare "see Table 3.1" loses the reference and its "see".
"""

from __future__ import annotations

from bookbuild.document.ast import Node, Str, copy_of, walk
from bookbuild.writers.typography import smart_text

SHORT_KEYS = ("fig-scap", "tbl-scap")
_REFERENCES = ("Link", "Cite")


def _attribute_scap(attr: list) -> str | None:
    for key, value in attr[2]:
        if key in SHORT_KEYS and value.strip():
            return value
    return None


def declared_short_caption(block: Node) -> str | None:
    """The `fig-scap` / `tbl-scap` of a Figure or Table block (on it or on its image)."""
    found = _attribute_scap(block["c"][0])
    if found or block["t"] != "Figure":
        return found
    for part in block["c"][2]:
        for node in part.get("c", []) if part["t"] in ("Plain", "Para") else []:
            if isinstance(node, dict) and node.get("t") == "Image":
                found = _attribute_scap(node["c"][0])
                if found:
                    return found
    return None


def first_sentence(inlines: list[Node]) -> list[Node]:
    """The caption up to its first full stop (without it)."""
    for position, node in enumerate(inlines):
        after = inlines[position + 1] if position + 1 < len(inlines) else None
        if (
            node["t"] == "Str"
            and node["c"].endswith(".")
            and len(node["c"]) > 1
            and (after is None or after["t"] in ("Space", "SoftBreak"))
        ):
            return [*inlines[:position], Str(node["c"][:-1])]
    return inlines


def _is_space(node: Node) -> bool:
    return node["t"] in ("Space", "SoftBreak")


def _drop_parenthetical(inlines: list[Node], at: int) -> list[Node] | None:
    """`inlines` without the parenthesis around position `at`, or None if it is in none."""
    start = next(
        (
            i
            for i in range(at - 1, -1, -1)
            if inlines[i]["t"] == "Str" and inlines[i]["c"].startswith("(")
        ),
        None,
    )
    end = next(
        (
            i
            for i in range(at + 1, len(inlines))
            if inlines[i]["t"] == "Str" and ")" in inlines[i]["c"]
        ),
        None,
    )
    if start is None or end is None:
        return None
    tail = inlines[end]["c"].split(")", 1)[1]
    head = inlines[:start]
    while head and _is_space(head[-1]):
        head = head[:-1]
    return [*head, *([Str(tail)] if tail else []), *inlines[end + 1 :]]


def without_references(inlines: list[Node]) -> list[Node]:
    """`inlines` without cross-references and citations and the words that lead to them."""
    out = list(inlines)
    while True:
        at = next((i for i, node in enumerate(out) if node["t"] in _REFERENCES), None)
        if at is None:
            break
        shorter = _drop_parenthetical(out, at)
        if shorter is None:
            before = out[:at]
            while before and _is_space(before[-1]):
                before = before[:-1]
            if before and before[-1]["t"] == "Str" and before[-1]["c"].lower() == "see":
                before = before[:-1]
                while before and _is_space(before[-1]):
                    before = before[:-1]
            shorter = [*before, *out[at + 1 :]]
        out = shorter
    while out and (
        _is_space(out[-1]) or (out[-1]["t"] == "Str" and not out[-1]["c"].strip(".,;: "))
    ):
        out = out[:-1]
    if out and out[-1]["t"] == "Str" and out[-1]["c"].endswith((",", ";", ":")):
        out = [*out[:-1], Str(out[-1]["c"][:-1])]
    return out


def without_short_captions(blocks: list[Node]) -> list[Node]:
    """A copy of `blocks` without `fig-scap`/`tbl-scap` attributes (the HTML edition has no
    lists of figures, and Pandoc would print them as `data-` attributes)."""
    blocks = copy_of(blocks)
    for node in walk(blocks):
        if node.get("t") in ("Image", "Figure", "Table"):
            attr = node["c"][0]
            attr[2] = [pair for pair in attr[2] if pair[0] not in SHORT_KEYS]
    return blocks


def list_entry(block: Node, caption: list[Node], configured: str | None = None) -> list[Node]:
    """What the lists show for `block`, whose caption (without its number) is `caption`;
    `configured`: its short caption from `thesis: short-captions:`, if any."""
    declared = declared_short_caption(block) or configured
    if declared is not None:
        return [Str(smart_text(" ".join(declared.split())))]
    return without_references(copy_of(first_sentence(caption)))

"""The cross-reference kinds, in one table: label prefix, name, and what carries the label.

`name` is both what a reference shows ("Figure 1.2") and the caption's title ("Figure 1.2:"),
as in Quarto, unless `crossref:` in `_quarto.yml` sets `<prefix>-prefix` (references) or
`<prefix>-title` (captions and block titles).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    prefix: str  # the label's prefix: `fig` in `#fig-map`
    name: str  # "Figure"
    element: str  # float | heading | equation | theorem | callout | listing


TABLE = (
    Kind("fig", "Figure", "float"),
    Kind("tbl", "Table", "float"),
    Kind("lst", "Listing", "listing"),
    Kind("sec", "Section", "heading"),
    Kind("eq", "Equation", "equation"),
    Kind("thm", "Theorem", "theorem"),
    Kind("lem", "Lemma", "theorem"),
    Kind("cor", "Corollary", "theorem"),
    Kind("prp", "Proposition", "theorem"),
    Kind("cnj", "Conjecture", "theorem"),
    Kind("def", "Definition", "theorem"),
    Kind("exm", "Example", "theorem"),
    Kind("exr", "Exercise", "theorem"),
    Kind("sol", "Solution", "theorem"),
    Kind("rem", "Remark", "theorem"),
    Kind("nte", "Note", "callout"),
    Kind("tip", "Tip", "callout"),
    Kind("wrn", "Warning", "callout"),
    Kind("imp", "Important", "callout"),
    Kind("cau", "Caution", "callout"),
)
BY_PREFIX = {kind.prefix: kind for kind in TABLE}
# The callout kind (`.callout-note`) each callout prefix labels.
CALLOUT_PREFIXES = {
    "nte": "note",
    "tip": "tip",
    "wrn": "warning",
    "imp": "important",
    "cau": "caution",
}
# Unnumbered proof-like blocks (`::: {.proof}`) and the title each shows.
PROOF_CLASSES = {"proof": "Proof", "remark": "Remark", "solution": "Solution"}


def kind_of(label: str) -> Kind | None:
    """The kind a label names (`fig-map` -> Figure), or None for a plain id."""
    prefix, dash, _ = label.partition("-")
    return BY_PREFIX.get(prefix) if dash else None

"""The cross-reference kinds, in one table: label prefix, name, and what carries the label.

`name` is both what a reference shows ("Figure 1.2") and the caption's title ("Figure 1.2:"),
as in Quarto, unless the kind has its own reference prefix (`ref`: Quarto's algorithms are
titled "Algorithm 1" and referenced as "alg. 1") or `crossref:` in `_quarto.yml` sets
`<prefix>-prefix` (references) or `<prefix>-title` (captions and block titles). The book's
own float kinds (`crossref: custom:`, `custom_kinds.py`) are `Kind`s too, made per book.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    prefix: str  # the label's prefix: `fig` in `#fig-map`
    name: str  # "Figure"
    element: str  # float | heading | equation | theorem | callout | listing
    ref: str = ""  # what a reference shows before the number, when not `name`
    space: bool = True  # a space between the name and the number ("Table S1" without)
    caption: str = ""  # a custom float's caption location (top, bottom); "" for the others

    @property
    def reference(self) -> str:
        """What a reference shows before the number by default: "Figure", "alg."."""
        return self.ref or self.name


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
    Kind("alg", "Algorithm", "theorem", ref="alg."),  # Quarto has no reference name for it
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

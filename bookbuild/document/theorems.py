"""Theorem-like blocks (`::: {#thm-x}` and the other kinds in `kinds.TABLE`) and proofs.

As in Quarto: a leading heading in the div (or its `name` attribute) is the theorem's name;
the block opens with "**Theorem 1.2 (Name)**"; `::: {.proof}`, `.remark` and `.solution` are
unnumbered and open with "*Proof.*" ("*Proof* (Name)." with a name). The heading is taken out
before numbering, so it is never counted as a section.
"""

from __future__ import annotations

from bookbuild.document.ast import Node, Space, Span, Str, stringify
from bookbuild.document.kinds import PROOF_CLASSES, kind_of

# Kinds numbered as theorems here that Quarto sets as proofs (no `theorem` class).
PROOF_LIKE = ("sol", "rem")


def _hoist_name(div: Node) -> list[Node]:
    """Take a leading heading out of the div into its `name` attribute (unless it has one);
    return the name as inlines: the heading's own (their emphasis kept), else the attribute's
    text, else none."""
    blocks = div["c"][1]
    attrs = div["c"][0][2]
    named = dict(attrs).get("name")
    if blocks and blocks[0]["t"] == "Header":
        inlines = blocks[0]["c"][2]
        if named is None:
            attrs.append(["name", stringify(inlines)])
        div["c"][1] = blocks[1:]
        if named is None:
            return inlines
    return [Str(named)] if named else []


def is_theorem(node: Node) -> bool:
    kind = kind_of(node["c"][0][0]) if node.get("t") == "Div" else None
    return kind is not None and kind.element == "theorem"


def proof_title(node: Node, words: dict[str, str] | None = None) -> str | None:
    """A proof-like block's title: "Proof", or its `language:` word
    (`environment-proof-title`)."""
    if node.get("t") != "Div":
        return None
    found = next((c for c in node["c"][0][1] if c in PROOF_CLASSES), None)
    if found is None:
        return None
    return (words or {}).get(f"environment-{found}-title", PROOF_CLASSES[found])


def prepare_theorems(nodes: list[Node], words: dict[str, str] | None = None) -> None:
    """Take each theorem's or proof's leading heading into its `name` attribute; give proofs
    their title (they are not numbered). `nodes`: the chapter's elements (`ast.elements`)."""
    for node in nodes:
        if is_theorem(node):
            _hoist_name(node)
        elif title := proof_title(node, words):
            # as Quarto: "*Proof* (name)." with the name's own formatting, after the emphasis
            name = _hoist_name(node)
            named = [Str(" ("), *name, Str(")")] if name else []
            heading = [{"t": "Emph", "c": [Str(title)]}, *named, Str(".")]
            _open_with(node, Span("", ["proof-title"], heading))


def _open_with(div: Node, span: Node) -> None:
    blocks = div["c"][1]
    if blocks and blocks[0]["t"] in ("Para", "Plain"):
        blocks[0]["c"] = [span, Space(), *blocks[0]["c"]]
    else:
        blocks.insert(0, {"t": "Para", "c": [span]})


def title_theorem(div: Node, title: str) -> None:
    """Open the theorem with its bold title ("Theorem 1.2 (Name)") and mark it as Quarto
    does: `.theorem` and its kind (`.theorem.algorithm`)."""
    name = dict(div["c"][0][2]).get("name")
    text = f"{title} ({name})" if name else title
    div["c"][0][2] = [kv for kv in div["c"][0][2] if kv[0] != "name"]
    kind = kind_of(div["c"][0][0])
    classes = div["c"][0][1]
    if kind and kind.prefix not in PROOF_LIKE and "theorem" not in classes:
        classes.append("theorem")  # Quarto's class for the whole family
    if kind and kind.name.lower() not in classes:
        classes.append(kind.name.lower())
    _open_with(div, Span("", ["theorem-title"], [{"t": "Strong", "c": [Str(text)]}]))

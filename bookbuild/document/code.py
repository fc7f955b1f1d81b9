"""Code blocks with `filename="…"`: the file's name shown above the code, as Quarto does."""

from __future__ import annotations

from bookbuild.document.ast import Div, Node, Str

FILENAME_BOX = "code-with-filename"


def code_filenames(nodes: list[Node]) -> None:
    """In place: a code block with a `filename` attribute becomes a box holding the name
    (in bold) and the code, in both editions. `nodes`: the chapter's elements (`ast.elements`)."""
    for node in nodes:
        if node["t"] != "CodeBlock":
            continue
        attrs = dict(node["c"][0][2])
        name = attrs.get("filename")
        if not name:
            continue
        code = {
            "t": "CodeBlock",
            "c": [
                [
                    node["c"][0][0],
                    node["c"][0][1],
                    [kv for kv in node["c"][0][2] if kv[0] != "filename"],
                ],
                node["c"][1],
            ],
        }
        head = Div(
            "",
            ["code-with-filename-file"],
            [{"t": "Plain", "c": [{"t": "Strong", "c": [Str(name)]}]}],
        )
        box = Div("", [FILENAME_BOX], [head, code])
        node["t"], node["c"] = box["t"], box["c"]

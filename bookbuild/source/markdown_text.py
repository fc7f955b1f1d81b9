"""Helpers that write Pandoc markdown safely: computed text is always escaped, never parsed."""

from __future__ import annotations

import json
import re
from typing import Any

# Quotes stay unescaped: they are no markup, and Pandoc's `smart` reading makes them curly in
# computed text as in the author's.
_UNESCAPED_BAR = re.compile(r"(?<!\\)\|")  # a bar would end a pipe table's cell
_PUNCT = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~^$@&:;=%])")
# Runs of white space collapse to one space, except a no-break space inside the text, which
# computed values use on purpose ("p\u00a0<\u00a00.001").
_SPACE = re.compile(r"[^\S\u00a0]+")


def collapse(text: str) -> str:
    """``text`` with white space collapsed and trimmed; inner no-break spaces are kept."""
    return _SPACE.sub(" ", text).strip()


def escape(text: str) -> str:
    """Make arbitrary text literal in Pandoc markdown (markup and HTML become inert)."""
    return _PUNCT.sub(r"\\\1", collapse(str(text)))


def attribute(value: str) -> str:
    """A double-quoted attribute value for `{key="..."}`."""
    return '"' + " ".join(value.split()).replace("\\", "\\\\").replace('"', '\\"') + '"'


def pipe_table(
    columns: list[str],
    rows: list[list[str]],
    caption: str = "",
    label: str = "",
    header_markdown: list[str | None] | None = None,
    colwidths: list[Any] | None = None,
) -> str:
    """A Pandoc pipe table whose every cell is escaped text; optional caption and id.
    `header_markdown` gives, for some columns, the header as Markdown (italic symbols) to use
    instead of the escaped text; `colwidths`, the columns' widths (`tbl-colwidths`)."""
    marked = header_markdown or [None] * len(columns)
    header = [
        re.sub(r"[ \t\r\n]+", " ", m).strip() if m else escape(c)
        for c, m in zip(columns, marked, strict=True)
    ]
    numeric = [
        all(_looks_numeric(row[i]) for row in rows if row[i]) and any(r[i] for r in rows)
        for i in range(len(columns))
    ]
    head = "| " + " | ".join(_UNESCAPED_BAR.sub(r"\\|", h) or " " for h in header) + " |"
    rule = "|" + "|".join("---:" if n else ":---" for n in numeric) + "|"
    body = ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in rows]
    lines = [head, rule, *body]
    attributes = [f"#{label}"] if label else []
    if colwidths is not None:
        attributes.append(f"tbl-colwidths={json.dumps(json.dumps(colwidths))}")
    if caption or attributes:
        given = f" {{{' '.join(attributes)}}}" if attributes else ""
        lines += ["", f": {caption}{given}"]
    return "\n".join(lines) + "\n"


def _looks_numeric(cell: str) -> bool:
    return bool(re.fullmatch(r"[-−+]?[\d,]*\.?\d+(e[-+]?\d+)?%?|[<>]\s?\d*\.?\d+", cell.strip()))

"""Code fences: which fenced blocks are cells of an engine and which are code blocks.

One rule for every reader of a chapter (the parser, includes, shortcodes): a fence whose info
is `{name}` or `{name options}` is a cell of engine `name`; `{.lang}`, `{=format}`, `{#id}`
and attributes alone (`{shortcodes=false}`, where the first word is a key) are Pandoc code
block attributes, as Quarto reads them.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*?)\s*$")
_CELL = re.compile(r"^\{(?P<engine>[A-Za-z0-9_+-]+)(?![A-Za-z0-9_+-]*\s*=)(?P<rest>[^}]*)\}$")


def cell_engine(info: str) -> str | None:
    """The engine of a fence's `info` (`python` for "{python}" or "{python echo=false}"), or
    None when the fence is a code block."""
    match = _CELL.match(info)
    return match["engine"] if match else None

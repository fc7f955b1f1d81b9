"""Quarto's `code-copy`: a button on each code block of the HTML edition that copies its code.

Quarto's markup: the block (`div.sourceCode`) and its button inside a
`div.code-copy-outer-scaffold`. The button is written `hidden` and book.js shows it where the
page can reach the clipboard, so a reader without scripts never meets a button that does
nothing. `hover` (Quarto's default) shows it while the pointer or focus is on the block,
`true` always, `false` writes none. Blocks that are not code of a language (plain `pre`)
and this build's own "Data and code" panels get none, as in Quarto.
"""

from __future__ import annotations

import re
from typing import Any

_BLOCK = re.compile(r'<div class="sourceCode"[^>]*>\s*<pre\b.*?</pre>\s*</div>', re.S)
# the icon is drawn, not a character: a reader's fonts may lack the copy sign
_BUTTON = (
    '<button type="button" class="code-copy-button" title="Copy to clipboard" '
    'aria-label="Copy the code to the clipboard" hidden>'
    '<svg aria-hidden="true" focusable="false" width="14" height="14" viewBox="0 0 16 16">'
    '<rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" '
    'stroke-width="1.6"/><path d="M11 3.5V3a1 1 0 0 0-1-1H3a1 1 0 0 0-1 1v7a1 1 0 0 0 1 1h.5" '
    'fill="none" stroke="currentColor" stroke-width="1.6"/></svg></button>'
)


def copy_mode(value: Any) -> str:
    """The mode of a `code-copy` value: "hover", "always" or "off"."""
    if value is False:
        return "off"
    return "always" if value is True else "hover"


def with_copy_buttons(body: str, mode: str) -> str:
    """`body` (a page's HTML) with each code block in Quarto's scaffold with its button."""
    if mode == "off" or 'class="sourceCode"' not in body:
        return body
    scaffold = f'<div class="code-copy-outer-scaffold code-copy-{mode}">'
    return _BLOCK.sub(lambda m: f"{scaffold}{m[0]}{_BUTTON}</div>", body)

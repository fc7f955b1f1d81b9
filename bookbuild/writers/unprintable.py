"""Characters the PDF cannot carry, found before Typst would point into `thesis.typ`.

Control characters (C0 and C1, other than tab and newline) have no glyph in any font and
print as nothing in a browser: the PDF drops them, with a warning naming the source line.
A character no font of the PDF has (an emoji, a private-use code point) makes Typst stop;
`glyph_error` turns Typst's message into one that names the source file and line.
"""

from __future__ import annotations

import json
import logging
import re

from bookbuild.document.ast import Node, walk
from bookbuild.document.chapter import Chapter
from bookbuild.errors import BuildError

log = logging.getLogger("bookbuild")

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Typst: the text `"😀"` could not be displayed with font `"Libertinus Serif"`
_NO_GLYPH = re.compile(r'the text `"(.+?)"` could not be displayed with font `"([^"]+)"`')


def source_line(chapter: Chapter, text: str) -> int | None:
    """The first line (1-based) of the chapter's source that contains `text`, if any."""
    for number, line in enumerate(chapter.source.splitlines(), 1):
        if text in line:
            return number
    return None


def _where(chapter: Chapter, char: str) -> str:
    line = source_line(chapter, char)
    return f"{chapter.path}:{line}" if line else f"{chapter.path} (in a cell's output)"


def drop_control_characters(blocks: list[Node], chapter: Chapter) -> list[Node]:
    """`blocks` (a copy the PDF owns) without control characters in text and code."""
    seen: set[str] = set()

    def clean(text: str) -> str:
        for char in set(_CONTROL.findall(text)) - seen:
            seen.add(char)
            log.warning(
                "%s: control character U+%04X left out of the PDF (no font can show "
                "it; the HTML shows nothing either)",
                _where(chapter, char),
                ord(char),
            )
        return _CONTROL.sub("", text)

    for node in walk(blocks):
        kind = node.get("t")
        if kind == "Str" and _CONTROL.search(node["c"]):
            node["c"] = clean(node["c"])
        elif kind in ("Code", "CodeBlock") and _CONTROL.search(node["c"][1]):
            node["c"][1] = clean(node["c"][1])
    return blocks


def _decoded(text: str) -> str:
    return re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m[1], 16)), text)


def glyph_error(diagnostic: str, chapters: list[Chapter]) -> BuildError | None:
    """A `BuildError` at the source line of the first character Typst had no glyph for, or
    None when the diagnostic is about something else."""
    found = _NO_GLYPH.search(diagnostic)
    if not found:
        return None
    text, font = _decoded(found[1]), found[2]
    points = " ".join(f"U+{ord(c):04X}" for c in text)
    what = (
        f"the PDF's fonts have no glyph for {text!r} ({points}; tried {font}) — remove "
        "it, or write it out in words"
    )
    for chapter in chapters:
        line = source_line(chapter, text)
        if line:
            return BuildError(what, chapter.path, line)
    printed = (
        f"a cell's output prints {text!r} ({points}), which the PDF's fonts cannot "
        f"show (tried {font}) — change what the cell prints"
    )
    for chapter in chapters:  # not in any source: it came from a cell of this chapter
        if text in json.dumps(chapter.blocks, ensure_ascii=False):
            return BuildError(printed, chapter.path)
    return BuildError(printed)

"""A chapter's title: its level-1 heading, or `title:` in its front matter, as in a Quarto book.

Quarto takes a chapter's title from `title:` in its front matter when there is one (written
as the chapter's level-1 heading, `title: "Methods {#sec-methods .unnumbered}"` carrying the
heading's id and classes), else from its first heading, which becomes the level-1 heading
at the top of the chapter. A chapter with neither is numbered, titled with its page's name.
Numbered `#` headings under a front-matter title become that chapter's sections.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from bookbuild.document.ast import Node, Str, stringify, walk
from bookbuild.document.chapter import Chapter
from bookbuild.errors import BuildError

log = logging.getLogger("bookbuild")

_LEADING_HASHES = re.compile(r"^#+\s+")


def front_line(front_raw: str, key: str) -> int:
    """Line (1-based, in the file) of `key:` at the top level of a front matter block; 1 if
    not found."""
    pattern = re.compile(rf"^['\"]?{re.escape(key)}['\"]?\s*:")
    lines = front_raw.splitlines()
    return next((n for n, line in enumerate(lines, 1) if pattern.match(line)), 1)


def title_markdown(front_matter: dict[str, Any], front_raw: str, path: Path) -> tuple[str, int]:
    """(the level-1 heading that a front-matter `title:` stands for, the line of `title:`),
    or ("", 0) when the front matter has no title.

    As in Quarto, the title may carry the heading's attributes (`Intro {#sec-intro}`,
    `Preface {.unnumbered}`), with or without a leading `#`.
    """
    if "title" not in front_matter:
        return "", 0
    line = front_line(front_raw, "title")
    value = front_matter["title"]
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BuildError(
            f"title: must be text (the chapter's title); got {type(value).__name__}", path, line
        )
    text = _LEADING_HASHES.sub("", " ".join(str(value).split()))
    if not text:
        raise BuildError("title: is empty: give the chapter a title or remove it", path, line)
    return f"# {text}\n\n", line


def untitled_heading(page: str) -> Node:
    """The heading of a chapter without a title: its page's name, which is what Quarto's
    contents show for it (an empty heading is not allowed in an accessible PDF)."""
    return {"t": "Header", "c": [1, ["", [], []], [Str(page)]]}


def place_title(chapter: Chapter) -> Node:
    """Put the chapter's title heading first among its blocks, at level 1, and return it.

    With a front-matter title (`chapter.title_line`), the heading written for it is first
    already. Otherwise the first heading (outside any div) becomes the title, moved to the
    top as Quarto places a chapter's title; with no heading at all the chapter is titled with
    its page's name, with a warning.
    """
    blocks = chapter.blocks
    if chapter.title_line:
        heading = blocks[0] if blocks and blocks[0].get("t") == "Header" else None
        if heading is None or not stringify(heading["c"][2]).strip():
            raise BuildError(
                "title: gives no heading text: write the chapter's title before any "
                "{#id .class} attributes",
                chapter.path,
                chapter.title_line,
            )
        shift_body_headings(chapter, heading)
        return heading
    index = next((i for i, b in enumerate(blocks) if b.get("t") == "Header"), None)
    if index is None:
        log.warning(
            "%s:1: the chapter has neither 'title:' in its front matter nor a heading: it is "
            "titled with its page's name, '%s', as Quarto's contents list it",
            chapter.path,
            chapter.page,
        )
        heading = untitled_heading(chapter.page)
    else:
        heading = blocks.pop(index)
        heading["c"][0] = 1
        if not stringify(heading["c"][2]).strip():
            raise BuildError(
                "the chapter's title heading is empty: give it a title",
                chapter.path,
                _heading_line(chapter.source),
            )
    blocks.insert(0, heading)
    return heading


def shift_body_headings(chapter: Chapter, title: Node) -> None:
    """Below a front-matter title, numbered level-1 headings in the body become the chapter's
    first-level sections: every body heading moves one level down (as `shift-heading-level-by:
    1` would), in both editions, with a warning; Quarto is inconsistent there."""
    headers = [n for n in walk(chapter.blocks) if n["t"] == "Header" and n is not title]
    numbered = [h for h in headers if h["c"][0] == 1 and "unnumbered" not in h["c"][1][1]]
    if not numbered:
        return
    for header in headers:
        header["c"][0] = min(header["c"][0] + 1, 6)
    log.warning(
        "%s:%d: the level-1 headings under 'title:' (line %d) are set as this chapter's "
        "sections, every heading one level down; Quarto's HTML would number them as the "
        "chapters after this one and its PDF would make each a chapter: write them as '##'",
        chapter.path,
        _level_one_line(chapter.source, stringify(numbered[0]["c"][2])),
        chapter.title_line,
    )


def _level_one_line(source: str, text: str) -> int:
    """The line of the level-1 markdown heading with `text` (else of the first one; 1 if none)."""
    lines = source.splitlines()
    heads = [n for n, line in enumerate(lines, 1) if re.match(r"#(\s|$)", line)]
    return next((n for n in heads if text in lines[n - 1]), heads[0] if heads else 1)


def _heading_line(source: str) -> int:
    """The line of the first markdown heading in `source`, past its front matter (1 if none
    is found)."""
    lines = source.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        start = next((i + 1 for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), 0)
    found = (n for n in range(start, len(lines)) if re.match(r"#{1,6}(\s|$)", lines[n]))
    return next(found, 0) + 1

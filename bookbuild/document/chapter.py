"""The document model: a chapter's AST with its place in the book, and a numbered target."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bookbuild.document.ast import Node


@dataclass
class Chapter:
    """One chapter's AST and where it sits in the book."""

    path: Path  # source, relative to the root
    page: str  # HTML file name in the edition
    appendix: bool
    part: str | None
    source: str  # the .qmd text, for locating errors
    blocks: list[Node]
    number: str | None = None  # "3", "A" or None when unnumbered
    title: str = ""
    title_id: str = ""
    title_line: int = 0  # line of `title:` in the front matter (0: the title is a heading)
    meta: dict[str, Any] = field(default_factory=dict)  # front matter over _quarto.yml's
    bibliography: tuple[Path, ...] = ()  # its front matter's own files, from the root
    csl: Path | None = None  # its front matter's own style, from the root
    sections: list[tuple[int, str, str, str]] = field(default_factory=list)  # level,id,num,title
    words: dict[str, str] = field(default_factory=dict)  # its `language:` words (by key)


@dataclass(frozen=True)
class Target:
    kind: str  # fig, tbl, sec, eq
    number: str  # "3.2"; "" when unnumbered
    page: str
    text: str  # what a reference shows

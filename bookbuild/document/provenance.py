"""The edition's provenance manifest: what produced every figure, table and inline value."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NotRequired, Protocol, TypedDict

from bookbuild.config.project import Book
from bookbuild.document.environment import Environment
from bookbuild.state.records import CacheRecord, Digests

if TYPE_CHECKING:
    from bookbuild.source.qmd import Document

MANIFEST_VERSION = 1


class ProvenanceItem(TypedDict):
    """One figure, table or inline value of a chapter, as `execute/weave.py` records it."""

    kind: str  # "figure", "table" or "value"
    line: int  # the producing cell's (or inline expression's) line in the chapter
    code: str  # the code that produced it
    chapter: NotRequired[str]  # added in the manifest: the chapter's path
    label: NotRequired[str]  # figures and tables: the cross-reference label ("" if none)
    file: NotRequired[str]  # figures: the image in the edition
    sha256: NotRequired[str]  # figures: the image's SHA-256; values: the shown text's
    data_file: NotRequired[str]  # the plotted data or table as CSV
    data_sha256: NotRequired[str]
    value: NotRequired[str]  # values: the text shown


class ProvenanceChapter(TypedDict):
    """A chapter in the manifest: what its kernel read and imported, and what it produced."""

    source: str
    inputs: Digests
    input_lines: dict[str, Digests]
    modules: Digests
    items: list[ProvenanceItem]


class Provenance(TypedDict):
    """`provenance.json` beside the pages."""

    version: int
    title: str
    environment: Environment
    chapters: list[ProvenanceChapter]


class _Run(Protocol):
    """What the manifest reads of a chapter's run (`commands.build.ChapterRun`)."""

    @property
    def doc(self) -> Document: ...
    @property
    def record(self) -> CacheRecord | None: ...


class _Woven(Protocol):
    """What it reads of a woven chapter (`execute.weave.Woven`)."""

    @property
    def items(self) -> list[ProvenanceItem]: ...


def provenance(
    book: Book, runs: Sequence[_Run], woven: Sequence[_Woven], env: Environment
) -> Provenance:
    """A JSON-ready record: per chapter its inputs (SHA-256) and its produced items."""
    chapters: list[ProvenanceChapter] = []
    for run, chapter in zip(runs, woven, strict=True):
        record = run.record
        chapters.append(
            {
                "source": str(run.doc.path),
                "inputs": record["reads"] if record else {},
                "input_lines": record.get("lines", {}) if record else {},
                "modules": record["modules"] if record else {},
                "items": [{"chapter": str(run.doc.path), **item} for item in chapter.items],
            }
        )
    return {
        "version": MANIFEST_VERSION,
        "title": book.title,
        "environment": env,
        "chapters": chapters,
    }

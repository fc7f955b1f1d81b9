"""Skip rendering when the published edition already is what this build would render.

A no-op rebuild used to re-run Pandoc, the HTML writer and Typst over the whole book (about a
quarter of a cold build of the thesis). After a successful publish the build records a key
over everything rendering reads; when a later build finds the same key (nothing changed, or
the chapters it re-executed read the same inputs and gave byte-identical notebooks) and the
edition on disk is the one it published, nothing is rendered.

The key covers, in reading order, each chapter's path, source text, woven markdown (prose with
its outputs) and cache record (the notebook's hash and the hashes of every input it read, which
the edition shows); the woven files (figures, tables); `_quarto.yml`, the bibliography and CSL,
and the include and language files options name; every file of the `bookbuild` package (code,
templates, assets); the vendored search library; the environment description (revision, date,
versions); and the formats asked for.
The edition is recognised by a stamp of its files (path, size, modification time in ns).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from bookbuild import PACKAGE_DIR
from bookbuild.config.project import Book
from bookbuild.document.environment import Environment
from bookbuild.state import store
from bookbuild.state.records import CacheRecord, EditionRecord, edition_record_problem


class ChapterState(NamedTuple):
    """What one chapter gives rendering, as the edition key covers it."""

    path: str  # the chapter, relative to the project
    source: str  # its source text
    markdown: str  # its woven markdown (prose with its outputs)
    record: CacheRecord | None  # its cache record (None: nothing executed)


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _digest(path: Path) -> str:
    return store.file_sha256(path) or "missing"


def package_digest() -> str:
    """SHA-256 over every file of the `bookbuild` package (code, templates, assets)."""
    digest = hashlib.sha256()
    for path in _files_under(PACKAGE_DIR):
        digest.update(f"{path.relative_to(PACKAGE_DIR)}\0{_digest(path)}\n".encode())
    return digest.hexdigest()


def edition_key(
    book: Book,
    chapters: Iterable[ChapterState],
    files: dict[str, bytes],
    env: Environment,
    formats: tuple[str, ...],
    cited: Iterable[Path] = (),
) -> str:
    """SHA-256 over what rendering reads: the formats, the environment, each chapter's state,
    the files woven into the edition and every other input (see the module); `cited`: the
    other files options name (chapters' bibliographies, include and language files), from the
    root."""
    digest = hashlib.sha256()

    def add(*parts: object) -> None:
        digest.update(json.dumps(parts, sort_keys=True, default=str).encode())
        digest.update(b"\0")

    add("formats", list(formats))
    add("env", env)
    for chapter_path, source, markdown, record in chapters:
        add(
            "chapter",
            chapter_path,
            store.sha256(source),
            store.sha256(markdown),
            record,
        )
    for name, data in sorted(files.items()):
        add("file", name, store.sha256(data))
    inputs = [
        book.config_path,
        *(book.root / b for b in dict.fromkeys([*book.bibliography, *cited])),
    ]
    if book.csl:
        inputs.append(book.root / book.csl)
    if book.colophon_guide:
        inputs.append(book.root / book.colophon_guide)
    for path in inputs:
        add("input", str(path.relative_to(book.root)), _digest(path))
    add("package", package_digest())
    for path in _files_under(book.root / "node_modules" / "minisearch" / "dist"):
        add("vendor", str(path.relative_to(book.root)), _digest(path))
    return digest.hexdigest()


def tree_stamp(folder: Path) -> str:
    """A cheap fingerprint of a folder's files: relative path, size and mtime (ns) of each."""
    digest = hashlib.sha256()
    for path in _files_under(folder):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def is_current(root: Path, key: str, output: Path) -> bool:
    """True when `output` is the edition a build with `key` published and nobody changed it.

    A damaged record is warned about and treated as absent: the edition is rendered again."""
    state: EditionRecord | None = store.read_json(root / store.EDITION_FILE, edition_record_problem)
    return (
        state is not None
        and state["key"] == key
        and state["output"] == str(output)
        and (output / "index.html").is_file()
        and state["stamp"] == tree_stamp(output)
    )


def remember(root: Path, key: str, output: Path) -> None:
    """Record that `output` now holds the edition for `key` (written atomically)."""
    record: EditionRecord = {"key": key, "output": str(output), "stamp": tree_stamp(output)}
    store.write_json(root / store.EDITION_FILE, record)


def forget(root: Path) -> None:
    """Drop the record before publishing, so a crash mid-publish cannot leave it stale."""
    (root / store.EDITION_FILE).unlink(missing_ok=True)

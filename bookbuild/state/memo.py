"""Each chapter's parse, rendered HTML and Typst, kept between builds: an edit redoes its chapter.

A prose edit used to run Pandoc and the Python rewrites for every chapter twice (HTML, Typst),
because numbering, links and citations can change anywhere. They rarely do: what a chapter
renders to is a pure function of its numbered, cited AST, its place in the book, the link
targets it points at, the Pandoc version and the build's own code. `Memo` stores each result
in `.bookbuild/render/<sha256 of all that>.json` (written atomically, its first line the
SHA-256 of the rest: a truncated or garbled entry is computed again, with a warning) and
`prune` drops what the last build did not use. Each chapter's Pandoc parse is kept the same
way in `.bookbuild/ast/` (parsing all 14 chapters of the thesis was 3.5 s of every build).
Isolated builds (`verify`) get a `Memo` without a store, which computes everything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from bookbuild.document import pandoc
from bookbuild.document.chapter import Chapter
from bookbuild.state import store
from bookbuild.state.edition import package_digest

T = TypeVar("T")


def _load(path: Path) -> tuple[bool, Any]:
    """(True, value) for an intact entry; (False, None) when absent or damaged (warned)."""
    text = store.read_checked(path)
    if text is None:
        return False, None
    try:
        return True, json.loads(text)
    except ValueError:  # its checksum matched: only a foreign file gets here
        store.warn_damaged(path, "not JSON")
        return False, None


def code_version() -> str:
    """Hash of the Pandoc version and every file of the `bookbuild` package."""
    return store.sha256(f"{pandoc.pandoc_version()}\0{package_digest()}")


def chapter_inputs(chapter: Chapter) -> dict[str, Any]:
    """Everything a chapter's rendering reads from its `Chapter`: all its fields, not copied."""
    return {f.name: getattr(chapter, f.name) for f in fields(chapter)}


class Memo:
    """`memo(kind, what, inputs, compute)`: `compute()`'s JSON result, from the store when it
    has it. `computed` lists, by kind, what had to be computed (for the build record)."""

    def __init__(self, store: Path | None) -> None:
        self.store = store
        self.used: set[str] = set()
        self.computed: dict[str, list[str]] = {}
        self._version = ""  # computed on first use: a no-op build never needs it

    def __call__(self, kind: str, what: str, inputs: Any, compute: Callable[[], T]) -> T:
        if self.store is None:
            self.computed.setdefault(kind, []).append(what)
            return json.loads(json.dumps(compute()))  # the same types as a stored result
        self._version = self._version or code_version()
        # no sort_keys: AST keys come in one order, and sorting a chapter's AST costs more
        # than the occasional miss an unsorted dict could cause
        text = json.dumps([kind, self._version, inputs], default=str, ensure_ascii=False)
        digest = store.sha256(text)
        self.used.add(digest)
        path = self.store / f"{digest}.json"
        found, value = _load(path)
        if found:
            return value
        data = json.dumps(compute(), ensure_ascii=False)
        self.computed.setdefault(kind, []).append(what)
        store.write_checked(path, data)
        return json.loads(data)  # the same types (lists, not tuples) as a stored result

    def prune(self) -> None:
        """Remove entries this build did not use and temporary files left by killed builds."""
        if self.store is None or not self.store.is_dir():
            return
        for path in self.store.iterdir():
            if path.name.startswith(".") or path.stem not in self.used:
                path.unlink(missing_ok=True)

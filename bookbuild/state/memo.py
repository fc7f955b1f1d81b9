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

import hashlib
import json
import logging
import os
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

from bookbuild.document import pandoc
from bookbuild.document.chapter import Chapter
from bookbuild.state.edition import package_digest

FOLDER = Path(".bookbuild") / "render"
PARSES = Path(".bookbuild") / "ast"
T = TypeVar("T")
log = logging.getLogger("bookbuild")


def _load(path: Path) -> tuple[bool, Any]:
    """(True, value) for an intact entry; (False, None) when absent or damaged (warned)."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return False, None
    except (OSError, UnicodeDecodeError) as exc:
        log.warning(
            "%s: unreadable build-state entry (%s); computing it again",
            path,
            exc.__class__.__name__,
        )
        return False, None
    digest, _, data = text.partition("\n")
    if hashlib.sha256(data.encode("utf-8")).hexdigest() != digest:
        log.warning("%s: damaged build-state entry (truncated or edited); computing it again", path)
        return False, None
    return True, json.loads(data)


def code_version() -> str:
    """Hash of the Pandoc version and every file of the `bookbuild` package."""
    return hashlib.sha256(f"{pandoc.pandoc_version()}\0{package_digest()}".encode()).hexdigest()


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
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        self.used.add(digest)
        path = self.store / f"{digest}.json"
        found, value = _load(path)
        if found:
            return value
        data = json.dumps(compute(), ensure_ascii=False)
        self.computed.setdefault(kind, []).append(what)
        self.store.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        check = hashlib.sha256(data.encode("utf-8")).hexdigest()
        tmp.write_text(f"{check}\n{data}", "utf-8")
        os.replace(tmp, path)
        return json.loads(data)  # the same types (lists, not tuples) as a stored result

    def prune(self) -> None:
        """Remove entries this build did not use and temporary files left by killed builds."""
        if self.store is None or not self.store.is_dir():
            return
        for path in self.store.iterdir():
            if path.name.startswith(".") or path.stem not in self.used:
                path.unlink(missing_ok=True)

"""The execution cache in `_freeze/`: one entry per chapter, keyed on everything it used.

An entry holds the executed notebook and a record of what produced it: a hash of the
chapter's code cells, options and inline expressions; SHA-256 of every project file its
kernel read and every project module it imported (recorded by the kernel itself); and the
hash of the locked environment. `stale_reasons` says why an entry cannot be reused.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

from bookbuild import __version__
from bookbuild.execute.kernel import Dependencies, effective_options, planned_cells
from bookbuild.source.qmd import Document
from bookbuild.state import freeze, store
from bookbuild.state.freeze import Entry, entry_dir
from bookbuild.state.records import RECORD_VERSION, CacheRecord

LOCK_FILE = "requirements.lock"
log = logging.getLogger("bookbuild")


def lines_sha256(path: Path, pattern: str) -> str | None:
    """SHA-256 of the lines of a text file that match `pattern` (None when it is missing)."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return None
    regex = re.compile(pattern)
    chosen = [line for line in text.splitlines() if regex.search(line)]
    return store.sha256("\n".join(chosen))


def code_key(doc: Document, defaults: dict[str, Any]) -> str:
    """Hash of what the kernel runs: cells and inline expressions in the order they run, with
    the block each belongs to (the woven chapter finds outputs by block), and cell options.

    Line numbers are left out, so prose edits that keep the block structure reuse the entry;
    moving an inline expression past a cell changes its value, and so changes the key.
    """
    sequence = [
        [meta["kind"], meta.get("block"), source] for source, meta in planned_cells(doc, defaults)
    ]
    parts: list[Any] = [__version__, sequence]
    parts += [effective_options(cell, defaults) for cell in doc.cells]
    return store.sha256(json.dumps(parts, sort_keys=True))


def env_key(root: Path) -> str:
    """Hash of the locked environment and the Python version that executes the cells."""
    lock = store.file_sha256(root / LOCK_FILE) or "no-lock"
    return store.sha256(f"{lock} {sys.version}")


def notebook_bytes(nb: nbformat.NotebookNode) -> bytes:
    """The notebook as stable bytes: no execution timestamps, sorted keys."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    return (nbformat.writes(nb) + "\n").encode("utf-8")


def write_entry(
    root: Path,
    doc: Document,
    defaults: dict[str, Any],
    nb: nbformat.NotebookNode,
    deps: Dependencies,
    freeze_dir: Path | None = None,
) -> Entry:
    """Store an executed chapter; the record is written last and names the notebook's hash."""
    data = notebook_bytes(nb)
    record: CacheRecord = {
        "version": RECORD_VERSION,
        "source": str(doc.path),
        "code": code_key(doc, defaults),
        "env": env_key(root),
        "notebook_sha256": store.sha256(data),
        "reads": {p: store.file_sha256(root / p) for p in deps.reads},
        "modules": {p: store.file_sha256(root / p) for p in deps.modules},
        "lines": {
            p: {pattern: lines_sha256(root / p, pattern) for pattern in patterns}
            for p, patterns in sorted(deps.lines.items())
        },
    }
    freeze.save(entry_dir(root, doc.path, freeze_dir), data, record)
    return Entry(nb, record)


def read_entry(
    root: Path, chapter: Path, freeze_dir: Path | None = None
) -> tuple[Entry | None, str | None]:
    """(entry, None) when present and intact; (None, reason) otherwise.

    A damaged entry (unreadable, truncated, of the wrong shape, or a notebook that does not
    match its record) is never used: the chapter is executed again, with a warning.
    """
    folder = entry_dir(root, chapter, freeze_dir)
    if not freeze.exists(folder):
        return None, "never executed"
    entry, problem = freeze.load(folder)
    if problem and problem.startswith(("cache entry unreadable", "cache entry corrupt")):
        log.warning("%s: %s; executing %s again", relative_to(folder, root), problem, chapter)
    return entry, problem


def relative_to(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def stale_reasons(
    root: Path, doc: Document, defaults: dict[str, Any], entry: Entry | None, missing: str | None
) -> list[str]:
    """Why `entry` cannot be reused for `doc`; empty when it is fresh."""
    if entry is None:
        return [missing or "never executed"]
    record = entry.record
    reasons = []
    if record["code"] != code_key(doc, defaults):
        reasons.append("code cells, cell options or inline expressions changed")
    for group in ("reads", "modules"):
        for path, digest in sorted(record[group].items()):
            now = store.file_sha256(root / path)
            if now != digest:
                reasons.append(f"{path} {'was deleted' if now is None else 'changed'}")
    for path, patterns in sorted(record.get("lines", {}).items()):
        for pattern, digest in sorted(patterns.items()):
            now = lines_sha256(root / path, pattern)
            if now != digest:
                reasons.append(
                    f"{path} {'was deleted' if now is None else 'changed'} "
                    f"(the lines matching {pattern!r})"
                )
    if record["env"] != env_key(root):
        reasons.append(f"environment changed ({LOCK_FILE} or Python version)")
    return reasons

"""The execution cache in `_freeze/`: one entry per chapter, keyed on everything it used.

An entry holds the executed notebook and a record of what produced it: a hash of the
chapter's code cells, options and inline expressions; SHA-256 of every project file its
kernel read and every project module it imported (recorded by the kernel itself); and the
hash of the locked environment. `stale_reasons` says why an entry cannot be reused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from bookbuild import __version__
from bookbuild.execute.kernel import Dependencies, effective_options, planned_cells
from bookbuild.source.qmd import Document

FREEZE_DIR = "_freeze"
LOCK_FILE = "requirements.lock"
RECORD_VERSION = 1
log = logging.getLogger("bookbuild")


def _digests(value: Any) -> bool:
    """A {path: SHA-256 or None} mapping, as `write_entry` records reads and modules."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    )


def record_problem(record: Any) -> str | None:
    """What is wrong with a record's shape (None when it is what `write_entry` writes)."""
    if not isinstance(record, dict):
        return "record is not a mapping"
    for key in ("code", "env", "notebook_sha256"):
        if not isinstance(record.get(key), str):
            return f"record has no valid '{key}'"
    for key in ("reads", "modules"):
        if not _digests(record.get(key)):
            return f"record has no valid '{key}'"
    lines = record.get("lines", {})
    if not (isinstance(lines, dict) and all(_digests(v) for v in lines.values())):
        return "record has no valid 'lines'"
    return None


def _cells_problem(nb: Any) -> str | None:
    """What is wrong with a notebook's shape for weaving (None when it is fine)."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if nb.get("nbformat") != 4 or not isinstance(cells, list):
        return "not a version 4 notebook"
    for cell in cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("metadata", {}), dict):
            return "a cell is not a mapping"
        if cell.get("cell_type") == "code" and not (
            isinstance(cell.get("outputs"), list)
            and all(isinstance(o, dict) for o in cell["outputs"])
        ):
            return "a code cell has no list of outputs"
    return None


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def lines_sha256(path: Path, pattern: str) -> str | None:
    """SHA-256 of the lines of a text file that match `pattern` (None when it is missing)."""
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return None
    regex = re.compile(pattern)
    chosen = [line for line in text.splitlines() if regex.search(line)]
    return hashlib.sha256("\n".join(chosen).encode()).hexdigest()


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
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def env_key(root: Path) -> str:
    """Hash of the locked environment and the Python version that executes the cells."""
    lock = file_sha256(root / LOCK_FILE) or "no-lock"
    return hashlib.sha256(f"{lock} {sys.version}".encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    notebook: nbformat.NotebookNode
    record: dict[str, Any]


def entry_dir(root: Path, chapter: Path, freeze: Path | None = None) -> Path:
    """Where a chapter's entry lives: `_freeze/<chapter path without suffix>/`."""
    return (freeze or root / FREEZE_DIR) / chapter.with_suffix("")


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    freeze: Path | None = None,
) -> Entry:
    """Store an executed chapter; the record is written last and names the notebook's hash."""
    data = notebook_bytes(nb)
    record = {
        "version": RECORD_VERSION,
        "source": str(doc.path),
        "code": code_key(doc, defaults),
        "env": env_key(root),
        "notebook_sha256": hashlib.sha256(data).hexdigest(),
        "reads": {p: file_sha256(root / p) for p in deps.reads},
        "modules": {p: file_sha256(root / p) for p in deps.modules},
        "lines": {
            p: {pattern: lines_sha256(root / p, pattern) for pattern in patterns}
            for p, patterns in sorted(deps.lines.items())
        },
    }
    folder = entry_dir(root, doc.path, freeze)
    _atomic_write(folder / "notebook.ipynb", data)
    _atomic_write(
        folder / "record.json", (json.dumps(record, indent=1, sort_keys=True) + "\n").encode()
    )
    return Entry(nb, record)


def read_entry(
    root: Path, chapter: Path, freeze: Path | None = None
) -> tuple[Entry | None, str | None]:
    """(entry, None) when present and intact; (None, reason) otherwise.

    A damaged entry (unreadable, truncated, of the wrong shape, or a notebook that does not
    match its record) is never used: the chapter is executed again, with a warning.
    """
    folder = entry_dir(root, chapter, freeze)
    if not (folder / "record.json").exists():
        return None, "never executed"
    entry, problem = _read(folder)
    if problem and problem.startswith(("cache entry unreadable", "cache entry corrupt")):
        log.warning("%s: %s; executing %s again", relative_to(folder, root), problem, chapter)
    return entry, problem


def relative_to(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def _read(folder: Path) -> tuple[Entry | None, str | None]:
    try:
        record = json.loads((folder / "record.json").read_text("utf-8"))
        data = (folder / "notebook.ipynb").read_bytes()
    except (OSError, ValueError) as exc:
        return None, f"cache entry unreadable ({exc.__class__.__name__})"
    if isinstance(record, dict) and record.get("version") != RECORD_VERSION:
        return None, "cache entry from another version of the build"
    problem = record_problem(record)
    if problem:
        return None, f"cache entry unreadable ({problem})"
    if hashlib.sha256(data).hexdigest() != record.get("notebook_sha256"):
        return None, "cache entry corrupt (notebook does not match its record)"
    try:  # the hash matches what a build wrote: not validated again (0.2 s on every build)
        nb = nbformat.reader.reads(data.decode("utf-8"))
    except Exception as exc:  # nbformat raises several types for bad JSON
        return None, f"cache entry unreadable ({exc.__class__.__name__})"
    problem = _cells_problem(nb)
    if problem:
        return None, f"cache entry unreadable ({problem})"
    return Entry(nb, record), None


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
            now = file_sha256(root / path)
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

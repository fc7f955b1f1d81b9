"""The execution cache's entries on disk: `_freeze/<chapter>/notebook.ipynb` and `record.json`.

What an entry's record holds, and when it is stale, is `execute/cache.py`'s business; this
module stores and loads entries. The notebook is written first and the record last, and the
record names the notebook's SHA-256, so an entry torn by a killed build (a new notebook, the
old record) is recognised and never used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from bookbuild.state import store
from bookbuild.state.records import RECORD_VERSION, CacheRecord, cache_record_problem

NOTEBOOK = "notebook.ipynb"
RECORD = "record.json"


@dataclass(frozen=True)
class Entry:
    """An intact cache entry: the executed notebook and the record of what produced it."""

    notebook: nbformat.NotebookNode
    record: CacheRecord


def entry_dir(root: Path, chapter: Path, freeze: Path | None = None) -> Path:
    """Where a chapter's entry lives: `_freeze/<chapter path without suffix>/` (or under
    `freeze`, for an isolated build)."""
    return (freeze or root / store.FREEZE_DIR) / chapter.with_suffix("")


def save(folder: Path, notebook: bytes, record: CacheRecord) -> None:
    """Store an entry: the notebook, then the record that names its hash (both durable)."""
    store.atomic_write(folder / NOTEBOOK, notebook, durable=True)
    text = json.dumps(record, indent=1, sort_keys=True) + "\n"
    store.atomic_write(folder / RECORD, text.encode("utf-8"), durable=True)


def exists(folder: Path) -> bool:
    """Whether an entry was ever written there (intact or not)."""
    return (folder / RECORD).exists()


def _cells_problem(nb: Any) -> str | None:
    """What is wrong with a notebook's shape for weaving (None when it is fine)."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(nb, dict) or nb.get("nbformat") != 4 or not isinstance(cells, list):
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


def load(folder: Path) -> tuple[Entry | None, str | None]:
    """(entry, None) when the entry in `folder` is intact; (None, what is wrong) otherwise:
    unreadable, truncated, of another version or shape, or a notebook its record does not
    name."""
    try:
        record = json.loads((folder / RECORD).read_text("utf-8"))
        data = (folder / NOTEBOOK).read_bytes()
    except (OSError, ValueError) as exc:
        return None, f"cache entry unreadable ({exc.__class__.__name__})"
    if isinstance(record, dict) and record.get("version") != RECORD_VERSION:
        return None, "cache entry from another version of the build"
    problem = cache_record_problem(record)
    if problem:
        return None, f"cache entry unreadable ({problem})"
    if store.sha256(data) != record.get("notebook_sha256"):
        return None, "cache entry corrupt (notebook does not match its record)"
    try:  # the hash matches what a build wrote: not validated again (0.2 s on every build)
        nb = nbformat.reader.reads(data.decode("utf-8"))
    except Exception as exc:  # nbformat raises several types for bad JSON
        return None, f"cache entry unreadable ({exc.__class__.__name__})"
    problem = _cells_problem(nb)
    if problem:
        return None, f"cache entry unreadable ({problem})"
    return Entry(nb, record), None

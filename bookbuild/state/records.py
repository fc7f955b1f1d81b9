"""The shapes of the JSON records the build keeps, and a check of each when it is read back.

Each record is a `TypedDict`: it is written and read as plain JSON (so the files on disk keep
their format), and the type checker knows its fields. Each `*_problem` function says what is
wrong with a value read from disk (None when it is what the build writes), so that a damaged
or foreign file is treated as absent instead of being used.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

# The version of the cache record's format: a record of another version is executed again.
RECORD_VERSION = 3  # 2: one notebook cell for all inline values of a markdown block; 3: the
# kernel's launcher is no dependency (a warm kernel's `__main__` was the build's zygote.py)

Digests = dict[str, str | None]  # project path -> SHA-256 (None: the file was missing)


class CacheRecord(TypedDict):
    """`_freeze/<chapter>/record.json`: what produced the notebook beside it."""

    version: int
    source: str  # the chapter, relative to the project
    code: str  # `execute.cache.code_key`: cells, options and inline expressions
    env: str  # `execute.cache.env_key`: the lock file and the Python version
    notebook_sha256: str  # the notebook's bytes, so a torn entry is recognised
    reads: Digests  # the project files the kernel read
    modules: Digests  # the project modules it imported
    lines: NotRequired[dict[str, Digests]]  # path -> {regex: SHA-256 of the matching lines}


class EditionRecord(TypedDict):
    """`.bookbuild/edition.json`: which edition the last publish left, and under which key."""

    key: str  # `state.edition.edition_key`
    output: str  # the edition's folder
    stamp: str  # `state.edition.tree_stamp` of that folder just after publishing


class LastBuild(TypedDict):
    """`.bookbuild/last-build.json`: what the last build did, for the author and the tests."""

    output: str
    kernels_started: int
    executed: dict[str, list[str]]  # chapter -> why it was executed
    rendered: bool  # False when the edition was already current
    rendered_chapters: dict[str, list[str]]  # format -> chapters converted (not memoised)
    wall_s: float
    timings_s: dict[str, float]  # stage -> seconds


def _digests(value: Any) -> bool:
    """A {path: SHA-256 or None} mapping, as the cache records reads and modules."""
    return isinstance(value, dict) and all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in value.items()
    )


def cache_record_problem(record: Any) -> str | None:
    """What is wrong with a cache record's shape (None when it is a `CacheRecord`)."""
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


def edition_record_problem(record: Any) -> str | None:
    """What is wrong with an edition record's shape (None when it is an `EditionRecord`)."""
    if not isinstance(record, dict):
        return "not a mapping"
    missing = [k for k in ("key", "output", "stamp") if not isinstance(record.get(k), str)]
    return f"no valid '{missing[0]}'" if missing else None

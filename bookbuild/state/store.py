"""Every file the build keeps between runs: where it lives, how it is written, how it is read.

All state is under two folders of the project: `_freeze/` (the execution cache, one entry per
chapter) and `.bookbuild/` (the render memo, the parse cache, the edition record, the last
build's report, the web-font cache and the build lock). Their paths are spelled here only.

Writes are atomic: the data go to a temporary file beside the target (its name starts with
`.`, so a killed build's leftovers are recognisable) which then replaces the target in one
`rename`, so a reader sees the old file or the new one, never half of one. Reads are checked:
a file that is truncated, garbled or not what the build writes is treated as absent (the
build computes it again) with a warning, and never used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

log = logging.getLogger("bookbuild")

STATE_DIR = Path(".bookbuild")
FREEZE_DIR = Path("_freeze")
RENDER_DIR = STATE_DIR / "render"  # each chapter's HTML parts and Typst, citeproc's results
AST_DIR = STATE_DIR / "ast"  # each chapter's Pandoc parse
EDITION_FILE = STATE_DIR / "edition.json"  # the key and stamp of the last published edition
LAST_BUILD_FILE = STATE_DIR / "last-build.json"  # what the last build executed and rendered
LOCK_FILE = STATE_DIR / "build.lock"
# What `.bookbuild/` holds by name, and whether each is a file or a folder (checked before a
# build starts: a folder where a file belongs is refused with a message, not a traceback).
STATE_KINDS = {
    LOCK_FILE.name: "file",
    EDITION_FILE.name: "file",
    LAST_BUILD_FILE.name: "file",
    RENDER_DIR.name: "folder",
    AST_DIR.name: "folder",
}


def webfont_file(key: str) -> Path:
    """Where the subset web font for `key` (weight and characters) is kept."""
    return STATE_DIR / f"cjk-{key}.woff2"


def sha256(data: bytes | str) -> str:
    """SHA-256 of `data` (text is encoded as UTF-8), as hex."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a file's bytes; None when it cannot be read."""
    try:
        return sha256(path.read_bytes())
    except OSError:
        return None


def atomic_write(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write `data` to `path` so that no reader ever sees a partial file.

    With `durable`, the data reach the disk before the rename (for entries that other files
    name by hash). The temporary file is removed when anything fails.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as handle:  # the umask's permissions, as a plain write gives
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_json(path: Path, value: Any, **dumps: Any) -> None:
    """`value` as JSON (with `json.dumps` options) and a final newline, written atomically."""
    atomic_write(path, (json.dumps(value, **dumps) + "\n").encode("utf-8"))


def warn_damaged(path: Path, problem: str, what: str = "build-state entry") -> None:
    """Say that a state file is not used, and why; the build then computes it again."""
    log.warning("%s: damaged %s (%s); computing it again", path, what, problem)


def read_bytes(
    path: Path, valid: Callable[[bytes], bool] | None = None, what: str = "build-state entry"
) -> bytes | None:
    """A state file's bytes; None when absent, or (warned) unreadable or failing `valid`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        warn_damaged(path, f"unreadable: {exc.__class__.__name__}", what)
        return None
    if valid is not None and not valid(data):
        warn_damaged(path, "truncated, or not written by this build", what)
        return None
    return data


def read_json(path: Path, problem: Callable[[Any], str | None]) -> Any | None:
    """A JSON state file's value; None when absent, or (warned) unreadable, not JSON, or of
    a shape `problem` objects to (it returns what is wrong, or None when the value is fine)."""
    data = read_bytes(path)
    if data is None:
        return None
    try:
        value = json.loads(data.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError is one
        warn_damaged(path, f"not JSON: {exc.__class__.__name__}")
        return None
    wrong = problem(value)
    if wrong:
        warn_damaged(path, wrong)
        return None
    return value


def write_checked(path: Path, text: str) -> None:
    """Write `text` behind a first line holding its SHA-256 (see `read_checked`)."""
    atomic_write(path, f"{sha256(text)}\n{text}".encode())


def read_checked(path: Path) -> str | None:
    """The text `write_checked` stored in `path`; None when absent, or (warned) when the
    checksum line does not match the rest: truncated, edited or foreign."""
    data = read_bytes(path)
    if data is None:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        warn_damaged(path, "not UTF-8")
        return None
    digest, _, rest = text.partition("\n")
    if sha256(rest) != digest:
        warn_damaged(path, "truncated or edited")
        return None
    return rest

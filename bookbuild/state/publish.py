"""Publishing an edition atomically, and keeping two builds from running at once.

Publishing replaces only a folder the build made: each edition holds a marker file
(`MARKER`), and an existing output folder without one is refused, so a mistyped `output-dir`
can never delete files the author wrote. A legacy edition, published before markers existed,
is recognised by its shape (an `index.html` and the build's `provenance.json`, and no source
files) and replaced once with a warning; from then on it carries the marker.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bookbuild.errors import BuildError
from bookbuild.state import store

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
MARKER = ".thesis-edition"
MARKER_TEXT = (
    "This folder is an edition published by `thesis build`, which replaces it whole "
    "on every build.\nDo not keep other files here.\n"
)
_SOURCE_SUFFIXES = {".qmd", ".py", ".yml", ".yaml", ".bib", ".ipynb", ".md"}
log = logging.getLogger("bookbuild")


def _is_legacy_edition(folder: Path) -> bool:
    """An unmarked folder that a build before edition markers published (see the module)."""
    try:
        record = json.loads((folder / "provenance.json").read_text("utf-8"))
    except (OSError, ValueError):
        return False
    if not (
        isinstance(record, dict)
        and {"version", "chapters", "environment"} <= set(record)
        and (folder / "index.html").is_file()
    ):
        return False
    return not any(p.suffix in _SOURCE_SUFFIXES or p.name == ".git" for p in folder.rglob("*"))


def check_replaceable(output: Path, root: Path | None = None, warn: bool = True) -> None:
    """Refuse (BuildError) when publishing to `output` could replace something the build did
    not create: a file, a symlink, or a folder without the edition marker (a legacy edition
    is accepted, with a warning if `warn`)."""
    shown = output.relative_to(root) if root and output.is_relative_to(root) else output
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise BuildError(
            "the output folder is a file or a link, not an edition; move it "
            "aside or choose another project: output-dir:",
            shown,
        )
    if not output.exists() or (output / MARKER).is_file():
        return
    if _is_legacy_edition(output):
        if warn:
            log.warning(
                "%s/: an edition from before edition markers; it is replaced and marked", shown
            )
        return
    raise BuildError(
        f"the output folder exists but is not an edition this build published "
        f"(no {MARKER} in it); move it aside or choose another project: "
        "output-dir:",
        shown,
    )


def staging_dir(output: Path) -> Path:
    """A fresh directory beside `output` (same filesystem, so the swap is a rename)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{output.name}.staging-", dir=output.parent))


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if not hasattr(libc, "renameat2"):
        return False
    result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code), str(a))


def publish(staging: Path, output: Path) -> None:
    """Make `staging` the edition at `output`; the old edition is removed afterwards.

    With an existing edition the two directories are exchanged in one system call, so a
    reader (or a crash) sees the old or the new edition, never a mix or nothing. `staging` is
    marked as an edition; an `output` that is not one is refused (`check_replaceable`).
    """
    check_replaceable(output, warn=False)
    (staging / MARKER).write_text(MARKER_TEXT, "utf-8")
    if output.exists() and _exchange(staging, output):
        _remove_old(staging)
        return
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
        os.rmdir(old)
        os.rename(output, old)
        os.rename(staging, output)
        _remove_old(old)
    else:
        os.rename(staging, output)


def _remove_old(old: Path) -> None:
    """Delete the replaced edition; the new one is already published, so a failure (a
    read-only file in it) is a warning, and the next build clears what is left."""
    try:
        shutil.rmtree(old)
    except OSError as exc:
        log.warning(
            "%s: the replaced edition could not be removed (%s); the next build tries again",
            old,
            exc.strerror or exc,
        )


def remove_edition(output: Path, root: Path | None = None) -> bool:
    """Delete the edition at `output` (only if it is one, see `check_replaceable`)."""
    check_replaceable(output, root)
    if not output.exists():
        return False
    shutil.rmtree(output)
    return True


def clean_stale_staging(output: Path) -> None:
    """Remove staging folders left by builds that were killed."""
    for leftover in output.parent.glob(f".{output.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output.parent.glob(f".{output.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def build_lock(root: Path, check_state: bool = True) -> Iterator[None]:
    """Hold the project's build lock; a second build stops with a clear message. With
    `check_state`, build state of the wrong kind (a folder where a file belongs) is refused."""
    folder = root / store.STATE_DIR
    for name, kind in store.STATE_KINDS.items() if check_state else ():
        path = folder / name
        if path.exists() and path.is_dir() != (kind == "folder"):
            raise BuildError(
                f"build state should be a {kind}; remove it (it is rebuilt)", store.STATE_DIR / name
            )
    try:
        folder.mkdir(exist_ok=True)
        handle = open(root / store.LOCK_FILE, "a+")  # noqa: SIM115 - held for the whole build
    except OSError as exc:
        raise BuildError(
            f"cannot keep build state here ({exc.strerror}); .bookbuild must be a "
            "writable folder — remove or fix it",
            folder.name,
        ) from None
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildError(
                f"another build of this project is running (pid {holder}); wait for it to finish",
                root,
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()

"""Publishing an edition atomically, and keeping two builds from running at once."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bookbuild.errors import BuildError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


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
    result = libc.renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                            _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code), str(a))


def publish(staging: Path, output: Path) -> None:
    """Make `staging` the edition at `output`; the old edition is removed afterwards.

    With an existing edition the two directories are exchanged in one system call, so a
    reader (or a crash) sees the old or the new edition, never a mix or nothing.
    """
    if output.exists() and _exchange(staging, output):
        shutil.rmtree(staging)
        return
    if output.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
        os.rmdir(old)
        os.rename(output, old)
        os.rename(staging, output)
        shutil.rmtree(old)
    else:
        os.rename(staging, output)


def clean_stale_staging(output: Path) -> None:
    """Remove staging folders left by builds that were killed."""
    for leftover in output.parent.glob(f".{output.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in output.parent.glob(f".{output.name}.old-*"):
        shutil.rmtree(leftover, ignore_errors=True)


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Hold the project's build lock; a second build stops with a clear message."""
    folder = root / ".bookbuild"
    folder.mkdir(exist_ok=True)
    handle = open(folder / "build.lock", "a+")  # noqa: SIM115 - held for the whole build
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise BuildError(f"another build of this project is running (pid {holder}); "
                             "wait for it to finish", root) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()

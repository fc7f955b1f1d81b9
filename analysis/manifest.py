"""SHA-256 manifest of the immutable raw data (``data/raw/SHA256SUMS``).

The manifest is in ``sha256sum`` format (``<hex>  <path relative to data/raw>``), so it can
also be checked with ``cd data/raw && sha256sum -c SHA256SUMS``. Loaders call
:func:`verify_file` before reading; a changed byte raises :class:`ChecksumError` unless the
caller passes ``allow_changed=True`` or the environment sets ``THESIS_ALLOW_DATA_CHANGE=1``.

Update it only on purpose, after deciding that a raw file should change::

    python -m analysis.manifest --update     # rewrite the manifest
    python -m analysis.manifest              # check every file, exit 1 on a mismatch
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from analysis.paths import MANIFEST, RAW

__all__ = [
    "ALLOW_ENV",
    "ChecksumError",
    "check_all",
    "file_sha256",
    "read_manifest",
    "verify_file",
    "write_manifest",
]

ALLOW_ENV = "THESIS_ALLOW_DATA_CHANGE"
"""Environment variable that, set to ``1``, lets a changed raw file be read."""

_CHUNK = 1 << 16


class ChecksumError(RuntimeError):
    """A raw file that is missing from the manifest or differs from its recorded hash."""

    def __init__(self, path: Path, expected: str | None, actual: str | None) -> None:
        self.path, self.expected, self.actual = path, expected, actual
        if expected is None:
            msg = f"{path}: not listed in the manifest {MANIFEST.name} (actual sha256 {actual})"
        elif actual is None:
            msg = f"{path}: listed in the manifest (sha256 {expected}) but the file is missing"
        else:
            msg = f"{path}: sha256 mismatch: expected {expected}, actual {actual}"
        msg += (
            f". If the change is intended, run `python -m analysis.manifest --update`; "
            f"to read it anyway pass allow_changed=True or set {ALLOW_ENV}=1."
        )
        super().__init__(msg)


def file_sha256(path: Path | str) -> str:
    """Hex SHA-256 of a file's bytes.

    Parameters
    ----------
    path : path
        The file.

    Returns
    -------
    str
        64 hex digits.

    Examples
    --------
    >>> import tempfile
    >>> raw = Path(tempfile.mkdtemp())
    >>> _ = (raw / "a.csv").write_text("x")
    >>> file_sha256(raw / "a.csv")[:12]
    '2d711642b726'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _raw_files(raw_dir: Path, manifest: Path) -> list[Path]:
    """Every file under ``raw_dir`` except the manifest itself, sorted by relative path."""
    files = [p for p in raw_dir.rglob("*") if p.is_file() and p.resolve() != manifest.resolve()]
    return sorted(files, key=lambda p: p.relative_to(raw_dir).as_posix())


def write_manifest(raw_dir: Path = RAW, manifest: Path = MANIFEST) -> Path:
    """(Re)write the manifest covering every file under ``raw_dir``; returns its path.

    Parameters
    ----------
    raw_dir : path, default ``data/raw``
        The folder the manifest covers.
    manifest : path, default ``data/raw/SHA256SUMS``
        The manifest.

    Returns
    -------
    pathlib.Path
        The manifest written (``sha256sum`` format, sorted by path).

    Examples
    --------
    >>> import tempfile
    >>> raw = Path(tempfile.mkdtemp())
    >>> _ = (raw / "a.csv").write_text("x")
    >>> write_manifest(raw, raw / "SHA256SUMS").read_text().split()[1]
    'a.csv'
    """
    lines = [
        f"{file_sha256(p)}  {p.relative_to(raw_dir).as_posix()}\n"
        for p in _raw_files(raw_dir, manifest)
    ]
    manifest.write_text("".join(lines), encoding="utf-8", newline="\n")
    return manifest


def read_manifest(manifest: Path = MANIFEST) -> dict[str, str]:
    """Relative path -> expected hex digest.

    Parameters
    ----------
    manifest : path, default ``data/raw/SHA256SUMS``
        The manifest.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> import tempfile
    >>> raw = Path(tempfile.mkdtemp())
    >>> _ = (raw / "a.csv").write_text("x")
    >>> manifest = write_manifest(raw, raw / "SHA256SUMS")
    >>> list(read_manifest(manifest))
    ['a.csv']
    """
    entries: dict[str, str] = {}
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        digest, sep, rel = line.partition("  ")
        if not sep or len(digest) != 64:
            raise ValueError(f"{manifest}, line {number}: not in sha256sum format: {line!r}")
        entries[rel.lstrip("*")] = digest
    return entries


def _allowed(allow_changed: bool) -> bool:
    return allow_changed or os.environ.get(ALLOW_ENV) == "1"


def _recorded_digest(manifest: Path, rel: str) -> str | None:
    """The manifest's digest for ``rel``.

    Raises the audit event ``bookbuild.read_lines`` first: the thesis build then makes the
    chapter depend on ``rel``'s line of the manifest only, so that updating the manifest for
    one raw file does not re-execute chapters that read other files.
    """
    sys.audit("bookbuild.read_lines", str(manifest), rf"^\S*  \*?{re.escape(rel)}$")
    return read_manifest(manifest).get(rel)


def verify_file(
    path: Path | str, *, allow_changed: bool = False, raw_dir: Path = RAW, manifest: Path = MANIFEST
) -> str:
    """Check ``path`` (a file under ``raw_dir``) against the manifest; return its digest.

    Raises :class:`ChecksumError` naming the file, expected and actual hash, unless changes
    are allowed (``allow_changed=True`` or ``THESIS_ALLOW_DATA_CHANGE=1``).

    Parameters
    ----------
    path : path
        A file under ``raw_dir``.
    allow_changed : bool, default False
        Warn instead of raising for a changed file.
    raw_dir : path, default ``data/raw``
        The folder the manifest covers.
    manifest : path, default ``data/raw/SHA256SUMS``
        The manifest.

    Returns
    -------
    str
        The file's digest.

    Examples
    --------
    >>> import tempfile
    >>> raw = Path(tempfile.mkdtemp())
    >>> _ = (raw / "a.csv").write_text("x")
    >>> manifest = write_manifest(raw, raw / "SHA256SUMS")
    >>> verify_file(raw / "a.csv", raw_dir=raw, manifest=manifest) == file_sha256(raw / "a.csv")
    True
    """
    path = Path(path).resolve()
    try:
        rel = path.relative_to(raw_dir.resolve()).as_posix()
    except ValueError:
        raise ChecksumError(path, None, file_sha256(path)) from None
    expected = _recorded_digest(manifest, rel)
    actual = file_sha256(path) if path.exists() else None
    if (expected is None or actual != expected) and not _allowed(allow_changed):
        raise ChecksumError(path, expected, actual)
    return actual or ""


def check_all(raw_dir: Path = RAW, manifest: Path = MANIFEST) -> list[str]:
    """Problems found comparing every raw file with the manifest (empty list = all good).

    Parameters
    ----------
    raw_dir : path, default ``data/raw``
        The folder the manifest covers.
    manifest : path, default ``data/raw/SHA256SUMS``
        The manifest.

    Returns
    -------
    list of str
        One message per missing, changed or unlisted file.

    Examples
    --------
    >>> import tempfile
    >>> raw = Path(tempfile.mkdtemp())
    >>> _ = (raw / "a.csv").write_text("x")
    >>> manifest = write_manifest(raw, raw / "SHA256SUMS")
    >>> _ = (raw / "b.csv").write_text("y")
    >>> check_all(raw, manifest)
    ['b.csv: not listed in SHA256SUMS']
    """
    expected = read_manifest(manifest)
    actual = {
        p.relative_to(raw_dir).as_posix(): file_sha256(p) for p in _raw_files(raw_dir, manifest)
    }
    problems = []
    for rel in sorted(set(expected) | set(actual)):
        if rel not in actual:
            problems.append(f"{rel}: listed but missing")
        elif rel not in expected:
            problems.append(f"{rel}: not listed in {manifest.name}")
        elif expected[rel] != actual[rel]:
            problems.append(f"{rel}: expected {expected[rel]}, actual {actual[rel]}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: ``--update`` rewrites the manifest, otherwise every raw file is checked.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (``sys.argv[1:]`` by default).

    Returns
    -------
    int
        Exit status: 0 when every file matches, 1 otherwise.

    Examples
    --------
    >>> main([])
    all 9 raw files match SHA256SUMS
    0
    """
    parser = argparse.ArgumentParser(description="Check or update data/raw/SHA256SUMS.")
    parser.add_argument("--update", action="store_true", help="rewrite the manifest from the files")
    args = parser.parse_args(argv)
    if args.update:
        path = write_manifest()
        print(f"wrote {path} ({len(read_manifest(path))} files)")
        return 0
    problems = check_all()
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print(f"all {len(read_manifest())} raw files match {MANIFEST.name}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Raw inputs checked against their checksum manifest on every build.

Raw data are never edited. Every file under the manifest's folder (`bookbuild: checksums:`,
by default `data/raw/SHA256SUMS`) that a chapter's kernel read (the cache record holds its
SHA-256 as read) must have that digest in the manifest (`sha256sum` format). A changed,
added or unlisted raw file stops the build with its name and how to accept the change (the
command in `bookbuild: checksums-update:`, if the book names one);
`THESIS_ALLOW_DATA_CHANGE=1` (the switch the book's own loaders honour, too) turns the error
into a warning.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from bookbuild.errors import BuildError
from bookbuild.state.records import CacheRecord

log = logging.getLogger("bookbuild")


def read_manifest(root: Path, manifest: Path) -> dict[str, tuple[str, int]] | None:
    """{path relative to the project: (digest, manifest line)}; None without a manifest."""
    path = root / manifest
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(
            f"checksum manifest unreadable ({exc.__class__.__name__})", manifest
        ) from None
    entries: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise BuildError("not in sha256sum format ('<sha256>  <file>')", manifest, number)
        entries[(manifest.parent / name.strip().lstrip("*")).as_posix()] = (digest.lower(), number)
    return entries


def _accept(manifest: Path, update: str) -> str:
    if update:
        return f"accept it with `{update}`"
    return f"accept it by updating its line in {manifest} (sha256sum format)"


def check_raw_reads(
    root: Path,
    records: Iterable[tuple[Path, CacheRecord | None]],
    manifest: Path,
    update: str = "",
) -> None:
    """Each raw file a chapter read (per its cache record) against `manifest` (relative to
    `root`); `update` is the book's command that accepts a change, if it has one."""
    entries = None
    for chapter, record in records:
        for name, digest in sorted(record["reads"].items() if record else ()):
            if not Path(name).is_relative_to(manifest.parent) or Path(name) == manifest:
                continue
            entries = entries if entries is not None else read_manifest(root, manifest)
            if entries is None:
                return  # a book without a manifest declares no checksums
            listed = entries.get(Path(name).as_posix())
            if listed is not None and listed[0] == digest:
                continue
            if listed is None:
                what = f"{name} (read by {chapter}) is not listed in {manifest}"
            else:
                what = (
                    f"{name} (read by {chapter}) does not match its checksum in "
                    f"{manifest}:{listed[1]}; raw data are never edited"
                )
            if os.environ.get("THESIS_ALLOW_DATA_CHANGE") == "1":
                log.warning("%s (allowed by THESIS_ALLOW_DATA_CHANGE=1)", what)
                continue
            raise BuildError(
                f"{what} — restore the file, or if the change is intended "
                f"{_accept(manifest, update)}",
                name,
            )

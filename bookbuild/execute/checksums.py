"""Raw inputs checked against their checksum manifest on every build.

Raw data are never edited. Every file under `data/raw/` that a chapter's kernel read (the
cache record holds its SHA-256 as read) must have that digest in `data/raw/SHA256SUMS`
(`sha256sum` format). A changed, added or unlisted raw file stops the build with its name and
the command that accepts the change; `THESIS_ALLOW_DATA_CHANGE=1` (the analysis package's
own switch) turns the error into a warning.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from bookbuild.errors import BuildError
from bookbuild.state.records import CacheRecord

RAW = Path("data/raw")
MANIFEST = RAW / "SHA256SUMS"
log = logging.getLogger("bookbuild")


def read_manifest(root: Path) -> dict[str, tuple[str, int]] | None:
    """{path relative to the project: (digest, manifest line)}; None without a manifest."""
    path = root / MANIFEST
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildError(
            f"checksum manifest unreadable ({exc.__class__.__name__})", MANIFEST
        ) from None
    entries: dict[str, tuple[str, int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise BuildError("not in sha256sum format ('<sha256>  <file>')", MANIFEST, number)
        entries[(RAW / name.strip().lstrip("*")).as_posix()] = (digest.lower(), number)
    return entries


def _accept(root: Path) -> str:
    if (root / "analysis" / "manifest.py").is_file():
        return "accept it with `.venv/bin/python -m analysis.manifest --update`"
    return f"accept it by updating its line in {MANIFEST} (sha256sum format)"


def check_raw_reads(root: Path, records: Iterable[tuple[Path, CacheRecord | None]]) -> None:
    """Each raw file a chapter read (per its cache record) against the manifest."""
    manifest = None
    for chapter, record in records:
        for name, digest in sorted(record["reads"].items() if record else ()):
            if not Path(name).is_relative_to(RAW) or Path(name) == MANIFEST:
                continue
            manifest = manifest if manifest is not None else read_manifest(root)
            if manifest is None:
                return  # a book without a manifest declares no checksums
            listed = manifest.get(Path(name).as_posix())
            if listed is not None and listed[0] == digest:
                continue
            if listed is None:
                what = f"{name} (read by {chapter}) is not listed in {MANIFEST}"
            else:
                what = (
                    f"{name} (read by {chapter}) does not match its checksum in "
                    f"{MANIFEST}:{listed[1]}; raw data are never edited"
                )
            if os.environ.get("THESIS_ALLOW_DATA_CHANGE") == "1":
                log.warning("%s (allowed by THESIS_ALLOW_DATA_CHANGE=1)", what)
                continue
            raise BuildError(
                f"{what} — restore the file, or if the change is intended {_accept(root)}", name
            )

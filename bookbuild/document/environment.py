"""What built an edition: package versions, engines, source revision and build time."""

from __future__ import annotations

import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TypedDict

from bookbuild.document import pandoc

# The build's own engines, whose versions the colophon and provenance always record; a book
# names its own packages in `bookbuild: record-versions:` (`Book.record_versions`).
ENGINES = ("nbclient", "ipykernel", "pypandoc-binary", "typst", "justmytype-intl-cjk")


class Environment(TypedDict):
    """What built an edition, as the colophon and `provenance.json` show it."""

    source_revision: str  # the commit, '+changes' when the tree differed from it
    source_date_epoch: int  # the edition's date, seconds since 1970
    source_date: str  # the same date, as text
    versions: dict[str, str]  # package or engine -> version


def git(root: Path, *args: str) -> str:
    """The output of a git command in `root`; empty when git fails or is missing."""
    try:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""


def source_revision(root: Path) -> str:
    """The commit the sources come from, marked '+changes' when the tree differs from it."""
    revision = git(root, "rev-parse", "--short=12", "HEAD")
    if not revision:
        return "unknown (not a git checkout)"
    dirty = git(root, "status", "--porcelain", "--untracked-files=no")
    return revision + ("+changes" if dirty else "")


def build_epoch(root: Path) -> int:
    """Seconds since 1970 used as the edition's date: SOURCE_DATE_EPOCH, else the commit time."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    stamp = git(root, "log", "-1", "--format=%ct")
    return int(stamp) if stamp.isdigit() else 0


def versions(packages: tuple[str, ...] = ()) -> dict[str, str]:
    """The versions of Python, Pandoc, the build's `ENGINES` and `packages`."""
    found = {"python": platform.python_version(), "pandoc": pandoc.pandoc_version()}
    for name in (*packages, *ENGINES):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def describe(root: Path, packages: tuple[str, ...] = ()) -> Environment:
    """What builds this edition: source revision and date, and the versions (of `packages`
    beside the build's own)."""
    epoch = build_epoch(root)
    return {
        "source_revision": source_revision(root),
        "source_date_epoch": epoch,
        "source_date": datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": versions(packages),
    }

"""Live reload for `thesis preview`: an edition version, its long-poll endpoint, the script.

The published edition holds nothing of this. The preview server adds one `<script>` tag to
each HTML page as it serves it; the script (`writers/assets/livereload.js`) asks
`/__livereload?since=V&page=P` and the server answers once the version of what page `P`
shows is no longer `V` (or after a timeout, with the same version), and the page reloads
itself. A page's version changes only when the page itself or a file every page uses
(styles, scripts, figures) changes, so the background build, which leaves the pages as they
were and brings the PDF and the search index, reloads no page, and a save that rebuilds one
chapter's page reloads only the tabs showing it.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from bookbuild import PACKAGE_DIR
from bookbuild.state import store

ENDPOINT = "/__livereload"
SCRIPT_PATH = "/__livereload.js"
SCRIPT_FILE = PACKAGE_DIR / "writers" / "assets" / "livereload.js"


# Files no page shows until the reader uses them (search, link previews, downloads): a change
# to these alone reloads no page; the next reload brings them.
ON_DEMAND = frozenset({"assets/search-index.js", "assets/preview-data.js", "provenance.json"})


def fingerprints(folder: Path) -> dict[str, str]:
    """SHA-256 of every file of the edition a browser shows (everything but the PDF), by
    path relative to `folder`."""
    found: dict[str, str] = {}
    for parent, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".pdf") or name.startswith("."):
                continue
            path = Path(parent, name)
            try:
                data = path.read_bytes()
            except OSError:
                continue  # replaced while we looked: the next update sees the new edition
            found[path.relative_to(folder).as_posix()] = store.sha256(data)
    return found


class Reloader:
    """The served edition's versions, and a way to wait until the one a page shows changes.

    One counter counts changes; each page remembers the count at which it last changed, and
    a change to a file pages share (a stylesheet, a script, a figure) counts for every page.
    A page's version is the later of the two, so a tab reloads only when what it shows
    changed: a save that rebuilds one chapter's page reloads that page's tabs alone.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version = 0
        self._prints = fingerprints(folder) if folder.is_dir() else {}
        self._pages: dict[str, int] = {}  # page -> version at which it last changed
        self._shared = 0  # version at which a file every page uses last changed
        self._changed = threading.Condition()
        self._closed = False

    def page_version(self, page: str | None) -> int:
        """The version of `page` (a path relative to the edition); None: of the edition."""
        if page is None:
            return self.version
        return max(self._pages.get(page, 0), self._shared)

    def update(self) -> bool:
        """Look at the whole edition again; a new version (and every page it concerns told)
        if what a page shows changed. True if it did."""
        current = fingerprints(self.folder) if self.folder.is_dir() else {}
        with self._changed:
            names = current.keys() | self._prints.keys()
            moved = {n for n in names if current.get(n) != self._prints.get(n)} - ON_DEMAND
            self._prints = current
            return self._bump(moved)

    def touch(self, pages: list[str]) -> bool:
        """`pages` (relative paths) were just rewritten: tell the tabs that show them."""
        with self._changed:
            moved = set()
            for page in pages:
                try:
                    digest = store.sha256((self.folder / page).read_bytes())
                except OSError:
                    digest = None
                if digest != self._prints.get(page):
                    moved.add(page)
                if digest is not None:
                    self._prints[page] = digest
            return self._bump(moved)

    def _bump(self, moved: set[str]) -> bool:
        if not moved:
            return False
        self.version += 1
        for name in moved:
            if name.endswith(".html"):
                self._pages[name] = self.version
            else:
                self._shared = self.version
        self._changed.notify_all()
        return True

    def wait(self, since: str, timeout: float = 25.0, page: str | None = None) -> int:
        """The version of `page` once it differs from `since` (at once if it does), else
        after `timeout` seconds, or when the server closes."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._closed or str(self.page_version(page)) != since, timeout
            )
            return self.page_version(page)

    def close(self) -> None:
        """Answer every waiting page now (the server is stopping)."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()


def inject(page: bytes, version: int) -> bytes:
    """`page` with the live-reload script before its last `</body>` (or at its end)."""
    tag = f'<script src="{SCRIPT_PATH}" data-version="{version}" defer></script>'.encode()
    at = page.rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


__all__ = [
    "ENDPOINT",
    "ON_DEMAND",
    "SCRIPT_FILE",
    "SCRIPT_PATH",
    "Reloader",
    "fingerprints",
    "inject",
]

"""Live reload for `thesis preview`: an edition version, its long-poll endpoint, the script.

The published edition holds nothing of this. The preview server adds one `<script>` tag to
each HTML page as it serves it; the script (`writers/assets/livereload.js`) asks
`/__livereload?since=V` and the server answers once the edition's version is no longer `V`
(or after a timeout, with the same version), and the page reloads itself. The version changes
only when the served edition's pages, styles or scripts change, so the background PDF build,
which leaves the pages as they were, does not reload the page.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from bookbuild import PACKAGE_DIR

ENDPOINT = "/__livereload"
SCRIPT_PATH = "/__livereload.js"
SCRIPT_FILE = PACKAGE_DIR / "writers" / "assets" / "livereload.js"


def fingerprint(folder: Path) -> str:
    """A hash of every file of the edition a browser shows: everything but the PDF."""
    digest = hashlib.sha256()
    for parent, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".pdf"):
                continue
            path = Path(parent, name)
            try:
                data = path.read_bytes()
            except OSError:
                continue  # replaced while we looked: the next update sees the new edition
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + data + b"\0")
    return digest.hexdigest()


class Reloader:
    """The served edition's version, and a way to wait until it changes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.version = 0
        self._print = fingerprint(folder) if folder.is_dir() else ""
        self._changed = threading.Condition()
        self._closed = False

    def update(self) -> bool:
        """Look at the edition again; a new version (and every waiting page told) if it
        changed. True if it did."""
        current = fingerprint(self.folder) if self.folder.is_dir() else ""
        with self._changed:
            if current == self._print:
                return False
            self._print = current
            self.version += 1
            self._changed.notify_all()
            return True

    def wait(self, since: str, timeout: float = 25.0) -> int:
        """The version once it differs from `since` (at once if it does), else after
        `timeout` seconds, or when the server closes."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or str(self.version) != since, timeout)
            return self.version

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


__all__ = ["ENDPOINT", "SCRIPT_FILE", "SCRIPT_PATH", "Reloader", "fingerprint", "inject"]

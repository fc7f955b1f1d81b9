"""Progress for people: a live status line on a terminal, plain log lines elsewhere (CI)."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Reporter:
    """Prints what the build is doing; thread-safe, quiet when asked."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._lock = threading.Lock()
        self._start = time.perf_counter()
        self._status = ""

    def elapsed(self) -> float:
        return time.perf_counter() - self._start

    def _write(self, text: str) -> None:
        if self.quiet:
            return
        with self._lock:
            if self.live and self._status:
                self.stream.write("\r\x1b[2K")
            self.stream.write(text + "\n")
            if self.live and self._status:
                self.stream.write(self._status)
            self.stream.flush()

    def info(self, text: str) -> None:
        self._write(f"[{self.elapsed():6.1f}s] {text}")

    def status(self, text: str) -> None:
        """A transient line on a terminal (e.g. 'executing 2/5'); nothing in a log."""
        if self.quiet or not self.live:
            return
        with self._lock:
            self._status = f"  … {text}"
            self.stream.write("\r\x1b[2K" + self._status)
            self.stream.flush()

    def clear(self) -> None:
        if self.live and not self.quiet:
            with self._lock:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
                self._status = ""

"""The full build (HTML + PDF) that follows each HTML-only preview build, in the background.

It runs as a separate `python -m bookbuild build` process in its own process group, so the
preview can stop it (with any kernel it started) the moment a new save arrives: the next HTML
build never waits for Typst. A stopped build publishes nothing (the build publishes
atomically, and the next build clears its staging folder), and a finished one leaves `_book/`
exactly as `thesis build` would. The HTML build before it has executed every stale chapter,
so it starts no kernel in practice; one it did start (kernels have their own session) exits
when its parent is gone, by ipykernel's parent poller.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path


class BackgroundBuild:
    """At most one full build at a time; `start` replaces a running one."""

    def __init__(
        self, root: Path, formats: tuple[str, ...], done: Callable[[bool, float, str], None]
    ) -> None:
        """`done(ok, seconds, last line of output)` is called when a build ends by itself."""
        self.root = root
        self.formats = formats
        self.done = done
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "bookbuild",
            "--root",
            str(self.root),
            "build",
            "--to",
            ",".join(self.formats),
            "--quiet",
        ]

    def start(self) -> None:
        """Stop the running build, if any, and start a new one."""
        self.stop()
        with self._lock:
            process = subprocess.Popen(
                self.command(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,
            )
            self._process = process
        threading.Thread(
            target=self._follow,
            args=(process, time.perf_counter()),
            name="preview-pdf",
            daemon=True,
        ).start()

    def _follow(self, process: subprocess.Popen[str], started: float) -> None:
        output, _ = process.communicate()
        with self._lock:
            if self._process is not process:
                return  # stopped on purpose: nothing to say
            self._process = None
        lines = [line for line in output.splitlines() if line.strip()]
        self.done(
            process.returncode == 0, time.perf_counter() - started, lines[-1] if lines else ""
        )

    def running(self) -> bool:
        with self._lock:
            return self._process is not None

    def stop(self) -> None:
        """Stop the running build and every process it started; wait until they are gone."""
        with self._lock:
            process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


__all__ = ["BackgroundBuild"]

"""The full build (HTML + PDF) that follows each preview rebuild, in a background process.

The process is a worker that `thesis preview` starts once and keeps: it builds when asked (a
`build` line on its input) and says when it is done, so what it keeps in memory between
builds is kept — above all Typst's compiler (`writers/pdf.compile_pdf`), which after a
one-paragraph change typesets the book in a fraction of a cold compile's time. It runs in
its own process group, so the preview can stop it (with any kernel it started) the moment a
new save arrives while it builds: the next HTML rebuild never waits for Typst. A stopped
build publishes nothing (the build publishes atomically, and the next build clears its
staging folder); the next request starts a new worker, as it does after a worker retires
because it holds too much memory (`serve`). A finished build leaves `_book/`
exactly as `thesis build` would. The HTML build before it has executed every stale chapter,
so it starts no kernel in practice; one it did start (kernels have their own session) exits
when its parent is gone, by ipykernel's parent poller.

    python -m bookbuild.commands.background --root ROOT --to html,pdf   (the worker)
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

DONE = "@@bookbuild-worker"  # starts the line that ends each build: DONE ok|error seconds
MAX_MIB = 1024  # a worker above this after a build retires (see `serve`)


class BackgroundBuild:
    """At most one full build at a time, in one kept worker; `start` replaces a running one."""

    def __init__(
        self, root: Path, formats: tuple[str, ...], done: Callable[[bool, float, str], None]
    ) -> None:
        """`done(ok, seconds, last line of output)` is called when a build ends by itself."""
        self.root = root
        self.formats = formats
        self.done = done
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None  # the worker, busy or idle
        self._busy = False
        self._started = 0.0
        self._output: list[str] = []

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "bookbuild.commands.background",
            "--root",
            str(self.root),
            "--to",
            ",".join(self.formats),
        ]

    def start(self) -> None:
        """Stop the running build, if any, and start a new one (in the kept worker)."""
        self.stop()
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                process = subprocess.Popen(
                    self.command(),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    start_new_session=True,
                )
                self._process = process
                threading.Thread(
                    target=self._follow, args=(process,), name="preview-pdf", daemon=True
                ).start()
            self._busy, self._started, self._output = True, time.perf_counter(), []
            try:
                assert process.stdin is not None
                process.stdin.write("build\n")
                process.stdin.flush()
            except (BrokenPipeError, OSError):
                pass  # it died just now: `_follow` reports the end

    def _follow(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._line(process, line.rstrip("\n"))
        process.wait()
        self._line(process, None)

    def _line(self, process: subprocess.Popen[str], line: str | None) -> None:
        """One line of the worker's output; None when it has ended."""
        with self._lock:
            if self._process is not process:
                return  # stopped on purpose: nothing to say
            if line is not None and not line.startswith(DONE):
                if line.strip():
                    self._output.append(line)
                return
            if not self._busy:
                if line is None:
                    self._process = None
                return
            ok = line is not None and line.split()[1:2] == ["ok"]
            if line is None:
                self._process = None
            self._busy = False
            seconds = time.perf_counter() - self._started
            last = self._output[-1] if self._output else ""
        self.done(ok, seconds, last)

    def running(self) -> bool:
        """Whether a build is under way."""
        with self._lock:
            return self._busy

    def stop(self) -> None:
        """Stop the running build and every process it started; wait until they are gone.
        An idle worker is kept."""
        with self._lock:
            if not self._busy:
                return
            process, self._process, self._busy = self._process, None, False
        if process is not None:
            _end(process)

    def close(self) -> None:
        """Stop any build and the worker."""
        self.stop()
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            _end(process)


def _end(process: subprocess.Popen[str]) -> None:
    if process.poll() is not None:
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


def resident_mib() -> float:
    """This process's resident memory now (Linux), else its peak, in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(
    root: Path,
    formats: tuple[str, ...],
    requests: Iterable[str],
    out: IO[str],
    max_mib: float = MAX_MIB,
) -> None:
    """The worker: one build of `root` per `build` line, each ended by a `DONE` line. It
    ends after a build that leaves it above `max_mib` of memory: Typst keeps what it laid
    out without bound (about 20 MiB more per build of the thesis), and the next request
    then starts a fresh worker."""
    from bookbuild.commands.build import build
    from bookbuild.commands.cli import _message
    from bookbuild.commands.progress import Reporter

    for request in requests:
        if request.strip() != "build":
            continue
        started = time.perf_counter()
        try:
            build(root, formats=formats, reporter=Reporter(quiet=True))
            outcome = "ok"
        except Exception as exc:  # every fault is one line, as `thesis build` prints it
            print(f"error: {_message(exc)}", file=out)
            outcome = "error"
        print(f"{DONE} {outcome} {time.perf_counter() - started:.3f}", file=out, flush=True)
        if resident_mib() > max_mib:
            return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="the preview's background build worker")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--to", default="html,pdf")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="warning: %(message)s")
    serve(args.root, tuple(args.to.split(",")), sys.stdin, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["DONE", "MAX_MIB", "BackgroundBuild", "resident_mib", "serve"]

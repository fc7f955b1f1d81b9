"""Preview scenario: time from saving a prose edit to the open page reloaded with it.

`thesis preview` runs on a copy of the project (its cache `_freeze/` copied too, so the
first build starts no kernel), as an author would run it. Each run does what the page's
live-reload script does: it asks the reload endpoint to answer when the page it shows
changes, then appends a sentence to a chapter (the benchmark's prose edit, in words of its
own) and measures until the page, fetched again, shows the sentence. It then waits for the
PDF that follows in the background, and reports that time too, and whether the preview
rebuilt the page alone (a prose save) or the whole HTML edition.

    python -m bench.preview_reload [--repeat 5] [--out test-artifacts/bench/preview.json]
"""

from __future__ import annotations

import argparse
import json
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench.run_benchmarks import REPO, Touch, copy_project

ENDPOINT = "__livereload"
TIMEOUT_S = 300


class Preview:
    """`python -m bookbuild preview` in a child process, its output lines in a queue."""

    def __init__(self, root: Path) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-u",
                "-m",
                "bookbuild",
                "--root",
                str(root),
                "preview",
                "--port",
                "0",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=root,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []  # every line taken from the queue so far
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, word: str, earlier: bool = False) -> str:
        """The next line holding `word` (with `earlier`, also a line already passed over: the
        background "kernels warm" may come before "serving")."""
        if earlier and (line := next((x for x in self.seen if word in x), None)):
            return line
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise SystemExit(f"preview never said {word!r}") from None
            self.seen.append(line)
            if line.startswith("error"):
                raise SystemExit(f"preview failed: {line}")
            if word in line:
                return line

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _get(url: str, timeout: float = 30) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read()


def reload_answered(url: str, since: str, page: str = "") -> threading.Event:
    """Long-poll the reload endpoint as an open page does, in a thread; the event is set when
    it reports a version after `since`. The endpoint also answers after 25 s without a change
    (the page's script then asks again, and so does this: a loaded machine can take longer)."""
    done = threading.Event()
    query = f"{url}{ENDPOINT}?since={since}" + (f"&page=/{page}" if page else "")

    def poll() -> None:
        answer = {"version": since}
        while str(answer["version"]) == since:
            answer = json.loads(_get(query, TIMEOUT_S))
        done.set()

    threading.Thread(target=poll, daemon=True).start()
    return done


def save_prose(root: Path, rep: int, touch: Touch) -> None:
    """Append one sentence to the prose chapter (as the benchmark's prose scenario does,
    with words of its own, so that the page shows this save's edit and no earlier one's)."""
    path = root / touch.prose
    text = path.read_text("utf-8").rstrip("\n")
    path.write_text(text + f"\n\nA sentence typed in the preview, preview save {rep}.\n", "utf-8")


def measure(root: Path, repeat: int, touch: Touch) -> dict[str, list[Any]]:
    """`repeat` prose saves in a running preview: save → page reloaded, save → HTML
    rebuilt (as the preview reports it), save → PDF updated, in seconds; and whether
    each save rebuilt its page alone."""
    preview = Preview(root)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+/", preview.wait_for("serving"))[0]
        preview.wait_for("PDF updated")
        page = url + Path(touch.prose).with_suffix(".html").name
        reload_s, html_s, pdf_s, quick = [], [], [], []
        for rep in range(1, repeat + 1):
            version = re.search(rb'data-version="(\d+)"', _get(page))[1].decode()
            answered = reload_answered(url, version, Path(page).name)
            time.sleep(0.5)  # the poll is waiting, as an open page's would be
            saved = time.perf_counter()
            save_prose(root, rep, touch)
            if not answered.wait(TIMEOUT_S):
                raise SystemExit("the reload endpoint never answered")
            shown = _get(page).decode()
            reload_s.append(time.perf_counter() - saved)
            if f"preview save {rep}." not in shown:
                raise SystemExit(f"run {rep}: the reloaded page lacks the edit")
            line = preview.wait_for("rebuilt")
            html_s.append(float(re.search(r"rebuilt .*?in ([\d.]+) s", line)[1]))
            quick.append("prose only" in line)
            preview.wait_for("PDF updated")
            pdf_s.append(time.perf_counter() - saved)
        return {
            "save_to_reloaded_s": reload_s,
            "html_build_s": html_s,
            "save_to_pdf_s": pdf_s,
            "page_alone": quick,  # whether preview rebuilt the page alone (a prose save)
        }
    finally:
        preview.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="project (copied)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=REPO / "test-artifacts" / "bench" / "preview.json"
    )
    args = parser.parse_args(argv)
    touch = Touch()
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as tmp:
        root = copy_project(args.root, Path(tmp) / "book")
        if (args.root / "_freeze").is_dir():
            shutil.copytree(args.root / "_freeze", root / "_freeze")
        results = measure(root, args.repeat, touch)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    for name, values in results.items():
        if name == "page_alone":
            print(f"{name}: {sum(values)} of {len(values)} saves")
            continue
        print(
            f"{name}: median {statistics.median(values):.2f} s "
            f"(range {min(values):.2f}–{max(values):.2f}; "
            + ", ".join(f"{v:.2f}" for v in values)
            + ")"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

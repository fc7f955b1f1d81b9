"""Preview scenario: time from saving a one-cell code edit to the open page showing its output.

Like `bench/preview_reload.py` (which it reuses), `thesis preview` runs on a copy of the
project with its `_freeze/` copied, so the first build starts no kernel. After that build the
preview starts a warm kernel zygote in the background (it says "kernels warm"); the benchmark
waits for it, as an author would be reading the page by then. Each run then edits one code
cell of `chapters/03-lankao.qmd` — a line `print("Bench cell edit N.")` added to its first
`output: asis` cell, so the chapter must execute again and its page shows the new output —
and stops the clock when the reload endpoint has answered and the page, fetched again, holds
that sentence. It then waits for the background PDF before the next run.

    python -m bench.preview_cell [--repeat 5] [--out test-artifacts/bench/preview-cell.json]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.preview_reload import TIMEOUT_S, Preview, _get, reload_answered
from bench.run_benchmarks import REPO, Touch, copy_project

MARK = "Bench cell edit"


def edit_asis_cell(root: Path, rep: int, chapter: str) -> None:
    """Make the first `output: asis` cell of `chapter` also print `MARK rep.`."""
    path = root / chapter
    text = path.read_text("utf-8")
    if MARK in text:
        text = re.sub(rf'print\("{MARK} \d+\."\)', f'print("{MARK} {rep}.")', text, count=1)
    else:
        match = re.search(r"^```\{python\}\n((?:#\|[^\n]*\n)*)", text, re.M)
        while match and not re.search(r"#\|\s*output:\s*asis", match[1]):
            match = re.compile(r"^```\{python\}\n((?:#\|[^\n]*\n)*)", re.M).search(
                text, match.end()
            )
        if match is None:
            raise SystemExit(f"{chapter} has no `output: asis` cell to edit")
        text = text[: match.end()] + f'print("{MARK} {rep}.")\n' + text[match.end() :]
    path.write_text(text, "utf-8")


def measure(root: Path, repeat: int, chapter: str) -> dict[str, list[Any]]:
    """`repeat` one-cell edits in a running preview: save → page shows the new output, save →
    HTML build done (as the preview reports it), in seconds."""
    preview = Preview(root)
    try:
        url = re.search(r"http://127\.0\.0\.1:\d+/", preview.wait_for("serving"))[0]
        preview.wait_for("kernels warm", earlier=True)
        preview.wait_for("PDF updated")
        page = url + Path(chapter).with_suffix(".html").name
        shown_s, html_s, alone = [], [], []
        for rep in range(1, repeat + 1):
            version = re.search(rb'data-version="(\d+)"', _get(page))[1].decode()
            answered = reload_answered(url, version)
            time.sleep(0.5)  # the poll is waiting, as an open page's would be
            saved = time.perf_counter()
            edit_asis_cell(root, rep, chapter)
            if not answered.wait(TIMEOUT_S):
                raise SystemExit("the reload endpoint never answered")
            shown = _get(page).decode()
            shown_s.append(time.perf_counter() - saved)
            if f"{MARK} {rep}." not in shown:
                raise SystemExit(f"run {rep}: the reloaded page lacks the new output")
            line = preview.wait_for("rebuilt")
            html_s.append(float(re.search(r"rebuilt .*?in ([\d.]+) s", line)[1]))
            alone.append("its page alone" in line)
            preview.wait_for("PDF updated")
            time.sleep(1.0)  # let the machine settle after the PDF
        return {"save_to_output_shown_s": shown_s, "html_build_s": html_s, "page_alone": alone}
    finally:
        preview.stop()


def run(source: Path, repeat: int, chapter: str = Touch().code) -> dict[str, list[Any]]:
    """The scenario on a copy of `source` (its `_freeze/` too, when it has one)."""
    with tempfile.TemporaryDirectory(prefix="bench-preview-cell-") as tmp:
        root = copy_project(source, Path(tmp) / "book")
        if (source / "_freeze").is_dir():
            shutil.copytree(source / "_freeze", root / "_freeze")
        return measure(root, repeat, chapter)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="project (copied)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=REPO / "test-artifacts" / "bench" / "preview-cell.json"
    )
    args = parser.parse_args(argv)
    results = run(args.root.resolve(), args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    for name, values in results.items():
        print(
            f"{name}: median {statistics.median(values):.2f} s "
            f"(range {min(values):.2f}–{max(values):.2f}; "
            + ", ".join(f"{v:.2f}" for v in values)
            + ")"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

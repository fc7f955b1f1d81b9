"""Typst cold vs warm: the thesis's PDF typeset by a fresh process, and by a process that
keeps its compiler (as the preview's background worker does), after a one-paragraph change.

The project's Typst source is made by its own build code (a build whose compile and publish
steps are replaced by capturing the source, so nothing is published), on a copy of the
project with its cache (nothing executes). Each run inserts a different sentence into one
paragraph in the middle of the book. *Cold*: `compile_pdf` in a new Python process (the
time of the compile alone, as that process measures it). *Warm*: `compile_pdf` in this
process, whose compiler has typeset the book once before. Every warm PDF is compared with
the cold PDF of the same source, byte for byte.

    python -m bench.typst_warm [--root .] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run_benchmarks import REPO, copy_project

COLD = """
import sys, time
from pathlib import Path
from bookbuild.writers.pdf import compile_pdf
folder, epoch = Path(sys.argv[1]), int(sys.argv[2])
source = (folder / "source.typ.txt").read_text("utf-8")
started = time.perf_counter()
compile_pdf(source, folder, folder / "cold.pdf", epoch)
print(time.perf_counter() - started)
"""


def typst_source(root: Path) -> tuple[str, int]:
    """The book's Typst source and its date, as `thesis build` would typeset them."""
    import bookbuild.commands.build as build_module
    from bookbuild.commands.progress import Reporter

    captured: dict[str, object] = {}

    def capture(source: str, workdir: Path, output: Path, epoch: int, chapters=()) -> None:
        captured.update(source=source, epoch=epoch)

    saved = build_module.compile_pdf, build_module.publish, build_module.edition.is_current
    build_module.compile_pdf = capture
    build_module.publish = lambda staging, output: shutil.rmtree(staging)
    build_module.edition.is_current = lambda *args: False
    try:
        build_module.build(root, formats=("pdf",), reporter=Reporter(quiet=True))
    finally:
        build_module.compile_pdf, build_module.publish, build_module.edition.is_current = saved
    return str(captured["source"]), int(captured["epoch"])  # type: ignore[call-overload]


def edited(source: str, run: int) -> str:
    """`source` with a sentence put into the first paragraph after its middle."""
    at = source.index("\n\n", len(source) // 2) + 2
    return source[:at] + f"A sentence typed in run {run}. " + source[at:]


def main(argv: list[str] | None = None) -> int:
    from bookbuild.writers.pdf import compile_pdf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=REPO, help="built project (copied)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--out", type=Path, default=REPO / "test-artifacts" / "bench" / "typst.json"
    )
    args = parser.parse_args(argv)
    cold, warm = [], []
    with tempfile.TemporaryDirectory(prefix="bench-typst-") as tmp:
        root = copy_project(args.root.resolve(), Path(tmp) / "book")
        shutil.copytree(args.root / "_freeze", root / "_freeze")
        shutil.copytree(args.root / "_book", root / "_book")  # the figures Typst reads
        source, epoch = typst_source(root)
        folder = root / "_book"
        compile_pdf(source, folder, folder / "first.pdf", epoch)  # this process: once cold
        for run in range(1, args.repeat + 1):
            text = edited(source, run)
            (folder / "source.typ.txt").write_text(text, "utf-8")
            answer = subprocess.run(
                [sys.executable, "-c", COLD, str(folder), str(epoch)],
                capture_output=True,
                text=True,
                check=True,
                cwd=REPO,
            )
            cold.append(float(answer.stdout.split()[-1]))
            started = time.perf_counter()
            compile_pdf(text, folder, folder / "warm.pdf", epoch)
            warm.append(time.perf_counter() - started)
            if (folder / "warm.pdf").read_bytes() != (folder / "cold.pdf").read_bytes():
                raise SystemExit(f"run {run}: the warm PDF differs from the cold one")
            print(f"run {run}: cold {cold[-1]:.2f} s, warm {warm[-1]:.2f} s, same bytes")
    results = {"cold_s": cold, "warm_s": warm, "load_at_end": os.getloadavg()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n", "utf-8")
    for name in ("cold_s", "warm_s"):
        values = results[name]
        print(
            f"{name}: median {statistics.median(values):.2f} s "
            f"(range {min(values):.2f}–{max(values):.2f})"
        )
    print(f"warm / cold: {statistics.median(warm) / statistics.median(cold):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

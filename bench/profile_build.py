"""Where a cold build's execution time goes, chapter by chapter and cell by cell.

Each chapter that needs a kernel is executed the way the build does it (same notebook, same
kernel set-up, one fresh kernel), one chapter at a time so that times are not shared between
chapters, and the wall time is split into: starting the kernel, the build's set-up cell
(matplotlib and display configuration), the chapter's first code cell (usually its imports),
its other cells, the inline expressions, and the dependency report.

    python -m bench.profile_build --root /path/to/a/copy/of/the/project
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from nbclient import NotebookClient
from traitlets.config import Config

from bookbuild.commands.build import chapter_defaults, needs_kernel
from bookbuild.config.project import load_book
from bookbuild.execute.kernel import KERNEL, build_notebook
from bookbuild.source.qmd import read_qmd

PARTS = (
    "kernel start",
    "setup cell",
    "first code cell",
    "other cells",
    "inline values",
    "dependency report",
)


def profile_chapter(root: Path, nb) -> dict[str, float]:
    """Seconds per part for one notebook executed in a fresh kernel."""
    env = dict(
        os.environ, PYTHONHASHSEED="0", MPLBACKEND="module://matplotlib_inline.backend_inline"
    )
    seconds = dict.fromkeys(PARTS, 0.0)
    with tempfile.TemporaryDirectory(prefix="bb-profile-") as sockets:
        config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "k")}})
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name=KERNEL,
            config=config,
            resources={"metadata": {"path": str(root)}},
        )
        started = time.perf_counter()
        with client.setup_kernel(env=env, cwd=str(root)):
            seconds["kernel start"] = time.perf_counter() - started
            first_code = True
            for index, cell in enumerate(nb.cells):
                kind = cell.metadata["bookbuild"]["kind"]
                began = time.perf_counter()
                client.execute_cell(cell, index)
                spent = time.perf_counter() - began
                if kind == "setup":
                    seconds["setup cell"] += spent
                elif kind == "inline":
                    seconds["inline values"] += spent
                elif kind == "dependencies":
                    seconds["dependency report"] += spent
                elif first_code:
                    seconds["first code cell"] += spent
                    first_code = False
                else:
                    seconds["other cells"] += spent
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="a copy of the project")
    args = parser.parse_args(argv)
    book = load_book(args.root)
    rows = []
    for ref in book.chapters:
        doc = read_qmd(book.root, ref.path)
        defaults = chapter_defaults(book, doc)
        if not needs_kernel(doc, defaults):
            continue
        seconds = profile_chapter(book.root, build_notebook(doc, defaults))
        rows.append((str(ref.path), seconds))
        print(f"{ref.path}: " + ", ".join(f"{k} {v:.1f}" for k, v in seconds.items()), flush=True)
    print("\n| chapter | " + " | ".join(PARTS) + " | total |")
    print("|---" * (len(PARTS) + 2) + "|")
    totals = dict.fromkeys(PARTS, 0.0)
    for path, seconds in rows:
        for part in PARTS:
            totals[part] += seconds[part]
        print(
            f"| {path} | "
            + " | ".join(f"{seconds[p]:.1f}" for p in PARTS)
            + f" | {sum(seconds.values()):.1f} |"
        )
    print(
        "| **all** | "
        + " | ".join(f"{totals[p]:.1f}" for p in PARTS)
        + f" | {sum(totals.values()):.1f} |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Where a cold build's execution time goes, chapter by chapter and cell by cell.

Each chapter that needs a kernel is executed the way the build does it (same notebook, same
kernel set-up, one fresh kernel), one chapter at a time so that times are not shared between
chapters, and the wall time is split into: starting the kernel, the build's set-up cell
(matplotlib and display configuration), the chapter's first code cell (usually its imports),
its other cells, the inline expressions, and the dependency report.

    python -m bench.profile_build --root /path/to/a/copy/of/the/project [--warm]

With `--warm`, each kernel is forked from a warm zygote (as the build does) and the time the
zygote took to import the set-up modules is printed first.
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
from bookbuild.execute import warm
from bookbuild.execute.kernel import KERNEL, build_notebook, kernel_env
from bookbuild.source.qmd import read_qmd

PARTS = (
    "kernel start",
    "setup cell",
    "first code cell",
    "other cells",
    "inline values",
    "dependency report",
)


def profile_chapter(root: Path, nb, zygote: str | None = None) -> dict[str, float]:
    """Seconds per part for one notebook executed in a fresh kernel (forked from the warm
    zygote listening on `zygote`, if given)."""
    env = kernel_env(nb.metadata["bookbuild"]["source"])
    seconds = dict.fromkeys(PARTS, 0.0)
    with tempfile.TemporaryDirectory(prefix="bb-profile-") as sockets:
        config = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "k")}})
        extra = {}
        if zygote:
            config["WarmKernelManager"] = Config({"zygote_socket": zygote})
            extra["kernel_manager_class"] = warm.manager_class()
        client = NotebookClient(
            nb,
            timeout=600,
            kernel_name=KERNEL,
            config=config,
            resources={"metadata": {"path": str(root)}},
            **extra,
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
    parser.add_argument(
        "--warm", action="store_true", help="fork each kernel from a warm zygote, as the build"
    )
    args = parser.parse_args(argv)
    book = load_book(args.root)
    docs = [read_qmd(book.root, ref.path) for ref in book.chapters]
    zygote = None
    if args.warm:
        began = time.perf_counter()
        warm.prepare(book.root, docs, kernel_env(None))
        zygote = warm.socket_for(book.root)
        print(f"zygote ready in {time.perf_counter() - began:.1f} s ({zygote})", flush=True)
    rows = []
    for ref, doc in zip(book.chapters, docs, strict=True):
        defaults = chapter_defaults(book, doc)
        if not needs_kernel(doc, defaults):
            continue
        seconds = profile_chapter(book.root, build_notebook(doc, defaults), zygote)
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
    warm.stop_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

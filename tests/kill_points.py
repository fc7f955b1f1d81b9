"""Run the build and hold it at a named point, so that a test can kill it exactly there.

    python tests/kill_points.py POINT MARKER -- [thesis arguments]

runs `thesis ARGUMENTS` with one of the build's steps wrapped: when the build reaches POINT it
writes MARKER (its pid) and sleeps, and the test kills the whole process group with SIGKILL.
The build's own code is not changed; the wrapping happens in this process only. A build that
never reaches POINT finishes normally, and the test sees no MARKER: a kill point that does not
land mid-build fails the test instead of proving nothing.

Not a test module: `tests/test_robustness.py` runs it as a script.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# point -> (module, attribute, "before" or "after" the call, a test of the call's arguments)
POINTS: dict[str, tuple[str, str, str, Callable[..., bool] | None]] = {
    # a kernel is alive and has run the set-up cell; the chapter's cells are not all run yet
    "kernel-running": ("nbclient.client", "NotebookClient.execute_cell", "after", None),
    # the new notebook is in _freeze/, its record (which names the notebook's hash) is not
    "cache-torn": (
        "bookbuild.state.store",
        "atomic_write",
        "before",
        lambda path, data, **_: Path(path).name == "record.json",
    ),
    # the chapter's cache entry is complete; nothing is rendered yet
    "executed": ("bookbuild.commands.build", "assemble", "before", None),
    # the HTML pages are in the staging folder; Typst has not started
    "html-staged": ("bookbuild.commands.build", "compile_pdf", "before", None),
    # the whole new edition is staged beside _book/ and not yet swapped in
    "staged": ("bookbuild.commands.build", "publish", "before", None),
    # the new edition is published; the record of what was published is not written yet
    "published": ("bookbuild.state.edition", "remember", "before", None),
}


def hold(marker: Path) -> None:
    """Say that the point is reached, then wait to be killed."""
    tmp = marker.with_name(marker.name + ".tmp")
    tmp.write_text(str(os.getpid()), "utf-8")
    os.replace(tmp, marker)
    while True:
        time.sleep(60)


def install(point: str, marker: Path) -> None:
    """Wrap the step that `point` names so that the build holds there."""
    module_name, attribute, when, matches = POINTS[point]
    owner: Any = importlib.import_module(module_name)
    *outer, name = attribute.split(".")
    for part in outer:
        owner = getattr(owner, part)
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        call_args = args[1:] if outer else args  # drop `self` for a method
        hit = matches is None or matches(*call_args, **kwargs)
        if hit and when == "before":
            hold(marker)
        result = original(*args, **kwargs)
        if hit and when == "after":
            hold(marker)
        return result

    setattr(owner, name, wrapper)


def main(argv: list[str]) -> int:
    """`POINT MARKER -- ARGS`: run the command line with the point installed."""
    if len(argv) < 3 or argv[2] != "--" or argv[0] not in POINTS:
        sys.stderr.write(f"usage: kill_points.py {{{','.join(POINTS)}}} MARKER -- ARGS\n")
        return 2
    install(argv[0], Path(argv[1]))
    from bookbuild.commands import cli

    return cli.main(argv[3:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

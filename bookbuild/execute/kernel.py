"""Run a chapter's Python cells and inline expressions in a fresh Jupyter kernel.

The chapter becomes a notebook: a hidden setup cell (`kernel_setup.py`), then every cell with
`eval: true` and, for each markdown block, one cell computing its inline expressions, in
document order, then a cell that reports the files and modules the chapter used. Errors are
mapped back to the `.qmd` line (for inline values, the expression's).
"""

from __future__ import annotations

import ast
import contextlib
import logging
import math
import os
import re
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat

from bookbuild.errors import BuildError
from bookbuild.execute import waiting, warm
from bookbuild.source.qmd import Cell, Document, Inline, Markdown, find_inlines

if TYPE_CHECKING:
    from nbclient.exceptions import CellExecutionError

KERNEL = "python3"
CELL_TIMEOUT_S = 600
log = logging.getLogger("bookbuild")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
LIMITS_HINT = "raise bookbuild: cell-timeout: / chapter-timeout: in _quarto.yml if it needs longer"
# Clients whose kernels are running, so that Ctrl-C can stop them all at once.
_RUNNING: set[Any] = set()
_RUNNING_LOCK = threading.Lock()
STOP = threading.Event()  # set on Ctrl-C: no new kernel starts


def kill_group(km: Any) -> None:
    """Kill a kernel manager's kernel (its whole process group) without waiting for it."""
    provisioner = getattr(km, "provisioner", None)
    group = getattr(provisioner, "pgid", None) or getattr(provisioner, "pid", None)
    if group:
        with contextlib.suppress(OSError):  # already gone
            os.killpg(group, signal.SIGKILL)


def _kill(client: Any) -> None:
    """Kill a client's kernel (its whole process group) without waiting for it."""
    client.shutdown_kernel = "immediate"
    kill_group(getattr(client, "km", None))


def stop_all_kernels() -> None:
    """Ctrl-C: let no kernel start and kill every running one (their cells fail at once)."""
    STOP.set()
    with _RUNNING_LOCK:
        clients = list(_RUNNING)
    for client in clients:
        _kill(client)


@dataclass(frozen=True)
class Dependencies:
    """What a chapter's kernel touched inside the project (paths relative to the root)."""

    reads: tuple[str, ...]
    modules: tuple[str, ...]
    lines: dict[str, list[str]] = field(default_factory=dict)  # path -> regexes of lines read


@cache
def kernel_setup_source() -> str:
    """The set-up cell's code (read once: every chapter's cache key includes it)."""
    return (Path(__file__).with_name("kernel_setup.py")).read_text("utf-8")


def effective_options(cell: Cell, defaults: dict[str, Any]) -> dict[str, Any]:
    """Cell options over the book's `execute:` defaults over Quarto's own defaults."""
    options = {
        "echo": True,
        "eval": True,
        "warning": True,
        "include": True,
        "output": True,
        "error": False,
    }
    options.update({k: v for k, v in defaults.items() if k in options})
    options.update(cell.options)
    return options


_FIGURE_OPTIONS = ("fig-format", "fig-width", "fig-height", "fig-dpi")
_FIGURE_RESET = """\
import matplotlib as _bb_mpl
from matplotlib_inline.backend_inline import set_matplotlib_formats as _bb_formats
_bb_mpl.rcParams.update(_bb_rc)
_bb_formats("svg", metadata={"Date": None}, bbox_inches="tight")"""


def figure_setup(options: dict[str, Any]) -> tuple[str, str] | None:
    """Code run before and after a cell with `fig-format`/`fig-width`/`fig-height`/`fig-dpi`
    (matplotlib's figure size, resolution and format for that cell only), or None."""
    given = {k: options[k] for k in _FIGURE_OPTIONS if k in options}
    if not given:
        return None
    lines = [
        "import matplotlib as _bb_mpl",
        "from matplotlib_inline.backend_inline import set_matplotlib_formats as _bb_formats",
        "_bb_rc = {k: _bb_mpl.rcParams[k] for k in ('figure.figsize', 'figure.dpi')}",
    ]
    if "fig-width" in given or "fig-height" in given:
        lines.append(
            "_bb_mpl.rcParams['figure.figsize'] = "
            f"({given.get('fig-width', 'None')}, {given.get('fig-height', 'None')})"
        )
        lines[-1] = (
            lines[-1]
            .replace("(None,", "(_bb_rc['figure.figsize'][0],")
            .replace(", None)", ", _bb_rc['figure.figsize'][1])")
        )
    if "fig-dpi" in given:
        lines.append(f"_bb_mpl.rcParams['figure.dpi'] = {int(given['fig-dpi'])}")
    if given.get("fig-format") == "png":
        lines.append('_bb_formats("png", bbox_inches="tight")')
    return "\n".join(lines), _FIGURE_RESET


def _parses(expr: str) -> bool:
    try:
        ast.parse(f"_bb_inline({expr})")
    except (SyntaxError, ValueError):
        return False
    return True


def inline_cells(inlines: list[Inline], block: int) -> list[tuple[str, dict[str, Any]]]:
    """The cells that compute one markdown block's inline values: one cell for all of them
    (a kernel round trip costs 10-25 ms, and a chapter can hold a hundred values), each
    expression a statement of its own, so they run at top level in order as separate cells
    would. `exprs` lists (line, expression) so an error names the one that failed. If any
    expression does not parse, each becomes a cell of its own, so that the kernel's
    SyntaxError is reported at the right expression."""
    if not inlines:
        return []
    if all(_parses(inline.expr) for inline in inlines):
        source = "\n".join(f"_bb_inline({inline.expr})" for inline in inlines)
        return [(source, _inline_meta(inlines, block))]
    return [(f"_bb_inline({inline.expr})", _inline_meta([inline], block)) for inline in inlines]


def _inline_meta(inlines: list[Inline], block: int) -> dict[str, Any]:
    exprs = [[inline.line, inline.expr] for inline in inlines]
    return {"kind": "inline", "line": inlines[0].line, "block": block, "exprs": exprs}


def _running(meta: dict[str, Any], cell: Any) -> dict[str, Any]:
    """The metadata of what was running in `cell` when it failed: for a cell of inline
    values, the expression after the last value it showed."""
    exprs = meta.get("exprs")
    if meta["kind"] != "inline" or not exprs:
        return meta
    shown = sum(
        1 for o in cell.get("outputs", []) if o.get("metadata", {}).get("bookbuild") == "inline"
    )
    line, expr = exprs[min(shown, len(exprs) - 1)]
    return {**meta, "line": line, "expr": expr}


def planned_cells(doc: Document, defaults: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(source, `bookbuild` metadata) of each cell the chapter executes as, in order.

    Plain data, so the cache can key on it without building (and validating) a notebook.
    """
    cells = [(kernel_setup_source(), {"kind": "setup", "line": 0})]
    for index, block in enumerate(doc.blocks):
        if isinstance(block, Markdown):
            cells += inline_cells(find_inlines(block.raw, block.line), index)
        elif effective_options(block, defaults)["eval"]:
            figure = figure_setup(block.options)
            if figure:
                cells.append((figure[0], {"kind": "figure options", "line": block.line}))
            cells.append((block.code, {"kind": "cell", "line": block.line, "block": index}))
            if figure:
                cells.append((figure[1], {"kind": "figure options", "line": block.line}))
    cells.append(("_bb_dependencies()", {"kind": "dependencies", "line": 0}))
    return cells


def build_notebook(doc: Document, defaults: dict[str, Any]) -> nbformat.NotebookNode:
    """The notebook a chapter executes as; cells carry `bookbuild` metadata pointing back."""
    nb = empty_notebook()
    nb.metadata["bookbuild"] = {"source": str(doc.path)}
    for number, (source, meta) in enumerate(planned_cells(doc, defaults)):
        # ids by position, not nbformat's random ones: the same chapter executes to the same
        # bytes, so a re-execution with unchanged outputs leaves the edition as it is
        cell = nbformat.v4.new_code_cell(source, id=f"cell-{number}")
        cell.metadata["bookbuild"] = meta
        if meta["kind"] in ("setup", "dependencies"):  # the build's own cells: nbval runs them
            cell.metadata["tags"] = ["nbval-ignore-output"]  # without comparing outputs
        nb.cells.append(cell)
    return nb


def _error_detail(exc: CellExecutionError) -> str:
    text = getattr(exc, "traceback", None) or str(exc)
    return _ANSI.sub("", text)


def kernel_env(chapter: str | None) -> dict[str, str]:
    """The environment a chapter's kernel starts with (`chapter` None: a warm zygote's)."""
    env = dict(os.environ)
    env.update(
        {
            "PYTHONHASHSEED": "0",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        }
    )
    if chapter is not None:
        env["BOOKBUILD_CHAPTER"] = chapter
    return env


def client_config(sockets: str, zygote: str | None) -> tuple[Any, dict[str, Any]]:
    """The traitlets config and extra `NotebookClient` arguments for a kernel whose IPC
    sockets are in the folder `sockets`, forked from the zygote at `zygote` (None: plain)."""
    from traitlets.config import Config

    # Local IPC sockets instead of TCP: nothing listens on the network, and no warning.
    ipc = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "k")}})
    extra: dict[str, Any] = {}
    if zygote:
        ipc["WarmKernelManager"] = Config({"zygote_socket": zygote})
        extra["kernel_manager_class"] = warm.manager_class()
    return ipc, extra


def empty_notebook() -> nbformat.NotebookNode:
    """A notebook with no cells and the chapters' kernel spec."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    return nb


def execute_notebook(
    nb: nbformat.NotebookNode,
    doc: Document,
    root: Path,
    defaults: dict[str, Any],
    cell_timeout: int = CELL_TIMEOUT_S,
    chapter_timeout: int | None = None,
) -> nbformat.NotebookNode:
    """Execute `nb` cell by cell in a new kernel whose working directory is `root`.

    Each cell may run `cell_timeout` seconds and the chapter's cells together (after the
    build's set-up) `chapter_timeout` (None: no limit); a cell that runs longer is stopped
    and named.
    """
    # imported here: a build with nothing to execute never needs them (0.2 s of start-up)
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    env = kernel_env(str(doc.path))
    zygote = warm.socket_for(root)  # a warm kernel forked for this chapter alone, or None
    ready = waiting.take(root, str(doc.path), env, zygote) if zygote else None
    sockets = ready.sockets if ready else tempfile.TemporaryDirectory(prefix="bb-kernel-")
    ipc, extra = client_config(sockets.name, zygote)
    client = NotebookClient(
        nb,
        km=ready.km if ready else None,  # started ahead for this chapter (preview)
        timeout=cell_timeout,
        kernel_name=KERNEL,
        config=ipc,
        resources={"metadata": {"path": str(root)}},
        **extra,
    )
    blocks = doc.blocks
    meta: dict[str, Any] = {"kind": "setup", "line": 0}  # the cell running, for errors
    cell: Any = {}
    started = time.monotonic()
    limit, limit_name = cell_timeout, "cell"
    if STOP.is_set():
        raise KeyboardInterrupt
    try:
        # cleanup_kc: shut the kernel down at the end, also one started ahead
        with sockets, client.setup_kernel(env=env, cwd=str(root), cleanup_kc=True):
            with _RUNNING_LOCK:
                _RUNNING.add(client)
            try:
                if STOP.is_set():
                    raise KeyboardInterrupt
                for index, cell in enumerate(nb.cells):
                    meta = cell.metadata["bookbuild"]
                    allow = (
                        meta["kind"] == "cell"
                        and effective_options(blocks[meta["block"]], defaults)["error"]
                    )
                    limit, limit_name = cell_timeout, "cell"
                    if meta["kind"] == "setup":  # the build's own imports: not the author's
                        limit = max(cell_timeout, CELL_TIMEOUT_S)
                    elif chapter_timeout is not None:
                        left = chapter_timeout - (time.monotonic() - started)
                        if left < cell_timeout:
                            limit, limit_name = max(1, math.ceil(left)), "chapter"
                    client.timeout = limit
                    try:
                        client.execute_cell(cell, index, store_history=meta["kind"] == "cell")
                    except CellExecutionError as exc:
                        if allow:
                            continue
                        raise _cell_error(exc, _running(meta, cell), doc) from None
                    if meta["kind"] == "setup":
                        started = time.monotonic()  # the chapter's own time starts after it
            except BaseException:
                _kill(client)  # a failed, timed-out or interrupted chapter: no slow shutdown
                raise
            finally:
                with _RUNNING_LOCK:
                    _RUNNING.discard(client)
    except DeadKernelError as exc:
        if STOP.is_set():
            raise KeyboardInterrupt from None
        meta = _running(meta, cell)
        raise BuildError(
            f"the Python kernel died while running {_what(meta)} ({exc})",
            doc.path,
            meta["line"] or None,
        ) from None
    except CellTimeoutError:
        meta = _running(meta, cell)
        if limit_name == "chapter":
            message = (
                f"the chapter ran longer than its time limit of {chapter_timeout:g} s "
                f"(stopped in {_what(meta)})"
            )
        else:
            message = f"{_what(meta)} ran longer than the cell time limit of {limit:g} s"
        raise BuildError(
            f"{message} — make it faster, or {LIMITS_HINT}", doc.path, meta["line"] or None
        ) from None
    return nb


def _what(meta: dict[str, Any]) -> str:
    """The notebook cell `meta` describes, in the author's terms."""
    if meta["kind"] == "inline":
        return f"the inline expression `{meta['expr']}`"
    return "this cell" if meta["kind"] == "cell" else f"the build's {meta['kind']} code"


def _cell_error(exc: CellExecutionError, meta: dict[str, Any], doc: Document) -> BuildError:
    summary = f"{exc.ename}: {exc.evalue}" if getattr(exc, "ename", None) else "error"
    if meta["kind"] == "inline":
        message = f"inline expression `{meta['expr']}` raised {summary}"
    elif meta["kind"] == "cell":
        message = f"cell raised {summary}"
    else:
        message = f"the build's {meta['kind']} code failed: {summary}"
    return BuildError(message, doc.path, meta["line"] or None, detail=_error_detail(exc))


def dependencies_of(nb: nbformat.NotebookNode) -> Dependencies:
    """The files and modules the executed notebook reported in its last cell."""
    for output in nb.cells[-1].get("outputs", []):
        if output.get("metadata", {}).get("bookbuild") == "dependencies":
            data = output["data"]["application/json"]
            return Dependencies(tuple(data["reads"]), tuple(data["modules"]), data.get("lines", {}))
    raise BuildError(
        "the chapter's kernel did not report its dependencies", nb.metadata["bookbuild"]["source"]
    )


def outside_reads(nb: nbformat.NotebookNode) -> list[tuple[str, dict[str, Any]]]:
    """(real path, metadata of the cell that first read it) for each file outside the project
    (and outside Python's and the system's folders) that the executed chapter read."""
    for output in nb.cells[-1].get("outputs", []):
        if output.get("metadata", {}).get("bookbuild") == "dependencies":
            found = output["data"]["application/json"].get("outside") or {}
            return [
                (path, nb.cells[number].metadata["bookbuild"])
                for path, number in found.items()
                if isinstance(number, int) and 0 < number < len(nb.cells)
            ]
    return []


def warn_outside_reads(nb: nbformat.NotebookNode, doc: Document) -> None:
    """A warning for each read outside the project: the cache cannot see it change."""
    for path, meta in outside_reads(nb):
        log.warning(
            "%s:%s: %s read %s, outside the project: the cache does not see it change "
            "— copy it into the project (e.g. data/raw/)",
            doc.path,
            meta["line"],
            _what(meta),
            path,
        )


def inline_values(nb: nbformat.NotebookNode) -> dict[int, list[str]]:
    """Values of inline expressions by markdown block index, in document order."""
    values: dict[int, list[str]] = {}
    for cell in nb.cells:
        meta = cell.metadata["bookbuild"]
        if meta["kind"] != "inline":
            continue
        shown = [
            o["data"]
            for o in cell.get("outputs", [])
            if o.get("metadata", {}).get("bookbuild") == "inline"
        ]
        values.setdefault(meta["block"], []).extend(
            MarkdownValue(data["text/markdown"])
            if "text/markdown" in data
            else data.get("text/plain", "")
            for data in shown
        )
    return values


class MarkdownValue(str):
    """An inline value shown as Markdown (it had `text/markdown`, as IPython's `Markdown`
    or a `_repr_markdown_` gives): woven in as markup, where plain text is escaped."""


__all__ = [
    "Dependencies",
    "MarkdownValue",
    "build_notebook",
    "dependencies_of",
    "effective_options",
    "execute_notebook",
    "inline_cells",
    "inline_values",
]

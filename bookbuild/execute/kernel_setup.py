"""Code run inside each chapter's kernel before its first cell (sent as source, not imported).

It makes outputs deterministic (SVG hash salt, no dates in metadata), gives DataFrames a
structured JSON display the build turns into real tables, defines the helper that shows an
inline `{python} expr` value, and records which project files the chapter reads and which
project modules it imports, so the cache can tell when a data byte or a function changed.

Project code may narrow a read: the audit event `bookbuild.read_lines` (path, regex) raised
just before it opens a file says that only the lines matching the regex matter, so the chapter
depends on those lines, not on the whole file (`analysis.manifest` does this for the checksum
line of the raw file it verifies). Outside the build the event reaches no hook and costs nothing.
"""

import os as _bb_os
import sys as _bb_sys

_BB_ROOT = _bb_os.path.realpath(_bb_os.getcwd())
_BB_SKIP = tuple(
    _bb_os.path.join(_BB_ROOT, d) + _bb_os.sep
    for d in (".venv", "_book", "_freeze", ".git", ".bookbuild")
)
_bb_reads: set[str] = set()
_bb_outside: dict[str, int] = {}  # real path outside the project -> the cell that first read it
_bb_cell = [0]  # number of the notebook cell running (0: this set-up cell)


def _bb_system_dirs():
    """Where Python, its packages and the machine's own files live: not the author's inputs."""
    import site
    import tempfile

    home = _bb_os.path.expanduser("~")
    found = {
        _bb_sys.prefix,
        _bb_sys.base_prefix,
        _bb_sys.exec_prefix,
        tempfile.gettempdir(),
        "/usr",
        "/lib",
        "/lib64",
        "/proc",
        "/sys",
        "/dev",
        "/run",
        "/var",
        "/etc",
        *(
            _bb_os.path.join(home, d)
            for d in (".cache", ".config", ".local", ".ipython", ".matplotlib", ".fonts", ".pyenv")
        ),
        _bb_os.environ.get("MPLCONFIGDIR") or home,
    }
    found.update([*site.getsitepackages(), site.getusersitepackages()])
    return tuple(_bb_os.path.realpath(d) + _bb_os.sep for d in found if d and d != home)


_BB_SYSTEM = _bb_system_dirs()
_bb_lines: dict[str, set[str]] = {}  # project path -> regexes of the lines read
_bb_next_lines: dict[str, str] = {}  # real path -> regex of the lines the next open of it reads


def _bb_audit(event, args):
    if event == "bookbuild.read_lines" and len(args) == 2:
        _bb_next_lines[_bb_os.path.realpath(_bb_os.fsdecode(args[0]))] = str(args[1])
        return
    if event != "open" or not args:
        return
    target, mode = args[0], args[1] if len(args) > 1 else "r"
    if isinstance(target, int) or mode is None:
        return
    if isinstance(mode, str) and any(flag in mode for flag in "wax+"):
        return
    try:
        path = _bb_os.path.realpath(_bb_os.fsdecode(target))
    except (TypeError, ValueError):
        return
    if (
        not path.startswith(_BB_ROOT + _bb_os.sep)
        and not path.startswith(_BB_SYSTEM)
        and _bb_cell[0] > 0
        and _bb_os.path.isfile(path)
    ):
        _bb_outside.setdefault(path, _bb_cell[0])
        return
    if (
        path.startswith(_BB_ROOT + _bb_os.sep)
        and not path.startswith(_BB_SKIP)
        and ".egg-info" not in path
        and "__pycache__" not in path  # bytecode is no input
        and _bb_os.path.isfile(path)
    ):
        relative = _bb_os.path.relpath(path, _BB_ROOT)
        pattern = _bb_next_lines.pop(path, None)
        if pattern is None:
            _bb_reads.add(relative)
        else:
            _bb_lines.setdefault(relative, set()).add(pattern)


_bb_sys.addaudithook(_bb_audit)


def _bb_table_json(frame):
    """A DataFrame as {columns, rows} of display strings; the index is kept unless trivial."""
    import pandas as pd

    shown = frame if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()

    def cell(value):
        if value is None or (isinstance(value, float) and value != value):
            return ""
        if value is pd.NA or value is pd.NaT:
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, float):
            return repr(round(value, 4))
        return str(value)  # ints and text as they are: tables format their own numbers

    table = {
        "columns": [str(c) for c in shown.columns],
        "rows": [[cell(v) for v in row] for row in shown.itertuples(index=False)],
    }
    # a header that knows its Markdown (IPython's _repr_markdown_: italic symbols) keeps it
    marked = [getattr(c, "_repr_markdown_", None) for c in shown.columns]
    if any(marked):
        table["columns_markdown"] = [m() if m else None for m in marked]
    return table


def _bb_inline(value):
    """Display an inline value as plain text, tagged so the build can find it."""
    from IPython.display import publish_display_data

    data = {"text/plain": str(value)}
    markdown = getattr(value, "_repr_markdown_", None)  # as Quarto: Markdown values are markup
    if callable(markdown) and not isinstance(value, type):
        data["text/markdown"] = str(markdown())
    publish_display_data(data, metadata={"bookbuild": "inline"})


def _bb_dependencies():
    """Report the project files read and project modules imported, as JSON text."""
    from IPython.display import publish_display_data

    modules = set()
    for name, module in list(_bb_sys.modules.items()):
        if name in ("__main__", "__mp_main__"):  # the kernel's launcher, as IPython keeps it
            continue  # (a warm kernel's is the build's zygote.py: no input of the chapter)
        path = getattr(module, "__file__", None)
        if not path:
            continue
        path = _bb_os.path.realpath(path)
        if path.startswith(_BB_ROOT + _bb_os.sep) and not path.startswith(_BB_SKIP):
            modules.add(_bb_os.path.relpath(path, _BB_ROOT))
    reads = sorted(_bb_reads - modules)
    lines = {
        path: sorted(patterns) for path, patterns in _bb_lines.items() if path not in _bb_reads
    }  # a whole-file read covers its lines
    publish_display_data(
        {
            "application/json": {
                "reads": reads,
                "modules": sorted(modules),
                "lines": lines,
                "outside": dict(sorted(_bb_outside.items())),
            }
        },
        metadata={"bookbuild": "dependencies"},
    )


def _bb_showwarning(message, category, filename, lineno, file=None, line=None):
    """Show a warning as `Category: message`, with `path:line` only for project files.

    The default display names the kernel's temporary cell file, which holds the kernel's
    process id, and site-packages paths, which hold the machine's venv: neither may leak into
    an edition that must be the same on every build.
    """
    path = _bb_os.path.realpath(filename) if filename else ""
    where = ""
    if path.startswith(_BB_ROOT + _bb_os.sep) and not path.startswith(_BB_SKIP):
        where = f"{_bb_os.path.relpath(path, _BB_ROOT)}:{lineno}: "
    (file or _bb_sys.stderr).write(f"{where}{category.__name__}: {message}\n")


def _bb_configure():
    import warnings

    warnings.showwarning = _bb_showwarning
    ip = get_ipython()  # type: ignore[name-defined]  # noqa: F821 - IPython's kernel defines it
    ip.events.register("pre_run_cell", lambda *_: _bb_cell.__setitem__(0, _bb_cell[0] + 1))
    tables = ip.display_formatter.formatters["application/json"]
    for module in ("pandas", "pandas.core.frame"):  # DataFrame.__module__ differs by version
        tables.for_type_by_name(module, "DataFrame", _bb_table_json)
    try:
        import matplotlib

        matplotlib.use("module://matplotlib_inline.backend_inline")
        matplotlib.rcParams.update({"svg.hashsalt": "bookbuild", "svg.fonttype": "path"})
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("svg", metadata={"Date": None}, bbox_inches="tight")
    except ImportError:
        pass


_bb_configure()

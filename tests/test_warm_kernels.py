"""Warm kernels (`bookbuild/execute/warm.py`, `zygote.py`, `zygote_proxy.py`).

What must hold: a chapter's kernel is forked from a zygote that has the book's set-up modules
imported (so they are in `sys.modules` before the chapter's first line), each chapter gets a
process of its own that no other chapter used, with its own random seeds, environment and
folder; a module whose import is not neutral is not pre-imported; a killed kernel or zygote
leaves no process behind; and a book builds to the same bytes, cache records included, with
warm kernels as with plain ones.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from bookbuild_helpers import FIXTURE, copy_book, run, snapshot

from bookbuild.execute import kernel, waiting, warm
from bookbuild.source.qmd import read_qmd

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork zygote")


def _project(tmp_path: Path, chapter_code: str, modules: dict[str, str]) -> Path:
    root = tmp_path / "book"
    root.mkdir()
    (root / "ch.qmd").write_text(f"# Chapter\n\n```{{python}}\n{chapter_code}\n```\n", "utf-8")
    for name, code in modules.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(code), "utf-8")
    return root


def test_setup_modules_are_the_third_party_imports_of_chapters_and_project_code(tmp_path):
    root = _project(
        tmp_path,
        "import os\nimport pandas as pd\nfrom mylib import helper\nfrom . import nothing",
        {
            "mylib/__init__.py": "from mylib.sub import helper\nimport json\n",
            "mylib/sub.py": (
                "def helper():\n    import scipy.stats  # a lazy import counts too\n"
                "    from matplotlib import pyplot\n"
            ),
            "unused.py": "import seaborn\n",  # not imported by any chapter
        },
    )
    doc = read_qmd(root, Path("ch.qmd"))
    assert warm.setup_modules(root, [doc]) == (
        "matplotlib",
        "matplotlib.pyplot",
        "pandas",
        "scipy.stats",
        *warm.ALWAYS,
    )


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["bookbuild"] = {"source": "ch.qmd"}
    for number, source in enumerate((kernel.kernel_setup_source(), *sources)):
        cell = nbformat.v4.new_code_cell(source, id=f"cell-{number}")
        kind = "setup" if number == 0 else "inline"
        cell.metadata["bookbuild"] = {"kind": kind, "line": 1, "block": 0, "expr": "x"}
        nb.cells.append(cell)
    return nb


PROBE = (
    "import json, os, random, sys\n"
    "print(json.dumps({'pid': os.getpid(), 'ppid': os.getppid(), "
    "'pandas_before': 'pandas' in sys.modules, 'random': random.random(), "
    "'chapter': os.environ.get('BOOKBUILD_CHAPTER'), 'cwd': os.getcwd()}))"
)


def _probe(root: Path) -> dict:
    doc = read_qmd(root, Path("ch.qmd"))
    nb = kernel.execute_notebook(_notebook(PROBE), doc, root, {})
    return json.loads(nb.cells[1].outputs[0]["text"])


@pytest.fixture
def zygote_book(tmp_path):
    """A book whose chapter imports pandas; the test calls `_warm` (in its own phase: pytest
    changes PYTEST_CURRENT_TEST between phases, and a zygote serves only its environment)."""
    root = _project(tmp_path, "import pandas", {})
    yield root
    warm.release(root)


def _warm(root: Path) -> warm.Zygote:
    warm.prepare(root, [read_qmd(root, Path("ch.qmd"))], kernel.kernel_env(None))
    assert warm.socket_for(root) is not None
    return warm._ZYGOTES[root.resolve()]


def test_each_chapter_gets_its_own_fork_of_a_warm_zygote(zygote_book):
    root = zygote_book
    zygote = _warm(root)
    first, second = _probe(root), _probe(root)
    assert first["ppid"] == second["ppid"] == zygote.process.pid  # forked by the zygote
    assert first["pid"] != second["pid"]  # a process no other chapter used
    assert first["pandas_before"] and second["pandas_before"]  # imported ahead
    assert first["random"] != second["random"]  # reseeded, not the zygote's shared state
    assert first["chapter"] == "ch.qmd"
    assert first["cwd"] == str(root.resolve())
    for probe in (first, second):  # each kernel is gone once its chapter is done
        with pytest.raises(ProcessLookupError):
            os.kill(probe["pid"], 0)


def test_while_the_zygote_imports_the_first_chapters_may_start_without_it(zygote_book):
    """`start_plain`: a build's other cores start the first chapters in kernels of their own
    while the zygote imports; later chapters, and any once it is ready, fork from it."""
    root = zygote_book
    warm.prepare(root, [read_qmd(root, Path("ch.qmd"))], kernel.kernel_env(None))
    warm.start_plain(root, 1)  # at once: importing pandas takes the zygote a while
    first = _probe(root)  # a plain kernel, started now
    assert first["ppid"] == os.getpid() and first["chapter"] == "ch.qmd"
    socket = warm.socket_for(root)  # the next waits for the zygote
    assert socket is not None
    warm.start_plain(root, 1)  # a ready zygote serves every chapter
    second = _probe(root)
    assert second["ppid"] == warm._ZYGOTES[root.resolve()].process.pid


STATE = (
    "import json, os, sys, warnings\n"
    "import numpy as np, pandas as pd, matplotlib, matplotlib.pyplot as plt, scipy.stats\n"
    "print(json.dumps({'pandas': repr(pd._config.config._global_config), "
    "'rc': sorted((k, repr(v)) for k, v in dict.items(matplotlib.rcParams)), "
    "'numpy': repr(sorted(np.get_printoptions().items())), "
    "'filters': sorted(map(repr, warnings.filters)), 'backend': plt.get_backend(), "
    "'interactive': matplotlib.is_interactive(), 'path': sys.path, "
    "'displayhooks': len(get_ipython().events.callbacks['post_execute']), "
    "'ppid': os.getppid()}))"
)


def test_a_warm_kernel_has_the_settings_of_a_plain_one(tmp_path, monkeypatch):
    """Libraries that pick defaults at import (pandas' max_columns asks whether it runs in
    a kernel) end up with the same pandas options, rcParams, print options, warning filters,
    backend and import path as in a kernel that imported them itself."""
    root = _project(tmp_path, "import numpy, pandas, matplotlib.pyplot, scipy.stats", {})
    doc = read_qmd(root, Path("ch.qmd"))
    warm.prepare(root, [doc], kernel.kernel_env(None))
    try:
        assert warm.socket_for(root) is not None
        states = []
        for mode in ("1", "0"):
            monkeypatch.setenv(warm.SWITCH, mode)
            nb = kernel.execute_notebook(_notebook(STATE), doc, root, {})
            states.append(json.loads(nb.cells[1].outputs[0]["text"]))
    finally:
        warm.release(root)
    warm_state, plain_state = states
    assert warm_state.pop("ppid") != plain_state.pop("ppid") == os.getpid()  # one was forked
    for key in plain_state:
        assert warm_state[key] == plain_state[key], key


def test_plain_kernels_when_switched_off(zygote_book, monkeypatch):
    zygote = _warm(zygote_book)
    monkeypatch.setenv(warm.SWITCH, "0")
    probe = _probe(zygote_book)
    assert not probe["pandas_before"]
    assert probe["ppid"] == os.getpid() != zygote.process.pid


def _children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(n) for n in (task / "children").read_text().split())
    return found


def _forked_kernel(root: Path, socket_path: str, zygote_pid: int) -> tuple[subprocess.Popen, int]:
    """A proxy started as jupyter_client would, and the kernel the zygote forked for it."""
    from jupyter_client.connect import write_connection_file

    before = _children(zygote_pid)
    name = f"k{time.monotonic_ns()}"
    connection, _info = write_connection_file(
        str(root / f"{name}.json"), transport="ipc", ip=str(root / name)
    )
    proxy = subprocess.Popen(
        [
            sys.executable,
            str(warm.PROXY),
            socket_path,
            "-m",
            "ipykernel_launcher",
            "-f",
            connection,
        ],
        env=kernel.kernel_env("ch.qmd"),
        cwd=root,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        new = _children(zygote_pid) - before
        if new and list(root.glob(f"{name}-*")):  # the kernel is up (bound its sockets), so
            return proxy, new.pop()  # the proxy has long had its pid: it is standing in
        time.sleep(0.05)
    pytest.fail("the zygote forked no kernel, or it never started")


def test_killing_the_proxy_or_the_zygote_takes_the_kernel_with_it(zygote_book):
    root = zygote_book
    zygote = _warm(root).process.pid
    socket_path = warm.socket_for(root)
    proxy, child = _forked_kernel(root, socket_path, zygote)
    os.kill(proxy.pid, signal.SIGKILL)  # what the build's _kill does to a kernel
    proxy.wait()
    _gone(child)
    proxy, child = _forked_kernel(root, socket_path, zygote)
    os.kill(zygote, signal.SIGKILL)  # the zygote dies with a killed build
    _gone(child)
    assert proxy.wait(timeout=10) != 0  # and the proxy learns its kernel is gone


def _gone(pid: int, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with open(f"/proc/{pid}/stat") as stat:  # a zombie not yet reaped counts as gone
            if stat.read().split(") ")[1].startswith("Z"):
                return
        time.sleep(0.05)
    pytest.fail(f"process {pid} still running")


def test_modules_whose_import_is_not_neutral_are_refused(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "bb_noisy.py").write_text("print('hello from import')\n", "utf-8")
    (site / "bb_reader.py").write_text("open('data.txt').read()\n", "utf-8")
    (site / "bb_setter.py").write_text("import os\nos.environ['HOME'] = '/elsewhere'\n", "utf-8")
    (site / "bb_fine.py").write_text("VALUE = 1\n", "utf-8")
    root = tmp_path / "book"
    root.mkdir()
    (root / "data.txt").write_text("x\n", "utf-8")
    env = dict(kernel.kernel_env(None), PYTHONPATH=str(site))
    zygote = warm.Zygote(
        root.resolve(), ("bb_fine", "bb_noisy", "bb_reader", "bb_setter", "bb_missing"), env
    )
    try:
        assert zygote.wait() is not None  # it started, without the refused ones
        assert set(zygote.refused) == {"bb_noisy", "bb_reader", "bb_setter", "bb_missing"}
        assert "printed" in zygote.refused["bb_noisy"]
        assert "data.txt" in zygote.refused["bb_reader"]
        assert "environ" in zygote.refused["bb_setter"]
        assert "import failed" in zygote.refused["bb_missing"]
    finally:
        zygote.stop()


def test_a_kernel_with_another_environment_is_started_plain(zygote_book, monkeypatch):
    _warm(zygote_book)
    monkeypatch.setenv("BB_SOMETHING_NEW", "1")  # not in the zygote's environment
    probe = _probe(zygote_book)
    assert not probe["pandas_before"]  # the proxy fell back to the ordinary kernel command


@pytest.mark.slow
def test_the_fixture_book_builds_to_the_same_bytes_with_warm_and_plain_kernels(
    tmp_path, monkeypatch
):
    books = {}
    for mode in ("1", "0"):
        monkeypatch.setenv(warm.SWITCH, mode)
        root = copy_book(FIXTURE, tmp_path / f"warm-{mode}")
        result = run(root, "build", "--jobs", "2")
        assert result.code == 0, result.err
        books[mode] = {name: snapshot(root / name) for name in ("_book", "_freeze", "figures")}
    for name in ("_book", "_freeze", "figures"):
        warm_files, plain_files = books["1"][name], books["0"][name]
        assert sorted(warm_files) == sorted(plain_files), name
        different = [path for path in warm_files if warm_files[path] != plain_files[path]]
        assert not different, f"{name}: {different}"
    records = [p for p in books["1"]["_freeze"] if p.endswith(".json")]
    assert records  # the dependency records were compared too


def test_preview_keeps_a_zygote_waiting_between_builds(tmp_path, monkeypatch):
    monkeypatch.setattr(warm, "_keep", False)
    root = copy_book(FIXTURE, tmp_path / "book").resolve()
    said: list[str] = []
    try:
        warm.keep_warm_book(root, said.append)  # what `thesis preview` calls before a build
        deadline = time.monotonic() + 120
        while not said and time.monotonic() < deadline:
            time.sleep(0.1)
        assert said and said[0].startswith("kernels warm: ")
        zygote = warm._ZYGOTES[root]
        assert "pandas" in zygote.modules and "matplotlib.pyplot" in zygote.modules
        warm.release(root)  # the end of a build in the preview process: the zygote stays
        assert zygote.alive() and warm._ZYGOTES[root] is zygote
        warm.keep_warm_book(root, said.append)  # the next save: nothing new is started
        time.sleep(0.5)
        assert warm._ZYGOTES[root] is zygote and len(said) == 1
    finally:
        warm.stop_all()
    assert not zygote.alive()


def test_preview_hears_of_a_zygote_a_build_started_first(tmp_path, monkeypatch):
    """The preview's first build may start the zygote before the preview asks for one: the
    preview is still told, once, when it is ready (its benchmark waits for that line)."""
    monkeypatch.setattr(warm, "_keep", False)
    root = copy_book(FIXTURE, tmp_path / "book").resolve()
    from bookbuild.config.project import load_book

    docs = [read_qmd(root, ref.path) for ref in load_book(root).chapters]
    said: list[str] = []
    try:
        warm.prepare(root, docs, kernel.kernel_env(None))  # the build's own start
        started = warm._ZYGOTES[root]
        warm.keep_warm_book(root, said.append)
        warm.keep_warm_book(root, said.append)
        deadline = time.monotonic() + 120
        while not said and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)
        assert len(said) == 1 and said[0].startswith("kernels warm: ")
        assert warm._ZYGOTES[root] is started
    finally:
        warm.stop_all()


def _waiting_for(root: Path, chapter: str, within: float = 60) -> waiting.Waiting:
    waiting.start(root, chapter)
    deadline = time.monotonic() + within
    while (root.resolve(), chapter) not in waiting._WAITING:
        assert time.monotonic() < deadline, "no kernel started ahead"
        time.sleep(0.05)
    return waiting._WAITING[(root.resolve(), chapter)]


def test_a_kernel_started_ahead_serves_one_execution_of_its_chapter(zygote_book):
    """Preview forks the next kernel of a chapter ahead: the execution uses it (no start of
    its own), it is that chapter's, forked from the zygote, with a fresh state; once used it
    is gone, and the execution after that starts its own again."""
    root = zygote_book
    zygote = _warm(root)
    ahead = _waiting_for(root, "ch.qmd")
    pid = ahead.km.provisioner.process.pid  # the proxy: the kernel is its zygote-forked twin
    assert ahead.zygote == warm.socket_for(root)
    forked = _children(zygote.process.pid)  # the kernel waiting, and nothing else
    used = _probe(root)
    assert (root.resolve(), "ch.qmd") not in waiting._WAITING
    assert used["pid"] in forked and len(forked) == 1  # the execution ran in it
    assert used["ppid"] == zygote.process.pid and used["chapter"] == "ch.qmd"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # shut down with the chapter, like any kernel
    with pytest.raises(ProcessLookupError):
        os.kill(used["pid"], 0)
    again = _probe(root)  # nothing waits now: a kernel of its own
    assert again["pid"] != used["pid"] and again["random"] != used["random"]


def test_a_kernel_started_ahead_is_not_used_for_another_chapter_or_zygote(zygote_book):
    root = zygote_book
    _warm(root)
    ahead = _waiting_for(root, "other.qmd")  # started for another chapter: never taken here
    _probe(root)
    assert waiting._WAITING[(root.resolve(), "other.qmd")] is ahead
    env = kernel.kernel_env("other.qmd")
    assert waiting.take(root, "other.qmd", env, "/not/the/zygote") is None  # stopped instead
    assert (root.resolve(), "other.qmd") not in waiting._WAITING
    assert ahead.km.provisioner is None or ahead.km.provisioner.process.poll() is not None


def test_no_chapter_of_the_thesis_depends_on_the_build_itself():
    """A warm kernel's `__main__` is the build's zygote.py, which lies in this project: it is
    no input of a chapter (a plain kernel's launcher is not either), so the thesis's records
    are the same whichever kind of kernel ran each chapter."""
    edition = Path(__file__).resolve().parents[1] / "_book" / "provenance.json"
    if not edition.is_file():
        pytest.fail("no built edition: run `make` first")
    record = json.loads(edition.read_text("utf-8"))
    builds = {m for c in record["chapters"] for m in c["modules"] if m.startswith("bookbuild/")}
    assert builds == set()

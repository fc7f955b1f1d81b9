"""Warm kernels: a zygote process with the book's set-up modules imported forks each kernel.

Every chapter still runs in a kernel process no other chapter used, but starting Python and
importing the chapters' libraries (a data-analysis stack takes seconds, ipykernel too) is paid
once per build instead of once per chapter, and in `thesis preview` once per session.

A chapter declares its set-up modules by importing them: the third-party modules named in
`import` statements of the chapters' code cells and of the project modules those cells import
(read with `ast`, anywhere in the code, so lazy imports count). The standard library and the
project's own modules are never pre-imported: a project module imported ahead would escape the
chapter's dependency record, so project code is always imported by the chapter, after the
build's set-up cell has started recording. `zygote.py` refuses any module whose import is not
neutral (prints, warns, reads a project file, changes rcParams, pandas options and the like),
and the zygote is started again without it. `BOOKBUILD_WARM_KERNELS=0` turns all this off.
"""

from __future__ import annotations

import ast
import atexit
import contextlib
import functools
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from bookbuild.errors import BuildError
from bookbuild.source.qmd import Cell, Document
from bookbuild.state import store

log = logging.getLogger("bookbuild")
HERE = Path(__file__).resolve().parent
ZYGOTE = HERE / "zygote.py"
PROXY = HERE / "zygote_proxy.py"
ALWAYS = ("ipykernel.kernelapp",)  # every kernel imports these
SWITCH = "BOOKBUILD_WARM_KERNELS"
_SKIP_DIRS = {
    ".venv",
    "_book",
    store.FREEZE_DIR.name,
    ".git",
    store.STATE_DIR.name,
    "node_modules",
    "__pycache__",
}


def enabled() -> bool:
    """Whether warm kernels are used (Linux only: fork, SOCK_SEQPACKET, PR_SET_PDEATHSIG)."""
    return os.environ.get(SWITCH, "1") != "0" and sys.platform.startswith("linux")


@functools.lru_cache(maxsize=1024)
def _imports(code: str) -> frozenset[tuple[str, int]]:
    """(dotted name, level) of every module an `import` in `code` names, at any depth (each
    code text parsed once per process: every build reads all chapters and modules)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return frozenset()
    found: set[tuple[str, int]] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if base:
                found.add((base, node.level))
            if node.level == 0 and base:  # `from scipy import stats`: maybe a submodule
                found.update((f"{base}.{alias.name}", 0) for alias in node.names)
    return frozenset(found)


def _project_files(root: Path, top: str) -> list[Path]:
    """The Python files of the project's top-level module or package `top`."""
    single = root / f"{top}.py"
    if single.is_file():
        return [single]
    files = []
    for parent, dirs, names in os.walk(root / top):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        files += [Path(parent, n) for n in sorted(names) if n.endswith(".py")]
    return files


def setup_modules(root: Path, docs: Iterable[Document]) -> tuple[str, ...]:
    """The third-party modules the chapters import, directly or through project modules."""
    codes = [b.code for doc in docs for b in doc.blocks if isinstance(b, Cell)]
    names: set[str] = set()
    seen: set[str] = set()
    while codes:
        for name, level in _imports(codes.pop()):
            top = name.split(".")[0]
            if level or top in sys.stdlib_module_names or top == "__future__":
                continue
            if (root / top).is_dir() or (root / f"{top}.py").is_file():  # the project's own
                if top not in seen:
                    seen.add(top)
                    for path in _project_files(root, top):
                        with contextlib.suppress(OSError, UnicodeDecodeError):
                            codes.append(path.read_text("utf-8"))
                continue
            names.add(name)
    return tuple(sorted(names)) + ALWAYS


def _stamp(root: Path) -> str:
    """What the pre-imported modules depend on besides their names: the interpreter and the
    installed packages (the lock file and the site-packages folder's listing)."""
    digest = hashlib.sha256()  # over several inputs: store.sha256 hashes one
    digest.update(sys.executable.encode())
    for name in ("requirements.lock", "pyproject.toml"):
        with contextlib.suppress(OSError):
            digest.update((root / name).read_bytes())
    for folder in sorted({p for p in sys.path if p.endswith("site-packages")}):
        with contextlib.suppress(OSError):
            digest.update(repr(sorted(os.listdir(folder))).encode())
    return digest.hexdigest()


class Zygote:
    """One zygote process for a project, started in a background thread."""

    def __init__(self, root: Path, modules: tuple[str, ...], env: dict[str, str]) -> None:
        self.root, self.env = root, env
        self.modules = modules
        self.key = (modules, tuple(sorted(env.items())), _stamp(root))
        self.folder = tempfile.mkdtemp(prefix="bb-zygote-")
        self.socket = os.path.join(self.folder, "z")
        self.refused: dict[str, str] = {}
        self.process: subprocess.Popen[str] | None = None
        self._ready = threading.Event()
        self._stopped = False
        self.announced = False  # a preview has said it is ready
        self.plain = 0  # kernels that may start without it while it imports (`socket_for`)
        self._lock = threading.Lock()
        threading.Thread(target=self._start, name="bb-zygote", daemon=True).start()

    def _start(self) -> None:
        modules = list(self.modules)
        try:
            for _attempt in range(len(modules) + 1):
                with self._lock:
                    if self._stopped:
                        return
                    process = subprocess.Popen(
                        [sys.executable, str(ZYGOTE), self.socket, str(self.root), *modules],
                        stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL,
                        cwd=self.root,
                        env=self.env,
                        text=True,
                    )
                    self.process = process
                line = process.stdout.readline() if process.stdout else ""
                try:
                    message = json.loads(line) if line else {}
                except ValueError:
                    message = {}
                if message.get("ready"):
                    return
                process.wait()
                self.process = None
                refused = message.get("refused")
                if refused not in modules:
                    log.debug("warm kernels: the zygote did not start; plain kernels instead")
                    return
                self.refused[refused] = message.get("why", "")
                log.debug("warm kernels: %s not pre-imported (%s)", refused, self.refused[refused])
                modules.remove(refused)
        finally:
            self._ready.set()

    def wait(self) -> str | None:
        """The socket to ask for kernels, once the zygote is ready; None if it could not start."""
        self._ready.wait()
        process = self.process
        return self.socket if process is not None and process.poll() is None else None

    def alive(self) -> bool:
        return not self._stopped and (
            not self._ready.is_set() or (self.process is not None and self.process.poll() is None)
        )

    def stop(self) -> None:
        """End the zygote (its kernels die with it) and remove its socket folder."""
        with self._lock:
            self._stopped = True
            process = self.process
        if process is not None:
            with contextlib.suppress(OSError):
                if process.stdin:
                    process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_ZYGOTES: dict[Path, Zygote] = {}
_REGISTRY_LOCK = threading.Lock()
_keep = False


def prepare(root: Path, docs: Iterable[Document], env: dict[str, str]) -> None:
    """Make sure a zygote for this book is starting or ready (reused when nothing it depends
    on changed: the set-up modules, the environment, the installed packages)."""
    if not enabled():
        return
    root = Path(root).resolve()
    modules = setup_modules(root, docs)
    with _REGISTRY_LOCK:
        current = _ZYGOTES.get(root)
        key = (modules, tuple(sorted(env.items())), _stamp(root))
        if current is not None and current.alive() and current.key == key:
            return
        if current is not None:
            current.stop()
        _ZYGOTES[root] = Zygote(root, modules, env)


def socket_for(root: Path) -> str | None:
    """The ready zygote's socket for this project (waiting for it to be ready), or None: no
    zygote, or one still importing while a kernel may start without it (`start_plain`)."""
    if not enabled():
        return None
    with _REGISTRY_LOCK:
        zygote = _ZYGOTES.get(Path(root).resolve())
        if zygote is not None and zygote.plain > 0 and not zygote._ready.is_set():
            zygote.plain -= 1
            return None
    return zygote.wait() if zygote is not None else None


def start_plain(root: Path, kernels: int) -> None:
    """Let the next `kernels` chapters that ask while the project's zygote is still importing
    start a kernel of their own (which imports what it needs itself) instead of waiting.

    The zygote's imports keep one core busy for seconds; a build with more cores than that
    starts its first chapters (the longest, by the build's order) on the others meanwhile.
    Either kind of kernel runs a chapter alone and gives the same outputs."""
    with _REGISTRY_LOCK:
        zygote = _ZYGOTES.get(Path(root).resolve())
        if zygote is not None and not zygote._ready.is_set():
            zygote.plain = max(0, kernels)


def release(root: Path) -> None:
    """After a build: stop the project's zygote, unless a preview session keeps it warm."""
    if _keep:
        return
    with _REGISTRY_LOCK:
        zygote = _ZYGOTES.pop(Path(root).resolve(), None)
    if zygote is not None:
        zygote.stop()


def keep_warm(root: Path, docs: Iterable[Document], env: dict[str, str]) -> None:
    """For `thesis preview`: keep the zygote between builds and start one now if none runs,
    so the next edited chapter's kernel starts warm."""
    global _keep
    _keep = True
    prepare(root, docs, env)


def keep_warm_book(root: Path, log: Callable[[str], None] | None = None) -> None:
    """`keep_warm` for the book at `root`, in a background thread (reading the chapters takes
    a moment), so that a build running meanwhile is not delayed; `log` hears once per zygote
    when it is ready, whether this call or a build started it."""
    global _keep
    if not enabled():
        return
    _keep = True  # from now on, builds in this process leave the zygote running

    def start() -> None:
        from bookbuild.config.project import load_book
        from bookbuild.execute.kernel import kernel_env
        from bookbuild.source.qmd import read_qmd

        zygote = _ZYGOTES.get(Path(root).resolve())
        if zygote is None or not zygote.alive():
            try:
                book = load_book(root)
                docs = [read_qmd(book.root, ref.path) for ref in book.chapters]
            except BuildError:
                return  # the next build reports it
            keep_warm(book.root, docs, kernel_env(None))
            zygote = _ZYGOTES.get(book.root)
        if log is None or zygote is None or zygote.wait() is None:
            return
        with _REGISTRY_LOCK:
            if zygote.announced:
                return
            zygote.announced = True
        log(f"kernels warm: {len(zygote.modules) - len(zygote.refused)} modules pre-imported")

    threading.Thread(target=start, name="bb-keep-warm", daemon=True).start()


@atexit.register
def stop_all() -> None:
    """Stop every zygote (at exit; a killed build's zygotes see their stdin close)."""
    with _REGISTRY_LOCK:
        zygotes = list(_ZYGOTES.values())
        _ZYGOTES.clear()
    for zygote in zygotes:
        zygote.stop()


@functools.cache
def manager_class() -> type:
    """A jupyter_client kernel manager that launches kernels through `zygote_proxy.py`."""
    from jupyter_client import AsyncKernelManager
    from traitlets import Unicode

    class WarmKernelManager(AsyncKernelManager):
        zygote_socket = Unicode("", config=True, help="the zygote's socket ('' for none)")

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            cmd = super().format_kernel_cmd(extra_arguments)
            if (
                self.zygote_socket
                and cmd[:1] == [sys.executable]
                and cmd[1:3]
                == [
                    "-m",
                    "ipykernel_launcher",
                ]
            ):
                return [sys.executable, str(PROXY), self.zygote_socket, *cmd[1:]]
            return cmd

    return WarmKernelManager

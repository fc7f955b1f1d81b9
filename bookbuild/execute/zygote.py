"""A warm "zygote": import a book's set-up modules once, then fork one fresh kernel per chapter.

Run as a script by `warm.py` (it imports nothing from `bookbuild`, so the forked kernels hold
nothing of the build):

    python zygote.py SOCKET ROOT MODULE...

It imports each MODULE in turn, in the project root with the kernels' environment, and checks
that the import was neutral: nothing printed or warned, no project file read (the chapter's
dependency record must still show every read), no thread started, and matplotlib's rcParams,
pandas' options, numpy's print and error settings and the root logger unchanged. A module
that is not neutral (or fails to import) is reported on stdout as `{"refused": ...}` and the
zygote exits, so that `warm.py` can start another without it. Otherwise it reports
`{"ready": [...]}` and serves `zygote_proxy.py`: each request (over a SOCK_SEQPACKET Unix
socket, with the kernel's stdin, stdout and stderr passed along) forks a child that takes the
request's working directory, environment and standard streams, reseeds `random` and numpy's
global generator, and becomes an ipykernel. No chapter code ever runs in the zygote itself, and
no child is used twice. The zygote exits when its stdin closes (the build is gone), killing
its children; each child dies with the zygote (PR_SET_PDEATHSIG).
"""

import contextlib
import gc
import importlib
import importlib.util
import io
import json
import os
import select
import signal
import socket
import sys
import threading
import warnings

# Variables the kernel's environment may hold that the zygote's does not: set per kernel by
# the build or by jupyter_client, and read by nothing at import time.
PER_KERNEL = {
    "BOOKBUILD_CHAPTER",
    "BOOKBUILD_WARM_KERNELS",
    "JPY_PARENT_PID",
    "JPY_SESSION_NAME",
    "PYTEST_CURRENT_TEST",  # pytest changes it between a test's phases
}
SKIP = (".venv", "_book", "_freeze", ".git", ".bookbuild")
BASE_ENV = dict(os.environ)  # as the build started the zygote, before any import


def _state():
    """The process-wide settings an import could change that a chapter's output depends on,
    by name (a module imported for the first time brings its own: only settings that already
    existed before an import are compared)."""
    found = {
        "threads": threading.active_count(),
        "cwd": os.getcwd(),
        # variables a module sets for itself (such as PYARROW_IGNORE_TIMEZONE) are kept
        # and given to every kernel; changing or removing one the build set is refused
        "environ": sorted((k, v) for k, v in os.environ.items() if k in BASE_ENV),
    }
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and hasattr(mpl, "rcParams"):  # dict.items: no backend resolution
        found["rcParams"] = sorted((k, repr(v)) for k, v in dict.items(mpl.rcParams))
    pandas_config = sys.modules.get("pandas._config.config")
    if pandas_config is not None and hasattr(pandas_config, "_global_config"):
        found["pandas options"] = repr(pandas_config._global_config)
    np = sys.modules.get("numpy")
    if np is not None and hasattr(np, "get_printoptions"):
        found["numpy print options"] = repr(sorted(np.get_printoptions().items()))
        found["numpy errors"] = repr(sorted(np.geterr().items()))
    logging = sys.modules.get("logging")
    if logging is not None:
        root = logging.getLogger()
        found["root logger"] = (root.level, repr(root.handlers), logging.root.manager.disable)
    return found


class _Watch:
    """Records project files opened while `on` (an audit hook cannot be removed, so it stays
    installed, inert, in the zygote and its children)."""

    def __init__(self, root):
        self.root = root + os.sep
        self.skip = tuple(os.path.join(root, d) + os.sep for d in SKIP)
        self.on = False
        self.reads = []

    def __call__(self, event, args):
        if not self.on or event != "open" or not args or isinstance(args[0], int):
            return
        try:
            path = os.path.realpath(os.fsdecode(args[0]))
        except (TypeError, ValueError):
            return
        if (
            path.startswith(self.root)
            and not path.startswith(self.skip)
            and "__pycache__" not in path  # bytecode and package metadata are no inputs,
            and ".egg-info" not in path  # as for the kernel's own record (kernel_setup.py)
            and os.path.isfile(path)
        ):
            self.reads.append(path)


class _Capture(io.StringIO):
    """stdout and stderr during the warm-up: held for the check, and reporting the encoding
    of a kernel's streams (pandas reads `sys.stdout.encoding` at import)."""

    @property
    def encoding(self) -> str:  # type: ignore[override]  # read-only on purpose: asked, not set
        return "UTF-8"


class _KernelShell:
    """What `get_ipython()` answers during the warm-up: a shell with a kernel, as in the
    kernels the zygote forks (pandas, for one, chooses its display defaults by asking whether
    it runs in a Jupyter kernel). Any other use of it fails, and the module is refused."""

    kernel = True

    def __getattr__(self, name):
        raise AttributeError(f"get_ipython().{name} is not available while the zygote imports")


def warm_up(root, modules):
    """Import `modules`; the first that is not neutral: (name, why), or None when all were."""
    import builtins

    setattr(builtins, "get_ipython", _KernelShell)  # noqa: B010  (not a name builtins has)
    try:
        return _import_each(root, modules)
    finally:
        delattr(builtins, "get_ipython")


def _import_each(root, modules):
    watch = _Watch(root)
    sys.addaudithook(watch)
    for name in modules:
        parent = name.rpartition(".")[0]
        if parent and parent in sys.modules:
            try:  # `from pandas import DataFrame` names pandas.DataFrame: not a module
                if importlib.util.find_spec(name) is None:
                    continue
            except (ImportError, ValueError):
                continue
        before = _state()
        shown: list[str] = []
        out = _Capture()
        old_show = warnings.showwarning
        warnings.showwarning = lambda m, c, *_a, _shown=shown, **_k: _shown.append(
            f"{c.__name__}: {m}"
        )
        watch.on, watch.reads = True, []
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                importlib.import_module(name)
        except BaseException as exc:  # any failure refuses the module
            return name, f"import failed: {type(exc).__name__}: {exc}"
        finally:
            watch.on = False
            warnings.showwarning = old_show
        if watch.reads:
            return name, f"read project file {os.path.relpath(watch.reads[0], root)}"
        if shown or out.getvalue():
            return name, f"printed or warned at import: {(shown or [out.getvalue()])[0][:200]}"
        after = _state()
        changed = [key for key in before if after.get(key) != before[key]]
        if changed:
            return name, f"changed {', '.join(changed)} at import"
    return None


def _send(conn, message):
    with contextlib.suppress(OSError):
        conn.send(json.dumps(message).encode())


def _refusal(env):
    """Why a kernel with environment `env` cannot come from this zygote, or None."""
    mine = {k: v for k, v in BASE_ENV.items() if k not in PER_KERNEL}
    theirs = {k: v for k, v in env.items() if k not in PER_KERNEL}
    if mine != theirs:
        different = sorted(set(mine.items()) ^ set(theirs.items()))
        return f"environment differs ({', '.join(sorted({k for k, _ in different})[:5])})"
    return None


def serve(path, base_path):
    """Fork a kernel per request until stdin closes. In a child: the request to run."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(16)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    children: dict[socket.socket, int] = {}  # connection -> pid
    print(json.dumps({"ready": True}), flush=True)
    while True:
        try:
            ready, _, _ = select.select([listener, sys.stdin, wake_r, *children], [], [], 1.0)
        except InterruptedError:
            continue
        if sys.stdin in ready and not os.read(sys.stdin.fileno(), 4096):
            for pid in children.values():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.unlink(path)
            return None
        if wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(wake_r, 4096)
        for conn in [c for c in ready if c in children]:  # a proxy went away: kill its kernel
            with contextlib.suppress(OSError):
                if conn.recv(16):
                    continue
            with contextlib.suppress(OSError):
                os.kill(children[conn], signal.SIGKILL)
        _reap(children)
        if listener in ready:
            conn, _ = listener.accept()
            try:
                data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 20, 3)
                request = json.loads(data)
            except (OSError, ValueError):
                conn.close()
                continue
            why = _refusal(request.get("env", {})) if len(fds) == 3 else "no standard streams"
            if why:
                _send(conn, {"refused": why})
                conn.close()
                for fd in fds:
                    os.close(fd)
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                for other in children:
                    other.close()
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.close(wake_r)
                os.close(wake_w)
                return request, fds, conn, base_path
            for fd in fds:
                os.close(fd)
            children[conn] = pid
            _send(conn, {"pid": pid})


def _reap(children):
    """Tell each proxy whose kernel exited how it ended, and forget it."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        code = os.waitstatus_to_exitcode(status)
        for conn, child in list(children.items()):
            if child == pid:
                _send(conn, {"exit": code})
                conn.close()
                del children[conn]


def become_kernel(request, fds, conn, base_path):
    """In the forked child: take the request's streams, folder and environment, run ipykernel."""
    import ctypes

    zygote = os.getppid()
    os.setsid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != zygote:
        os._exit(1)
    conn.close()
    for number, fd in enumerate(fds):
        os.dup2(fd, number)
        os.close(fd)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(request["cwd"])
    added = {k: v for k, v in os.environ.items() if k not in BASE_ENV}
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ.update(added)  # what the pre-imported modules set at import, as they would
    sys.path[:] = base_path  # as ipykernel_launcher leaves it; IPython adds the cwd back
    sys.path_importer_cache.clear()
    importlib.invalidate_caches()
    import random

    random.seed()  # a fresh interpreter's seeds, not the zygote's shared ones
    np = sys.modules.get("numpy")
    if np is not None:
        np.random.seed()
    launcher = importlib.util.find_spec("ipykernel_launcher")
    origin = launcher.origin if launcher else None
    sys.argv = [origin or "ipykernel_launcher", *request["argv"]]
    from ipykernel import kernelapp

    argv = list(request["argv"])
    parent = os.environ.get("JPY_PARENT_PID")
    if parent:  # the trait's default was read from the zygote's environment, without it
        argv.append(f"--IPKernelApp.parent_handle={int(parent)}")
    code = 0
    try:
        kernelapp.launch_new_instance(argv=argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
    except BaseException:  # shown on the kernel's stderr, as a kernel would
        import traceback

        traceback.print_exc()
        code = 1
    # The kernel's exit handlers run; the interpreter's teardown of every module the zygote
    # imported does not: it would copy the shared pages of each (copy-on-write) just to free
    # them, seconds per kernel for the analysis stack, and nothing of a chapter's output is
    # left to deliver by then (its outputs came before the shutdown request).
    import atexit

    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


def main():
    path, root, modules = sys.argv[1], os.path.realpath(sys.argv[2]), sys.argv[3:]
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the build; it stops us
    del sys.path[0]  # this script's folder
    base_path = list(sys.path)
    os.chdir(root)
    sys.path.insert(0, "")  # as in a kernel: the project root first
    refused = warm_up(root, modules)
    if refused:
        print(json.dumps({"refused": refused[0], "why": refused[1]}), flush=True)
        return
    if threading.active_count() != 1:
        print(json.dumps({"refused": modules[-1], "why": "threads running"}), flush=True)
        return
    gc.freeze()  # the imported modules' objects: no collection in a kernel ever copies them
    child = serve(path, base_path)
    if child is not None:
        become_kernel(*child)


if __name__ == "__main__":
    main()

"""`thesis preview`: serve the edition on localhost and rebuild it when a source changes.

The server (the standard library's `http.server`, in a daemon thread) serves `_book/` by
path, so after an atomic publish it serves the new edition without a restart. The watcher
polls file modification times (no extra dependency) over the project (chapters,
`_quarto.yml`, analysis code, data), skipping what the build itself writes, and over the
build package's own templates and assets. On a change the HTML is built first, in this
process, and the open page reloads itself (see `livereload`): a save that changes one
chapter's prose or code rebuilds that chapter's page alone (see `quick`; edited code is
executed first, in a kernel of its own), any other change the whole HTML edition. The full
build with the PDF follows in a kept background process that the next save stops (see
`background`).
"""

from __future__ import annotations

import functools
import io
import os
import threading
import time
from collections.abc import Callable, Iterable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from bookbuild import PACKAGE_DIR
from bookbuild.commands import livereload
from bookbuild.commands.background import BackgroundBuild
from bookbuild.commands.quick import QuickPages
from bookbuild.config.project import load_book
from bookbuild.errors import BuildError
from bookbuild.execute import waiting, warm
from bookbuild.state import store

# Folders the build writes or that never hold sources (names, anywhere in the tree).
IGNORED_DIRS = {
    "_book",
    store.FREEZE_DIR.name,
    store.STATE_DIR.name,
    ".venv",
    "node_modules",
    "figures",
    "test-artifacts",
    "__pycache__",
    "build",
}
Snapshot = dict[Path, tuple[int, int]]


def snapshot(folders: Iterable[Path], ignored: set[str] = IGNORED_DIRS) -> Snapshot:
    """(modification time in ns, size in bytes) of every file under `folders`.

    Hidden files and folders (`.git`, editor swap files) and `ignored` folder names are
    skipped, so the build's own output never triggers a rebuild.
    """
    found: Snapshot = {}
    for folder in folders:
        for parent, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d not in ignored and not d.startswith("."))
            for name in files:
                if name.startswith(".") or name.endswith("~"):
                    continue
                path = Path(parent, name)
                try:
                    stat = path.stat()
                except OSError:
                    continue  # removed while we looked, or a link that leads nowhere
                found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed(before: Snapshot, after: Snapshot) -> list[Path]:
    """Files added, removed or modified between two snapshots, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves regular files under its folder only: a path that leaves the folder (`..`, a
    symlink pointing out, a link anywhere on the way), a directory without `index.html`, or
    anything that is not a regular file is 404; no directory is ever listed."""

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        pass

    def send_head(self) -> Any:  # stdlib signature
        path = Path(self.translate_path(self.path))
        if path.is_dir() and not self.path.split("?", 1)[0].split("#", 1)[0].endswith("/"):
            return super().send_head()  # a redirect to the folder's own address
        if path.is_dir():
            path = path / "index.html"
        if not _servable(path, Path(self.directory).resolve()):
            self.send_error(404, "File not found")
            return None
        return super().send_head()

    def list_directory(self, path: str | os.PathLike[str]) -> None:  # stdlib signature
        self.send_error(404, "File not found")
        return None


class _ReloadingHandler(_QuietHandler):
    """`_QuietHandler` whose HTML pages carry the live-reload script, plus the script itself
    and its long-poll endpoint; every other path keeps the same guards."""

    reloader: livereload.Reloader

    def end_headers(self) -> None:  # stdlib signature
        self.send_header("Cache-Control", "no-store")  # a reload must show the new edition
        super().end_headers()

    def send_head(self) -> Any:  # stdlib signature
        address = self.path.split("#", 1)[0]
        where, _, query = address.partition("?")
        if where == livereload.ENDPOINT:
            asked = {k: unquote(v) for k, _, v in (p.partition("=") for p in query.split("&"))}
            page = _page_of(asked["page"]) if "page" in asked else None
            version = self.reloader.wait(asked.get("since", ""), page=page)
            return self._send(f'{{"version": {version}}}'.encode(), "application/json")
        if where == livereload.SCRIPT_PATH:
            return self._send(livereload.SCRIPT_FILE.read_bytes(), "text/javascript")
        path = Path(self.translate_path(self.path))
        if path.is_dir() and where.endswith("/"):
            path = path / "index.html"
        base = Path(self.directory).resolve()
        if path.suffix == ".html" and _servable(path, base):
            page = path.absolute().relative_to(base).as_posix()
            version = self.reloader.page_version(page)  # before the page: one newer than its
            try:  # version reloads once more, never the reverse
                body = path.read_bytes()
            except OSError:  # replaced by a publish while we looked
                self.send_error(404, "File not found")
                return None
            return self._send(livereload.inject(body, version), "text/html; charset=utf-8")
        return super().send_head()

    def _send(self, body: bytes, kind: str) -> io.BytesIO:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def _page_of(address: str) -> str:
    """The edition's file that a page's address (as `location.pathname` gives it, escaped)
    shows: `/` and `/sub/` show their `index.html`."""
    page = unquote(address.split("?", 1)[0].split("#", 1)[0]).lstrip("/")
    return page + "index.html" if page == "" or page.endswith("/") else page


def _servable(path: Path, base: Path) -> bool:
    """A regular file under `base`, reached through no symbolic link."""
    try:
        relative = path.absolute().relative_to(base)
    except ValueError:
        return False
    current = base
    for part in relative.parts:
        current = current / part
        if current.is_symlink():
            return False
    return current.is_file() and current.resolve().is_relative_to(base)


def start_server(
    folder: Path, port: int = 0, reloader: livereload.Reloader | None = None
) -> ThreadingHTTPServer:
    """Serve `folder` on 127.0.0.1:`port` (0 picks a free port) from a daemon thread; with a
    `reloader`, pages reload themselves when it sees a new edition."""
    handler: Callable[..., Any]
    if reloader is None:
        handler = functools.partial(_QuietHandler, directory=str(folder))
    else:
        kind = type("Handler", (_ReloadingHandler,), {"reloader": reloader})
        handler = functools.partial(kind, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, name="preview-server", daemon=True).start()
    return server


def watch(
    folders: list[Path],
    rebuild: Callable[[list[Path]], None],
    interval: float = 1.0,
    stop: threading.Event | None = None,
) -> None:
    """Call `rebuild(changed files)` whenever files under `folders` change, until `stop` is set.

    A change is acted on once it has been stable for one interval, so a save that writes a
    file in several steps leads to one rebuild; a save while `rebuild` runs leads to another.
    """
    stop = stop or threading.Event()
    current = snapshot(folders)
    while not stop.wait(interval):
        latest = snapshot(folders)
        if latest == current:
            continue
        while not stop.wait(interval):
            settled = snapshot(folders)
            if settled == latest:
                break
            latest = settled
        files = changed(current, latest)
        current = latest  # a save during the build is a change the next poll sees (the build
        rebuild(files)  # writes only under IGNORED_DIRS and hidden folders)


def preview(
    root: Path,
    port: int = 4173,
    formats: tuple[str, ...] = ("html", "pdf"),
    interval: float = 0.1,
    stop: threading.Event | None = None,
    log: Callable[[str], None] = print,
) -> None:
    """Build once, serve the edition at http://127.0.0.1:`port`/, rebuild on every change.

    Each build makes the HTML first; the open page reloads itself as soon as it is
    published. With "pdf" in `formats`, the full build follows in the background.
    """
    from bookbuild.commands.build import build
    from bookbuild.commands.progress import Reporter

    book = load_book(root)
    reloader = livereload.Reloader(book.output_dir)
    quick = QuickPages(book.root, execute=True)

    def pdf_done(ok: bool, seconds: float, last: str) -> None:
        if ok:
            for page in quick.differs():  # never expected: the full build is the reference
                log(f"note: the full build wrote {page} differently; it reloads with that")
            reloader.update()
            done = "PDF updated" if "pdf" in formats else "edition completed"
            log(f"{done} in {seconds:.1f} s")
        else:
            log(f"error in the PDF build: {last}\nthe HTML is current; the PDF is not.")

    full = BackgroundBuild(book.root, formats, pdf_done)
    more = "html" in formats and len(formats) > 1  # the PDF follows the HTML build

    def rebuild(files: list[Path]) -> None:
        full.stop()  # a save never waits for the PDF of the previous one
        warm.keep_warm_book(book.root, log)  # a warm kernel waits for the next code edit
        if files:
            names = ", ".join(str(_short(f, book.root)) for f in files[:3])
            log(f"changed: {names}{' …' if len(files) > 3 else ''}; rebuilding")
        started = time.perf_counter()
        try:
            page = quick.rebuild(files) if files and "html" in formats else None
        except BuildError as exc:
            log(f"error: {exc}\nstill serving the last good edition.")
            return
        if page is not None:  # one chapter's save: its page alone, the rest in the background
            reloader.touch([page])
            what = "executed, its page alone" if quick.executed else "prose only"
            log(
                f"rebuilt {page} in {time.perf_counter() - started:.2f} s ({what}); "
                "the page reloads itself"
            )
            if quick.executed:  # the chapter just edited is the likeliest to be edited again
                waiting.start(book.root, quick.executed)
            quick.settle()
            full.start()  # the other pages' parts, the search index, the PDF
            return
        try:
            report = build(
                book.root,
                formats=("html",) if "html" in formats else formats,
                reporter=Reporter(quiet=True),
            )
        except BuildError as exc:
            quick.forget()
            log(f"error: {exc}\nstill serving the last good edition.")
            return
        reloader.update()
        log(f"rebuilt in {time.perf_counter() - started:.1f} s; the page reloads itself")
        for run in report.runs:  # the chapter just edited is the likeliest to be edited again
            if run.executed:
                waiting.start(book.root, str(run.doc.path))
        if more:
            full.start()
        if "html" in formats:
            try:  # what the next prose save needs from the rest of the book
                quick.prime()
            except BuildError:
                quick.forget()

    rebuild([])
    server = start_server(book.output_dir, port, reloader)
    log(
        f"serving {book.output_dir.name}/ at http://127.0.0.1:{server.server_address[1]}/ "
        "(Ctrl-C stops)"
    )
    try:
        watch(
            [book.root, PACKAGE_DIR / "writers" / "templates", PACKAGE_DIR / "writers" / "assets"],
            rebuild,
            interval,
            stop,
        )
    finally:
        waiting.stop_all()
        full.close()
        reloader.close()
        server.shutdown()
        server.server_close()


def _short(path: Path, root: Path) -> Path:
    try:
        return path.relative_to(root)
    except ValueError:
        return path


__all__ = ["IGNORED_DIRS", "changed", "preview", "snapshot", "start_server", "watch"]

"""`thesis preview` live reload: the page served changes after a save and the reload endpoint
answers; the published edition holds nothing of the preview."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bookbuild.commands import livereload

BOUND_S = 90  # generous: a loaded 2-core machine shared by several builds


def _small_book(root: Path) -> None:
    (root / "chapters").mkdir(parents=True)
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Preview\n  chapters:\n"
        "    - index.qmd\n    - chapters/one.qmd\n",
        "utf-8",
    )
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nThe preface.\n", "utf-8")
    (root / "chapters" / "one.qmd").write_text("# One\n\nThe first version.\n", "utf-8")


def _get(url: str, timeout: float = 10) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_inject_puts_the_script_before_the_last_body_end():
    page = b"<html><body><p>x</p></body></html>"
    out = livereload.inject(page, 7)
    assert out.count(b"<script") == 1
    assert out.index(b'data-version="7"') < out.index(b"</body>")
    assert out.endswith(b"</body></html>")
    assert livereload.inject(b"<p>bare</p>", 1).startswith(b"<p>bare</p><script")


def test_the_version_changes_only_when_the_shown_edition_changes(tmp_path):
    (tmp_path / "a.html").write_text("one")
    (tmp_path / "thesis.pdf").write_bytes(b"%PDF-1")
    reloader = livereload.Reloader(tmp_path)
    assert not reloader.update()
    (tmp_path / "thesis.pdf").write_bytes(b"%PDF-2")  # a new PDF does not reload the page
    assert not reloader.update() and reloader.version == 0
    (tmp_path / "a.html").write_text("two")
    assert reloader.update() and reloader.version == 1
    started = time.monotonic()
    assert reloader.wait("0", timeout=30) == 1  # behind: answered at once
    assert time.monotonic() - started < 5
    assert reloader.wait("1", timeout=0.2) == 1  # current: answered after the timeout


def test_the_reloading_server_keeps_the_guards(tmp_path):
    from bookbuild.commands.preview import start_server

    book = tmp_path / "_book"
    (book / "sub").mkdir(parents=True)
    (book / "index.html").write_text("<body>home</body>")
    (book / "sub" / "x.css").write_text("p{}")
    (tmp_path / "secret.html").write_text("<body>secret</body>")
    (book / "link.html").symlink_to(tmp_path / "secret.html")
    server = start_server(book, 0, livereload.Reloader(book))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        status, body = _get(url + "/index.html")
        assert status == 200 and b"home" in body and livereload.SCRIPT_PATH.encode() in body
        assert _get(url + "/")[1] == body
        assert _get(url + "/sub/x.css") == (200, b"p{}")  # only pages get the script
        status, script = _get(url + livereload.SCRIPT_PATH)
        assert status == 200 and b"/__livereload?since=" in script
        for refused in ("/link.html", "/sub/", "/../secret.html", "/%2e%2e/secret.html"):
            assert _get(url + refused)[0] == 404, refused
        assert json.loads(_get(url + livereload.ENDPOINT + "?since=old")[1]) == {"version": 0}
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_a_saved_chapter_reloads_the_page_and_the_pdf_follows(tmp_path):
    from bookbuild.commands.build import build
    from bookbuild.commands.preview import preview

    root = tmp_path / "book"
    _small_book(root)
    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=preview,
        kwargs={"root": root, "port": 0, "interval": 0.1, "stop": stop, "log": lines.append},
    )
    thread.start()

    def wait_for(word: str, count: int = 1) -> None:
        deadline = time.monotonic() + BOUND_S
        while sum(word in line for line in lines) < count:
            assert thread.is_alive() and time.monotonic() < deadline, lines
            time.sleep(0.05)

    try:
        wait_for("serving")
        url = re.search(r"http://127\.0\.0\.1:\d+/", "\n".join(lines))[0]
        wait_for("PDF updated")  # the first full build, in the background
        page = next(
            p for p in (root / "_book").rglob("*.html") if "first version" in p.read_text("utf-8")
        )
        address = url + page.relative_to(root / "_book").as_posix()
        status, first = _get(address)
        assert status == 200 and b"The first version." in first
        version = re.search(rb'data-version="(\d+)"', first)[1].decode()

        answers: list[tuple[float, dict]] = []

        def long_poll() -> None:
            _, body = _get(f"{url}{livereload.ENDPOINT[1:]}?since={version}", BOUND_S)
            answers.append((time.monotonic(), json.loads(body)))

        poller = threading.Thread(target=long_poll)
        poller.start()
        time.sleep(0.5)
        assert not answers  # nothing changed yet: the endpoint waits
        chapter = root / "chapters" / "one.qmd"
        saved = time.monotonic()
        chapter.write_text("# One\n\nThe second version.\n", "utf-8")
        poller.join(BOUND_S)
        assert answers, "the reload endpoint never answered"
        fired, answer = answers[0]
        assert answer["version"] != int(version)
        assert fired - saved < BOUND_S
        status, second = _get(address)
        assert status == 200 and b"The second version." in second
        assert f'data-version="{answer["version"]}"'.encode() in second

        wait_for("PDF updated", 2)  # the PDF follows, and the page is not told again
        assert json.loads(_get(f"{url}{livereload.ENDPOINT[1:]}?since=x")[1]) == answer
        # one save, one rebuild: what the builds write is never taken for an edit
        assert [line for line in lines if line.startswith("changed:")] == [
            "changed: chapters/one.qmd; rebuilding"
        ]
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive()
    published = root / "_book"
    assert (published / "thesis.pdf").read_bytes().startswith(b"%PDF")
    for path in published.rglob("*"):
        if path.is_file() and path.suffix != ".pdf":
            assert b"livereload" not in path.read_bytes(), path
    # what the preview left is the edition `thesis build` makes: nothing to render again
    assert build(root).rendered is False


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in state  # a zombie has ended; only its record is left


def test_a_new_save_stops_the_background_build_and_all_it_started(tmp_path):
    import sys

    from bookbuild.commands.background import BackgroundBuild

    marker = tmp_path / "child.pid"
    ended: list[bool] = []

    class Slow(BackgroundBuild):  # the same process handling, a build that takes a minute
        def command(self) -> list[str]:
            return [
                sys.executable,
                "-c",
                "import subprocess, sys, time\n"
                "child = subprocess.Popen([sys.executable, '-c', 'import time; "
                "time.sleep(60)'])\n"
                f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
                "time.sleep(60)\n",
            ]

    background = Slow(tmp_path, ("html", "pdf"), lambda ok, s, last: ended.append(ok))
    background.start()
    deadline = time.monotonic() + 30
    while not marker.exists() or not marker.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(marker.read_text())
    assert background.running() and _alive(child)
    started = time.monotonic()
    background.stop()
    assert time.monotonic() - started < 10  # the next HTML build does not wait for it
    assert not background.running()
    deadline = time.monotonic() + 10
    while _alive(child):  # the kernel-like grandchild goes with it
        assert time.monotonic() < deadline, "a process the build started outlived it"
        time.sleep(0.05)
    time.sleep(0.3)
    assert ended == []  # a build stopped on purpose reports nothing


def test_a_background_build_that_ends_reports_its_outcome(tmp_path):
    import sys

    from bookbuild.commands.background import BackgroundBuild

    ended: list[tuple[bool, str]] = []

    class Failing(BackgroundBuild):
        def command(self) -> list[str]:
            return [sys.executable, "-c", "print('chapters/one.qmd:3: bad'); raise SystemExit(1)"]

    background = Failing(tmp_path, ("html", "pdf"), lambda ok, s, last: ended.append((ok, last)))
    background.start()
    deadline = time.monotonic() + 30
    while not ended:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert ended == [(False, "chapters/one.qmd:3: bad")] and not background.running()


def test_a_save_during_a_rebuild_is_rebuilt_too_and_dead_links_are_skipped(tmp_path):
    from bookbuild.commands.preview import watch

    source = tmp_path / "one.qmd"
    source.write_text("# One\n")
    (tmp_path / "loop").symlink_to(tmp_path / "loop")  # a link that leads nowhere
    calls: list[list[Path]] = []
    stop = threading.Event()

    def rebuild(files: list[Path]) -> None:
        calls.append(files)
        if len(calls) == 1:
            source.write_text("# One, saved again while building\n")
            time.sleep(0.3)
        else:
            stop.set()

    worker = threading.Thread(target=watch, args=([tmp_path], rebuild, 0.05, stop))
    worker.start()
    time.sleep(0.3)
    source.write_text("# One, saved\n")
    worker.join(BOUND_S)
    stop.set()
    assert not worker.is_alive()
    assert calls == [[source], [source]]

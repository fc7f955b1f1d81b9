"""The preview's one-page rebuild of a prose save (`bookbuild/commands/quick.py`), its
per-page reload, and its background worker: the page it writes is the page a full build
writes, byte for byte; anything but prose builds the whole book; the edition the preview
leaves equals a fresh `thesis build` of the same sources."""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from bookbuild_helpers import copy_book, snapshot

from bookbuild.commands import livereload
from bookbuild.commands.build import build
from bookbuild.commands.progress import Reporter
from bookbuild.commands.quick import QuickPages

BOUND_S = 120  # a loaded 2-core machine shared by several builds


def _html(root: Path) -> None:
    build(root, formats=("html",), reporter=Reporter(quiet=True))


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8").rstrip("\n") + f"\n\n{text}\n", "utf-8")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.fixture
def book(fixture_book: Path, tmp_path: Path) -> Path:
    """A copy of the built fixture book (its cache too: nothing executes)."""
    return copy_book(fixture_book, tmp_path / "book", with_products=True)


def test_a_prose_save_writes_the_page_a_full_build_writes(book):
    quick = QuickPages(book)
    assert quick.prime()
    before = snapshot(book / "_book")
    for name, sentence in [
        ("02-prose", "A sentence saved in the prose chapter, citing nothing."),
        ("01-data", "A sentence saved in the chapter with code, see @fig-income."),
        ("02-prose", "A second save of the same chapter: *emphasis* and a [link](#sec-data)."),
    ]:
        chapter = book / "chapters" / f"{name}.qmd"
        _append(chapter, sentence)
        page = quick.rebuild([chapter])
        assert page == f"{name}.html", quick.why
        quick.settle()
        written = (book / "_book" / page).read_bytes()
        assert re.split("[,:]", sentence)[0].encode() in written  # the words, not the markup
        # every other file of the edition is untouched until the full build
        after = snapshot(book / "_book")
        assert {k for k in after if after[k] != before.get(k)} == {page}
        _html(book)  # the full build: the same page, and it converts nothing again
        assert (book / "_book" / page).read_bytes() == written
        record = json.loads((book / ".bookbuild" / "last-build.json").read_text("utf-8"))
        assert record["rendered_chapters"].get("html", []) == []
        assert quick.differs() == []
        before = snapshot(book / "_book")
    assert "Figure\u00a01.1" in (book / "_book" / "01-data.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        (lambda c: _append(c, "## A new heading"), "a heading, label or float changed"),
        (lambda c: _replace(c, "## A numbered section", "## A renamed section"), "heading"),
        (lambda c: _append(c, "As @knuth1984literate said."), "citations changed"),
        (lambda c: _append(c, "A span with an id: [here]{#a-new-id}."), "ids changed"),
    ],
)
def test_anything_but_prose_builds_the_whole_book(book, edit, why):
    quick = QuickPages(book)
    assert quick.prime()
    page = book / "_book" / "02-prose.html"
    before = page.read_bytes()
    chapter = book / "chapters" / "02-prose.qmd"
    edit(chapter)
    assert quick.rebuild([chapter]) is None
    assert why in quick.why
    assert page.read_bytes() == before  # nothing written


def test_a_code_edit_or_a_second_file_builds_the_whole_book(book):
    quick = QuickPages(book)
    assert quick.prime()
    data = book / "chapters" / "01-data.qmd"
    text = data.read_text("utf-8")
    first_cell = text.index("```{python}")
    data.write_text(text[: first_cell + 12] + "_edited = 1\n" + text[first_cell + 12 :], "utf-8")
    assert quick.rebuild([data]) is None and quick.why == "code changed"
    data.write_text(text, "utf-8")
    assert quick.rebuild([data, book / "refs.bib"]) is None
    assert quick.rebuild([book / "refs.bib"]) is None and quick.why == "not a chapter"
    (book / "_book" / "01-data.html").unlink()  # the edition was removed under the preview
    assert quick.rebuild([data]) is None and "not in the edition" in quick.why


def test_a_code_edit_executes_its_chapter_and_writes_what_a_full_build_writes(book):
    """With `execute`, a save that changes one chapter's code runs that chapter alone and
    writes its page and its changed figure; the full build after it executes nothing and
    writes the same bytes."""
    quick = QuickPages(book, execute=True)
    assert quick.prime()
    data = book / "chapters" / "01-data.qmd"
    before = snapshot(book / "_book")
    _replace(
        data, "ax.plot(values.year, values.income)", "ax.plot(values.year, values.income, 'o-')"
    )
    _replace(data, 'print("<script>alert(1)</script>")', 'print("QUICK-CELL-EDIT")')
    page = quick.rebuild([data])
    assert page == "01-data.html", quick.why
    assert quick.executed == "chapters/01-data.qmd"
    assert "execute" in quick.timings
    quick.settle()
    after = snapshot(book / "_book")
    changed = {k for k in after if after[k] != before.get(k)}
    assert page in changed and "QUICK-CELL-EDIT" in (book / "_book" / page).read_text("utf-8")
    figures = {k for k in changed if k != page}
    assert figures and all(k.startswith("figures/") for k in figures), changed
    for name in figures:  # the project's figures/ as the edition has them
        assert (book / name).read_bytes() == (book / "_book" / name).read_bytes()
    written = {k: (book / "_book" / k).read_bytes() for k in changed}
    _html(book)
    record = json.loads((book / ".bookbuild" / "last-build.json").read_text("utf-8"))
    assert record["kernels_started"] == 0 and record["executed"] == {}
    for name, data_bytes in written.items():
        assert (book / "_book" / name).read_bytes() == data_bytes, name
    assert quick.differs() == []


RENAMED_FIGURE = [  # a figure's file is named for its label
    ("01-data", "#| label: fig-income", "#| label: fig-earnings"),
    ("01-data", "see @fig-income", "see @fig-earnings"),
    ("02-prose", "@fig-income", "@fig-earnings"),
]
RENAMED_HEADING = [("01-data", "## Figures {#sec-figures}", "## Plots {#sec-figures}")]


@pytest.mark.parametrize(
    ("edits", "why"),
    [(RENAMED_FIGURE, "outputs came or went"), (RENAMED_HEADING, "a heading, label or float")],
)
def test_a_code_edit_that_changes_more_than_its_page_executes_once(book, edits, why):
    quick = QuickPages(book, execute=True)
    assert quick.prime()
    data = book / "chapters" / "01-data.qmd"
    page = (book / "_book" / "01-data.html").read_bytes()
    _replace(data, 'print("<script>alert(1)</script>")', 'print("QUICK-CELL-EDIT")')
    for name, old, new in edits:
        _replace(book / "chapters" / f"{name}.qmd", old, new)
    assert quick.rebuild([data]) is None and why in quick.why
    assert quick.executed  # and its cache entry written:
    assert (book / "_book" / "01-data.html").read_bytes() == page  # nothing published
    _html(book)
    record = json.loads((book / ".bookbuild" / "last-build.json").read_text("utf-8"))
    assert record["kernels_started"] == 0  # the full build does not run it again
    assert "QUICK-CELL-EDIT" in (book / "_book" / "01-data.html").read_text("utf-8")


def test_an_unknown_reference_in_a_prose_save_is_the_build_error(book):
    from bookbuild.errors import BuildError

    quick = QuickPages(book)
    assert quick.prime()
    chapter = book / "chapters" / "02-prose.qmd"
    _append(chapter, "See @fig-missing.")
    with pytest.raises(BuildError, match="unknown cross-reference '@fig-missing'") as caught:
        quick.rebuild([chapter])
    assert str(caught.value).startswith("chapters/02-prose.qmd:")


def test_a_page_reloads_only_for_what_it_shows(tmp_path):
    (tmp_path / "assets").mkdir()
    for name in ("a.html", "b.html", "assets/book.css", "assets/search-index.js"):
        (tmp_path / name).write_text("one")
    reloader = livereload.Reloader(tmp_path)
    (tmp_path / "a.html").write_text("two")
    assert reloader.touch(["a.html"])
    assert reloader.page_version("a.html") == 1 and reloader.page_version("b.html") == 0
    assert reloader.wait("0", timeout=0.2, page="b.html") == 0  # b's tab is not told
    assert reloader.wait("0", timeout=30, page="a.html") == 1
    assert not reloader.touch(["a.html"])  # the same bytes again: nothing to tell
    (tmp_path / "assets" / "search-index.js").write_text("two")  # read on demand only
    assert not reloader.update()
    (tmp_path / "assets" / "book.css").write_text("two")  # every page shows it
    assert reloader.update()
    assert reloader.page_version("a.html") == reloader.page_version("b.html") == 2


def test_the_worker_is_kept_between_builds_and_stopped_mid_build(book):
    from bookbuild.commands.background import BackgroundBuild

    ended: list[tuple[bool, str]] = []
    worker = BackgroundBuild(book, ("html", "pdf"), lambda ok, s, last: ended.append((ok, last)))
    try:
        for count in (1, 2):
            worker.start()
            deadline = time.monotonic() + BOUND_S
            while len(ended) < count:
                assert time.monotonic() < deadline
                time.sleep(0.05)
            assert ended[-1][0], ended
            if count == 1:
                first = worker._process.pid
        assert worker._process.pid == first  # the same process built twice
        _append(book / "chapters" / "02-prose.qmd", "A save while the worker builds.")
        worker.start()
        worker.stop()  # a build under way is stopped with its worker
        assert not worker.running() and worker._process is None
        time.sleep(0.3)
        assert len(ended) == 2  # a build stopped on purpose reports nothing
    finally:
        worker.close()


def test_a_worker_that_holds_too_much_memory_retires_after_its_build(book):
    import io

    from bookbuild.commands.background import DONE, resident_mib, serve

    assert 10 < resident_mib() < 100_000  # this process's memory, in MiB
    out = io.StringIO()
    serve(book, ("html",), iter(["build\n", "build\n"]), out, max_mib=1e9)
    assert [line.split()[1] for line in out.getvalue().splitlines() if DONE in line] == [
        "ok",
        "ok",
    ]
    out = io.StringIO()
    serve(book, ("html",), iter(["build\n", "build\n"]), out, max_mib=0)
    assert sum(DONE in line for line in out.getvalue().splitlines()) == 1  # then it ended


def _get(url: str, timeout: float = 30) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as answer:
        return answer.read()


@pytest.mark.slow
def test_the_edition_a_preview_leaves_is_a_fresh_build_s(book, tmp_path):
    from bookbuild.commands.preview import preview

    lines: list[str] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=preview,
        kwargs={"root": book, "port": 0, "interval": 0.1, "stop": stop, "log": lines.append},
    )
    thread.start()

    def wait_for(word: str, count: int = 1) -> None:
        deadline = time.monotonic() + BOUND_S
        while sum(word in line for line in lines) < count:
            assert thread.is_alive() and time.monotonic() < deadline, lines
            time.sleep(0.05)

    try:
        wait_for("PDF updated")
        url = re.search(r"http://127\.0\.0\.1:\d+/", "\n".join(lines))[0]
        other = _get(url + "01-data.html")
        other_version = re.search(rb'data-version="(\d+)"', other)[1].decode()
        _append(book / "chapters" / "02-prose.qmd", "A sentence saved while previewing.")
        wait_for("(prose only)")
        assert b"saved while previewing" in _get(url + "02-prose.html")
        wait_for("PDF updated", 2)
        # the other chapter's tab was never told to reload
        poll = f"{url}{livereload.ENDPOINT[1:]}?since={other_version}&page=/01-data.html"
        assert json.loads(_get(poll, 60)) == {"version": int(other_version)}
    finally:
        stop.set()
        thread.join(timeout=60)
    assert not thread.is_alive()
    assert not any(line.startswith(("error", "note")) for line in lines), lines
    left = snapshot(book / "_book")
    fresh = copy_book(book, tmp_path / "fresh")  # the same sources, nothing built
    build(fresh, reporter=Reporter(quiet=True))
    made = snapshot(fresh / "_book")
    assert sorted(left) == sorted(made)
    assert [name for name in made if left[name] != made[name]] == []

"""The execution cache, through the build on copies of the fixture book: what re-executes
after each kind of change (read from `.bookbuild/last-build.json`), what `status` says, and
that a corrupt entry is caught. Plus unit checks of the cache key and atomic writes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
from bookbuild_helpers import FIXTURE, copy_book, executed, last_build, page, run, snapshot

from bookbuild.execute import cache
from bookbuild.source.qmd import parse_qmd
from bookbuild.state import store
from bookbuild.state.records import RECORD_VERSION

DATA = "chapters/01-data.qmd"
EXTRA = "chapters/a-extra.qmd"


@pytest.fixture(autouse=True, scope="module")
def bytecode_written():
    """Kernels write `__pycache__/` as they would on an author's machine (it is no input)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
        yield


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture book built once (HTML only, two jobs): every later test starts from it."""
    root = copy_book(FIXTURE, tmp_path_factory.mktemp("cache") / "minibook")
    result = run(root, "build", "--to", "html", "--jobs", "2", "--quiet")
    assert result.code == 0, result.err
    assert executed(root) == {DATA, EXTRA}
    return root


@pytest.fixture
def book(built: Path, tmp_path: Path) -> Path:
    return copy_book(built, tmp_path / "minibook", with_products=True)


def build(root: Path, *args: str) -> str:
    result = run(root, "build", "--to", "html", *args)
    assert result.code == 0, result.err
    return result.err


def status(root: Path) -> dict[str, str]:
    """`thesis status` as {chapter: its line}."""
    result = run(root, "status")
    assert result.code == 0, result.err
    lines = {}
    for line in result.err.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in ("stale", "fresh", "prose"):
            lines[words[1].rstrip(":")] = line
    return lines


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def main_text(root: Path, name: str) -> str:
    return " ".join(page(root, name).find("main").text().split())


# --- through the build ---------------------------------------------------------------------


def test_unchanged_book_is_all_fresh(built: Path):
    lines = status(built)
    assert lines[DATA].startswith("fresh") and lines[EXTRA].startswith("fresh")
    assert lines["chapters/02-prose.qmd"].startswith("prose")


@pytest.mark.slow
def test_prose_only_edit_executes_nothing(book: Path):
    edit(book / DATA, "Reliability follows", "As is well known, reliability follows")
    edit(book / DATA, "## Tables", "Some new prose before the tables.\n\n## Tables")
    edit(book / EXTRA, "An appendix with", "An appendix, edited, with")
    os.utime(book / "data" / "values.csv")  # a new time stamp, the same bytes
    os.utime(book / "minilib.py")
    assert all(not line.startswith("stale") for line in status(book).values())
    build(book)
    assert executed(book) == set()
    assert "As is well known, reliability follows" in main_text(book, "01-data.html")
    assert "Income grew 2.84 times" in main_text(book, "01-data.html")  # cached value woven
    assert "Six times seven is 42" in main_text(book, "a-extra.html")


@pytest.mark.slow
def test_changed_data_file_reexecutes_only_the_chapter_that_read_it(book: Path):
    edit(book / "data" / "values.csv", "9943.5", "10500.0")
    lines = status(book)
    assert lines[DATA].startswith("stale") and "data/values.csv changed" in lines[DATA]
    assert lines[EXTRA].startswith("fresh")
    build(book)
    assert executed(book) == {DATA}
    assert f"Income grew {10500.0 / 3500.0:.2f} times" in main_text(book, "01-data.html")
    assert all(line.startswith("fresh") for c, line in status(book).items() if c in (DATA, EXTRA))
    record = json.loads((book / "_freeze" / "chapters" / "01-data" / "record.json").read_text())
    assert (set(record["reads"]), set(record["modules"])) == ({"data/values.csv"}, {"minilib.py"})


@pytest.mark.slow
def test_changed_project_module_reexecutes_only_the_chapter_that_imported_it(book: Path):
    edit(book / "minilib.py", "return last / first", "return round(last / first, 1)")
    lines = status(book)
    assert lines[DATA].startswith("stale") and "minilib.py changed" in lines[DATA]
    assert lines[EXTRA].startswith("fresh")
    build(book)
    assert executed(book) == {DATA}
    assert f"Income grew {round(9943.5 / 3500.0, 1):.2f} times" in main_text(book, "01-data.html")


@pytest.mark.slow
def test_a_narrowed_read_depends_on_the_matching_lines_only(book: Path):
    """A chapter that raises `bookbuild.read_lines` before opening a file (as
    `analysis.manifest` does for a checksum line) depends on those lines, not the whole file."""
    sums = book / "data" / "sums.txt"
    sums.write_text("111  values.csv\n222  other.csv\n", "utf-8")
    cell = (
        "```{python}\nimport sys\n"
        "sys.audit('bookbuild.read_lines', 'data/sums.txt', r'  values\\.csv$')\n"
        "sum_line = open('data/sums.txt').read().splitlines()[0]\n```\n\n"
        "The sum is `{python} sum_line.split()[0]`.\n"
    )
    (book / EXTRA).write_text((book / EXTRA).read_text("utf-8") + "\n" + cell, "utf-8")
    build(book)
    assert executed(book) == {EXTRA}
    record = json.loads((book / "_freeze" / "chapters" / "a-extra" / "record.json").read_text())
    assert "data/sums.txt" not in record["reads"]
    assert list(record["lines"]["data/sums.txt"]) == [r"  values\.csv$"]
    sums.write_text("111  values.csv\n333  other.csv\n", "utf-8")  # another file's line
    assert status(book)[EXTRA].startswith("fresh")
    build(book)
    assert executed(book) == set()
    sums.write_text("999  values.csv\n333  other.csv\n", "utf-8")  # its own line
    assert "data/sums.txt changed (the lines matching" in status(book)[EXTRA]
    build(book)
    assert executed(book) == {EXTRA}
    assert "The sum is 999" in main_text(book, "a-extra.html")


@pytest.mark.slow
def test_reexecution_is_deterministic_and_renders_only_what_changed(book: Path):
    build(book)  # the copy's edition is recorded under the copy's path
    notebook = book / "_freeze" / "chapters" / "01-data" / "notebook.ipynb"
    before, cached = snapshot(book / "_book"), notebook.read_bytes()
    shutil.rmtree(book / "_freeze")  # a lost cache: every chapter runs again
    build(book)
    assert executed(book) == {DATA, EXTRA}
    assert notebook.read_bytes() == cached  # same cells, same ids, same outputs
    assert last_build(book)["rendered"] is False and snapshot(book / "_book") == before
    # a new byte in the data file that changes no value: same outputs, but the edition shows
    # the file's SHA-256, so it must be rendered again
    values = book / "data" / "values.csv"
    values.write_bytes(values.read_bytes() + b"\n")
    build(book)
    assert executed(book) == {DATA}
    assert last_build(book)["rendered"] is True
    digest = hashlib.sha256(values.read_bytes()).hexdigest()
    assert digest in (book / "_book" / "01-data.html").read_text("utf-8")
    inputs = json.loads((book / "_book" / "provenance.json").read_text("utf-8"))
    assert digest in json.dumps(inputs)


@pytest.mark.slow
def test_corrupt_entry_is_reported_and_reexecuted(book: Path):
    notebook = book / "_freeze" / "chapters" / "a-extra" / "notebook.ipynb"
    data = bytearray(notebook.read_bytes())
    data[len(data) // 2] ^= 0x20  # one flipped bit
    notebook.write_bytes(bytes(data))
    assert "corrupt" in status(book)[EXTRA]
    err = build(book)
    assert "chapters/a-extra.qmd: cache entry corrupt" in err
    assert executed(book) == {EXTRA}
    entry, problem = cache.read_entry(book, Path(EXTRA))
    assert problem is None and entry is not None
    assert "Six times seven is 42" in main_text(book, "a-extra.html")


@pytest.mark.parametrize("damage", ["{", "[]", json.dumps({"version": RECORD_VERSION}), None])
def test_unreadable_record_is_reported(built: Path, tmp_path: Path, damage: str | None):
    root = copy_book(built, tmp_path / "b", with_products=True)
    record = root / "_freeze" / "chapters" / "01-data" / "record.json"
    if damage is None:
        (record.parent / "notebook.ipynb").unlink()
    else:
        record.write_text(damage)
    line = status(root)[DATA]
    assert line.startswith("stale") and "cache entry" in line and "unreadable" in line


@pytest.mark.slow
def test_no_cache_executes_all_and_one_job_matches_two(built: Path, book: Path):
    build(book, "--no-cache", "--jobs", "1")
    assert executed(book) == {DATA, EXTRA}
    assert json.loads((book / ".bookbuild" / "last-build.json").read_text())["executed"][DATA] == [
        "--no-cache"
    ]
    assert snapshot(book / "_book") == snapshot(built / "_book")
    assert snapshot(book / "figures") == snapshot(built / "figures")


# --- units ---------------------------------------------------------------------------------

CHAPTER = "# T\n\n```{python}\nx = 1\n```\n\nValue `{python} x`.\n\n```{python}\nx = 2\n```\n"


def key(text: str) -> str:
    return cache.code_key(parse_qmd(text, Path("c.qmd")), {"echo": False})


def test_code_key_ignores_prose_but_not_code_options_or_order():
    base = key(CHAPTER)
    assert key(CHAPTER.replace("# T\n", "# T\n\nA new paragraph.\n")) == base
    assert key(CHAPTER.replace("Value", "The value is")) == base
    assert key(CHAPTER.replace("x = 2", "x = 3")) != base
    assert key(CHAPTER.replace("```{python}\nx = 2", "```{python}\n#| echo: true\nx = 2")) != base
    # the inline expression moved past the second cell now shows 2, not 1
    moved = CHAPTER.replace("Value `{python} x`.\n\n", "") + "\nValue `{python} x`.\n"
    assert key(moved) != base


def test_entry_writes_are_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "entry" / "record.json"
    store.atomic_write(target, b"old")

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["record.json"]  # no temporary left

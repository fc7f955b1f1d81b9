"""Bad input and environment faults end in one `error: FILE:LINE: what — what to do` line, never
a traceback (`--debug` shows it). Each probe breaks a copy of a built book, asserts the
message, that the edition and the sources are untouched, and that once the fault is undone the
next build gives the first edition byte for byte."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
import test_guards as guards
from bookbuild_helpers import run, snapshot
from test_guards import CONFIG, INDEX, ONE, assert_recovers, assert_refused, write

from bookbuild.commands import build as build_module
from bookbuild.commands import cli

built = guards.built  # the fixtures: a built prose book, and a copy of it to break
book = guards.book

GOOD = CONFIG.format(out="_book")


def cell(code: str) -> str:
    return f"# One\n\n```{{python}}\n{code}\n```\n\nAfter.\n"


# (files written over the book, text the one error line holds)
SOURCE_PROBES = {
    "config-empty": ({"_quarto.yml": ""}, "_quarto.yml:1: project: type: must be 'book'"),
    "config-a-list": ({"_quarto.yml": "- a\n"}, "_quarto.yml:1: expected a mapping of options"),
    "config-not-utf8": (
        {"_quarto.yml": GOOD.encode() + b"# caf\xe9\n"},
        "_quarto.yml:9: not UTF-8 text (byte 0xe9) — save the file as UTF-8",
    ),
    "config-tab": ({"_quarto.yml": GOOD + "\tbad: 1\n"}, "_quarto.yml:9: invalid YAML"),
    "author-without-name": (
        {"_quarto.yml": GOOD + "  author:\n    - affiliation: X\n"},
        "_quarto.yml:9: book: author: an entry has no name:",
    ),
    "chapters-a-string": (
        {
            "_quarto.yml": GOOD.replace(
                "  chapters:\n    - index.qmd\n    - chapters/one.qmd\n", "  chapters: index.qmd\n"
            )
        },
        "_quarto.yml:6: book: chapters: must be a list of files",
    ),
    "part-chapters-a-string": (
        {
            "_quarto.yml": GOOD.replace(
                "    - chapters/one.qmd\n", "    - part: P\n      chapters: chapters/one.qmd\n"
            )
        },
        "_quarto.yml:8: part 'P': chapters: must be a list of files",
    ),
    "chapter-a-number": (
        {"_quarto.yml": GOOD.replace("    - chapters/one.qmd\n", "    - 5\n")},
        "_quarto.yml:6: book: chapters: unsupported entry 5",
    ),
    "format-a-string": (
        {"_quarto.yml": GOOD + "format: html\n"},
        "_quarto.yml:9: format: must be a mapping of formats",
    ),
    "bibliography-a-number": (
        {"_quarto.yml": GOOD + "bibliography: 5\n"},
        "_quarto.yml:9: bibliography: must be a file name",
    ),
    "bibliography-not-utf8": (
        {
            "_quarto.yml": GOOD + "bibliography: refs.bib\n",
            "refs.bib": b"@book{a,\n title={\xff}}\n",
        },
        "refs.bib:2: not UTF-8 text (byte 0xff)",
    ),
    "bibliography-outside": (
        {"_quarto.yml": GOOD + "bibliography: /etc/hostname\n"},
        "_quarto.yml:9: /etc/hostname is outside the project",
    ),
    "csl-outside": (
        {"_quarto.yml": GOOD + "csl: ../style.csl\n"},
        "_quarto.yml:9: ../style.csl is outside the project",
    ),
    "csl-missing": (
        {"_quarto.yml": GOOD + "csl: no.csl\n"},
        "_quarto.yml:9: csl style file not found: no.csl",
    ),
    "execute-a-list": (
        {"_quarto.yml": GOOD + "execute: [a]\n"},
        "_quarto.yml:9: execute: must be a mapping of options",
    ),
    "chapter-not-utf8": ({"index.qmd": b"# P\n\n\xff\xfe\n"}, "index.qmd: not valid UTF-8"),
    "front-matter-bad-yaml": (
        {"index.qmd": "---\ntitle: [\n---\n\n# P\n"},
        "index.qmd:3: invalid YAML",
    ),
    "front-matter-a-list": (
        {"index.qmd": "---\n- a\n---\n\n# P\n"},
        "index.qmd:1: front matter must be a YAML mapping",
    ),
    "unclosed-fence": (
        {"chapters/one.qmd": "# One\n\n```{python}\nx = 1\n"},
        "chapters/one.qmd:3: code fence ``` opened here is never closed",
    ),
    "cell-option-garbage": (
        {"chapters/one.qmd": cell("#| label: [\nx = 1")},
        "chapters/one.qmd:4: invalid YAML",
    ),
    "cell-option-wrong-type": (
        {"chapters/one.qmd": cell("#| echo: maybe\nx = 1")},
        "chapters/one.qmd:4: cell option 'echo' must be one of: ",
    ),
    "cell-option-unknown": (
        {"chapters/one.qmd": cell("#| frobnicate: 1\nx = 1")},
        "chapters/one.qmd:4: cell option 'frobnicate' is not a Quarto",
    ),
    "duplicate-section-id": (
        {"chapters/one.qmd": "# One {#sec-a}\n\n## Two {#sec-a}\n"},
        "chapters/one.qmd:3: label 'sec-a' is defined twice",
    ),
}


@pytest.mark.parametrize("probe", SOURCE_PROBES)
def test_bad_source_is_one_line_naming_file_and_line(book: Path, built: Path, probe: str):
    files, message = SOURCE_PROBES[probe]
    saved = {name: (book / name).read_bytes() if (book / name).exists() else None for name in files}
    for name, data in files.items():
        (book / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    assert_refused(book, message)
    for name, data in saved.items():
        if data is None:
            (book / name).unlink()
        else:
            (book / name).write_bytes(data)
    assert_recovers(book, built)


KERNEL_PROBES = {
    "cell-calls-sys-exit": (
        cell("import sys\nsys.exit(3)"),
        "chapters/one.qmd:3: cell raised SystemExit: 3",
    ),
    "cell-kills-its-kernel": (
        cell("import os\nos._exit(1)"),
        "chapters/one.qmd:3: the Python kernel died while running this cell",
    ),
    "inline-raises": (
        "# One\n\nValue `{python} 1/0`.\n",
        "chapters/one.qmd:3: inline expression `1/0` raised ZeroDivisionError",
    ),
    # a block's inline values run as one cell: the error names the one that failed
    "inline-raises-after-others": (
        "# One\n\nValues `{python} 1 + 1`, `{python} 2`\nand `{python} int('x')`.\n",
        "chapters/one.qmd:4: inline expression `int('x')` raised ValueError",
    ),
    "inline-syntax-error-among-others": (
        "# One\n\nValues `{python} 1 + 1`\nand `{python} 1 +`.\n",
        "chapters/one.qmd:4: inline expression `1 +` raised SyntaxError",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("probe", KERNEL_PROBES)
def test_hostile_cells_are_one_line_naming_file_and_line(book: Path, built: Path, probe: str):
    text, message = KERNEL_PROBES[probe]
    write(book, {"chapters/one.qmd": text})
    assert_refused(book, message, cell_traceback=True)
    write(book, {"chapters/one.qmd": ONE})
    assert_recovers(book, built)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (".bookbuild/render", ".bookbuild/render: build state should be a folder; remove it"),
        (".bookbuild/ast", ".bookbuild/ast: build state should be a folder"),
        (".bookbuild/edition.json/", ".bookbuild/edition.json: build state should be a file"),
        (".bookbuild/last-build.json/", ".bookbuild/last-build.json: build state should be a file"),
        (".bookbuild/build.lock/", ".bookbuild/build.lock: build state should be a file"),
    ],
)
def test_build_state_of_the_wrong_kind_is_refused_before_any_work(
    book: Path, built: Path, state: str, message: str
):
    import shutil

    path = book / state.rstrip("/")
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)
    if state.endswith("/"):
        path.mkdir()
    else:
        path.write_text("x")
    assert_refused(book, message)
    shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert_recovers(book, built)


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.ENOSPC, "No space left on device — free some disk space and build again"),
        (errno.EACCES, "Permission denied — make it writable (or readable) for you"),
        (errno.EROFS, "Read-only file system — make it writable"),
        (errno.EIO, "Input/output error — fix the file or folder named"),
    ],
)
def test_environment_faults_are_one_line(
    book: Path, built: Path, monkeypatch, code: int, advice: str
):
    write(book, {"index.qmd": INDEX + "\nEdited.\n"})

    def fail(*_args, **_kwargs):
        raise OSError(code, os.strerror(code), str(book / "_book" / "index.html"))

    monkeypatch.setattr(build_module, "write_html", fail)
    line = assert_refused(book, advice)
    assert line.startswith(f"error: {book / '_book' / 'index.html'}: ")
    assert not list(book.glob("._book.*"))
    monkeypatch.undo()
    write(book, {"index.qmd": INDEX})
    assert_recovers(book, built)


def test_an_internal_fault_is_one_line_and_debug_shows_the_traceback(
    book: Path, built: Path, monkeypatch
):
    write(book, {"index.qmd": INDEX + "\nEdited.\n"})

    def broken(*_args, **_kwargs):
        raise KeyError("blocks")

    monkeypatch.setattr(build_module, "write_html", broken)
    line = assert_refused(
        book,
        "internal error (KeyError: 'blocks') — run again with --debug "
        "for the traceback, and report it",
    )
    assert line.startswith("error: internal error")
    result = run(book, "--debug", "build", "--to", "html")
    assert result.code == 1
    assert "Traceback (most recent call last)" in result.err and "KeyError" in result.err
    assert result.err.rstrip().splitlines()[-2].startswith("error: internal error")
    monkeypatch.undo()
    write(book, {"index.qmd": INDEX})
    assert_recovers(book, built)


def test_debug_shows_the_traceback_of_a_build_error(book: Path):
    write(book, {"_quarto.yml": "- a\n"})
    result = run(book, "--debug", "build", "--to", "html")
    assert result.code == 1 and "Traceback (most recent call last)" in result.err
    assert "error: " in result.err and "expected a mapping of options" in result.err


def test_a_replaced_edition_that_cannot_be_removed_is_a_warning(book: Path, monkeypatch, caplog):
    import shutil

    from bookbuild.state import publish

    real = shutil.rmtree

    def read_only(path, *args, **kwargs):
        if ".staging-" in str(path) or ".old-" in str(path):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    write(book, {"index.qmd": INDEX + "\nEdited.\n"})
    monkeypatch.setattr(publish.shutil, "rmtree", read_only)
    result = run(book, "build", "--to", "html")
    assert result.code == 0, result.err
    assert "Edited." in (book / "_book" / "index.html").read_text("utf-8")
    assert any(
        "the replaced edition could not be removed (Permission denied)" in m
        for m in caplog.messages
    )
    monkeypatch.undo()
    write(book, {"index.qmd": INDEX})
    assert run(book, "build", "--to", "html").code == 0
    assert not list(book.glob("._book.*"))  # the leftover is cleared by the next build


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--to", ""), "error: --to names no format (choose html, pdf or html,pdf)"),
        (("--to", "html,epub"), "error: unknown format(s) for --to: epub"),
    ],
)
def test_bad_command_line_is_one_line(book: Path, args: tuple[str, ...], message: str):
    before = snapshot(book / "_book")
    result = run(book, "build", *args)
    assert result.code == 1 and message in result.err
    assert snapshot(book / "_book") == before


@pytest.mark.parametrize("jobs", ["0", "-2", "many"])
def test_jobs_must_be_a_positive_number(book: Path, jobs: str, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--root", str(book), "build", "--jobs", jobs])
    assert exit_.value.code == 2
    assert "argument --jobs/-j: must be a whole number of 1 or more" in capsys.readouterr().err


@pytest.mark.parametrize("state", [".bookbuild", ".bookbuild/edition.json/", ".bookbuild/render"])
def test_clean_repairs_build_state_of_the_wrong_kind(book: Path, built: Path, state: str):
    import shutil

    path = book / state.rstrip("/")
    shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    path.mkdir() if state.endswith("/") else path.write_text("x")
    assert run(book, "build", "--to", "html").code == 1
    result = run(book, "clean")
    assert result.code == 0, result.err
    assert not (book / ".bookbuild").exists() and not (book / "_book").exists()
    assert_recovers(book, built)

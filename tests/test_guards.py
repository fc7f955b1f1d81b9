"""Guards: the build never replaces what it did not create, and names from sources stay inside
the edition. Each probe breaks a small book that has a published edition, asserts the one-line
message, that the edition and the sources are intact, and that once the fault is undone the
next build is byte-identical to the first one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bookbuild_helpers import copy_book, run, snapshot

from bookbuild.state.publish import MARKER

CONFIG = """\
project:
  type: book
  output-dir: {out}
book:
  title: "Guards"
  chapters:
    - index.qmd
    - chapters/one.qmd
"""
INDEX = "# Preface {.unnumbered}\n\nPlain prose of the preface.\n"
ONE = "# One\n\nThe first chapter.\n"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def sources(root: Path) -> dict[str, bytes]:
    """Every file of the book except what builds write."""
    return {
        name: data
        for name, data in snapshot(root).items()
        if not name.startswith(("_book", "site", ".bookbuild", "_freeze", "figures", "kernel.pid"))
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A prose book with its HTML edition published in `_book/`."""
    root = tmp_path_factory.mktemp("guards") / "book"
    write(
        root,
        {
            "_quarto.yml": CONFIG.format(out="_book"),
            "index.qmd": INDEX,
            "chapters/one.qmd": ONE,
            "data/raw/keep.csv": "a,b\n1,2\n",
            "analysis/__init__.py": "",
            ".git/HEAD": "ref: refs/heads/main\n",
        },
    )
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    return root


@pytest.fixture()
def book(built: Path, tmp_path: Path) -> Path:
    """A copy of the built book, to break."""
    return copy_book(built, tmp_path / "book", with_products=True)


def assert_refused(root: Path, message: str, *args: str, cell_traceback: bool = False) -> str:
    """The build fails with one `error:` line holding `message`; edition and sources intact.
    No traceback is shown, except (`cell_traceback`) the author's own cell's, after the line."""
    before_edition, before_sources = snapshot(root / "_book"), sources(root)
    result = run(root, "build", "--to", "html", *args)
    assert result.code == 1, result.err
    errors = [line for line in result.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], result.err
    assert cell_traceback or "Traceback" not in result.err
    assert snapshot(root / "_book") == before_edition
    changed = {
        k
        for k in before_sources.keys() | sources(root).keys()
        if before_sources.get(k) != sources(root).get(k)
    }
    assert not changed, changed
    return errors[0]


def assert_recovers(root: Path, built: Path) -> None:
    """The next build publishes exactly the edition the intact book gave."""
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    assert snapshot(root / "_book") == snapshot(built / "_book")


# --- output-dir ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "why"),
    [
        (".", "is the project folder itself"),
        ("sub/..", "is the project folder itself"),
        ("..", "is a folder above the project"),
        ("../elsewhere", "is outside the project"),
        ("/tmp/thesis-out", "is outside the project"),
        ("chapters", "holds or lies in chapters/"),
        ("chapters/site", "holds or lies in chapters/"),
        ("data", "holds or lies in data/"),
        ("data/raw", "holds or lies in data/"),
        ("analysis", "holds or lies in analysis/"),
        (".git", "holds or lies in .git/"),
        ("_freeze", "holds or lies in _freeze/"),
        (".bookbuild", "holds or lies in .bookbuild/"),
    ],
)
def test_output_dir_that_would_replace_sources_is_refused(
    book: Path, built: Path, out: str, why: str
):
    write(book, {"_quarto.yml": CONFIG.format(out=out)})
    line = assert_refused(book, why)
    assert f"_quarto.yml:3: project: output-dir: '{out}' " in line
    assert "name a folder of its own inside the project" in line
    write(book, {"_quarto.yml": CONFIG.format(out="_book")})
    assert_recovers(book, built)


def test_output_dir_holding_a_chapter_is_refused(book: Path, built: Path):
    write(
        book,
        {
            "_quarto.yml": CONFIG.format(out="site").replace("chapters/one.qmd", "site/one.qmd"),
            "site/one.qmd": ONE,
        },
    )
    assert_refused(book, "'site' holds the source file site/one.qmd")


def test_output_dir_not_a_string_is_refused(book: Path):
    write(book, {"_quarto.yml": CONFIG.format(out="[a, b]")})
    assert_refused(book, "_quarto.yml:3: project: output-dir: must be a folder name")


def test_output_dir_through_a_symlink_out_is_refused(book: Path, tmp_path: Path):
    (tmp_path / "outside").mkdir()
    (book / "link").symlink_to(tmp_path / "outside")
    write(book, {"_quarto.yml": CONFIG.format(out="link/site")})
    assert_refused(book, "is outside the project")
    assert not any((tmp_path / "outside").iterdir())


def test_a_folder_of_its_own_is_accepted_and_marked(book: Path):
    write(book, {"_quarto.yml": CONFIG.format(out="site/html")})
    result = run(book, "build", "--to", "html")
    assert result.code == 0, result.err
    assert (book / "site" / "html" / "index.html").is_file()
    assert (book / "site" / "html" / MARKER).is_file()


# --- the edition marker --------------------------------------------------------------------


def test_every_edition_carries_the_marker(built: Path):
    assert "published by `thesis build`" in (built / "_book" / MARKER).read_text("utf-8")


def test_an_unmarked_folder_is_never_replaced(book: Path, built: Path):
    write(book, {"_quarto.yml": CONFIG.format(out="site"), "site/notes.txt": "my notes\n"})
    assert_refused(
        book,
        f"site: the output folder exists but is not an edition this build "
        f"published (no {MARKER} in it); move it aside",
    )
    assert (book / "site" / "notes.txt").read_text() == "my notes\n"
    result = run(book, "clean")
    assert result.code == 1 and "not an edition this build published" in result.err
    assert (book / "site" / "notes.txt").read_text() == "my notes\n"
    (book / "site" / "notes.txt").unlink()
    (book / "site").rmdir()
    result = run(book, "build", "--to", "html")
    assert result.code == 0, result.err
    assert snapshot(book / "site") == snapshot(built / "_book")


def test_an_output_that_is_a_file_or_link_is_refused(book: Path, tmp_path: Path):
    write(book, {"_quarto.yml": CONFIG.format(out="site"), "site": "a file\n"})
    assert_refused(book, "site: the output folder is a file or a link")
    assert (book / "site").read_text() == "a file\n"
    (book / "site").unlink()
    (tmp_path / "elsewhere").mkdir()
    (book / "site").symlink_to(tmp_path / "elsewhere")
    assert_refused(book, "outside the project")


def test_a_legacy_edition_is_replaced_once_with_a_warning(book: Path, built: Path, caplog):
    (book / "_book" / MARKER).unlink()  # as a build from before the marker left it
    result = run(book, "build", "--to", "html")
    assert result.code == 0, result.err
    assert caplog.messages == [
        "_book/: an edition from before edition markers; it is replaced and marked"
    ]
    assert snapshot(book / "_book") == snapshot(built / "_book")


def test_a_legacy_looking_folder_with_sources_is_not_adopted(book: Path):
    (book / "_book" / MARKER).unlink()
    write(book, {"_book/draft.qmd": "# Mine\n"})
    assert_refused(book, "not an edition this build published")
    assert (book / "_book" / "draft.qmd").is_file()


# --- clean ---------------------------------------------------------------------------------


def test_clean_honours_output_dir(book: Path):
    write(book, {"_quarto.yml": CONFIG.format(out="site")})
    assert run(book, "build", "--to", "html").code == 0
    before = sources(book)
    result = run(book, "clean")
    assert result.code == 0, result.err
    assert "removed site/, _freeze/ and .bookbuild/" in result.err
    assert not (book / "site").exists() and not (book / ".bookbuild").exists()
    assert (book / "_book" / "index.html").is_file()  # not ours any more: left alone
    assert sources(book) == before


def test_clean_refuses_a_dangerous_output_dir(book: Path):
    write(book, {"_quarto.yml": CONFIG.format(out="chapters")})
    before = sources(book)
    result = run(book, "clean")
    assert result.code == 1
    assert "_quarto.yml:3: project: output-dir: 'chapters' is, holds" in result.err
    assert sources(book) == before and (book / "_book" / "index.html").is_file()


# --- names from sources --------------------------------------------------------------------


def figure_cell(label: str) -> str:
    return (
        f'# One\n\nText.\n\n```{{python}}\n#| label: {label}\n#| fig-cap: "A"\n'
        '#| fig-alt: "A"\nprint(1)\n```\n'
    )


@pytest.mark.parametrize(
    "label",
    [
        "fig-a/../../../X",
        "fig-a/b",
        "/etc/fig-x",
        "../fig-a",
        "fig-a..b",
        ".fig-a",
        '"fig a"',
        "fig-a\\\\b",
        "'fig-%2e%2e'",
        "fig-a?x",
        "fig-a#x",
    ],
)
def test_a_label_that_is_not_a_plain_name_is_refused(
    book: Path, built: Path, label: str, tmp_path: Path
):
    write(book, {"chapters/one.qmd": figure_cell(label)})
    line = assert_refused(book, "cannot name a file: use letters, digits")
    assert line.startswith("error: chapters/one.qmd:5: label ")
    assert not (book / "figures").exists() and not (tmp_path / "X.svg").exists()
    write(book, {"chapters/one.qmd": ONE})
    assert_recovers(book, built)


def test_a_label_used_twice_in_the_book_is_refused(book: Path, built: Path):
    write(
        book,
        {
            "chapters/one.qmd": figure_cell("fig-same"),
            "index.qmd": INDEX + "\n```{python}\n#| label: fig-same\nprint(2)\n```\n",
        },
    )
    line = assert_refused(
        book, "label 'fig-same' is also used at index.qmd:5; labels must be unique in the book"
    )
    assert line.startswith("error: chapters/one.qmd:5: ")
    write(book, {"chapters/one.qmd": ONE, "index.qmd": INDEX})
    assert_recovers(book, built)


def test_labels_differing_only_in_case_collide(book: Path):
    write(book, {"chapters/one.qmd": figure_cell("fig-Case") + figure_cell("fig-case")[5:]})
    assert_refused(book, "label 'fig-case' is also used at chapters/one.qmd:5")


def chapters_config(*names: str) -> str:
    entries = "".join(f"    - {name}\n" for name in names)
    return CONFIG.format(out="_book").split("  chapters:")[0] + "  chapters:\n" + entries


@pytest.mark.parametrize(
    ("names", "message", "line"),
    [
        (
            ("index.qmd", "chapters/one.qmd", "other/one.qmd"),
            "chapters chapters/one.qmd and other/one.qmd would both be the page one.html",
            9,
        ),
        (
            ("index.qmd", "chapters/one.qmd", "chapters/One.qmd"),
            "chapters chapters/one.qmd and chapters/One.qmd would both be the page One.html",
            9,
        ),
        (
            ("index.qmd", "chapters/colophon.qmd"),
            "chapter chapters/colophon.qmd would be the page colophon.html, which the build "
            "generates itself",
            8,
        ),
        (
            ("index.qmd", "chapters/a b.qmd"),
            "chapter file name 'a b.qmd' cannot name a web page",
            8,
        ),
        (
            ("index.qmd", "chapters/a&b.qmd"),
            "chapter file name 'a&b.qmd' cannot name a web page",
            8,
        ),
        (("index.qmd", "chapters/.hidden.qmd"), "chapter file name '.hidden.qmd' cannot name", 8),
    ],
)
def test_chapter_pages_must_be_plain_and_unique(
    book: Path, built: Path, names: tuple[str, ...], message: str, line: int
):
    for name in names[1:]:
        write(book, {name: ONE})
    write(book, {"_quarto.yml": chapters_config(*names)})
    error = assert_refused(book, message)
    assert f"_quarto.yml:{line}: " in error
    write(book, {"_quarto.yml": CONFIG.format(out="_book")})
    assert_recovers(book, built)


@pytest.mark.parametrize("name", ["../outside.qmd", "ABSOLUTE", "chapters/../../outside.qmd"])
def test_a_chapter_outside_the_project_is_refused(book: Path, built: Path, name: str):
    (book.parent / "outside.qmd").write_text(ONE)
    name = str(book.parent / "outside.qmd") if name == "ABSOLUTE" else name
    write(book, {"_quarto.yml": chapters_config("index.qmd", name)})
    error = assert_refused(book, f"chapter {Path(name)} is outside the project")
    assert "_quarto.yml:8: " in error


# --- the preview server --------------------------------------------------------------------


@pytest.fixture()
def served(tmp_path: Path):
    """A preview server over an edition holding files, folders and links of every kind."""
    from bookbuild.commands.preview import start_server

    site = tmp_path / "_book"
    write(
        site,
        {
            "index.html": "<p>home</p>",
            "figures/f.svg": "<svg/>",
            "assets/sub/index.html": "<p>sub</p>",
            "empty/.keep": "",
        },
    )
    (tmp_path / "secret.txt").write_text("outside the edition\n")
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")
    (site / "inner.svg").symlink_to(site / "figures" / "f.svg")
    (site / "outdir").symlink_to(tmp_path)
    (site / "etc").symlink_to("/etc")
    server = start_server(site, 0)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def fetch(url: str) -> tuple[int, bytes]:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/", b"<p>home</p>"),
        ("/index.html", b"<p>home</p>"),
        ("/figures/f.svg", b"<svg/>"),
        ("/assets/sub/", b"<p>sub</p>"),
        ("/assets/sub", b"<p>sub</p>"),
        ("/index.html?x=1", b"<p>home</p>"),
    ],
)
def test_preview_serves_regular_files_of_the_edition(served: str, path: str, body: bytes):
    assert fetch(served + path) == (200, body)


@pytest.mark.parametrize(
    "path",
    [
        "/link.txt",
        "/inner.svg",
        "/outdir/secret.txt",
        "/etc/passwd",
        "/etc/",
        "/figures/",
        "/empty/",
        "/empty",
        "/assets/",
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/figures/..%2f..%2fsecret.txt",
        "/nothing.html",
        "/outdir/",
        "/outdir",
    ],
)
def test_preview_refuses_links_listings_and_escapes(served: str, path: str):
    status, body = fetch(served + path)
    assert status == 404, (path, body[:80])
    assert b"outside the edition" not in body


# --- --to html keeps the last PDF ----------------------------------------------------------


@pytest.mark.slow
def test_html_only_build_keeps_the_last_pdf_and_says_so(book: Path):
    from bookbuild_helpers import pdf_text

    assert run(book, "build").code == 0
    pdf = (book / "_book" / "thesis.pdf").read_bytes()
    assert "Plain prose of the preface." in pdf_text(book / "_book" / "thesis.pdf")
    write(book, {"index.qmd": INDEX.replace("Plain prose", "Edited prose")})
    result = run(book, "build", "--to", "html")
    assert result.code == 0, result.err
    assert "kept thesis.pdf from the last edition (not rebuilt" in result.err
    assert (book / "_book" / "thesis.pdf").read_bytes() == pdf
    assert "Edited prose" in (book / "_book" / "index.html").read_text("utf-8")
    result = run(book, "build")
    assert result.code == 0 and "kept thesis.pdf" not in result.err
    assert "Edited prose of the preface." in pdf_text(book / "_book" / "thesis.pdf")


def test_html_only_build_without_a_last_pdf_says_there_is_none(book: Path):
    assert not (book / "_book" / "thesis.pdf").exists()
    write(book, {"index.qmd": INDEX.replace("Plain prose", "Edited prose")})
    result = run(book, "build", "--to", "html")
    assert result.code == 0 and "this edition has no thesis.pdf" in result.err
    assert not (book / "_book" / "thesis.pdf").exists()


# --- raw inputs against their checksum manifest --------------------------------------------

RAW_CHAPTER = (
    "# One\n\n```{python}\nfrom pathlib import Path\n"
    "rows = Path('data/raw/public/series.csv').read_text().splitlines()\n```\n\n"
    "The series has `{python} len(rows)` lines.\n"
)


@pytest.fixture(scope="module")
def raw_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A book whose chapter reads a raw file listed in data/raw/SHA256SUMS."""
    import hashlib

    root = tmp_path_factory.mktemp("raw") / "book"
    data = "year,value\n2019,1\n2020,2\n"
    digest = hashlib.sha256(data.encode()).hexdigest()
    write(
        root,
        {
            "_quarto.yml": CONFIG.format(out="_book"),
            "index.qmd": INDEX,
            "chapters/one.qmd": RAW_CHAPTER,
            "data/raw/public/series.csv": data,
            "data/raw/SHA256SUMS": f"# raw data\n{digest}  public/series.csv\n",
        },
    )
    result = run(root, "build", "--to", "html")
    assert result.code == 0, result.err
    assert "The series has 3 lines." in (root / "_book" / "one.html").read_text("utf-8")
    return root


@pytest.fixture()
def raw_book(raw_built: Path, tmp_path: Path) -> Path:
    return copy_book(raw_built, tmp_path / "book", with_products=True)


@pytest.mark.slow
def test_a_changed_raw_byte_is_an_error_naming_the_file(raw_book: Path, raw_built: Path):
    csv = raw_book / "data/raw/public/series.csv"
    original = csv.read_bytes()
    csv.write_bytes(original.replace(b"2020,2", b"2020,3"))
    before = snapshot(raw_book / "_book")
    for _attempt in range(2):  # also once its cache entry was rewritten from the changed file
        result = run(raw_book, "build", "--to", "html")
        assert result.code == 1
        assert (
            "error: data/raw/public/series.csv: data/raw/public/series.csv (read by "
            "chapters/one.qmd) does not match its checksum in data/raw/SHA256SUMS:2; raw "
            "data are never edited — restore the file, or if the change is intended accept "
            "it by updating its line in data/raw/SHA256SUMS"
        ) in result.err
        assert snapshot(raw_book / "_book") == before
    csv.write_bytes(original)
    result = run(raw_book, "build", "--to", "html")
    assert result.code == 0, result.err
    assert snapshot(raw_book / "_book") == snapshot(raw_built / "_book")


@pytest.mark.slow
def test_a_raw_file_missing_from_the_manifest_is_an_error(raw_book: Path, raw_built: Path):
    manifest = raw_book / "data/raw/SHA256SUMS"
    original = manifest.read_text()
    manifest.write_text("# raw data\n")
    result = run(raw_book, "build", "--to", "html")
    assert result.code == 1
    assert "data/raw/public/series.csv (read by chapters/one.qmd) is not listed in " in result.err
    manifest.write_text("0123  public/series.csv\n")
    result = run(raw_book, "build", "--to", "html")
    assert "error: data/raw/SHA256SUMS:1: not in sha256sum format" in result.err
    manifest.write_text(original)
    result = run(raw_book, "build", "--to", "html")
    assert result.code == 0, result.err
    assert snapshot(raw_book / "_book") == snapshot(raw_built / "_book")


# --- caches validated before use -----------------------------------------------------------


def damage_memo_entries(folder: Path, how: str) -> int:
    entries = [p for p in folder.glob("*.json") if not p.name.startswith(".")]
    for path in entries:
        data = path.read_bytes()
        path.write_bytes(
            {
                "truncate": data[: len(data) // 2],
                "flip": data[:-3] + bytes([data[-3] ^ 1]) + data[-2:],
                "wrong-shape": b"[]",
                "binary": b"\xff\xfe\x00",
                "empty": b"",
            }[how]
        )
    return len(entries)


@pytest.mark.parametrize("how", ["truncate", "flip", "wrong-shape", "binary", "empty"])
@pytest.mark.parametrize("store", ["render", "ast"])
def test_a_damaged_memo_entry_is_rebuilt_with_a_warning(
    book: Path, built: Path, store: str, how: str, caplog
):
    write(book, {"index.qmd": INDEX + "\nOne more sentence.\n"})  # a render, not a no-op
    assert damage_memo_entries(book / ".bookbuild" / store, how) > 0
    result = run(book, "build", "--to", "html")
    assert result.code == 0, result.err
    damaged = [m for m in caplog.messages if "build-state entry" in m]
    assert damaged and all("computing it again" in m for m in damaged)
    assert "One more sentence." in (book / "_book" / "index.html").read_text("utf-8")
    write(book, {"index.qmd": INDEX})
    assert_recovers(book, built)
    caplog.clear()
    assert run(book, "build", "--to", "html").code == 0  # the rewritten entries are intact
    assert not [m for m in caplog.messages if "build-state entry" in m]


@pytest.mark.parametrize("state", ["[]", '"text"', '{"key": 1', "\xff", "{}"])
def test_a_damaged_edition_record_means_render_again(book: Path, built: Path, state: str):
    (book / ".bookbuild" / "edition.json").write_bytes(state.encode("latin-1"))
    result = run(book, "build", "--to", "html")
    assert result.code == 0 and "Traceback" not in result.err, result.err
    assert "render HTML edition" in result.err
    assert snapshot(book / "_book") == snapshot(built / "_book")
    assert "nothing rendered" in run(book, "build", "--to", "html").err


def test_bookbuild_being_a_file_is_a_message(book: Path):
    shutil.rmtree(book / ".bookbuild")
    (book / ".bookbuild").write_text("not a folder\n")
    assert_refused(
        book,
        ".bookbuild: cannot keep build state here (File exists); .bookbuild "
        "must be a writable folder",
    )


def _record_damages() -> dict[str, object]:
    import hashlib
    import json

    def with_notebook(notebook: dict) -> object:
        def damage(record: dict, folder: Path) -> dict:
            data = (json.dumps(notebook) + "\n").encode()
            (folder / "notebook.ipynb").write_bytes(data)
            return {**record, "notebook_sha256": hashlib.sha256(data).hexdigest()}

        return damage

    return {
        "list": lambda r, f: [],
        "reads-a-list": lambda r, f: {**r, "reads": list(r["reads"])},
        "modules-null": lambda r, f: {**r, "modules": None},
        "lines-wrong": lambda r, f: {**r, "lines": {"data/raw/SHA256SUMS": 5}},
        "code-number": lambda r, f: {**r, "code": 7},
        "digest-number": lambda r, f: {**r, "reads": {k: 1 for k in r["reads"]}},
        "no-env": lambda r, f: {k: v for k, v in r.items() if k != "env"},
        "cells-not-list": with_notebook(
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": {"a": 1}}
        ),
        "outputs-not-list": with_notebook(
            {
                "nbformat": 4,
                "nbformat_minor": 5,
                "metadata": {},
                "cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": 3}],
            }
        ),
    }


@pytest.mark.slow
@pytest.mark.parametrize("damage", [*_record_damages(), "truncated", "not-utf8"])
def test_a_damaged_freeze_record_is_executed_again(
    raw_book: Path, raw_built: Path, damage: str, caplog
):
    import json

    folder = raw_book / "_freeze" / "chapters" / "one"
    text = (folder / "record.json").read_text("utf-8")
    if damage == "truncated":
        (folder / "record.json").write_text(text[: len(text) // 2])
    elif damage == "not-utf8":
        (folder / "record.json").write_bytes(b"\xff" + text.encode())
    else:
        damaged = _record_damages()[damage](json.loads(text), folder)
        (folder / "record.json").write_text(json.dumps(damaged))
    result = run(raw_book, "build", "--to", "html")
    assert result.code == 0 and "Traceback" not in result.err, result.err
    warned = [m for m in caplog.messages if "executing chapters/one.qmd again" in m]
    assert len(warned) == 1 and warned[0].startswith("_freeze/chapters/one: cache entry ")
    assert snapshot(raw_book / "_book") == snapshot(raw_built / "_book")
    assert snapshot(folder) == snapshot(raw_built / "_freeze" / "chapters" / "one")


# --- time limits and Ctrl-C ----------------------------------------------------------------

SLOW = (
    "# One\n\nBefore.\n\n```{python}\nimport os, time\n"
    "open('kernel.pid', 'w').write(str(os.getpid()))\ntime.sleep({sleep})\n```\n\nAfter.\n"
)


def limits(cell: str = "", chapter: str = "") -> str:
    block = "".join(
        f"  {k}: {v}\n" for k, v in (("cell-timeout", cell), ("chapter-timeout", chapter)) if v
    )
    return CONFIG.format(out="_book") + (f"bookbuild:\n{block}" if block else "")


def kernel_gone(pid_file: Path, within: float = 5.0) -> bool:
    import os
    import time

    pid = int(pid_file.read_text())
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize(
    ("cell", "chapter", "message"),
    [
        (
            "2",
            "",
            "chapters/one.qmd:5: this cell ran longer than the cell time limit of 2 s — "
            "make it faster, or raise bookbuild: cell-timeout: / chapter-timeout: in "
            "_quarto.yml",
        ),
        (
            "",
            "2",
            "chapters/one.qmd:5: the chapter ran longer than its time limit of 2 s (stopped "
            "in this cell) — make it faster",
        ),
    ],
)
def test_a_cell_over_its_time_limit_is_stopped_and_named(
    book: Path, built: Path, cell: str, chapter: str, message: str
):
    import time

    write(
        book,
        {"_quarto.yml": limits(cell, chapter), "chapters/one.qmd": SLOW.replace("{sleep}", "60")},
    )
    started = time.monotonic()
    assert message in assert_refused(book, message)
    assert time.monotonic() - started < 30
    assert kernel_gone(book / "kernel.pid")
    write(book, {"_quarto.yml": CONFIG.format(out="_book"), "chapters/one.qmd": ONE})
    assert_recovers(book, built)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "bookbuild:\n  cell-timeout: 0\n",
            "_quarto.yml:10: bookbuild: cell-timeout: must be a "
            "whole number of seconds (1 or more), got 0",
        ),
        ("bookbuild:\n  cell-timeout: soon\n", "(1 or more), got 'soon'"),
        ("bookbuild:\n  cell-timeout: 1.5\n", "(1 or more), got 1.5"),
        (
            "bookbuild:\n  chapter-timeout: true\n",
            "_quarto.yml:10: bookbuild: chapter-timeout: must",
        ),
        ("bookbuild:\n  timeout: 5\n", "_quarto.yml:10: bookbuild: unknown option 'timeout'"),
        ("bookbuild: 5\n", "_quarto.yml:9: bookbuild: must be a mapping"),
    ],
)
def test_time_limit_options_are_checked(book: Path, block: str, message: str):
    write(book, {"_quarto.yml": CONFIG.format(out="_book") + block})
    assert_refused(book, message)


@pytest.mark.slow
def test_one_ctrl_c_stops_the_build_at_once_and_keeps_the_edition(book: Path, built: Path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from bookbuild_helpers import REPO

    write(book, {"chapters/one.qmd": SLOW.replace("{sleep}", "120")})
    before = snapshot(book / "_book")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bookbuild", "--root", str(book), "build", "--to", "html"],
        cwd=REPO,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        # as from a terminal: a test run from a background job (`cmd &`, nohup) hands its
        # children SIGINT ignored, and Python then installs no KeyboardInterrupt for it
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 90
    while not (book / "kernel.pid").exists():
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()[1]
        time.sleep(0.1)
    time.sleep(0.5)
    pressed = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends on one Ctrl-C
    _, err = proc.communicate(timeout=30)
    took = time.monotonic() - pressed
    assert proc.returncode == 130, err
    assert took < 3, f"stopped {took:.1f} s after Ctrl-C"
    assert "interrupted; nothing was published." in err and "Traceback" not in err
    assert kernel_gone(book / "kernel.pid", within=1)
    assert snapshot(book / "_book") == before
    assert not list(book.glob("._book.*"))
    write(book, {"chapters/one.qmd": ONE})
    (book / "kernel.pid").unlink()
    assert_recovers(book, built)
    print(f"Ctrl-C to exit: {took:.2f} s")


# --- reads outside the project -------------------------------------------------------------


@pytest.mark.slow
def test_a_read_outside_the_project_is_a_warning_naming_the_cell(
    book: Path, built: Path, tmp_path: Path, monkeypatch, caplog
):
    (tmp_path / "kernel-tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "kernel-tmp"))  # tmp_path is under /tmp
    outside = tmp_path / "outside.txt"
    outside.write_text("42\n")
    write(
        book,
        {
            "chapters/one.qmd": "# One\n\nText.\n\n```{python}\nimport json, pathlib\n"
            f"value = pathlib.Path({str(outside)!r}).read_text()\n"
            "```\n\nThe value is `{python} value.strip()`.\n"
        },
    )
    result = run(book, "build", "--to", "html")
    assert result.code == 0, result.err
    warned = [m for m in caplog.messages if "outside the project" in m]
    assert warned == [
        f"chapters/one.qmd:5: this cell read {outside.resolve()}, outside the "
        "project: the cache does not see it change — copy it into the project "
        "(e.g. data/raw/)"
    ]
    assert "The value is 42." in (book / "_book" / "one.html").read_text("utf-8")
    write(book, {"chapters/one.qmd": ONE})
    assert_recovers(book, built)

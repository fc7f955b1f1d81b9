"""The build's own settings, all in `_quarto.yml`'s `bookbuild:` block: time limits,
`house-rules:` and `record-versions:` (the book's packages the colophon names), and nothing
of this thesis inside `bookbuild/`."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from bookbuild_helpers import REPO, parse_html

from bookbuild.config.project import load_book
from bookbuild.document import environment
from bookbuild.errors import BuildError

BASE = """\
project:
  type: book
book:
  title: "T"
  chapters:
    - index.qmd
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "index.qmd").write_text("# Preface {.unnumbered}\n")
    return tmp_path


def book_error(root: Path, text: str) -> str:
    (root / "_quarto.yml").write_text(text)
    with pytest.raises(BuildError) as info:
        load_book(root)
    return str(info.value)


def test_one_block_holds_limits_rules_and_recorded_packages(root: Path) -> None:
    (root / "_quarto.yml").write_text(
        BASE + "bookbuild:\n  cell-timeout: 30\n  record-versions: [pyyaml]\n"
        "  house-rules:\n    figures-labelled: true\n"
    )
    book = load_book(root)
    assert (book.cell_timeout, book.record_versions) == (30, ("pyyaml",))
    assert book.house_rules == frozenset({"figures-labelled"})
    versions = environment.describe(root, book.record_versions)["versions"]
    assert versions["pyyaml"] == metadata.version("pyyaml")
    assert set(environment.ENGINES) <= set(versions) and {"python", "pandoc"} <= set(versions)
    assert "pandas" not in versions  # the build names no package of this thesis by itself


def test_without_the_block_the_defaults_apply(root: Path) -> None:
    (root / "_quarto.yml").write_text(BASE)
    book = load_book(root)
    assert (book.cell_timeout, book.chapter_timeout) == (600, None)
    assert (book.house_rules, book.record_versions) == (frozenset(), ())


@pytest.mark.parametrize(
    ("block", "line", "words"),
    [
        ("bookbuild:\n  record-versions: pandas\n", 8, "record-versions: must be a list"),
        ("bookbuild:\n  record-versions: [1]\n", 8, "record-versions: must be a list"),
        ("bookbuild:\n  cell-timeout: [1]\n", 8, "cell-timeout: must be a whole number"),
        ("bookbuild:\n  house-rule: {}\n", 8, "unknown option 'house-rule' (known: "),
        ("bookbuild: 5\n", 7, "bookbuild: must be a mapping (cell-timeout:, chapter-timeout:"),
        (
            "house-rules:\n  figures-labelled: true\n",
            7,
            "'house-rules:' is no longer a top-level key: move it into the build's own block, "
            "as 'bookbuild: house-rules:'",
        ),
    ],
)
def test_a_bad_setting_names_its_line(root: Path, block: str, line: int, words: str) -> None:
    error = book_error(root, BASE + block)
    assert error.startswith(f"{root / '_quarto.yml'}:{line}: "), error
    assert words in error, error


def test_the_thesis_names_its_packages_and_the_colophon_shows_them() -> None:
    config = yaml.safe_load((REPO / "_quarto.yml").read_text("utf-8"))
    assert "house-rules" not in config and config["bookbuild"]["house-rules"]
    named = config["bookbuild"]["record-versions"]
    assert {"pandas", "pingouin", "statsmodels"} <= set(named)
    page = parse_html((REPO / "_book" / "colophon.html").read_text("utf-8"))
    rows = {
        cells[0]: cells[1]
        for row in page.find_all("tr")
        if len(cells := [c.text().strip() for c in row.find_all("td")]) == 2
    }
    for name in [*named, *environment.ENGINES]:
        assert rows[name] == metadata.version(name), name


# Names of this thesis that have no business in the generic build (its chapters, its analysis
# package's modules, its title and place): none may appear in bookbuild/'s code.
THESIS_WORDS = re.compile(
    r"Lankao|Henan|poverty|01-introduction|05-findings|analysis\.(survey|inference|figures)"
    r"|pingouin|statsmodels|seaborn|pandera",
    re.IGNORECASE,
)


def test_nothing_of_this_thesis_is_named_inside_the_build() -> None:
    found = [
        f"{path.relative_to(REPO)}:{number}: {line.strip()}"
        for path in sorted((REPO / "bookbuild").rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if THESIS_WORDS.search(line)
    ]
    assert found == []


def test_the_checksum_manifest_and_its_update_command_are_the_books(root: Path) -> None:
    from bookbuild.execute.checksums import check_raw_reads

    (root / "_quarto.yml").write_text(
        BASE + "bookbuild:\n  checksums: inputs/SUMS\n  checksums-update: make accept\n"
    )
    book = load_book(root)
    assert (book.checksums, book.checksums_update) == (Path("inputs/SUMS"), "make accept")
    (root / "inputs").mkdir()
    (root / "inputs" / "SUMS").write_text(f"{'a' * 64}  x.csv\n")
    record = {"reads": {"inputs/x.csv": "b" * 64, "elsewhere/y.csv": "c" * 64}}
    reads = [(Path("chapters/one.qmd"), record)]
    with pytest.raises(BuildError) as info:
        check_raw_reads(root, reads, book.checksums, book.checksums_update)
    assert str(info.value) == (
        "inputs/x.csv: inputs/x.csv (read by chapters/one.qmd) does not match its checksum "
        "in inputs/SUMS:1; raw data are never edited — restore the file, or if the change "
        "is intended accept it with `make accept`"
    )
    record["reads"]["inputs/x.csv"] = "a" * 64
    check_raw_reads(root, reads, book.checksums)  # listed: no error
    with pytest.raises(BuildError, match="accept it by updating its line in inputs/SUMS"):
        check_raw_reads(
            root, [(Path("c.qmd"), {"reads": {"inputs/new.csv": "d" * 64}})], book.checksums
        )


def test_the_colophon_guide_is_the_books_file_and_part_of_the_edition_key(root: Path) -> None:
    from bookbuild.document.colophon import colophon_markdown
    from bookbuild.state.edition import edition_key

    (root / "guide.md").write_text("## How to check {.unnumbered}\n\nRun `make verify`.\n")
    (root / "_quarto.yml").write_text(BASE + "bookbuild:\n  colophon-guide: guide.md\n")
    book = load_book(root)
    env = environment.describe(root)
    page = colophon_markdown(env, (root / "guide.md").read_text("utf-8"))
    assert page.endswith("\n## How to check {.unnumbered}\n\nRun `make verify`.\n")
    assert "Examiner" not in colophon_markdown(env)  # the build adds no guide of its own
    before = edition_key(book, [], {}, env, ("html",))
    (root / "guide.md").write_text("## How to check {.unnumbered}\n\nRun `make test`.\n")
    assert edition_key(book, [], {}, env, ("html",)) != before  # an edit re-renders


@pytest.mark.parametrize(
    ("name", "words"),
    [("missing.md", "colophon guide not found: missing.md"), ("../x.md", "outside the project")],
)
def test_a_colophon_guide_that_is_not_there_names_its_line(
    root: Path, name: str, words: str
) -> None:
    error = book_error(root, BASE + f"bookbuild:\n  colophon-guide: {name}\n")
    assert error.startswith(f"{root / '_quarto.yml'}:8: ") and words in error, error


def test_the_thesis_colophon_shows_its_examiners_guide() -> None:
    page = (REPO / "_book" / "colophon.html").read_text("utf-8")
    assert 'id="sec-examiners-guide"' in page and "data/raw/SHA256SUMS" in page

"""`_quarto.yml` loading: what is honoured, every error path, and the real thesis's options
checked against the option names Quarto's own schema accepts (so it also renders in Quarto)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import yaml

from bookbuild.commands.build import chapter_defaults
from bookbuild.config.project import load_book, quarto_schema
from bookbuild.errors import BuildError
from bookbuild.source.qmd import CELL_OPTIONS, parse_qmd, read_qmd

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "minibook"

BASE = """\
project:
  type: book
book:
  title: "T"
  chapters:
    - index.qmd
    - chapters/one.qmd
bibliography: refs.bib
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "chapters").mkdir()
    (tmp_path / "index.qmd").write_text("# Preface {.unnumbered}\n")
    (tmp_path / "chapters" / "one.qmd").write_text("# One\n")
    (tmp_path / "chapters" / "two.qmd").write_text("# Two\n")
    (tmp_path / "refs.bib").write_text("@book{k, title={T}, year={2000}}\n")
    return tmp_path


def config_error(root: Path, text: str) -> BuildError:
    (root / "_quarto.yml").write_text(text)
    with pytest.raises(BuildError) as info:
        load_book(root)
    return info.value


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- what is read -------------------------------------------------------------------------


def test_fixture_book_is_read_in_order_with_parts_and_appendices():
    book = load_book(FIXTURE)
    assert book.title == "A Small Test Book"
    assert book.subtitle == "Every construct the build supports"
    assert book.authors == ("Test Author",)
    assert book.date == "2026-01-01"
    assert [(str(c.path), c.part, c.appendix) for c in book.chapters] == [
        ("index.qmd", None, False),
        ("chapters/01-data.qmd", "Findings", False),
        ("chapters/02-prose.qmd", "Findings", False),
        ("chapters/references.qmd", None, False),
        ("chapters/a-extra.qmd", None, True),
    ]
    assert book.bibliography == (Path("refs.bib"),)
    assert book.csl is None
    assert book.execute == {"echo": False}
    assert book.html == {"toc": True}
    assert book.pdf == {"papersize": "a4", "keywords": ["testing", "books"]}
    assert book.output_dir == FIXTURE.resolve() / "_book"


def test_pdf_format_key_authors_as_mappings_and_csl(root: Path):
    (root / "style.csl").write_text("<style/>")
    (root / "_quarto.yml").write_text(
        BASE.replace('title: "T"', ('title: "T"\n  author:\n    - name: A One\n    - B Two'))
        + ("csl: style.csl\nformat:\n  pdf:\n    papersize: letter\n")
    )
    book = load_book(root)
    assert book.authors == ("A One", "B Two")
    assert book.csl == Path("style.csl")
    assert book.pdf == {"papersize": "letter"}


def test_ignored_but_valid_options_warn(root: Path, caplog: pytest.LogCaptureFixture):
    (root / "_quarto.yml").write_text(
        BASE.replace("  type: book", "  type: book\n  lib-dir: x").replace(
            'title: "T"', 'title: "T"\n  doi: "10.1/x"'
        )
    )
    with caplog.at_level(logging.WARNING, logger="bookbuild"):
        load_book(root)
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "lib-dir" in messages and "doi" in messages


# --- every error path ---------------------------------------------------------------------


def test_no_config(tmp_path: Path):
    with pytest.raises(BuildError, match=r"no _quarto\.yml"):
        load_book(tmp_path)


def test_bad_yaml_names_the_line(root: Path):
    text = BASE + "format:\n  html:\n    toc: [true\n"
    err = config_error(root, text)
    assert err.path.name == "_quarto.yml" and "YAML" in err.message
    assert err.line in (11, 12)  # where the parser noticed the unclosed flow sequence


@pytest.mark.parametrize(
    ("text", "message", "needle"),
    [
        ("- a\n- b\n", "mapping", None),
        (BASE.replace("type: book", "type: website"), "must be 'book'", "type:"),
        ("project: book\n" + BASE.split("\n", 2)[2], "must be 'book'", None),
        (
            BASE.replace("  type: book", "  type: book\n  bogus: 1"),
            "unknown project option",
            "bogus",
        ),
        ("project:\n  type: book\n", "missing 'book:'", None),
        (BASE.replace('title: "T"', 'title: "T"\n  colour: red'), "unknown book option", "colour"),
        (BASE + "execute:\n  cache: true\n", "execute option 'cache' is not supported", "cache"),
        (BASE + 'execute:\n  echo: "yes"\n', "execute option 'echo' must be", "echo"),
        (BASE + "execute:\n  output: markup\n", "execute option 'output' must be", "output:"),
        (BASE + "execute: true\n", "execute: must be a mapping", "execute"),
        (BASE + "format:\n  docx: default\n", "unsupported output format", "format"),
        (BASE + "format: html\n", "format: must be a mapping", "format"),
        (BASE + "format:\n  html: 3\n", "format: html: must be a mapping", "html"),
        (
            BASE.replace("    - index.qmd\n    - chapters/one.qmd\n", "    index.qmd\n"),
            "must be a list",
            "chapters:",
        ),
        (
            BASE.replace(
                "    - chapters/one.qmd\n", "    - part: P\n      chapters:\n        - 3\n"
            ),
            "chapters must be file names",
            "part",
        ),
        (BASE.replace("    - chapters/one.qmd\n", "    - 7\n"), "unsupported entry", "chapters:"),
        (
            BASE.replace("    - index.qmd\n    - chapters/one.qmd\n", "    []\n"),
            "is empty",
            "chapters:",
        ),
        (
            BASE.replace("chapters/one.qmd", "chapters/missing.qmd"),
            "chapter file not found",
            "missing.qmd",
        ),
        (
            BASE.replace("    - chapters/one.qmd\n", "    - chapters/one.qmd\n    - index.qmd\n"),
            "listed twice",
            None,
        ),
        (BASE.replace("refs.bib", "nowhere.bib"), "bibliography not found", "bibliography"),
        (BASE.replace("refs.bib", "{a: 1}"), "bibliography: must be", "bibliography"),
        (BASE + "csl: missing.csl\n", "csl style file not found", "csl"),
    ],
)
def test_config_errors(root: Path, text: str, message: str, needle: str | None):
    err = config_error(root, text)
    assert err.path == root.resolve() / "_quarto.yml"
    assert message in err.message
    if needle is not None:
        assert err.line == line_of(text, needle)


def test_chapter_listed_twice_points_at_the_second_entry(root: Path):
    text = BASE.replace("    - chapters/one.qmd\n", "    - chapters/one.qmd\n    - index.qmd\n")
    assert config_error(root, text).line == 8


def test_appendices_and_part_groups(root: Path):
    text = BASE.replace(
        "    - chapters/one.qmd\n",
        (
            "    - part: Middle\n      chapters:\n        - chapters/one.qmd\n"
            "  appendices:\n    - chapters/two.qmd\n"
        ),
    )
    (root / "_quarto.yml").write_text(text)
    refs = load_book(root).chapters
    assert [(str(r.path), r.part, r.appendix) for r in refs] == [
        ("index.qmd", None, False),
        ("chapters/one.qmd", "Middle", False),
        ("chapters/two.qmd", None, True),
    ]


def test_front_matter_execute_overrides_book_defaults():
    book = load_book(FIXTURE)
    own = parse_qmd("---\nexecute:\n  echo: true\n---\n# T\n", Path("x.qmd"))
    assert chapter_defaults(book, own) == {"echo": True}
    assert chapter_defaults(book, parse_qmd("# T\n", Path("y.qmd"))) == {"echo": False}


# --- the real thesis sources against Quarto's schema ---------------------------------------

# Quarto's format aliases (quarto-cli src/resources/schema/format-aliases.yml), for the
# formats the thesis renders.
_ALIASES = {
    "$pdf-all": {"latex", "pdf", "beamer"},
    "$html-doc": {"html", "html4", "html5"},
    "$html-files": {"html", "html4", "html5", "slidy", "slideous", "s5", "revealjs", "dzslides"},
    "$html-all": {
        "html",
        "html4",
        "html5",
        "slidy",
        "slideous",
        "s5",
        "revealjs",
        "dzslides",
        "epub",
        "epub2",
        "epub3",
    },
}


def applies_to(formats: list[str] | None, fmt: str) -> bool:
    """Whether an option tagged with Quarto `formats` applies to output format `fmt`."""
    if not formats:
        return True
    include = [f for f in formats if not f.startswith("!")]
    exclude = [f[1:] for f in formats if f.startswith("!")]

    def hit(name: str) -> bool:
        return fmt == name or fmt in _ALIASES.get(name, set())

    if any(hit(f) for f in exclude):
        return False
    return not include or any(hit(f) for f in include)


def test_format_alias_resolution():
    assert applies_to(["$pdf-all", "typst"], "typst")
    assert applies_to(["$html-doc"], "html") and not applies_to(["$html-doc"], "typst")
    assert applies_to(["!man", "!$docbook-all"], "html")
    assert not applies_to(["$pdf-all"], "typst")


def _real_sources() -> tuple[dict, list[Path]]:
    config = yaml.safe_load((REPO / "_quarto.yml").read_text("utf-8"))
    book = load_book(REPO)
    return config, [ref.path for ref in book.chapters]


def test_real_config_keys_are_quarto_options():
    schema = quarto_schema()
    config, _ = _real_sources()
    problems = [
        f"project: {k}" for k in config.get("project", {}) if k not in schema["project_keys"]
    ]
    problems += [f"book: {k}" for k in config.get("book", {}) if k not in schema["book_keys"]]
    # `thesis:` is this build's own block of title-page fields (custom metadata, which Quarto
    # passes through to documents); `bookbuild:` holds this build's own settings
    structural = {"project", "book", "format", "execute", "thesis", "bookbuild"}
    problems += [k for k in config if k not in structural and k not in schema["document_options"]]
    for key in config.get("execute", {}):
        if key not in schema["cell_options"] and key != "freeze":
            problems.append(f"execute: {key}")
    for fmt, options in (config.get("format") or {}).items():
        for key in options or {}:
            if key not in schema["document_options"]:
                problems.append(f"format: {fmt}: {key}")
    assert problems == []


def test_real_format_options_apply_to_their_format():
    """An option under `format: typst:` must be one Quarto's schema gives typst, and so on."""
    options = quarto_schema()["document_options"]
    config, _ = _real_sources()
    problems = [
        f"format: {fmt}: {key} (Quarto: {options[key]['formats']})"
        for fmt, opts in (config.get("format") or {}).items()
        for key in opts or {}
        if key in options and not applies_to(options[key]["formats"], fmt)
    ]
    assert problems == []


def test_real_chapter_front_matter_and_cell_options_are_quarto_options():
    schema = quarto_schema()
    _, chapters = _real_sources()
    assert len(chapters) >= 10
    problems, seen = [], set()
    for path in chapters:
        doc = read_qmd(REPO, path)  # also applies the build's own checks
        for key in doc.front_matter:
            if key not in schema["document_options"] and key != "execute":
                problems.append(f"{path}: front matter {key}")
        for cell in doc.cells:
            for key in cell.options:
                seen.add(key)
                entry = schema["cell_options"].get(key)
                engines = entry and entry["engine"]
                engines = engines if isinstance(engines, list) else [engines]
                if entry is None or not ({None, "jupyter"} & set(engines)):
                    problems.append(f"{path}:{cell.line}: {key}")
                elif key not in CELL_OPTIONS:
                    problems.append(f"{path}:{cell.line}: {key} (not honoured by the build)")
    assert problems == []
    assert seen, "the thesis has cells with options"


def test_real_cell_option_lines_are_all_parsed():
    """Every `#|` line in a Python cell of the thesis became an option (none slipped by)."""
    _, chapters = _real_sources()
    for path in chapters:
        doc = read_qmd(REPO, path)
        for cell in doc.cells:
            lines = [x for x in cell.raw.splitlines()[1:] if x.lstrip().startswith("#|")]
            keys = [re.match(r"#\|\s*([\w-]+)\s*:", x.lstrip())[1] for x in lines]
            assert sorted(keys) == sorted(cell.options), f"{path}:{cell.line}"

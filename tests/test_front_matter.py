"""The thesis's front matter: fields read from `_quarto.yml` and checked, and what the built
editions show of them (title page, declaration, abstracts and acknowledgements as their own
front-matter sections, the PDF's author metadata, the HTML title block).

The unit tests build small projects in a temporary folder; the edition tests read the thesis
that `make test` builds first (`_book/`), and compare it with `_quarto.yml` read here
independently with PyYAML.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from bookbuild_helpers import parse_html, pdf_text

from bookbuild.config.project import load_book
from bookbuild.config.thesis import DEFAULT_TYPE, load_thesis
from bookbuild.errors import BuildError

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "_book"

FULL = """\
project:
  type: book
book:
  title: "T"
  author:
    - name: "Li Hua"
      affiliations:
        - name: "Henan University"
          department: "School of Marxism"
  date: "2026-05-01"
  chapters:
    - index.qmd
license: "CC BY 4.0"
thesis:
  type: "Master's thesis"
  degree: "Master of Laws"
  supervisors:
    - "Prof. Wang Fang"
    - "Dr Zhao Lei"
"""


def _project(tmp_path: Path, config: str) -> Path:
    (tmp_path / "_quarto.yml").write_text(config, "utf-8")
    (tmp_path / "index.qmd").write_text("# Preface {.unnumbered}\n", "utf-8")
    return tmp_path


def _error(tmp_path: Path, config: str) -> BuildError:
    book = load_book(_project(tmp_path, config))
    with pytest.raises(BuildError) as caught:
        load_thesis(book)
    return caught.value


def test_all_fields_are_read_from_where_quarto_keeps_them(tmp_path: Path) -> None:
    thesis = load_thesis(load_book(_project(tmp_path, FULL)))
    assert thesis is not None
    assert (thesis.author, thesis.institution, thesis.faculty) == (
        "Li Hua",
        "Henan University",
        "School of Marxism",
    )
    assert thesis.degree == "Master of Laws"
    assert thesis.supervisors == ("Prof. Wang Fang", "Dr Zhao Lei")
    assert (thesis.date, thesis.year, thesis.licence) == ("2026-05-01", "2026", "CC BY 4.0")
    assert thesis.kind == "Master's thesis"
    assert "Li Hua" in thesis.declaration and "Master of Laws" in thesis.declaration


def test_a_book_without_a_thesis_block_has_no_thesis_front_matter(tmp_path: Path) -> None:
    plain = FULL.split("license:")[0]
    assert load_thesis(load_book(_project(tmp_path, plain))) is None


def test_optional_fields_have_defaults_and_a_licence_may_be_a_mapping(tmp_path: Path) -> None:
    config = FULL.replace('  type: "Master\'s thesis"\n', "").replace(
        'license: "CC BY 4.0"', "license:\n  text: CC BY-SA 4.0\n  url: https://example.org/l"
    )
    thesis = load_thesis(load_book(_project(tmp_path, config)))
    assert thesis is not None
    assert thesis.kind == DEFAULT_TYPE
    assert (thesis.licence, thesis.licence_url) == ("CC BY-SA 4.0", "https://example.org/l")


@pytest.mark.parametrize(
    ("removed", "what", "line_of"),
    [
        ('          department: "School of Marxism"\n', "faculty", "  author:"),
        (
            '        - name: "Henan University"\n          department: "School of Marxism"\n',
            "institution",
            "  author:",
        ),
        ('  degree: "Master of Laws"\n', "degree", "thesis:"),
        ('  date: "2026-05-01"\n', "date", "book:"),
        ('license: "CC BY 4.0"\n', "licence", None),
        (
            '  supervisors:\n    - "Prof. Wang Fang"\n    - "Dr Zhao Lei"\n',
            "supervisors",
            "thesis:",
        ),
    ],
)
def test_a_missing_required_field_is_an_error_naming_the_config_and_line(
    tmp_path: Path, removed: str, what: str, line_of: str | None
) -> None:
    config = FULL.replace(removed, "")
    if what == "institution":
        config = config.replace("      affiliations:\n", "")
    error = _error(tmp_path, config)
    assert error.path is not None and error.path.name == "_quarto.yml"
    assert what in error.message
    if line_of is not None:
        expected = next(
            n for n, line in enumerate(config.splitlines(), 1) if line.startswith(line_of)
        )
        assert error.line == expected
    assert "Traceback" not in str(error)


def test_an_empty_supervisor_list_and_an_unknown_key_are_errors(tmp_path: Path) -> None:
    empty = FULL.replace('    - "Prof. Wang Fang"\n    - "Dr Zhao Lei"\n', "    - ''\n")
    assert "supervisors" in _error(tmp_path, empty).message
    unknown = FULL.replace(
        '  degree: "Master of Laws"\n', '  degree: "Master of Laws"\n  advisor: "X"\n'
    )
    error = _error(tmp_path, unknown)
    assert "advisor" in error.message
    assert error.line == next(
        n for n, line in enumerate(unknown.splitlines(), 1) if "advisor" in line
    )


def test_fill_in_values_are_warned_about(tmp_path: Path, caplog) -> None:
    config = FULL.replace('"Li Hua"', '"[Your name]"')
    with caplog.at_level("WARNING", logger="bookbuild"):
        load_thesis(load_book(_project(tmp_path, config)))
    assert "[Your name]" in caplog.text and "_quarto.yml" in caplog.text


# ---- the built thesis ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def config() -> dict:
    if not (BOOK / "thesis.pdf").is_file():
        pytest.fail("no built edition in _book/: run `make` (or `make test`) first")
    return yaml.safe_load((ROOT / "_quarto.yml").read_text("utf-8"))


def _pages() -> list[str]:
    """Each page's text, whitespace collapsed and curly apostrophes made straight (the
    editions set `_quarto.yml`'s "Author's" as "Author’s")."""
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(BOOK / "thesis.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [" ".join(page.replace("\u2019", "'").split()) for page in text.split("\f")]


def test_the_title_page_shows_every_field_of_the_config(config: dict) -> None:
    author = config["book"]["author"][0]
    title_page = _pages()[0]
    for value in (
        author["name"],
        author["affiliations"][0]["name"],
        author["affiliations"][0]["department"],
        config["thesis"]["degree"],
        *config["thesis"]["supervisors"],
        str(config["book"]["date"]),
        config["license"],
    ):
        assert value in title_page, value
    assert "Thesis author" not in pdf_text(BOOK / "thesis.pdf")


def test_the_declaration_has_its_own_page_before_the_abstracts(config: dict) -> None:
    pages = _pages()
    declaration = pages[1]
    assert declaration.startswith("Declaration")
    assert config["book"]["author"][0]["name"] in declaration
    assert "my own work" in declaration and "Date" in declaration
    assert pages[2].startswith("Abstract")


def test_the_pdf_author_metadata_is_the_config_author(config: dict) -> None:
    info = subprocess.run(
        ["pdfinfo", str(BOOK / "thesis.pdf")], capture_output=True, text=True, check=True
    ).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Author"].strip() == config["book"]["author"][0]["name"]


def test_abstracts_and_acknowledgements_are_front_matter_sections_of_their_own() -> None:
    pypdf = pytest.importorskip("pypdf")
    outline = [
        item.title
        for item in pypdf.PdfReader(BOOK / "thesis.pdf").outline
        if not isinstance(item, list)
    ]
    assert outline[:4] == ["Abstract", "中文摘要", "Acknowledgements", "How to read this edition"]
    assert "Preface" not in outline
    # each starts its own page, numbered in roman in the front matter (in that order; the
    # English abstract may run over a page)
    pages = _pages()
    numbers = []
    for heading in ("Abstract", "中文摘要", "Acknowledgements"):
        found = next(p for p in pages if p.startswith(heading))
        numbers.append(found.rsplit(" ", 1)[-1])
    romans = ["i", "ii", "iii", "iv", "v", "vi"]
    assert numbers[0] == "i" and all(n in romans for n in numbers), numbers
    assert [romans.index(n) for n in numbers] == sorted({romans.index(n) for n in numbers})


def test_the_html_title_block_carries_the_thesis_fields(config: dict) -> None:
    index = parse_html((BOOK / "index.html").read_text("utf-8"))
    block = index.find("header", cls="title-block")
    statement = " ".join(block.find("p", cls="thesis-statement").text().split())
    assert config["thesis"]["degree"] in statement
    assert config["book"]["author"][0]["affiliations"][0]["name"] in statement
    supervisors = block.find("p", cls="supervisors").text().replace("\u2019", "'")
    assert all(s in supervisors for s in config["thesis"]["supervisors"])
    headings = [h.text().strip() for h in index.find("main").find_all("h1")]
    assert headings == ["Abstract", "中文摘要", "Acknowledgements", "How to read this edition"]
    chinese = next(h for h in index.find_all("h1") if h.text().strip() == "中文摘要")
    assert chinese.attrs.get("lang", "").startswith("zh") or any(
        a.attrs.get("lang", "").startswith("zh") for a in chinese.ancestors()
    )
